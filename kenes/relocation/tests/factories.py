"""Relocation test factories and personas. Titles, names, cities and texts carry `<script>`, so every
page showing them is also an escaping test. Rows are written straight to the database (for arranging
a test; the services are tested on their own).

- `profession(code)` → a seeded profession ("veterinarian", "teacher", "driver", ...);
  `ProfessionFactory` makes a new one.
- `EmployerFactory(district=..., verified_at=...)` → a verified employer (pass `verified_at=None`
  for one not checked yet).
- Offers, published today in a new settlement unless told otherwise (`settlement=`, `status=`,
  `published_at=`, `expires_on=`, `employer=`, `published_by=` and any other field):
  `vacancy_offer(profession="veterinarian", positions=1)`, `housing_offer(rooms=3, tenure="free")`,
  `land_offer(area_hectares=Decimal("0.25"))`, `support_offer(measure="microcredit",
  amount_mci=Decimal("2500"))`; `OfferFactory` is a support measure of 100 MCI.
- `family_applicant(members=[...], user=None, wished_districts=(), **fields)` → an applicant with
  consent given; each member is a dict of `HouseholdMember` fields (`profession` may be a code),
  the first with relation "self" unless given; default: one adult seeking no work.
  `ApplicantFactory` makes an applicant with no members; `HouseholdMemberFactory` one member.
- `ApplicationFactory(applicant=..., offer=..., status=...)`, `MoveFactory(application=...)` (a move
  of an accepted application, copying its offer's place; or of `applicant` to `settlement`).
- Personas: `programme_staff_user(region)`, `akimat_user(okrug)`, `employer_user(employer)`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from kenes.accounts.models import Role, User
from kenes.accounts.tests.factories import UserFactory, grant
from kenes.relocation.models import (
    Applicant,
    Application,
    Employer,
    HouseholdMember,
    Move,
    Offer,
    Profession,
)
from kenes.territory.models import District, Okrug, Region, Settlement
from kenes.territory.tests.factories import DistrictFactory, SettlementFactory

SCRIPT = "<script>alert(1)</script>"


# Personas ----------------------------------------------------------------------------------------


def programme_staff_user(region: Region, **user: Any) -> User:
    """Staff of the programme in the region (sees every applicant)."""
    person = UserFactory.create(**user)
    grant(person, Role.PROGRAMME_STAFF, region)
    return person


def akimat_user(okrug: Okrug | District | None, **user: Any) -> User:
    """Staff of an akim's office (akimat_staff held at the okrug, or at a district)."""
    assert okrug is not None, "a settlement with no okrug has no okrug akimat"
    person = UserFactory.create(**user)
    grant(person, Role.AKIMAT_STAFF, okrug)
    return person


def employer_user(employer: Employer, **user: Any) -> User:
    """A person working for the employer (one of its users)."""
    person = UserFactory.create(**user)
    employer.users.add(person)
    return person


# Catalogue and employers ---------------------------------------------------------------------------


def profession(code: str) -> Profession:
    """A profession of the seeded catalogue."""
    return Profession.objects.get(code=code)


class ProfessionFactory(DjangoModelFactory[Profession]):
    class Meta:
        model = Profession
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"profession-{n}")
    name_kk = factory.Sequence(lambda n: f"Мамандық {n} {SCRIPT}")
    name_ru = factory.Sequence(lambda n: f"Профессия {n} {SCRIPT}")
    name_en = factory.Sequence(lambda n: f"Profession {n} {SCRIPT}")


class EmployerFactory(DjangoModelFactory[Employer]):
    class Meta:
        model = Employer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"«Береке {n}» ЖШС {SCRIPT}")
    bin = factory.Sequence(lambda n: f"{240340000000 + n:012d}")
    district = factory.SubFactory(DistrictFactory)
    verified_at = factory.LazyFunction(timezone.now)


# Offers ------------------------------------------------------------------------------------------


class OfferFactory(DjangoModelFactory[Offer]):
    """A published support measure (lifting allowance, 100 MCI); the helpers below make the other kinds."""

    class Meta:
        model = Offer

    kind = Offer.Kind.SUPPORT
    status = Offer.Status.PUBLISHED
    settlement = factory.SubFactory(SettlementFactory)
    okrug = factory.LazyAttribute(lambda o: o.settlement.okrug)
    district = factory.LazyAttribute(lambda o: o.settlement.district)
    title = factory.Sequence(lambda n: f"Ұсыныс {n} {SCRIPT}")
    description = f"Сипаттама {SCRIPT}"
    published_by = factory.SubFactory(UserFactory)
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.status != Offer.Status.DRAFT else None)
    closed_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == Offer.Status.CLOSED else None)
    measure = Offer.Measure.LIFTING_ALLOWANCE
    amount_mci = Decimal("100")


def _profession(value: Profession | str) -> Profession:
    return value if isinstance(value, Profession) else profession(value)


