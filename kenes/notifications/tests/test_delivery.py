"""Delivering the outbox: claims that never overlap, retries with backoff, the dead-letter state,
marks that a stale worker cannot overwrite, a pinned query count, and the worker command, including
a real `send_notifications --loop` process killed between sending and marking: the message is sent
again with the same idempotency key and the gateway delivers it once."""

from __future__ import annotations

import datetime
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from kenes.notifications.channels import EmailSender, PermanentFailure, TemporaryFailure
from kenes.notifications.delivery import (
    LEASE,
    DeliveryRun,
    backoff,
    claim,
    deliver_due,
    due_messages,
    mark_dead,
    mark_for_retry,
    mark_sent,
    run_worker,
)
from kenes.notifications.models import Channel, OutboxMessage
from kenes.notifications.tests.factories import OutboxMessageFactory
from kenes.notifications.tests.fakes import FakeSmsGateway, FakeTelegramApi, fake_sms_gateway, fake_telegram_api

SENDING = OutboxMessage.Status.SENDING
PENDING = OutboxMessage.Status.PENDING
SENT = OutboxMessage.Status.SENT
DEAD = OutboxMessage.Status.DEAD
SECOND = datetime.timedelta(seconds=1)
WORKER_START_TIMEOUT = 60.0  # seconds for `manage.py` to start and reach the gateway
WORKER_STOP_TIMEOUT = 15.0


