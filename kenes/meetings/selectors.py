"""Every non-trivial read about sittings. Results of a vote are given only once it is closed: before
that a selector returns no totals (and blanks the paper tally an item may already hold)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kenes.councils.models import Council, Member
from kenes.meetings import rules
from kenes.meetings.models import AgendaItem, Attendance, BallotCast, Choice, Meeting, Recommendation, Vote
from kenes.meetings.permissions import can_run_meeting, seat_of

FINISHED = (Meeting.Status.CLOSED, Meeting.Status.CANCELLED)


@dataclass(frozen=True)
class QuorumState:
    present: int
    active: int
    required: int
    reached: bool
    quorum_percent: int = 50


@dataclass(frozen=True)
class NamedVote:
    member_id: int
    full_name: str
    choice: str
    choice_label: str


@dataclass(frozen=True)
class Result:
    method: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    present: int
    members: int
    outcome: str
    adopted: bool
    # Names only for an open vote; empty for secret ballots and paper tallies.
    named: list[NamedVote] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


def active_members(council: Council) -> QuerySet[Member]:
    return Member.objects.filter(council=council, status=Member.Status.ACTIVE)


def present_members(meeting: Meeting) -> QuerySet[Member]:
    """Serving members marked present and not gone."""
    return active_members(meeting.council).filter(
        attendance__meeting=meeting, attendance__present=True, attendance__left_at__isnull=True
    )


def quorum_of(meeting: Meeting) -> QuorumState:
    charter = meeting.council.charter
    active = active_members(meeting.council).count()
    present = present_members(meeting).count()
    return QuorumState(
        present=present,
        active=active,
        required=rules.required_for_quorum(active=active, quorum_percent=charter.quorum_percent),
        reached=rules.quorum_reached(present=present, active=active, quorum_percent=charter.quorum_percent),
        quorum_percent=charter.quorum_percent,
    )


def attendance_of(meeting: Meeting) -> QuerySet[Attendance]:
    return Attendance.objects.filter(meeting=meeting).select_related("member").order_by("member__full_name")


def list_meetings(*, council: Council, upcoming: bool | None = None, include_drafts: bool = False) -> QuerySet[Meeting]:
    """The council's sittings: upcoming ones soonest first, past ones latest first. Drafts only
    with `include_drafts` (for those who run the sittings)."""
    meetings = Meeting.objects.filter(council=council).select_related("council__okrug")
    if not include_drafts:
        meetings = meetings.exclude(status=Meeting.Status.DRAFT)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    is_upcoming = ~Q(status__in=FINISHED) & Q(starts_at__gte=today)
    if upcoming is True:
        return meetings.filter(is_upcoming).order_by("starts_at", "id")
    if upcoming is False:
        return meetings.exclude(is_upcoming).order_by("-starts_at", "-id")
    return meetings.order_by("-starts_at", "-id")


def _meeting_queryset() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("council__okrug__district__region", "council__charter", "chair", "secretary")


def get_public_meeting(pk: int) -> Meeting:
    """A sitting anyone may see (404 for a draft or a missing one)."""
    meeting = _meeting_queryset().exclude(status=Meeting.Status.DRAFT).filter(pk=pk).first()
    if meeting is None:
        raise Http404("no such sitting")
    return meeting


def access_meeting_for_running(*, user: Any, pk: int) -> Meeting:
    """A sitting the user may run; Http404 both when missing and when not allowed."""
    meeting = _meeting_queryset().filter(pk=pk).first()
    if meeting is None or not can_run_meeting(user, meeting):
        raise Http404("no such sitting")
    return meeting


def _result_from(item: AgendaItem) -> Result | None:
    if item.vote_state != AgendaItem.VoteState.CLOSED or item.votes_for is None:
        return None
    named: list[NamedVote] = []
    if item.vote_method == AgendaItem.VoteMethod.OPEN:
        labels = dict(Choice.choices)
        named = [
            NamedVote(
                member_id=vote.member_id,
                full_name=vote.member.full_name,
                choice=vote.choice,
                choice_label=str(labels.get(vote.choice, vote.choice)),
            )
            for vote in sorted(item.votes.all(), key=lambda v: (v.member.full_name, v.member_id))
        ]
    return Result(
        method=item.vote_method,
        votes_for=item.votes_for,
        votes_against=item.votes_against or 0,
        votes_abstain=item.votes_abstain or 0,
        present=item.present_at_close or 0,
        members=item.members_at_close or 0,
        outcome=item.outcome,
        adopted=item.outcome == AgendaItem.Outcome.ADOPTED,
        named=named,
    )


def vote_result(item: AgendaItem) -> Result | None:
    """The result of a closed vote: names for an open vote, totals only otherwise; None before."""
    return _result_from(item)


def agenda_of(meeting: Meeting) -> list[AgendaItem]:
    """The items in order, each with `.result` (a `Result` only once its vote is closed) and
    `.recommendation_or_none`. Totals of an item not closed yet are blanked in memory."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("proposal")
        .prefetch_related(
            Prefetch("votes", queryset=Vote.objects.select_related("member")),
            Prefetch("recommendation", queryset=Recommendation.objects.select_related("council__okrug")),
        )
        .order_by("position")
    )
    for item in items:
        if item.vote_state != AgendaItem.VoteState.CLOSED:
            item.votes_for = item.votes_against = item.votes_abstain = None
        item.result = _result_from(item)  # type: ignore[attr-defined]
        item.recommendation_or_none = getattr(item, "recommendation", None)  # type: ignore[attr-defined]
    return items


def open_votes_for(user: Any, meeting: Meeting) -> list[AgendaItem]:
    """The electronic votes open now that the user, a present serving member, may see on the phone;
    each with `.already_voted`. Empty for anyone else."""
    member = seat_of(user, meeting.council)
    if member is None:
        return []
    if not Attendance.objects.filter(meeting=meeting, member=member, present=True, left_at__isnull=True).exists():
        return []
    items = list(
        AgendaItem.objects.filter(meeting=meeting, vote_state=AgendaItem.VoteState.OPEN)
        .exclude(vote_method=AgendaItem.VoteMethod.PAPER)
        .order_by("position")
    )
    voted_open = set(Vote.objects.filter(item__in=items, member=member).values_list("item_id", flat=True))
    voted_secret = set(BallotCast.objects.filter(item__in=items, member=member).values_list("item_id", flat=True))
    for item in items:
        item.votes_for = item.votes_against = item.votes_abstain = None
        item.already_voted = item.pk in voted_open | voted_secret  # type: ignore[attr-defined]
    return items


def recommendations_of(council: Council) -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.filter(council=council)
        .select_related("council__okrug", "item__meeting")
        .prefetch_related("proposals")
        .order_by("-year", "-sequence")
    )


def get_recommendation(pk: int) -> Recommendation:
    """A recommendation anyone may see (they are public once adopted)."""
    recommendation = (
        Recommendation.objects.select_related("council__okrug", "council__charter", "item__meeting")
        .prefetch_related("proposals")
        .filter(pk=pk)
        .first()
    )
    if recommendation is None:
        raise Http404("no such recommendation")
    return recommendation


def meeting_date(meeting: Meeting) -> datetime.date:
    return timezone.localdate(meeting.starts_at)