def vacancy_offer(profession: Profession | str = "veterinarian", positions: int = 1, **fields: Any) -> Offer:
    values: dict[str, Any] = {
        "position": f"Ветеринар {SCRIPT}",
        "salary_tenge": 250_000,
        "requirements": f"Диплом {SCRIPT}",
        "measure": "",
        "amount_mci": None,
        **fields,
    }
    return OfferFactory.create(
        kind=Offer.Kind.VACANCY, profession=_profession(profession), positions=positions, **values
    )


def housing_offer(rooms: int = 3, tenure: str = Offer.Tenure.FREE, **fields: Any) -> Offer:
    values: dict[str, Any] = {
        "housing_type": Offer.HousingType.HOUSE,
        "condition": Offer.HousingCondition.GOOD,
        "available_from": None,
        "measure": "",
        "amount_mci": None,
        **fields,
    }
    return OfferFactory.create(kind=Offer.Kind.HOUSING, rooms=rooms, tenure=tenure, **values)


def land_offer(area_hectares: Decimal = Decimal("0.25"), **fields: Any) -> Offer:
    values: dict[str, Any] = {
        "land_purpose": Offer.LandPurpose.HOUSEHOLD_FARMING,
        "measure": "",
        "amount_mci": None,
        **fields,
    }
    return OfferFactory.create(kind=Offer.Kind.LAND, area_hectares=area_hectares, **values)


def support_offer(
    measure: str = Offer.Measure.MICROCREDIT, amount_mci: Decimal = Decimal("2500"), **fields: Any
) -> Offer:
    return OfferFactory.create(kind=Offer.Kind.SUPPORT, measure=measure, amount_mci=amount_mci, **fields)


# Applicants --------------------------------------------------------------------------------------


class ApplicantFactory(DjangoModelFactory[Applicant]):
    """An applicant with consent given and no household members yet (see `family_applicant`)."""

    class Meta:
        model = Applicant
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    current_city = f"Орал {SCRIPT}"
    phone = "+77011234567"
    notes = f"Біз туралы {SCRIPT}"
    consent_given_at = factory.LazyFunction(timezone.now)


class HouseholdMemberFactory(DjangoModelFactory[HouseholdMember]):
    class Meta:
        model = HouseholdMember

    applicant = factory.SubFactory(ApplicantFactory)
    relation = HouseholdMember.Relation.SELF
    full_name = factory.Sequence(lambda n: f"Ерлан {SCRIPT} Сериков {n}")
    birth_year = 1990
    skills = f"Жүргізуші куәлігі {SCRIPT}"
    seeks_work = False


def family_applicant(
    members: Iterable[dict[str, Any]] | None = None,
    *,
    user: User | None = None,
    wished_districts: Iterable[District] = (),
    **fields: Any,
) -> Applicant:
    """An applicant and their household: `members` are dicts of member fields (`profession` may be a
    code); the first is the applicant themself unless its relation says otherwise."""
    applicant = ApplicantFactory.create(**({"user": user} if user is not None else {}), **fields)
    rows = list(members) if members is not None else [{}]
    for index, row in enumerate(rows):
        values = dict(row)
        values.setdefault("relation", HouseholdMember.Relation.SELF if index == 0 else HouseholdMember.Relation.CHILD)
        if isinstance(values.get("profession"), str):
            values["profession"] = profession(values["profession"])
        HouseholdMemberFactory.create(applicant=applicant, **values)
    applicant.wished_districts.set(list(wished_districts))
    return applicant


# Applications and moves ----------------------------------------------------------------------------


class ApplicationFactory(DjangoModelFactory[Application]):
    class Meta:
        model = Application

    applicant = factory.SubFactory(ApplicantFactory)
    offer = factory.LazyFunction(lambda: vacancy_offer())
    status = Application.Status.APPLIED
    message = f"Сәлеметсіз бе {SCRIPT}"
    decided_reason = factory.LazyAttribute(
        lambda o: f"Себебі {SCRIPT}" if o.status == Application.Status.DECLINED else ""
    )


class MoveFactory(DjangoModelFactory[Move]):
    """A move of an accepted application's household to its offer's settlement (status "moved")."""

    class Meta:
        model = Move

    application = factory.SubFactory(ApplicationFactory, status=Application.Status.MOVED)
    applicant = factory.LazyAttribute(lambda o: o.application.applicant if o.application else ApplicantFactory())
    settlement = factory.LazyAttribute(
        lambda o: o.application.offer.settlement if o.application else SettlementFactory()
    )
    okrug = factory.LazyAttribute(lambda o: o.settlement.okrug)
    district = factory.LazyAttribute(lambda o: o.settlement.district)
    moved_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    household_size = 3
    children = 1
    employed = 1
    recorded_by = factory.SubFactory(UserFactory)


def settlement_in(okrug: Okrug) -> Settlement:
    """A new settlement of the okrug."""
    return SettlementFactory.create(okrug=okrug)
