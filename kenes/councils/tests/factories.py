"""Councils test factories. Names carry `<script>` so every page showing them is an escaping test.

- `CharterFactory` makes the default seat rules and size bands (Order 295/88) unless given
  `seat_rules=[SeatRuleFacts, ...]` / `size_bands=[SizeBandFacts, ...]` (an empty list makes none).
- `CouncilFactory` uses a locked charter of the okrug's region.
- `MemberFactory` gives a residents seat a settlement of the council's okrug.
- `complete_council()` builds a council that passes the composition check today.
- `build_world()` makes two oblasts, districts, okrugs, a council and one persona per role and place.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import factory
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from factory.django import DjangoModelFactory

from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.councils.composition import DEFAULT_SEAT_RULES, DEFAULT_SIZE_BANDS, SeatRuleFacts, SizeBandFacts
from kenes.councils.models import (
    Charter,
    CharterSeatRule,
    CharterSizeBand,
    Coordinator,
    Council,
    Member,
    Pilot,
    SeatGroup,
)
from kenes.territory.models import District, Okrug, Region
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

SCRIPT = "<script>alert(1)</script>"


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def years_after(day: datetime.date, years: int) -> datetime.date:
    return years_before(day, -years)


class CharterFactory(DjangoModelFactory[Charter]):
    class Meta:
        model = Charter
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ереже {n} {SCRIPT}")
    version = 1
    region = None

    @factory.post_generation
    def seat_rules(self: Charter, create: bool, extracted: Sequence[SeatRuleFacts] | None, **kwargs: Any) -> None:
        if not create:
            return
        rules = DEFAULT_SEAT_RULES if extracted is None else extracted
        CharterSeatRule.objects.bulk_create(
            CharterSeatRule(charter=self, group=r.group, min_seats=r.min_seats, max_seats=r.max_seats) for r in rules
        )

    @factory.post_generation
    def size_bands(self: Charter, create: bool, extracted: Sequence[SizeBandFacts] | None, **kwargs: Any) -> None:
        if not create:
            return
        bands = DEFAULT_SIZE_BANDS if extracted is None else extracted
        CharterSizeBand.objects.bulk_create(
            CharterSizeBand(
                charter=self,
                population_from=b.population_from,
                population_to=b.population_to,
                min_members=b.min_members,
                max_members=b.max_members,
            )
            for b in bands
        )


class PilotFactory(DjangoModelFactory[Pilot]):
    class Meta:
        model = Pilot
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Пилоттық жоба {n} {SCRIPT}")
    district = factory.SubFactory(DistrictFactory)
    charter = factory.SubFactory(CharterFactory, region=factory.SelfAttribute("..district.region"))
    starts_on = datetime.date(2025, 4, 1)
    ends_on = datetime.date(2027, 12, 31)


class CouncilFactory(DjangoModelFactory[Council]):
    class Meta:
        model = Council

    okrug = factory.SubFactory(OkrugFactory)
    charter = factory.SubFactory(
        CharterFactory,
        region=factory.SelfAttribute("..okrug.district.region"),
        locked_at=factory.LazyFunction(timezone.now),
    )
    pilot = None
    established_on = datetime.date(2025, 4, 1)
    population = None
    population_year = None


class MemberFactory(DjangoModelFactory[Member]):
    class Meta:
        model = Member

    council = factory.SubFactory(CouncilFactory)
    full_name = factory.Sequence(lambda n: f"Асқар {SCRIPT} Бекұлы {n}")
    seat_group = SeatGroup.PUBLIC_ASSOCIATIONS
    settlement = factory.LazyAttribute(
        lambda o: SettlementFactory.create(okrug=o.council.okrug) if o.seat_group == SeatGroup.RESIDENTS else None
    )
    birth_date = datetime.date(1980, 5, 5)
    organisation = ""
    role = Member.Role.MEMBER
    term_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=180))
    term_end = factory.LazyAttribute(lambda o: years_after(o.term_start, 4))


class CoordinatorFactory(DjangoModelFactory[Coordinator]):
    class Meta:
        model = Coordinator

    council = factory.SubFactory(CouncilFactory)
    full_name = factory.Sequence(lambda n: f"Депутат {SCRIPT} {n}")
    maslikhat = f"Аудандық мәслихат {SCRIPT}"
    constituency = "№ 5 сайлау округі"
    started_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))


def complete_council(okrug: Okrug | None = None, **council_fields: Any) -> Council:
    """A council that meets the default charter today: 2,400 residents; a residents member for each
    of the okrug's settlements (one is made if it has none), the first of them chair; public
    associations (the secretary), business, youth aged 25 and veterans; one coordinator deputy.
    Extra keyword arguments go to `CouncilFactory`."""
    council = CouncilFactory.create(okrug=okrug or OkrugFactory.create(), **council_fields)
    settlements = list(council.okrug.settlements.filter(retired_at__isnull=True).order_by("kato"))
    if not settlements:
        settlements = [SettlementFactory.create(okrug=council.okrug, population=2400, population_year=2025)]
    if council.population is None:
        council.population = 2400
        council.population_year = 2025
        council.save(update_fields=["population", "population_year"])
    today = timezone.localdate()
    for index, settlement in enumerate(settlements):
        role = Member.Role.CHAIR if index == 0 else Member.Role.MEMBER
        MemberFactory.create(council=council, seat_group=SeatGroup.RESIDENTS, settlement=settlement, role=role)
    MemberFactory.create(council=council, seat_group=SeatGroup.PUBLIC_ASSOCIATIONS, role=Member.Role.SECRETARY)
    MemberFactory.create(council=council, seat_group=SeatGroup.BUSINESS)
    MemberFactory.create(council=council, seat_group=SeatGroup.YOUTH, birth_date=years_before(today, 25))
    MemberFactory.create(council=council, seat_group=SeatGroup.VETERANS, birth_date=datetime.date(1950, 2, 3))
    CoordinatorFactory.create(council=council)
    return council


@dataclass
class World:
    """Two oblasts. In the first: a district with two okrugs (the first has a council) and another
    district with one okrug; in the second oblast, one okrug. `people` holds one persona per role
    and place, named as in the permission matrix."""

    region: Region
    other_region: Region
    district: District
    other_district: District
    okrug: Okrug
    other_okrug: Okrug
    okrug_in_other_district: Okrug
    far_okrug: Okrug
    council: Council
    people: dict[str, Any]


def build_world() -> World:
    region = RegionFactory.create()
    other_region = RegionFactory.create()
    district = DistrictFactory.create(region=region)
    other_district = DistrictFactory.create(region=region)
    okrug = OkrugFactory.create(district=district)
    other_okrug = OkrugFactory.create(district=district)
    okrug_in_other_district = OkrugFactory.create(district=other_district)
    far_okrug = OkrugFactory.create(district=DistrictFactory.create(region=other_region))
    council = CouncilFactory.create(okrug=okrug)

    def person(name: str, role: str | None = None, territory: Region | District | Okrug | None = None) -> Any:
        user = UserFactory.create(username=name)
        if role is not None and territory is not None:
            grant(user, role, territory)
        return user

    people: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "resident": person("resident", Role.RESIDENT, okrug),
        "council_member": person("council_member", Role.COUNCIL_MEMBER, okrug),
        "coordinator": person("coordinator", Role.COORDINATOR, okrug),
        "coordinator_elsewhere": person("coordinator_elsewhere", Role.COORDINATOR, other_okrug),
        "akimat_staff": person("akimat_staff", Role.AKIMAT_STAFF, district),
        "district_admin": person("district_admin", Role.DISTRICT_ADMIN, district),
        "district_admin_elsewhere": person("district_admin_elsewhere", Role.DISTRICT_ADMIN, other_district),
        "oblast_admin": person("oblast_admin", Role.OBLAST_ADMIN, region),
        "oblast_admin_elsewhere": person("oblast_admin_elsewhere", Role.OBLAST_ADMIN, other_region),
        "programme_staff": person("programme_staff", Role.PROGRAMME_STAFF, region),
        "superuser": SuperuserFactory.create(username="superuser"),
    }
    return World(
        region=region,
        other_region=other_region,
        district=district,
        other_district=other_district,
        okrug=okrug,
        other_okrug=other_okrug,
        okrug_in_other_district=okrug_in_other_district,
        far_okrug=far_okrug,
        council=council,
        people=people,
    )
