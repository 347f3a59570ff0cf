"""The councils API (/api/v1/councils/): public reads, and writes for the staff who manage a council."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kenes.accounts.models import Role
from kenes.accounts.tests.factories import UserFactory, grant
from kenes.core.models import AuditEntry
from kenes.councils.models import Coordinator, Member, SeatGroup
from kenes.councils.tests.factories import (
    CharterFactory,
    CouncilFactory,
    MemberFactory,
    PilotFactory,
    complete_council,
)
from kenes.territory.tests.factories import OkrugFactory, SettlementFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
API = "/api/v1/councils"


def english(client: Client) -> Client:
    client.cookies["kenes_language"] = "en"
    return client


@pytest.fixture
def council():
    """A complete council (its composition check passes) with a coordinator deputy."""
    return complete_council()


@pytest.fixture
def admin(council):
    """The district administrator of the council's district, signed in."""
    user = UserFactory.create()
    grant(user, Role.DISTRICT_ADMIN, council.okrug.district)
    return user


@pytest.fixture
def stranger(council):
    """A district administrator of another district."""
    user = UserFactory.create()
    grant(user, Role.DISTRICT_ADMIN, OkrugFactory.create().district)
    return user


def appointment(**overrides: Any) -> dict[str, Any]:
    return {
        "full_name": f"Дәулет {SCRIPT} Ғабитұлы",
        "seat_group": "business",
        "organisation": "«Ақжайық» ЖШС",
        "term_start": "2025-05-01",
        **overrides,
    }


# Reads ----------------------------------------------------------------------------------------


def test_the_list_shows_every_council_with_its_members_and_composition_status(client, council):
    forming = CouncilFactory.create(okrug=OkrugFactory.create(district=council.okrug.district))

    response = client.get(f"{API}/")

    assert response.status_code == 200
    items = {item["okrug"]: item for item in response.json()}
    assert items[council.okrug.kato] == {
        "okrug": council.okrug.kato,
        "okrug_name_kk": council.okrug.name_kk,
        "okrug_name_ru": council.okrug.name_ru,
        "district": council.okrug.district.kato,
        "status": "forming",
        "pilot": None,
        "charter": council.charter_id,
        "active_member_count": council.members.count(),
        "problem_count": 0,
    }
    assert items[forming.okrug.kato]["active_member_count"] == 0
    assert items[forming.okrug.kato]["problem_count"] > 0


def test_the_list_filters_by_district_okrug_and_pilot(client, council):
    pilot = PilotFactory.create(district=council.okrug.district)
    neighbour = CouncilFactory.create(okrug=OkrugFactory.create(district=council.okrug.district), pilot=pilot)
    elsewhere = CouncilFactory.create()

    def listed(query: str) -> list[str]:
        response = client.get(f"{API}/?{query}")
        assert response.status_code == 200
        return [item["okrug"] for item in response.json()]

    assert listed(f"district={council.okrug.district.kato}") == sorted([council.okrug.kato, neighbour.okrug.kato])
    assert listed(f"okrug={elsewhere.okrug.kato}") == [elsewhere.okrug.kato]
    assert listed(f"pilot={pilot.pk}") == [neighbour.okrug.kato]
    assert listed(f"district={council.okrug.district.kato}&pilot={pilot.pk}") == [neighbour.okrug.kato]


@pytest.mark.parametrize("query", ["district=274499999", "okrug=274499999", "pilot=999999"])
def test_an_unknown_district_okrug_or_pilot_is_a_404_not_found(client, council, query):
    response = client.get(f"{API}/?{query}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [f"{API}/?district=2744", f"{API}/?okrug=27443000X", f"{API}/?pilot=one", f"{API}/27443", f"{API}/charters/x"],
)
def test_a_malformed_code_or_id_is_a_422(client, path):
    response = client.get(path)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_the_list_keeps_its_query_budget_however_many_councils(client, django_assert_max_num_queries):
    for _ in range(4):
        complete_council()

    # The councils, then the composition check's rules, bands, settlements, members and coordinators.
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/")

    assert len(response.json()) == 4


