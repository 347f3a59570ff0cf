"""Employers registering themselves and programme staff verifying them: the two services with their
refusals, who sees the organisations waiting for a check, the district choice, and the pages (register,
the organisations list with its Verify button, the links from "Offers I manage" and from the refused
offer form), ending in the verified employer's person publishing a vacancy. Factories put `<script>`
in names, so every page read here is also an escaping test."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kenes.accounts.tests.factories import UserFactory, make_resident
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.core.tests.pages import SCRIPT, assert_escaped, page, signed_in, speaking
from kenes.relocation import selectors, services
from kenes.relocation.models import Employer, Offer
from kenes.relocation.tests.factories import (
    EmployerFactory,
    akimat_user,
    employer_user,
    profession,
    programme_staff_user,
    settlement_in,
)
from kenes.territory.models import Okrug
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory

pytestmark = pytest.mark.django_db

BIN = "240340123456"


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def refusal(call: Any, **arguments: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**arguments)
    return caught.value


# register_employer ---------------------------------------------------------------------------------


def test_a_signed_in_person_registers_their_organisation_and_becomes_its_first_person() -> None:
    person = UserFactory.create()
    district = DistrictFactory.create()

    employer = services.register_employer(actor=person, name=f"  Береке {SCRIPT} ", bin=f" {BIN} ", district=district)

    employer.refresh_from_db()
    assert (employer.name, employer.bin, employer.district) == (f"Береке {SCRIPT}", BIN, district)
    assert employer.verified_at is None
    assert list(employer.users.all()) == [person]
    [entry] = audited("relocation.employer_registered")
    assert entry.actor == person
    assert entry.target_id == str(employer.pk)
    assert BIN not in str(entry.after)  # an entrepreneur's BIN is their IIN


def test_nobody_registers_an_organisation_without_signing_in() -> None:
    error = refusal(
        services.register_employer, actor=AnonymousUser(), name="Farm", bin=BIN, district=DistrictFactory.create()
    )

    assert (error.code, error.status) == ("forbidden", 403)
    assert not Employer.objects.exists()


@pytest.mark.parametrize("number", ["", "24034012345", "2403401234567", "24034012345x", "２４０３４０１２３４５６"])
def test_a_bin_is_twelve_digits(number: str) -> None:
    error = refusal(
        services.register_employer,
        actor=UserFactory.create(),
        name="Farm",
        bin=number,
        district=DistrictFactory.create(),
    )

    assert (error.code, error.status) == ("invalid_bin", 422)
    assert not Employer.objects.exists()


def test_an_organisation_needs_a_name() -> None:
    error = refusal(
        services.register_employer, actor=UserFactory.create(), name="  ", bin=BIN, district=DistrictFactory.create()
    )

    assert (error.code, error.status) == ("name_required", 422)


def test_a_bin_already_registered_is_refused_without_saying_whose_it_is() -> None:
    existing = EmployerFactory.create(bin=BIN, name="Secret Farm LLP")
    colleague = employer_user(existing, first_name="Aigerim")
    newcomer = UserFactory.create()

    error = refusal(
        services.register_employer, actor=newcomer, name="Another", bin=BIN, district=DistrictFactory.create()
    )

    assert (error.code, error.status) == ("employer_exists", 409)
    with translation.override("en"):
        assert "programme's staff to add you" in str(error.message)
    assert "Secret Farm" not in str(error.message)
    assert colleague.first_name not in str(error.message)
    assert list(existing.users.all()) == [colleague]
    assert Employer.objects.count() == 1


# verify_employer -----------------------------------------------------------------------------------


def test_programme_staff_verify_an_organisation_once() -> None:
    employer = EmployerFactory.create(verified_at=None)
    staff = programme_staff_user(RegionFactory.create())

    services.verify_employer(actor=staff, employer=employer)

    employer.refresh_from_db()
    assert employer.verified_at is not None
    [entry] = audited("relocation.employer_verified")
    assert entry.actor == staff
    assert entry.before == {"district": employer.district_id, "verified": False}
    assert entry.after is not None
    assert entry.after["verified"] is True
    again = refusal(services.verify_employer, actor=staff, employer=employer)
    assert (again.code, again.status) == ("already_verified", 409)
    assert len(audited("relocation.employer_verified")) == 1


def test_only_programme_staff_verify_an_organisation() -> None:
    okrug = OkrugFactory.create()
    employer = EmployerFactory.create(verified_at=None, district=okrug.district)

    for actor in (AnonymousUser(), employer_user(employer), akimat_user(okrug), UserFactory.create()):
        error = refusal(services.verify_employer, actor=actor, employer=employer)
        assert (error.code, error.status) == ("forbidden", 403)

    employer.refresh_from_db()
    assert employer.verified_at is None
    assert not audited("relocation.employer_verified")


# Selectors -----------------------------------------------------------------------------------------


def test_only_programme_staff_see_the_organisations_awaiting_verification() -> None:
    waiting = EmployerFactory.create(verified_at=None)
    EmployerFactory.create()
    staff = programme_staff_user(RegionFactory.create())

    assert list(selectors.employers_awaiting_verification(staff)) == [waiting]
    assert not selectors.employers_awaiting_verification(employer_user(waiting)).exists()
    assert not selectors.employers_awaiting_verification(AnonymousUser()).exists()


def test_an_organisation_is_registered_in_a_district_with_rural_okrugs_of_the_persons_region() -> None:
    home = OkrugFactory.create()
    elsewhere = OkrugFactory.create()
    OkrugFactory.create(kind=Okrug.Kind.CITY)  # a city's district has no villages to offer
    resident = make_resident(settlement=settlement_in(home)).user

    assert list(selectors.employer_districts(resident)) == [home.district]
    everywhere = set(selectors.employer_districts(UserFactory.create()))
    assert everywhere == {home.district, elsewhere.district}


# Pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), [("relocation:register_employer", "get"), ("relocation:employers", "get")])
def test_the_employer_pages_ask_to_sign_in(name: str, method: str) -> None:
    response = getattr(speaking(Client(), "en"), method)(reverse(name))

    assert response["Location"].startswith(reverse("accounts:login"))


def test_verifying_asks_to_sign_in() -> None:
    employer = EmployerFactory.create(verified_at=None)

    response = Client().post(reverse("relocation:verify_employer", args=[employer.pk]))

    assert response.status_code == 302
    employer.refresh_from_db()
    assert employer.verified_at is None


def test_a_person_registers_their_organisation_and_is_told_it_waits_for_the_check() -> None:
    okrug = OkrugFactory.create()
    person = make_resident(settlement=settlement_in(okrug)).user
    client = signed_in(person)

    form = page(client.get(reverse("relocation:register_employer")))
    response = client.post(
        reverse("relocation:register_employer"),
        {"name": f"Береке {SCRIPT}", "bin": BIN, "district": str(okrug.district.pk)},
        follow=True,
    )

    assert f'value="{okrug.district.pk}"' in form
    assert response.redirect_chain == [(reverse("relocation:employers"), 302)]
    html = page(response)
    assert_escaped(html)
    assert "waiting for the programme&#x27;s check" in html
    assert escape(f"Береке {SCRIPT}") in html
    assert Employer.objects.get().users.get() == person


@pytest.mark.parametrize(("number", "status"), [("12345", 422), (BIN, 409)])
def test_a_refused_registration_shows_the_reason_by_the_bin(number: str, status: int) -> None:
    EmployerFactory.create(bin=BIN)
    district = OkrugFactory.create().district

    response = signed_in(UserFactory.create()).post(
        reverse("relocation:register_employer"), {"name": "Farm", "bin": number, "district": str(district.pk)}
    )

    assert response.status_code == status
    html = response.content.decode()
    field = html.split('name="bin"')[0].rsplit('<div class="field', 1)[1]
    assert "has-error" in field
    assert Employer.objects.count() == 1


def test_people_who_are_not_programme_staff_cannot_verify() -> None:
    okrug = OkrugFactory.create()
    employer = EmployerFactory.create(verified_at=None, district=okrug.district)

    for person in (employer_user(employer), akimat_user(okrug), UserFactory.create()):
        response = signed_in(person).post(reverse("relocation:verify_employer", args=[employer.pk]))
        assert response.status_code == 403

    employer.refresh_from_db()
    assert employer.verified_at is None


def test_the_employers_list_shows_staff_the_waiting_with_a_verify_button_and_the_verified() -> None:
    waiting = EmployerFactory.create(verified_at=None)
    verified = EmployerFactory.create()
    staff_html = page(signed_in(programme_staff_user(RegionFactory.create())).get(reverse("relocation:employers")))
    person_html = page(signed_in(employer_user(waiting)).get(reverse("relocation:employers")))

    assert_escaped(staff_html)
    assert reverse("relocation:verify_employer", args=[waiting.pk]) in staff_html
    assert reverse("relocation:verify_employer", args=[verified.pk]) not in staff_html
    assert escape(verified.name) in staff_html
    assert_escaped(person_html)
    assert "/verify/" not in person_html
    assert escape(waiting.name) in person_html
    assert escape(verified.name) not in person_html
    assert "Waiting for the programme" in person_html


def test_verifying_an_organisation_twice_says_it_is_already_verified() -> None:
    employer = EmployerFactory.create()

    response = signed_in(programme_staff_user(RegionFactory.create())).post(
        reverse("relocation:verify_employer", args=[employer.pk])
    )

    assert response.status_code == 409
    assert "already verified" in response.content.decode()


def test_once_staff_verify_it_the_registered_employers_person_publishes_a_vacancy() -> None:
    okrug = OkrugFactory.create()
    settlement = settlement_in(okrug)
    person = UserFactory.create()
    client = signed_in(person)
    client.post(
        reverse("relocation:register_employer"), {"name": "Farm", "bin": BIN, "district": str(okrug.district.pk)}
    )
    employer = Employer.objects.get()
    refused = client.get(reverse("relocation:new_offer"))

    verified = signed_in(programme_staff_user(RegionFactory.create())).post(
        reverse("relocation:verify_employer", args=[employer.pk])
    )
    published = client.post(
        reverse("relocation:new_offer"),
        {
            "settlement": str(settlement.pk),
            "employer": str(employer.pk),
            "kind": "vacancy",
            "title": "Veterinarian wanted",
            "position": "Vet",
            "profession": str(profession("veterinarian").pk),
            "positions": "1",
            "salary_tenge": "300000",
        },
    )

    assert refused.status_code == 403
    assert reverse("relocation:register_employer") in refused.content.decode()
    assert verified.status_code == 302
    assert published.status_code == 302
    offer = Offer.objects.get()
    assert (offer.employer, offer.status, offer.published_by) == (employer, Offer.Status.PUBLISHED, person)


def test_offers_i_manage_links_to_registering_for_everyone_but_staff() -> None:
    okrug = OkrugFactory.create()
    link = reverse("relocation:register_employer")

    assert link in page(signed_in(UserFactory.create()).get(reverse("relocation:my_offers")))
    assert link not in page(signed_in(akimat_user(okrug)).get(reverse("relocation:my_offers")))


def test_the_employers_list_keeps_its_query_budget(django_assert_max_num_queries: Any) -> None:
    staff = programme_staff_user(RegionFactory.create())
    client = signed_in(staff)
    EmployerFactory.create(verified_at=None)
    EmployerFactory.create()
    # One more for the menu's unread notices count (kenes.notifications).
    with django_assert_max_num_queries(13) as few:
        page(client.get(reverse("relocation:employers")))

    for _ in range(10):
        EmployerFactory.create(verified_at=None)
        EmployerFactory.create()

    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(client.get(reverse("relocation:employers")))
    assert_escaped(html)
    assert html.count("/verify/") == 11
