"""Template helpers of the accountability pages, also used by the shared layout: whether the signed-in
person has an inbox (for the main menu, with no view having to say so) and the working days left
before a recommendation's deadline."""

from __future__ import annotations

from typing import Any

from django import template

from kenes.accountability import permissions

register = template.Library()


@register.simple_tag
def may_use_inbox(user: Any) -> bool:
    """One small query for a signed-in person (none for a visitor); remembered on the user object
    for the rest of the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_kenes_may_use_inbox", None)
    if cached is None:
        cached = permissions.can_use_inbox(user)
        user._kenes_may_use_inbox = cached
    return bool(cached)


@register.inclusion_tag("accountability/_days_left.html")
def days_left(value: int | None) -> dict[str, Any]:
    """ "N working days left", "due today" or "overdue by N working days" with the overdue badge."""
    return {"days_left": value, "overdue_by": -value if value is not None and value < 0 else 0}
