"""Rural indicators API, mounted at /api/v1/indicators/ (public, read-only).

The catalogue (what is measured, in what unit, which way is better, from which source) and the
values, filtered by indicator code, territory (the KATO code of a district, okrug or settlement: that
unit's own values), period kind and years; paginated (`limit` up to 100, `offset`). Every value says
whether it is demo data (`is_demo`). An unknown code or KATO is 404 `not_found`; every error is
`{"detail", "code"}`.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema

from kenes.core.api import READ_ERRORS
from kenes.core.errors import DomainError
from kenes.councils.models import Pilot
from kenes.indicators import pilot_evaluation, selectors
from kenes.indicators.models import Indicator, IndicatorValue
from kenes.indicators.pilot_evaluation import OutcomeEvaluation
from kenes.territory.models import KATO_RE, District, Okrug, Settlement

router = Router(tags=["indicators"])

DirectionCode = Literal["higher_better", "lower_better", "neutral"]
PeriodKindCode = Literal["year", "quarter", "month"]
LevelCode = Literal["district", "okrug", "settlement"]
CODE_RE = r"^[-a-zA-Z0-9_]{1,60}$"
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class IndicatorOut(Schema):
    code: str
    name: str = Field(description="The name in the request's language")
    unit: str = Field(description="The unit in the request's language")
    definition: str
    direction: DirectionCode = Field(description="Which way is better: higher, lower, or neither")
    direction_label: str
    source: str = Field(description="Where the figures usually come from")
    is_percent: bool = Field(description="A share, 0–100")
    allows_negative: bool


class TerritoryOut(Schema):
    kato: str = Field(pattern=KATO_RE)
    level: LevelCode
    name: str


class ValueOut(Schema):
    indicator: str = Field(description="The indicator's code")
    territory: TerritoryOut
    period_kind: PeriodKindCode
    period_start: datetime.date = Field(description="1 January, the quarter's or the month's first day")
    period: str = Field(description="The period as written in files: 2024, 2024-Q1 or 2024-03")
    value: str = Field(description="The value as a decimal string, e.g. '1234' or '56.5'")
    unit: str
    source: str
    is_demo: bool = Field(description="Demo data (synthetic), not real figures")
    loaded_at: datetime.datetime


class ValuePageOut(Schema):
    count: int = Field(description="Values matching the filters, on every page together")
    limit: int
    offset: int
    items: list[ValueOut]


PERIOD_KIND_QUERY = Query(None, description="Only years, quarters or months")


def _not_found(message: Any) -> DomainError:
    return DomainError(message, code="not_found", status=404)


def indicator_out(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "definition": indicator.definition,
        "direction": indicator.direction,
        "direction_label": str(indicator.get_direction_display()),
        "source": indicator.source,
        "is_percent": indicator.is_percent,
        "allows_negative": indicator.allows_negative,
    }


def _period(kind: str, start: datetime.date) -> str:
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == "month":
        return f"{start.year}-{start.month:02d}"
    return str(start.year)


def _decimal(value: Any) -> str:
    text = format(value.normalize(), "f")
    return text


def value_out(value: IndicatorValue) -> dict[str, Any]:
    unit: District | Okrug | Settlement | None
    level: LevelCode
    if value.settlement_id is not None:
        unit, level = value.settlement, "settlement"
    elif value.okrug_id is not None:
        unit, level = value.okrug, "okrug"
    else:
        unit, level = value.district, "district"
    assert unit is not None
    return {
        "indicator": value.indicator.code,
        "territory": {"kato": unit.kato, "level": level, "name": unit.name},
        "period_kind": value.period_kind,
        "period_start": value.period_start,
        "period": _period(value.period_kind, value.period_start),
        "value": _decimal(value.value),
        "unit": value.indicator.unit,
        "source": value.source,
        "is_demo": value.is_demo,
        "loaded_at": value.loaded_at,
    }


@router.get(
    "catalogue",
    response={200: list[IndicatorOut], **READ_ERRORS},
    summary="The indicator catalogue: code, name, unit, definition, which way is better, source",
)
def catalogue(request: HttpRequest) -> list[dict[str, Any]]:
    return [indicator_out(indicator) for indicator in selectors.catalogue()]


@router.get(
    "values",
    response={200: ValuePageOut, **READ_ERRORS},
    summary="Indicator values: filter by indicator, territory, period kind and years; page",
    description="Ordered by indicator (catalogue order), territory KATO code and period. 404 `not_found` for an "
    "unknown indicator code or KATO code; an empty page when `from` is after `to`.",
)
def values(
    request: HttpRequest,
    code: str | None = Query(None, pattern=CODE_RE, description="Only this indicator (code)", examples=["population"]),
    kato: str | None = Query(
        None,
        pattern=KATO_RE,
        description="Only this district, okrug or settlement (KATO code): the unit's own values",
        examples=["274430000"],
    ),
    period_kind: PeriodKindCode | None = PERIOD_KIND_QUERY,
    year_from: int | None = Query(None, alias="from", ge=2000, le=2100, description="From this year (inclusive)"),
    year_to: int | None = Query(None, alias="to", ge=2000, le=2100, description="Up to this year (inclusive)"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (at most 100)"),
    offset: int = Query(0, ge=0, le=10**9, description="Items to skip"),
) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if code is not None:
        indicator_id = Indicator.objects.filter(code=code).values_list("pk", flat=True).first()
        if indicator_id is None:
            raise _not_found(_("No indicator has this code."))
        filters["indicator_id"] = indicator_id
    if kato is not None:
        found_territory = selectors.territory_filter(kato)
        if found_territory is None:
            raise _not_found(_("No district, okrug or settlement has this KATO code."))
        filters.update(found_territory)
    if period_kind is not None:
        filters["period_kind"] = period_kind
    if year_from is not None:
        filters["period_start__gte"] = datetime.date(year_from, 1, 1)
    if year_to is not None:
        filters["period_start__lte"] = datetime.date(year_to, 12, 31)
    found = selectors.indicator_values(filters)
    return {
        "count": found.count(),
        "limit": limit,
        "offset": offset,
        "items": [value_out(value) for value in found[offset : offset + limit]],
    }


# The pilot's evaluation ----------------------------------------------------------------------------

VerdictCode = Literal["better", "worse", "higher", "lower", "no_clear_difference", "unknown"]
StatusCode = Literal["estimated", "too_few_periods", "too_few_units"]
OutcomeCode = Literal["net_migration", "participation", "on_time", "implemented"]


class PilotOut(Schema):
    id: int
    name: str
    district: TerritoryOut | None = Field(description="The pilot district (None for a pilot of named okrugs)")
    starts_on: datetime.date
    is_demo: bool


class YearValueOut(Schema):
    year: int
    value: float | None = Field(description="None: no figure that year (no council yet, nothing loaded)")


class EvaluatedUnitOut(Schema):
    name: str
    kato: str = Field(description="KATO code; empty for a pilot of named okrugs")
    treated: bool = Field(description="True for the pilot, false for a comparison district")
    values: list[YearValueOut]


class ReadingOut(Schema):
    verdict: VerdictCode
    text: str = Field(description="The plain-language reading in the request's language")


class OutcomeOut(Schema):
    code: OutcomeCode
    title: str
    unit: str = Field(description="The unit of the yearly values")
    change_unit: str = Field(description="The unit of the changes and the estimate (percentage points for a %)")
    status: StatusCode
    effect: float | None = Field(description="Difference in differences: the pilot's change minus the comparison mean")
    low: float | None = Field(description="Confidence interval, lower bound")
    high: float | None = Field(description="Confidence interval, upper bound")
    std_error: float | None
    df: int | None = Field(description="Degrees of freedom of the t distribution")
    treated_change: float | None
    comparison_change: float | None
    pre_years: list[int]
    post_years: list[int]
    units_used: list[str]
    units_left_out: list[str]
    reason: str = Field(description="Why there is no estimate; empty when there is one")
    reading: ReadingOut
    is_demo: bool
    series: list[EvaluatedUnitOut]


class EvaluationOut(Schema):
    pilot: PilotOut
    start_year: int
    level: float = Field(description="Confidence level, e.g. 0.95")
    is_demo: bool
    outcomes: list[OutcomeOut]


def _pilot_out(pilot: Pilot) -> dict[str, Any]:
    district = pilot.district
    return {
        "id": pilot.pk,
        "name": pilot.name,
        "district": None if district is None else {"kato": district.kato, "level": "district", "name": district.name},
        "starts_on": pilot.starts_on,
        "is_demo": pilot.is_demo,
    }


def _outcome_out(outcome: OutcomeEvaluation) -> dict[str, Any]:
    estimate = outcome.estimate
    return {
        "code": outcome.code,
        "title": outcome.title,
        "unit": outcome.unit,
        "change_unit": outcome.change_unit,
        "status": estimate.status,
        "effect": estimate.effect,
        "low": estimate.low,
        "high": estimate.high,
        "std_error": estimate.std_error,
        "df": estimate.df,
        "treated_change": estimate.treated_change,
        "comparison_change": estimate.comparison_change,
        "pre_years": list(estimate.pre_years),
        "post_years": list(estimate.post_years),
        "units_used": list(estimate.units_used),
        "units_left_out": list(estimate.units_left_out),
        "reason": estimate.reason,
        "reading": {"verdict": outcome.reading.verdict, "text": outcome.reading.text},
        "is_demo": outcome.is_demo,
        "series": [
            {
                "name": unit.name,
                "kato": unit.kato,
                "treated": unit.treated,
                "values": [{"year": year, "value": unit.values.get(year)} for year in outcome.years],
            }
            for unit in outcome.units
        ],
    }


@router.get(
    "evaluation",
    response={200: list[PilotOut], **READ_ERRORS},
    summary="The pilots that can be evaluated",
)
def evaluation_pilots(request: HttpRequest) -> list[dict[str, Any]]:
    return [_pilot_out(pilot) for pilot in pilot_evaluation.list_pilots()]


@router.get(
    "evaluation/{pilot_id}",
    response={200: EvaluationOut, **READ_ERRORS},
    summary="The pilot's evaluation: difference in differences per outcome, with a confidence interval and a reading",
    description="For each outcome (net migration per 1,000 residents, proposals per 1,000 residents, answers on "
    "time %, recommendations implemented %): the yearly series of the pilot and of each comparison district, the "
    "pilot's change minus the comparison districts' mean change between the years before the pilot's start year and "
    "the years from it on, its confidence interval (t distribution), and a plain reading. `status` says when there "
    "are too few periods or districts to tell. 404 `not_found` for an unknown pilot.",
)
def evaluation_result(
    request: HttpRequest,
    pilot_id: int = Path(..., ge=1, le=2**31 - 1),
    level: int = Query(95, ge=50, le=99, description="Confidence level in percent (50–99)"),
) -> dict[str, Any]:
    pilot = Pilot.objects.filter(pk=pilot_id).select_related("district").first()
    if pilot is None:
        raise _not_found(_("No pilot has this id."))
    result = pilot_evaluation.evaluate_pilot(pilot, level=level / 100)
    return {
        "pilot": _pilot_out(pilot),
        "start_year": result.start_year,
        "level": result.level,
        "is_demo": result.is_demo,
        "outcomes": [_outcome_out(outcome) for outcome in result.outcomes],
    }
