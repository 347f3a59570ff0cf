"""Announcing an event: each person in their language, quiet hours respected, a once-only event
announced once, preferences and addresses deciding the channels."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kenes.accounts.tests.factories import UserFactory
from kenes.notifications.models import Channel, EventType, Notice, NotificationEvent, OutboxMessage, Preference
from kenes.notifications.services import Message, announce, quiet_until
from kenes.notifications.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

# 23:30 in the site's time zone (Asia/Oral): inside quiet hours 22:00–07:00.
LATE = timezone.make_aware(datetime.datetime(2026, 12, 6, 23, 30))


def _message(_user: Any) -> Message:
    # "Accepted" is in every catalogue: the text shows which language was active.
    return Message(title=str(_("Accepted")), body="", url="/proposals/1/")


def _announce(people: list[Any], **fields: Any) -> NotificationEvent | None:
    return announce(
        kind="test.event", event_type=EventType.PROPOSAL_STATUS, recipients=people, message_for=_message, **fields
    )


def test_each_person_reads_the_message_in_their_own_language():
    kazakh = ContactFactory.create(language="kk", user=UserFactory.create(email="kk@example.kz"))
    russian = ContactFactory.create(language="ru", user=UserFactory.create(email="ru@example.kz"))

    _announce([kazakh.user, russian.user], now=LATE.replace(hour=12))

    for contact in (kazakh, russian):
        with translation.override(contact.language):
            expected = str(_("Accepted"))
        notice = Notice.objects.get(user=contact.user)
        assert notice.title == expected
        sms = OutboxMessage.objects.get(user=contact.user, channel=Channel.SMS)
        assert (sms.language, sms.body) == (contact.language, expected)
    assert Notice.objects.get(user=kazakh.user).title != Notice.objects.get(user=russian.user).title


def test_quiet_hours_delay_external_messages_to_their_end_but_not_the_notice():
    contact = ContactFactory.create(quiet_from=datetime.time(22, 0), quiet_until=datetime.time(7, 0))

    _announce([contact.user], now=LATE)

    sms = OutboxMessage.objects.get(user=contact.user, channel=Channel.SMS)
    assert timezone.localtime(sms.next_attempt_at) == timezone.localtime(LATE).replace(
        hour=7, minute=0
    ) + datetime.timedelta(days=1)
    assert Notice.objects.filter(user=contact.user).count() == 1


def test_outside_quiet_hours_a_message_is_due_at_once():
    contact = ContactFactory.create(quiet_from=datetime.time(22, 0), quiet_until=datetime.time(7, 0))
    noon = LATE.replace(hour=12)

    assert quiet_until(contact, noon) is None
    _announce([contact.user], now=noon)
    assert OutboxMessage.objects.get(user=contact.user, channel=Channel.SMS).next_attempt_at == noon


def test_a_once_only_event_is_announced_once():
    contact = ContactFactory.create()

    first = _announce([contact.user], once_key="sitting.soon:1")
    second = _announce([contact.user], once_key="sitting.soon:1")

    assert first is not None
    assert second is None
    assert Notice.objects.filter(user=contact.user).count() == 1


def test_a_channel_turned_off_or_without_an_address_gets_nothing():
    contact = ContactFactory.create(phone="", user=UserFactory.create(email="a@example.kz"))
    Preference.objects.create(
        user=contact.user, event_type=EventType.PROPOSAL_STATUS, channel=Channel.EMAIL, enabled=False
    )

    _announce([contact.user])

    assert not OutboxMessage.objects.filter(user=contact.user).exists()  # no phone, email turned off
    assert Notice.objects.filter(user=contact.user).exists()
