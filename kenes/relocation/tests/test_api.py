"""The relocation API: public offers with filters and pages, authorised applications and applicants
(404 for whoever may not see them), applying, and the dashboard's figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kenes.accounts.tests.factories import UserFactory
from kenes.relocation.api import dashboard_out
from kenes.relocation.dashboard import programme_dashboard
from kenes.relocation.models import Application, Offer
from kenes.relocation.tests.factories import (
    EmployerFactory,
    employer_user,
    family_applicant,
    programme_staff_user,
    support_offer,
    vacancy_offer,
)
from kenes.relocation.tests.test_dashboard import make_programme
from kenes.territory.tests.factories import OkrugFactory, SettlementFactory

API = "/api/v1/relocation"


@pytest.fixture
def village(db):
    return SettlementFactory.create(okrug=OkrugFactory.create())


# Offers (public) ----------------------------------------------------------------------------------


def test_offers_are_public_and_leave_out_drafts_closed_and_expired(client, village):
    shown = vacancy_offer("veterinarian", settlement=village)
    vacancy_offer("veterinarian", settlement=village, status=Offer.Status.DRAFT)
    vacancy_offer("veterinarian", settlement=village, status=Offer.Status.CLOSED)
    vacancy_offer("veterinarian", settlement=village, expires_on=timezone.localdate() - datetime.timedelta(days=1))

    response = client.get(f"{API}/offers")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [shown.pk]
    assert body["items"][0]["profession"] == "veterinarian"
    assert body["items"][0]["settlement"] == village.kato


def test_offers_filter_by_district_okrug_kind_and_profession(client, village):
    vet = vacancy_offer("veterinarian", settlement=village)
    teacher = vacancy_offer("teacher", settlement=village)
    support = support_offer(settlement=village)
    elsewhere = vacancy_offer("veterinarian")

    def ids(**query: str) -> set[int]:
        return {item["id"] for item in client.get(f"{API}/offers", query).json()["items"]}

    assert ids(district=village.district.kato) == {vet.pk, teacher.pk, support.pk}
    assert ids(okrug=village.okrug.kato) == {vet.pk, teacher.pk, support.pk}
    assert ids(kind="support") == {support.pk}
    assert ids(profession="veterinarian") == {vet.pk, elsewhere.pk}
    assert ids(profession="teacher", district=village.district.kato) == {teacher.pk}


def test_an_unknown_district_or_profession_is_a_404_with_a_code(client, db):
    for query in ({"district": "999999999"}, {"okrug": "999999999"}, {"profession": "astronaut"}):
        response = client.get(f"{API}/offers", query)

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_offers_come_in_pages(client, village):
    made = [vacancy_offer("veterinarian", settlement=village) for _ in range(5)]

    first = client.get(f"{API}/offers", {"limit": 2}).json()
    last = client.get(f"{API}/offers", {"limit": 2, "offset": 4}).json()

    assert first["count"] == last["count"] == 5
    assert len(first["items"]) == 2
    newest_first = sorted((offer.pk for offer in made), reverse=True)
    assert [item["id"] for item in first["items"]] == newest_first[:2]
    assert [item["id"] for item in last["items"]] == newest_first[4:]
    assert client.get(f"{API}/offers", {"limit": 101}).status_code == 422


def test_the_offer_list_keeps_its_query_count(client, village, django_assert_max_num_queries):
    for _ in range(3):
        support_offer(settlement=village)
    with django_assert_max_num_queries(4) as before:
        client.get(f"{API}/offers")
    for _ in range(5):
        vacancy_offer("teacher", settlement=village)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(f"{API}/offers").json()["count"] == 8


def test_a_support_measure_shows_its_amount_in_tenge_at_the_mci_of_its_year(client, village):
    published = timezone.make_aware(datetime.datetime(2026, 2, 1, 12))
    offer = support_offer(amount_mci=Decimal("2500"), settlement=village, published_at=published)

    body = client.get(f"{API}/offers/{offer.pk}").json()

    assert (body["amount_mci"], body["amount_tenge"], body["mci_year"]) == ("2500.00", "10812500.00", 2026)


def test_a_draft_offer_is_not_found(client, village):
    draft = vacancy_offer("veterinarian", settlement=village, status=Offer.Status.DRAFT)

    assert client.get(f"{API}/offers/{draft.pk}").status_code == 404


# Applications and applicants (authorised) ---------------------------------------------------------


def test_applications_and_applicants_need_a_caller(client, db):
    family = family_applicant()

    assert client.get(f"{API}/applications").status_code == 401
    assert client.get(f"{API}/applicants/{family.pk}").status_code == 401


def test_applications_are_the_callers_own_or_to_the_offers_they_manage(client, village):
    employer = EmployerFactory.create(district=village.district)
    owner = employer_user(employer)
    ours = vacancy_offer("veterinarian", settlement=village, employer=employer)
    theirs = vacancy_offer("veterinarian", settlement=village)
    family = family_applicant()
    to_us = Application.objects.create(applicant=family, offer=ours)
    to_them = Application.objects.create(applicant=family, offer=theirs)
    stranger = Application.objects.create(applicant=family_applicant(), offer=theirs)

    client.force_login(family.user)
    assert {item["id"] for item in client.get(f"{API}/applications").json()["items"]} == {to_us.pk, to_them.pk}
    client.force_login(owner)
    assert {item["id"] for item in client.get(f"{API}/applications").json()["items"]} == {to_us.pk}
    client.force_login(programme_staff_user(village.district.region))
    body = client.get(f"{API}/applications").json()
    assert body["count"] == 3
    assert {item["id"] for item in body["items"]} == {to_us.pk, to_them.pk, stranger.pk}


def test_an_employer_cannot_see_an_applicant_who_did_not_apply_to_them(client, village):
    employer = EmployerFactory.create(district=village.district)
    owner = employer_user(employer)
    ours = vacancy_offer("veterinarian", settlement=village, employer=employer)
    applied = family_applicant([{"profession": "veterinarian", "seeks_work": True}])
    Application.objects.create(applicant=applied, offer=ours)
    other = family_applicant([{"profession": "veterinarian", "seeks_work": True}], open_to_offers=True)
    client.force_login(owner)

    seen = client.get(f"{API}/applicants/{applied.pk}")
    hidden = client.get(f"{API}/applicants/{other.pk}")
    missing = client.get(f"{API}/applicants/{other.pk + 1000}")

    assert seen.status_code == 200
    assert seen.json()["members"][0]["profession"] == "veterinarian"
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() | {"detail": hidden.json()["detail"]}
    assert hidden.json()["code"] == "not_found"
    assert other.members.get().full_name not in hidden.content.decode()


def test_applicants_see_themselves_and_programme_staff_see_everyone(client, village):
    family = family_applicant(phone="+77010000000")

    client.force_login(family.user)
    assert client.get(f"{API}/applicants/{family.pk}").json()["phone"] == "+77010000000"
    client.force_login(UserFactory.create())
    assert client.get(f"{API}/applicants/{family.pk}").status_code == 404
    client.force_login(programme_staff_user(village.district.region))
    assert client.get(f"{API}/applicants/{family.pk}").status_code == 200


def test_an_applicant_applies_once(client, village):
    offer = vacancy_offer("veterinarian", settlement=village)
    family = family_applicant()
    client.force_login(family.user)

    first = client.post(f"{API}/offers/{offer.pk}/apply", {"message": "Сәлем"}, content_type="application/json")
    again = client.post(f"{API}/offers/{offer.pk}/apply", {}, content_type="application/json")

    assert first.status_code == 201
    assert first.json()["status"] == "applied"
    assert [event["status"] for event in first.json()["events"]] == ["applied"]
    assert (again.status_code, again.json()["code"]) == (409, "already_applied")
    assert Application.objects.filter(applicant=family, offer=offer).count() == 1


def test_applying_needs_a_caller_and_a_profile(client, village):
    offer = vacancy_offer("veterinarian", settlement=village)

    assert client.post(f"{API}/offers/{offer.pk}/apply", {}, content_type="application/json").status_code == 401
    client.force_login(UserFactory.create())
    refused = client.post(f"{API}/offers/{offer.pk}/apply", {}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (422, "no_applicant_profile")


# Dashboard ----------------------------------------------------------------------------------------


def test_the_dashboard_figures_equal_the_selectors(client, db):
    programme = make_programme()

    body = client.get(f"{API}/dashboard").json()
    expected = dashboard_out(programme_dashboard())

    assert body == client.get(f"{API}/dashboard").json()
    assert body["families"] == expected["families"] == 4
    assert body["people"] == 14
    assert body["open_positions"] == 10
    assert body["retention"] == expected["retention"]
    assert body["vacancies_by_district"] == expected["vacancies_by_district"]
    assert body["settlements"] == [
        {**row, "joined_on": row["joined_on"].isoformat()} for row in expected["settlements"]
    ]
    narrowed = client.get(f"{API}/dashboard", {"district": programme.district_b.kato, "year": 2025}).json()
    assert (narrowed["families"], narrowed["people"]) == (2, 7)


def test_the_dashboard_answers_404_for_an_unknown_district(client, db):
    assert client.get(f"{API}/dashboard", {"district": "999999999"}).status_code == 404
