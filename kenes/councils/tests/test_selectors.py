"""The council reads: lists and their query budgets, the composition of many councils at once, and
what each persona manages (which must agree with the permission predicates)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from kenes.councils import selectors
from kenes.councils.models import Council, SeatGroup
from kenes.councils.permissions import can_establish_council, can_manage_council
from kenes.councils.tests.factories import (
    CharterFactory,
    CoordinatorFactory,
    CouncilFactory,
    MemberFactory,
    PilotFactory,
    build_world,
    complete_council,
)
from kenes.territory.models import Okrug
from kenes.territory.tests.factories import OkrugFactory, RegionFactory, SettlementFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def annotated(row: Any) -> Any:
    """A row with the selector's annotations (which the type checker cannot see)."""
    return row


def test_councils_are_listed_by_district_okrug_and_pilot_with_their_member_counts():
    pilot = PilotFactory.create()
    in_pilot = CouncilFactory.create(okrug=OkrugFactory.create(district=pilot.district), pilot=pilot)
    elsewhere = CouncilFactory.create()
    MemberFactory.create_batch(2, council=in_pilot)
    MemberFactory.create(council=in_pilot, status="resigned", ended_on=TODAY)

    assert {c.pk: annotated(c).active_member_count for c in selectors.list_councils()} == {
        in_pilot.pk: 2,
        elsewhere.pk: 0,
    }
    assert list(selectors.list_councils(district=pilot.district)) == [in_pilot]
    assert list(selectors.list_councils(okrug=elsewhere.okrug)) == [elsewhere]
    assert list(selectors.list_councils(pilot=pilot)) == [in_pilot]


def test_listing_councils_costs_one_query(django_assert_num_queries):
    for _ in range(5):
        CouncilFactory.create()

    with django_assert_num_queries(1):
        councils = list(selectors.list_councils())
        labels = [(c.okrug.district.region.kato, c.charter.name, c.pilot) for c in councils]

    assert len(labels) == 5


@pytest.mark.parametrize("how_many", [1, 10])
def test_the_composition_of_many_councils_costs_a_fixed_number_of_queries(django_assert_max_num_queries, how_many):
    councils = [complete_council() for _ in range(how_many)]
    MemberFactory.create(council=councils[0], seat_group=SeatGroup.YOUTH, birth_date=datetime.date(1970, 1, 1))

    with django_assert_max_num_queries(6):
        problems = selectors.compositions_of(selectors.list_councils())

    assert [p.code for p in problems[councils[0].pk]] == ["youth_outside_age_band"]
    assert all(problems[c.pk] == [] for c in councils[1:])


def test_no_councils_have_no_problems_and_cost_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.compositions_of([]) == {}


def test_the_population_is_the_sum_of_the_settlements_when_every_one_is_known():
    council = complete_council()
    council.population = None
    council.population_year = None
    council.save()
    SettlementFactory.create(okrug=council.okrug, population=30_000, population_year=2025)

    assert [p.code for p in selectors.composition_of(council)] == ["too_few_members", "settlement_without_member"]

    SettlementFactory.create(okrug=council.okrug, population=None)
    assert selectors.composition_of(council)[0].code == "population_unknown"


def test_a_retired_settlement_needs_no_member():
    council = complete_council()
    SettlementFactory.create(okrug=council.okrug, retired_at=timezone.now())

    assert selectors.composition_of(council) == []


def test_only_serving_members_and_coordinators_count():
    council = complete_council()
    for member in council.members.all():
        member.status, member.ended_on = "resigned", TODAY
        member.save()

    codes = [p.code for p in selectors.composition_of(council)]

    assert "too_few_members" in codes
    assert "no_chair" in codes
    assert "no_coordinator" not in codes


def test_a_council_is_found_by_its_okrug_code():
    council = CouncilFactory.create()

    assert selectors.find_council(council.okrug.kato) == council
    assert selectors.find_council("999999999") is None


def test_members_are_grouped_in_every_group_with_officers_first():
    council = CouncilFactory.create()
    plain = MemberFactory.create(council=council, full_name="Әбіл", seat_group="business")
    chair = MemberFactory.create(council=council, full_name="Яков", seat_group="business", role="chair")
    MemberFactory.create(council=council, seat_group="business", status="resigned", ended_on=TODAY)

    groups = selectors.active_members_by_group(council)

    assert [group for group, _ in groups] == list(SeatGroup)
    assert dict(groups)[SeatGroup.BUSINESS] == [chair, plain]
    assert dict(groups)[SeatGroup.YOUTH] == []


def test_active_coordinators_leave_out_those_who_ended():
    council = CouncilFactory.create()
    serving = CoordinatorFactory.create(council=council)
    CoordinatorFactory.create(council=council, ended_on=TODAY)

    assert list(selectors.active_coordinators(council)) == [serving]


