"""Template helpers of the notifications pages, also used by the shared layout: the signed-in person's
unread count for the main menu (with no view having to say so), a notice's link only when it stays on
this site, and an address shown to staff with most of it hidden."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import url_has_allowed_host_and_scheme

from kenes.notifications import selectors

register = template.Library()


@register.simple_tag
def unread_notices(user: Any) -> str:
    """The unread count as the menu shows it ("", "3", "99+"): one small indexed query for a
    signed-in person (none for a visitor), remembered on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False):
        return ""
    cached = getattr(user, "_kenes_unread_notices", None)
    if cached is None:
        cached = selectors.unread_count(user, cap=selectors.MENU_COUNT_CAP)
        user._kenes_unread_notices = cached
    if not cached:
        return ""
    return f"{selectors.MENU_COUNT_CAP - 1}+" if cached >= selectors.MENU_COUNT_CAP else str(cached)


@register.filter
def local_url(url: str) -> str:
    """The url when it is a path on this site, else "" (a notice never links elsewhere)."""
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return url
    return ""


@register.filter
def masked(address: str) -> str:
    """An email, phone or chat id with all but its last four characters hidden."""
    address = str(address or "")
    if len(address) <= 4:
        return "•" * len(address)
    return "•" * min(len(address) - 4, 6) + address[-4:]
