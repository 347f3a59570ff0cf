from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kenes.territory.models import Okrug, Settlement, TerritorySource
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

pytestmark = pytest.mark.django_db


def speaking(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def en(client: Client) -> Client:
    return speaking(client, "en")


def square(kato: str, name_kk: str, name_ru: str, x: float) -> dict[str, object]:
    ring = [[x, 50.0], [x + 1, 50.0], [x + 1, 51.0], [x, 51.0], [x, 50.0]]
    return {
        "type": "Feature",
        "properties": {"KATO": kato, "ADM2_KK": name_kk, "ADM2_RU": name_ru, "ADM2_EN": name_ru, "Year": 2024},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@pytest.fixture
def geo(settings, tmp_path: Path) -> Path:
    path = tmp_path / "geo" / "kz-districts-2024.geojson"
    path.parent.mkdir()
    features = [
        square("274400000", "Бәйтерек", "Байтерек", 51.0),
        square("273200000", "Ақжайық", "Акжаикский", 52.0),
        square("101000000", "Семей", "Семей", 80.0),
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    settings.KENES_SHARED_DATA = tmp_path
    return path


@pytest.fixture
def no_geo(settings, tmp_path: Path) -> None:
    settings.KENES_SHARED_DATA = tmp_path


@pytest.fixture
def west():
    """West Kazakhstan with Бәйтерек district, one okrug and its villages (real codes)."""
    region = RegionFactory.create(
        kato="270000000",
        name_kk="Батыс Қазақстан облысы",
        name_ru="Западно-Казахстанская область",
        short_name_kk="Батыс Қазақстан",
        short_name_ru="Западно-Казахстанская",
    )
    district = DistrictFactory.create(
        region=region,
        kato="274400000",
        name_kk="Бәйтерек ауданы",
        name_ru="район Бәйтерек",
        short_name_kk="Бәйтерек",
        short_name_ru="Бәйтерек",
    )
    okrug = OkrugFactory.create(
        district=district,
        kato="274430000",
        name_kk="Переметный а.о.",
        name_ru="Переметненский с.о.",
        short_name_kk="Переметный",
        short_name_ru="Переметненский",
    )
    main = SettlementFactory.create(
        okrug=okrug,
        kato="274430100",
        is_main=True,
        name_kk="Переметное а.",
        name_ru="с.Переметное",
        short_name_kk="Переметное",
        short_name_ru="Переметное",
        population=4210,
        population_year=2024,
        population_source="Akimat <script>alert(1)</script>",
    )
    other = SettlementFactory.create(okrug=okrug, kato="274433200")
    return {"region": region, "district": district, "okrug": okrug, "main": main, "other": other}


def unit_url(kato: str) -> str:
    return reverse("territory:unit", args=[kato])


def scripts_and_styles_are_external(html: str) -> bool:
    inline_scripts = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
    return not inline_scripts and "<style" not in html and " style=" not in html


def test_the_url_names_keep_their_contract() -> None:
    assert reverse("territory:country") == "/territory/"
    assert reverse("territory:unit", args=["274400000"]) == "/territory/274400000/"
    assert reverse("territory:search") == "/territory/search/"
    assert reverse("territory:boundaries", args=["270000000"]) == "/territory/270000000/boundaries.geojson"


def test_the_country_page_lists_current_regions_with_district_and_okrug_counts(en: Client, west) -> None:
    DistrictFactory.create(region=west["region"])
    OkrugFactory.create(district=west["district"], retired_at=timezone.now())
    RegionFactory.create(kato="990000000", short_name_kk="Ескі облыс", retired_at=timezone.now())

    response = en.get(reverse("territory:country"))

    assert response.status_code == 200
    regions = list(response.context["regions"])
    assert [region.kato for region in regions] == ["270000000"]
    assert (regions[0].district_count, regions[0].okrug_count) == (2, 1)
    assert "Ескі облыс" not in response.content.decode()
    assert f'href="{unit_url("270000000")}"' in response.content.decode()


def test_the_country_page_names_the_newest_territory_source(en: Client) -> None:
    TerritorySource.objects.create(kind="sample", path="sample.csv", label="Old sample", sha256="0" * 64)
    TerritorySource.objects.create(kind="shared", path="kato.csv", label="KATO <b>11-2025</b>", sha256="1" * 64)

    html = en.get(reverse("territory:country")).content.decode()

    assert "Territory source: KATO &lt;b&gt;11-2025&lt;/b&gt;" in html
    assert "Old sample" not in html


def test_the_country_page_says_when_nothing_is_loaded(en: Client) -> None:
    html = en.get(reverse("territory:country")).content.decode()

    assert "Territory source: Nothing loaded yet" in html


def test_the_country_page_keeps_its_query_budget_however_many_regions(
    client: Client, django_assert_max_num_queries
) -> None:
    for number in range(12):
        region = RegionFactory.create(kato=f"{20 + number}0000000")
        OkrugFactory.create(district=DistrictFactory.create(region=region))

    with django_assert_max_num_queries(4):
        response = client.get(reverse("territory:country"))

    assert len(response.context["regions"]) == 12


def test_the_region_page_lists_its_districts_with_okrug_and_settlement_counts(en: Client, west, no_geo) -> None:
    city = DistrictFactory.create(region=west["region"], kato="271000000", is_city=True, short_name_kk="Орал")
    DistrictFactory.create(region=west["region"], kato="279900000", short_name_kk="Жабылған", retired_at=timezone.now())

    response = en.get(unit_url("270000000"))

    assert response.status_code == 200
    assert response.templates[0].name == "territory/region.html"
    districts = {district.kato: district for district in response.context["districts"]}
    assert list(districts) == [city.kato, "274400000"]
    assert (districts["274400000"].okrug_count, districts["274400000"].settlement_count) == (1, 2)
    html = response.content.decode()
    assert "city administration" in html
    assert "Жабылған" not in html


def test_the_region_page_keeps_its_query_budget_however_many_districts(
    client: Client, west, no_geo, django_assert_max_num_queries
) -> None:
    for _ in range(15):
        SettlementFactory.create(okrug=OkrugFactory.create(district=DistrictFactory.create(region=west["region"])))

    with django_assert_max_num_queries(4):
        response = client.get(unit_url("270000000"))

    assert len(response.context["districts"]) == 16


def test_the_district_page_lists_its_okrugs_with_kind_and_settlement_counts(en: Client, west, no_geo) -> None:
    town = OkrugFactory.create(district=west["district"], kind=Okrug.Kind.SETTLEMENT_ADMINISTRATION)
    SettlementFactory.create(okrug=west["okrug"], retired_at=timezone.now())

    response = en.get(unit_url("274400000"))

    assert response.templates[0].name == "territory/district.html"
    okrugs = {okrug.kato: okrug for okrug in response.context["okrugs"]}
    assert list(okrugs) == sorted(["274430000", str(town.kato)])
    assert okrugs["274430000"].settlement_count == 2
    assert okrugs[town.kato].settlement_count == 0
    html = response.content.decode()
    assert "rural okrug" in html
    assert "settlement administration" in html


def test_the_district_page_lists_settlements_that_sit_outside_any_okrug(en: Client, west, no_geo) -> None:
    SettlementFactory.create(okrug=None, district=west["district"], kato="274400123", short_name_kk="Разъезд")

    html = en.get(unit_url("274400000")).content.decode()

    assert "Settlements outside okrugs" in html
    assert "Разъезд" in html


def test_the_district_page_keeps_its_query_budget_however_many_okrugs(
    client: Client, west, geo, django_assert_max_num_queries
) -> None:
    for _ in range(20):
        SettlementFactory.create(okrug=OkrugFactory.create(district=west["district"]))

    with django_assert_max_num_queries(5):
        response = client.get(unit_url("274400000"))

    assert len(response.context["okrugs"]) == 21


def test_the_okrug_page_marks_the_main_settlement_and_rural_or_urban(en: Client, west) -> None:
    SettlementFactory.create(okrug=west["okrug"], area=Settlement.Area.URBAN, short_name_kk="Кент")

    response = en.get(unit_url("274430000"))

    assert response.templates[0].name == "territory/okrug.html"
    html = response.content.decode()
    assert response.context["settlements"][0].kato == "274430100"
    assert html.count("main settlement") == 1
    assert "rural okrug" in html
    assert "urban" in html
    assert "rural" in html


def test_the_okrug_page_keeps_its_query_budget_however_many_settlements(
    client: Client, west, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        SettlementFactory.create(okrug=west["okrug"])

    with django_assert_max_num_queries(4):
        response = client.get(unit_url("274430000"))

    assert len(response.context["settlements"]) == 32


def test_the_settlement_page_shows_population_with_its_year_and_source(en: Client, west) -> None:
    response = en.get(unit_url("274430100"))

    assert response.templates[0].name == "territory/settlement.html"
    html = response.content.decode()
    assert "4,210" in html
    assert "in 2024" in html
    assert "source: Akimat &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Main settlement (KATO code ending in 00)" in html
    assert ">Yes<" in html


def test_the_settlement_page_says_when_the_population_is_not_known(en: Client, west) -> None:
    html = en.get(unit_url("274433200")).content.decode()

    assert "Not known" in html
    assert ">No<" in html


def test_every_page_has_breadcrumbs_up_to_kazakhstan(en: Client, west) -> None:
    html = en.get(unit_url("274430100")).content.decode()

    nav = re.search(r'<nav aria-label="Breadcrumb" class="breadcrumbs">(.*?)</nav>', html, re.S)
    assert nav is not None
    crumbs = nav.group(1)
    for href in [reverse("territory:country"), unit_url("270000000"), unit_url("274400000"), unit_url("274430000")]:
        assert f'href="{href}"' in crumbs
    assert '<span aria-current="page">Переметное</span>' in crumbs


def test_the_country_page_breadcrumb_marks_kazakhstan_as_current(en: Client) -> None:
    html = en.get(reverse("territory:country")).content.decode()

    assert '<span aria-current="page">Kazakhstan</span>' in html


def test_a_retired_unit_stays_reachable_and_says_it_is_retired(en: Client, west) -> None:
    Okrug.objects.filter(kato="274430000").update(retired_at=timezone.now())

    okrug_page = en.get(unit_url("274430000"))
    district_page = en.get(unit_url("274400000"))

    assert okrug_page.status_code == 200
    assert "This unit is retired" in okrug_page.content.decode()
    assert list(district_page.context["okrugs"]) == []


def test_an_unknown_code_is_not_found(client: Client, west) -> None:
    assert client.get(unit_url("274499000")).status_code == 404
    assert client.get(unit_url("123456789")).status_code == 404
    assert client.get("/territory/27440000/").status_code == 404


def test_names_follow_the_active_language(client: Client, west) -> None:
    kazakh = speaking(client, "kk").get(unit_url("270000000")).content.decode()
    english = speaking(client, "en").get(unit_url("270000000")).content.decode()
    russian = speaking(client, "ru").get(unit_url("270000000")).content.decode()

    assert "<h1>Батыс Қазақстан облысы</h1>" in kazakh
    assert "<h1>Батыс Қазақстан облысы</h1>" in english
    assert "<h1>Западно-Казахстанская область</h1>" in russian
    assert ">Переметненский<" in speaking(client, "ru").get(unit_url("274400000")).content.decode()


def test_names_are_escaped_on_every_page(en: Client, west) -> None:
    DistrictFactory.create(region=west["region"])
    for url in [unit_url("270000000"), unit_url("274430000"), unit_url("274433200")]:
        html = en.get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html
        assert scripts_and_styles_are_external(html)


def test_the_region_and_district_pages_show_the_map_with_its_attribution(en: Client, west, geo) -> None:
    region_html = en.get(unit_url("270000000")).content.decode()
    district_html = en.get(unit_url("274400000")).content.decode()

    boundaries = reverse("territory:boundaries", args=["270000000"])
    assert f'<div id="map" class="map" data-geojson-url="{boundaries}" data-highlight="270000000"' in region_html
    assert f'<div id="map" class="map" data-geojson-url="{boundaries}" data-highlight="274400000"' in district_html
    for html in (region_html, district_html):
        assert "Boundaries: geokz (A. Rodionov), CC BY 4.0" in html
        assert re.search(r'<script src="[^"]*vendor/leaflet/leaflet\.js" defer></script>', html)
        assert re.search(r'<script src="[^"]*js/map\.js" defer></script>', html)
        assert "vendor/leaflet/leaflet.css" in html
        assert scripts_and_styles_are_external(html)


def test_the_map_is_left_out_when_the_boundary_file_is_absent(en: Client, west, no_geo) -> None:
    response = en.get(unit_url("274400000"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="map"' not in html
    assert "leaflet" not in html
    assert "Переметный" in html


def test_pages_without_a_map_do_not_load_leaflet(en: Client, west, geo) -> None:
    for url in [reverse("territory:country"), unit_url("274430000"), unit_url("274430100")]:
        html = en.get(url).content.decode()
        assert "leaflet" not in html
        assert "map.js" not in html


def test_a_search_box_sits_on_the_country_region_and_district_pages(en: Client, west, no_geo) -> None:
    search = reverse("territory:search")
    for url in [reverse("territory:country"), unit_url("270000000"), unit_url("274400000")]:
        html = en.get(url).content.decode()
        assert f'<form method="get" action="{search}" class="search-form territory-search" role="search">' in html
        assert '<label for="territory-q">' in html
        assert 'name="q"' in html


def test_the_vendored_leaflet_and_htmx_files_are_present() -> None:
    static = settings.BASE_DIR / "kenes" / "static"
    for name in ["leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/images/layers.png", "htmx/htmx.min.js"]:
        assert (static / "vendor" / name).is_file(), name
    assert (static / "vendor" / "leaflet" / "VERSION").read_text().strip() == "leaflet 1.9.4"
    assert (static / "vendor" / "htmx" / "VERSION").read_text().startswith("htmx.org 2.")


# --- Search ---------------------------------------------------------------------------------------


def found(client: Client, query: str) -> list[str]:
    response = client.get(reverse("territory:search"), {"q": query})
    assert response.status_code == 200
    return [hit.unit.kato for section in response.context["results"].sections for hit in section.hits]


def test_a_lower_case_kazakh_query_finds_what_an_upper_case_one_finds(client: Client, west) -> None:
    lower = found(client, "бәйтерек")
    upper = found(client, "БӘЙТЕРЕК")

    assert lower == upper == ["274400000"]


def test_the_search_reads_yo_and_ye_as_the_same_letter(client: Client, west) -> None:
    SettlementFactory.create(okrug=west["okrug"], name_ru="с.Берёзовка", short_name_ru="Берёзовка", kato="274433300")

    assert found(client, "березовка") == ["274433300"]
    assert found(client, "БЕРЁЗОВКА") == ["274433300"]


def test_a_russian_query_finds_units_by_their_russian_name(client: Client, west) -> None:
    assert found(client, "Переметненский") == ["274430000"]
    assert found(client, "западно-казахстанская") == ["270000000"]


def test_the_search_covers_every_level_and_shows_each_result_path(en: Client, west) -> None:
    response = en.get(reverse("territory:search"), {"q": "перемет"})

    assert found(en, "перемет") == ["274430000", "274430100"]
    html = response.content.decode()
    assert f'href="{unit_url("274430100")}"' in html
    assert "Батыс Қазақстан › Бәйтерек › Переметный" in html
    assert "Батыс Қазақстан › Бәйтерек</span>" in html


def test_the_search_leaves_out_retired_units(client: Client, west) -> None:
    Settlement.objects.filter(kato="274430100").update(retired_at=timezone.now())

    assert found(client, "переметное") == []


@pytest.mark.parametrize("query", ["", " ", "б"])
def test_an_empty_or_one_letter_query_shows_a_hint(en: Client, west, query: str) -> None:
    response = en.get(reverse("territory:search"), {"q": query})

    assert response.context["results"].too_short
    assert "Type at least two letters of a name" in response.content.decode()


def test_a_query_that_finds_nothing_says_so_escaped(en: Client, west) -> None:
    html = en.get(reverse("territory:search"), {"q": "<script>zzz"}).content.decode()

    assert "Nothing is found for" in html
    assert "&lt;script&gt;zzz" in html
    assert "<script>zzz" not in html


def test_the_search_shows_at_most_fifty_results_per_level_with_a_note(
    en: Client, west, django_assert_max_num_queries
) -> None:
    for number in range(52):
        SettlementFactory.create(okrug=west["okrug"], kato=f"274430{101 + number}")

    with django_assert_max_num_queries(5):
        response = en.get(reverse("territory:search"), {"q": "ауыл"})

    settlements = response.context["results"].sections[3]
    assert len(settlements.hits) == 50
    assert settlements.has_more
    assert "Only the first 50 are shown" in response.content.decode()


# --- Boundaries -----------------------------------------------------------------------------------


def test_the_boundaries_hold_the_district_polygons_of_the_region_with_codes_and_names_only(
    client: Client, west, geo
) -> None:
    response = client.get(reverse("territory:boundaries", args=["270000000"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Cache-Control"] == "public, max-age=86400"
    collection = json.loads(response.content)
    assert [feature["properties"]["KATO"] for feature in collection["features"]] == ["274400000", "273200000"]
    assert collection["features"][0]["properties"] == {
        "KATO": "274400000",
        "ADM2_KK": "Бәйтерек",
        "ADM2_RU": "Байтерек",
    }
    assert collection["features"][0]["geometry"]["type"] == "Polygon"


def test_a_district_code_gives_the_boundaries_of_its_whole_region(client: Client, west, geo) -> None:
    by_region = client.get(reverse("territory:boundaries", args=["270000000"]))
    by_district = client.get(reverse("territory:boundaries", args=["274400000"]))

    assert by_district.content == by_region.content


def test_the_boundaries_of_an_unknown_code_are_not_found(client: Client, west, geo) -> None:
    assert client.get(reverse("territory:boundaries", args=["280000000"])).status_code == 404


def test_the_boundaries_are_not_found_when_the_file_is_absent(client: Client, west, no_geo) -> None:
    assert client.get(reverse("territory:boundaries", args=["270000000"])).status_code == 404
