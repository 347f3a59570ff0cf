"""Who may do what with notifications: pure predicates, one condition per line.

Everyone reads and sets only their own notices and preferences (the selectors filter by the person,
so no predicate is needed for that). The outbox shows people's messages with their phones and emails,
so only those who run the platform see it: superusers all of it, an oblast administrator the messages
about events in their oblast(s) (`outbox_regions`). Akimat staff and district administrators do not.
"""

from __future__ import annotations

from typing import Any

from kenes.accounts.models import Role
from kenes.accounts.selectors import roles_of
from kenes.notifications.models import OutboxMessage

OUTBOX_ROLES = (Role.OBLAST_ADMIN,)
# Only a message that failed goes out again from the staff page: a cancelled one was cancelled because
# its person unsubscribed or unlinked the channel, and sending it anyway would overrule them.
RETRYABLE = (OutboxMessage.Status.DEAD,)


def outbox_regions(user: Any) -> list[int] | None:
    """The oblasts whose messages the user sees: None for all (a superuser), [] for none."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return None
    return sorted(
        roles_of(user).filter(role__code__in=OUTBOX_ROLES, region__isnull=False).values_list("region_id", flat=True)
    )


def can_see_outbox(user: Any) -> bool:
    return outbox_regions(user) != []


def may_see_message(regions: list[int] | None, message: OutboxMessage) -> bool:
    return regions is None or message.region_id in regions


def can_retry_message(user: Any, message: OutboxMessage) -> bool:
    """Send a message that failed (gave up after its tries) again, if it is one the user sees."""
    if message.status not in RETRYABLE:
        return False
    return may_see_message(outbox_regions(user), message)
