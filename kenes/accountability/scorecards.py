"""Public scorecards: how the akims answer a council's recommendations, per okrug, district and pilot.

Two halves, kept apart so the arithmetic can be checked by hand:
- `compute_scorecard(...)` is pure: it takes plain records of the recommendations sent
  (`RecommendationFacts`) and the proposals submitted (`ProposalFacts`) and returns a `Scorecard`.
  Its only outside input is the working-day count (`working_days`), passed in.
- `okrug_scorecard`, `district_scorecard` and `pilot_scorecard` read those records for a territory
  in a fixed number of queries, however many recommendations there are, and feed them to it.

The definitions (docs/decisions/0006), printed under every scorecard:
- period: recommendations sent in the year (`year`), proposals submitted in it; all time without one;
- due: answered, or waiting past `due_on`; on time: answered by the deadline in force (as extended or
  restarted by forwarding); on-time % = on time / due;
- median working days from the day it was sent to the answer, over the answered ones;
- implemented % = implemented / (accepted + partially accepted);
- proposals per 1,000 residents = submitted proposals / population × 1,000;
- supports turned into recommendations = supports on proposals some recommendation covers / all supports.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from kenes.core.calendar import WorkingCalendar
from kenes.councils.models import Council, Pilot
from kenes.councils.selectors import council_population
from kenes.meetings.models import Recommendation
from kenes.proposals.models import Proposal, Status
from kenes.territory.models import District, Okrug, Settlement

WorkingDays = Callable[[datetime.date, datetime.date], int]

_ANSWERED = frozenset(Recommendation.ANSWERED_STATUSES)
_ACCEPTING = frozenset({Recommendation.AnswerKind.ACCEPTED, Recommendation.AnswerKind.PARTIALLY_ACCEPTED})


# Records and results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationFacts:
    """What a scorecard needs to know about one sent recommendation."""

    sent_on: datetime.date
    due_on: datetime.date  # the deadline in force: as extended, or restarted by forwarding
    status: str
    answered_on: datetime.date | None = None
    answer_kind: str = ""
    implemented_on: datetime.date | None = None
    is_demo: bool = False


@dataclass(frozen=True)
class ProposalFacts:
    """What a scorecard needs to know about one submitted proposal."""

    supports: int
    recommended: bool  # some recommendation covers it
    is_demo: bool = False


def _percent(part: int, whole: int | None) -> float | None:
    if not whole:
        return None
    return round(part * 100 / whole, 1)


@dataclass(frozen=True)
class Scorecard:
    """The figures of one okrug, district or pilot for one period. Percentages are None when their
    denominator is zero (or the population unknown): the pages show "—" rather than a made-up 0."""

    label: str
    kato: str
    population: int | None
    proposals: int
    supports_total: int
    supports_recommended: int
    sent: int
    answered: int
    answered_on_time: int
    due: int
    answered_late: int
    accepted: int
    partially_accepted: int
    declined: int
    overdue: int
    implemented: int
    median_days_to_answer: float | None
    is_demo: bool
    councils: int = 1  # how many councils the figures cover (0: none, every figure is empty)
    # Proposals per 1,000 residents counts only the councils whose population is known: their
    # number and their proposals (None: all of them, `proposals`).
    population_councils: int = 1
    population_proposals: int | None = None

    @property
    def on_time_percent(self) -> float | None:
        return _percent(self.answered_on_time, self.due)

    @property
    def implemented_percent(self) -> float | None:
        return _percent(self.implemented, self.accepted + self.partially_accepted)

    @property
    def proposals_per_1000(self) -> float | None:
        if not self.population:
            return None
        counted = self.proposals if self.population_proposals is None else self.population_proposals
        return round(counted * 1000 / self.population, 1)

    @property
    def population_partial(self) -> bool:
        """Some councils' population is unknown: the residents figure covers the others only."""
        return self.population is not None and self.population_councils < self.councils

    @property
    def supports_recommended_percent(self) -> float | None:
        return _percent(self.supports_recommended, self.supports_total)


