"""The choropleth joins the boundary file to the classifier by KATO code: every West Kazakhstan
district polygon in ../shared/data/geo must find its district, and every district its polygon, or a
district would be drawn without its colour (or a colour would have nowhere to go)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from kenes.core.tests.pages import page, speaking
from kenes.indicators.dashboards import NO_FIGURE, PALETTE
from kenes.indicators.tests.factories import catalogue_indicator, yearly_value
from kenes.territory.models import District
from kenes.territory.selectors import region_boundaries
from kenes.territory.services import import_kato

pytestmark = pytest.mark.django_db

SHARED = Path(settings.KENES_SHARED_DATA)
KATO_FILE = SHARED / "kato" / "kato.csv"
GEO_FILE = SHARED / "geo" / "kz-districts-2024.geojson"
WEST_KAZAKHSTAN = "270000000"

needs_shared = pytest.mark.skipif(
    not (KATO_FILE.is_file() and GEO_FILE.is_file()), reason=f"the shared classifier and boundaries are not in {SHARED}"
)


@pytest.fixture
def west_kazakhstan() -> list[str]:
    """The oblast imported from the national classifier; the KATO codes of its district polygons."""
    import_kato(path=KATO_FILE, region="27")
    collection = json.loads(region_boundaries(WEST_KAZAKHSTAN) or b"{}")
    return [str(feature["properties"]["KATO"]) for feature in collection.get("features", [])]


@needs_shared
def test_every_west_kazakhstan_district_polygon_joins_a_district_by_kato(west_kazakhstan):
    districts = set(
        District.objects.filter(region__kato=WEST_KAZAKHSTAN, retired_at__isnull=True).values_list("kato", flat=True)
    )

    assert len(west_kazakhstan) == 13  # 12 districts and Oral city administration
    assert len(set(west_kazakhstan)) == len(west_kazakhstan)
    unjoined = [kato for kato in west_kazakhstan if kato not in districts]
    assert unjoined == []
    without_polygon = sorted(set(districts) - set(west_kazakhstan))
    assert without_polygon == []


@needs_shared
def test_the_map_page_shades_every_polygon_of_the_oblast(client, west_kazakhstan):
    population = catalogue_indicator("population")
    for index, district in enumerate(District.objects.filter(region__kato=WEST_KAZAKHSTAN).order_by("kato")):
        if index:  # the first district has no figure: it is drawn grey
            yearly_value(district, population, 2025, 1000 * index)

    html = page(speaking(client, "en").get(f"/indicators/map/{WEST_KAZAKHSTAN}/?code=population"))

    start = html.index('<script id="map-shading" type="application/json">') + len(
        '<script id="map-shading" type="application/json">'
    )
    shading = json.loads(html[start : html.index("</script>", start)])
    assert sorted(shading) == sorted(west_kazakhstan)
    fills = [shading[kato]["fill"] for kato in sorted(shading)]
    assert fills[0] == NO_FIGURE
    assert set(fills[1:]) == set(PALETTE)  # twelve different figures fill all five bands
    assert f'data-geojson-url="/territory/{WEST_KAZAKHSTAN}/boundaries.geojson"' in html
