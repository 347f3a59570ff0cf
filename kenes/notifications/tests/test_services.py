"""The services and selectors the notifications pages stand on: a person's contact and preferences,
reading notices, the Telegram link code, unsubscribing by link and sending a failed message again."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from kenes.accounts.tests.factories import SuperuserFactory, UserFactory
from kenes.core.errors import DomainError
from kenes.notifications import selectors, services
from kenes.notifications.models import Channel, Contact, EventType, Notice, OutboxMessage, Preference
from kenes.notifications.tests.factories import ContactFactory, NoticeFactory, OutboxMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> Any:
    return UserFactory.create()


def test_the_contact_is_saved_with_the_quiet_hours(person: Any) -> None:
    services.update_contact(
        actor=person,
        language="ru",
        phone="+77011234567",
        quiet_from=datetime.time(22),
        quiet_until=datetime.time(7),
    )

    contact = Contact.objects.get(user=person)
    assert (contact.language, contact.phone) == ("ru", "+77011234567")
    assert (contact.quiet_from, contact.quiet_until) == (datetime.time(22), datetime.time(7))


@pytest.mark.parametrize(
    ("change", "code"),
    [({"language": "de"}, "language"), ({"quiet_until": None}, "quiet_hours")],
)
def test_a_wrong_contact_is_refused(person: Any, change: dict[str, Any], code: str) -> None:
    values: dict[str, Any] = {
        "language": "kk",
        "phone": "",
        "quiet_from": datetime.time(22),
        "quiet_until": datetime.time(7),
    }

    with pytest.raises(DomainError) as refused:
        services.update_contact(actor=person, **(values | change))

    assert refused.value.code == code
    assert not Contact.objects.exists()


def test_the_matrix_shows_the_default_until_the_person_chooses(person: Any) -> None:
    services.set_preference(actor=person, event_type=EventType.VOTE_OPEN, channel=Channel.SMS, enabled=False)

    rows = selectors.preference_matrix(person, selectors.contact_for(person))

    cells = {(cell.event_type, cell.channel): cell for row in rows for cell in row.cells}
    assert len(cells) == len(EventType.values) * len(Channel.values)
    assert not cells[("vote_open", "sms")].enabled
    assert cells[("vote_open", "sms")].chosen
    assert cells[("vote_open", "email")].enabled
    assert not cells[("vote_open", "email")].chosen
    assert not cells[("vote_open", "sms")].reachable  # no phone yet
    assert cells[("vote_open", "in_app")].reachable


def test_an_unknown_preference_is_refused(person: Any) -> None:
    with pytest.raises(DomainError):
        services.set_preference(actor=person, event_type="nonsense", channel=Channel.SMS, enabled=False)
    assert not Preference.objects.exists()


def test_reading_the_settings_writes_no_contact(person: Any) -> None:
    contact = selectors.contact_for(person)

    assert contact.pk is None
    assert contact.language == Contact.Language.KAZAKH
    assert not Contact.objects.exists()


def test_the_unread_count_stops_at_its_cap(person: Any) -> None:
    NoticeFactory.create_batch(5, user=person)
    NoticeFactory.create(user=person, read_at=timezone.now())

    assert selectors.unread_count(person) == 5
    assert selectors.unread_count(person, cap=3) == 3


def test_marking_notices_read_touches_only_the_persons_unread_ones(person: Any) -> None:
    mine = NoticeFactory.create_batch(2, user=person)
    theirs = NoticeFactory.create()

    assert services.mark_notices_read(actor=person, ids=[mine[0].pk, theirs.pk]) == 1
    assert services.mark_notices_read(actor=person) == 1
    assert Notice.objects.filter(read_at__isnull=True).get() == theirs


def test_a_telegram_code_is_shown_while_it_is_valid(person: Any) -> None:
    contact = services.start_telegram_link(actor=person)

    code = selectors.telegram_code_of(contact)

    assert code is not None
    assert code.code == contact.telegram_code
    later = timezone.now() + services.TELEGRAM_CODE_LIFETIME + datetime.timedelta(seconds=1)
    assert selectors.telegram_code_of(contact, now=later) is None


def test_an_expired_code_links_no_chat(person: Any) -> None:
    contact = services.start_telegram_link(actor=person, now=timezone.now() - datetime.timedelta(hours=1))

    assert services.link_telegram(code=contact.telegram_code or "", chat_id="42") is None
    assert Contact.objects.get(user=person).telegram_chat_id == ""


def test_a_valid_code_links_the_chat_once(person: Any) -> None:
    code = services.start_telegram_link(actor=person).telegram_code or ""

    assert services.link_telegram(code=code.lower(), chat_id="42") is not None
    assert services.link_telegram(code=code, chat_id="43") is None
    assert Contact.objects.get(user=person).telegram_chat_id == "42"


def test_unsubscribing_by_link_turns_off_one_event_type_on_one_channel(person: Any) -> None:
    ContactFactory.create(user=person)
    token = services.unsubscribe_token(user=person, event_type=EventType.VOTE_OPEN, channel=Channel.SMS)
    waiting = OutboxMessageFactory.create(user=person, event_type=EventType.VOTE_OPEN, channel=Channel.SMS)
    other = OutboxMessageFactory.create(user=person, event_type=EventType.SITTING_SOON, channel=Channel.SMS)

    target = selectors.unsubscribe_target(token)
    services.unsubscribe(token=token)

    assert (target.event_type, target.channel) == ("vote_open", "sms")
    assert not Preference.objects.get(user=person, event_type="vote_open", channel="sms").enabled
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert waiting.status == OutboxMessage.Status.CANCELLED
    assert other.status == OutboxMessage.Status.PENDING


def test_a_failed_message_goes_back_to_the_queue_and_a_sent_one_does_not() -> None:
    staff = SuperuserFactory.create()
    dead = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD, attempts=6, last_error="HTTP 500")
    sent = OutboxMessageFactory.create(status=OutboxMessage.Status.SENT, sent_at=timezone.now())

    services.retry_message(actor=staff, message=dead)
    with pytest.raises(DomainError) as refused:
        services.retry_message(actor=staff, message=sent)

    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.last_error) == (OutboxMessage.Status.PENDING, 0, "")
    assert refused.value.code == "not_failed"


def test_the_outbox_is_counted_by_status_and_channel() -> None:
    OutboxMessageFactory.create_batch(2)
    OutboxMessageFactory.create(channel=Channel.EMAIL, status=OutboxMessage.Status.DEAD)

    assert selectors.outbox_counts() == {("pending", "sms"): 2, ("dead", "email"): 1}


def test_the_queue_is_in_the_order_it_goes_out() -> None:
    now = timezone.now()
    later = OutboxMessageFactory.create(next_attempt_at=now + datetime.timedelta(minutes=5))
    sooner = OutboxMessageFactory.create(next_attempt_at=now)
    OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD)

    assert list(selectors.outbox_messages(status=selectors.QUEUE)) == [sooner, later]
