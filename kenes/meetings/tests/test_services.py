"""The life of a sitting: scheduling, the agenda, notice, opening, attendance, closing."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kenes.core.errors import DomainError
from kenes.core.events import captured
from kenes.core.models import AuditEntry
from kenes.councils.models import Member
from kenes.councils.tests.factories import CouncilFactory, MemberFactory
from kenes.meetings import selectors, services
from kenes.meetings.models import AgendaItem, Attendance, Meeting
from kenes.meetings.tests.factories import AgendaItemFactory, MeetingFactory, sitting_with_members
from kenes.proposals.models import Status
from kenes.proposals.tests.factories import ProposalFactory, member_of

pytestmark = pytest.mark.django_db


def refused(code: str, call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    assert error.value.code == code
    return error.value


@pytest.fixture
def secretary_and_council():
    council = CouncilFactory.create(charter__notice_days=5)
    secretary = member_of(council)
    Member.objects.filter(user=secretary).update(role=Member.Role.SECRETARY)
    MemberFactory.create(council=council, role=Member.Role.CHAIR)
    return secretary, council


def schedule(secretary, council, *, days: float = 10, **fields) -> Meeting:
    return services.schedule_meeting(
        actor=secretary,
        council=council,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        place=fields.pop("place", "Мектеп залы <script>"),
        **fields,
    )


def test_the_secretary_schedules_a_sitting_and_it_is_audited(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = schedule(secretary, council, kind=Meeting.Kind.HEARING)
    assert (meeting.status, meeting.kind) == (Meeting.Status.DRAFT, Meeting.Kind.HEARING)
    assert AuditEntry.objects.filter(action="meeting.scheduled", target_id=str(meeting.pk)).exists()


def test_a_sitting_needs_a_place_or_an_online_link(secretary_and_council):
    secretary, council = secretary_and_council
    refused(
        "place_or_link_required",
        services.schedule_meeting,
        actor=secretary,
        council=council,
        starts_at=timezone.now() + datetime.timedelta(days=9),
    )
    online = schedule(secretary, council, place="", online_link="https://meet.example.kz/kenes")
    assert online.online_link == "https://meet.example.kz/kenes"


def test_a_ready_proposal_goes_on_the_agenda_and_back_when_removed(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = schedule(secretary, council)
    proposal = ProposalFactory.create(council=council, status=Status.READY)
    question = services.add_agenda_item(actor=secretary, meeting=meeting, title="Әртүрлі <script>")
    item = services.add_agenda_item(actor=secretary, meeting=meeting, proposal=proposal)
    assert (question.position, item.position, item.title) == (1, 2, proposal.title)
    proposal.refresh_from_db()
    assert proposal.status == Status.ON_AGENDA
    services.remove_agenda_item(actor=secretary, item=question)
    proposal.refresh_from_db()
    assert proposal.status == Status.ON_AGENDA
    assert list(meeting.items.values_list("position", flat=True)) == [1]
    services.remove_agenda_item(actor=secretary, item=AgendaItem.objects.get(pk=item.pk))
    proposal.refresh_from_db()
    assert proposal.status == Status.READY
    assert not meeting.items.exists()


def test_it_refuses_a_proposal_not_ready_or_of_another_council(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = schedule(secretary, council)
    collecting = ProposalFactory.create(council=council, status=Status.COLLECTING)
    refused("proposal_not_ready", services.add_agenda_item, actor=secretary, meeting=meeting, proposal=collecting)
    elsewhere = ProposalFactory.create(status=Status.READY)
    refused("proposal_other_council", services.add_agenda_item, actor=secretary, meeting=meeting, proposal=elsewhere)
    refused("title_required", services.add_agenda_item, actor=secretary, meeting=meeting, title="  ")


def test_publishing_in_time_needs_no_reason(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = schedule(secretary, council, days=6)
    refused("agenda_empty", services.publish_agenda, actor=secretary, meeting=meeting)
    services.add_agenda_item(actor=secretary, meeting=meeting, title="Жол жөндеу")
    published = services.publish_agenda(actor=secretary, meeting=meeting, late_notice_reason="ignored")
    assert published.status == Meeting.Status.PUBLISHED
    assert published.published_at is not None
    assert published.late_notice_reason == ""
    assert selectors.get_public_meeting(meeting.pk) == meeting


def test_a_late_notice_needs_a_stated_reason(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = schedule(secretary, council, days=4)
    services.add_agenda_item(actor=secretary, meeting=meeting, title="Су құбыры апаты")
    refused("late_notice_needs_reason", services.publish_agenda, actor=secretary, meeting=meeting)
    reason = "Су құбырындағы апат <script>"
    published = services.publish_agenda(actor=secretary, meeting=meeting, late_notice_reason=reason)
    assert published.late_notice_reason == reason


def _announced(secretary, council, *, days: float = 10) -> Meeting:
    meeting = schedule(secretary, council, days=days)
    services.add_agenda_item(actor=secretary, meeting=meeting, title="Жол жөндеу")
    return services.publish_agenda(actor=secretary, meeting=meeting)


def _move(secretary, meeting, *, days: float, place: str = "Мәдениет үйі", reason: str = "") -> Meeting:
    return services.update_meeting(
        actor=secretary,
        meeting=meeting,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        kind=meeting.kind,
        place=place,
        reason=reason,
    )


def test_a_draft_is_changed_quietly_without_a_reason(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = schedule(secretary, council)
    with captured() as events:
        changed = _move(secretary, meeting, days=12)
    assert changed.place == "Мәдениет үйі"
    assert (changed.changed_at, changed.change_reason, changed.revision) == (None, "", 0)
    assert events == []


def test_an_announced_sitting_is_moved_with_a_reason_everyone_can_see(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = _announced(secretary, council)
    refused("change_needs_reason", _move, secretary=secretary, meeting=meeting, days=12)
    with captured() as events:
        moved = _move(secretary, meeting, days=12, reason="Мектеп залы жөндеуде <b>")
    assert [(event.kind, event.payload) for event in events] == [
        ("sitting.changed", {"meeting_id": meeting.pk, "revision": 1})
    ]
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.status, stored.place, stored.change_reason, stored.revision) == (
        Meeting.Status.PUBLISHED,
        "Мәдениет үйі",
        "Мектеп залы жөндеуде <b>",
        1,
    )
    assert stored.changed_at is not None
    assert moved.revision == 1
    audit = AuditEntry.objects.filter(action="meeting.updated", target_id=str(meeting.pk)).get()
    assert audit.after is not None
    assert audit.after["change_reason"] == "Мектеп залы жөндеуде <b>"
    again = _move(secretary, stored, days=14, reason="Тағы да")
    assert again.revision == 2


def test_an_announced_sitting_is_not_moved_into_the_past_nor_to_the_same_time(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = _announced(secretary, council)
    refused("starts_in_past", _move, secretary=secretary, meeting=meeting, days=-1, reason="Қате")
    refused(
        "nothing_changed",
        services.update_meeting,
        actor=secretary,
        meeting=meeting,
        starts_at=meeting.starts_at,
        kind=meeting.kind,
        place=meeting.place,
        online_link=meeting.online_link,
        reason="Ештеңе",
    )
    assert Meeting.objects.get(pk=meeting.pk).revision == 0


def test_a_sitting_under_way_or_over_cannot_be_moved(secretary_and_council):
    secretary, council = secretary_and_council
    running = services.open_meeting(actor=secretary, meeting=_announced(secretary, council))
    refused("wrong_meeting_status", _move, secretary=secretary, meeting=running, days=3, reason="Кеш")
    cancelled = services.cancel_meeting(actor=secretary, meeting=schedule(secretary, council))
    refused("meeting_over", _move, secretary=secretary, meeting=cancelled, days=3, reason="Кеш")


def test_only_who_runs_the_council_may_move_its_sitting(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = _announced(secretary, council)
    outsider = member_of(CouncilFactory.create())
    refused("forbidden", _move, secretary=outsider, meeting=meeting, days=12, reason="Бөтен")


def test_the_database_refuses_a_change_without_its_reason(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = _announced(secretary, council)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(changed_at=timezone.now(), revision=1)


def test_a_draft_sitting_is_not_public(secretary_and_council):
    from django.http import Http404

    secretary, council = secretary_and_council
    meeting = schedule(secretary, council)
    with pytest.raises(Http404):
        selectors.get_public_meeting(meeting.pk)
    assert selectors.access_meeting_for_running(user=secretary, pk=meeting.pk) == meeting
    assert list(selectors.list_meetings(council=council)) == []
    assert list(selectors.list_meetings(council=council, include_drafts=True)) == [meeting]


def test_opening_records_the_chair_and_the_secretary_and_closing_needs_no_open_vote(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = schedule(secretary, council, days=8)
    services.add_agenda_item(actor=secretary, meeting=meeting, title="Жол жөндеу")
    refused("wrong_meeting_status", services.open_meeting, actor=secretary, meeting=meeting)
    services.publish_agenda(actor=secretary, meeting=meeting)
    opened = services.open_meeting(actor=secretary, meeting=meeting)
    assert opened.status == Meeting.Status.IN_PROGRESS
    assert opened.secretary is not None
    assert opened.secretary.user == secretary
    assert opened.chair is not None
    assert opened.chair.role == Member.Role.CHAIR
    for member in Member.objects.filter(council=council):
        services.record_attendance(actor=secretary, meeting=meeting, member=member, present=True)
    item = AgendaItem.objects.get(meeting=meeting)
    services.open_vote(actor=secretary, item=item)
    refused("votes_open", services.close_meeting, actor=secretary, meeting=meeting)
    services.cast_vote(actor=secretary, item=item, choice="for")
    services.close_vote(actor=secretary, item=item)
    closed = services.close_meeting(actor=secretary, meeting=meeting)
    assert closed.status == Meeting.Status.CLOSED
    refused("meeting_over", services.add_guest, actor=secretary, meeting=meeting, full_name="Қонақ")


def test_attendance_of_someone_outside_the_council_is_refused():
    sitting = sitting_with_members(3)
    stranger = MemberFactory.create()
    refused(
        "not_member",
        services.record_attendance,
        actor=sitting.secretary,
        meeting=sitting.meeting,
        member=stranger,
        present=True,
    )


def test_marking_absent_and_guests(django_assert_max_num_queries):
    sitting = sitting_with_members(4)
    services.record_attendance(
        actor=sitting.secretary, meeting=sitting.meeting, member=sitting.members[3], present=False
    )
    guest = services.add_guest(
        actor=sitting.secretary, meeting=sitting.meeting, full_name="Аудан әкімінің орынбасары <script>"
    )
    assert guest.meeting == sitting.meeting
    assert selectors.quorum_of(sitting.meeting).present == 3
    assert not Attendance.objects.get(member=sitting.members[3]).present
    refused(
        "not_present", services.mark_left, actor=sitting.secretary, meeting=sitting.meeting, member=sitting.members[3]
    )


def test_cancelling_a_sitting_puts_its_proposals_back(secretary_and_council):
    secretary, council = secretary_and_council
    meeting = schedule(secretary, council)
    proposal = ProposalFactory.create(council=council, status=Status.READY)
    services.add_agenda_item(actor=secretary, meeting=meeting, proposal=proposal)
    services.cancel_meeting(actor=secretary, meeting=meeting, reason="Су тасқыны")
    proposal.refresh_from_db()
    assert (meeting.status, proposal.status) == (Meeting.Status.CANCELLED, Status.READY)


def test_upcoming_and_past_sittings_are_listed_apart(django_assert_max_num_queries):
    council = CouncilFactory.create()
    soon = MeetingFactory.create(
        council=council, status="published", starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    later = MeetingFactory.create(
        council=council, status="published", starts_at=timezone.now() + datetime.timedelta(days=30)
    )
    past = MeetingFactory.create(
        council=council, status="closed", starts_at=timezone.now() - datetime.timedelta(days=30)
    )
    MeetingFactory.create(council=council, status="draft")
    AgendaItemFactory.create(meeting=soon)
    with django_assert_max_num_queries(1):
        assert list(selectors.list_meetings(council=council, upcoming=True)) == [soon, later]
    assert list(selectors.list_meetings(council=council, upcoming=False)) == [past]
