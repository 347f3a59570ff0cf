"""Every write of the notifications app: announcing an event to its recipients (a notice on the site
and one outbox message per external channel they want), a person's contact and preferences, reading
notices, linking Telegram, unsubscribing by link, and staff retrying a message.

Announcing runs inside the transaction of the change it announces (it is called from an event
handler, see `handlers.py`), so the outbox is written atomically with the change (decision 0009).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kenes.core.audit import record_audit
from kenes.core.errors import DomainError
from kenes.notifications.models import (
    EXTERNAL_CHANNELS,
    Channel,
    Contact,
    EventType,
    Notice,
    NotificationEvent,
    OutboxMessage,
    Preference,
)

UNSUBSCRIBE_SALT = "kenes.notifications.unsubscribe"
TELEGRAM_CODE_LIFETIME = datetime.timedelta(minutes=30)
SMS_GSM_LIMIT = 160  # characters in one SMS in the GSM 7-bit alphabet
SMS_UCS2_LIMIT = 70  # in one SMS with any other letter (Kazakh and Russian Cyrillic)
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@dataclass(frozen=True)
class Message:
    """What one recipient reads, already in their language: a title (the SMS text too), a body for
    email and Telegram, and the page it is about (a path on the site)."""

    title: str
    body: str = ""
    url: str = ""


MessageFor = Callable[[Any], Message]  # the recipient → their message (called in their language)


def contact_of(user: Any) -> Contact:
    contact, _created = Contact.objects.get_or_create(user=user)
    return contact


def fit_sms(text: str) -> str:
    """The text cut to fit one SMS: 160 characters in the GSM alphabet, 70 with any other letter."""
    text = " ".join(text.split())
    limit = SMS_GSM_LIMIT if all(character in _GSM for character in text) else SMS_UCS2_LIMIT
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _address(user: Any, contact: Contact, channel: str) -> str:
    if channel == Channel.EMAIL:
        return str(user.email or "")
    if channel == Channel.SMS:
        return contact.phone
    if channel == Channel.TELEGRAM:
        return contact.telegram_chat_id
    return ""


def wanted(preferences: dict[tuple[str, str], bool], event_type: str, channel: str) -> bool:
    """A person's choice, or the default: everything on, on every channel they gave an address for
    (they can turn any of it off, or unsubscribe from a message)."""
    return preferences.get((event_type, channel), True)


def quiet_until(contact: Contact, now: datetime.datetime) -> datetime.datetime | None:
    """The end of the person's quiet hours when `now` falls inside them (local time; the hours may
    run past midnight, e.g. 22:00–07:00), else None."""
    if contact.quiet_from is None or contact.quiet_until is None or contact.quiet_from == contact.quiet_until:
        return None
    local = timezone.localtime(now)
    start, end, moment = contact.quiet_from, contact.quiet_until, local.time()
    inside = start <= moment < end if start < end else (moment >= start or moment < end)
    if not inside:
        return None
    day = local.date() if moment < end else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, end), timezone.get_current_timezone())


def _key(event: NotificationEvent, user: Any, channel: str) -> str:
    return hashlib.sha256(f"{event.pk}:{user.pk}:{channel}".encode()).hexdigest()


def announce(
    *,
    kind: str,
    event_type: str,
    recipients: Iterable[Any],
    message_for: MessageFor,
    payload: dict[str, Any] | None = None,
    is_demo: bool = False,
    once_key: str | None = None,
    region_id: int | None = None,
    now: datetime.datetime | None = None,
) -> NotificationEvent | None:
    """Writes the event, a notice per recipient who wants it on the site and an outbox message per
    external channel they want and have an address for, each in the recipient's language. Runs in
    the caller's transaction. Returns None when nobody is to be told, or when an event with the same
    `once_key` was announced before (the database's unique key decides, even for two at once).
    `region_id` is the oblast the event happened in: whose administrators see its messages."""
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return None
    moment = now or timezone.now()
    try:
        with transaction.atomic():  # a savepoint: a repeated once_key leaves the caller's transaction usable
            event = NotificationEvent.objects.create(
                kind=kind, event_type=event_type, payload=payload or {}, once_key=once_key
            )
    except IntegrityError:
        return None
    contacts = {contact.user_id: contact for contact in Contact.objects.filter(user_id__in=people)}
    chosen: dict[int, dict[tuple[str, str], bool]] = {}
    for user_id, kind_of_event, channel, enabled in Preference.objects.filter(
        user_id__in=people, event_type=event_type
    ).values_list("user_id", "event_type", "channel", "enabled"):
        chosen.setdefault(user_id, {})[(kind_of_event, channel)] = enabled
    notices: list[Notice] = []
    messages: list[OutboxMessage] = []
    for user_id, user in people.items():
        contact = contacts.get(user_id) or Contact(user=user)
        preferences = chosen.get(user_id, {})
        with translation.override(contact.language):
            message = message_for(user)
        if wanted(preferences, event_type, Channel.IN_APP):
            notices.append(
                Notice(
                    user=user,
                    event=event,
                    event_type=event_type,
                    title=message.title[:300],
                    body=message.body,
                    url=message.url,
                    is_demo=is_demo,
                )
            )
        due = quiet_until(contact, moment) or moment
        for channel in EXTERNAL_CHANNELS:
            address = _address(user, contact, channel)
            if not address or not wanted(preferences, event_type, channel):
                continue
            text = fit_sms(message.title) if channel == Channel.SMS else message.body or message.title
            messages.append(
                OutboxMessage(
                    user=user,
                    event=event,
                    event_type=event_type,
                    channel=channel,
                    address=address,
                    language=contact.language,
                    subject=message.title[:300],
                    body=text,
                    url=message.url,
                    idempotency_key=_key(event, user, channel),
                    next_attempt_at=due,
                    region_id=region_id,
                    is_demo=is_demo,
                )
            )
    Notice.objects.bulk_create(notices)
    OutboxMessage.objects.bulk_create(messages)
    if messages:
        transaction.on_commit(_wake_worker)
    return event


def _wake_worker() -> None:
    """After the commit, hand the new messages to the task worker (django-tasks, database backend)."""
    from kenes.notifications.tasks import deliver_notifications_task

    deliver_notifications_task.enqueue()


# A person's settings ---------------------------------------------------------------------------------


@transaction.atomic
def update_contact(
    *,
    actor: Any,
    language: str,
    phone: str,
    quiet_from: datetime.time | None,
    quiet_until: datetime.time | None,
) -> Contact:
    if language not in Contact.Language.values:
        raise DomainError(_("Choose Kazakh, Russian or English."), code="language")
    if (quiet_from is None) != (quiet_until is None):
        raise DomainError(_("Give both the start and the end of the quiet hours, or neither."), code="quiet_hours")
    contact = contact_of(actor)
    contact.language, contact.phone = language, phone
    contact.quiet_from, contact.quiet_until = quiet_from, quiet_until
    contact.save()
    record_audit(actor=actor, action="notifications.contact_changed", target=contact, after={"language": language})
    return contact


@transaction.atomic
def set_preference(*, actor: Any, event_type: str, channel: str, enabled: bool) -> Preference:
    if event_type not in EventType.values or channel not in Channel.values:
        raise DomainError(_("There is no such notification."), code="unknown", status=404)
    preference, _created = Preference.objects.update_or_create(
        user=actor, event_type=event_type, channel=channel, defaults={"enabled": enabled}
    )
    return preference


def unsubscribe_token(*, user: Any, event_type: str, channel: str) -> str:
    return signing.dumps({"u": user.pk, "e": event_type, "c": channel}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str, str]:
    """(user id, event type, channel) from a link's token; DomainError for a token that is not ours."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, event_type, channel = int(data["u"]), str(data["e"]), str(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise DomainError(_("This unsubscribe link is not valid."), code="bad_token", status=404) from error
    if event_type not in EventType.values or channel not in Channel.values:
        raise DomainError(_("This unsubscribe link is not valid."), code="bad_token", status=404)
    return user_id, event_type, channel


@transaction.atomic
def unsubscribe(*, token: str) -> Preference:
    """Turns off one event type on one channel for the person the link was made for; no sign-in."""
    user_id, event_type, channel = read_unsubscribe_token(token)
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise DomainError(_("This unsubscribe link is not valid."), code="bad_token", status=404)
    preference, _created = Preference.objects.update_or_create(
        user_id=user_id, event_type=event_type, channel=channel, defaults={"enabled": False}
    )
    OutboxMessage.objects.filter(
        user_id=user_id, event_type=event_type, channel=channel, status=OutboxMessage.Status.PENDING
    ).update(status=OutboxMessage.Status.CANCELLED)
    return preference


# Notices --------------------------------------------------------------------------------------------


def mark_notices_read(*, actor: Any, ids: Iterable[int] | None = None) -> int:
    """Marks the person's unread notices (or only `ids`) read; returns how many."""
    unread = Notice.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


# Telegram ------------------------------------------------------------------------------------------


@transaction.atomic
def start_telegram_link(*, actor: Any, now: datetime.datetime | None = None) -> Contact:
    """A new one-time code the person sends to the bot (`/start CODE`); valid for 30 minutes."""
    contact = contact_of(actor)
    contact.telegram_code = secrets.token_hex(4).upper()
    contact.telegram_code_expires_at = (now or timezone.now()) + TELEGRAM_CODE_LIFETIME
    contact.save(update_fields=["telegram_code", "telegram_code_expires_at"])
    return contact


@transaction.atomic
def link_telegram(*, code: str, chat_id: str, now: datetime.datetime | None = None) -> Contact | None:
    """Links the chat that sent a valid, unexpired code to that code's person; the code is spent.
    None for an unknown or expired code (the bot then says so)."""
    contact = (
        Contact.objects.select_for_update()
        .filter(telegram_code=code.strip().upper(), telegram_code_expires_at__gt=now or timezone.now())
        .first()
    )
    if contact is None or not chat_id.lstrip("-").isdigit():
        return None
    contact.telegram_chat_id = chat_id
    contact.telegram_code = None
    contact.telegram_code_expires_at = None
    contact.save(update_fields=["telegram_chat_id", "telegram_code", "telegram_code_expires_at"])
    record_audit(actor=contact.user, action="notifications.telegram_linked", target=contact)
    return contact


@transaction.atomic
def unlink_telegram(*, actor: Any) -> Contact:
    contact = contact_of(actor)
    contact.telegram_chat_id = ""
    contact.save(update_fields=["telegram_chat_id"])
    OutboxMessage.objects.filter(user=actor, channel=Channel.TELEGRAM, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.CANCELLED
    )
    return contact


# Staff ---------------------------------------------------------------------------------------------


@transaction.atomic
def retry_message(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """A dead message goes back to the queue, its tries counted afresh."""
    current = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if current.status != OutboxMessage.Status.DEAD:
        # A cancelled message was the person's choice (unsubscribed, unlinked): never overruled.
        raise DomainError(_("Only a failed message can be sent again."), code="not_failed", status=409)
    current.status = OutboxMessage.Status.PENDING
    current.attempts = 0
    current.next_attempt_at = timezone.now()
    current.last_error = ""
    current.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    record_audit(actor=actor, action="notifications.message_retried", target=current)
    transaction.on_commit(_wake_worker)
    return current
