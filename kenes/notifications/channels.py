"""The external channels behind one interface (decision 0009): a `Sender` sends one outbox message
and returns the provider's reference, or raises `TemporaryFailure` (worth trying again later:
timeouts, connection errors, HTTP 5xx and 429) or `PermanentFailure` (not: other 4xx, an address
the channel cannot use).

- email: Django's mail backend from settings (the console in development), with a Message-ID made
  from the idempotency key, so a resend is recognisable as the same message, and a
  `List-Unsubscribe` link once the unsubscribe page exists;
- SMS: an HTTP gateway (POST JSON, bearer token, `Idempotency-Key`: a gateway that honours it answers
  a repeat with the first message's id and sends nothing);
- Telegram: the Bot API's `sendMessage`.

Without a gateway URL (SMS) or a bot token (Telegram) the channel writes the message to the log and
returns "logged": development and `make demo` need no credentials. Everything is read from settings
when `senders()` is called, so tests can point the channels at local fakes.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import smtplib
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kenes.notifications import services
from kenes.notifications.models import Channel, OutboxMessage

logger = logging.getLogger("kenes.notifications")

LOGGED = "logged"  # the reference of a message written to the log instead of sent
TELEGRAM_TEXT_LIMIT = 4096  # characters in one Telegram message
# The same shape the Contact table's constraint holds phones to (E.164); the address is copied from there.
E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
TELEGRAM_CHAT_ID = re.compile(r"^-?[0-9]{1,20}$")


class DeliveryFailure(Exception):
    """A message could not be sent; `reason` says why, for the staff page (no secrets in it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(DeliveryFailure):
    """Worth trying again later: a timeout, a connection error, HTTP 5xx or 429."""


class PermanentFailure(DeliveryFailure):
    """Trying again will not help: another 4xx, or an address the channel cannot use."""


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> str:
        """Sends the message; returns the provider's reference for it."""
        ...


def _is_temporary_status(status: int) -> bool:
    return status == 429 or status >= 500


def _post_json(url: str, payload: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
    """POSTs JSON; returns (HTTP status, decoded body or None). A timeout or a broken connection is a
    TemporaryFailure; an HTTP error status is returned, for the caller to judge."""
    request = urllib.request.Request(  # noqa: S310 (the URL comes from settings, not from a person)
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.KENES_NOTIFY_TIMEOUT_SECONDS) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status = error.code
        try:
            raw = error.read()
        except (OSError, http.client.HTTPException):
            raw = b""  # the status says enough
    except urllib.error.URLError as error:
        raise TemporaryFailure(f"Could not connect: {error.reason}") from error
    except TimeoutError as error:
        raise TemporaryFailure("No answer within the timeout") from error
    except (OSError, http.client.HTTPException) as error:
        raise TemporaryFailure(f"Connection failed: {type(error).__name__}: {error}") from error
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def _describe(status: int, body: Any) -> str:
    detail = ""
    if isinstance(body, dict):
        detail = str(body.get("description") or body.get("error") or body.get("detail") or "")
    return f"HTTP {status}: {detail}" if detail else f"HTTP {status}"


def _site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "kenes.localhost"


def message_id(message: OutboxMessage) -> str:
    """The email's Message-ID, the same for every attempt at one message."""
    return f"<{message.idempotency_key}@{_site_domain()}>"


def unsubscribe_url(message: OutboxMessage) -> str | None:
    """The absolute link that turns this event type off on this channel; None until the page exists."""
    token = services.unsubscribe_token(user=message.user, event_type=message.event_type, channel=message.channel)
    try:
        path = reverse("notifications:unsubscribe", args=[token])
    except NoReverseMatch:
        return None
    return settings.SITE_URL.rstrip("/") + path


class EmailSender:
    """Through the mail backend in settings (SMTP in production, the console in development)."""

    def send(self, message: OutboxMessage) -> str:
        try:
            validate_email(message.address)
        except ValidationError as error:
            raise PermanentFailure("Not an email address") from error
        reference = message_id(message)
        headers = {"Message-ID": reference, "Auto-Submitted": "auto-generated"}
        link = unsubscribe_url(message)
        if link:
            headers["List-Unsubscribe"] = f"<{link}>"
        email = EmailMessage(
            subject=message.subject,
            body=email_text(message, unsubscribe=link),
            to=[message.address],
            headers=headers,
            connection=get_connection(timeout=settings.KENES_NOTIFY_TIMEOUT_SECONDS),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"The mail server refused the address ({codes[0]})") from error
            raise TemporaryFailure(f"The mail server deferred the address ({codes[0]})") from error
        except smtplib.SMTPResponseException as error:
            reason = f"The mail server answered {error.smtp_code}"
            if error.smtp_code >= 500:
                raise PermanentFailure(reason) from error
            raise TemporaryFailure(reason) from error
        except OSError as error:  # smtplib's other errors, refused connections and timeouts
            raise TemporaryFailure(f"Mail server unreachable: {type(error).__name__}: {error}") from error
        return reference


class SmsSender:
    """An HTTP gateway: POST {"to", "text"} with a bearer token and the message's Idempotency-Key;
    the gateway answers {"id": …}."""

    def __init__(self, *, url: str, token: str) -> None:
        self.url = url
        self.token = token

    def send(self, message: OutboxMessage) -> str:
        if not E164.match(message.address):
            raise PermanentFailure("Not a phone number in international form (+7…)")
        if not self.url:
            logger.info("SMS to %s (no gateway configured, logged only): %s", message.address, message.body)
            return LOGGED
        status, body = _post_json(
            self.url,
            {"to": message.address, "text": message.body},
            {"Authorization": f"Bearer {self.token}", "Idempotency-Key": message.idempotency_key},
        )
        if _is_temporary_status(status):
            raise TemporaryFailure(_describe(status, body))
        if status >= 400:
            raise PermanentFailure(_describe(status, body))
        if isinstance(body, dict) and body.get("id") is not None:
            return str(body["id"])
        # Accepted (2xx) without an id: sending it again would not help, and the key would stop it.
        logger.warning("The SMS gateway accepted message %s without an id", message.pk)
        return ""


def page_link(message: OutboxMessage) -> str:
    """The absolute address of the page the message is about, or "" when it is about none."""
    return f"{settings.SITE_URL.rstrip('/')}{message.url}" if message.url.startswith("/") else ""


def email_text(message: OutboxMessage, *, unsubscribe: str | None) -> str:
    """The body, the page's link, and a line to stop these messages, in the recipient's language."""
    parts = [message.body, page_link(message)]
    if unsubscribe:
        with translation.override(message.language or "kk"):
            parts.append(_("To stop these emails: %(link)s") % {"link": unsubscribe})
    return "\n\n".join(part for part in parts if part)


def telegram_text(message: OutboxMessage) -> str:
    parts = [message.subject, message.body] if message.body and message.body != message.subject else [message.subject]
    parts.append(page_link(message))
    text = "\n\n".join(part for part in parts if part)
    return text if len(text) <= TELEGRAM_TEXT_LIMIT else text[: TELEGRAM_TEXT_LIMIT - 1] + "…"


class TelegramSender:
    """The Bot API's sendMessage. The Idempotency-Key header goes along although Telegram ignores it
    (the test double honours it); see `delivery` for what that means after a crash."""

    def __init__(self, *, api: str, token: str) -> None:
        self.api = api.rstrip("/")
        self.token = token

    def send(self, message: OutboxMessage) -> str:
        if not TELEGRAM_CHAT_ID.match(message.address):
            raise PermanentFailure("Not a Telegram chat id")
        text = telegram_text(message)
        if not self.token:
            logger.info("Telegram to chat %s (no bot token, logged only): %s", message.address, text)
            return LOGGED
        # The URL holds the bot token: it never goes into a reason or a log line.
        status, body = _post_json(
            f"{self.api}/bot{self.token}/sendMessage",
            {"chat_id": message.address, "text": text, "disable_web_page_preview": True},
            {"Idempotency-Key": message.idempotency_key},
        )
        answer: dict[str, Any] = body if isinstance(body, dict) else {}
        if status < 400 and answer.get("ok") is not False:
            result = answer.get("result")
            if isinstance(result, dict) and result.get("message_id") is not None:
                return str(result["message_id"])
            # Accepted without a message_id: sending it again could show it twice.
            logger.warning("Telegram accepted message %s without a message_id", message.pk)
            return ""
        code = answer.get("error_code")
        error_code = code if isinstance(code, int) else status
        if _is_temporary_status(error_code):
            raise TemporaryFailure(_describe(error_code, answer))
        raise PermanentFailure(_describe(error_code, answer))


def senders() -> dict[str, Sender]:
    """Each external channel's sender, configured from the settings as they are now."""
    return {
        Channel.EMAIL: EmailSender(),
        Channel.SMS: SmsSender(url=settings.KENES_SMS_URL, token=settings.KENES_SMS_TOKEN),
        Channel.TELEGRAM: TelegramSender(api=settings.KENES_TELEGRAM_API, token=settings.KENES_TELEGRAM_BOT_TOKEN),
    }
