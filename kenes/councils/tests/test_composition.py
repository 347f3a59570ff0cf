"""The composition check, by example (one test per problem) and by property over random charters
and councils (hypothesis). Pure: no database."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter

import pytest
from django.utils import translation
from django.utils.formats import date_format
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kenes.councils.composition import (
    DEFAULT_SEAT_RULES,
    DEFAULT_SIZE_BANDS,
    CharterFacts,
    CouncilFacts,
    MemberFacts,
    Problem,
    SeatRuleFacts,
    SettlementFacts,
    SizeBandFacts,
    age_on,
    check_composition,
    group_label,
)
from kenes.councils.models import SeatGroup

TODAY = datetime.date(2026, 3, 21)
GROUPS = tuple(SeatGroup.values)
SIZE_CODES = {"population_unknown", "no_size_band", "too_few_members", "too_many_members"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def charter_facts(**changes) -> CharterFacts:
    facts = CharterFacts(
        seat_rules=DEFAULT_SEAT_RULES,
        size_bands=DEFAULT_SIZE_BANDS,
        members_per_settlement=1,
        youth_age_min=14,
        youth_age_max=35,
    )
    return dataclasses.replace(facts, **changes)


def member(
    name: str = "Асқар Б.",
    group: str = SeatGroup.PUBLIC_ASSOCIATIONS,
    role: str = "member",
    settlement: str | None = None,
    birth_date: datetime.date | None = datetime.date(1980, 1, 1),
    term_end: datetime.date = datetime.date(2029, 4, 1),
) -> MemberFacts:
    return MemberFacts(name, group, role, settlement, birth_date, term_end)


DARIYA = SettlementFacts("274033100", "Дария")


def passing_council(**changes) -> CouncilFacts:
    """Meets the default charter: five members, one settlement, one coordinator."""
    facts = CouncilFacts(
        population=2400,
        settlements=(DARIYA,),
        members=(
            member("Төраға <script>", SeatGroup.RESIDENTS, "chair", DARIYA.kato),
            member("Хатшы", SeatGroup.PUBLIC_ASSOCIATIONS, "secretary"),
            member("Кәсіпкер", SeatGroup.BUSINESS),
            member("Жас", SeatGroup.YOUTH, birth_date=datetime.date(2000, 6, 1)),
            member("Ардагер", SeatGroup.VETERANS, birth_date=datetime.date(1950, 6, 1)),
        ),
        coordinator_count=1,
        today=TODAY,
    )
    return dataclasses.replace(facts, **changes)


def codes(problems: list[Problem]) -> list[str]:
    return [problem.code for problem in problems]


# By example -------------------------------------------------------------------------------------


def test_a_council_that_meets_every_rule_has_no_problems():
    assert check_composition(charter=charter_facts(), council=passing_council()) == []


def test_an_unknown_population_is_reported_instead_of_the_size():
    problems = check_composition(charter=charter_facts(), council=passing_council(population=None))

    assert problems == [
        Problem("population_unknown", "The okrug's population is not known: enter it to check the council's size.")
    ]


def test_a_population_no_band_covers_is_reported():
    bands = (SizeBandFacts(0, 1000, 5, 10),)
    problems = check_composition(charter=charter_facts(size_bands=bands), council=passing_council())

    assert problems == [Problem("no_size_band", "The charter sets no council size for 2,400 residents.")]


def test_too_many_members_are_counted_against_the_band_for_the_population():
    extra = tuple(member(f"Мүше {n}", SeatGroup.OTHER) for n in range(7))
    council = passing_council(population=8400, members=passing_council().members + extra)

    problems = check_composition(charter=charter_facts(), council=council)

    assert problems == [Problem("too_many_members", "12 members, the charter allows 5–10 for 8,400 residents")]


def test_too_few_members_use_the_singular_for_one():
    council = passing_council(population=12_000)

    problems = check_composition(charter=charter_facts(), council=council)

    assert problems == [Problem("too_few_members", "5 members, the charter allows 11–15 for 12,000 residents")]


def test_a_group_below_its_minimum_says_how_many_seats_it_has():
    council = passing_council(members=tuple(m for m in passing_council().members if m.seat_group != SeatGroup.YOUTH))
    council = dataclasses.replace(council, members=(*council.members, member("Басқа", SeatGroup.OTHER)))

    problems = check_composition(charter=charter_facts(), council=council)

    assert problems == [Problem("group_below_minimum", "Youth: 0 of at least 1 seat")]


def test_a_group_above_its_maximum_says_the_limit():
    rules = (*DEFAULT_SEAT_RULES[:2], SeatRuleFacts(SeatGroup.BUSINESS, 1, 3), *DEFAULT_SEAT_RULES[3:])
    business = tuple(member(f"Кәсіпкер {n}", SeatGroup.BUSINESS) for n in range(3))
    council = passing_council(members=passing_council().members + business)

    problems = check_composition(charter=charter_facts(seat_rules=rules), council=council)

    assert problems == [Problem("group_above_maximum", "Business: 4 seats, at most 3")]


def test_a_settlement_without_a_member_is_named():
    other = SettlementFacts("274033200", "Қарасу <script>")
    council = passing_council(settlements=(other, DARIYA), members=passing_council().members[1:])
    council = dataclasses.replace(
        council, members=(*council.members, member("Төраға", SeatGroup.OTHER, "chair", other.kato))
    )

    problems = check_composition(charter=charter_facts(), council=council)

    assert problems == [
        Problem("group_below_minimum", "Residents: 0 of at least 1 seat"),
        Problem("settlement_without_member", "Settlement Дария has no member"),
    ]


def test_a_settlement_with_fewer_members_than_the_charter_asks_is_reported():
    problems = check_composition(charter=charter_facts(members_per_settlement=2), council=passing_council())

    assert problems == [Problem("settlement_below_minimum", "Settlement Дария has 1 member, at least 2 needed")]


def test_a_charter_asking_no_member_per_settlement_checks_none():
    council = passing_council(settlements=(DARIYA, SettlementFacts("274033200", "Қарасу")))

    assert check_composition(charter=charter_facts(members_per_settlement=0), council=council) == []


def test_a_council_without_chair_or_secretary_is_told_both():
    members = tuple(dataclasses.replace(m, role="member") for m in passing_council().members)

    problems = check_composition(charter=charter_facts(), council=passing_council(members=members))

    assert problems == [Problem("no_chair", "No chair"), Problem("no_secretary", "No secretary")]


def test_a_youth_member_outside_the_age_band_is_named_with_their_age():
    members = tuple(
        dataclasses.replace(m, full_name="Асқар Б.", birth_date=datetime.date(1984, 3, 22))
        if m.seat_group == SeatGroup.YOUTH
        else m
        for m in passing_council().members
    )

    problems = check_composition(charter=charter_facts(), council=passing_council(members=members))

    assert problems == [Problem("youth_outside_age_band", "Youth seat: Асқар Б. is 41, outside 14–35")]


def test_the_age_band_follows_the_charter():
    young = passing_council()
    charter = charter_facts(youth_age_min=30, youth_age_max=40)

    assert codes(check_composition(charter=charter, council=young)) == ["youth_outside_age_band"]


def test_a_youth_member_without_a_birth_date_is_not_judged():
    members = tuple(
        dataclasses.replace(m, birth_date=None) if m.seat_group == SeatGroup.YOUTH else m
        for m in passing_council().members
    )

    assert check_composition(charter=charter_facts(), council=passing_council(members=members)) == []


def test_a_term_that_ended_is_reported_with_its_date():
    ended = datetime.date(2026, 3, 1)
    members = (*passing_council().members[:4], member("Асқар Б.", SeatGroup.VETERANS, term_end=ended))

    problems = check_composition(charter=charter_facts(), council=passing_council(members=members))

    assert problems == [Problem("term_expired", f"Асқар Б.'s term ended on {date_format(ended, 'DATE_FORMAT')}")]


def test_a_term_is_over_on_its_end_date_and_not_before():
    def problems_on(end: datetime.date) -> list[str]:
        members = (*passing_council().members[:4], member("Ардагер", SeatGroup.VETERANS, term_end=end))
        return codes(check_composition(charter=charter_facts(), council=passing_council(members=members)))

    assert problems_on(TODAY) == ["term_expired"]
    assert problems_on(TODAY + datetime.timedelta(days=1)) == []


def test_a_council_without_a_coordinator_deputy_is_told():
    problems = check_composition(charter=charter_facts(), council=passing_council(coordinator_count=0))

    assert problems == [Problem("no_coordinator", "No coordinator deputy")]


def test_kazakh_messages_group_thousands_with_a_space():
    with translation.override("kk"):
        problems = check_composition(charter=charter_facts(), council=passing_council(population=12_000))

    assert "12\xa0000" in problems[0].message
    assert "12,000" not in problems[0].message


def test_kazakh_dates_put_the_year_first():
    members = (
        *passing_council().members[:4],
        member("Асқар Б.", SeatGroup.VETERANS, term_end=datetime.date(2026, 3, 1)),
    )
    with translation.override("kk"):
        problems = check_composition(charter=charter_facts(), council=passing_council(members=members))

    assert "2026 ж. 1 " in problems[0].message


def test_the_age_is_counted_on_the_birthday():
    assert age_on(datetime.date(2000, 3, 21), TODAY) == 26
    assert age_on(datetime.date(2000, 3, 22), TODAY) == 25


def test_an_unknown_group_is_named_by_its_code():
    assert group_label("guild") == "guild"
    assert group_label(SeatGroup.YOUTH) == "Youth"


# By property ------------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


@st.composite
def charters(draw: st.DrawFn) -> CharterFacts:
    groups = draw(st.lists(st.sampled_from(GROUPS), unique=True, max_size=len(GROUPS)))
    rules = []
    for group in groups:
        minimum = draw(st.integers(0, 3))
        maximum = draw(st.none() | st.integers(minimum, minimum + 3))
        rules.append(SeatRuleFacts(group, minimum, maximum))
    # Contiguous bands from 0, the last one open-ended or not.
    bands = []
    start = 0
    for _ in range(draw(st.integers(1, 4))):
        width = draw(st.integers(0, 20_000))
        smallest = draw(st.integers(1, 20))
        bands.append(SizeBandFacts(start, start + width, smallest, smallest + draw(st.integers(0, 10))))
        start += width + 1
    if draw(st.booleans()):
        bands[-1] = dataclasses.replace(bands[-1], population_to=None)
    youngest = draw(st.integers(14, 20))
    return CharterFacts(
        seat_rules=tuple(rules),
        size_bands=tuple(draw(st.permutations(bands))),
        members_per_settlement=draw(st.integers(0, 2)),
        youth_age_min=youngest,
        youth_age_max=draw(st.integers(youngest, 40)),
    )


settlements_strategy = st.lists(
    st.builds(
        SettlementFacts,
        kato=st.integers(100, 999).map(lambda n: f"274033{n}"),
        name=st.text(min_size=1, max_size=10) | st.just("Дария <script>"),
    ),
    unique_by=lambda s: s.kato,
    max_size=4,
)


def random_members(settlements: list[SettlementFacts]) -> st.SearchStrategy[list[MemberFacts]]:
    return st.lists(
        st.builds(
            MemberFacts,
            full_name=st.text(min_size=1, max_size=8),
            seat_group=st.sampled_from(GROUPS),
            role=st.sampled_from(["chair", "deputy_chair", "secretary", "member"]),
            settlement_kato=st.sampled_from([None, *(s.kato for s in settlements)]),
            birth_date=st.none() | st.dates(datetime.date(1940, 1, 1), datetime.date(2015, 12, 31)),
            term_end=st.dates(datetime.date(2024, 1, 1), datetime.date(2030, 12, 31)),
        ),
        max_size=30,
    )


@st.composite
def random_councils(draw: st.DrawFn) -> tuple[CharterFacts, CouncilFacts]:
    charter = draw(charters())
    settlements = draw(settlements_strategy)
    council = CouncilFacts(
        population=draw(st.none() | st.integers(0, 90_000)),
        settlements=tuple(settlements),
        members=tuple(draw(random_members(settlements))),
        coordinator_count=draw(st.integers(0, 2)),
        today=TODAY,
    )
    return charter, council


def _birth_date_for_age(draw: st.DrawFn, age: int) -> datetime.date:
    # Born `age` years and 0–360 days before today: exactly `age` years old today.
    birthday = TODAY.replace(year=TODAY.year - age)
    return birthday - datetime.timedelta(days=draw(st.integers(0, 360)))


@st.composite
def passing_councils(
    draw: st.DrawFn, *, full_group: bool = False, settlement_rule: bool = False
) -> tuple[CharterFacts, CouncilFacts, str | None]:
    """A charter and a council built to meet every rule; with `full_group`, one group with a
    maximum holds exactly that many seats (its code is returned); with `settlement_rule`, the okrug
    has settlements and the charter asks for a member in each."""
    charter = draw(charters())
    settlements = draw(settlements_strategy)
    if settlement_rule:
        charter = dataclasses.replace(charter, members_per_settlement=max(1, charter.members_per_settlement))
        settlements = settlements or [SettlementFacts("274033100", "Дария <script>")]
    band = draw(st.sampled_from(charter.size_bands))
    upper = band.population_to if band.population_to is not None else band.population_from + 50_000
    population = draw(st.integers(band.population_from, upper))

    rules = {rule.group: rule for rule in charter.seat_rules}
    counts = {group: rules[group].min_seats if group in rules else 0 for group in GROUPS}
    chosen = None
    if full_group:
        capped = [rule for rule in charter.seat_rules if rule.max_seats is not None]
        assume(capped)
        chosen_rule = draw(st.sampled_from(capped))
        chosen = chosen_rule.group
        counts[chosen] = chosen_rule.max_seats or 0

    def room(group: str) -> bool:
        rule = rules.get(group)
        return group != chosen and (rule is None or rule.max_seats is None or counts[group] < rule.max_seats)

    needed_for_settlements = charter.members_per_settlement * len(settlements)
    fewest = max(band.min_members, 2, needed_for_settlements, sum(counts.values()))
    assume(fewest <= band.max_members)
    target = draw(st.integers(fewest, band.max_members))
    while sum(counts.values()) < target:
        open_groups = [group for group in GROUPS if room(group)]
        assume(open_groups)
        counts[draw(st.sampled_from(open_groups))] += 1

    groups = [group for group in GROUPS for _ in range(counts[group])]
    represented = [s.kato for s in settlements for _ in range(charter.members_per_settlement)]
    members = []
    for index, group in enumerate(groups):
        birth = _birth_date_for_age(draw, draw(st.integers(charter.youth_age_min, charter.youth_age_max)))
        members.append(
            MemberFacts(
                full_name=draw(st.text(min_size=1, max_size=8)),
                seat_group=group,
                role={0: "chair", 1: "secretary"}.get(index, "member"),
                settlement_kato=represented[index] if index < len(represented) else None,
                birth_date=birth if group == SeatGroup.YOUTH else draw(st.none() | st.dates()),
                term_end=draw(st.dates(TODAY + datetime.timedelta(days=1), datetime.date(2035, 1, 1))),
            )
        )
    council = CouncilFacts(
        population=population,
        settlements=tuple(settlements),
        members=tuple(draw(st.permutations(members))),
        coordinator_count=draw(st.integers(1, 3)),
        today=TODAY,
    )
    return charter, council, chosen


@PROPERTY_SETTINGS
@given(passing_councils())
def test_a_council_built_to_meet_every_rule_passes(case):
    charter, council, _ = case

    assert check_composition(charter=charter, council=council) == []


@PROPERTY_SETTINGS
@given(passing_councils(full_group=True), st.data())
def test_one_member_more_in_a_full_group_breaks_only_that_group_and_perhaps_the_size(case, data):
    charter, council, group = case
    assert group is not None
    extra = MemberFacts("Қосымша", group, "member", None, None, datetime.date(2035, 1, 1))

    problems = check_composition(
        charter=charter, council=dataclasses.replace(council, members=(*council.members, extra))
    )

    above = [problem for problem in problems if problem.code == "group_above_maximum"]
    assert len(above) == 1
    assert above[0].message.startswith(f"{group_label(group)}: ")
    assert set(codes(problems)) <= {"group_above_maximum", "too_many_members"}


@PROPERTY_SETTINGS
@given(passing_councils(settlement_rule=True), st.data())
def test_removing_the_members_of_a_settlement_names_that_settlement(case, data):
    charter, council, _ = case
    emptied = data.draw(st.sampled_from(council.settlements))
    remaining = tuple(m for m in council.members if m.settlement_kato != emptied.kato)

    problems = check_composition(charter=charter, council=dataclasses.replace(council, members=remaining))

    settlement_problems = [p for p in problems if p.code.startswith("settlement_")]
    assert settlement_problems == [
        Problem("settlement_without_member", f"Settlement {emptied.name} has no member"),
    ]


@PROPERTY_SETTINGS
@given(random_councils())
def test_each_group_under_its_minimum_gives_one_problem(case):
    charter, council = case
    seats = Counter(m.seat_group for m in council.members)

    problems = check_composition(charter=charter, council=council)

    below = sum(1 for rule in charter.seat_rules if seats[rule.group] < rule.min_seats)
    above = sum(1 for rule in charter.seat_rules if rule.max_seats is not None and seats[rule.group] > rule.max_seats)
    assert codes(problems).count("group_below_minimum") == below
    assert codes(problems).count("group_above_maximum") == above


@PROPERTY_SETTINGS
@given(random_councils(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_members(case, random):
    charter, council = case
    shuffled = list(council.members)
    random.shuffle(shuffled)

    first = check_composition(charter=charter, council=council)

    assert check_composition(charter=charter, council=council) == first
    assert check_composition(charter=charter, council=dataclasses.replace(council, members=tuple(shuffled))) == first


@PROPERTY_SETTINGS
@given(random_councils())
def test_the_size_rule_agrees_with_the_bands(case):
    charter, council = case
    count = len(council.members)
    if council.population is None:
        expected = ["population_unknown"]
    else:
        covering = sorted(
            (
                band
                for band in charter.size_bands
                if band.population_from <= council.population
                and (band.population_to is None or council.population <= band.population_to)
            ),
            key=lambda band: band.population_from,
        )
        if not covering:
            expected = ["no_size_band"]
        elif count < covering[0].min_members:
            expected = ["too_few_members"]
        elif count > covering[0].max_members:
            expected = ["too_many_members"]
        else:
            expected = []

    problems = check_composition(charter=charter, council=council)

    assert [code for code in codes(problems) if code in SIZE_CODES] == expected


@PROPERTY_SETTINGS
@given(random_councils())
def test_the_other_rules_agree_with_a_direct_count(case):
    charter, council = case
    represented = Counter(m.settlement_kato for m in council.members)
    roles = {m.role for m in council.members}
    young_outside = [
        m
        for m in council.members
        if m.seat_group == SeatGroup.YOUTH
        and m.birth_date is not None
        and not charter.youth_age_min <= age_on(m.birth_date, TODAY) <= charter.youth_age_max
    ]

    found = Counter(codes(check_composition(charter=charter, council=council)))

    needed = charter.members_per_settlement
    assert found["settlement_without_member"] == (
        sum(1 for s in council.settlements if represented[s.kato] == 0) if needed else 0
    )
    assert found["settlement_below_minimum"] == sum(1 for s in council.settlements if 0 < represented[s.kato] < needed)
    assert found["no_chair"] == ("chair" not in roles)
    assert found["no_secretary"] == ("secretary" not in roles)
    assert found["youth_outside_age_band"] == len(young_outside)
    assert found["term_expired"] == sum(1 for m in council.members if m.term_end <= TODAY)
    assert found["no_coordinator"] == (council.coordinator_count == 0)


def test_two_namesakes_whose_terms_ended_are_reported_in_one_order_whatever_the_input_order():
    # Found by the order property above: sorting by name alone left namesakes in input order.
    today = datetime.date(2026, 3, 21)
    earlier = member("Асқар Б.", term_end=datetime.date(2024, 1, 1))
    later = member("Асқар Б.", term_end=datetime.date(2024, 1, 2))
    council = passing_council(today=today)

    forward = check_composition(charter=charter_facts(), council=dataclasses.replace(council, members=(earlier, later)))
    backward = check_composition(
        charter=charter_facts(), council=dataclasses.replace(council, members=(later, earlier))
    )

    assert forward == backward
    assert [problem.code for problem in forward].count("term_expired") == 2
