"""Who may act on a sent recommendation: pure predicates (a few small queries), one rule per line.

The "office" of a recommendation is where its current addressee sits: the okrug's akim's office for
the okrug akim, the district for a district department or the maslikhat. Staff of that office
(akimat staff holding the role at the office's territory or one containing it; for a district body
also the district's administrators) answer, forward, extend and report progress. The council (those
who run its sittings) judges an answer.
"""

from __future__ import annotations

from typing import Any

from kenes.accounts.models import Role, RoleAssignment
from kenes.accounts.selectors import user_has_role
from kenes.meetings.models import Recommendation
from kenes.meetings.permissions import can_run_council_meetings
from kenes.territory.models import District, Okrug

INBOX_ROLES = (Role.AKIMAT_STAFF, Role.DISTRICT_ADMIN)
DISTRICT_BODIES = (Recommendation.Addressee.DISTRICT_DEPARTMENT, Recommendation.Addressee.MASLIKHAT)
PROGRESS_KINDS = (Recommendation.AnswerKind.ACCEPTED, Recommendation.AnswerKind.PARTIALLY_ACCEPTED)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def office_of(recommendation: Recommendation) -> Okrug | District:
    """The territory of the current addressee: the okrug for its akim, else the okrug's district."""
    okrug = recommendation.council.okrug
    if recommendation.addressee_kind in DISTRICT_BODIES:
        return okrug.district
    return okrug


def staffs_office(user: Any, recommendation: Recommendation) -> bool:
    """Works in the office the recommendation is addressed to now."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    office = office_of(recommendation)
    if user_has_role(user, Role.AKIMAT_STAFF, office):
        return True
    return isinstance(office, District) and user_has_role(user, Role.DISTRICT_ADMIN, office)


def can_answer(user: Any, recommendation: Recommendation) -> bool:
    """Give the final answer, forward it to the competent body, or extend the deadline."""
    if recommendation.status != Recommendation.Status.SENT:
        return False
    return staffs_office(user, recommendation)


def can_forward(user: Any, recommendation: Recommendation) -> bool:
    return can_answer(user, recommendation)


def can_extend(user: Any, recommendation: Recommendation) -> bool:
    return can_answer(user, recommendation)


def can_report_progress(user: Any, recommendation: Recommendation) -> bool:
    """Report how far the accepted (or partially accepted) measures are."""
    if recommendation.status != Recommendation.Status.ANSWERED:
        return False
    if recommendation.answer_kind not in PROGRESS_KINDS:
        return False
    return staffs_office(user, recommendation)


def can_judge_answer(user: Any, recommendation: Recommendation) -> bool:
    """Mark the answer unsatisfactory: those who run the council's sittings, once it is answered."""
    if recommendation.status != Recommendation.Status.ANSWERED:
        return False
    return can_run_council_meetings(user, recommendation.council)


def can_use_inbox(user: Any) -> bool:
    """Akimat staff and district administrators anywhere (and superusers) have an inbox."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(user_id=user.pk, role__code__in=INBOX_ROLES).exists()
