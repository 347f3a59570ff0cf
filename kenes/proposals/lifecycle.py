"""The proposal's state machine, as data: which status may follow which, and the status groups the
services, permissions and selectors read. Pure: no queries, no writes.

draft → submitted → (screening) collecting | returned | merged | forwarded; returned → submitted;
collecting → ready | merged; ready → on_agenda | merged; on_agenda → recommended | declined | ready;
recommended → ready when the council finds the akim's answer unsatisfactory and takes it up again.
"""

from __future__ import annotations

from django.utils.translation import gettext

from kenes.core.errors import DomainError
from kenes.proposals.models import Status

ALLOWED: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.COLLECTING, Status.RETURNED, Status.MERGED, Status.FORWARDED}),
    Status.RETURNED: frozenset({Status.SUBMITTED}),
    Status.COLLECTING: frozenset({Status.READY, Status.MERGED}),
    Status.READY: frozenset({Status.ON_AGENDA, Status.MERGED}),
    Status.ON_AGENDA: frozenset({Status.RECOMMENDED, Status.DECLINED, Status.READY}),
    Status.MERGED: frozenset(),
    Status.FORWARDED: frozenset(),
    Status.RECOMMENDED: frozenset({Status.READY}),
    Status.DECLINED: frozenset(),
}

# Everything but a draft is public: a returned proposal was submitted, so people saw it.
PUBLIC_STATUSES: frozenset[str] = frozenset(Status.values) - {Status.DRAFT}
# The author (or the staff who entered it) may still change the text.
EDITABLE_STATUSES: frozenset[str] = frozenset({Status.DRAFT, Status.RETURNED})
# Residents may add their support.
SUPPORTABLE_STATUSES: frozenset[str] = frozenset({Status.COLLECTING, Status.READY})
# Once on an agenda the count is what the council looks at: supports stay.
SUPPORT_LOCKED_STATUSES: frozenset[str] = frozenset({Status.ON_AGENDA, Status.RECOMMENDED, Status.DECLINED})
# Still being dealt with: what a resident typing a new title should see as a possible duplicate.
OPEN_STATUSES: frozenset[str] = frozenset({Status.SUBMITTED, Status.COLLECTING, Status.READY, Status.ON_AGENDA})
# A duplicate may be merged only into a proposal that was accepted and is not decided yet.
MERGE_TARGET_STATUSES: frozenset[str] = frozenset({Status.COLLECTING, Status.READY, Status.ON_AGENDA})
FINAL_STATUSES: frozenset[str] = frozenset(status for status, nexts in ALLOWED.items() if not nexts)


def can_transition(source: str, target: str) -> bool:
    return target in ALLOWED.get(source, frozenset())


def status_label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return status


def check_transition(source: str, target: str) -> None:
    """Raises `illegal_transition` naming both states in plain words when the step is not allowed."""
    if can_transition(source, target):
        return
    message = gettext("A proposal that is “%(source)s” cannot become “%(target)s”.") % {
        "source": status_label(source),
        "target": status_label(target),
    }
    raise DomainError(message, code="illegal_transition")
