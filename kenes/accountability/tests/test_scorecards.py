"""Scorecard arithmetic on hand-computed fixtures, and the selectors that read the records for an
okrug, a district and a pilot."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.utils import timezone

from kenes.accountability.exports import ScorecardSheet, scorecard_csv, scorecard_xlsx
from kenes.accountability.scorecards import (
    ProposalFacts,
    RecommendationFacts,
    Scorecard,
    compute_scorecard,
    district_scorecard,
    okrug_scorecard,
    pilot_scorecard,
    total_population,
)
from kenes.accountability.tests.factories import adopted_recommendation, sent_recommendation
from kenes.core.calendar import WorkingCalendar
from kenes.core.models import CalendarOverride
from kenes.councils.models import Council
from kenes.councils.tests.factories import CharterFactory, CouncilFactory, PilotFactory
from kenes.meetings.models import Recommendation
from kenes.proposals.models import Proposal, Status
from kenes.proposals.tests.factories import ProposalFactory, SupportFactory
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, SettlementFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 6, 1)  # a Monday
SENT, ANSWERED, IMPLEMENTED, UNSATISFACTORY = "sent", "answered", "implemented", "unsatisfactory"


def rec(
    sent_on: datetime.date,
    due_on: datetime.date,
    status: str = SENT,
    answered_on: datetime.date | None = None,
    kind: str = "",
    implemented_on: datetime.date | None = None,
    is_demo: bool = False,
) -> RecommendationFacts:
    return RecommendationFacts(
        sent_on=sent_on,
        due_on=due_on,
        status=status,
        answered_on=answered_on,
        answer_kind=kind,
        implemented_on=implemented_on,
        is_demo=is_demo,
    )


def card(
    recommendations: list[RecommendationFacts],
    proposals: list[ProposalFacts] = (),  # type: ignore[assignment]
    *,
    population: int | None = 2400,
    today: datetime.date = TODAY,
    is_demo: bool = False,
) -> Scorecard:
    return compute_scorecard(
        label="Округ",
        kato="274430000",
        population=population,
        recommendations=recommendations,
        proposals=proposals,
        today=today,
        working_days=WorkingCalendar().working_days_between,
        is_demo=is_demo,
    )


# The arithmetic ----------------------------------------------------------------------------------

SEVEN = [
    rec(D(2026, 4, 23), D(2026, 5, 19), IMPLEMENTED, D(2026, 4, 29), "accepted", implemented_on=D(2026, 5, 20)),
    rec(D(2026, 4, 30), D(2026, 5, 26), ANSWERED, D(2026, 5, 12), "accepted"),
    rec(D(2026, 4, 9), D(2026, 4, 30), UNSATISFACTORY, D(2026, 5, 12), "declined"),
    rec(D(2026, 4, 1), D(2026, 4, 22), ANSWERED, D(2026, 4, 27), "partially_accepted"),
    rec(D(2026, 5, 5), D(2026, 5, 29)),
    rec(D(2026, 5, 20), D(2026, 6, 11)),
    rec(D(2026, 4, 27), D(2026, 5, 21), ANSWERED, D(2026, 5, 15), "accepted"),
]


def test_seven_recommendations_give_the_hand_computed_scorecard():
    """Today is Monday 1 June 2026. Days off in the windows: Fri 1 May (Unity Day), Thu 7 May
    (Defender's Day), Mon 11 May (Victory Day, Saturday 9 May moved), and every weekend.

    | # | sent      | due       | answer                                | working days to answer    |
    |---|-----------|-----------|---------------------------------------|---------------------------|
    | 1 | Thu 23 Apr| Tue 19 May| accepted Wed 29 Apr, implemented      | 24,27,28,29 Apr = 4       |
    | 2 | Thu 30 Apr| Tue 26 May| accepted Tue 12 May                   | 4,5,6,8,12 May = 5        |
    | 3 | Thu  9 Apr| Thu 30 Apr| declined Tue 12 May (late), unsatisf. | 10..30 Apr 15 + 4,5,6,8,12 May = 20 |
    | 4 | Wed  1 Apr| Wed 22 Apr| partially accepted Mon 27 Apr (late)  | 2,3 + 3 weeks × 5 + 27 = 18 |
    | 5 | Tue  5 May| Fri 29 May| none: overdue on 1 June               | —                         |
    | 6 | Wed 20 May| Thu 11 Jun| none: not due yet                     | —                         |
    | 7 | Mon 27 Apr| Thu 21 May| accepted Fri 15 May                   | 28,29,30 Apr + 4,5,6,8,12..15 May = 11 |

    sent 7; answered 5 (1, 2, 3, 4, 7); due = answered 5 + overdue 1 (#5) = 6 (#6 is not due);
    on time 3 (1, 2, 7), late 2 (3, 4): 3 / 6 = 50.0 %; median of 4, 5, 11, 18, 20 = 11;
    accepted 3, partially 1, declined 1; implemented 1 of 3 + 1 = 25.0 %.
    """
    result = card(SEVEN)

    assert (result.sent, result.answered, result.due, result.overdue) == (7, 5, 6, 1)
    assert (result.answered_on_time, result.answered_late) == (3, 2)
    assert result.on_time_percent == 50.0
    assert result.median_days_to_answer == 11.0
    assert (result.accepted, result.partially_accepted, result.declined) == (3, 1, 1)
    assert result.implemented == 1
    assert result.implemented_percent == 25.0


def test_a_calendar_override_changes_the_working_days_counted():
    """Recommendation 1 of the seven alone (23 → 29 April, 4 working days): when 28 April is
    declared a day off the answer took 3 working days."""
    CalendarOverride.objects.create(day=D(2026, 4, 28), is_working_day=False, note="<script>")

    assert card(SEVEN[:1]).median_days_to_answer == 3.0


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    """Sent Mon 4 May 2026: answered Tue 5 May (1 working day) and Fri 8 May (Thu 7 May is a
    holiday: 5, 6, 8 = 3 working days) → median (1 + 3) / 2 = 2.0. Sent Fri 15 May and answered
    Mon 18 May: 1 → median of 1, 1, 3 = 1.0."""
    two = [
        rec(D(2026, 5, 4), D(2026, 5, 26), ANSWERED, D(2026, 5, 5), "accepted"),
        rec(D(2026, 5, 4), D(2026, 5, 26), ANSWERED, D(2026, 5, 8), "declined"),
    ]
    assert card(two).median_days_to_answer == 2.0
    three = [*two, rec(D(2026, 5, 15), D(2026, 6, 5), ANSWERED, D(2026, 5, 18), "accepted")]
    assert card(three).median_days_to_answer == 1.0


def test_an_answer_by_the_extended_deadline_is_on_time():
    """The first deadline was 30 April; the extension moved `due_on` to 29 May: an answer on
    20 May is on time, since only the deadline in force counts."""
    result = card([rec(D(2026, 4, 9), D(2026, 5, 29), ANSWERED, D(2026, 5, 20), "accepted")])

    assert (result.answered_on_time, result.answered_late, result.on_time_percent) == (1, 0, 100.0)


def test_an_answer_on_the_due_day_is_on_time_and_a_day_later_is_late():
    on_the_day = rec(D(2026, 4, 1), D(2026, 4, 22), ANSWERED, D(2026, 4, 22), "accepted")
    a_day_later = rec(D(2026, 4, 1), D(2026, 4, 22), ANSWERED, D(2026, 4, 23), "accepted")

    assert (card([on_the_day]).answered_on_time, card([on_the_day]).answered_late) == (1, 0)
    assert (card([a_day_later]).answered_on_time, card([a_day_later]).answered_late) == (0, 1)


def test_a_recommendation_waiting_on_its_due_day_is_not_overdue_yet():
    result = card([rec(D(2026, 5, 11), TODAY)])

    assert (result.sent, result.due, result.overdue) == (1, 0, 0)
    assert result.on_time_percent is None


def test_percentages_are_empty_rather_than_zero_without_a_denominator():
    result = card([], population=None)

    assert result.sent == 0
    assert result.on_time_percent is None
    assert result.median_days_to_answer is None
    assert result.implemented_percent is None
    assert result.proposals_per_1000 is None
    assert result.supports_recommended_percent is None


def test_a_declined_recommendation_does_not_count_towards_implemented():
    result = card(
        [
            rec(D(2026, 4, 1), D(2026, 4, 22), ANSWERED, D(2026, 4, 10), "declined"),
            rec(D(2026, 4, 1), D(2026, 4, 22), ANSWERED, D(2026, 4, 10), "accepted"),
        ]
    )

    assert (result.implemented, result.implemented_percent) == (0, 0.0)


def test_an_adopted_recommendation_not_sent_is_not_counted():
    result = card([rec(D(2026, 4, 1), D(2026, 4, 22), status="adopted")])

    assert (result.sent, result.due) == (0, 0)


def test_proposals_and_supports_give_the_hand_computed_rates():
    """4 proposals in an okrug of 2,400 residents: 4 / 2,400 × 1,000 = 1.67 → 1.7 per 1,000.
    Supports 10 + 6 on recommended proposals, 4 + 0 on the others: 16 of 20 = 80.0 %."""
    proposals = [
        ProposalFacts(supports=10, recommended=True),
        ProposalFacts(supports=6, recommended=True),
        ProposalFacts(supports=4, recommended=False),
        ProposalFacts(supports=0, recommended=False),
    ]
    result = card([], proposals)

    assert (result.proposals, result.supports_total, result.supports_recommended) == (4, 20, 16)
    assert result.proposals_per_1000 == 1.7
    assert result.supports_recommended_percent == 80.0


def test_any_demo_record_marks_the_scorecard_demo():
    assert not card(SEVEN).is_demo
    assert card([*SEVEN, rec(D(2026, 5, 20), D(2026, 6, 11), is_demo=True)]).is_demo
    assert card([], [ProposalFacts(supports=1, recommended=False, is_demo=True)]).is_demo
    assert card([], is_demo=True).is_demo


def test_a_total_population_is_unknown_when_any_part_is():
    """The plain sum; the scorecards pass it only the councils whose population is known."""
    assert total_population([1200, 800]) == 2000
    assert total_population([1200, None]) is None
    assert total_population([]) is None


# Reading the records -----------------------------------------------------------------------------


def test_the_okrug_scorecard_reads_the_councils_recommendations():
    council = CouncilFactory.create(population=1000, population_year=2025)
    on_time = sent_recommendation(council=council, sent_on=D(2026, 4, 1), proposals=0)
    Recommendation.objects.filter(pk=on_time.pk).update(
        status="answered", answered_on=D(2026, 4, 10), answer_kind="accepted"
    )
    sent_recommendation(council=council, sent_on=D(2026, 4, 1), proposals=0)  # due 22 April: overdue
    adopted_recommendation(council=council, proposals=0)  # not sent: not counted
    sent_recommendation(sent_on=D(2026, 4, 1), proposals=0)  # another council's

    result = okrug_scorecard(council.okrug, today=TODAY)

    assert (result.label, result.kato) == (council.okrug.name, council.okrug.kato)
    assert (result.sent, result.answered, result.overdue, result.due) == (2, 1, 1, 2)
    assert result.on_time_percent == 50.0
    # 1 → 10 April 2026: 2, 3, 6, 7, 8, 9, 10 = 7 working days.
    assert result.median_days_to_answer == 7.0
    assert result.population == 1000


def test_the_year_counts_recommendations_by_the_day_they_were_sent():
    council = CouncilFactory.create()
    sent_recommendation(council=council, sent_on=D(2025, 12, 30), proposals=0)
    sent_recommendation(council=council, sent_on=D(2026, 1, 5), proposals=0)

    assert okrug_scorecard(council.okrug, year=2025, today=TODAY).sent == 1
    assert okrug_scorecard(council.okrug, year=2026, today=TODAY).sent == 1
    assert okrug_scorecard(council.okrug, today=TODAY).sent == 2


def test_a_recommendation_sent_just_after_midnight_on_new_year_counts_in_the_new_year():
    """02:00 on 1 January in Oral is still 31 December in UTC: the year is the local one."""
    council = CouncilFactory.create()
    sent_at = timezone.make_aware(datetime.datetime(2026, 1, 1, 2, 0))
    sent_recommendation(council=council, sent_on=D(2026, 1, 1), sent_at=sent_at, proposals=0)

    assert okrug_scorecard(council.okrug, year=2025, today=TODAY).sent == 0
    assert okrug_scorecard(council.okrug, year=2026, today=TODAY).sent == 1


def test_proposals_count_by_submission_and_drafts_not_at_all():
    council = CouncilFactory.create(population=500, population_year=2025)
    ProposalFactory.create(council=council, status=Status.COLLECTING)
    ProposalFactory.create(council=council, status=Status.DRAFT)
    last_year = ProposalFactory.create(council=council, status=Status.COLLECTING)
    last_year.submitted_at = timezone.now().replace(year=timezone.now().year - 1)
    last_year.save(update_fields=["submitted_at"])

    assert okrug_scorecard(council.okrug).proposals == 2
    this_year = okrug_scorecard(council.okrug, year=timezone.localdate().year)
    assert this_year.proposals == 1
    assert this_year.proposals_per_1000 == 2.0  # 1 / 500 × 1,000


def test_supports_of_a_proposal_two_recommendations_cover_count_once():
    """A proposal found unsatisfactorily answered goes back to the agenda and gets a second
    recommendation; its 3 supports still count 3 times, not 6. The uncovered proposal's 1 support
    makes 3 of 4 = 75.0 %."""
    first = sent_recommendation(proposals=1)
    council = first.council
    covered = first.proposals.get()
    second = sent_recommendation(council=council, proposals=0)
    second.proposals.add(covered)
    for _ in range(3):
        SupportFactory.create(proposal=covered)
    uncovered = ProposalFactory.create(council=council, status=Status.COLLECTING)
    SupportFactory.create(proposal=uncovered)
    # The scorecard reads each proposal's support counter, which the support service keeps with the rows.
    for proposal in (covered, uncovered):
        Proposal.objects.filter(pk=proposal.pk).update(support_count=proposal.supports.count())

    result = okrug_scorecard(council.okrug)

    assert (result.supports_total, result.supports_recommended) == (4, 3)
    assert result.supports_recommended_percent == 75.0


def test_the_population_falls_back_to_the_sum_of_the_settlements():
    council = CouncilFactory.create(population=None)
    SettlementFactory.create(okrug=council.okrug, population=700, population_year=2025)
    SettlementFactory.create(okrug=council.okrug, population=300, population_year=2025)

    assert okrug_scorecard(council.okrug).population == 1000

    SettlementFactory.create(okrug=council.okrug)  # no figure: the sum would understate it
    assert okrug_scorecard(council.okrug).population is None


def test_an_okrug_without_a_council_has_an_empty_scorecard():
    result = okrug_scorecard(OkrugFactory.create())

    assert (result.councils, result.sent, result.population) == (0, 0, None)


def test_a_recommendation_or_council_from_demo_data_marks_the_scorecard():
    council = CouncilFactory.create()
    sent_recommendation(council=council, proposals=0)
    assert not okrug_scorecard(council.okrug).is_demo

    sent_recommendation(council=council, proposals=0, is_demo=True)
    assert okrug_scorecard(council.okrug).is_demo

    demo_council = CouncilFactory.create(is_demo=True)
    assert okrug_scorecard(demo_council.okrug).is_demo


def _answered(council: Council, sent_on: datetime.date, answered_on: datetime.date) -> None:
    made = sent_recommendation(council=council, sent_on=sent_on, proposals=0)
    Recommendation.objects.filter(pk=made.pk).update(status="answered", answered_on=answered_on, answer_kind="accepted")


def test_the_district_total_takes_the_median_over_all_answers_not_the_median_of_medians():
    """Okrug A answers in 1, 2 and 3 working days (median 2), okrug B in 10 (median 10); the
    district's median is over 1, 2, 3, 10 = 2.5 (the median of the medians would be 6)."""
    district = DistrictFactory.create()
    a = CouncilFactory.create(okrug=OkrugFactory.create(district=district), population=100, population_year=2025)
    b = CouncilFactory.create(okrug=OkrugFactory.create(district=district), population=300, population_year=2025)
    monday = D(2026, 4, 6)
    for answered_on in (D(2026, 4, 7), D(2026, 4, 8), D(2026, 4, 9)):
        _answered(a, monday, answered_on)
    _answered(b, monday, D(2026, 4, 20))  # 7..10, 13..17, 20 April = 10
    CouncilFactory.create(okrug=OkrugFactory.create())  # another district's council

    result = district_scorecard(district, today=TODAY)

    assert [row.kato for row in result.okrugs] == sorted([a.okrug.kato, b.okrug.kato])
    assert [row.median_days_to_answer for row in result.okrugs] == [2.0, 10.0]
    assert result.total.median_days_to_answer == 2.5
    assert (result.total.sent, result.total.answered, result.total.councils) == (4, 4, 2)
    assert result.total.population == 400
    assert result.total.label == district.name


def test_a_district_counts_proposals_per_1000_over_the_councils_whose_population_is_known():
    """A: 2,000 residents and 3 proposals; B: population unknown, 5 proposals. Per 1,000 counts A
    only: 3 × 1,000 / 2,000 = 1.5 (not 8 / 2,000 = 4.0, and not "unknown" for the whole district)."""
    district = DistrictFactory.create()
    known = CouncilFactory.create(okrug=OkrugFactory.create(district=district), population=2000, population_year=2025)
    unknown = CouncilFactory.create(okrug=OkrugFactory.create(district=district), population=None)
    for _ in range(3):
        ProposalFactory.create(council=known, status=Status.COLLECTING)
    for _ in range(5):
        ProposalFactory.create(council=unknown, status=Status.COLLECTING)

    total = district_scorecard(district, today=TODAY).total

    assert (total.proposals, total.population, total.population_councils, total.councils) == (8, 2000, 1, 2)
    assert total.population_partial
    assert total.proposals_per_1000 == 1.5


def test_the_pilot_district_stands_beside_each_comparison_district():
    pilot = PilotFactory.create()
    first, second = DistrictFactory.create(), DistrictFactory.create()
    pilot.comparison_districts.add(second, first)
    in_pilot = CouncilFactory.create(okrug=OkrugFactory.create(district=pilot.district))
    sent_recommendation(council=in_pilot, proposals=0)
    sent_recommendation(council=in_pilot, proposals=0)
    compared = CouncilFactory.create(okrug=OkrugFactory.create(district=first))
    sent_recommendation(council=compared, proposals=0)

    result = pilot_scorecard(pilot, today=TODAY)

    assert pilot.district is not None
    assert result.pilot_district.kato == pilot.district.kato
    assert result.pilot_district.sent == 2
    assert [(row.kato, row.sent, row.councils) for row in result.comparison] == [
        (first.kato, 1, 1),
        (second.kato, 0, 0),
    ]
    assert not result.is_demo


def test_a_demo_pilot_marks_its_row_demo():
    pilot = PilotFactory.create(is_demo=True)
    pilot.comparison_districts.add(DistrictFactory.create())

    result = pilot_scorecard(pilot)

    assert result.pilot_district.is_demo
    assert not result.comparison[0].is_demo
    assert result.is_demo


def test_a_pilot_of_named_okrugs_counts_those_okrugs():
    pilot = PilotFactory.create(district=None, charter=CharterFactory.create())
    chosen = CouncilFactory.create()
    pilot.okrugs.add(chosen.okrug)
    sent_recommendation(council=chosen, proposals=0)
    sent_recommendation(council=CouncilFactory.create(okrug=OkrugFactory.create(district=chosen.okrug.district)))

    result = pilot_scorecard(pilot)

    assert (result.pilot_district.label, result.pilot_district.sent) == (pilot.name, 1)


# Exports -----------------------------------------------------------------------------------------


def _sheet(label: str = "Округ", *, is_demo: bool = False) -> ScorecardSheet:
    row = card(SEVEN, is_demo=is_demo)
    return ScorecardSheet(title="Title", rows=[dataclasses.replace(row, label=label)], filename="x")


def test_a_cell_that_looks_like_a_formula_is_written_as_text_in_csv():
    content = scorecard_csv(_sheet('=HYPERLINK("http://evil")')).decode("utf-8-sig")

    assert "'=HYPERLINK" in content


def test_a_cell_that_looks_like_a_formula_stays_text_in_xlsx():
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(scorecard_xlsx(_sheet("=1+1")))).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=1+1"]
    assert cells
    assert all(cell.data_type == "s" for cell in cells)
