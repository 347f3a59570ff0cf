"""Who may do what with proposals, supports and comments: pure predicates, one condition per line.

Residency is read from the resident profile: submitting needs it verified, supporting and commenting
only declared (a support is one person's voice, not a vote; verification is for authorship).
A coordinator is the council's serving coordinator deputy, or holds the `coordinator` role on the
okrug (or on a territory containing it).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from kenes.accounts.models import Role
from kenes.accounts.selectors import resident_profile_of, user_has_role
from kenes.councils.models import Coordinator, Council, Member
from kenes.proposals.lifecycle import EDITABLE_STATUSES, PUBLIC_STATUSES, SUPPORT_LOCKED_STATUSES, SUPPORTABLE_STATUSES
from kenes.proposals.models import Comment, Proposal

COMMENT_EDIT_WINDOW = datetime.timedelta(minutes=15)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# Facts about a person (queries, no decisions) -------------------------------------------------


def is_resident_of(user: Any, okrug_id: int, *, verified: bool = False) -> bool:
    """Whether the user declared residency in a settlement of the okrug (and it was verified)."""
    if not _signed_in(user):
        return False
    profile = resident_profile_of(user)
    if profile is None:
        return False
    if profile.settlement.okrug_id != okrug_id:
        return False
    return not verified or profile.verified_at is not None


def is_active_member(user: Any, council: Council) -> bool:
    if not _signed_in(user):
        return False
    return Member.objects.filter(council=council, user_id=user.pk, status=Member.Status.ACTIVE).exists()


def is_coordinator_of(user: Any, council: Council) -> bool:
    if not _signed_in(user):
        return False
    if Coordinator.objects.filter(council=council, user_id=user.pk, ended_on__isnull=True).exists():
        return True
    return user_has_role(user, Role.COORDINATOR, council.okrug)


# Proposals ------------------------------------------------------------------------------------


def can_submit(user: Any, council: Council) -> bool:
    """May file a proposal of their own to this council."""
    if not _signed_in(user):
        return False
    if council.status == Council.Status.DISSOLVED:
        return False
    charter = council.charter
    if charter.residents_may_submit and is_resident_of(user, council.okrug_id, verified=True):
        return True
    if charter.members_may_submit and is_active_member(user, council):
        return True
    return charter.coordinators_may_submit and is_coordinator_of(user, council)


def can_enter_on_behalf(user: Any, council: Council) -> bool:
    """Akimat staff type in a proposal for a resident who came in person or called."""
    if not _signed_in(user):
        return False
    if council.status == Council.Status.DISSOLVED:
        return False
    return user_has_role(user, Role.AKIMAT_STAFF, council.okrug)


def can_edit_draft(user: Any, proposal: Proposal) -> bool:
    """Change the text, photos, and submit: the author, or the staff who entered it, before screening."""
    if not _signed_in(user):
        return False
    if proposal.status not in EDITABLE_STATUSES:
        return False
    return user.pk in (proposal.author_id, proposal.entered_by_id)


def support_refusal(*, status: str, is_author: bool, is_resident: bool) -> str | None:
    """Why a signed-in person may not support a proposal (the code of the error the service
    raises), or None when they may: it collects support, they did not write it, and they declared
    residency in its okrug."""
    if status not in SUPPORTABLE_STATUSES:
        return "not_collecting"
    if is_author:
        return "own_proposal"
    if not is_resident:
        return "not_resident"
    return None


def can_support(user: Any, proposal: Proposal) -> bool:
    if not _signed_in(user):
        return False
    # The status and authorship first: they need no query.
    if support_refusal(status=proposal.status, is_author=user.pk == proposal.author_id, is_resident=True):
        return False
    return is_resident_of(user, proposal.okrug_id)


def can_withdraw_support(user: Any, proposal: Proposal) -> bool:
    if not _signed_in(user):
        return False
    return proposal.status not in SUPPORT_LOCKED_STATUSES


def can_screen(user: Any, proposal: Proposal) -> bool:
    """Accept, return, merge, forward, mark ready: the council's coordinator."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return is_coordinator_of(user, proposal.council)


def can_moderate(user: Any, proposal: Proposal) -> bool:
    """Hide and unhide comments under the proposal."""
    return can_screen(user, proposal)


# Comments -------------------------------------------------------------------------------------


def can_comment(user: Any, proposal: Proposal) -> bool:
    """Residents of the okrug, council members and coordinators discuss its public proposals."""
    if not _signed_in(user):
        return False
    if proposal.status not in PUBLIC_STATUSES:
        return False
    if is_resident_of(user, proposal.okrug_id):
        return True
    if is_active_member(user, proposal.council):
        return True
    return is_coordinator_of(user, proposal.council)


def can_edit_comment(user: Any, comment: Comment, *, now: datetime.datetime | None = None) -> bool:
    if not _signed_in(user):
        return False
    if user.pk != comment.author_id:
        return False
    if comment.hidden_at is not None:
        return False
    return (now or timezone.now()) - comment.created_at <= COMMENT_EDIT_WINDOW


def can_report_comment(user: Any, comment: Comment) -> bool:
    if not _signed_in(user):
        return False
    if user.pk == comment.author_id:
        return False
    return comment.hidden_at is None
