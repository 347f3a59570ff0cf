"""Each channel over the wire: SMS to the fake gateway and Telegram to the fake Bot API (both on
127.0.0.1), email through Django's locmem outbox; which failures are worth a retry and which are not;
the log channels used when no gateway or bot is configured."""

from __future__ import annotations

import logging
import smtplib
import socket
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from kenes.notifications.channels import (
    LOGGED,
    EmailSender,
    PermanentFailure,
    SmsSender,
    TelegramSender,
    TemporaryFailure,
    senders,
)
from kenes.notifications.models import Channel
from kenes.notifications.services import read_unsubscribe_token
from kenes.notifications.tests.factories import OutboxMessageFactory
from kenes.notifications.tests.fakes import FakeSmsGateway, FakeTelegramApi, fake_sms_gateway, fake_telegram_api

pytestmark = pytest.mark.django_db

TELEGRAM_TOKEN = "123456:test-bot-token"
THIS_MODULE = "kenes.notifications.tests.test_channels"


def _unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse(token)


# A URLconf standing in for the unsubscribe page another change adds (`notifications:unsubscribe`).
urlpatterns = [
    path(
        "notifications/",
        include(([path("unsubscribe/<str:token>/", _unsubscribe_page, name="unsubscribe")], "notifications")),
    )
]


@pytest.fixture
def sms_gateway(settings: Any) -> Any:
    with fake_sms_gateway(settings) as gateway:
        yield gateway


@pytest.fixture
def telegram_api(settings: Any) -> Any:
    with fake_telegram_api(settings, token=TELEGRAM_TOKEN) as api:
        yield api


def sms_sender() -> SmsSender:
    sender = senders()[Channel.SMS]
    assert isinstance(sender, SmsSender)
    return sender


def telegram_sender() -> TelegramSender:
    sender = senders()[Channel.TELEGRAM]
    assert isinstance(sender, TelegramSender)
    return sender


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# SMS -------------------------------------------------------------------------------------------------


def test_an_sms_goes_to_the_gateway_with_the_token_and_the_idempotency_key(sms_gateway: FakeSmsGateway) -> None:
    message = OutboxMessageFactory.create(channel=Channel.SMS, address="+77011234567", body="Отырыс ертең 10:00-де")

    reference = sms_sender().send(message)

    assert reference == "sms-1"
    [delivery] = sms_gateway.delivered
    assert delivery.payload == {"to": "+77011234567", "text": "Отырыс ертең 10:00-де"}
    assert delivery.idempotency_key == message.idempotency_key


def test_the_same_sms_sent_again_gets_the_first_id_and_is_delivered_once(sms_gateway: FakeSmsGateway) -> None:
    message = OutboxMessageFactory.create(channel=Channel.SMS)

    first = sms_sender().send(message)
    second = sms_sender().send(message)

    assert first == second
    assert len(sms_gateway.delivered) == 1
    assert sms_gateway.requests == 2


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_server_error_or_too_many_requests_is_temporary(sms_gateway: FakeSmsGateway, status: int) -> None:
    sms_gateway.fail_next(1, status=status)

    with pytest.raises(TemporaryFailure, match=f"HTTP {status}"):
        sms_sender().send(OutboxMessageFactory.create(channel=Channel.SMS))

    assert sms_gateway.delivered == []


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_another_client_error_is_permanent(sms_gateway: FakeSmsGateway, status: int) -> None:
    sms_gateway.fail_next(1, status=status)

    with pytest.raises(PermanentFailure, match=f"HTTP {status}"):
        sms_sender().send(OutboxMessageFactory.create(channel=Channel.SMS))


def test_a_wrong_gateway_token_is_permanent(sms_gateway: FakeSmsGateway, settings: Any) -> None:
    settings.KENES_SMS_TOKEN = "not-the-token"

    with pytest.raises(PermanentFailure, match="HTTP 401"):
        sms_sender().send(OutboxMessageFactory.create(channel=Channel.SMS))

    assert sms_gateway.delivered == []


def test_a_phone_that_is_not_e164_is_permanent_and_nothing_is_posted(sms_gateway: FakeSmsGateway) -> None:
    with pytest.raises(PermanentFailure, match="phone number"):
        sms_sender().send(OutboxMessageFactory.create(channel=Channel.SMS, address="87011234567"))

    assert sms_gateway.requests == 0


