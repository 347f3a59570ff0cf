"""The public dashboards through the HTTP client: every page in Kazakh, Russian and English (indicator,
district and village names carry `<script>`, so each page read is an escaping test), 404 for unknown
codes, query budgets that do not grow with the number of okrugs or districts, the demo label, the
CSV, XLSX, SVG and PNG downloads, the map's shading and table, and the okrug profile's council and
villages."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook
from PIL import Image

from kenes.core.tests.pages import assert_escaped, page, speaking
from kenes.councils.tests.factories import CouncilFactory
from kenes.indicators.dashboards import NO_FIGURE
from kenes.indicators.models import Indicator, IndicatorValue, PerspectiveVillage
from kenes.indicators.tests.factories import (
    IndicatorValueFactory,
    PerspectiveVillageFactory,
    catalogue_indicator,
    yearly_value,
)
from kenes.meetings.models import Meeting
from kenes.meetings.tests.factories import MeetingFactory
from kenes.territory.models import District, Okrug, Region, Settlement
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["kk", "ru", "en"]
YEARS = (2022, 2023, 2024)
CODES = ("population", "births", "piped_water")
PERSPECTIVE = PerspectiveVillage.Status.PERSPECTIVE
OTHER = PerspectiveVillage.Status.NOT_PERSPECTIVE
SVG = "{http://www.w3.org/2000/svg}"

# Query budgets, pinned at what the pages run (the same for twice as many okrugs, districts and
# villages). The okrug profile: okrug, catalogue, values, villages, the council's scorecard (4), the
# programme dashboard (4), the council, its next sitting and its sittings held (3), the site's demo
# flag. The overviews: the unit, its okrugs or districts, the table (columns, years, values), the
# series (catalogue, values; a region reads its districts again), the perspective share, the
# catalogue for the picker, the demo flag. The map: region, indicator, districts, population, values,
# the catalogue for the picker, the demo flag (perspective villages: region, shares, districts,
# catalogue, demo flag).
OKRUG_PROFILE_QUERIES = 16
DISTRICT_OVERVIEW_QUERIES = 10
REGION_OVERVIEW_QUERIES = 11
MAP_QUERIES = 7
PERSPECTIVE_MAP_QUERIES = 5


@pytest.fixture(autouse=True)
def _no_boundaries(settings: Any, tmp_path: Path) -> None:
    """No boundary file unless a test writes one: the pages must not depend on the machine's data."""
    settings.KENES_SHARED_DATA = tmp_path


@dataclass
class World:
    """A region of `districts` districts, each of `okrugs` okrugs, each of `villages` villages (the
    first its main one, a perspective village; the others not on the list; the last without a
    status), with population, births and piped water for every district and okrug in 2022–2024.
    Okrug o of district d has 100 × (d + 1) + 10 × o + (year − 2022) people, 2 + o births and 70 %
    piped water; the district has the sums of people and births, and 60.5 % piped water."""

    region: Region
    districts: list[District]
    okrugs: list[Okrug]  # of the first district
    villages: list[Settlement]  # of the first okrug

    @property
    def district(self) -> District:
        return self.districts[0]

    @property
    def okrug(self) -> Okrug:
        return self.okrugs[0]