@dataclass(frozen=True)
class DistrictScorecard:
    total: Scorecard
    okrugs: list[Scorecard]

    @property
    def is_demo(self) -> bool:
        return self.total.is_demo


@dataclass(frozen=True)
class PilotScorecard:
    pilot_district: Scorecard
    comparison: list[Scorecard]

    @property
    def rows(self) -> list[Scorecard]:
        return [self.pilot_district, *self.comparison]

    @property
    def is_demo(self) -> bool:
        return any(row.is_demo for row in self.rows)


# The arithmetic ----------------------------------------------------------------------------------


def compute_scorecard(
    *,
    label: str,
    kato: str,
    population: int | None,
    recommendations: Iterable[RecommendationFacts],
    proposals: Iterable[ProposalFacts],
    today: datetime.date,
    working_days: WorkingDays,
    is_demo: bool = False,
    councils: int = 1,
    population_councils: int | None = None,
    population_proposals: int | None = None,
) -> Scorecard:
    """The scorecard of these records as of `today`; `working_days(start, end)` counts the working
    days in (start, end] (pass `WorkingCalendar().working_days_between`)."""
    sent = answered = on_time = late = due = overdue = implemented = 0
    kinds: dict[str, int] = defaultdict(int)
    days_to_answer: list[int] = []
    for record in recommendations:
        if record.status == Recommendation.Status.ADOPTED:
            continue  # not sent: nothing to count yet
        sent += 1
        is_demo = is_demo or record.is_demo
        if record.status in _ANSWERED and record.answered_on is not None:
            answered += 1
            due += 1
            kinds[record.answer_kind] += 1
            days_to_answer.append(working_days(record.sent_on, record.answered_on))
            if record.answered_on <= record.due_on:
                on_time += 1
            else:
                late += 1
            if record.implemented_on is not None and record.answer_kind in _ACCEPTING:
                implemented += 1
        elif record.due_on < today:
            overdue += 1
            due += 1
    proposal_count = supports_total = supports_recommended = 0
    for proposal in proposals:
        proposal_count += 1
        is_demo = is_demo or proposal.is_demo
        supports_total += proposal.supports
        if proposal.recommended:
            supports_recommended += proposal.supports
    return Scorecard(
        label=label,
        kato=kato,
        population=population,
        proposals=proposal_count,
        supports_total=supports_total,
        supports_recommended=supports_recommended,
        sent=sent,
        answered=answered,
        answered_on_time=on_time,
        due=due,
        answered_late=late,
        accepted=kinds[Recommendation.AnswerKind.ACCEPTED],
        partially_accepted=kinds[Recommendation.AnswerKind.PARTIALLY_ACCEPTED],
        declined=kinds[Recommendation.AnswerKind.DECLINED],
        overdue=overdue,
        implemented=implemented,
        median_days_to_answer=float(statistics.median(days_to_answer)) if days_to_answer else None,
        is_demo=is_demo,
        councils=councils,
        population_councils=councils if population_councils is None else population_councils,
        population_proposals=population_proposals,
    )


def total_population(populations: Iterable[int | None]) -> int | None:
    """The sum over several councils, or None when any is unknown (a partial sum would inflate the
    proposals per 1,000 residents) or there are none."""
    figures = list(populations)
    if not figures or any(figure is None for figure in figures):
        return None
    return sum(figure for figure in figures if figure is not None)


# Reading the records -----------------------------------------------------------------------------


@dataclass
class _Records:
    """The councils of a scope with their populations and records, read in a fixed number of queries."""

    councils: list[Council]
    populations: dict[int, int | None]
    recommendations: dict[int, list[RecommendationFacts]]
    proposals: dict[int, list[ProposalFacts]]

    def of(self, councils: Sequence[Council]) -> tuple[list[RecommendationFacts], list[ProposalFacts]]:
        recommendations = [record for council in councils for record in self.recommendations[council.pk]]
        proposals = [record for council in councils for record in self.proposals[council.pk]]
        return recommendations, proposals


