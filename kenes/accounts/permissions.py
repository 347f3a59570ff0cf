"""Who may do what with accounts: pure predicates, one condition per line."""

from __future__ import annotations

from typing import Any

from kenes.accounts.models import Role
from kenes.accounts.selectors import Territory, user_has_role
from kenes.territory.models import Settlement

# A district administrator hands out the working roles of their district, not the administrative ones.
ROLES_ONLY_OBLAST_ADMINS_ASSIGN = frozenset({Role.OBLAST_ADMIN, Role.DISTRICT_ADMIN})


def can_assign_role(actor: Any, role_code: str, territory: Territory) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    if user_has_role(actor, Role.OBLAST_ADMIN, territory):
        return True
    if role_code in ROLES_ONLY_OBLAST_ADMINS_ASSIGN:
        return False
    return user_has_role(actor, Role.DISTRICT_ADMIN, territory)


def can_revoke_role(actor: Any, role_code: str, territory: Territory) -> bool:
    return can_assign_role(actor, role_code, territory)


def can_set_residency(actor: Any, user: Any, settlement: Settlement) -> bool:
    """A person declares their own residency; akimat staff may enter it for a resident who came in
    person (assisted entry, audited under the staff member's name)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.pk == user.pk:
        return True
    if actor.is_superuser:
        return True
    return user_has_role(actor, Role.AKIMAT_STAFF, settlement)


def can_verify_residency(actor: Any, settlement: Settlement) -> bool:
    """The akimat checks a declared residency (documents seen in person); nobody verifies their own."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    if user_has_role(actor, Role.AKIMAT_STAFF, settlement):
        return True
    return user_has_role(actor, Role.DISTRICT_ADMIN, settlement)


def can_issue_api_token(actor: Any, user: Any) -> bool:
    """A token acts in its owner's name, so only the owner makes one (not even an administrator)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return bool(actor.pk == user.pk)


def can_revoke_api_token(actor: Any, token: Any) -> bool:
    """The owner revokes their token; an administrator may revoke anyone's (a leaked one)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.pk == token.user_id:
        return True
    return bool(actor.is_superuser)
