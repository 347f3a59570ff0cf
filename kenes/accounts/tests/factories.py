"""Shared personas and a small local territory for the accounts tests (and for later apps' tests).

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


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("kato",)

    kato = factory.Sequence(lambda n: f"{n % 80 + 10:02d}0000000")
    name_kk = factory.Sequence(lambda n: f"Облыс {n}")
    name_ru = factory.Sequence(lambda n: f"Область {n}")
    short_name_kk = factory.SelfAttribute("name_kk")
    short_name_ru = factory.SelfAttribute("name_ru")


class DistrictFactory(DjangoModelFactory[District]):
    class Meta:
        model = District
        django_get_or_create = ("kato",)

    region = factory.SubFactory(RegionFactory)
    kato = factory.LazyAttributeSequence(lambda o, n: f"{o.region.kato[:2]}{n % 80 + 10:02d}00000")
    name_kk = factory.Sequence(lambda n: f"Аудан {n}")
    name_ru = factory.Sequence(lambda n: f"Район {n}")
    short_name_kk = factory.SelfAttribute("name_kk")
    short_name_ru = factory.SelfAttribute("name_ru")


class OkrugFactory(DjangoModelFactory[Okrug]):
    class Meta:
        model = Okrug
        django_get_or_create = ("kato",)

    district = factory.SubFactory(DistrictFactory)
    kato = factory.LazyAttributeSequence(lambda o, n: f"{o.district.kato[:4]}{n % 80 + 10:02d}000")
    name_kk = factory.Sequence(lambda n: f"Округ {n}")
    name_ru = factory.Sequence(lambda n: f"Округ {n}")
    short_name_kk = factory.Sequence(lambda n: f"Округ {n}")
    short_name_ru = factory.Sequence(lambda n: f"Округ {n}")


class SettlementFactory(DjangoModelFactory[Settlement]):
    class Meta:
        model = Settlement
        django_get_or_create = ("kato",)

    okrug = factory.SubFactory(OkrugFactory)
    district = factory.LazyAttribute(lambda o: o.okrug.district)
    kato = factory.LazyAttributeSequence(lambda o, n: f"{o.okrug.kato[:6]}{n % 800 + 100:03d}")
    name_kk = factory.Sequence(lambda n: f"Ауыл {n}")
    name_ru = factory.Sequence(lambda n: f"Село {n}")
    short_name_kk = factory.SelfAttribute("name_kk")
    short_name_ru = factory.SelfAttribute("name_ru")


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
