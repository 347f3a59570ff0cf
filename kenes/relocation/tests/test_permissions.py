"""Who may publish and manage offers, see applicants and apply, over roles × territories."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.relocation import permissions
from kenes.relocation.models import Applicant, Offer
from kenes.relocation.tests.factories import (
    ApplicationFactory,
    EmployerFactory,
    MoveFactory,
    akimat_user,
    employer_user,
    family_applicant,
    housing_offer,
    programme_staff_user,
    support_offer,
    vacancy_offer,
)
from kenes.territory.models import Settlement
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

pytestmark = pytest.mark.django_db


@dataclass
class Place:
    settlement: Settlement
    people: dict[str, Any]


@pytest.fixture
def place() -> Place:
    settlement = SettlementFactory.create()
    okrug = settlement.okrug
    assert okrug is not None
    district = okrug.district
    employer = EmployerFactory.create(district=district)
    unverified = EmployerFactory.create(district=district, verified_at=None)

    def holder(role: str, territory: Any) -> Any:
        person = UserFactory.create()
        grant(person, role, territory)
        return person

    people: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "nobody": UserFactory.create(),
        "okrug_akimat": akimat_user(okrug),
        "neighbour_okrug_akimat": akimat_user(OkrugFactory.create(district=district)),
        "district_admin": holder(Role.DISTRICT_ADMIN, district),
        "other_district_admin": holder(Role.DISTRICT_ADMIN, DistrictFactory.create(region=district.region)),
        "oblast_admin": holder(Role.OBLAST_ADMIN, district.region),
        "programme_staff": programme_staff_user(district.region),
        "programme_staff_elsewhere": programme_staff_user(RegionFactory.create()),
        "resident": holder(Role.RESIDENT, okrug),
        "employer": employer_user(employer),
        "unverified_employer": employer_user(unverified),
        "superuser": SuperuserFactory.create(),
    }
    return Place(settlement=settlement, people=people)


STAFF_HERE = {"okrug_akimat", "district_admin", "oblast_admin", "programme_staff", "superuser"}


@pytest.mark.parametrize("kind", [Offer.Kind.LAND, Offer.Kind.SUPPORT])
def test_only_staff_of_the_place_publish_land_and_support(place: Place, kind: str) -> None:
    people = place.people.items()
    allowed = {name for name, user in people if permissions.can_publish_offer(user, place.settlement, kind)}
    assert allowed == STAFF_HERE


@pytest.mark.parametrize("kind", [Offer.Kind.VACANCY, Offer.Kind.HOUSING])
def test_verified_employers_also_publish_vacancies_and_housing(place: Place, kind: str) -> None:
    people = place.people.items()
    allowed = {name for name, user in people if permissions.can_publish_offer(user, place.settlement, kind)}
    assert allowed == STAFF_HERE | {"employer"}


def test_an_employers_person_publishes_only_for_their_own_verified_employer(place: Place) -> None:
    person = place.people["employer"]
    own = person.employers.get()
    other = EmployerFactory.create()
    assert permissions.can_publish_offer(person, place.settlement, Offer.Kind.VACANCY, own)
    assert not permissions.can_publish_offer(person, place.settlement, Offer.Kind.VACANCY, other)


def test_an_offer_is_managed_by_its_publisher_its_employer_and_staff_of_the_place(place: Place) -> None:
    publisher = UserFactory.create()
    employer = place.people["employer"].employers.get()
    offer = vacancy_offer(settlement=place.settlement, published_by=publisher, employer=employer)
    place.people["publisher"] = publisher
    allowed = {name for name, user in place.people.items() if permissions.can_manage_offer(user, offer)}
    assert allowed == STAFF_HERE | {"employer", "publisher"}


def test_an_applicant_is_seen_by_themself_and_programme_staff_until_they_apply(place: Place) -> None:
    applicant = family_applicant()
    place.people["applicant"] = applicant.user
    seeing = {name for name, user in place.people.items() if permissions.can_see_applicant(user, applicant)}
    assert seeing == {"applicant", "programme_staff", "programme_staff_elsewhere", "oblast_admin", "superuser"}


def test_after_applying_the_offers_managers_see_the_applicant_too(place: Place) -> None:
    applicant = family_applicant()
    employer = place.people["employer"].employers.get()
    ApplicationFactory.create(applicant=applicant, offer=vacancy_offer(settlement=place.settlement, employer=employer))
    seeing = {name for name, user in place.people.items() if permissions.can_see_applicant(user, applicant)}
    assert "employer" in seeing
    assert "okrug_akimat" in seeing
    assert "neighbour_okrug_akimat" not in seeing
    assert "unverified_employer" not in seeing
    assert "nobody" not in seeing


def test_an_application_to_someone_elses_offer_shows_the_applicant_to_nobody_here(place: Place) -> None:
    applicant = family_applicant()
    ApplicationFactory.create(applicant=applicant, offer=housing_offer())
    assert not permissions.can_see_applicant(place.people["employer"], applicant)
    assert not permissions.can_see_applicant(place.people["okrug_akimat"], applicant)


def test_programme_staff_are_programme_staff_or_oblast_admins_anywhere(place: Place) -> None:
    programme = {name for name, user in place.people.items() if permissions.is_programme_staff(user)}
    assert programme == {"programme_staff", "programme_staff_elsewhere", "oblast_admin", "superuser"}


def test_a_signed_in_applicant_with_consent_may_apply_to_an_open_offer() -> None:
    applicant = family_applicant()
    offer = support_offer()
    assert permissions.can_apply(applicant.user, offer)
    assert not permissions.can_apply(AnonymousUser(), offer)
    assert not permissions.can_apply(UserFactory.create(), offer)  # no applicant profile


def test_nobody_applies_to_a_closed_draft_or_expired_offer() -> None:
    user = family_applicant().user
    today = timezone.localdate()
    assert not permissions.can_apply(user, support_offer(status=Offer.Status.CLOSED))
    assert not permissions.can_apply(user, support_offer(status=Offer.Status.DRAFT))
    assert not permissions.can_apply(user, support_offer(expires_on=today - datetime.timedelta(days=1)))
    assert permissions.can_apply(user, support_offer(expires_on=today))


def test_an_applicant_who_withdrew_consent_may_not_apply() -> None:
    applicant = family_applicant()
    Applicant.objects.filter(pk=applicant.pk).update(consent_withdrawn_at=timezone.now())
    assert not permissions.can_apply(applicant.user, support_offer())


def test_staff_of_the_place_and_programme_staff_record_retention(place: Place) -> None:
    move = MoveFactory.create(application__offer=support_offer(settlement=place.settlement))
    allowed = {name for name, user in place.people.items() if permissions.can_record_retention(user, move)}
    assert allowed == STAFF_HERE | {"programme_staff_elsewhere"}
