"""The indicators API: the catalogue, values filtered by code, territory, period kind and years,
pages, a pinned query count, 404 `not_found` for unknown codes, and the demo flag on every value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kenes.indicators.generator import DEMO_SOURCE, generate_demo_indicators
from kenes.indicators.models import Indicator, PeriodKind
from kenes.indicators.tests.factories import IndicatorValueFactory
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

API = "/api/v1/indicators"


@pytest.fixture
def territory(db):
    district = DistrictFactory.create(region=RegionFactory.create(kato="270000000"), kato="274400000")
    okrug = OkrugFactory.create(district=district, kato="274430000")
    village = SettlementFactory.create(okrug=okrug, kato="274430100")
    generate_demo_indicators(actor=None, seed=1, years=(2023, 2025))
    real = IndicatorValueFactory.create(
        indicator=Indicator.objects.get(code="population"),
        settlement=None,
        okrug=okrug,
        period_kind=PeriodKind.QUARTER,
        period_start=date(2024, 4, 1),
        value=Decimal("2150.5"),
    )
    return {"district": district, "okrug": okrug, "village": village, "real": real}


def test_the_catalogue_lists_every_indicator_in_order(client, db):
    response = client.get(f"{API}/catalogue", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    codes = [item["code"] for item in response.json()]
    assert codes[:3] == ["population", "births", "deaths"]
    assert len(codes) == Indicator.objects.count()
    gas = next(item for item in response.json() if item["code"] == "gas")
    assert gas["is_percent"] is True
    assert gas["direction"] == "higher_better"


def test_values_filter_by_code_and_territory_and_carry_the_demo_flag(client, territory):
    response = client.get(f"{API}/values", {"code": "net_migration", "kato": "274430100"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    first = body["items"][0]
    assert first["territory"] == {"kato": "274430100", "level": "settlement", "name": territory["village"].name}
    assert first["period"] == "2023"
    assert first["period_kind"] == "year"
    assert first["is_demo"] is True
    assert first["source"] == DEMO_SOURCE
    assert {"value", "unit", "loaded_at", "period_start"} <= set(first)


def test_a_real_value_is_not_marked_demo_and_keeps_its_decimals(client, territory):
    response = client.get(f"{API}/values", {"code": "population", "kato": "274430000", "period_kind": "quarter"})

    items = response.json()["items"]
    assert len(items) == 1
    assert items[0]["is_demo"] is False
    assert items[0]["value"] == "2150.5"
    assert items[0]["period"] == "2024-Q2"
    assert items[0]["territory"]["level"] == "okrug"


def test_values_filter_by_years(client, territory):
    response = client.get(f"{API}/values", {"code": "gas", "kato": "274400000", "from": 2024, "to": 2024})

    assert [item["period"] for item in response.json()["items"]] == ["2024"]
    assert response.json()["items"][0]["territory"]["level"] == "district"


def test_values_come_in_pages(client, territory):
    whole = client.get(f"{API}/values", {"kato": "274430100", "limit": 100}).json()
    page = client.get(f"{API}/values", {"kato": "274430100", "limit": 5, "offset": 5}).json()

    assert whole["count"] == page["count"] == 15 * 3
    assert page["items"] == whole["items"][5:10]
    assert client.get(f"{API}/values", {"limit": 101}).status_code == 422


def test_the_value_list_keeps_its_query_count(client, territory, django_assert_max_num_queries):
    # code, district (none), okrug, count, page
    with django_assert_max_num_queries(5):
        response = client.get(f"{API}/values", {"code": "population", "kato": "274430000", "limit": 100})
    assert response.status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(f"{API}/values", {"limit": 100}).json()["count"] > 100


@pytest.mark.parametrize(
    ("query", "message"),
    [({"code": "wells"}, "indicator"), ({"kato": "279999999"}, "KATO"), ({"kato": "270000000"}, "KATO")],
)
def test_an_unknown_code_or_territory_is_not_found(client, territory, query, message):
    response = client.get(f"{API}/values", query, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert message in response.json()["detail"]


def test_a_year_range_backwards_finds_nothing(client, territory):
    response = client.get(f"{API}/values", {"from": 2025, "to": 2023})

    assert response.status_code == 200
    assert response.json()["count"] == 0
