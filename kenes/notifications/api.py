"""Notifications API, mounted at /api/v1/notifications/: the caller's own notices and preferences.

Everything needs a caller: an API token in the `Authorization: Bearer <token>` header, or the site's
session cookie (with its CSRF token, the `X-CSRFToken` header, for writes). Without either the answer
is 401 `not_authenticated`. Nobody reads or changes another person's notices or preferences: the
caller is the only person every operation is about. Every error is `{"detail", "code"}`.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from kenes.accounts.api_auth import token_or_session
from kenes.core.api import ErrorOut
from kenes.notifications import selectors, services
from kenes.notifications.models import Channel

router = Router(tags=["notifications"], auth=token_or_session)

EventTypeCode = Literal[
    "proposal_status",
    "sitting_announced",
    "sitting_soon",
    "vote_open",
    "recommendation_answered",
    "recommendation_overdue",
    "offer_match",
]
ChannelCode = Literal["in_app", "email", "sms", "telegram"]
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
AUTHORISED = (
    "Needs an API token (`Authorization: Bearer <token>`) or a signed-in session (with its CSRF token, "
    "`X-CSRFToken`, for writes): 401 `not_authenticated` or `invalid_token` without either, 403 `csrf_failed` "
    "for a session write without its CSRF token."
)
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# Schemas --------------------------------------------------------------------------------------


class NoticeOut(Schema):
    id: int
    event_type: EventTypeCode
    event_type_label: str = Field(description="What kind of news it is, in the request's language")
    title: str = Field(description="In the caller's language for messages, as it was made")
    body: str
    url: str = Field(description="The page on the site it is about (a path); empty when none")
    created_at: datetime.datetime
    read_at: datetime.datetime | None = Field(description="null: unread")
    is_demo: bool


class NoticePageOut(Schema):
    count: int = Field(description="The caller's notices (matching `unread`), on every page together")
    unread_count: int = Field(description="The caller's unread notices, whatever the filter")
    limit: int
    offset: int
    items: list[NoticeOut] = Field(description="Newest first")


# A notice's id as the database can hold it (a larger number is a malformed request, not a missing id).
NoticeId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class NoticesReadIn(Schema):
    ids: list[NoticeId] = Field(
        default_factory=list, max_length=MAX_LIMIT, description="Ids of the caller's notices to mark read"
    )
    all: bool = Field(False, description="Mark every unread notice of the caller read (then `ids` is ignored)")


class NoticesReadOut(Schema):
    marked: int = Field(description="Notices that were unread and are read now")
    unread_count: int


class PreferenceOut(Schema):
    event_type: EventTypeCode
    event_type_label: str
    channel: ChannelCode
    channel_label: str
    enabled: bool = Field(description="Whether this news goes to this channel now (the caller's choice or the default)")
    is_default: bool = Field(description="The caller has not chosen: the default (on) applies")
    reachable: bool = Field(description="The caller gave an address for this channel (email, phone, linked Telegram)")


class PreferencesOut(Schema):
    items: list[PreferenceOut] = Field(description="Every event type on every channel")


class PreferenceIn(Schema):
    event_type: EventTypeCode
    channel: ChannelCode
    enabled: bool


class PreferencesIn(Schema):
    items: list[PreferenceIn] = Field(
        min_length=1,
        max_length=MAX_LIMIT,
        description="The pairs to set; pairs not listed keep their value. A pair listed twice: the last wins.",
    )


# Helpers --------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def notice_out(notice: Any) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "event_type": notice.event_type,
        "event_type_label": str(notice.get_event_type_display()),
        "title": notice.title,
        "body": notice.body,
        "url": notice.url,
        "created_at": notice.created_at,
        "read_at": notice.read_at,
        "is_demo": notice.is_demo,
    }


def _preferences_out(user: Any) -> dict[str, Any]:
    channel_names = dict(Channel.choices)
    return {
        "items": [
            {
                "event_type": cell.event_type,
                "event_type_label": row.label,
                "channel": cell.channel,
                "channel_label": str(channel_names[cell.channel]),
                "enabled": cell.enabled,
                "is_default": not cell.chosen,
                "reachable": cell.reachable,
            }
            for row in selectors.preference_matrix(user, selectors.contact_for(user))
            for cell in row.cells
        ]
    }


# Operations -----------------------------------------------------------------------------------


@router.get(
    "notices",
    response={200: NoticePageOut, **READ_ERRORS},
    summary="The caller's notices, newest first, with the unread count",
    description=AUTHORISED,
)
def notices(
    request: HttpRequest,
    unread: bool = Query(False, description="Only unread notices"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (at most 100)"),
    offset: int = Query(0, ge=0, le=10**9, description="Items to skip"),
) -> dict[str, Any]:
    user = _actor(request)
    found = selectors.notices_of(user)
    if unread:
        found = found.filter(read_at__isnull=True)
    return {
        "count": found.count(),
        "unread_count": selectors.unread_count(user),
        "limit": limit,
        "offset": offset,
        "items": [notice_out(notice) for notice in found[offset : offset + limit]],
    }


@router.post(
    "notices/read",
    response={200: NoticesReadOut, **WRITE_ERRORS},
    summary="Mark some of the caller's notices read, or all of them",
    description=AUTHORISED
    + " Ids of notices that are not the caller's, or already read, are skipped. 422 with neither `ids` nor `all`.",
)
def mark_read(request: HttpRequest, payload: NoticesReadIn) -> dict[str, Any]:
    user = _actor(request)
    if not payload.all and not payload.ids:
        message = _("Give the ids of the notices to mark read, or all: true.")
        raise ValidationError([{"loc": ["body", "payload", "ids"], "msg": str(message), "type": "missing"}])
    marked = services.mark_notices_read(actor=user, ids=None if payload.all else payload.ids)
    return {"marked": marked, "unread_count": selectors.unread_count(user)}


@router.get(
    "preferences",
    response={200: PreferencesOut, **READ_ERRORS},
    summary="What the caller hears about on which channel",
    description=AUTHORISED,
)
def preferences(request: HttpRequest) -> dict[str, Any]:
    return _preferences_out(_actor(request))


@router.put(
    "preferences",
    response={200: PreferencesOut, **WRITE_ERRORS},
    summary="Turn event types on or off on channels; answers every preference as it is now",
    description=AUTHORISED,
)
def set_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    user = _actor(request)
    chosen = {(item.event_type, item.channel): item.enabled for item in payload.items}
    with transaction.atomic():
        for (event_type, channel), enabled in chosen.items():
            services.set_preference(actor=user, event_type=event_type, channel=channel, enabled=enabled)
    return _preferences_out(user)
