"""The pilot's evaluation: the pilot district against its comparison districts, before and after the
pilot's start year, for four outcomes (decision 0008):
- net migration per 1,000 residents: the yearly `net_migration` and `population` figures loaded for
  each district (for a pilot of named okrugs, those okrugs' figures added up);
- participation: proposals per 1,000 residents, from the councils' own records (accountability's
  scorecards, year by year);
- answers on time, % and recommendations implemented, %: the same scorecards.
A year with no figure (no council yet, no value loaded) is missing, never zero. The estimate itself is
`evaluation.estimate_did`; this module only gathers the yearly series and reads them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Min, Q
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kenes.accountability.scorecards import Scorecard, pilot_scorecard
from kenes.councils.models import Council, Pilot
from kenes.indicators.dashboards import rate_per_1000
from kenes.indicators.evaluation import Estimate, Reading, UnitSeries, estimate_did, read_estimate
from kenes.indicators.models import IndicatorValue, PeriodKind
from kenes.territory.models import District

OUTCOMES = ("net_migration", "participation", "on_time", "implemented")
LEVELS = (0.9, 0.95, 0.99)


@dataclass(frozen=True)
class OutcomeEvaluation:
    code: str
    title: str
    unit: str
    change_unit: str  # the unit of changes and of the estimate: percentage points for a percentage
    units: list[UnitSeries]
    years: list[int]
    estimate: Estimate
    reading: Reading
    is_demo: bool

    @property
    def table(self) -> list[tuple[int, list[float | None]]]:
        """(year, one value per unit) for the table beside the chart."""
        return [(year, [unit.values.get(year) for unit in self.units]) for year in self.years]


@dataclass(frozen=True)
class PilotEvaluation:
    pilot: Pilot
    start_year: int
    level: float
    outcomes: list[OutcomeEvaluation]

    @property
    def is_demo(self) -> bool:
        return self.pilot.is_demo or any(outcome.is_demo for outcome in self.outcomes)

    def outcome(self, code: str) -> OutcomeEvaluation:
        found = next((outcome for outcome in self.outcomes if outcome.code == code), None)
        if found is None:
            raise Http404
        return found


def format_decimal(value: float) -> str:
    return number_format(round(value, 1), decimal_pos=1, force_grouping=True)


def titles() -> dict[str, tuple[str, str, str]]:
    """Each outcome's title, unit, and the unit of its changes, in the active language: a change of a
    percentage is in percentage points."""
    per_1000, points = _("per 1,000 residents"), _("percentage points")
    return {
        "net_migration": (_("Net migration per 1,000 residents"), per_1000, per_1000),
        "participation": (_("Proposals per 1,000 residents"), per_1000, per_1000),
        "on_time": (_("Answers on time"), "%", points),
        "implemented": (_("Recommendations implemented"), "%", points),
    }


def list_pilots() -> list[Pilot]:
    return list(Pilot.objects.select_related("district").order_by("-starts_on", "name"))


def access_pilot(*, pk: int) -> Pilot:
    pilot = Pilot.objects.filter(pk=pk).select_related("district__region").first()
    if pilot is None:
        raise Http404
    return pilot


def _comparison(pilot: Pilot) -> list[District]:
    return sorted(pilot.comparison_districts.all(), key=lambda district: district.kato)


def _migration_units(pilot: Pilot) -> tuple[list[UnitSeries], bool]:
    """Net migration per 1,000 residents by year for the pilot and each comparison district; one query."""
    comparison = _comparison(pilot)
    okrug_ids = [] if pilot.district_id is not None else [okrug.pk for okrug in pilot.okrugs.all()]
    district_ids = [district.pk for district in comparison]
    if pilot.district_id is not None:
        district_ids.append(pilot.district_id)
    place = Q(district_id__in=district_ids) | Q(okrug_id__in=okrug_ids)
    rows = IndicatorValue.objects.filter(
        place, indicator__code__in=("net_migration", "population"), period_kind=PeriodKind.YEAR
    )
    sums: dict[tuple[str, str, int], Decimal] = {}  # (unit key, code, year) → value
    is_demo = False
    for code, district_id, okrug_id, start, value, demo in rows.values_list(
        "indicator__code", "district_id", "okrug_id", "period_start", "value", "is_demo"
    ):
        key = "pilot" if okrug_id is not None or district_id == pilot.district_id else f"d{district_id}"
        sums[(key, code, start.year)] = sums.get((key, code, start.year), Decimal(0)) + value
        is_demo = is_demo or demo

    def series(key: str) -> dict[int, float | None]:
        years = sorted({year for (unit, code, year) in sums if unit == key and code == "net_migration"})
        rates = {
            year: rate_per_1000(sums.get((key, "net_migration", year)), sums.get((key, "population", year)))
            for year in years
        }
        return {year: None if rate is None else float(rate) for year, rate in rates.items()}

    units = [_pilot_unit(pilot, series("pilot"))]
    units += [
        UnitSeries(name=district.name, kato=district.kato, treated=False, values=series(f"d{district.pk}"))
        for district in comparison
    ]
    return units, is_demo


def _pilot_unit(pilot: Pilot, values: dict[int, float | None]) -> UnitSeries:
    if pilot.district is not None:
        return UnitSeries(name=pilot.district.name, kato=pilot.district.kato, treated=True, values=values)
    return UnitSeries(name=pilot.name, kato="", treated=True, values=values)


_SCORECARD_FIGURES: dict[str, Callable[[Scorecard], float | None]] = {
    "participation": lambda card: card.proposals_per_1000,
    "on_time": lambda card: card.on_time_percent,
    "implemented": lambda card: card.implemented_percent,
}


def _scorecard_units(pilot: Pilot, *, today: datetime.date) -> tuple[dict[str, list[UnitSeries]], bool]:
    """The three council outcomes by year, from the first year any council in scope was established
    to this year (earlier years have no council and so no figure); one scorecard per year."""
    comparison = _comparison(pilot)
    scope_districts = [district.pk for district in comparison]
    first = (
        Council.objects.filter(okrug__district_id__in=[*scope_districts, pilot.district_id])
        .aggregate(first=Min("established_on"))
        .get("first")
    )
    years = list(range(first.year, today.year + 1)) if first is not None else []
    by_outcome: dict[str, list[dict[int, float | None]]] = {
        code: [{} for _ in range(len(comparison) + 1)] for code in _SCORECARD_FIGURES
    }
    is_demo = False
    for year in years:
        card = pilot_scorecard(pilot, year=year, today=today)
        is_demo = is_demo or any(row.is_demo and row.councils for row in card.rows)
        for index, row in enumerate(card.rows):
            for code, read in _SCORECARD_FIGURES.items():
                by_outcome[code][index][year] = read(row) if row.councils else None
    result: dict[str, list[UnitSeries]] = {}
    for code, per_unit in by_outcome.items():
        units = [_pilot_unit(pilot, per_unit[0])]
        units += [
            UnitSeries(name=district.name, kato=district.kato, treated=False, values=per_unit[index + 1])
            for index, district in enumerate(comparison)
        ]
        result[code] = units
    return result, is_demo


def _years(units: list[UnitSeries]) -> list[int]:
    found = sorted({year for unit in units for year in unit.values})
    return list(range(found[0], found[-1] + 1)) if found else []


def evaluate_pilot(pilot: Pilot, *, level: float = 0.95, today: datetime.date | None = None) -> PilotEvaluation:
    """Every outcome's yearly series, its difference-in-differences estimate and its reading."""
    day = today or timezone.localdate()
    start_year = pilot.starts_on.year
    migration, migration_demo = _migration_units(pilot)
    council_units, council_demo = _scorecard_units(pilot, today=day)
    gathered: dict[str, tuple[list[UnitSeries], bool]] = {"net_migration": (migration, migration_demo)}
    for code, units in council_units.items():
        gathered[code] = (units, council_demo)
    names = titles()
    outcomes = []
    for code in OUTCOMES:
        units, is_demo = gathered[code]
        title, unit, change_unit = names[code]
        estimate = estimate_did(units=units, start_year=start_year, level=level)
        outcomes.append(
            OutcomeEvaluation(
                code=code,
                title=title,
                unit=unit,
                change_unit=change_unit,
                units=units,
                years=_years(units),
                estimate=estimate,
                reading=read_estimate(estimate, higher_is_better=True, unit=change_unit, format_number=format_decimal),
                is_demo=is_demo,
            )
        )
    return PilotEvaluation(pilot=pilot, start_year=start_year, level=level, outcomes=outcomes)


def parse_level(text: Any) -> float:
    """The confidence level from `?level=90` (90, 95 or 99; 95 for anything else)."""
    try:
        level = int(str(text)) / 100
    except ValueError:
        return 0.95
    return level if level in LEVELS else 0.95