def build_world(*, districts: int = 2, okrugs: int = 2, villages: int = 3, demo: bool = False) -> World:
    population, births, water = (catalogue_indicator(code) for code in CODES)
    region = RegionFactory.create()
    values: list[IndicatorValue] = []
    statuses: list[PerspectiveVillage] = []

    def figures(unit: District | Okrug, people: int, growth: int, born: int, piped: str) -> None:
        """`people` in 2022, `growth` more each year; built in memory and written at once (quicker)."""
        for year in YEARS:
            rows: list[tuple[Indicator, int | str]] = [
                (population, people + growth * (year - 2022)),
                (births, born),
                (water, piped),
            ]
            for indicator, value in rows:
                place = {"district": unit} if isinstance(unit, District) else {"okrug": unit}
                values.append(
                    IndicatorValueFactory.build(
                        indicator=indicator,
                        settlement=None,
                        **place,
                        period_start=datetime.date(year, 1, 1),
                        value=Decimal(value),
                        is_demo=demo,
                    )
                )

    made: list[District] = []
    first_okrugs: list[Okrug] = []
    first_villages: list[Settlement] = []
    for d in range(districts):
        district = DistrictFactory.create(region=region)
        made.append(district)
        # The district's own figures: its okrugs' people and births added up; its own water share.
        people = sum(100 * (d + 1) + 10 * o for o in range(okrugs))
        figures(district, people, okrugs, sum(2 + o for o in range(okrugs)), "60.5")
        for o in range(okrugs):
            okrug = OkrugFactory.create(district=district)
            if d == 0:
                first_okrugs.append(okrug)
            figures(okrug, 100 * (d + 1) + 10 * o, 1, 2 + o, "70.0")
            for v in range(villages):
                settlement = SettlementFactory.create(
                    okrug=okrug, is_main=v == 0, population=50 + v, population_year=2024
                )
                if v < villages - 1:
                    statuses.append(
                        PerspectiveVillageFactory.build(settlement=settlement, status=PERSPECTIVE if v == 0 else OTHER)
                    )
                if d == 0 and o == 0:
                    first_villages.append(settlement)
    IndicatorValue.objects.bulk_create(values)
    PerspectiveVillage.objects.bulk_create(statuses)
    return World(region=region, districts=made, okrugs=first_okrugs, villages=first_villages)


@pytest.fixture
def world() -> World:
    return build_world()


def okrug_url(world: World) -> str:
    return reverse("indicators:okrug", args=[world.okrug.kato])


def district_url(world: World) -> str:
    return reverse("indicators:district", args=[world.district.kato])


def region_url(world: World) -> str:
    return reverse("indicators:region", args=[world.region.kato])


def map_url(world: World) -> str:
    return reverse("indicators:map", args=[world.region.kato])


PAGES = {"okrug": okrug_url, "district": district_url, "region": region_url, "map": map_url}


def get(client: Client, url: str, language: str = "en", **query: Any) -> Any:
    return speaking(client, language).get(url, query)


# Every page, every language ------------------------------------------------------------------------


