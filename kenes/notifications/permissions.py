"""Who may do what with notifications: pure predicates, one condition per line.

Everyone reads and sets only their own notices and preferences (the selectors filter by the person,
so no predicate is needed for that). The outbox shows every person's messages, so only those who run
the platform see it: superusers and oblast administrators (wherever they hold the role: the outbox
has no territory). Akimat staff and district administrators do not.
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


def can_see_outbox(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return roles_of(user).filter(role__code__in=OUTBOX_ROLES).exists()


def can_retry_message(user: Any, message: OutboxMessage) -> bool:
    """Send a message that failed (gave up after its tries) again."""
    if message.status not in RETRYABLE:
        return False
    return can_see_outbox(user)
