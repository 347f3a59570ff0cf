"""Ranking offers for a family and families for an offer: pure functions over plain objects (offers
with their settlement, district and profession loaded; `ApplicantFacts`), no queries, so the rules
can be read and tested on hand-made cases. Every point comes with the reason shown to the person.

Points: +50 for each household member looking for work whose profession is a vacancy's; +30 for
housing with enough rooms (rooms needed, or half the household rounded up; too small gives no
points and says so); +20 in a district the family wished for; +15 for land when they want land; +10
for a support measure in a district where something else matches, or anywhere for a microcredit.
Offers with no points are left out; closed and expired offers never appear.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenes.relocation.models import Applicant, HouseholdMember, Offer
from kenes.relocation.money import convert, offer_year
from kenes.relocation.permissions import is_open

PROFESSION_POINTS = 50
HOUSING_POINTS = 30
DISTRICT_POINTS = 20
LAND_POINTS = 15
SUPPORT_POINTS = 10
ADULT_AGE = 18


@dataclass(frozen=True)
class MemberFacts:
    profession_id: int | None
    profession_name: str
    seeks_work: bool
    is_child: bool


@dataclass(frozen=True)
class ApplicantFacts:
    """What matching may know about a household: no names, no phone, no birth years."""

    applicant_id: int
    current_city: str
    members: tuple[MemberFacts, ...]
    rooms_needed: int | None = None
    wants_land: bool = False
    wished_district_ids: frozenset[int] = frozenset()
    wished_district_names: tuple[str, ...] = ()

    @property
    def household_size(self) -> int:
        return len(self.members)

    @property
    def children(self) -> int:
        return sum(1 for member in self.members if member.is_child)

    @property
    def rooms_wanted(self) -> int:
        return self.rooms_needed or math.ceil(max(self.household_size, 1) / 2)

    @property
    def professions(self) -> tuple[str, ...]:
        names: list[str] = []
        for member in self.members:
            if member.profession_name and member.profession_name not in names:
                names.append(member.profession_name)
        return tuple(names)


@dataclass
class Match:
    offer: Offer
    score: int
    reasons: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    """An opted-in household as an offer's owner sees it before they apply: anonymised."""

    professions: tuple[str, ...]
    household_size: int
    children: int
    current_city: str
    wished_districts: tuple[str, ...]
    score: int
    reasons: list[str] = field(default_factory=list)


def facts_of(applicant: Applicant, *, today: datetime.date) -> ApplicantFacts:
    """The facts of an applicant whose members (with professions) and wished districts are loaded."""
    members = tuple(_member_facts(member, today) for member in applicant.members.all())
    districts = sorted(applicant.wished_districts.all(), key=lambda district: district.kato)
    return ApplicantFacts(
        applicant_id=applicant.pk,
        current_city=applicant.current_city,
        members=members,
        rooms_needed=applicant.rooms_needed,
        wants_land=applicant.wants_land,
        wished_district_ids=frozenset(district.pk for district in districts),
        wished_district_names=tuple(district.short_name for district in districts),
    )


def _member_facts(member: HouseholdMember, today: datetime.date) -> MemberFacts:
    return MemberFacts(
        profession_id=member.profession_id,
        profession_name=str(member.profession) if member.profession is not None else "",
        seeks_work=member.seeks_work,
        is_child=today.year - member.birth_year < ADULT_AGE,
    )


# One offer, one household ---------------------------------------------------------------------------


def _vacancy(facts: ApplicantFacts, offer: Offer) -> tuple[int, list[str]]:
    workers = [m for m in facts.members if m.seeks_work and m.profession_id and m.profession_id == offer.profession_id]
    if not workers:
        return 0, []
    positions = offer.positions or 1
    reason = ngettext(
        "your profession: %(profession)s — %(count)s vacancy in %(place)s",
        "your profession: %(profession)s — %(count)s vacancies in %(place)s",
        positions,
    ) % {"profession": workers[0].profession_name.lower(), "count": positions, "place": offer.settlement.short_name}
    return PROFESSION_POINTS * len(workers), [reason]


def _housing(facts: ApplicantFacts, offer: Offer) -> tuple[int, list[str]]:
    rooms = offer.rooms or 0
    people = max(facts.household_size, 1)
    if rooms < facts.rooms_wanted:
        return 0, [
            ngettext(
                "too small for your family (%(count)s person)", "too small for your family (%(count)s people)", people
            )
            % {"count": people}
        ]
    reason = ngettext(
        "%(rooms)s room, %(tenure)s — enough for your family",
        "%(rooms)s rooms, %(tenure)s — enough for your family",
        rooms,
    ) % {"rooms": rooms, "tenure": str(offer.get_tenure_display()).lower()}
    return HOUSING_POINTS, [reason]


def _district(facts: ApplicantFacts, offer: Offer) -> tuple[int, list[str]]:
    if offer.district_id not in facts.wished_district_ids:
        return 0, []
    return DISTRICT_POINTS, [_("in %(district)s, a district you chose") % {"district": offer.district.short_name}]


