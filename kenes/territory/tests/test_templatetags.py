from __future__ import annotations

import pytest
from django.test import override_settings

from kenes.territory.tests.factories import DistrictFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_names_the_pilot_district_and_its_region(client):
    region = RegionFactory(kato="270000000", name_kk="Батыс Қазақстан облысы")
    district = DistrictFactory(region=region, kato="274400000", name_kk="Бәйтерек ауданы <script>x</script>")
    with override_settings(KENES_PILOT_DISTRICT=district.kato):
        page = client.get("/").content.decode()
    assert "Бәйтерек ауданы &lt;script&gt;x&lt;/script&gt;" in page
    assert "Батыс Қазақстан облысы" in page


def test_the_home_page_still_works_before_the_territory_is_imported(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "/territory/274400000/" in response.content.decode()
