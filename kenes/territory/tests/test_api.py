from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from kenes.territory.models import Okrug
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/territory"


@pytest.fixture
def west():
    region = RegionFactory.create(
        kato="270000000", name_kk="Батыс Қазақстан облысы", name_ru="Западно-Казахстанская область"
    )
    city = DistrictFactory.create(region=region, kato="271000000", is_city=True)
    district = DistrictFactory.create(
        region=region, kato="274400000", name_kk="Бәйтерек ауданы", name_ru="район Бәйтерек"
    )
    okrug = OkrugFactory.create(district=district, kato="274430000")
    town = OkrugFactory.create(district=city, kato="271010000", kind=Okrug.Kind.CITY)
    main = SettlementFactory.create(okrug=okrug, kato="274430100", is_main=True)
    SettlementFactory.create(okrug=okrug, kato="274433200")
    return {"region": region, "city": city, "district": district, "okrug": okrug, "town": town, "main": main}


def test_regions_lists_current_regions_by_code_with_their_counts(client: Client, west) -> None:
    RegionFactory.create(kato="100000000")
    RegionFactory.create(kato="990000000", retired_at=timezone.now())

    response = client.get(f"{API}/regions")

    assert response.status_code == 200
    body = response.json()
    assert [item["kato"] for item in body] == ["100000000", "270000000"]
    assert body[1] == {
        "kato": "270000000",
        "name_kk": "Батыс Қазақстан облысы",
        "name_ru": "Западно-Казахстанская область",
        "kind": "region",
        "parent": None,
        "retired": False,
        "district_count": 2,
        "okrug_count": 2,
        "settlement_count": 2,
    }


def test_districts_of_a_region_carry_their_kind_parent_and_counts(client: Client, west) -> None:
    DistrictFactory.create(region=west["region"], kato="279900000", retired_at=timezone.now())

    body = client.get(f"{API}/districts", {"region": "270000000"}).json()

    assert [(item["kato"], item["kind"]) for item in body] == [
        ("271000000", "city_administration"),
        ("274400000", "district"),
    ]
    assert body[1]["parent"] == "270000000"
    assert (body[1]["okrug_count"], body[1]["settlement_count"], body[1]["district_count"]) == (1, 2, None)
    assert "<script>" in body[0]["name_kk"]  # JSON carries the text as it is; pages escape it


def test_okrugs_of_a_district_carry_their_kind_and_settlement_count(client: Client, west) -> None:
    body = client.get(f"{API}/okrugs", {"district": "271000000"}).json()

    assert body == [
        {
            "kato": "271010000",
            "name_kk": west["town"].name_kk,
            "name_ru": west["town"].name_ru,
            "kind": "city",
            "parent": "271000000",
            "retired": False,
            "district_count": None,
            "okrug_count": None,
            "settlement_count": 0,
        }
    ]
    assert client.get(f"{API}/okrugs", {"district": "274400000"}).json()[0]["kind"] == "rural_okrug"


def test_settlements_of_an_okrug_are_all_listed_by_code(client: Client, west) -> None:
    SettlementFactory.create(okrug=west["okrug"], retired_at=timezone.now())

    body = client.get(f"{API}/settlements", {"okrug": "274430000"}).json()

    assert [item["kato"] for item in body] == ["274430100", "274433200"]
    assert {item["kind"] for item in body} == {"settlement"}
    assert {item["parent"] for item in body} == {"274430000"}


@pytest.mark.parametrize(
    ("kato", "kind", "parent"),
    [
        ("270000000", "region", None),
        ("274400000", "district", "270000000"),
        ("274430000", "rural_okrug", "274400000"),
        ("274430100", "settlement", "274430000"),
    ],
)
def test_any_unit_is_found_by_its_code(client: Client, west, kato: str, kind: str, parent: str | None) -> None:
    response = client.get(f"{API}/{kato}")

    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["parent"]) == (kind, parent)


def test_a_retired_unit_is_still_found_by_its_code_and_says_so(client: Client, west) -> None:
    Okrug.objects.filter(kato="274430000").update(retired_at=timezone.now())

    assert client.get(f"{API}/274430000").json()["retired"] is True
    assert client.get(f"{API}/okrugs", {"district": "274400000"}).json() == []


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/999999999",
        f"{API}/districts?region=990000000",
        f"{API}/districts?region=274400000",
        f"{API}/okrugs?district=274430000",
        f"{API}/settlements?okrug=274400000",
    ],
)
def test_an_unknown_code_is_a_json_404(client: Client, west, url: str) -> None:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "No territory unit has this KATO code.", "code": "not_found"}


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/27440000",
        f"{API}/27440000x",
        f"{API}/districts?region=27",
        f"{API}/districts",
        f"{API}/okrugs?district=2744000000",
        f"{API}/settlements?okrug=%D9%A2%D9%A7%D9%A0%D9%A0%D9%A0%D9%A0%D9%A0%D9%A0%D9%A0",
    ],
)
def test_a_malformed_code_is_a_json_422(client: Client, west, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert isinstance(body["detail"], list)
    assert body["detail"]


def test_each_list_keeps_its_query_budget_however_many_rows(
    client: Client, west, django_assert_max_num_queries
) -> None:
    for _ in range(10):
        SettlementFactory.create(okrug=OkrugFactory.create(district=DistrictFactory.create(region=west["region"])))
        SettlementFactory.create(okrug=west["okrug"])
        RegionFactory.create()

    for url in [
        f"{API}/regions",
        f"{API}/districts?region=270000000",
        f"{API}/okrugs?district=274400000",
        f"{API}/settlements?okrug=274430000",
        f"{API}/274430100",
    ]:
        with django_assert_max_num_queries(2):
            assert client.get(url).status_code == 200


def test_the_openapi_document_declares_every_territory_response(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for name in ["regions", "districts", "okrugs", "settlements", "{kato}"]:
        responses = paths[f"{API}/{name}"]["get"]["responses"]
        assert set(responses) == {"200", "404", "422"}
    parameter = paths[f"{API}/districts"]["get"]["parameters"][0]
    assert parameter["schema"]["pattern"] == "^[0-9]{9}$"


def test_api_messages_are_in_kazakh_unless_the_client_asks_for_another_language(client: Client) -> None:
    kazakh = client.get(f"{API}/999999999").json()["detail"]
    russian = client.get(f"{API}/999999999", HTTP_ACCEPT_LANGUAGE="ru").json()["detail"]

    assert kazakh != "No territory unit has this KATO code."
    assert russian not in {kazakh, "No territory unit has this KATO code."}
