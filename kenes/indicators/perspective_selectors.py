"""Reads about perspective villages: the share of rural people living in them, and a district's list.

Only rural settlements in use (not retired) count. Populations come from `Settlement.population`;
a settlement whose population is unknown is counted apart (`unknown_population`) and left out of
both population sums, so the percentage is over the settlements whose population is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404

from kenes.indicators.models import PerspectiveVillage
from kenes.territory.models import District, Region, Settlement

_TENTH = Decimal("0.1")
_PERSPECTIVE = Q(perspective__status=PerspectiveVillage.Status.PERSPECTIVE)
_UNKNOWN = Q(population__isnull=True)


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
    is_demo: bool = False  # some status comes from demonstration data


def rural_settlements(*, district: District | None = None, region: Region | None = None) -> QuerySet[Settlement]:
    found = Settlement.objects.filter(area=Settlement.Area.RURAL, retired_at__isnull=True)
    if district is not None:
        found = found.filter(district=district)
    if region is not None:
        found = found.filter(district__region=region)
    return found


def perspective_share(*, district: District | None = None, region: Region | None = None) -> Share:
    """The share of the rural population of a district, a region (or, with neither, the whole
    country) living in perspective villages: one query."""
    totals = rural_settlements(district=district, region=region).aggregate(
        n_settlements=Count("pk"),
        n_perspective=Count("pk", filter=_PERSPECTIVE),
        n_rural_population=Sum("population"),
        n_population_in_perspective=Sum("population", filter=_PERSPECTIVE),
        n_unknown_population=Count("pk", filter=_UNKNOWN),
        n_unknown_population_perspective=Count("pk", filter=_UNKNOWN & _PERSPECTIVE),
        n_without_status=Count("pk", filter=Q(perspective__isnull=True)),
        n_demo=Count("pk", filter=Q(perspective__is_demo=True)),
    )
    rural_population = totals["n_rural_population"] or 0
    in_perspective = totals["n_population_in_perspective"] or 0
    percent = None
    if rural_population:
        percent = (Decimal(in_perspective) * 100 / Decimal(rural_population)).quantize(_TENTH, ROUND_HALF_UP)
    return Share(
        settlements=totals["n_settlements"],
        perspective=totals["n_perspective"],
        rural_population=rural_population,
        population_in_perspective=in_perspective,
        percent=percent,
        unknown_population=totals["n_unknown_population"],
        unknown_population_perspective=totals["n_unknown_population_perspective"],
        without_status=totals["n_without_status"],
        is_demo=totals["n_demo"] > 0,
    )


def perspective_villages_of(district: District) -> QuerySet[Settlement]:
    """The district's rural settlements by okrug, each with `perspective_status` ("perspective",
    "other" or None when no list gave one), `perspective_source` and `perspective_is_demo`."""
    return (
        rural_settlements(district=district)
        .select_related("okrug")
        .annotate(
            perspective_status=F("perspective__status"),
            perspective_source=F("perspective__source"),
            perspective_is_demo=F("perspective__is_demo"),
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
    pilot = District.objects.filter(kato=getattr(settings, "KENES_PILOT_DISTRICT", "")).first()
    if pilot is not None:
        return pilot
    return (
        District.objects.filter(settlements__perspective__isnull=False, retired_at__isnull=True)
        .order_by("kato")
        .first()
    )
