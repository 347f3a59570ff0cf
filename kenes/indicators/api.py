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
from ninja import Field, Query, Router, Schema

from kenes.core.api import READ_ERRORS
from kenes.core.errors import DomainError
from kenes.indicators import selectors
from kenes.indicators.models import Indicator, IndicatorValue
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