def _read(councils_filter: Q, *, year: int | None) -> _Records:
    councils = list(Council.objects.filter(councils_filter).select_related("okrug__district").order_by("okrug__kato"))
    ids = [council.pk for council in councils]
    return _Records(
        councils=councils,
        populations=_populations(councils),
        recommendations=_recommendation_records(ids, year=year),
        proposals=_proposal_records(ids, year=year),
    )


def _populations(councils: list[Council]) -> dict[int, int | None]:
    """Each council's population: entered, or the sum of its okrug's settlements (one query, and
    only when some council has no figure entered)."""
    settlements: dict[int, list[Settlement]] = defaultdict(list)
    missing = {council.okrug_id for council in councils if council.population is None}
    if missing:
        for settlement in Settlement.objects.filter(okrug_id__in=missing, retired_at__isnull=True).only(
            "okrug_id", "population"
        ):
            assert settlement.okrug_id is not None
            settlements[settlement.okrug_id].append(settlement)
    return {council.pk: council_population(council, settlements[council.okrug_id]) for council in councils}


def _recommendation_records(council_ids: list[int], *, year: int | None) -> dict[int, list[RecommendationFacts]]:
    records: dict[int, list[RecommendationFacts]] = defaultdict(list)
    if not council_ids:
        return records
    rows = Recommendation.objects.filter(council_id__in=council_ids, sent_at__isnull=False, due_on__isnull=False)
    if year is not None:
        rows = rows.filter(sent_at__year=year)  # in the site's time zone
    fields = ("council_id", "sent_at", "due_on", "status", "answered_on", "answer_kind", "implemented_on", "is_demo")
    for council_id, sent_at, due_on, status, answered_on, answer_kind, implemented_on, is_demo in (
        rows.exclude(status=Recommendation.Status.ADOPTED).order_by().values_list(*fields)
    ):
        records[council_id].append(
            RecommendationFacts(
                sent_on=timezone.localdate(sent_at),
                due_on=due_on,
                status=status,
                answered_on=answered_on,
                answer_kind=answer_kind,
                implemented_on=implemented_on,
                is_demo=is_demo,
            )
        )
    return records


def _proposal_records(council_ids: list[int], *, year: int | None) -> dict[int, list[ProposalFacts]]:
    records: dict[int, list[ProposalFacts]] = defaultdict(list)
    if not council_ids:
        return records
    rows = Proposal.objects.filter(council_id__in=council_ids, submitted_at__isnull=False).exclude(status=Status.DRAFT)
    if year is not None:
        rows = rows.filter(submitted_at__year=year)
    # The proposal's own support counter (kept with its Support rows in one transaction), not a join of
    # millions of supports; Exists, not a join, so a proposal covered by two recommendations (after an
    # unsatisfactory answer) counts once.
    # (The link table alone, found by its proposal index: through the recommendations table the
    # database would hash every recommendation in the country first.)
    covered = Recommendation.proposals.through.objects.filter(proposal_id=OuterRef("pk"))
    rows = rows.annotate(recommended=Exists(covered))
    for council_id, supports, recommended, is_demo in rows.order_by().values_list(
        "council_id", "support_count", "recommended", "is_demo"
    ):
        records[council_id].append(ProposalFacts(supports=supports, recommended=recommended, is_demo=is_demo))
    return records


def _card(
    records: _Records,
    councils: Sequence[Council],
    *,
    label: str,
    kato: str,
    today: datetime.date,
    calendar: WorkingCalendar,
    is_demo: bool = False,
) -> Scorecard:
    recommendations, proposals = records.of(councils)
    # A council whose population is unknown is left out of the per-1,000 figure, with its proposals.
    known = [council for council in councils if records.populations[council.pk] is not None]
    partial = len(known) < len(councils)
    return compute_scorecard(
        label=label,
        kato=kato,
        population=total_population(records.populations[council.pk] for council in known),
        population_councils=len(known),
        population_proposals=len(records.of(known)[1]) if partial else None,
        recommendations=recommendations,
        proposals=proposals,
        today=today,
        working_days=calendar.working_days_between,
        is_demo=is_demo or any(council.is_demo for council in councils),
        councils=len(councils),
    )