# Every page in every language; the other choices of a page (year, indicator, totals) in one language
# each, turn about, to keep the suite quick.
@pytest.mark.parametrize(
    ("language", "name", "query"),
    [
        *[(language, name, {}) for language in LANGUAGES for name in ("okrug", "district", "region", "map")],
        ("ru", "district", {"year": "2023", "code": "births"}),
        ("en", "region", {"year": "2022", "code": "piped_water"}),
        ("kk", "map", {"code": "births", "per": "1000"}),
        ("ru", "map", {"code": "births", "per": "total", "year": "2023"}),
        ("en", "map", {"code": "perspective_share"}),
    ],
)
def test_every_dashboard_answers_in_every_language_with_names_escaped(
    client: Client, world: World, language: str, name: str, query: dict[str, str]
) -> None:
    html = page(get(client, PAGES[name](world), language, **query))

    assert f'lang="{language}"' in html
    assert "&lt;script&gt;alert(" in html  # a name from the factories is there, escaped
    assert_escaped(html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_okrug_profile_shows_the_indicator_names_of_the_readers_language(
    client: Client, world: World, language: str
) -> None:
    html = page(get(client, okrug_url(world), language))

    population = Indicator.objects.get(code="population")
    names = {"kk": population.name_kk, "ru": population.name_ru, "en": population.name_en}
    assert escape(names[language]) in html
    assert all(escape(name) not in html for other, name in names.items() if other != language)


@pytest.mark.parametrize(
    "url",
    [
        reverse("indicators:okrug", args=["999999999"]),
        reverse("indicators:district", args=["999999999"]),
        reverse("indicators:region", args=["999999999"]),
        reverse("indicators:map", args=["999999999"]),
        reverse("indicators:unit_chart", args=["999999999", "population", "svg"]),
        reverse("indicators:overview_chart", args=["999999999", "population", "png"]),
    ],
)
def test_an_unknown_kato_code_is_not_found(client: Client, world: World, url: str) -> None:
    assert client.get(url).status_code == 404


def test_a_code_of_another_level_is_not_found(client: Client, world: World) -> None:
    assert client.get(reverse("indicators:okrug", args=[world.district.kato])).status_code == 404
    assert client.get(reverse("indicators:district", args=[world.okrug.kato])).status_code == 404
    assert client.get(reverse("indicators:region", args=[world.district.kato])).status_code == 404
    assert client.get(reverse("indicators:map", args=[world.district.kato])).status_code == 404
    assert client.get(reverse("indicators:overview_chart", args=[world.okrug.kato, "births", "svg"])).status_code == 404


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_an_unknown_indicator_code_in_a_chart_address_is_not_found(client: Client, world: World, kind: str) -> None:
    for route, kato in [
        ("indicators:unit_chart", world.okrug.kato),
        ("indicators:unit_chart", world.region.kato),
        ("indicators:overview_chart", world.district.kato),
        ("indicators:overview_chart", world.region.kato),
    ]:
        assert client.get(reverse(route, args=[kato, "no_such_indicator", kind])).status_code == 404, route


def test_the_map_of_an_unknown_indicator_is_not_found(client: Client, world: World) -> None:
    assert client.get(map_url(world), {"code": "no_such_indicator"}).status_code == 404


# Query budgets -------------------------------------------------------------------------------------


def queries_for(client: Client, url: str, **query: Any) -> int:
    with CaptureQueriesContext(connection) as context:
        page(get(client, url, **query))
    return len(context)


@pytest.mark.parametrize(
    ("name", "budget", "query"),
    [
        ("okrug", OKRUG_PROFILE_QUERIES, {}),
        ("district", DISTRICT_OVERVIEW_QUERIES, {}),
        ("region", REGION_OVERVIEW_QUERIES, {}),
        ("map", MAP_QUERIES, {"code": "births"}),
        ("map", PERSPECTIVE_MAP_QUERIES, {"code": "perspective_share"}),
    ],
)
def test_a_dashboards_queries_do_not_grow_with_twice_the_okrugs_districts_and_villages(
    client: Client, django_assert_max_num_queries: Any, name: str, budget: int, query: dict[str, str]
) -> None:
    small = build_world(districts=2, okrugs=2, villages=2)
    large = build_world(districts=4, okrugs=4, villages=4)
    CouncilFactory.create(okrug=small.okrug)
    CouncilFactory.create(okrug=large.okrug)

    measured = queries_for(client, PAGES[name](small), **query)
    with django_assert_max_num_queries(budget):
        page(get(client, PAGES[name](large), **query))

    assert queries_for(client, PAGES[name](large), **query) == measured


# The demo label ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["okrug", "district", "region", "map"])
def test_real_figures_carry_no_demo_label(client: Client, world: World, name: str) -> None:
    html = page(get(client, PAGES[name](world)))

    assert "DEMO DATA" not in html


@pytest.mark.parametrize("name", ["okrug", "district", "region", "map"])
def test_demo_figures_carry_the_demo_label(client: Client, name: str) -> None:
    world = build_world(demo=True)

    html = page(get(client, PAGES[name](world)))

    assert "DEMO DATA" in html
    assert 'class="demo-note"' in html


def test_one_demo_figure_of_the_okrug_labels_its_profile(client: Client, world: World) -> None:
    yearly_value(world.okrug, catalogue_indicator("open_vacancies"), 2024, 3, is_demo=True)

    assert "DEMO DATA" in page(get(client, okrug_url(world)))
    assert "DEMO DATA" not in page(get(client, reverse("indicators:okrug", args=[world.okrugs[1].kato])))


def test_a_demo_figure_of_an_okrug_labels_the_district_overview_only_in_its_year(client: Client, world: World) -> None:
    yearly_value(world.okrug, catalogue_indicator("employed"), 2023, 40, is_demo=True)

    assert "DEMO DATA" not in page(get(client, district_url(world)))  # 2024 is shown
    assert "DEMO DATA" in page(get(client, district_url(world), year="2023"))


def test_a_demo_figure_the_region_overview_does_not_show_carries_no_label(client: Client, world: World) -> None:
    # Deaths are neither a column of the table nor one of the region's charts.
    yearly_value(world.district, catalogue_indicator("deaths"), 2024, 4, is_demo=True)

    assert "DEMO DATA" not in page(get(client, region_url(world)))


def test_a_demo_figure_of_another_year_does_not_label_the_map(client: Client, world: World) -> None:
    deaths = catalogue_indicator("deaths")
    for district in world.districts:
        yearly_value(district, deaths, 2023, 5, is_demo=True)
        yearly_value(district, deaths, 2024, 6)

    html = page(get(client, map_url(world), code="deaths", year="2024", per="total"))

    assert "DEMO DATA" not in html


@pytest.mark.parametrize("name", ["district", "region"])
def test_a_perspective_share_from_demo_statuses_labels_the_overview(client: Client, world: World, name: str) -> None:
    PerspectiveVillage.objects.update(is_demo=True)

    html = page(get(client, PAGES[name](world)))

    assert "lives in perspective villages" in html
    assert "DEMO DATA" in html


def test_the_map_of_perspective_villages_is_labelled_when_a_status_is_demo(client: Client, world: World) -> None:
    assert "DEMO DATA" not in page(get(client, map_url(world), code="perspective_share"))

    PerspectiveVillage.objects.filter(settlement=world.villages[0]).update(is_demo=True)

    assert "DEMO DATA" in page(get(client, map_url(world), code="perspective_share"))


# Table downloads -----------------------------------------------------------------------------------


def csv_rows(response: Any) -> tuple[bytes, list[list[str]]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    content = response.content
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_district_overview_downloads_as_csv_with_a_bom_a_header_and_formulas_as_text(
    client: Client, world: World
) -> None:
    Okrug.objects.filter(pk=world.okrug.pk).update(name_kk='=HYPERLINK("http://example.com") <script>')
    Indicator.objects.filter(code="population").update(name_en="+Population")

    content, rows = csv_rows(get(client, district_url(world), format="csv", year="2023"))

    assert content.startswith(b"\xef\xbb\xbf")
    header = next(row for row in rows if row and row[0] == "Territory")
    assert header[:3] == ["Territory", "KATO code", "'+Population (people)"]
    by_kato = {row[1]: row for row in rows if len(row) > 1}
    # Okrug 0 of district 0 in 2023: 100 + 0 + 1 = 101 people; water 70 %.
    assert by_kato[world.okrug.kato][0] == '\'=HYPERLINK("http://example.com") <script>'
    assert by_kato[world.okrug.kato][2] == "101"
    assert by_kato[world.okrugs[1].kato][2] == "111"  # 100 + 10 + 1
    assert "70" in by_kato[world.okrug.kato]
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_the_okrug_profile_downloads_every_year_as_csv(client: Client, world: World) -> None:
    _content, rows = csv_rows(get(client, okrug_url(world), format="csv"))

    header = next(row for row in rows if row and row[0] == "Indicator")
    assert header[3:6] == ["2022", "2023", "2024"]
    population = next(row for row in rows if len(row) > 1 and row[1] == "population")
    assert population[3:6] == ["100", "101", "102"]


def test_the_map_downloads_its_values_as_csv(client: Client, world: World) -> None:
    _content, rows = csv_rows(get(client, map_url(world), format="csv", code="births", per="total"))

    by_kato = {row[1]: row for row in rows if len(row) > 1}
    # District 0: births 2 + 3 = 5; district 1 the same.
    assert by_kato[world.districts[0].kato][2] == "5"
    assert set(by_kato) >= {district.kato for district in world.districts}


def test_the_region_overview_downloads_as_xlsx_with_numbers_as_numbers(client: Client, world: World) -> None:
    response = get(client, region_url(world), format="xlsx", year="2024")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    by_kato = {row[1]: row for row in rows if len(row) > 1 and isinstance(row[1], str)}
    # District 1 in 2024: okrugs (200 + 0 + 2) + (200 + 10 + 2) = 414 people.
    cell = by_kato[world.districts[1].kato][2]
    assert cell == 414
    assert isinstance(cell, int)
    assert by_kato[world.districts[1].kato][6] == pytest.approx(60.5)  # piped water, the fifth key column


# Chart downloads -----------------------------------------------------------------------------------


def parse_svg(content: bytes) -> ET.Element:
    # Our own output; defusedxml is not installed, and the standard parser is what the brief asks.
    return ET.fromstring(content)  # noqa: S314


@pytest.mark.parametrize(
    ("language", "route", "unit", "query"),
    [
        *[(language, "indicators:unit_chart", "okrug", {}) for language in LANGUAGES],
        *[(language, "indicators:overview_chart", "region", {}) for language in LANGUAGES],
        ("kk", "indicators:unit_chart", "district", {}),
        ("ru", "indicators:unit_chart", "region", {}),
        ("en", "indicators:unit_chart", "village", {}),
        ("kk", "indicators:overview_chart", "district", {"year": "2023"}),
    ],
)
def test_a_chart_downloads_as_svg_that_parses_with_its_title_escaped(
    client: Client, world: World, language: str, route: str, unit: str, query: dict[str, str]
) -> None:
    kato = {
        "okrug": world.okrug.kato,
        "district": world.district.kato,
        "region": world.region.kato,
        "village": world.villages[0].kato,
    }[unit]

    response = get(client, reverse(route, args=[kato, "population", "svg"]), language, **query)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = parse_svg(response.content)
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter(f"{SVG}script"))
    assert not list(root.iter("script"))
    title = root.find(f"{SVG}title")
    assert title is not None
    assert "<script>alert(" in (title.text or "")  # the name is there, as text
    assert b"<script>" not in response.content


@pytest.mark.parametrize(
    ("route", "kato_of"),
    [
        ("indicators:unit_chart", lambda world: world.okrug.kato),
        ("indicators:unit_chart", lambda world: world.region.kato),
        ("indicators:overview_chart", lambda world: world.district.kato),
        ("indicators:overview_chart", lambda world: world.region.kato),
    ],
)
def test_a_chart_downloads_as_a_png_pillow_opens(client: Client, world: World, route: str, kato_of: Any) -> None:
    response = client.get(reverse(route, args=[kato_of(world), "births", "png"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.verify()
    assert image.format == "PNG"
    assert image.size[0] > 100


# The map -------------------------------------------------------------------------------------------


@pytest.fixture
def boundaries(settings: Any, tmp_path: Path, world: World) -> None:
    """A boundary file with a square for each district of the world's region."""
    features = [
        {
            "type": "Feature",
            "properties": {"KATO": district.kato, "ADM2_KK": district.name_kk, "ADM2_RU": district.name_ru},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[50 + n, 50.0], [51 + n, 50.0], [51 + n, 51.0], [50 + n, 51.0], [50 + n, 50.0]]],
            },
        }
        for n, district in enumerate(world.districts)
    ]
    path = tmp_path / "geo" / "kz-districts-2024.geojson"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    settings.KENES_SHARED_DATA = tmp_path


def shading_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="map-shading" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None, "no shading block"
    shading: dict[str, Any] = json.loads(found.group(1))
    return shading


def table_value(html: str, kato: str) -> str:
    found = re.search(rf'<td class="num" data-kato="{kato}">(.*?)</td>', html, re.S)
    assert found is not None, kato
    return found.group(1)


def test_the_maps_shading_lists_every_district_with_its_fill_and_the_table_its_value(
    client: Client, world: World, boundaries: None
) -> None:
    population, births = Indicator.objects.get(code="population"), Indicator.objects.get(code="births")
    # A third district with births but no population: no rate, grey.
    unknown = DistrictFactory.create(region=world.region)
    yearly_value(unknown, births, 2024, 9)
    # District 0 in 2024: 2 + 3 = 5 births, 102 + 112 = 214 people → 5 × 1,000 / 214 = 23.36… → 23.4;
    # district 1: 5 births, 202 + 212 = 414 people → 12.07… → 12.1.
    yearly_value(world.districts[0], population, 2021, 1)  # another year changes nothing

    html = page(get(client, map_url(world), code="births", per="1000"))

    shading = shading_of(html)
    assert set(shading) == {world.districts[0].kato, world.districts[1].kato, unknown.kato}
    assert shading[world.districts[0].kato] == {"fill": "#253494", "text": "23.4"}  # higher rate, darker
    assert shading[world.districts[1].kato] == {"fill": "#ffffcc", "text": "12.1"}
    assert shading[unknown.kato] == {"fill": NO_FIGURE, "text": "—"}
    assert table_value(html, world.districts[0].kato) == "23.4"
    assert table_value(html, world.districts[1].kato) == "12.1"
    assert "—" in table_value(html, unknown.kato)
    assert 'id="choropleth"' in html


def test_the_map_in_totals_shows_each_districts_count(client: Client, world: World, boundaries: None) -> None:
    html = page(get(client, map_url(world), code="population", per="total", year="2022"))

    shading = shading_of(html)
    # 2022: district 0 = 100 + 110 = 210 people, district 1 = 200 + 210 = 410.
    assert shading[world.districts[0].kato]["text"] == "210"
    assert table_value(html, world.districts[0].kato) == "210"
    assert table_value(html, world.districts[1].kato) == "410"


def test_the_map_of_perspective_villages_shades_each_districts_share(
    client: Client, world: World, boundaries: None
) -> None:
    html = page(get(client, map_url(world), code="perspective_share"))

    # Each okrug: the main village (50 people) is perspective, the others (51, 52) are not:
    # 2 okrugs × 50 / 2 okrugs × (50 + 51 + 52) = 100 / 306 = 32.68 % → 32.7.
    shading = shading_of(html)
    assert set(shading) == {district.kato for district in world.districts}
    assert {entry["text"] for entry in shading.values()} == {"32.7"}
    assert table_value(html, world.district.kato) == "32.7"


def test_without_a_boundary_file_the_map_is_a_table(client: Client, world: World) -> None:
    html = page(get(client, map_url(world), code="births"))

    assert 'id="map-shading"' not in html
    assert 'id="choropleth"' not in html
    for district in world.districts:
        assert f'data-kato="{district.kato}"' in html


# The okrug profile ---------------------------------------------------------------------------------


def test_the_okrug_profile_shows_its_councils_scorecard(client: Client, world: World) -> None:
    CouncilFactory.create(okrug=world.okrug)

    html = page(get(client, okrug_url(world)))

    assert 'data-figure="proposals">0<' in html
    assert "Proposals submitted" in html
    assert reverse("councils:detail", args=[world.okrug.kato]) in html
    assert reverse("accountability:okrug_scorecard", args=[world.okrug.kato]) in html
    assert "has no self-government council" not in html


def test_the_okrug_profile_says_when_the_okrug_has_no_council(client: Client, world: World) -> None:
    html = page(get(client, okrug_url(world)))

    assert "This okrug has no self-government council on Kenes yet." in html
    assert "Proposals submitted" not in html
    assert reverse("councils:detail", args=[world.okrug.kato]) not in html


def village_rows(html: str) -> dict[str, str]:
    section = html.split('id="villages"', 1)[1].split("</section>", 1)[0]
    rows = {}
    for row in section.split("<tr>")[1:]:
        found = re.search(r'href="/territory/[^"]*?(\d{9})/?"', row)
        if found:
            rows[found.group(1)] = row
    return rows


def test_the_okrug_profile_lists_its_villages_with_their_perspective_status(client: Client, world: World) -> None:
    main, other, unlisted = world.villages
    PerspectiveVillage.objects.filter(settlement=other).update(is_demo=True)
    elsewhere = world.okrugs[1].settlements.first()
    assert elsewhere is not None

    html = page(get(client, okrug_url(world)))

    rows = village_rows(html)
    assert set(rows) == {main.kato, other.kato, unlisted.kato}  # not the neighbouring okrug's
    assert "Perspective village" in rows[main.kato]
    assert "Not on the perspective list" in rows[other.kato]
    assert "No status loaded" in rows[unlisted.kato]
    assert "badge-demo" in rows[other.kato]
    assert "badge-demo" not in rows[main.kato]
    assert "1 of them is a perspective village" in html
    assert elsewhere.kato not in rows


def test_the_okrug_profile_of_an_okrug_without_villages_or_figures_says_so(client: Client) -> None:
    okrug = OkrugFactory.create()

    html = page(get(client, reverse("indicators:okrug", args=[okrug.kato])))

    assert "No indicator figures are loaded for this okrug yet." in html
    assert "No rural settlement of this okrug is loaded." in html
    assert_escaped(html)


def test_the_okrug_profile_shows_the_councils_sittings_held_and_the_next_one(client):
    okrug = OkrugFactory.create()
    council = CouncilFactory.create(okrug=okrug)
    now = timezone.now()
    MeetingFactory.create(council=council, status=Meeting.Status.CLOSED, starts_at=now - datetime.timedelta(days=30))
    MeetingFactory.create(council=council, status=Meeting.Status.CLOSED, starts_at=now - datetime.timedelta(days=60))
    upcoming = MeetingFactory.create(
        council=council, status=Meeting.Status.PUBLISHED, starts_at=now + datetime.timedelta(days=9)
    )

    html = page(speaking(client, "en").get(f"/indicators/okrug/{okrug.kato}/"))

    assert 'data-figure="sittings">2<' in html
    assert f'href="/sittings/{upcoming.pk}/"' in html