def test_a_gateway_slower_than_the_timeout_is_temporary(sms_gateway: FakeSmsGateway, settings: Any) -> None:
    settings.KENES_NOTIFY_TIMEOUT_SECONDS = 1
    sms_gateway.delay = 3

    with pytest.raises(TemporaryFailure, match=r"timeout|timed out"):
        sms_sender().send(OutboxMessageFactory.create(channel=Channel.SMS))


def test_a_gateway_that_refuses_connections_is_temporary(settings: Any) -> None:
    settings.KENES_SMS_URL = f"http://127.0.0.1:{closed_port()}/v1/messages"

    with pytest.raises(TemporaryFailure, match="connect"):
        sms_sender().send(OutboxMessageFactory.create(channel=Channel.SMS))


def test_without_a_gateway_url_an_sms_is_logged(settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.KENES_SMS_URL = ""

    with caplog.at_level(logging.INFO, logger="kenes.notifications"):
        reference = sms_sender().send(OutboxMessageFactory.create(channel=Channel.SMS, body="Дауыс беру ашылды"))

    assert reference == LOGGED
    assert "Дауыс беру ашылды" in caplog.text


# Telegram --------------------------------------------------------------------------------------------


def test_a_telegram_message_goes_to_send_message_with_the_title_and_the_text(telegram_api: FakeTelegramApi) -> None:
    message = OutboxMessageFactory.create(
        channel=Channel.TELEGRAM, address="123456789", subject="Отырыс жарияланды", body="Күн тәртібі: жол жөндеу"
    )

    reference = telegram_sender().send(message)

    assert reference == str(FakeTelegramApi.FIRST_MESSAGE_ID)
    [delivery] = telegram_api.delivered
    assert delivery.payload == {
        "chat_id": "123456789",
        "text": "Отырыс жарияланды\n\nКүн тәртібі: жол жөндеу",
        "disable_web_page_preview": True,
    }
    assert delivery.idempotency_key == message.idempotency_key


def test_a_telegram_message_without_a_separate_text_is_its_title_once(telegram_api: FakeTelegramApi) -> None:
    message = OutboxMessageFactory.create(
        channel=Channel.TELEGRAM, address="-100200", subject="Жауап келді", body="Жауап келді"
    )

    telegram_sender().send(message)

    assert telegram_api.delivered[0].text == "Жауап келді"


@pytest.mark.parametrize("status", [429, 500, 502])
def test_telegram_asking_to_wait_or_failing_is_temporary(telegram_api: FakeTelegramApi, status: int) -> None:
    telegram_api.fail_next(1, status=status)

    with pytest.raises(TemporaryFailure, match=f"HTTP {status}"):
        telegram_sender().send(OutboxMessageFactory.create(channel=Channel.TELEGRAM, address="42"))


@pytest.mark.parametrize("status", [400, 403])
def test_telegram_refusing_the_chat_is_permanent(telegram_api: FakeTelegramApi, status: int) -> None:
    telegram_api.fail_next(1, status=status)

    with pytest.raises(PermanentFailure, match=f"HTTP {status}"):
        telegram_sender().send(OutboxMessageFactory.create(channel=Channel.TELEGRAM, address="42"))


def test_a_wrong_bot_token_is_permanent_and_stays_out_of_the_reason(
    telegram_api: FakeTelegramApi, settings: Any
) -> None:
    settings.KENES_TELEGRAM_BOT_TOKEN = "999:wrong-secret"

    with pytest.raises(PermanentFailure) as failure:
        telegram_sender().send(OutboxMessageFactory.create(channel=Channel.TELEGRAM, address="42"))

    assert failure.value.reason == "HTTP 401: Unauthorized"
    assert telegram_api.delivered == []


def test_a_chat_id_that_is_not_a_number_is_permanent(telegram_api: FakeTelegramApi) -> None:
    with pytest.raises(PermanentFailure, match="chat id"):
        telegram_sender().send(OutboxMessageFactory.create(channel=Channel.TELEGRAM, address="@someone"))

    assert telegram_api.requests == 0


def test_telegram_slower_than_the_timeout_is_temporary(telegram_api: FakeTelegramApi, settings: Any) -> None:
    settings.KENES_NOTIFY_TIMEOUT_SECONDS = 1
    telegram_api.delay = 3

    with pytest.raises(TemporaryFailure, match=r"timeout|timed out"):
        telegram_sender().send(OutboxMessageFactory.create(channel=Channel.TELEGRAM, address="42"))


def test_without_a_bot_token_a_telegram_message_is_logged(settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.KENES_TELEGRAM_BOT_TOKEN = ""

    with caplog.at_level(logging.INFO, logger="kenes.notifications"):
        reference = telegram_sender().send(
            OutboxMessageFactory.create(
                channel=Channel.TELEGRAM, address="42", subject="Мерзімі өтті", body="Мерзімі өтті"
            )
        )

    assert reference == LOGGED
    assert "Мерзімі өтті" in caplog.text


# Email -----------------------------------------------------------------------------------------------


def email_message(**fields: Any) -> Any:
    message = OutboxMessageFactory.create(channel=Channel.EMAIL, **fields)
    message.address = message.user.email
    message.save(update_fields=["address"])
    return message


@pytest.mark.urls(THIS_MODULE)
def test_an_email_carries_a_message_id_from_its_key_and_an_unsubscribe_link(settings: Any) -> None:
    settings.SITE_URL = "https://kenes.example.kz"
    message = email_message(
        subject="Ұсыныс қаралды", body="Кеңес ұсынысыңызды күн тәртібіне қойды.", url="/proposals/7/", language="en"
    )

    reference = EmailSender().send(message)

    [email] = mail.outbox
    assert email.to == [message.user.email]
    assert email.subject == "Ұсыныс қаралды"
    body, page_link, stop = email.body.split("\n\n")
    assert body == "Кеңес ұсынысыңызды күн тәртібіне қойды."
    assert page_link == "https://kenes.example.kz/proposals/7/"
    assert stop.startswith("To stop these emails: https://kenes.example.kz/notifications/unsubscribe/")
    assert email.extra_headers["Message-ID"] == reference == f"<{message.idempotency_key}@kenes.example.kz>"
    link = email.extra_headers["List-Unsubscribe"]
    prefix = "<https://kenes.example.kz/notifications/unsubscribe/"
    assert link.startswith(prefix)
    token = link.removeprefix(prefix).removesuffix("/>")
    assert read_unsubscribe_token(token) == (message.user_id, message.event_type, Channel.EMAIL)


@pytest.mark.urls(THIS_MODULE)
def test_an_email_sent_again_has_the_same_message_id() -> None:
    message = email_message()

    EmailSender().send(message)
    EmailSender().send(message)

    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]


class WithoutUnsubscribePage:
    """A URLconf (a module or anything with `urlpatterns`) of a site that has no unsubscribe page."""

    urlpatterns: list[Any] = []


def test_an_email_goes_without_the_unsubscribe_header_on_a_site_without_the_unsubscribe_page(settings: Any) -> None:
    settings.ROOT_URLCONF = WithoutUnsubscribePage
    EmailSender().send(email_message())

    [email] = mail.outbox
    assert "List-Unsubscribe" not in email.extra_headers


def test_an_address_that_is_not_an_email_is_permanent() -> None:
    message = OutboxMessageFactory.create(channel=Channel.EMAIL, address="not-an-address")

    with pytest.raises(PermanentFailure, match="email"):
        EmailSender().send(message)

    assert mail.outbox == []


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses, the way `error` says."""

    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, email_messages: Any) -> int:
        raise self.error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), TemporaryFailure),
        (ConnectionRefusedError(111, "Connection refused"), TemporaryFailure),
        (smtplib.SMTPDataError(451, b"Try again later"), TemporaryFailure),
        (smtplib.SMTPDataError(554, b"Rejected"), PermanentFailure),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}), PermanentFailure),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"Mailbox busy")}), TemporaryFailure),
    ],
)
def test_a_mail_server_failure_is_temporary_or_permanent_by_its_code(
    settings: Any, monkeypatch: pytest.MonkeyPatch, error: Exception, kind: type[Exception]
) -> None:
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.RefusingBackend"
    monkeypatch.setattr(RefusingBackend, "error", error)

    with pytest.raises(kind):
        EmailSender().send(email_message())


# The set of senders ------------------------------------------------------------------------------------


def test_the_senders_are_built_from_the_settings_of_the_moment(settings: Any) -> None:
    settings.KENES_SMS_URL = "http://127.0.0.1:9/sms"
    settings.KENES_TELEGRAM_API = "http://127.0.0.1:9/"

    built = senders()

    assert set(built) == {Channel.EMAIL, Channel.SMS, Channel.TELEGRAM}
    assert sms_sender().url == "http://127.0.0.1:9/sms"
    assert telegram_sender().api == "http://127.0.0.1:9"