class RecordingSender:
    """A sender in this process: remembers what it sent, or fails the way it is told."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.sent: list[int] = []

    def send(self, message: OutboxMessage) -> str:
        if self.error is not None:
            raise self.error
        self.sent.append(message.pk)
        return f"ref-{message.pk}"


@pytest.fixture
def sms_gateway(settings: Any) -> Iterator[FakeSmsGateway]:
    with fake_sms_gateway(settings) as gateway:
        yield gateway


@pytest.fixture
def telegram_api(settings: Any) -> Iterator[FakeTelegramApi]:
    with fake_telegram_api(settings, token="123456:test-bot-token") as api:
        yield api


def current(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


# Sending and marking ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_messages_go_out_on_every_channel_and_are_marked_sent(
    sms_gateway: FakeSmsGateway, telegram_api: FakeTelegramApi
) -> None:
    now = timezone.now()
    sms = OutboxMessageFactory.create(channel=Channel.SMS, next_attempt_at=now)
    telegram = OutboxMessageFactory.create(channel=Channel.TELEGRAM, address="777", next_attempt_at=now)
    email = OutboxMessageFactory.create(channel=Channel.EMAIL, address="aigul@example.org", next_attempt_at=now)

    run = deliver_due(now=now)

    assert run == DeliveryRun(claimed=3, sent=3)
    assert [(m.status, m.attempts, m.sent_at, m.lease_until) for m in map(current, (sms, telegram, email))] == [
        (SENT, 1, now, None)
    ] * 3
    assert current(sms).provider_reference == sms_gateway.delivered[0].reference
    assert current(telegram).provider_reference == telegram_api.delivered[0].reference
    assert [e.to for e in mail.outbox] == [["aigul@example.org"]]
    assert current(email).provider_reference == mail.outbox[0].extra_headers["Message-ID"]


@pytest.mark.django_db
def test_messages_not_due_or_already_settled_are_left_alone() -> None:
    now = timezone.now()
    later = OutboxMessageFactory.create(next_attempt_at=now + SECOND)
    OutboxMessageFactory.create(status=SENT, sent_at=now, next_attempt_at=now)
    OutboxMessageFactory.create(status=DEAD, next_attempt_at=now)
    OutboxMessageFactory.create(status=OutboxMessage.Status.CANCELLED, next_attempt_at=now)
    OutboxMessageFactory.create(status=SENDING, lease_until=now + SECOND, next_attempt_at=now)
    sender = RecordingSender()

    run = deliver_due(now=now, senders={Channel.SMS: sender})

    assert run == DeliveryRun()
    assert sender.sent == []
    assert current(later).status == PENDING


@pytest.mark.django_db
def test_a_run_claims_at_most_its_limit_the_longest_waiting_first() -> None:
    now = timezone.now()
    messages = [OutboxMessageFactory.create(next_attempt_at=now - SECOND * n) for n in range(5)]
    sender = RecordingSender()

    run = deliver_due(limit=2, now=now, senders={Channel.SMS: sender})

    assert run.claimed == 2
    assert sender.sent == [messages[4].pk, messages[3].pk]


@pytest.mark.django_db
def test_delivering_fifty_messages_takes_one_query_to_find_them_and_two_for_each(
    django_assert_num_queries: Any,
) -> None:
    now = timezone.now()
    OutboxMessageFactory.create_batch(25, channel=Channel.SMS, next_attempt_at=now)
    OutboxMessageFactory.create_batch(25, channel=Channel.EMAIL, address="someone@example.org", next_attempt_at=now)

    # The email sender reads the recipient for the unsubscribe link: selected with the messages.
    with django_assert_num_queries(1 + 2 * 50):
        run = deliver_due(now=now, senders={Channel.SMS: RecordingSender(), Channel.EMAIL: EmailSender()})

    assert run == DeliveryRun(claimed=50, sent=50)


# Retries and the dead letter ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (20, 3600), (30000, 3600)]
)
def test_the_wait_after_a_temporary_failure_doubles_from_thirty_seconds_up_to_an_hour(
    attempts: int, seconds: int
) -> None:
    assert backoff(attempts) == datetime.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_after_a_500_the_message_waits_its_backoff_and_the_next_run_delivers_it(
    sms_gateway: FakeSmsGateway,
) -> None:
    now = timezone.now()
    message = OutboxMessageFactory.create(channel=Channel.SMS, next_attempt_at=now)
    sms_gateway.fail_next(1, status=500)

    first = deliver_due(now=now)

    assert first == DeliveryRun(claimed=1, retried=1)
    waiting = current(message)
    assert (waiting.status, waiting.attempts, waiting.lease_until) == (PENDING, 1, None)
    assert waiting.next_attempt_at == now + datetime.timedelta(seconds=30)
    assert waiting.last_error.startswith("HTTP 500")
    assert deliver_due(now=now + datetime.timedelta(seconds=29)) == DeliveryRun()

    second = deliver_due(now=now + datetime.timedelta(seconds=30))

    assert second == DeliveryRun(claimed=1, sent=1)
    sent = current(message)
    assert (sent.status, sent.attempts, sent.last_error) == (SENT, 2, "")
    assert len(sms_gateway.delivered) == 1
    assert sms_gateway.requests == 2


@pytest.mark.django_db
def test_too_many_requests_is_tried_again_later(sms_gateway: FakeSmsGateway) -> None:
    now = timezone.now()
    message = OutboxMessageFactory.create(channel=Channel.SMS, next_attempt_at=now)
    sms_gateway.fail_next(1, status=429)

    assert deliver_due(now=now) == DeliveryRun(claimed=1, retried=1)
    assert current(message).status == PENDING


@pytest.mark.django_db
def test_a_400_leaves_the_message_dead_at_once(sms_gateway: FakeSmsGateway) -> None:
    now = timezone.now()
    message = OutboxMessageFactory.create(channel=Channel.SMS, next_attempt_at=now)
    sms_gateway.fail_next(1, status=400)

    assert deliver_due(now=now) == DeliveryRun(claimed=1, dead=1)
    dead = current(message)
    assert (dead.status, dead.attempts, dead.lease_until) == (DEAD, 1, None)
    assert dead.last_error.startswith("HTTP 400")


@pytest.mark.django_db
def test_the_last_allowed_temporary_failure_leaves_the_message_dead(sms_gateway: FakeSmsGateway, settings: Any) -> None:
    settings.KENES_NOTIFY_MAX_ATTEMPTS = 3
    moment = timezone.now()
    message = OutboxMessageFactory.create(channel=Channel.SMS, next_attempt_at=moment)
    sms_gateway.fail_next(10, status=503)

    runs = []
    for _attempt in range(3):
        runs.append(deliver_due(now=moment))
        moment = current(message).next_attempt_at

    assert runs == [DeliveryRun(claimed=1, retried=1)] * 2 + [DeliveryRun(claimed=1, dead=1)]
    dead = current(message)
    assert (dead.status, dead.attempts) == (DEAD, 3)
    assert dead.last_error.endswith("(attempt 3 of 3)")
    assert deliver_due(now=moment + datetime.timedelta(hours=2)) == DeliveryRun()
    assert sms_gateway.requests == 3


@pytest.mark.django_db
def test_a_timeout_is_temporary_and_the_retry_is_not_a_second_delivery(
    sms_gateway: FakeSmsGateway, settings: Any
) -> None:
    settings.KENES_NOTIFY_TIMEOUT_SECONDS = 1
    sms_gateway.delay = 3  # the gateway takes the message, then answers too late
    now = timezone.now()
    message = OutboxMessageFactory.create(channel=Channel.SMS, next_attempt_at=now)

    assert deliver_due(now=now) == DeliveryRun(claimed=1, retried=1)
    sms_gateway.delay = 0
    assert deliver_due(now=current(message).next_attempt_at) == DeliveryRun(claimed=1, sent=1)

    assert [d.idempotency_key for d in sms_gateway.delivered] == [message.idempotency_key]
    assert current(message).provider_reference == sms_gateway.delivered[0].reference


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("senders", "error"),
    [({}, "No sender for the channel 'sms'"), ({Channel.SMS: RecordingSender(PermanentFailure("Blocked"))}, "Blocked")],
)
def test_a_message_no_sender_can_take_is_dead(senders: dict[str, Any], error: str) -> None:
    now = timezone.now()
    message = OutboxMessageFactory.create(next_attempt_at=now)

    assert deliver_due(now=now, senders=senders) == DeliveryRun(claimed=1, dead=1)
    assert current(message).last_error == error


@pytest.mark.django_db
def test_an_unexpected_error_in_a_sender_is_logged_and_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    now = timezone.now()
    message = OutboxMessageFactory.create(next_attempt_at=now)

    run = deliver_due(now=now, senders={Channel.SMS: RecordingSender(KeyError("id"))})

    assert run == DeliveryRun(claimed=1, retried=1)
    assert current(message).last_error == "Unexpected error: KeyError: 'id'"
    assert "Traceback" in caplog.text


@pytest.mark.django_db
def test_a_very_long_error_is_cut_to_the_column(settings: Any) -> None:
    now = timezone.now()
    message = OutboxMessageFactory.create(next_attempt_at=now)

    deliver_due(now=now, senders={Channel.SMS: RecordingSender(TemporaryFailure("ж" * 2000))})

    assert current(message).last_error == "ж" * 500


# Claims and leases -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_workers_never_hold_the_same_claim() -> None:
    now = timezone.now()
    OutboxMessageFactory.create(next_attempt_at=now)
    [seen_by_first] = due_messages(now=now)
    [seen_by_second] = due_messages(now=now)

    assert claim(seen_by_first, now=now) is True
    assert claim(seen_by_second, now=now) is False
    assert due_messages(now=now) == []
    assert deliver_due(now=now, senders={Channel.SMS: RecordingSender()}) == DeliveryRun()
    assert (seen_by_first.status, seen_by_first.attempts) == (SENDING, 1)
    assert current(seen_by_first).attempts == 1


@pytest.mark.django_db
def test_a_claim_holds_for_its_lease_and_then_another_worker_may_take_over() -> None:
    now = timezone.now()
    message = OutboxMessageFactory.create(next_attempt_at=now)
    assert claim(message, now=now)
    assert current(message).lease_until == now + LEASE

    assert due_messages(now=now + LEASE) == []
    [abandoned] = due_messages(now=now + LEASE + SECOND)
    assert claim(abandoned, now=now + LEASE + SECOND)
    assert current(message).attempts == 2


@pytest.mark.django_db
def test_a_stale_worker_cannot_overwrite_a_newer_claim() -> None:
    now = timezone.now()
    OutboxMessageFactory.create(next_attempt_at=now)
    [stale] = due_messages(now=now)
    assert claim(stale, now=now)
    later = now + LEASE + SECOND
    [fresh] = due_messages(now=later)
    assert claim(fresh, now=later)

    assert mark_sent(stale, reference="from-the-stale-worker", now=later) is False
    assert mark_for_retry(stale, reason="stale", now=later) is False
    assert mark_dead(stale, reason="stale") is False
    assert (current(fresh).status, current(fresh).attempts, current(fresh).last_error) == (SENDING, 2, "")

    assert mark_sent(fresh, reference="from-the-fresh-worker", now=later) is True
    assert current(fresh).provider_reference == "from-the-fresh-worker"


@pytest.mark.django_db
def test_a_message_whose_worker_died_on_its_last_attempt_is_given_up_without_sending(settings: Any) -> None:
    settings.KENES_NOTIFY_MAX_ATTEMPTS = 2
    now = timezone.now()
    message = OutboxMessageFactory.create(status=SENDING, attempts=2, lease_until=now - SECOND, next_attempt_at=now)
    sender = RecordingSender()

    assert deliver_due(now=now, senders={Channel.SMS: sender}) == DeliveryRun(claimed=1, dead=1)
    assert sender.sent == []
    assert "never finished" in current(message).last_error


# The worker ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_worker_run_once_sends_what_is_due(sms_gateway: FakeSmsGateway) -> None:
    OutboxMessageFactory.create_batch(2, channel=Channel.SMS)

    total = run_worker(once=True)

    assert total == DeliveryRun(claimed=2, sent=2)
    assert len(sms_gateway.delivered) == 2


@pytest.mark.django_db
def test_the_worker_waits_when_nothing_is_due_and_stops_after_its_time() -> None:
    started = time.monotonic()

    total = run_worker(interval=0.05, stop_after=0.3)

    assert total == DeliveryRun()
    assert 0.25 <= time.monotonic() - started < 5


@pytest.mark.django_db
def test_the_command_sends_once_and_says_what_it_did(sms_gateway: FakeSmsGateway) -> None:
    OutboxMessageFactory.create(channel=Channel.SMS)
    out = io.StringIO()

    call_command("send_notifications", stdout=out)

    assert out.getvalue().strip() == "Claimed 1: sent 1, to retry later 0, given up 0."


@pytest.mark.parametrize("arguments", [["--interval", "0"], ["--interval", "nan"], ["--limit", "0"]])
def test_the_command_refuses_an_interval_or_a_limit_that_is_not_positive(arguments: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("send_notifications", "--loop", *arguments)


# A real worker process --------------------------------------------------------------------------------------


@contextmanager
def shared_test_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment that opens this test's database in another process (config/settings.py reads
    DATABASE_URL, else SQLITE_PATH). PostgreSQL: the test database itself (the test must commit,
    `transaction=True`). SQLite: pytest-django's test database lives in this process's memory, which
    no other process can open, so the block works on a file copy, copied back when the block ends."""
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(database["USER"] or "", safe="")
        if database["PASSWORD"]:
            credentials += ":" + quote(database["PASSWORD"], safe="")
        host = quote(database["HOST"] or "localhost", safe="")
        port = f":{database['PORT']}" if database["PORT"] else ""
        yield {"DATABASE_URL": f"postgres://{credentials}@{host}{port}/{quote(database['NAME'], safe='')}"}
        return
    assert connection.vendor == "sqlite", f"no way to share a {connection.vendor} test database yet"
    if not cast(Any, connection).is_in_memory_db():
        yield {"SQLITE_PATH": str(database["NAME"])}
        return
    copy = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(copy)) as file_database:
        connection.connection.backup(file_database)
    try:
        yield {"SQLITE_PATH": str(copy)}
    finally:
        with closing(sqlite3.connect(copy)) as file_database:
            file_database.backup(connection.connection)


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, *, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if text in self.output:
                return True
            time.sleep(0.05)
        return text in self.output

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(WORKER_STOP_TIMEOUT)