def _land(facts: ApplicantFacts, offer: Offer) -> tuple[int, list[str]]:
    if not facts.wants_land:
        return 0, []
    reason = _("%(area)s ha of land: %(purpose)s") % {
        "area": number_format(offer.area_hectares or Decimal(0), decimal_pos=2),
        "purpose": str(offer.get_land_purpose_display()).lower(),
    }
    return LAND_POINTS, [reason]


def _support(offer: Offer, *, applies: bool, rates: Mapping[int, Decimal]) -> tuple[int, list[str]]:
    if not applies and offer.measure != Offer.Measure.MICROCREDIT:
        return 0, []
    return SUPPORT_POINTS, [support_reason(offer, rates=rates)]


def support_reason(offer: Offer, *, rates: Mapping[int, Decimal]) -> str:
    """ "Microcredit «Ауыл аманаты»: 2,500 MCI = 10,812,500 ₸ (2026)", or the MCI alone with no rate."""
    amount = offer.amount_mci or Decimal(0)
    year = offer_year(offer)
    values: dict[str, Any] = {
        "measure": offer.get_measure_display(),
        "mci": number_format(_plain(amount), force_grouping=True),
        "year": year,
    }
    rate = rates.get(year)
    if rate is None:
        return _("%(measure)s: %(mci)s MCI") % values
    values["tenge"] = number_format(convert(amount, rate), force_grouping=True)
    return _("%(measure)s: %(mci)s MCI = %(tenge)s ₸ (%(year)s)") % values


def _plain(amount: Decimal) -> Decimal:
    """2500.00 → 2500, 2.50 → 2.50: whole amounts without decimals."""
    whole = amount.to_integral_value()
    return whole if whole == amount else amount


def _score(
    facts: ApplicantFacts, offer: Offer, *, districts_with_matches: set[int], rates: Mapping[int, Decimal]
) -> Match:
    points = 0
    reasons: list[str] = []
    parts: list[tuple[int, list[str]]] = []
    if offer.kind == Offer.Kind.VACANCY:
        parts.append(_vacancy(facts, offer))
    elif offer.kind == Offer.Kind.HOUSING:
        parts.append(_housing(facts, offer))
    elif offer.kind == Offer.Kind.LAND:
        parts.append(_land(facts, offer))
    parts.append(_district(facts, offer))
    if offer.kind == Offer.Kind.SUPPORT:
        parts.append(_support(offer, applies=offer.district_id in districts_with_matches, rates=rates))
    for gained, said in parts:
        points += gained
        reasons.extend(said)
    return Match(offer=offer, score=points, reasons=reasons)


def _newest_first(match: Match) -> tuple[int, float, int]:
    published = match.offer.published_at
    return (-match.score, -(published.timestamp() if published else 0.0), -(match.offer.pk or 0))


def rank_offers(
    applicant_facts: ApplicantFacts,
    offers: Iterable[Offer],
    *,
    today: datetime.date,
    rates: Mapping[int, Decimal] | None = None,
) -> list[Match]:
    """The open offers that suit the household, best first (score, then newest), each with its reasons.
    `rates` (MCI by year) price support measures in tenge."""
    known_rates = rates or {}
    open_offers = [offer for offer in offers if is_open(offer, today)]
    # A support measure counts where the household has something else to go to.
    districts_with_matches: set[int] = set()
    for offer in open_offers:
        if _suits_by_kind(applicant_facts, offer):
            districts_with_matches.add(offer.district_id)
    matches = [
        _score(applicant_facts, offer, districts_with_matches=districts_with_matches, rates=known_rates)
        for offer in open_offers
    ]
    return sorted((match for match in matches if match.score > 0), key=_newest_first)


def _suits_by_kind(facts: ApplicantFacts, offer: Offer) -> bool:
    """Whether the offer suits the household by what it is (not only by lying in a wished district)."""
    if offer.kind == Offer.Kind.VACANCY:
        return _vacancy(facts, offer)[0] > 0
    if offer.kind == Offer.Kind.HOUSING:
        return _housing(facts, offer)[0] > 0
    if offer.kind == Offer.Kind.LAND:
        return _land(facts, offer)[0] > 0
    return False


def rank_candidates(
    offer: Offer,
    applicants_facts: Sequence[ApplicantFacts],
    *,
    rates: Mapping[int, Decimal] | None = None,
) -> list[Candidate]:
    """Opted-in households the offer suits, best first, anonymised: the same rules seen from the offer
    (a support measure suits a household wishing for its district, and anyone for a microcredit)."""
    known_rates = rates or {}
    found: list[tuple[int, Candidate]] = []
    for facts in applicants_facts:
        districts = {offer.district_id} if offer.district_id in facts.wished_district_ids else set()
        match = _score(facts, offer, districts_with_matches=districts, rates=known_rates)
        if match.score <= 0:
            continue
        candidate = Candidate(
            professions=facts.professions,
            household_size=facts.household_size,
            children=facts.children,
            current_city=facts.current_city,
            wished_districts=facts.wished_district_names,
            score=match.score,
            reasons=match.reasons,
        )
        found.append((facts.applicant_id, candidate))
    # Best first; among equals, the most recently registered first.
    found.sort(key=lambda pair: (-pair[1].score, -pair[0]))
    return [candidate for _id, candidate in found]
