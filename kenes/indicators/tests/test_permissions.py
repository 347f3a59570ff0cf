"""Who may load indicator files: a superuser, or oblast or district administrators and programme
staff wherever they hold the role; nobody else (residents, akimat staff, council members)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.indicators.permissions import can_import_indicators
from kenes.territory.models import District, Okrug, Region
from kenes.territory.tests.factories import OkrugFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_may_not_import() -> None:
    assert not can_import_indicators(AnonymousUser())


def test_a_person_without_a_role_may_not_import() -> None:
    assert not can_import_indicators(UserFactory.create())


def test_a_superuser_may_import() -> None:
    assert can_import_indicators(SuperuserFactory.create())


@pytest.mark.parametrize("role", [Role.OBLAST_ADMIN, Role.DISTRICT_ADMIN, Role.PROGRAMME_STAFF])
@pytest.mark.parametrize("level", ["region", "district", "okrug"])
def test_administrators_and_programme_staff_may_import_wherever_they_hold_the_role(role: str, level: str) -> None:
    okrug = OkrugFactory.create()
    territories: dict[str, Region | District | Okrug] = {
        "region": okrug.district.region,
        "district": okrug.district,
        "okrug": okrug,
    }
    territory = territories[level]
    person = UserFactory.create()
    grant(person, role, territory)

    assert can_import_indicators(person)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.COUNCIL_MEMBER, Role.COORDINATOR, Role.AKIMAT_STAFF])
def test_other_roles_may_not_import(role: str) -> None:
    okrug = OkrugFactory.create()
    person = UserFactory.create()
    grant(person, role, okrug.district)

    assert not can_import_indicators(person)
