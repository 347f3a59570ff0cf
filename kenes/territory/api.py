"""Territory API, mounted at /api/v1/territory/.

Every operation returns `UnitOut` items: the code, both names, the `kind`, the parent's code and
the child counts that apply to the unit's level (the others are null):

- region (kind `region`): district_count, okrug_count, settlement_count;
- district (`district` or `city_administration`): okrug_count, settlement_count;
- okrug (`rural_okrug`, `settlement_administration`, `town_administration` or `city`): settlement_count;
- settlement (`settlement`): no counts.

Counts include current units only. Lists are ordered by code and hold current units only; they are
not paginated: the largest (the settlements of one okrug) has a few dozen rows.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema

from kenes.core.api import ErrorOut
from kenes.core.errors import DomainError
from kenes.territory import selectors
from kenes.territory.models import KATO_RE, District, Okrug, Region

router = Router(tags=["territory"])

Kind = Literal[
    "region",
    "district",
    "city_administration",
    "rural_okrug",
    "settlement_administration",
    "town_administration",
    "city",
    "settlement",
]


class UnitOut(Schema):
    """A region, district, okrug or settlement; counts that do not apply to its level are null."""

    kato: str = Field(description="KATO code, 9 digits", pattern=KATO_RE)
    name_kk: str = Field(description="Official name in Kazakh")
    name_ru: str = Field(description="Official name in Russian")
    kind: Kind
    parent: str | None = Field(description="KATO code of the unit above; null for a region")
    retired: bool = Field(description="No longer in the current classifier (lists never hold retired units)")
    district_count: int | None = Field(None, description="Current districts (regions only)")
    okrug_count: int | None = Field(None, description="Current okrugs (regions and districts)")
    settlement_count: int | None = Field(None, description="Current settlements (regions, districts, okrugs)")


ERRORS: dict[int, Any] = {404: ErrorOut, 422: ErrorOut}


def _not_found() -> DomainError:
    return DomainError(_("No territory unit has this KATO code."), code="not_found", status=404)


def unit_out(unit: selectors.Unit) -> UnitOut:
    counts: dict[str, int | None] = {}
    kind: str
    parent: str | None
    if isinstance(unit, Region):
        kind, parent = "region", None
        counts = {
            "district_count": unit.district_count,  # type: ignore[attr-defined]
            "okrug_count": unit.okrug_count,  # type: ignore[attr-defined]
            "settlement_count": unit.settlement_count,  # type: ignore[attr-defined]
        }
    elif isinstance(unit, District):
        kind = "city_administration" if unit.is_city else "district"
        parent = unit.region.kato
        counts = {
            "okrug_count": unit.okrug_count,  # type: ignore[attr-defined]
            "settlement_count": unit.settlement_count,  # type: ignore[attr-defined]
        }
    elif isinstance(unit, Okrug):
        kind, parent = unit.kind, unit.district.kato
        counts = {"settlement_count": unit.settlement_count}  # type: ignore[attr-defined]
    else:
        kind = "settlement"
        parent = unit.okrug.kato if unit.okrug is not None else unit.district.kato
    return UnitOut(
        kato=unit.kato,
        name_kk=unit.name_kk,
        name_ru=unit.name_ru,
        kind=kind,  # type: ignore[arg-type]
        parent=parent,
        retired=unit.is_retired,
        **counts,
    )


def _kato_query(description: str) -> Any:
    return Query(..., pattern=KATO_RE, description=description, examples=["274400000"])


@router.get("regions", response={200: list[UnitOut], **ERRORS}, summary="Regions (oblasts)")
def regions(request: HttpRequest) -> list[UnitOut]:
    return [unit_out(region) for region in selectors.list_regions()]


@router.get("districts", response={200: list[UnitOut], **ERRORS}, summary="Districts of a region")
def districts(request: HttpRequest, region: str = _kato_query("KATO code of the region")) -> list[UnitOut]:
    parent = selectors.find_region(region)
    if parent is None:
        raise _not_found()
    return [unit_out(district) for district in selectors.list_districts(region=parent)]


@router.get("okrugs", response={200: list[UnitOut], **ERRORS}, summary="Okrugs of a district")
def okrugs(request: HttpRequest, district: str = _kato_query("KATO code of the district")) -> list[UnitOut]:
    parent = selectors.find_district(district)
    if parent is None:
        raise _not_found()
    return [unit_out(okrug) for okrug in selectors.list_okrugs(district=parent)]


@router.get("settlements", response={200: list[UnitOut], **ERRORS}, summary="Settlements of an okrug")
def settlements(request: HttpRequest, okrug: str = _kato_query("KATO code of the okrug")) -> list[UnitOut]:
    parent = selectors.find_okrug(okrug)
    if parent is None:
        raise _not_found()
    return [unit_out(settlement) for settlement in selectors.list_settlements(okrug=parent)]


@router.get("{kato}", response={200: UnitOut, **ERRORS}, summary="Any territory unit by its KATO code")
def unit(
    request: HttpRequest,
    kato: str = Path(..., pattern=KATO_RE, description="KATO code, 9 digits", examples=["274400000"]),
) -> UnitOut:
    found = selectors.find_unit(kato)
    if found is None:
        raise _not_found()
    return unit_out(found)
