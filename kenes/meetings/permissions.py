"""Who may do what at a council's sittings: pure predicates (a few small queries), one rule per line.

Running a sitting (agenda, attendance, votes, recommendations): the council's secretary and chair
(serving members with an account), its coordinator deputies, and those who manage the council.
Voting: a serving member of the council, marked present and not gone, on an open electronic vote,
once.
"""

from __future__ import annotations

from typing import Any

from kenes.councils.models import Coordinator, Council, Member
from kenes.councils.permissions import can_manage_council
from kenes.meetings.models import AgendaItem, Attendance, BallotCast, Meeting, Vote

OFFICER_ROLES = (Member.Role.SECRETARY, Member.Role.CHAIR)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def seat_of(user: Any, council: Council) -> Member | None:
    """The user's serving seat on the council, if any."""
    if not _signed_in(user):
        return None
    return Member.objects.filter(council=council, user_id=user.pk, status=Member.Status.ACTIVE).first()


def can_run_council_meetings(user: Any, council: Council) -> bool:
    """Schedule sittings of this council and run them."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    officer = Member.objects.filter(
        council=council, user_id=user.pk, status=Member.Status.ACTIVE, role__in=OFFICER_ROLES
    )
    if officer.exists():
        return True
    if Coordinator.objects.filter(council=council, user_id=user.pk, ended_on__isnull=True).exists():
        return True
    return can_manage_council(user, council)


def can_run_meeting(user: Any, meeting: Meeting) -> bool:
    return can_run_council_meetings(user, meeting.council)


def can_view_meeting(user: Any, meeting: Meeting) -> bool:
    """Everyone once the agenda is announced; a draft only those who run the sitting."""
    if meeting.status != Meeting.Status.DRAFT:
        return True
    return can_run_meeting(user, meeting)


def is_present(member: Member, meeting: Meeting) -> bool:
    return Attendance.objects.filter(meeting=meeting, member=member, present=True, left_at__isnull=True).exists()


def has_voted(member: Member, item: AgendaItem) -> bool:
    if item.vote_method == AgendaItem.VoteMethod.SECRET:
        return BallotCast.objects.filter(item=item, member=member).exists()
    return Vote.objects.filter(item=item, member=member).exists()


def can_vote(user: Any, item: AgendaItem) -> bool:
    """A present serving member on an open electronic vote they have not voted in yet."""
    if item.vote_state != AgendaItem.VoteState.OPEN:
        return False
    if item.vote_method == AgendaItem.VoteMethod.PAPER:
        return False
    member = seat_of(user, item.meeting.council)
    if member is None:
        return False
    if not is_present(member, item.meeting):
        return False
    return not has_voted(member, item)
