"""Every non-trivial read of the notifications app: a person's notices and unread count, their contact
and the matrix of what they hear about on which channel (their choice or the default), the link code
for Telegram, what an unsubscribe link turns off, and for staff the outbox with its counts.

Reads never write: a person who has not saved settings yet gets an unsaved default `Contact`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from kenes.core.errors import DomainError
from kenes.notifications import services
from kenes.notifications.models import Channel, Contact, EventType, Notice, OutboxMessage, Preference

# The menu shows "99+" past this: counting further costs time and tells the reader nothing more.
MENU_COUNT_CAP = 100
QUEUE = "queue"  # the outbox filter for messages still to go: waiting or being sent


# Notices --------------------------------------------------------------------------------------------


def notices_of(user: Any) -> QuerySet[Notice]:
    """The person's notices, newest first."""
    return Notice.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def unread_count(user: Any, *, cap: int | None = None) -> int:
    """How many of the person's notices are unread (one indexed query; at most `cap` counted)."""
    unread = Notice.objects.filter(user_id=user.pk, read_at__isnull=True)
    if cap is not None:
        return unread.values("pk")[:cap].count()
    return unread.count()


def access_notice(*, user: Any, pk: int) -> Notice:
    """The person's own notice; 404 for one that is missing or someone else's alike."""
    notice = notices_of(user).filter(pk=pk).first()
    if notice is None:
        raise Http404("No such notice.")
    return notice


# A person's settings ---------------------------------------------------------------------------------


def contact_for(user: Any) -> Contact:
    """The person's contact, or an unsaved one with the defaults when they have none yet."""
    return Contact.objects.filter(user_id=user.pk).first() or Contact(user=user)


def chosen_preferences(user: Any) -> dict[tuple[str, str], bool]:
    """What the person chose, by (event type, channel); a missing pair means the default."""
    rows = Preference.objects.filter(user_id=user.pk).values_list("event_type", "channel", "enabled")
    return {(event_type, channel): enabled for event_type, channel, enabled in rows}


def reachable_channels(user: Any, contact: Contact) -> dict[str, bool]:
    """Whether the person gave an address for each channel (the site needs none)."""
    return {
        Channel.IN_APP: True,
        Channel.EMAIL: bool(user.email),
        Channel.SMS: bool(contact.phone),
        Channel.TELEGRAM: bool(contact.telegram_chat_id),
    }


@dataclass(frozen=True)
class Cell:
    """One event type on one channel: what applies now, and whether the person chose it or it is the default."""

    event_type: str
    channel: str
    enabled: bool
    chosen: bool
    reachable: bool


@dataclass(frozen=True)
class Row:
    event_type: str
    label: str
    cells: list[Cell]


def preference_matrix(user: Any, contact: Contact) -> list[Row]:
    """Every event type × every channel, with the value that applies (`services.wanted`)."""
    chosen = chosen_preferences(user)
    reachable = reachable_channels(user, contact)
    return [
        Row(
            event_type=event_type,
            label=str(label),
            cells=[
                Cell(
                    event_type=event_type,
                    channel=channel,
                    enabled=services.wanted(chosen, event_type, channel),
                    chosen=(event_type, channel) in chosen,
                    reachable=reachable[channel],
                )
                for channel in Channel.values
            ],
        )
        for event_type, label in EventType.choices
    ]


@dataclass(frozen=True)
class TelegramCode:
    code: str
    expires_at: datetime.datetime


def telegram_code_of(contact: Contact, *, now: datetime.datetime | None = None) -> TelegramCode | None:
    """The person's link code while it is still valid, else None."""
    if not contact.telegram_code or contact.telegram_code_expires_at is None:
        return None
    if contact.telegram_code_expires_at <= (now or timezone.now()):
        return None
    return TelegramCode(code=contact.telegram_code, expires_at=contact.telegram_code_expires_at)


@dataclass(frozen=True)
class UnsubscribeTarget:
    event_type: str
    channel: str


def unsubscribe_target(token: str) -> UnsubscribeTarget:
    """What an unsubscribe link turns off; 404 for a token that is not ours or whose person is gone."""
    try:
        user_id, event_type, channel = services.read_unsubscribe_token(token)
    except DomainError as error:
        raise Http404(str(error)) from error
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise Http404("The person of this link no longer exists.")
    return UnsubscribeTarget(event_type=event_type, channel=channel)


# Outbox (staff) ---------------------------------------------------------------------------------------


def _outbox(regions: list[int] | None) -> QuerySet[OutboxMessage]:
    """The messages of these oblasts (None: all of them)."""
    messages = OutboxMessage.objects.all()
    return messages if regions is None else messages.filter(region_id__in=regions)


def outbox_counts(*, regions: list[int] | None = None) -> dict[tuple[str, str], int]:
    """Messages by (status, channel): one grouped query."""
    rows = _outbox(regions).order_by().values_list("status", "channel").annotate(total=Count("pk"))
    return {(status, channel): total for status, channel, total in rows}


def outbox_messages(
    *, status: str = "", channel: str = "", regions: list[int] | None = None
) -> QuerySet[OutboxMessage]:
    """The outbox, filtered: the queue (waiting or being sent) by when it goes next; anything else newest first."""
    messages = _outbox(regions).select_related("user")
    if channel:
        messages = messages.filter(channel=channel)
    if status == QUEUE:
        queue = (OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING)
        return messages.filter(status__in=queue).order_by("next_attempt_at", "id")
    if status:
        messages = messages.filter(status=status)
    return messages.order_by("-created_at", "-id")


def get_outbox_message(pk: int, *, regions: list[int] | None = None) -> OutboxMessage:
    """One message of the outbox of these oblasts (the caller checked the staff permission); 404 when
    missing or outside them."""
    message = _outbox(regions).filter(pk=pk).first()
    if message is None:
        raise Http404("No such message.")
    return message
