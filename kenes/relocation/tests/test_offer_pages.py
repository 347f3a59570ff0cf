"""Pages of those who publish offers, through the HTTP client: the offer form for each kind (a
refused one shows the service's message by the field it is about), editing and closing, my offers,
an offer's applications (the owner takes one into talks, accepts it and records the move) and its
candidates, anonymised. Factories put `<script>` in texts and names: every page is an escaping test."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kenes.accounts.tests.factories import UserFactory
from kenes.core.tests.pages import assert_escaped, page, signed_in, speaking
from kenes.relocation.models import Application, ApplicationEvent, Move, Offer
from kenes.relocation.tests.factories import (
    ApplicationFactory,
    EmployerFactory,
    akimat_user,
    employer_user,
    family_applicant,
    profession,
    settlement_in,
    vacancy_offer,
)
from kenes.territory.tests.factories import OkrugFactory

pytestmark = pytest.mark.django_db

KIND_DATA: dict[str, dict[str, str]] = {
    "vacancy": {"position": "Vet", "positions": "2", "salary_tenge": "300000"},
    "housing": {"housing_type": "house", "rooms": "3", "tenure": "free"},
    "land": {"area_hectares": "0.25", "land_purpose": "household_farming"},
    "support": {"measure": "microcredit", "amount_mci": "2500"},
}
# What each kind's refused form leaves out, and the field that shows the message.
MISSING = {"vacancy": "position", "housing": "rooms", "land": "area_hectares", "support": "amount_mci"}


def offer_data(kind: str, settlement: Any, **overrides: str) -> dict[str, str]:
    data = {"settlement": str(settlement.pk), "kind": kind, "title": f"A {kind} offer", "description": "Come"}
    data.update(KIND_DATA[kind])
    if kind == "vacancy":
        data["profession"] = str(profession("veterinarian").pk)
    data.update(overrides)
    return data


def field_block(html: str, name: str) -> str:
    return html.split(f'name="{name}"')[0].rsplit('<div class="field', 1)[1]


# The offer form ------------------------------------------------------------------------------------


def test_the_offer_form_is_for_employers_and_staff_only() -> None:
    okrug = OkrugFactory.create()
    settlement_in(okrug)
    address = reverse("relocation:new_offer")

    assert speaking(Client(), "en").get(address).status_code == 302
    assert signed_in(family_applicant().user).get(address).status_code == 403
    assert signed_in(employer_user(EmployerFactory.create(verified_at=None))).get(address).status_code == 403
    staff_html = page(signed_in(akimat_user(okrug)).get(address))
    employer_html = page(signed_in(employer_user(EmployerFactory.create(district=okrug.district))).get(address))
    for html in (staff_html, employer_html):
        assert_escaped(html)
        for kind in ("vacancy", "housing", "land", "support"):
            assert f"kind-fields-{kind}" in html  # every kind's fields are on the page


@pytest.mark.parametrize("kind", ["vacancy", "housing", "land", "support"])
def test_staff_publish_an_offer_of_each_kind(kind: str) -> None:
    okrug = OkrugFactory.create()
    settlement = settlement_in(okrug)
    staff = akimat_user(okrug)

    response = signed_in(staff).post(reverse("relocation:new_offer"), offer_data(kind, settlement))

    assert response.status_code == 302
    created = Offer.objects.get(kind=kind)
    assert response["Location"] == reverse("relocation:offer", args=[created.pk])
    assert created.status == Offer.Status.PUBLISHED
    assert created.settlement == settlement
    assert created.district == okrug.district
    assert created.published_by == staff


@pytest.mark.parametrize("kind", ["vacancy", "housing", "land", "support"])
def test_an_offer_missing_its_kinds_field_is_refused_by_that_field(kind: str) -> None:
    okrug = OkrugFactory.create()
    settlement = settlement_in(okrug)
    missing = MISSING[kind]

    response = signed_in(akimat_user(okrug)).post(
        reverse("relocation:new_offer"), offer_data(kind, settlement, **{missing: ""})
    )

    assert response.status_code == 422
    assert "has-error" in field_block(response.content.decode(), missing)
    assert not Offer.objects.exists()


def test_a_verified_employer_publishes_a_vacancy_in_its_name_but_not_land() -> None:
    okrug = OkrugFactory.create()
    settlement = settlement_in(okrug)
    employer = EmployerFactory.create(district=okrug.district)
    client = signed_in(employer_user(employer))

    refused = client.post(reverse("relocation:new_offer"), offer_data("land", settlement))
    published = client.post(
        reverse("relocation:new_offer"), offer_data("vacancy", settlement, employer=str(employer.pk))
    )

    assert refused.status_code == 403
    assert "form-errors" in refused.content.decode()
    assert published.status_code == 302
    assert Offer.objects.get().employer == employer


def test_an_offer_saved_as_a_draft_is_seen_only_by_its_publisher_until_published() -> None:
    okrug = OkrugFactory.create()
    settlement = settlement_in(okrug)
    staff = akimat_user(okrug)
    client = signed_in(staff)

    client.post(reverse("relocation:new_offer"), {**offer_data("housing", settlement), "draft": "1"})

    draft = Offer.objects.get()
    assert draft.status == Offer.Status.DRAFT
    assert Client().get(reverse("relocation:offer", args=[draft.pk])).status_code == 404
    response = client.post(
        reverse("relocation:edit_offer", args=[draft.pk]), {**offer_data("housing", settlement), "publish": "1"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Offer.Status.PUBLISHED


def test_only_those_who_manage_an_offer_edit_or_close_it() -> None:
    offer = vacancy_offer()
    stranger = employer_user(EmployerFactory.create())
    owner = signed_in(offer.published_by)

    assert signed_in(stranger).get(reverse("relocation:edit_offer", args=[offer.pk])).status_code == 404
    assert (
        signed_in(stranger).post(reverse("relocation:close", args=[offer.pk]), {"close-reason": "x"}).status_code == 404
    )
    assert 'value="Ветеринар' in page(owner.get(reverse("relocation:edit_offer", args=[offer.pk])))
    refused = owner.post(reverse("relocation:close", args=[offer.pk]), {"close-reason": ""})
    closed = owner.post(reverse("relocation:close", args=[offer.pk]), {"close-reason": "Filled"})

    assert refused.status_code == 400
    assert closed.status_code == 302
    offer.refresh_from_db()
    assert (offer.status, offer.closed_reason) == (Offer.Status.CLOSED, "Filled")


def test_my_offers_lists_the_offers_a_person_manages(django_assert_max_num_queries: Any) -> None:
    employer = EmployerFactory.create()
    user = employer_user(employer)
    mine = vacancy_offer(employer=employer)
    other = vacancy_offer()
    client = signed_in(user)

    with django_assert_max_num_queries(12) as few:
        html = page(client.get(reverse("relocation:my_offers")))

    assert_escaped(html)
    assert reverse("relocation:offer_applications", args=[mine.pk]) in html
    assert reverse("relocation:offer", args=[other.pk]) not in html
    for _ in range(4):
        vacancy_offer(employer=employer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client.get(reverse("relocation:my_offers")))


# Applications and candidates ---------------------------------------------------------------------------


def test_an_offers_applications_are_shown_to_its_owner_and_not_found_for_others() -> None:
    employer = EmployerFactory.create()
    offer = vacancy_offer(employer=employer)
    application = ApplicationFactory.create(offer=offer, applicant=family_applicant(phone="+77015550000"))
    address = reverse("relocation:offer_applications", args=[offer.pk])

    html = page(signed_in(employer_user(employer)).get(address))

    assert_escaped(html)
    assert "+77015550000" in html
    assert f'id="application-{application.pk}"' in html
    assert signed_in(employer_user(EmployerFactory.create())).get(address).status_code == 404
    assert signed_in(application.applicant.user).get(address).status_code == 404
    assert signed_in(UserFactory.create()).get(reverse("relocation:candidates", args=[offer.pk])).status_code == 404


def test_the_owner_takes_an_application_into_talks_accepts_it_and_records_the_move() -> None:
    employer = EmployerFactory.create()
    offer = vacancy_offer(employer=employer)
    applicant = family_applicant([{}, {"birth_year": timezone.localdate().year - 5}])
    application = ApplicationFactory.create(offer=offer, applicant=applicant)
    client = signed_in(employer_user(employer))
    address = reverse("relocation:application", args=[application.pk])

    declined_without_reason = client.post(address, {"advance-status": "declined"})
    assert declined_without_reason.status_code == 422
    assert client.post(address, {"advance-status": "in_talks"}).status_code == 302
    assert client.post(address, {"advance-status": "accepted"}).status_code == 302
    html = page(client.get(address))
    assert 'id="move-form"' in html
    assert 'name="move-household_size" value="2"' in html  # the household's size by default

    response = client.post(
        reverse("relocation:record_move", args=[application.pk]),
        {
            "move-moved_on": timezone.localdate().isoformat(),
            "move-household_size": "2",
            "move-children": "1",
            "move-employed": "1",
        },
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.MOVED
    move = Move.objects.get(application=application)
    assert (move.household_size, move.children, move.settlement) == (2, 1, offer.settlement)
    steps = list(ApplicationEvent.objects.filter(application=application).values_list("status", flat=True))
    assert steps[-3:] == ["in_talks", "accepted", "moved"]


def test_a_move_of_an_application_not_accepted_is_refused_on_the_form() -> None:
    offer = vacancy_offer()
    application = ApplicationFactory.create(offer=offer)

    response = signed_in(offer.published_by).post(
        reverse("relocation:record_move", args=[application.pk]),
        {
            "move-moved_on": timezone.localdate().isoformat(),
            "move-household_size": "2",
            "move-children": "0",
            "move-employed": "0",
        },
    )

    assert response.status_code == 409
    assert not Move.objects.exists()


def test_the_applicant_withdraws_an_application_but_cannot_accept_it() -> None:
    application = ApplicationFactory.create(applicant=family_applicant())
    client = signed_in(application.applicant.user)
    address = reverse("relocation:application", args=[application.pk])

    assert client.post(address, {"advance-status": "accepted"}).status_code == 400
    assert client.post(address, {"advance-status": "withdrawn"}).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_candidates_are_anonymised_until_they_apply() -> None:
    offer = vacancy_offer(profession="veterinarian")
    found = family_applicant(
        [{"full_name": "Hidden Name", "birth_year": 1987, "profession": "veterinarian", "seeks_work": True}],
        open_to_offers=True,
        phone="+77019998877",
        current_city="Aksai",
    )
    hidden = family_applicant(
        [{"full_name": "Not Opted In", "profession": "veterinarian", "seeks_work": True}], current_city="Oral-hidden"
    )

    html = page(signed_in(offer.published_by).get(reverse("relocation:candidates", args=[offer.pk])))

    assert_escaped(html)
    assert "Aksai" in html
    assert "A household of 1" in html
    for secret in ("Hidden Name", "+77019998877", "1987", "Not Opted In", "Oral-hidden"):
        assert secret not in html
    assert found.pk
    assert hidden.pk


def test_an_expired_offer_takes_no_applications() -> None:
    offer = vacancy_offer(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    applicant = family_applicant()

    html = page(signed_in(applicant.user).get(reverse("relocation:offer", args=[offer.pk])))

    assert 'id="apply-form"' not in html
    assert "no longer takes applications" in html