def test_the_detail_shows_serving_members_by_group_coordinators_and_problems(client, council):
    english(client)
    youth = Member.objects.get(council=council, seat_group=SeatGroup.YOUTH)
    youth.birth_date = datetime.date(1960, 1, 1)  # far too old for a youth seat
    youth.save()
    MemberFactory.create(
        council=council,
        seat_group=SeatGroup.VETERANS,
        status=Member.Status.RESIGNED,
        ended_on=timezone.localdate(),
    )

    response = client.get(f"{API}/{council.okrug.kato}")

    assert response.status_code == 200
    body = response.json()
    assert body["okrug"] == council.okrug.kato
    assert body["district_name_kk"] == council.okrug.district.name_kk
    assert [group["group"] for group in body["groups"]] == list(SeatGroup.values)
    assert [group["label"] for group in body["groups"]][:2] == ["Residents", "Public associations"]
    residents = body["groups"][0]["members"]
    assert residents[0]["role"] == "chair"
    assert residents[0]["settlement"] == council.members.get(role="chair").settlement.kato
    veterans = body["groups"][SeatGroup.values.index("veterans")]["members"]
    assert len(veterans) == 1  # the resigned veteran is history, not a serving member
    assert SCRIPT in veterans[0]["full_name"]  # JSON carries the name as it was entered
    coordinator = council.coordinators.get()
    assert body["coordinators"] == [
        {
            "id": coordinator.pk,
            "full_name": coordinator.full_name,
            "maslikhat": coordinator.maslikhat,
            "constituency": coordinator.constituency,
            "started_on": coordinator.started_on.isoformat(),
            "ended_on": None,
        }
    ]
    assert [problem["code"] for problem in body["problems"]] == ["youth_outside_age_band"]
    assert body["problem_count"] == 1
    assert "outside 14–35" in body["problems"][0]["message"]


def test_the_detail_keeps_its_query_budget(client, council, django_assert_max_num_queries):
    for _ in range(5):
        MemberFactory.create(council=council, seat_group=SeatGroup.OTHER)

    # The council, the composition check (five), the serving members, the coordinators.
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/{council.okrug.kato}")

    assert response.status_code == 200


