"""Who hears of what: each event published by a service reaches its people (a notice on the site, one
outbox message per channel they have an address for and want), in their language, and nobody else.

The catalogues do not carry these messages' own words yet, so the language is checked on words that
are already translated and go into them: a proposal's status, an okrug's name, an answer's kind, the
recommendation's official text.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kenes.accountability import services as accountability
from kenes.accountability.tests.factories import akimat_user, council_officer, district_user, sent_recommendation
from kenes.accounts.models import User
from kenes.accounts.tests.factories import UserFactory
from kenes.core.events import Event
from kenes.councils.models import Council, Member
from kenes.councils.tests.factories import MemberFactory
from kenes.meetings import services as meetings
from kenes.meetings.models import AgendaItem, Attendance, Meeting
from kenes.meetings.tests.factories import AgendaItemFactory, MeetingFactory, sitting_with_members
from kenes.notifications import handlers
from kenes.notifications.models import Channel, EventType, Notice, NotificationEvent, OutboxMessage
from kenes.notifications.services import fit_sms, set_preference
from kenes.notifications.tests.factories import ContactFactory
from kenes.proposals import services as proposals
from kenes.proposals.models import Proposal, Status
from kenes.proposals.tests.factories import ProposalFactory, SupportFactory, coordinator_of, member_of, resident_of
from kenes.relocation import services as relocation
from kenes.relocation.models import Offer
from kenes.relocation.services import OfferData
from kenes.relocation.tests.factories import akimat_user as relocation_staff
from kenes.relocation.tests.factories import family_applicant, profession, vacancy_offer
from kenes.territory.tests.factories import OkrugFactory, SettlementFactory

pytestmark = pytest.mark.django_db

VETERINARIAN = [{"profession": "veterinarian", "seeks_work": True}]


def speaks(user: User, language: str, *, phone: str = "") -> User:
    ContactFactory.create(user=user, language=language, phone=phone)
    return user


def told(kind: str) -> list[Notice]:
    """The notices of the last event of this kind, in the order they were written."""
    event = NotificationEvent.objects.filter(kind=kind).order_by("-id").first()
    assert event is not None, f"no {kind} event was announced"
    return list(Notice.objects.filter(event=event).select_related("user").order_by("id"))


def users(notices: list[Notice]) -> set[int]:
    return {notice.user_id for notice in notices}


def notice_of(user: User) -> Notice:
    return Notice.objects.get(user=user)


# Proposals ----------------------------------------------------------------------------------------


@pytest.fixture
def ready_proposal() -> Proposal:
    return ProposalFactory.create(status=Status.READY)


def test_the_author_and_the_supporters_hear_the_proposal_is_on_the_agenda_and_nobody_else(
    ready_proposal: Proposal,
) -> None:
    author = speaks(ready_proposal.author, "ru", phone="+77011234567")
    supporter = speaks(SupportFactory.create(proposal=ready_proposal).resident, "kk", phone="+77017654321")
    quiet_supporter = SupportFactory.create(proposal=ready_proposal).resident
    bystander = resident_of(ready_proposal.okrug)
    coordinator = coordinator_of(ready_proposal.council)

    proposals.put_on_agenda(actor=coordinator, proposal=ready_proposal)

    notices = told("proposal.status_changed")
    assert users(notices) == {author.pk, supporter.pk, quiet_supporter.pk}
    assert bystander.pk not in users(notices)
    assert coordinator.pk not in users(notices)
    assert notices[0].user_id == author.pk
    assert notices[0].event_type == EventType.PROPOSAL_STATUS
    assert notices[0].url == f"/proposals/{ready_proposal.pk}/"
    assert ready_proposal.title in notices[0].body
    # Each in their own language: the status reads in Russian for the author, in Kazakh for the supporter.
    assert "В повестке заседания" in notice_of(author).title
    assert "Отырыстың күн тәртібінде" in notice_of(supporter).title
    sms = {message.user_id: message for message in OutboxMessage.objects.filter(channel=Channel.SMS)}
    assert set(sms) == {author.pk, supporter.pk}
    assert sms[author.pk].language == "ru"
    assert sms[supporter.pk].language == "kk"
    assert sms[author.pk].address == "+77011234567"
    emails = OutboxMessage.objects.filter(channel=Channel.EMAIL)
    assert {message.user_id for message in emails} == {author.pk, supporter.pk, quiet_supporter.pk}


def test_an_sms_fits_one_message_in_any_language(ready_proposal: Proposal) -> None:
    speaks(ready_proposal.author, "kk", phone="+77011234567")
    speaks(SupportFactory.create(proposal=ready_proposal).resident, "ru", phone="+77017654321")
    speaks(SupportFactory.create(proposal=ready_proposal).resident, "en", phone="+77017654322")

    proposals.put_on_agenda(actor=coordinator_of(ready_proposal.council), proposal=ready_proposal)

    messages = list(OutboxMessage.objects.filter(channel=Channel.SMS))
    assert {message.language for message in messages} == {"kk", "ru", "en"}
    for message in messages:
        assert message.body == fit_sms(message.body)
        assert len(message.body) <= 160
        assert message.body.isascii() or len(message.body) <= 70


def test_submitting_a_draft_tells_nobody() -> None:
    proposal = ProposalFactory.create(status=Status.DRAFT)

    proposals.submit_proposal(actor=proposal.author, proposal=proposal)

    assert not Notice.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_channel_turned_off_gets_nothing_while_the_others_still_do(ready_proposal: Proposal) -> None:
    author = speaks(ready_proposal.author, "kk", phone="+77011234567")
    set_preference(actor=author, event_type=EventType.PROPOSAL_STATUS, channel=Channel.SMS, enabled=False)
    supporter = SupportFactory.create(proposal=ready_proposal).resident
    set_preference(actor=supporter, event_type=EventType.PROPOSAL_STATUS, channel=Channel.IN_APP, enabled=False)
    # A choice about another event type changes nothing here.
    set_preference(actor=supporter, event_type=EventType.SITTING_SOON, channel=Channel.EMAIL, enabled=False)

    proposals.put_on_agenda(actor=coordinator_of(ready_proposal.council), proposal=ready_proposal)

    assert not OutboxMessage.objects.filter(user=author, channel=Channel.SMS).exists()
    assert OutboxMessage.objects.filter(user=author, channel=Channel.EMAIL).exists()
    assert Notice.objects.filter(user=author).exists()
    assert not Notice.objects.filter(user=supporter).exists()
    assert OutboxMessage.objects.filter(user=supporter, channel=Channel.EMAIL).exists()


def test_a_rolled_back_change_leaves_no_notice_and_no_message(ready_proposal: Proposal) -> None:
    speaks(ready_proposal.author, "kk", phone="+77011234567")
    coordinator = coordinator_of(ready_proposal.council)

    def put_on_agenda_then_fail() -> None:
        with transaction.atomic():
            proposals.put_on_agenda(actor=coordinator, proposal=ready_proposal)
            assert Notice.objects.exists()
            assert OutboxMessage.objects.exists()
            raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        put_on_agenda_then_fail()

    assert not NotificationEvent.objects.exists()
    assert not Notice.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert Proposal.objects.get(pk=ready_proposal.pk).status == Status.READY


def test_demo_data_makes_demo_notices() -> None:
    proposal = ProposalFactory.create(status=Status.READY, is_demo=True)
    speaks(proposal.author, "kk", phone="+77011234567")

    proposals.put_on_agenda(actor=coordinator_of(proposal.council), proposal=proposal)

    assert Notice.objects.get().is_demo
    assert all(message.is_demo for message in OutboxMessage.objects.all())


def test_telling_twelve_supporters_costs_the_queries_of_telling_two() -> None:
    def cost(supporters: int) -> int:
        proposal = ProposalFactory.create(status=Status.ON_AGENDA)
        for _ in range(supporters):
            SupportFactory.create(proposal=proposal)
        event = Event("proposal.status_changed", {"proposal_id": proposal.pk, "status": Status.RECOMMENDED})
        with CaptureQueriesContext(connection) as queries:
            handlers.on_proposal_status_changed(event)
        assert Notice.objects.filter(event__payload__proposal_id=proposal.pk).count() == supporters + 1
        return len(queries)

    assert cost(2) == cost(12)


# Sittings -----------------------------------------------------------------------------------------


@pytest.fixture
def council() -> Council:
    return ProposalFactory.create().council


def test_an_announced_sitting_reaches_the_members_first_then_the_verified_residents(council: Council) -> None:
    secretary = council_officer(council)
    member = member_of(council)
    former = UserFactory.create()
    MemberFactory.create(council=council, user=former, status=Member.Status.RESIGNED, ended_on=timezone.localdate())
    resident = speaks(resident_of(council.okrug), "ru", phone="+77011234567")
    unverified = resident_of(council.okrug, verified=False)
    elsewhere = resident_of(ProposalFactory.create().okrug)
    meeting = MeetingFactory.create(council=council)
    AgendaItemFactory.create(meeting=meeting)

    meetings.publish_agenda(actor=secretary, meeting=meeting)

    notices = told("sitting.announced")
    # The proposal's author is a verified resident of the okrug too.
    author = Proposal.objects.filter(council=council).get().author
    assert users(notices) == {secretary.pk, member.pk, resident.pk, author.pk}
    assert {former.pk, unverified.pk, elsewhere.pk}.isdisjoint(users(notices))
    assert [notice.user_id for notice in notices[:2]] == sorted([secretary.pk, member.pk])
    assert notices[0].event_type == EventType.SITTING_ANNOUNCED
    assert notices[0].url == f"/sittings/{meeting.pk}/"
    russian = notice_of(resident)
    assert council.okrug.name_ru in russian.body
    assert "Очередное заседание" in russian.body
    assert council.okrug.name_kk in notice_of(member).body
    assert OutboxMessage.objects.get(user=resident, channel=Channel.SMS).language == "ru"
    # The oblast whose administrators see these messages in the outbox.
    assert set(OutboxMessage.objects.values_list("region_id", flat=True)) == {council.okrug.district.region_id}


def test_a_cancelled_announced_sitting_is_told_and_a_cancelled_draft_is_not(council: Council) -> None:
    secretary = council_officer(council)
    draft = MeetingFactory.create(council=council)
    announced = MeetingFactory.create(council=council, status=Meeting.Status.PUBLISHED)

    meetings.cancel_meeting(actor=secretary, meeting=draft)
    assert not NotificationEvent.objects.exists()

    meetings.cancel_meeting(actor=secretary, meeting=announced, reason="Су тасқыны")
    notices = told("sitting.cancelled")
    assert secretary.pk in users(notices)
    assert notices[0].url == f"/sittings/{announced.pk}/"


def test_a_sitting_about_to_start_is_reminded_of_once(council: Council) -> None:
    now = timezone.now()
    member = speaks(member_of(council), "kk", phone="+77011234567")
    soon = MeetingFactory.create(
        council=council, status=Meeting.Status.PUBLISHED, starts_at=now + datetime.timedelta(hours=3)
    )
    MeetingFactory.create(council=council, status=Meeting.Status.PUBLISHED, starts_at=now + datetime.timedelta(days=3))
    MeetingFactory.create(council=council, status=Meeting.Status.DRAFT, starts_at=now + datetime.timedelta(hours=2))

    assert meetings.remind_upcoming_sittings(now=now) == 1
    notices = told("sitting.soon")
    assert member.pk in users(notices)
    assert notices[0].event_type == EventType.SITTING_SOON
    assert notices[0].url == f"/sittings/{soon.pk}/"
    written = (NotificationEvent.objects.count(), Notice.objects.count(), OutboxMessage.objects.count())

    meetings.remind_upcoming_sittings(now=now + datetime.timedelta(minutes=30))

    assert (NotificationEvent.objects.count(), Notice.objects.count(), OutboxMessage.objects.count()) == written


def test_a_vote_opening_reaches_the_members_present_and_no_one_else() -> None:
    sitting = sitting_with_members(3)
    absent = MemberFactory.create(council=sitting.council, user=UserFactory.create())
    gone = MemberFactory.create(council=sitting.council, user=UserFactory.create())
    Attendance.objects.create(
        meeting=sitting.meeting, member=gone, present=True, arrived_at=timezone.now(), left_at=timezone.now()
    )
    item = sitting.item()

    meetings.open_vote(actor=sitting.secretary, item=item)

    notices = told("vote.opened")
    assert users(notices) == {member.user_id for member in sitting.members}
    assert {absent.user_id, gone.user_id}.isdisjoint(users(notices))
    assert notices[0].event_type == EventType.VOTE_OPEN
    assert notices[0].url == f"/sittings/{sitting.meeting.pk}/vote/"
    assert item.title in notices[0].body


def test_a_paper_vote_opening_tells_nobody() -> None:
    sitting = sitting_with_members(3)

    meetings.open_vote(actor=sitting.secretary, item=sitting.item(vote_method=AgendaItem.VoteMethod.PAPER))

    assert not NotificationEvent.objects.filter(kind="vote.opened").exists()


# Recommendations ----------------------------------------------------------------------------------


def _answer(recommendation: Any, staff: User) -> None:
    accountability.answer_recommendation(
        actor=staff,
        recommendation=recommendation,
        kind="accepted",
        text="Шамдар орнатылады",
        budget_year=2026,
        amount_tenge=Decimal("4500000"),
    )


def _forward(recommendation: Any, staff: User) -> None:
    accountability.forward_recommendation(
        actor=staff, recommendation=recommendation, to_kind="district_department", to_name="Аудандық ТКШ бөлімі"
    )


def _extend(recommendation: Any, staff: User) -> None:
    accountability.extend_deadline(
        actor=staff,
        recommendation=recommendation,
        new_due_on=recommendation.due_on + datetime.timedelta(days=14),
        reason="Сметаны келісу керек",
    )


@pytest.mark.parametrize(
    ("act", "kind"),
    [
        (_answer, "recommendation.answered"),
        (_forward, "recommendation.forwarded"),
        (_extend, "recommendation.extended"),
    ],
)
def test_an_answer_step_reaches_the_council_officers_and_the_proposal_authors(act: Any, kind: str) -> None:
    recommendation = sent_recommendation()
    council = recommendation.council
    secretary = council_officer(council)
    coordinator = coordinator_of(council)
    member = member_of(council)
    staff = akimat_user(council.okrug)
    author = speaks(recommendation.proposals.get().author, "ru", phone="+77011234567")

    act(recommendation, staff)

    notices = told(kind)
    assert users(notices) == {secretary.pk, coordinator.pk, author.pk}
    assert {member.pk, staff.pk}.isdisjoint(users(notices))
    assert notices[0].event_type == EventType.RECOMMENDATION_ANSWERED
    assert notices[0].url == f"/accountability/recommendations/{recommendation.pk}/"
    assert recommendation.number in notices[0].title
    # The official text in the reader's language.
    assert recommendation.text_ru in notice_of(author).body
    assert recommendation.text_kk in notice_of(secretary).body
    assert OutboxMessage.objects.get(user=author, channel=Channel.SMS).language == "ru"


def test_a_final_answer_says_its_kind_in_the_readers_language() -> None:
    recommendation = sent_recommendation()
    author = speaks(recommendation.proposals.get().author, "ru")

    _answer(recommendation, akimat_user(recommendation.council.okrug))

    assert "Принято" in notice_of(author).body


def test_an_overdue_answer_reaches_the_council_officers_and_the_escalation_addressees_once() -> None:
    today = timezone.localdate()
    recommendation = sent_recommendation(sent_on=today - datetime.timedelta(days=40), is_demo=True)
    council = recommendation.council
    secretary = council_officer(council)
    coordinator = coordinator_of(council)
    district_admin = district_user(council.okrug.district)
    author = recommendation.proposals.get().author
    okrug_staff = akimat_user(council.okrug)

    run = accountability.check_deadlines(today=today)

    assert run.escalated == 1
    notices = told("recommendation.overdue")
    assert users(notices) == {secretary.pk, coordinator.pk, district_admin.pk}
    assert {author.pk, okrug_staff.pk}.isdisjoint(users(notices))
    assert notices[0].event_type == EventType.RECOMMENDATION_OVERDUE
    assert all(notice.is_demo for notice in notices)

    accountability.check_deadlines(today=today)

    assert NotificationEvent.objects.filter(kind="recommendation.overdue").count() == 1


# From City to Village -----------------------------------------------------------------------------


def test_a_published_offer_reaches_the_findable_households_it_suits_and_no_one_else() -> None:
    offer = vacancy_offer(status=Offer.Status.DRAFT)
    suited = family_applicant(VETERINARIAN, open_to_offers=True)
    speaks(suited.user, "ru", phone="+77011234567")
    hidden = family_applicant(VETERINARIAN, open_to_offers=False)
    withdrawn = family_applicant(VETERINARIAN, open_to_offers=True, consent_withdrawn_at=timezone.now())
    teacher = family_applicant([{"profession": "teacher", "seeks_work": True}], open_to_offers=True)
    wished = family_applicant(open_to_offers=True, wished_districts=[offer.district])

    relocation.publish_offer(actor=offer.published_by, offer=offer)

    notices = told("offer.published")
    assert users(notices) == {suited.user_id, wished.user_id}
    assert {hidden.user_id, withdrawn.user_id, teacher.user_id}.isdisjoint(users(notices))
    assert notices[0].event_type == EventType.OFFER_MATCH
    assert notices[0].url == f"/relocation/offers/{offer.pk}/"
    assert offer.title in notices[0].body
    russian = notice_of(suited.user)
    # The place and the reason the family is matched, in the reader's language.
    assert offer.settlement.short_name_ru in russian.body
    assert OutboxMessage.objects.get(user=suited.user, channel=Channel.SMS).language == "ru"


@pytest.mark.parametrize("published", [True, False])
def test_an_offer_created_published_is_told_and_one_kept_as_a_draft_is_not(published: bool) -> None:
    suited = family_applicant(VETERINARIAN, open_to_offers=True)
    settlement = SettlementFactory.create(okrug=OkrugFactory.create())
    assert settlement.okrug is not None
    data = OfferData(
        kind=Offer.Kind.VACANCY,
        title="Ветеринар керек",
        position="Ветеринар",
        profession=profession("veterinarian"),
        positions=1,
        salary_tenge=300_000,
    )

    relocation.create_offer(
        actor=relocation_staff(settlement.okrug), settlement=settlement, data=data, publish=published
    )

    assert Notice.objects.filter(user_id=suited.user_id).exists() is published


def test_moving_an_announced_sitting_tells_everyone_told_before_with_the_reason(council: Council) -> None:
    secretary = council_officer(council)
    member = speaks(member_of(council), "ru", phone="+77011234567")
    meeting = MeetingFactory.create(council=council, status=Meeting.Status.PUBLISHED)
    new_start = timezone.now() + datetime.timedelta(days=12)

    meetings.update_meeting(
        actor=secretary,
        meeting=meeting,
        starts_at=new_start,
        kind=meeting.kind,
        place="Мәдениет үйі",
        reason="Мектеп залы жөндеуде",
    )

    notices = told("sitting.changed")
    assert {secretary.pk, member.pk} <= users(notices)
    assert notices[0].event_type == EventType.SITTING_ANNOUNCED
    russian = notice_of(member)
    assert "Мәдениет үйі" in russian.body
    assert "Мектеп залы жөндеуде" in russian.body
    assert "Изменились время или место заседания" in russian.body
    sms = OutboxMessage.objects.get(user=member, channel=Channel.SMS)
    local = timezone.localtime(new_start)
    assert f"{local.hour}:{local:%M}" in sms.body  # "G:i": 0:20, not 00:20


def test_changing_a_draft_tells_nobody(council: Council) -> None:
    secretary = council_officer(council)
    member_of(council)
    draft = MeetingFactory.create(council=council)

    meetings.update_meeting(
        actor=secretary,
        meeting=draft,
        starts_at=timezone.now() + datetime.timedelta(days=20),
        kind=draft.kind,
        place="Мәдениет үйі",
    )

    assert not NotificationEvent.objects.exists()
    assert not Notice.objects.exists()


def test_a_sitting_moved_after_its_reminder_is_reminded_of_again(council: Council) -> None:
    now = timezone.now()
    secretary = council_officer(council)
    member = member_of(council)
    meeting = MeetingFactory.create(
        council=council, status=Meeting.Status.PUBLISHED, starts_at=now + datetime.timedelta(hours=3)
    )
    meetings.remind_upcoming_sittings(now=now)
    meetings.update_meeting(
        actor=secretary,
        meeting=meeting,
        starts_at=now + datetime.timedelta(hours=5),
        kind=meeting.kind,
        place=meeting.place or "Мектеп",
        reason="Жарық жоқ",
    )

    meetings.remind_upcoming_sittings(now=now + datetime.timedelta(hours=1))
    meetings.remind_upcoming_sittings(now=now + datetime.timedelta(hours=2))

    assert Notice.objects.filter(user=member, event__kind="sitting.soon").count() == 2