@contextmanager
def worker_process(tmp_path: Path, database: dict[str, str], **environment: str) -> Iterator[WorkerProcess]:
    """`manage.py send_notifications --loop` in its own process, on the test database; killed at the end."""
    env = {name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update(
        database,
        DJANGO_SETTINGS_MODULE="config.settings",
        KENES_VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
        **environment,
    )
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "send_notifications", "--loop", "--interval", "0.1"],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(process=process, log=log)
    try:
        yield worker
    finally:
        worker.end()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_between_sending_and_marking_does_not_send_the_sms_twice(tmp_path: Path, settings: Any) -> None:
    message = OutboxMessageFactory.create(channel=Channel.SMS, next_attempt_at=timezone.now() - SECOND)
    # The gateway takes the message, then holds its answer: the worker is killed while it waits.
    with fake_sms_gateway(settings, delay=WORKER_START_TIMEOUT) as gateway:
        with (
            shared_test_database(tmp_path) as database,
            worker_process(
                tmp_path,
                database,
                KENES_SMS_URL=gateway.url,
                KENES_SMS_TOKEN=gateway.token,
                KENES_NOTIFY_TIMEOUT_SECONDS=str(int(WORKER_START_TIMEOUT) * 2),
            ) as worker,
        ):
            delivered = gateway.wait_for_deliveries(1, timeout=WORKER_START_TIMEOUT)
            assert delivered, f"the worker did not reach the gateway:\n{worker.output}"
            os.kill(worker.process.pid, signal.SIGKILL)
            assert worker.process.wait(WORKER_STOP_TIMEOUT) == -signal.SIGKILL

        killed = current(message)
        assert (killed.status, killed.attempts, killed.sent_at) == (SENDING, 1, None)

        gateway.delay = 0
        run = deliver_due(now=timezone.now() + LEASE + SECOND)

    assert run == DeliveryRun(claimed=1, sent=1)
    sent = current(message)
    assert (sent.status, sent.attempts, sent.provider_reference) == (SENT, 2, "sms-1")
    assert [d.idempotency_key for d in gateway.delivered] == [message.idempotency_key]
    assert gateway.requests == 2


@pytest.mark.django_db(transaction=True)
def test_the_looping_worker_sends_what_is_due_and_stops_cleanly_on_sigterm(tmp_path: Path, settings: Any) -> None:
    message = OutboxMessageFactory.create(channel=Channel.SMS, next_attempt_at=timezone.now() - SECOND)
    with (
        fake_sms_gateway(settings) as gateway,
        shared_test_database(tmp_path) as database,
        worker_process(tmp_path, database, KENES_SMS_URL=gateway.url, KENES_SMS_TOKEN=gateway.token) as worker,
    ):
        assert gateway.wait_for_deliveries(1, timeout=WORKER_START_TIMEOUT), worker.output
        worker.process.send_signal(signal.SIGTERM)
        assert worker.process.wait(WORKER_STOP_TIMEOUT) == 0, worker.output

    assert "Stopped." in worker.output
    assert current(message).status == SENT
