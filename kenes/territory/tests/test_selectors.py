from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.utils import timezone

from kenes.territory import selectors
from kenes.territory.models import District, Okrug, Region, Settlement
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory


@pytest.mark.parametrize(
    ("kato", "level"),
    [
        ("270000000", "region"),
        ("274400000", "district"),
        ("271000000", "district"),
        ("274430000", "okrug"),
        ("274430100", "settlement"),
        ("274433127", "settlement"),
    ],
)
def test_the_level_of_a_code_follows_its_digit_groups(kato: str, level: str) -> None:
    assert selectors.kato_level(kato) == level


def counts(unit: object, *names: str) -> tuple[int, ...]:
    """The child counts the selectors annotate (attributes the model class does not declare)."""
    return tuple(getattr(unit, name) for name in names)


def test_the_factories_derive_valid_codes_from_their_parents(db) -> None:
    main = SettlementFactory.create(is_main=True)
    other = SettlementFactory.create(okrug=main.okrug)

    okrug, district, region = main.okrug, main.district, main.district.region
    assert okrug is not None
    assert region.kato.endswith("0000000")
    assert district.kato.startswith(region.kato[:2])
    assert district.kato.endswith("00000")
    assert okrug.kato.startswith(district.kato[:4])
    assert okrug.kato.endswith("000")
    assert main.kato.startswith(okrug.kato[:6])
    assert main.kato.endswith("00")
    assert other.kato.startswith(okrug.kato[:6])
    assert not other.kato.endswith("00")
    assert "<script>" in main.name_kk


def test_counts_include_only_current_units(db) -> None:
    region = RegionFactory.create()
    district = DistrictFactory.create(region=region)
    DistrictFactory.create(region=region, retired_at=timezone.now())
    okrug = OkrugFactory.create(district=district)
    OkrugFactory.create(district=district, retired_at=timezone.now())
    SettlementFactory.create(okrug=okrug, is_main=True)
    SettlementFactory.create(okrug=okrug)
    SettlementFactory.create(okrug=okrug, retired_at=timezone.now())

    listed = selectors.list_regions().get()
    district_row = selectors.list_districts(region=region).get()
    okrug_row = selectors.list_okrugs(district=district).get()

    assert counts(listed, "district_count", "okrug_count", "settlement_count") == (1, 1, 2)
    assert counts(district_row, "okrug_count", "settlement_count") == (1, 2)
    assert counts(okrug_row, "settlement_count") == (2,)


def test_a_unit_with_no_children_counts_zero(db) -> None:
    region = RegionFactory.create()

    assert counts(selectors.list_regions().get(), "district_count") == (0,)
    assert counts(selectors.find_unit(region.kato), "okrug_count", "settlement_count") == (0, 0)


def test_find_unit_returns_each_level_with_its_parents_in_one_query(db, django_assert_num_queries) -> None:
    settlement = SettlementFactory.create()
    assert settlement.okrug is not None

    with django_assert_num_queries(1):
        found = selectors.find_unit(settlement.kato)
        assert found is not None
        path = [unit.kato for unit in selectors.ancestors(found)]

    assert isinstance(found, Settlement)
    assert path == [settlement.district.region.kato, settlement.district.kato, settlement.okrug.kato]
    assert isinstance(selectors.find_unit(settlement.okrug.kato), Okrug)
    assert isinstance(selectors.find_unit(settlement.district.kato), District)
    assert isinstance(selectors.find_unit(settlement.district.region.kato), Region)


def test_find_unit_finds_retired_units_and_nothing_for_unknown_or_malformed_codes(db) -> None:
    okrug = OkrugFactory.create(retired_at=timezone.now())

    assert selectors.find_unit(okrug.kato) == okrug
    assert selectors.find_unit("999999999") is None
    assert selectors.find_unit("27440000") is None
    assert selectors.find_unit("27440000x") is None


def test_typed_finders_refuse_a_code_of_another_level(db) -> None:
    okrug = OkrugFactory.create()

    assert selectors.find_region(okrug.district.kato) is None
    assert selectors.find_district(okrug.kato) is None
    assert selectors.find_okrug(okrug.district.kato) is None
    assert selectors.find_okrug(okrug.kato) == okrug


def test_the_search_folds_kazakh_letters_and_yo(db) -> None:
    okrug = OkrugFactory.create(name_kk="Қызылоба ауылдық округі", short_name_kk="Қызылоба")
    SettlementFactory.create(okrug=okrug, name_ru="с.Подстёпное", short_name_ru="Подстёпное")

    assert [hit.unit for hit in selectors.search_units("ҚЫЗЫЛОБА").sections[2].hits] == [okrug]
    assert len(selectors.search_units("ПОДСТЕПНОЕ").sections[3].hits) == 1
    assert selectors.search_units("подстёпное").total == 1


def test_the_search_limit_is_per_level_and_reports_more(db) -> None:
    okrug = OkrugFactory.create(short_name_kk="Ауыл округі")
    for _ in range(4):
        SettlementFactory.create(okrug=okrug)

    results = selectors.search_units("ауыл", limit=3)

    sections = {section.level: section for section in results.sections}
    assert len(sections["settlement"].hits) == 3
    assert sections["settlement"].has_more
    assert len(sections["okrug"].hits) == 1
    assert not sections["okrug"].has_more


def test_a_too_short_query_runs_no_search(db, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        results = selectors.search_units(" ә ")

    assert results.too_short
    assert results.sections == []


def test_the_latest_source_is_the_newest_import(db) -> None:
    from kenes.territory.models import TerritorySource

    assert selectors.latest_source() is None
    TerritorySource.objects.create(kind="sample", path="a", label="first", sha256="0" * 64)
    newest = TerritorySource.objects.create(kind="shared", path="b", label="second", sha256="1" * 64)

    assert selectors.latest_source() == newest


def write_boundaries(path: Path, katos: list[str]) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"KATO": kato, "ADM2_KK": f"kk {kato}", "ADM2_RU": f"ru {kato}", "ADM2_EN": "x"},
            "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
        }
        for kato in katos
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def test_the_boundary_file_is_parsed_once_and_reread_when_it_changes(settings, tmp_path: Path) -> None:
    settings.KENES_SHARED_DATA = tmp_path
    path = tmp_path / "geo" / "kz-districts-2024.geojson"
    path.parent.mkdir()
    write_boundaries(path, ["274400000"])
    selectors._boundaries_by_region.cache_clear()

    first = selectors.region_boundaries("270000000")
    selectors.region_boundaries("274400000")
    assert selectors._boundaries_by_region.cache_info().misses == 1

    write_boundaries(path, ["274400000", "273200000"])
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = selectors.region_boundaries("270000000")

    assert first is not None
    assert second is not None
    assert len(json.loads(first)["features"]) == 1
    assert len(json.loads(second)["features"]) == 2
    assert selectors.region_boundaries("100000000") is None


def test_there_are_no_boundaries_without_the_file(settings, tmp_path: Path) -> None:
    settings.KENES_SHARED_DATA = tmp_path

    assert selectors.region_boundaries("270000000") is None
    assert not selectors.has_boundaries("270000000")


def test_the_shared_boundary_file_holds_every_west_kazakhstan_district(settings) -> None:
    if not selectors.boundaries_path().is_file():
        pytest.skip("the shared boundary file is not here")
    west = selectors.region_boundaries("270000000")

    assert west is not None
    codes = {feature["properties"]["KATO"] for feature in json.loads(west)["features"]}
    assert len(codes) == 13
    assert "274400000" in codes
