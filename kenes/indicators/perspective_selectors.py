"""Reads about perspective villages: the share of rural people living in them, and a district's list.

Only rural settlements in use (not retired) count. A settlement's population is `Settlement.population`
(from the classifier or the akimat); when that is empty, the latest yearly "population" figure loaded
for the settlement stands in (`population_from_figures` counts those, and a demo figure makes the
share demo). A settlement with neither is counted apart (`unknown_population`) and left out of both
population sums, so the percentage is over the settlements whose population is known.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404

from kenes.indicators.models import IndicatorValue, PeriodKind, PerspectiveVillage
from kenes.territory.models import District, Okrug, Region, Settlement

_TENTH = Decimal("0.1")
_PERSPECTIVE = PerspectiveVillage.Status.PERSPECTIVE


@dataclass(frozen=True)
class Share:
    settlements: int  # rural settlements in the area
    perspective: int  # of them, perspective villages
    rural_population: int  # people in the rural settlements whose population is known
    population_in_perspective: int  # of them, people in perspective villages
    percent: Decimal | None  # population_in_perspective / rural_population × 100, to 0.1; None without people
    unknown_population: int = 0  # rural settlements whose population is unknown (not in the sums)
    unknown_population_perspective: int = 0  # of them, perspective villages
    without_status: int = 0  # rural settlements no list has given a status
    is_demo: bool = False  # some status or population figure comes from demonstration data
    population_from_figures: int = 0  # settlements whose population is their latest loaded figure


def rural_settlements(*, district: District | None = None, region: Region | None = None) -> QuerySet[Settlement]:
    found = Settlement.objects.filter(area=Settlement.Area.RURAL, retired_at__isnull=True)
    if district is not None:
        found = found.filter(district=district)
    if region is not None:
        found = found.filter(district__region=region)
    return found


def _latest_population_figure(column: str) -> Subquery:
    return Subquery(
        IndicatorValue.objects.filter(
            settlement=OuterRef("pk"), indicator__code="population", period_kind=PeriodKind.YEAR
        )
        .order_by("-period_start")
        .values(column)[:1]
    )


# (district id, population, latest figure, figure is demo, status, status is demo)
_Row = tuple[int, int | None, Decimal | None, bool | None, str | None, bool | None]


def _rows(found: QuerySet[Settlement]) -> Iterable[_Row]:
    return found.annotate(
        figure=_latest_population_figure("value"), figure_is_demo=_latest_population_figure("is_demo")
    ).values_list(
        "district_id", "population", "figure", "figure_is_demo", "perspective__status", "perspective__is_demo"
    )


def _share(rows: Iterable[_Row]) -> Share:
    counts: dict[str, Any] = defaultdict(int)
    is_demo = False
    for _district, population, figure, figure_is_demo, status, status_is_demo in rows:
        perspective = status == _PERSPECTIVE
        counts["settlements"] += 1
        counts["perspective"] += perspective
        counts["without_status"] += status is None
        is_demo = is_demo or bool(status_is_demo)
        people: int | None = population
        if people is None and figure is not None:
            people = int(figure)
            counts["population_from_figures"] += 1
            is_demo = is_demo or bool(figure_is_demo)
        if people is None:
            counts["unknown_population"] += 1
            counts["unknown_population_perspective"] += perspective
            continue
        counts["rural_population"] += people
        counts["population_in_perspective"] += people if perspective else 0
    percent = None
    if counts["rural_population"]:
        percent = (Decimal(counts["population_in_perspective"]) * 100 / Decimal(counts["rural_population"])).quantize(
            _TENTH, ROUND_HALF_UP
        )
    return Share(
        settlements=counts["settlements"],
        perspective=counts["perspective"],
        rural_population=counts["rural_population"],
        population_in_perspective=counts["population_in_perspective"],
        percent=percent,
        unknown_population=counts["unknown_population"],
        unknown_population_perspective=counts["unknown_population_perspective"],
        without_status=counts["without_status"],
        is_demo=is_demo,
        population_from_figures=counts["population_from_figures"],
    )


def perspective_share(*, district: District | None = None, region: Region | None = None) -> Share:
    """The share of the rural population of a district, a region (or, with neither, the whole
    country) living in perspective villages: one query."""
    return _share(_rows(rural_settlements(district=district, region=region)))


def perspective_shares_by_district(region: Region) -> dict[int, Share]:
    """Every district of the region with a rural settlement: its share, by district id; one query."""
    grouped: dict[int, list[_Row]] = defaultdict(list)
    for row in _rows(rural_settlements(region=region)):
        grouped[row[0]].append(row)
    return {district_id: _share(rows) for district_id, rows in grouped.items()}


def perspective_villages_of(district: District | None = None, *, okrug: Okrug | None = None) -> QuerySet[Settlement]:
    """The district's (or the okrug's) rural settlements by okrug, each with `perspective_status`
    ("perspective", "other" or None when no list gave one), `perspective_source`, `perspective_is_demo`,
    and the latest loaded population figure (`population_figure`, `population_figure_is_demo`)."""
    found = rural_settlements(district=district)
    if okrug is not None:
        found = found.filter(okrug=okrug)
    return (
        found.select_related("okrug")
        .annotate(
            perspective_status=F("perspective__status"),
            perspective_source=F("perspective__source"),
            perspective_is_demo=F("perspective__is_demo"),
            population_figure=_latest_population_figure("value"),
            population_figure_is_demo=_latest_population_figure("is_demo"),
        )
        .order_by(F("okrug__kato").asc(nulls_last=True), "kato")
    )


def access_district(*, kato: str) -> District:
    """A district by KATO code, for the public pages; 404 when there is none."""
    district = District.objects.filter(kato=kato).select_related("region").first()
    if district is None:
        raise Http404
    return district


def pilot_district() -> District | None:
    """The pilot district (settings.KENES_PILOT_DISTRICT) when it is loaded, else the first district
    some perspective status belongs to, else None."""
    pilot = District.objects.filter(kato=getattr(settings, "KENES_PILOT_DISTRICT", "")).select_related("region").first()
    if pilot is not None:
        return pilot
    return (
        District.objects.filter(settlements__perspective__isnull=False, retired_at__isnull=True)
        .select_related("region")
        .order_by("kato")
        .first()
    )
