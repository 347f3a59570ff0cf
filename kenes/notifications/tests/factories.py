"""Notification factories: titles and bodies carry `<script>` so every page test is an escaping test."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from kenes.accounts.tests.factories import UserFactory
from kenes.notifications.models import Channel, Contact, EventType, Notice, OutboxMessage

SCRIPT = "<script>alert(1)</script>"


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    language = Contact.Language.KAZAKH
    phone = "+77011234567"
    telegram_chat_id = ""


class NoticeFactory(DjangoModelFactory[Notice]):
    class Meta:
        model = Notice

    user = factory.SubFactory(UserFactory)
    event_type = EventType.PROPOSAL_STATUS
    title = factory.Sequence(lambda n: f"Ұсынысыңыз қаралды {n} {SCRIPT}")
    body = f"Кеңес ұсынысты күн тәртібіне қойды. {SCRIPT}"
    url = "/proposals/1/"


class OutboxMessageFactory(DjangoModelFactory[OutboxMessage]):
    class Meta:
        model = OutboxMessage

    user = factory.SubFactory(UserFactory)
    event_type = EventType.PROPOSAL_STATUS
    channel = Channel.SMS
    address = "+77011234567"
    language = "kk"
    subject = f"Ұсынысыңыз қаралды {SCRIPT}"
    body = "Ұсынысыңыз қаралды"
    idempotency_key = factory.Sequence(lambda n: f"{n:064d}")
    next_attempt_at = factory.LazyFunction(timezone.now)
