"""From City to Village pages for applicants and staff, through the HTTP client: the offers list by
district (light, with a pinned query budget), an offer with its apply button, applying, the
household profile with its consent, matches, my applications, the moves with the retention form,
and privacy (404 for an application someone may not see). Factories put `<script>` in texts and
names, so every page read here is also an escaping test."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accounts.tests.factories import UserFactory
from kenes.core.tests.pages import assert_escaped, page, signed_in, speaking
from kenes.relocation.models import Applicant, Application, ApplicationEvent, Move, Offer, RetentionCheck
from kenes.relocation.tests.factories import (
    ApplicationFactory,
    EmployerFactory,
    MoveFactory,
    akimat_user,
    employer_user,
    family_applicant,
    housing_offer,
    land_offer,
    profession,
    programme_staff_user,
    support_offer,
    vacancy_offer,
)
from kenes.territory.models import Okrug

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    """Someone not signed in, reading in English."""
    return speaking(Client(), "en")


def okrug_of(row: Offer | Move) -> Okrug:
    assert row.okrug is not None
    return row.okrug


def months_ago(months: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=31 * months + 2)


# The menu and the offers list -----------------------------------------------------------------------


def test_the_main_menu_links_to_from_city_to_village(visitor: Client) -> None:
    html = page(visitor.get(reverse("home")))

    assert f'href="{reverse("relocation:offers")}"' in html
    assert "From City to Village" in html


def test_the_offers_list_shows_open_offers_of_every_kind_and_hides_drafts_closed_and_expired(visitor: Client) -> None:
    vacancy = vacancy_offer()
    housing = housing_offer()
    land = land_offer()
    support = support_offer()
    draft = vacancy_offer(status=Offer.Status.DRAFT)
    closed = housing_offer(status=Offer.Status.CLOSED, closed_reason="filled")
    expired = land_offer(expires_on=timezone.localdate() - datetime.timedelta(days=1))

    html = page(visitor.get(reverse("relocation:offers")))

    assert_escaped(html)
    for shown in (vacancy, housing, land, support):
        assert reverse("relocation:offer", args=[shown.pk]) in html
        assert escape(shown.title) in html
    for hidden in (draft, closed, expired):
        assert reverse("relocation:offer", args=[hidden.pk]) not in html
    assert "2,500 MCI" in html  # the microcredit's amount on its card


def test_the_offers_list_filters_by_district_kind_and_profession(visitor: Client) -> None:
    vet = vacancy_offer(profession="veterinarian")
    teacher = vacancy_offer(profession="teacher")
    house = housing_offer(settlement=vet.settlement)

    by_district = page(visitor.get(reverse("relocation:district_offers", args=[vet.district.kato])))
    by_kind = page(visitor.get(reverse("relocation:offers"), {"kind": "housing"}))
    by_profession = page(visitor.get(reverse("relocation:offers"), {"profession": "teacher"}))
    unknown = page(visitor.get(reverse("relocation:offers"), {"kind": "nonsense", "district": "x"}))

    def link(offer: Offer) -> str:
        return reverse("relocation:offer", args=[offer.pk])

    assert link(vet) in by_district
    assert link(house) in by_district
    assert link(teacher) not in by_district
    assert link(house) in by_kind
    assert link(vet) not in by_kind
    assert link(teacher) in by_profession
    assert link(vet) not in by_profession
    assert all(link(offer) in unknown for offer in (vet, teacher, house))


def test_an_unknown_district_address_is_not_found(visitor: Client) -> None:
    assert visitor.get(reverse("relocation:district_offers", args=["999999999"])).status_code == 404


def test_the_offers_list_is_paginated_and_keeps_a_fixed_query_budget(
    visitor: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        vacancy_offer()
    support_offer()

    # Districts for the filter, professions, the count, the page's rows, the demo flag.
    with django_assert_max_num_queries(6) as few:
        page(visitor.get(reverse("relocation:offers")))

    for _ in range(25):
        housing_offer()
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(visitor.get(reverse("relocation:offers")))
    assert "Page 1 of 2" in html
    assert html.count('class="offer-card') == 20


# An offer --------------------------------------------------------------------------------------------


def test_a_support_offer_shows_its_amount_in_mci_and_in_tenge_of_its_year(visitor: Client) -> None:
    published = timezone.make_aware(datetime.datetime(2026, 3, 2, 10))
    microcredit = support_offer(amount_mci=Decimal("2500"), published_at=published)
    allowance = support_offer(
        measure=Offer.Measure.LIFTING_ALLOWANCE,
        amount_mci=Decimal("100"),
        published_at=timezone.make_aware(datetime.datetime(2025, 5, 5, 10)),
    )

    microcredit_html = page(visitor.get(reverse("relocation:offer", args=[microcredit.pk])))
    allowance_html = page(visitor.get(reverse("relocation:offer", args=[allowance.pk])))

    assert_escaped(microcredit_html)
    assert "2,500 MCI" in microcredit_html
    assert "10,812,500 ₸" in microcredit_html
    assert "at the MCI rate of 2026" in microcredit_html
    assert "393,200 ₸" in allowance_html
    assert "at the MCI rate of 2025" in allowance_html


def test_a_vacancy_page_shows_its_employer_settlement_and_expiry(visitor: Client) -> None:
    employer = EmployerFactory.create()
    offer = vacancy_offer(employer=employer, expires_on=timezone.localdate() + datetime.timedelta(days=30))

    html = page(visitor.get(reverse("relocation:offer", args=[offer.pk])))

    assert escape(employer.name) in html
    assert escape(offer.position) in html
    assert escape(offer.settlement.short_name_kk) in html
    assert "250,000 ₸" in html
    assert offer.expires_on is not None
    assert offer.expires_on.isoformat() in html


def test_an_offer_page_asks_a_visitor_to_log_in_and_a_person_without_a_profile_to_fill_it(visitor: Client) -> None:
    offer = housing_offer()
    address = reverse("relocation:offer", args=[offer.pk])

    anonymous = page(visitor.get(address))
    newcomer = page(signed_in(UserFactory.create()).get(address))

    assert "Log in to apply" in anonymous
    assert 'id="apply-form"' not in anonymous
    assert reverse("relocation:profile") in newcomer
    assert 'id="apply-form"' not in newcomer


def test_a_draft_is_not_found_except_for_those_who_manage_it(visitor: Client) -> None:
    draft = vacancy_offer(status=Offer.Status.DRAFT)
    address = reverse("relocation:offer", args=[draft.pk])

    assert visitor.get(address).status_code == 404
    assert signed_in(UserFactory.create()).get(address).status_code == 404
    assert signed_in(family_applicant().user).get(address).status_code == 404
    assert page(signed_in(draft.published_by).get(address))
    assert page(signed_in(akimat_user(okrug_of(draft))).get(address))


# Applying ----------------------------------------------------------------------------------------------


def test_an_applicant_applies_with_a_message_and_then_sees_it_applied() -> None:
    offer = vacancy_offer()
    applicant = family_applicant()
    client = signed_in(applicant.user)
    address = reverse("relocation:offer", args=[offer.pk])
    assert 'id="apply-form"' in page(client.get(address))

    response = client.post(reverse("relocation:apply", args=[offer.pk]), {"apply-message": "Hello <b>there</b>"})

    assert response.status_code == 302
    assert response["Location"] == reverse("relocation:my_applications")
    application = Application.objects.get(applicant=applicant, offer=offer)
    assert application.message == "Hello <b>there</b>"
    assert ApplicationEvent.objects.filter(application=application, status=Application.Status.APPLIED).exists()
    html = page(client.get(address))
    assert "You applied on" in html
    assert 'id="apply-form"' not in html


def test_applying_twice_shows_the_refusal_on_the_form() -> None:
    offer = vacancy_offer()
    applicant = family_applicant()
    ApplicationFactory.create(applicant=applicant, offer=offer)

    response = signed_in(applicant.user).post(reverse("relocation:apply", args=[offer.pk]), {"apply-message": ""})

    assert response.status_code == 409
    assert 'id="apply-form"' in response.content.decode()
    assert Application.objects.filter(applicant=applicant, offer=offer).count() == 1


def test_applying_sends_a_visitor_to_log_in_and_refuses_a_closed_offer(visitor: Client) -> None:
    offer = vacancy_offer()
    closed = vacancy_offer(status=Offer.Status.CLOSED, closed_reason="filled")

    response = visitor.post(reverse("relocation:apply", args=[offer.pk]), {"apply-message": ""})
    closed_response = signed_in(family_applicant().user).post(reverse("relocation:apply", args=[closed.pk]), {})

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert closed_response.status_code == 409
    assert not Application.objects.exists()


# The household profile ------------------------------------------------------------------------------------


def _profile_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "current_city": "Орал",
        "phone": "+77011234567",
        "rooms_needed": "",
        "max_distance_km": "",
        "notes": "",
        "open_to_offers": "on",
        "consent": "on",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "20",
        "members-0-relation": "self",
        "members-0-full_name": "Ерлан Сериков",
        "members-0-birth_year": "1988",
        "members-0-profession": str(profession("veterinarian").pk),
        "members-0-seeks_work": "on",
        "members-1-relation": "child",
        "members-1-full_name": "Әлия",
        "members-1-birth_year": "2016",
        "members-2-relation": "",
    }
    data.update(overrides)
    return data


def test_the_profile_needs_a_signed_in_person(visitor: Client) -> None:
    response = visitor.get(reverse("relocation:profile"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_person_registers_the_household_with_consent_and_sees_the_date() -> None:
    user = UserFactory.create()
    client = signed_in(user)
    html = page(client.get(reverse("relocation:profile")))
    assert "I consent to the processing" in html

    response = client.post(reverse("relocation:profile"), _profile_data())

    assert response.status_code == 302
    applicant = Applicant.objects.get(user=user)
    assert applicant.current_city == "Орал"
    assert applicant.open_to_offers
    assert sorted(member.relation for member in applicant.members.all()) == ["child", "self"]
    html = page(client.get(reverse("relocation:profile")))
    assert "Consent given on" in html
    assert 'id="withdraw-form"' in html


def test_registering_without_consent_shows_the_refusal_by_the_checkbox() -> None:
    user = UserFactory.create()

    response = signed_in(user).post(reverse("relocation:profile"), _profile_data(consent=""))

    assert response.status_code == 422
    html = response.content.decode()
    consent_field = html.split('name="consent"')[0].rsplit('<div class="field', 1)[1]
    assert "has-error" in consent_field
    assert not Applicant.objects.filter(user=user).exists()


def test_an_applicant_withdraws_consent_and_can_no_longer_apply() -> None:
    applicant = family_applicant()
    offer = vacancy_offer()
    client = signed_in(applicant.user)

    response = client.post(reverse("relocation:profile"), {"withdraw_consent": "1"})

    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.consent_withdrawn_at is not None
    html = page(client.get(reverse("relocation:offer", args=[offer.pk])))
    assert 'id="apply-form"' not in html
    assert "You withdrew your consent" in html


# Matches and my applications ----------------------------------------------------------------------------


def test_matches_rank_the_offers_with_their_reasons() -> None:
    vacancy = vacancy_offer(profession="veterinarian")
    unrelated = vacancy_offer(profession="teacher")
    applicant = family_applicant([{"profession": "veterinarian", "seeks_work": True}])

    html = page(signed_in(applicant.user).get(reverse("relocation:matches")))

    assert_escaped(html)
    assert f'id="match-{vacancy.pk}"' in html
    assert f'id="match-{unrelated.pk}"' not in html
    assert "your profession" in html


def test_matches_ask_a_person_without_a_profile_to_fill_it() -> None:
    html = page(signed_in(UserFactory.create()).get(reverse("relocation:matches")))

    assert reverse("relocation:profile") in html


def test_my_applications_show_status_and_steps_within_a_fixed_query_budget(
    django_assert_max_num_queries: Any,
) -> None:
    applicant = family_applicant()
    first = ApplicationFactory.create(applicant=applicant, status=Application.Status.IN_TALKS)
    ApplicationEvent.objects.create(application=first, status=Application.Status.APPLIED)
    ApplicationEvent.objects.create(application=first, status=Application.Status.IN_TALKS, note=f"Note {first.pk}")
    someone_elses = ApplicationFactory.create()
    client = signed_in(applicant.user)

    # Session, user, the menu's inbox check and unread notices count, the applicant with household
    # and wishes, the applications, their steps, the demo flag.
    with django_assert_max_num_queries(10) as few:
        html = page(client.get(reverse("relocation:my_applications")))

    assert_escaped(html)
    assert escape(first.offer.title) in html
    assert "In talks" in html
    assert f"Note {first.pk}" in html
    assert escape(someone_elses.offer.title) not in html

    for _ in range(4):
        extra = ApplicationFactory.create(applicant=applicant)
        ApplicationEvent.objects.create(application=extra, status=Application.Status.APPLIED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client.get(reverse("relocation:my_applications")))


# Privacy --------------------------------------------------------------------------------------------------


def test_an_application_is_seen_by_its_applicant_the_offers_people_and_programme_staff_only(visitor: Client) -> None:
    employer = EmployerFactory.create()
    offer = vacancy_offer(employer=employer)
    application = ApplicationFactory.create(applicant=family_applicant(phone="+77015550000"), offer=offer)
    address = reverse("relocation:application", args=[application.pk])
    other_employer_user = employer_user(EmployerFactory.create())
    other_employers_offer = vacancy_offer(employer=EmployerFactory.create())
    assert other_employers_offer.employer is not None
    other_employers_offer.employer.users.add(other_employer_user)

    assert visitor.get(address).status_code == 302
    assert signed_in(other_employer_user).get(address).status_code == 404
    assert signed_in(family_applicant().user).get(address).status_code == 404
    assert signed_in(akimat_user(okrug_of(vacancy_offer()))).get(address).status_code == 404
    for viewer in (
        application.applicant.user,
        employer_user(employer),
        programme_staff_user(offer.district.region),
        akimat_user(okrug_of(offer)),
    ):
        html = page(signed_in(viewer).get(address))
        assert "+77015550000" in html
        assert_escaped(html)


def test_an_employer_cannot_reach_an_application_to_someone_elses_offer_through_the_move_form() -> None:
    application = ApplicationFactory.create(status=Application.Status.ACCEPTED)
    stranger = employer_user(EmployerFactory.create())

    response = signed_in(stranger).post(
        reverse("relocation:record_move", args=[application.pk]),
        {"move-moved_on": timezone.localdate().isoformat(), "move-household_size": "3"},
    )

    assert response.status_code == 404
    assert not Move.objects.exists()


# Moves and retention ---------------------------------------------------------------------------------------


def test_the_moves_page_is_for_staff_only(visitor: Client) -> None:
    move = MoveFactory.create()
    address = reverse("relocation:moves")

    assert visitor.get(address).status_code == 302
    assert signed_in(family_applicant().user).get(address).status_code == 403
    assert signed_in(employer_user(EmployerFactory.create())).get(address).status_code == 403
    html = page(signed_in(akimat_user(okrug_of(move))).get(address))
    assert f'id="move-{move.pk}"' in html
    assert_escaped(html)
    elsewhere = page(signed_in(akimat_user(okrug_of(vacancy_offer()))).get(address))
    assert f'id="move-{move.pk}"' not in elsewhere


def test_staff_record_that_a_household_left_at_six_months_with_the_reason() -> None:
    move = MoveFactory.create(moved_on=months_ago(7))
    client = signed_in(akimat_user(okrug_of(move)))

    response = client.post(
        reverse("relocation:retention", args=[move.pk]),
        {
            f"retention-{move.pk}-months": "6",
            f"retention-{move.pk}-still_there": "no",
            f"retention-{move.pk}-reason": "No school bus",
        },
    )

    assert response.status_code == 302
    check = RetentionCheck.objects.get(move=move)
    assert (check.months, check.still_there) == (6, False)
    move.refresh_from_db()
    assert move.status == Move.Status.LEFT
    assert move.left_reason == "No school bus"


def test_a_retention_check_too_early_is_refused_by_the_date_field() -> None:
    move = MoveFactory.create(moved_on=months_ago(2))
    client = signed_in(programme_staff_user(move.district.region))

    response = client.post(
        reverse("relocation:retention", args=[move.pk]),
        {f"retention-{move.pk}-months": "6", f"retention-{move.pk}-still_there": "yes"},
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "This check can be made from" in html
    assert not RetentionCheck.objects.exists()


def test_a_retention_check_of_a_move_elsewhere_is_not_found() -> None:
    move = MoveFactory.create(moved_on=months_ago(7))
    stranger = akimat_user(okrug_of(vacancy_offer()))

    response = signed_in(stranger).post(
        reverse("relocation:retention", args=[move.pk]),
        {f"retention-{move.pk}-months": "6", f"retention-{move.pk}-still_there": "yes"},
    )

    assert response.status_code == 404
    assert not RetentionCheck.objects.exists()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_offers_list_speaks_each_language(client: Client, language: str) -> None:
    vacancy_offer()
    client.cookies["kenes_language"] = language

    html = page(client.get(reverse("relocation:offers")))

    assert f'<html lang="{language}">' in html
