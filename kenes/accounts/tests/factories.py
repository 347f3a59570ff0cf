"""Shared personas for the accounts tests (and for later apps' tests); territory comes from
`kenes.territory.tests.factories`.

Names carry `<script>` so that every page showing them is also an escaping test.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from kenes.accounts.iin import compute_check_digit
from kenes.accounts.models import ResidentProfile, Role, RoleAssignment, User
from kenes.accounts.services import set_residency
from kenes.territory.models import District, Okrug, Region, Settlement
from kenes.territory.tests.factories import SettlementFactory

PASSWORD = "Kenes-test-password-2025"
SCRIPT = "<script>alert(1)</script>"


def make_iin(birth_date: datetime.date, *, female: bool = False, serial: int = 0) -> str:
    """A synthetic valid IIN: the first serial from `serial` on that gives an issued number."""
    century_digit = {18: 1, 19: 3, 20: 5}[birth_date.year // 100] + (1 if female else 0)
    for candidate in range(serial, 10000):
        first_eleven = f"{birth_date:%y%m%d}{century_digit}{candidate:04d}"
        check = compute_check_digit(first_eleven)
        if check is not None:
            return f"{first_eleven}{check}"
    raise ValueError("no issued IIN from this serial on")


@functools.cache
def _password_hash() -> str:
    return make_password(PASSWORD)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"resident{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    full_name = factory.Sequence(lambda n: f"Айгүл {SCRIPT} Серікқызы {n}")
    # One Argon2 hash shared by every persona: hashing is deliberately slow, and tests make many users.
    password = factory.LazyFunction(lambda: _password_hash())


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"root{n}")
    full_name = factory.Sequence(lambda n: f"Әкімші {SCRIPT} {n}")
    is_staff = True
    is_superuser = True


def grant(user: User, role_code: str, territory: Region | District | Okrug) -> RoleAssignment:
    """Gives a role directly, for arranging a test (the service is tested on its own)."""
    scope: dict[str, Any] = {"region": None, "district": None, "okrug": None}
    scope[territory._meta.model_name or ""] = territory
    return RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role_code), **scope)


_serials = iter(range(10000))


def make_resident(
    user: User | None = None, settlement: Settlement | None = None, iin: str | None = None
) -> ResidentProfile:
    """A resident persona, made through the service as a person declaring their own residency."""
    person = user or UserFactory.create()
    place = settlement or SettlementFactory.create()
    number = iin or make_iin(datetime.date(1990, 1, 1), serial=next(_serials))
    return set_residency(actor=person, user=person, iin=number, settlement=place)
