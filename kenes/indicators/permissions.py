"""Who may load indicator files: pure predicates, one rule per line.

Loading values changes what every dashboard shows, so only the people who run the programme may do
it: a superuser, or anyone holding the oblast administrator, district administrator or programme
staff role, wherever they hold it (a file may cover several districts)."""

from __future__ import annotations

from typing import Any

from kenes.accounts.models import Role
from kenes.accounts.selectors import roles_of

IMPORT_ROLES = (Role.OBLAST_ADMIN, Role.DISTRICT_ADMIN, Role.PROGRAMME_STAFF)


def can_import_indicators(user: Any) -> bool:
    """Upload indicator files, preview and load them, and see the list of loads."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return roles_of(user).filter(role__code__in=IMPORT_ROLES).exists()
