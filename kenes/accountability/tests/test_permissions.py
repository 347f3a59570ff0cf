"""Who may act on a recommendation, over a matrix of roles × territories × addressees × states.

The office of a recommendation to the okrug akim is the okrug; to a district department or the
maslikhat, the okrug's district. Akimat staff holding the role there or above staff the office;
district administrators only a district's office. The council's officers judge answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from kenes.accountability import permissions
from kenes.accountability.tests.factories import (
    akimat_user,
    answered_recommendation,
    council_officer,
    district_user,
    sent_recommendation,
)
from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.councils.models import Council
from kenes.councils.tests.factories import CoordinatorFactory
from kenes.meetings.models import Recommendation
from kenes.proposals.tests.factories import resident_of
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory

pytestmark = pytest.mark.django_db


@dataclass
class Place:
    council: Council
    people: dict[str, Any]


@pytest.fixture
def place() -> Place:
    council = sent_recommendation().council
    okrug = council.okrug
    district = okrug.district
    other_district = DistrictFactory.create(region=district.region)
    region_staff = UserFactory.create()
    grant(region_staff, Role.AKIMAT_STAFF, district.region)
    region_admin = UserFactory.create()
    grant(region_admin, Role.DISTRICT_ADMIN, district.region)
    okrug_admin = UserFactory.create()  # a district role held at an okrug covers no district
    grant(okrug_admin, Role.DISTRICT_ADMIN, okrug)
    coordinator = UserFactory.create()
    CoordinatorFactory.create(council=council, user=coordinator)
    people: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "resident": resident_of(okrug),
        "okrug_staff": akimat_user(okrug),
        "neighbour_okrug_staff": akimat_user(OkrugFactory.create(district=district)),
        "district_staff": district_user(district, role=Role.AKIMAT_STAFF),
        "district_admin": district_user(district, role=Role.DISTRICT_ADMIN),
        "district_admin_elsewhere": district_user(other_district, role=Role.DISTRICT_ADMIN),
        "district_staff_elsewhere": district_user(other_district, role=Role.AKIMAT_STAFF),
        "region_staff": region_staff,
        "region_admin": region_admin,
        "okrug_admin": okrug_admin,
        "council_officer": council_officer(council),
        "coordinator": coordinator,
        "superuser": SuperuserFactory.create(),
    }
    return Place(council=council, people=people)


OKRUG_OFFICE = {"okrug_staff", "district_staff", "region_staff", "superuser"}
DISTRICT_OFFICE = {"district_staff", "district_admin", "region_staff", "region_admin", "superuser"}
EVERYONE = {
    "anonymous",
    "resident",
    "okrug_staff",
    "neighbour_okrug_staff",
    "district_staff",
    "district_admin",
    "district_admin_elsewhere",
    "district_staff_elsewhere",
    "region_staff",
    "region_admin",
    "okrug_admin",
    "council_officer",
    "coordinator",
    "superuser",
}


def allowed(predicate, place: Place, recommendation: Recommendation) -> set[str]:
    return {name for name, person in place.people.items() if predicate(person, recommendation)}


@pytest.mark.parametrize(
    ("addressee_kind", "office"),
    [
        ("okrug_akim", OKRUG_OFFICE),
        ("district_department", DISTRICT_OFFICE),
        ("maslikhat", DISTRICT_OFFICE),
    ],
)
def test_the_addressed_office_answers_forwards_and_extends(place, addressee_kind, office):
    recommendation = sent_recommendation(council=place.council, addressee_kind=addressee_kind)

    assert allowed(permissions.staffs_office, place, recommendation) == office
    assert allowed(permissions.can_answer, place, recommendation) == office
    assert allowed(permissions.can_forward, place, recommendation) == office
    assert allowed(permissions.can_extend, place, recommendation) == office
    assert allowed(permissions.can_report_progress, place, recommendation) == set()
    assert allowed(permissions.can_judge_answer, place, recommendation) == set()


def test_the_office_of_a_recommendation_follows_its_current_addressee(place):
    recommendation = sent_recommendation(council=place.council)
    assert permissions.office_of(recommendation) == place.council.okrug
    recommendation.addressee_kind = Recommendation.Addressee.MASLIKHAT
    assert permissions.office_of(recommendation) == place.council.okrug.district


@pytest.mark.parametrize("kind", ["accepted", "partially_accepted"])
def test_the_office_reports_progress_on_accepted_measures_only_once_answered(place, kind):
    recommendation = answered_recommendation(council=place.council, kind=kind)

    assert allowed(permissions.can_report_progress, place, recommendation) == OKRUG_OFFICE
    assert allowed(permissions.can_answer, place, recommendation) == set()


def test_there_is_no_progress_to_report_on_a_declined_answer(place):
    recommendation = answered_recommendation(council=place.council, kind="declined")
    assert allowed(permissions.can_report_progress, place, recommendation) == set()


def test_those_who_run_the_councils_sittings_judge_an_answered_recommendation(place):
    recommendation = answered_recommendation(council=place.council, kind="declined")

    judges = allowed(permissions.can_judge_answer, place, recommendation)

    assert {"council_officer", "coordinator", "superuser"} <= judges
    assert not judges & {"anonymous", "resident", "okrug_staff", "district_staff_elsewhere", "okrug_admin"}


@pytest.mark.parametrize("status", ["implemented", "unsatisfactory"])
def test_nothing_more_is_done_once_implemented_or_judged(place, status):
    recommendation = answered_recommendation(council=place.council, kind="accepted")
    recommendation.status = status
    recommendation.implemented_on = recommendation.answered_on
    recommendation.progress_percent = 100
    for predicate in (
        permissions.can_answer,
        permissions.can_report_progress,
        permissions.can_judge_answer,
    ):
        assert allowed(predicate, place, recommendation) == set()


def test_an_adopted_recommendation_not_sent_is_not_for_the_office(place):
    recommendation = sent_recommendation(council=place.council)
    recommendation.status = Recommendation.Status.ADOPTED
    assert allowed(permissions.can_answer, place, recommendation) == set()


def test_akimat_staff_and_district_administrators_have_an_inbox(place):
    users = {name for name, person in place.people.items() if permissions.can_use_inbox(person)}
    assert users == {
        "okrug_staff",
        "neighbour_okrug_staff",
        "district_staff",
        "district_admin",
        "district_admin_elsewhere",
        "district_staff_elsewhere",
        "region_staff",
        "region_admin",
        "okrug_admin",
        "superuser",
    }
    assert users < EVERYONE
