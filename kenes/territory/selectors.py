"""Every read of the territory: unit lookup by KATO code, lists with child counts, name search,
district boundaries for the maps.

Lists hold only current units (retired ones are excluded); a retired unit is still found by its
code, so old links keep working and say that the unit is retired.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias

from django.conf import settings
from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from kenes.territory.models import District, Okrug, Region, Settlement, TerritorySource
from kenes.territory.normalise import search_key

Level = Literal["region", "district", "okrug", "settlement"]
Unit: TypeAlias = Region | District | Okrug | Settlement

SEARCH_LIMIT = 50
SEARCH_MIN_LENGTH = 2
BOUNDARIES_FILE = Path("geo") / "kz-districts-2024.geojson"
KATO_PATTERN = re.compile(r"[0-9]{9}")


def kato_level(kato: str) -> Level:
    """The level a 9-digit code names: AB CD EF HIJ = region, district, okrug, settlement."""
    if kato[2:] == "0000000":
        return "region"
    if kato[4:] == "00000":
        return "district"
    if kato[6:] == "000":
        return "okrug"
    return "settlement"


def _count(model: type[Model], link: str) -> Coalesce:
    """A correlated COUNT of the current units of `model` whose `link` points at the outer row.

    Subqueries rather than JOIN + COUNT(DISTINCT): two child counts over joins would multiply
    okrugs by settlements before grouping.
    """
    rows = (
        model._default_manager.filter(**{link: OuterRef("pk"), "retired_at__isnull": True})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows[:1]), 0, output_field=IntegerField())


def _regions() -> QuerySet[Region]:
    return Region.objects.annotate(
        district_count=_count(District, "region"),
        okrug_count=_count(Okrug, "district__region"),
        settlement_count=_count(Settlement, "district__region"),
    )


def _districts() -> QuerySet[District]:
    return District.objects.select_related("region").annotate(
        okrug_count=_count(Okrug, "district"),
        settlement_count=_count(Settlement, "district"),
    )


def _okrugs() -> QuerySet[Okrug]:
    return Okrug.objects.select_related("district__region").annotate(settlement_count=_count(Settlement, "okrug"))


def _settlements() -> QuerySet[Settlement]:
    return Settlement.objects.select_related("okrug", "district__region")


def list_regions() -> QuerySet[Region]:
    return _regions().filter(retired_at__isnull=True).order_by("kato")


def list_districts(*, region: Region) -> QuerySet[District]:
    return _districts().filter(region=region, retired_at__isnull=True).order_by("kato")


def list_okrugs(*, district: District) -> QuerySet[Okrug]:
    return _okrugs().filter(district=district, retired_at__isnull=True).order_by("kato")


def list_settlements(*, okrug: Okrug) -> QuerySet[Settlement]:
    return _settlements().filter(okrug=okrug, retired_at__isnull=True).order_by("kato")


def list_settlements_outside_okrugs(*, district: District) -> QuerySet[Settlement]:
    """The few settlements the classifier places directly under a district."""
    return _settlements().filter(district=district, okrug__isnull=True, retired_at__isnull=True).order_by("kato")


def find_unit(kato: str) -> Unit | None:
    """The unit with this code at the level the code names, with parents and child counts; retired
    units included. One query."""
    if not KATO_PATTERN.fullmatch(kato):
        return None
    level = kato_level(kato)
    queryset: QuerySet[Any]
    if level == "region":
        queryset = _regions()
    elif level == "district":
        queryset = _districts()
    elif level == "okrug":
        queryset = _okrugs()
    else:
        queryset = _settlements()
    unit: Unit | None = queryset.filter(kato=kato).first()
    return unit


def find_region(kato: str) -> Region | None:
    unit = find_unit(kato)
    return unit if isinstance(unit, Region) else None


def find_district(kato: str) -> District | None:
    unit = find_unit(kato)
    return unit if isinstance(unit, District) else None


def find_okrug(kato: str) -> Okrug | None:
    unit = find_unit(kato)
    return unit if isinstance(unit, Okrug) else None


def ancestors(unit: Unit) -> list[Unit]:
    """The region, district and okrug above `unit`, from the rows `find_unit` already joined."""
    if isinstance(unit, Region):
        return []
    if isinstance(unit, District):
        return [unit.region]
    if isinstance(unit, Okrug):
        return [unit.district.region, unit.district]
    chain: list[Unit] = [unit.district.region, unit.district]
    if unit.okrug is not None:
        chain.append(unit.okrug)
    return chain


def latest_source() -> TerritorySource | None:
    return TerritorySource.objects.order_by("-imported_at", "-id").first()


@dataclass
class SearchHit:
    unit: Unit
    path: list[Unit]


@dataclass
class SearchSection:
    level: Level
    hits: list[SearchHit] = field(default_factory=list)
    has_more: bool = False


@dataclass
class SearchResults:
    query: str
    too_short: bool
    sections: list[SearchSection] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(section.hits) for section in self.sections)


def search_units(query: str, *, limit: int = SEARCH_LIMIT) -> SearchResults:
    """Current units whose name contains `query`, case-insensitively for Kazakh and Russian
    (the Cyrillic yo is read as ye).

    `search_text` is folded by `search_key` on import, so a plain `contains` on the folded query
    is case-insensitive on every database (SQLite's LOWER() does not know Cyrillic).
    At most `limit` units per level; one query per level.
    """
    key = search_key(query)
    results = SearchResults(query=query.strip(), too_short=len(key) < SEARCH_MIN_LENGTH)
    if results.too_short:
        return results
    querysets: list[tuple[Level, QuerySet[Any]]] = [
        ("region", Region.objects.all()),
        ("district", District.objects.select_related("region")),
        ("okrug", Okrug.objects.select_related("district__region")),
        ("settlement", Settlement.objects.select_related("okrug", "district__region")),
    ]
    for level, queryset in querysets:
        rows = list(queryset.filter(search_text__contains=key, retired_at__isnull=True).order_by("kato")[: limit + 1])
        hits = [SearchHit(unit=row, path=ancestors(row)) for row in rows[:limit]]
        results.sections.append(SearchSection(level=level, hits=hits, has_more=len(rows) > limit))
    return results


# --- District boundaries (geokz, CC BY 4.0) -------------------------------------------------------


def boundaries_path() -> Path:
    return Path(settings.KENES_SHARED_DATA) / BOUNDARIES_FILE


@functools.lru_cache(maxsize=2)
def _boundaries_by_region(path: str, mtime_ns: int) -> dict[str, bytes]:
    """The national file parsed once per (path, mtime): one small GeoJSON document per region prefix,
    with only the code and the names kept in each feature's properties."""
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for feature in collection.get("features", []):
        properties = feature.get("properties") or {}
        kato = str(properties.get("KATO", ""))
        if not KATO_PATTERN.fullmatch(kato):
            continue
        grouped.setdefault(kato[:2], []).append(
            {
                "type": "Feature",
                "properties": {
                    "KATO": kato,
                    "ADM2_KK": properties.get("ADM2_KK", ""),
                    "ADM2_RU": properties.get("ADM2_RU", ""),
                },
                "geometry": feature.get("geometry"),
            }
        )
    return {
        prefix: json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        for prefix, features in grouped.items()
    }


def region_boundaries(kato: str) -> bytes | None:
    """GeoJSON of the district polygons in the region `kato` belongs to, or None when the boundary
    file is absent or has no polygon for that region."""
    path = boundaries_path()
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError:
        return None
    return _boundaries_by_region(str(path), mtime_ns).get(kato[:2])


def has_boundaries(kato: str) -> bool:
    return region_boundaries(kato) is not None