# The selectors -----------------------------------------------------------------------------------


def okrug_scorecard(okrug: Okrug, *, year: int | None = None, today: datetime.date | None = None) -> Scorecard:
    """The okrug council's scorecard (every figure empty when the okrug has no council)."""
    records = _read(Q(okrug=okrug), year=year)
    return _card(
        records,
        records.councils,
        label=okrug.name,
        kato=okrug.kato,
        today=today or timezone.localdate(),
        calendar=WorkingCalendar(),
    )


def district_scorecard(
    district: District, *, year: int | None = None, today: datetime.date | None = None
) -> DistrictScorecard:
    """The district's councils together (`total`) and one row per okrug that has a council."""
    records = _read(Q(okrug__district=district), year=year)
    day = today or timezone.localdate()
    calendar = WorkingCalendar()
    return DistrictScorecard(
        total=_card(records, records.councils, label=district.name, kato=district.kato, today=day, calendar=calendar),
        okrugs=[
            _card(records, [council], label=council.okrug.name, kato=council.okrug.kato, today=day, calendar=calendar)
            for council in records.councils
        ],
    )


def pilot_scorecard(pilot: Pilot, *, year: int | None = None, today: datetime.date | None = None) -> PilotScorecard:
    """The pilot's district (or, for a pilot of named okrugs, those okrugs) beside each comparison
    district, every row the aggregate of the councils there."""
    comparison_districts = sorted(pilot.comparison_districts.all(), key=lambda district: district.kato)
    pilot_okrug_ids = {okrug.pk for okrug in pilot.okrugs.all()} if pilot.district_id is None else set()
    records = _read(pilot_scope(pilot), year=year)
    day = today or timezone.localdate()
    calendar = WorkingCalendar()
    if pilot.district is not None:
        pilot_councils = [c for c in records.councils if c.okrug.district_id == pilot.district_id]
        label, kato = pilot.district.name, pilot.district.kato
    else:
        pilot_councils = [c for c in records.councils if c.okrug_id in pilot_okrug_ids]
        label, kato = pilot.name, ""
    return PilotScorecard(
        pilot_district=_card(
            records, pilot_councils, label=label, kato=kato, today=day, calendar=calendar, is_demo=pilot.is_demo
        ),
        comparison=[
            _card(
                records,
                [c for c in records.councils if c.okrug.district_id == district.pk],
                label=district.name,
                kato=district.kato,
                today=day,
                calendar=calendar,
            )
            for district in comparison_districts
        ],
    )


# For the pages -----------------------------------------------------------------------------------


def scorecard_years(scope: Q, *, today: datetime.date | None = None) -> list[int]:
    """The years a scorecard of the councils in `scope` can show, newest first: from the year the
    first of them was established to this year. One query."""
    this_year = (today or timezone.localdate()).year
    first = Council.objects.filter(scope).aggregate(first=Min("established_on"))["first"]
    start = min(first.year, this_year) if first is not None else this_year
    return list(range(this_year, start - 1, -1))


def okrug_scope(okrug: Okrug) -> Q:
    return Q(okrug=okrug)


def district_scope(district: District) -> Q:
    return Q(okrug__district=district)


def pilot_scope(pilot: Pilot) -> Q:
    """The councils a pilot's scorecard counts: its district's (or its okrugs') and the comparison districts'."""
    scope = Q(okrug__district_id__in=[district.pk for district in pilot.comparison_districts.all()])
    if pilot.district_id is not None:
        return scope | Q(okrug__district_id=pilot.district_id)
    return scope | Q(okrug_id__in=[okrug.pk for okrug in pilot.okrugs.all()])


def list_scorecard_pilots() -> list[Pilot]:
    """Every pilot, for the index, with its district."""
    return list(Pilot.objects.select_related("district").order_by("-starts_on", "name"))


def list_scorecard_districts() -> list[District]:
    """The districts that have councils, each with `council_count`, by code."""
    return list(
        District.objects.filter(okrugs__council__isnull=False)
        .select_related("region")
        .annotate(council_count=Count("okrugs__council"))
        .order_by("kato")
    )