def test_the_history_shows_every_member_newest_change_first():
    council = CouncilFactory.create()
    early = MemberFactory.create(council=council, term_start=datetime.date(2023, 1, 1))
    left = MemberFactory.create(
        council=council, term_start=datetime.date(2022, 1, 1), status="resigned", ended_on=datetime.date(2024, 6, 1)
    )
    recent = MemberFactory.create(council=council, term_start=datetime.date(2025, 1, 1))

    assert list(selectors.membership_history(council)) == [recent, left, early]


def test_charter_rules_come_in_the_order_of_the_seat_groups():
    charter = CharterFactory.create(seat_rules=[])
    charter.seat_rules.create(group="other")
    charter.seat_rules.create(group="residents", min_seats=2)

    assert [r.group for r in selectors.charter_seat_rules(charter)] == ["residents", "other"]
    assert [b.population_from for b in selectors.charter_size_bands(charter)] == [0, 10_001, 15_001, 20_001]


@pytest.mark.parametrize(
    ("population", "band"), [(0, (5, 10)), (10_000, (5, 10)), (10_001, (11, 15)), (1_000_000, (21, 25))]
)
def test_the_size_band_for_a_population(population, band):
    found = selectors.size_band_for(CharterFactory.create(), population)

    assert found is not None
    assert (found.min_members, found.max_members) == band


def test_no_band_covers_a_population_in_a_gap():
    charter = CharterFactory.create(size_bands=[])
    charter.size_bands.create(population_from=100, population_to=200, min_members=1, max_members=2)

    assert selectors.size_band_for(charter, 50) is None


def test_charters_and_pilots_are_listed(django_assert_max_num_queries):
    pilot = PilotFactory.create()
    CouncilFactory.create(charter=pilot.charter, okrug=OkrugFactory.create(district=pilot.district))

    with django_assert_max_num_queries(1):
        charters = [(c.name, c.region, c.previous) for c in selectors.list_charters()]
    counts = [annotated(c).council_count for c in selectors.list_charters()]
    with django_assert_max_num_queries(3):
        pilots = [
            (p.charter.name, list(p.okrugs.all()), list(p.comparison_districts.all())) for p in selectors.list_pilots()
        ]

    assert charters == [(pilot.charter.name, pilot.charter.region, None)]
    assert counts == [1]
    assert len(pilots) == 1
    assert selectors.get_pilot(pilot.pk) == pilot
    with pytest.raises(Http404):
        selectors.get_pilot(pilot.pk + 1000)


# What each persona manages agrees with the predicates ------------------------------------------


def test_managed_councils_are_exactly_those_the_predicate_allows():
    world = build_world()
    CouncilFactory.create(okrug=world.okrug_in_other_district)
    CouncilFactory.create(okrug=world.far_okrug)
    councils = list(Council.objects.all())

    for name, user in world.people.items():
        expected = {c.pk for c in councils if can_manage_council(user, c)}
        assert {c.pk for c in selectors.managed_councils(user)} == expected, name


def test_okrugs_without_a_council_are_exactly_those_the_user_may_establish_rural_first():
    world = build_world()
    town = OkrugFactory.create(district=world.district, kind=Okrug.Kind.TOWN_ADMINISTRATION)
    OkrugFactory.create(district=world.district, retired_at=timezone.now())
    okrugs = list(Okrug.objects.filter(council__isnull=True, retired_at__isnull=True))

    for name, user in world.people.items():
        expected = {o.pk for o in okrugs if can_establish_council(user, o)}
        assert {o.pk for o in selectors.okrugs_without_council(user)} == expected, name

    listed = list(selectors.okrugs_without_council(world.people["district_admin"]))
    assert world.okrug not in listed  # it has a council
    assert listed[-1] == town
    assert set(listed[:-1]) == {world.other_okrug}


def test_the_charters_an_okrug_may_adopt_are_national_ones_and_its_oblasts():
    okrug = OkrugFactory.create()
    national = CharterFactory.create(region=None)
    own = CharterFactory.create(region=okrug.district.region)
    foreign = CharterFactory.create(region=RegionFactory.create())

    offered = set(selectors.list_charters(for_okrug=okrug))

    assert {national, own} <= offered
    assert foreign not in offered


def test_the_pilots_covering_an_okrug_are_those_of_its_district_or_listing_it():
    okrug = OkrugFactory.create()
    by_district = PilotFactory.create(district=okrug.district)
    by_list = PilotFactory.create(district=None, charter=CharterFactory.create(region=okrug.district.region))
    by_list.okrugs.add(okrug)
    elsewhere = PilotFactory.create()

    covering = list(selectors.list_pilots(covering=okrug))

    assert sorted(pilot.pk for pilot in covering) == sorted([by_district.pk, by_list.pk])
    assert elsewhere not in covering


def test_a_missing_charter_is_not_found():
    with pytest.raises(Http404):
        selectors.get_charter(987654)
