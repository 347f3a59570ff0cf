"""The composition check: does a council meet its charter? Pure: facts in, problems out, no database.

Each problem says in plain words what is wrong ("Youth: 0 of at least 1 seat"), translated into the
active language, with numbers grouped as that language writes them ("8 400" in Kazakh). A council
may exist while incomplete: an empty list means it meets every rule.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext

from kenes.councils.models import Member, SeatGroup


@dataclass(frozen=True)
class SeatRuleFacts:
    group: str
    min_seats: int
    max_seats: int | None


@dataclass(frozen=True)
class SizeBandFacts:
    population_from: int
    population_to: int | None
    min_members: int
    max_members: int

    def covers(self, population: int) -> bool:
        return self.population_from <= population and (self.population_to is None or population <= self.population_to)


@dataclass(frozen=True)
class CharterFacts:
    seat_rules: tuple[SeatRuleFacts, ...]
    size_bands: tuple[SizeBandFacts, ...]
    members_per_settlement: int
    youth_age_min: int
    youth_age_max: int


@dataclass(frozen=True)
class MemberFacts:
    full_name: str
    seat_group: str
    role: str
    settlement_kato: str | None
    birth_date: datetime.date | None
    term_end: datetime.date


@dataclass(frozen=True)
class SettlementFacts:
    kato: str
    name: str


@dataclass(frozen=True)
class CouncilFacts:
    """`members` are the active members only; `population` is None when it is not known."""

    population: int | None
    settlements: tuple[SettlementFacts, ...]
    members: tuple[MemberFacts, ...]
    coordinator_count: int
    today: datetime.date


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


# Order No. 295 (2017) as amended by Order No. 88 (2021): what a new charter starts with.
DEFAULT_SEAT_RULES: tuple[SeatRuleFacts, ...] = (
    SeatRuleFacts(SeatGroup.RESIDENTS.value, 1, None),
    SeatRuleFacts(SeatGroup.PUBLIC_ASSOCIATIONS.value, 1, None),
    SeatRuleFacts(SeatGroup.BUSINESS.value, 1, None),
    SeatRuleFacts(SeatGroup.YOUTH.value, 1, None),
    SeatRuleFacts(SeatGroup.VETERANS.value, 1, None),
    SeatRuleFacts(SeatGroup.OTHER.value, 0, None),
)
DEFAULT_SIZE_BANDS: tuple[SizeBandFacts, ...] = (
    SizeBandFacts(0, 10_000, 5, 10),
    SizeBandFacts(10_001, 15_000, 11, 15),
    SizeBandFacts(15_001, 20_000, 16, 20),
    SizeBandFacts(20_001, None, 21, 25),
)

_GROUP_ORDER = {group: index for index, group in enumerate(SeatGroup.values)}


def number(value: int) -> str:
    """A figure as the active language writes it: "8,400" in English, "8 400" in Kazakh and Russian."""
    return number_format(value, use_l10n=True, force_grouping=True)


def group_label(group: str) -> str:
    return str(SeatGroup(group).label) if group in _GROUP_ORDER else group


def age_on(birth_date: datetime.date, today: datetime.date) -> int:
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def size_band_for(size_bands: tuple[SizeBandFacts, ...], population: int) -> SizeBandFacts | None:
    """The band that covers the population; bands are checked from the smallest start up."""
    for band in sorted(size_bands, key=lambda band: band.population_from):
        if band.covers(population):
            return band
    return None


def check_composition(*, charter: CharterFacts, council: CouncilFacts) -> list[Problem]:
    """Every rule the council breaks, in a stable order: size, seat groups, settlements, officers,
    youth ages, terms, coordinators. The order of `council.members` does not matter."""
    members = sorted(
        council.members,
        # Every field, so two members who differ only in, say, their term end still sort one way.
        key=lambda m: (
            m.full_name,
            m.seat_group,
            m.role,
            m.settlement_kato or "",
            m.birth_date or datetime.date.min,
            m.term_end,
        ),
    )
    return [
        *_size_problems(charter, council, len(members)),
        *_seat_group_problems(charter, members),
        *_settlement_problems(charter, council, members),
        *_officer_problems(members),
        *_youth_problems(charter, council, members),
        *_term_problems(council, members),
        *_coordinator_problems(council),
    ]


def _size_problems(charter: CharterFacts, council: CouncilFacts, count: int) -> list[Problem]:
    if council.population is None:
        return [
            Problem(
                "population_unknown",
                gettext("The okrug's population is not known: enter it to check the council's size."),
            )
        ]
    band = size_band_for(charter.size_bands, council.population)
    if band is None:
        return [
            Problem(
                "no_size_band",
                gettext("The charter sets no council size for %(population)s residents.")
                % {"population": number(council.population)},
            )
        ]
    if band.min_members <= count <= band.max_members:
        return []
    message = ngettext(
        "%(count)s member, the charter allows %(minimum)s–%(maximum)s for %(population)s residents",
        "%(count)s members, the charter allows %(minimum)s–%(maximum)s for %(population)s residents",
        count,
    ) % {
        "count": number(count),
        "minimum": number(band.min_members),
        "maximum": number(band.max_members),
        "population": number(council.population),
    }
    return [Problem("too_few_members" if count < band.min_members else "too_many_members", message)]


def _seat_group_problems(charter: CharterFacts, members: list[MemberFacts]) -> list[Problem]:
    seats = Counter(member.seat_group for member in members)
    problems: list[Problem] = []

    def in_charter_order(rule: SeatRuleFacts) -> tuple[int, str]:
        return (_GROUP_ORDER.get(rule.group, len(_GROUP_ORDER)), rule.group)

    for rule in sorted(charter.seat_rules, key=in_charter_order):
        held = seats[rule.group]
        if held < rule.min_seats:
            message = ngettext(
                "%(group)s: %(count)s of at least %(minimum)s seat",
                "%(group)s: %(count)s of at least %(minimum)s seats",
                rule.min_seats,
            ) % {"group": group_label(rule.group), "count": number(held), "minimum": number(rule.min_seats)}
            problems.append(Problem("group_below_minimum", message))
        if rule.max_seats is not None and held > rule.max_seats:
            message = ngettext(
                "%(group)s: %(count)s seat, at most %(maximum)s",
                "%(group)s: %(count)s seats, at most %(maximum)s",
                held,
            ) % {"group": group_label(rule.group), "count": number(held), "maximum": number(rule.max_seats)}
            problems.append(Problem("group_above_maximum", message))
    return problems


def _settlement_problems(charter: CharterFacts, council: CouncilFacts, members: list[MemberFacts]) -> list[Problem]:
    needed = charter.members_per_settlement
    if needed < 1:
        return []
    represented = Counter(member.settlement_kato for member in members if member.settlement_kato)
    problems: list[Problem] = []
    for settlement in sorted(council.settlements, key=lambda s: s.kato):
        held = represented[settlement.kato]
        if held == 0:
            message = gettext("Settlement %(name)s has no member") % {"name": settlement.name}
            problems.append(Problem("settlement_without_member", message))
        elif held < needed:
            message = ngettext(
                "Settlement %(name)s has %(count)s member, at least %(minimum)s needed",
                "Settlement %(name)s has %(count)s members, at least %(minimum)s needed",
                held,
            ) % {"name": settlement.name, "count": number(held), "minimum": number(needed)}
            problems.append(Problem("settlement_below_minimum", message))
    return problems


def _officer_problems(members: list[MemberFacts]) -> list[Problem]:
    roles = {member.role for member in members}
    problems: list[Problem] = []
    if Member.Role.CHAIR not in roles:
        problems.append(Problem("no_chair", gettext("No chair")))
    if Member.Role.SECRETARY not in roles:
        problems.append(Problem("no_secretary", gettext("No secretary")))
    return problems


def _youth_problems(charter: CharterFacts, council: CouncilFacts, members: list[MemberFacts]) -> list[Problem]:
    problems: list[Problem] = []
    for member in members:
        if member.seat_group != SeatGroup.YOUTH or member.birth_date is None:
            continue
        age = age_on(member.birth_date, council.today)
        if charter.youth_age_min <= age <= charter.youth_age_max:
            continue
        message = gettext("Youth seat: %(name)s is %(age)s, outside %(minimum)s–%(maximum)s") % {
            "name": member.full_name,
            "age": number(age),
            "minimum": number(charter.youth_age_min),
            "maximum": number(charter.youth_age_max),
        }
        problems.append(Problem("youth_outside_age_band", message))
    return problems


def _term_problems(council: CouncilFacts, members: list[MemberFacts]) -> list[Problem]:
    # A term that ends on a date is over on that date: a four-year term from 1 March 2022 ends on 1 March 2026.
    return [
        Problem(
            "term_expired",
            gettext("%(name)s's term ended on %(date)s")
            % {"name": member.full_name, "date": date_format(member.term_end, "DATE_FORMAT", use_l10n=True)},
        )
        for member in members
        if member.term_end <= council.today
    ]


def _coordinator_problems(council: CouncilFacts) -> list[Problem]:
    if council.coordinator_count > 0:
        return []
    return [Problem("no_coordinator", gettext("No coordinator deputy"))]
