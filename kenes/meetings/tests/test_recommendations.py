"""Adopted items become numbered recommendations with a due date in working days; declined items
close their proposals with the council's reason."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kenes.core.errors import DomainError
from kenes.meetings import selectors, services
from kenes.meetings.models import AgendaItem, Choice, Recommendation
from kenes.meetings.tests.factories import AgendaItemFactory, MeetingFactory, sitting_with_members
from kenes.proposals.models import Status, TimelineEvent
from kenes.proposals.tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def decide(sitting, item: AgendaItem, choice: str, reason: str = "") -> AgendaItem:
    services.open_vote(actor=sitting.secretary, item=item)
    for member in sitting.members:
        services.cast_vote(actor=member.user, item=item, choice=choice)
    return services.close_vote(actor=sitting.secretary, item=item, decision_reason=reason)


def test_an_adopted_proposal_becomes_a_recommendation_numbered_per_council_and_year():
    sitting = sitting_with_members(3)
    proposal = ProposalFactory.create(council=sitting.council, status=Status.READY)
    item = services.add_agenda_item(actor=sitting.secretary, meeting=sitting.meeting, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.ON_AGENDA
    decide(sitting, item, Choice.FOR)
    recommendation = Recommendation.objects.get(item=item)
    year = timezone.localdate(sitting.meeting.starts_at).year
    assert (recommendation.year, recommendation.sequence) == (year, 1)
    assert recommendation.number == f"{sitting.council.okrug.kato}/{year}/1"
    assert list(recommendation.proposals.all()) == [proposal]
    assert recommendation.text_kk.startswith(proposal.title)
    assert recommendation.adopted_on == timezone.localdate(sitting.meeting.starts_at)
    assert recommendation.status == Recommendation.Status.ADOPTED
    proposal.refresh_from_db()
    assert proposal.status == Status.RECOMMENDED
    second = decide(sitting, sitting.item(), Choice.FOR)
    assert Recommendation.objects.get(item=second).sequence == 2


def test_numbering_starts_again_each_year_and_each_council():
    sitting = sitting_with_members(3)
    last_year = MeetingFactory.create(
        council=sitting.council, status="closed", starts_at=timezone.now() - datetime.timedelta(days=400)
    )
    old_item = AgendaItemFactory.create(
        meeting=last_year, vote_state="closed", outcome="adopted", votes_for=3, votes_against=0, votes_abstain=0
    )
    old_day = timezone.localdate(last_year.starts_at)
    Recommendation.objects.create(
        council=sitting.council,
        item=old_item,
        year=old_day.year,
        sequence=7,
        text_kk="a",
        text_ru="a",
        addressee_kind="okrug_akim",
        addressee_name="Әкім",
        adopted_on=old_day,
    )
    other = sitting_with_members(3)
    decide(other, other.item(), Choice.FOR)
    item = decide(sitting, sitting.item(), Choice.FOR)
    assert Recommendation.objects.get(item=item).sequence == 1
    assert services.next_sequence(council=sitting.council, year=old_day.year) == 8


def test_a_declined_item_closes_its_proposal_with_the_councils_reason():
    sitting = sitting_with_members(3)
    proposal = ProposalFactory.create(council=sitting.council, status=Status.READY)
    item = services.add_agenda_item(actor=sitting.secretary, meeting=sitting.meeting, proposal=proposal)
    reason = "Бюджетте қаражат жоқ <script>"
    closed = decide(sitting, item, Choice.AGAINST, reason=reason)
    assert closed.outcome == AgendaItem.Outcome.REJECTED
    assert closed.decision_reason == reason
    assert not Recommendation.objects.filter(item=item).exists()
    proposal.refresh_from_db()
    assert proposal.status == Status.DECLINED
    event = proposal.timeline.get(kind=TimelineEvent.Kind.DECLINED)
    assert event.note == reason


def test_sending_on_19_march_2026_skips_nauryz_in_the_due_date():
    """15 working days from Thursday 19 March 2026. By hand: Fri 20 March is the 1st; 21–23 March are
    Nauryz and 21, 22 fall on the weekend, so Tue 24 and Wed 25 are days off too; then Thu 26 (2),
    Fri 27 (3), 30 (4), 31 (5), 1 April (6), 2 (7), 3 (8), 6 (9), 7 (10), 8 (11), 9 (12), 10 (13),
    13 (14), Tue 14 April (15)."""
    sitting = sitting_with_members(
        3,
        charter={"answer_working_days": 15},
        starts_at=timezone.make_aware(datetime.datetime(2026, 3, 17, 15, 0)),
    )
    item = decide(sitting, sitting.item(), Choice.FOR)
    recommendation = Recommendation.objects.get(item=item)
    sent = services.send_recommendation(
        actor=sitting.secretary, recommendation=recommendation, sent_on=datetime.date(2026, 3, 19)
    )
    assert sent.due_on == datetime.date(2026, 4, 14)
    assert sent.status == Recommendation.Status.SENT
    assert timezone.localdate(sent.sent_at) == datetime.date(2026, 3, 19)


def test_a_sent_recommendation_cannot_be_sent_again_or_edited():
    sitting = sitting_with_members(3)
    item = decide(sitting, sitting.item(), Choice.FOR)
    recommendation = Recommendation.objects.get(item=item)
    services.update_recommendation(
        actor=sitting.secretary,
        recommendation=recommendation,
        text_kk="Әкімге көше жарығын орнатуды ұсыну <script>",
        text_ru="Рекомендовать акиму установить освещение",
        addressee_kind=Recommendation.Addressee.DISTRICT_DEPARTMENT,
        addressee_name="Аудандық тұрғын үй-коммуналдық шаруашылық бөлімі",
    )
    services.send_recommendation(actor=sitting.secretary, recommendation=recommendation)
    with pytest.raises(DomainError) as again:
        services.send_recommendation(actor=sitting.secretary, recommendation=recommendation)
    assert again.value.code == "already_sent"
    with pytest.raises(DomainError) as edit:
        services.update_recommendation(
            actor=sitting.secretary,
            recommendation=recommendation,
            text_kk="x",
            text_ru="x",
            addressee_kind="maslikhat",
            addressee_name="x",
        )
    assert edit.value.code == "recommendation_sent"
    recommendation.refresh_from_db()
    assert recommendation.addressee_kind == Recommendation.Addressee.DISTRICT_DEPARTMENT


def test_a_recommendation_cannot_be_sent_before_it_was_adopted():
    sitting = sitting_with_members(3)
    recommendation = Recommendation.objects.get(item=decide(sitting, sitting.item(), Choice.FOR))
    with pytest.raises(DomainError) as error:
        services.send_recommendation(
            actor=sitting.secretary,
            recommendation=recommendation,
            sent_on=recommendation.adopted_on - datetime.timedelta(days=1),
        )
    assert error.value.code == "sent_before_adoption"


def test_the_councils_recommendations_are_listed_newest_first():
    sitting = sitting_with_members(3)
    for _ in range(3):
        decide(sitting, sitting.item(), Choice.FOR)
    assert [r.sequence for r in selectors.recommendations_of(sitting.council)] == [3, 2, 1]