def test_an_okrug_without_a_council_is_a_404(client, council):
    response = client.get(f"{API}/{OkrugFactory.create().kato}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_charter_shows_every_rule_and_its_versions(client, council):
    english(client)
    first = council.charter
    second = CharterFactory.create(name=first.name, version=2, previous=first, region=first.region, quorum_percent=60)

    response = client.get(f"{API}/charters/{first.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["previous"], body["next"], body["locked"]) == (1, None, second.pk, True)
    assert body["region"] == first.region.kato
    assert body["council_count"] == 1
    assert (body["term_years"], body["quorum_percent"], body["majority_rule"]) == (4, 50, "of_present")
    assert (body["answer_working_days"], body["extension_limit_months"]) == (15, 2)
    assert (body["youth_age_min"], body["youth_age_max"]) == (14, 35)
    assert body["seat_rules"][0] == {"group": "residents", "label": "Residents", "min_seats": 1, "max_seats": None}
    assert body["size_bands"][0] == {"population_from": 0, "population_to": 10000, "min_members": 5, "max_members": 10}
    assert body["size_bands"][-1]["population_to"] is None
    assert body["regulation"]["kk"].endswith(f"/councils/charters/{first.pk}/regulation-kk.pdf")

    newer = client.get(f"{API}/charters/{second.pk}").json()
    assert (newer["previous"], newer["next"], newer["locked"], newer["quorum_percent"]) == (first.pk, None, False, 60)


def test_an_unknown_charter_is_a_404(client):
    response = client.get(f"{API}/charters/999999")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Writes ---------------------------------------------------------------------------------------


def _writes(council) -> list[tuple[str, dict[str, Any]]]:
    member = council.members.get(seat_group=SeatGroup.BUSINESS)
    return [
        (f"{API}/{council.okrug.kato}/members", appointment()),
        (f"{API}/members/{member.pk}/end", {"on": timezone.localdate().isoformat(), "reason": "Көшіп кетті"}),
        (
            f"{API}/{council.okrug.kato}/coordinators",
            {"full_name": "Серік Әлімжанов", "maslikhat": "Бәйтерек аудандық мәслихаты", "started_on": "2025-04-01"},
        ),
    ]


@pytest.mark.parametrize("write", [0, 1, 2])
def test_a_write_without_a_session_is_a_401(client, council, write):
    path, body = _writes(council)[write]

    response = client.post(path, body, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("write", [0, 1, 2])
def test_a_write_to_another_districts_council_is_a_404_and_changes_nothing(client, council, stranger, write):
    path, body = _writes(council)[write]
    client.force_login(stranger)
    before = (Member.objects.filter(status=Member.Status.ACTIVE).count(), Coordinator.objects.count())

    response = client.post(path, body, content_type="application/json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert (Member.objects.filter(status=Member.Status.ACTIVE).count(), Coordinator.objects.count()) == before


def test_a_district_admin_appoints_a_member_to_a_council_of_their_district(client, council, admin):
    client.force_login(admin)
    settlement = council.okrug.settlements.first()

    response = client.post(
        f"{API}/{council.okrug.kato}/members",
        appointment(seat_group="residents", settlement=settlement.kato),
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    member = Member.objects.get(pk=body["id"])
    assert (member.council, member.settlement, member.seat_group) == (council, settlement, "residents")
    assert body["full_name"] == f"Дәулет {SCRIPT} Ғабитұлы"
    assert (body["term_start"], body["term_end"]) == ("2025-05-01", "2029-05-01")  # the charter's four years
    assert AuditEntry.objects.filter(action="council.member_appointed", actor=admin, target_id=str(member.pk)).exists()


def test_a_district_admin_ends_a_members_seat(client, council, admin):
    client.force_login(admin)
    path, body = _writes(council)[1]

    response = client.post(path, body, content_type="application/json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["end_reason"]) == ("resigned", "Көшіп кетті")
    assert not council.members.filter(seat_group=SeatGroup.BUSINESS, status=Member.Status.ACTIVE).exists()


def test_a_district_admin_assigns_a_coordinator_deputy(client, council, admin):
    client.force_login(admin)
    path, body = _writes(council)[2]

    response = client.post(path, body, content_type="application/json")

    assert response.status_code == 201
    assert council.coordinators.filter(pk=response.json()["id"], full_name="Серік Әлімжанов").exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"role": "chair"}, "role_taken"),
        ({"seat_group": "residents", "settlement": "274400100"}, "settlement_outside_okrug"),
        ({"seat_group": "residents"}, "settlement_required"),
    ],
)
def test_a_broken_rule_is_a_400_with_the_services_code(client, council, admin, overrides, code):
    SettlementFactory.create(kato="274400100")  # a settlement of some other okrug
    client.force_login(admin)

    response = client.post(
        f"{API}/{council.okrug.kato}/members", appointment(**overrides), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == code


def test_a_malformed_body_is_a_422(client, council, admin):
    client.force_login(admin)

    response = client.post(
        f"{API}/{council.okrug.kato}/members", appointment(seat_group="elders"), content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_a_write_without_the_csrf_token_is_refused(council, admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    path, body = _writes(council)[0]

    refused = browser.post(path, body, content_type="application/json")
    browser.get("/")  # the site's pages hand out the token cookie
    accepted = browser.post(
        path, body, content_type="application/json", headers={"X-CSRFToken": browser.cookies["csrftoken"].value}
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert accepted.status_code == 201
