"""Notifications: who wants to hear about what and how (contacts, preferences, quiet hours), what
happened (events), and what is to be sent (the outbox) or was shown on the site (notices).

The outbox is written in the same transaction as the change it announces (decision 0009); a worker
sends it. Each message carries an idempotency key, unique in the table, that the worker also hands
to the gateway, so a message goes out once even if the worker dies between sending and marking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    IN_APP = "in_app", _("On the site")
    EMAIL = "email", pgettext_lazy("channel", "Email")
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")


EXTERNAL_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.TELEGRAM)


class EventType(models.TextChoices):
    PROPOSAL_STATUS = "proposal_status", _("My proposals and the ones I support change status")
    SITTING_ANNOUNCED = "sitting_announced", _("A sitting is announced or changed")
    SITTING_SOON = "sitting_soon", _("A sitting is about to start")
    VOTE_OPEN = "vote_open", _("A vote opens at a sitting I attend")
    RECOMMENDATION_ANSWERED = "recommendation_answered", _("A recommendation is answered or extended")
    RECOMMENDATION_OVERDUE = "recommendation_overdue", _("An answer is overdue")
    OFFER_MATCH = "offer_match", _("A new offer matches my family (From City to Village)")


class Contact(models.Model):
    """How to reach a person: their language, phone (E.164), linked Telegram chat and quiet hours."""

    class Language(models.TextChoices):
        KAZAKH = "kk", "Қазақша"
        RUSSIAN = "ru", "Русский"
        ENGLISH = "en", "English"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KAZAKH)
    phone = models.CharField(_("phone for SMS"), max_length=16, blank=True)  # E.164: +77011234567
    telegram_chat_id = models.CharField(max_length=32, blank=True)
    telegram_code = models.CharField(max_length=16, null=True, blank=True, unique=True)
    telegram_code_expires_at = models.DateTimeField(null=True, blank=True)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | Q(quiet_from__isnull=False, quiet_until__isnull=False),
                name="contact_quiet_hours_both_or_none",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=r"^\+[1-9][0-9]{7,14}$"), name="contact_phone_e164"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.language})"


class Preference(models.Model):
    """A person's choice for one event type on one channel; without a row the default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    enabled = models.BooleanField()
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event_type", "channel"], name="preference_once_per_event_channel")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event_type}/{self.channel}: {self.enabled}"


class NotificationEvent(models.Model):
    """Something that happened and was announced: the facts, as published (for the staff page)."""

    kind = models.CharField(max_length=60)
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    payload = models.JSONField(default=dict)
    # For what must be announced once however often it is published ("sitting.soon:42"): unique.
    once_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "created_at"], name="notification_event_kind")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Notice(models.Model):
    """A message shown on the site, with the person's unread count in the menu."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    event = models.ForeignKey(NotificationEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"], condition=Q(event__isnull=False), name="notice_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    """One message to one person on one external channel, and where its delivery stands."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Failed: gave up")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox_messages")
    event = models.ForeignKey(
        NotificationEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # The oblast the event happened in: an oblast administrator's outbox shows that oblast's messages
    # only (they carry people's phones and emails); none for a message about no place (superusers).
    region = models.ForeignKey(
        "territory.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    address = models.CharField(max_length=254)  # the email, phone or chat id when the message was made
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)  # the page it is about, a path on the site
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)  # a sending worker's claim expires here
    last_error = models.CharField(max_length=500, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["region", "status", "created_at"], name="outbox_region"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event", "channel"],
                condition=Q(event__isnull=False),
                name="outbox_once_per_event_channel",
            ),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_time"),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False), name="outbox_sending_has_lease"
            ),
            models.CheckConstraint(condition=~Q(channel="in_app"), name="outbox_external_channels_only"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.user_id}: {self.status}"
