"""Sending the outbox (decision 0009): claim a due message, send it outside any transaction, mark it.

**Claiming.** A message is due when it waits (`pending`) and its time has come, or when a worker
claimed it (`sending`) and its lease ran out: that worker died mid-send. One conditional UPDATE
claims it (`sending`, a lease of `LEASE`, one more attempt), and only an UPDATE that changed one row
makes the message this worker's: on SQLite and on PostgreSQL two workers never hold the same claim.
Each mark afterwards is again conditional on (the message, `sending`, the claimed attempt), so a
worker whose lease ran out and whose message was claimed again cannot overwrite the newer claim.

**Exactly once, and where it is only nearly so.** Sending is at least once: a worker can die after
the provider took the message and before the mark, or the provider's answer can be lost (a timeout,
a broken connection) after it took the message; either way the message is sent again, after its
lease or its retry wait. What makes that once is the idempotency key, the same for every attempt at
one message:

- SMS: the gateway gets the key in an `Idempotency-Key` header; a gateway that honours it (ours must,
  and the test gateway does) answers a repeat with the first message's id and sends nothing. This is
  exactly once only as far as the gateway keeps that promise.
- Email: the Message-ID is made from the key, so mail software can tell a repeat is the same message
  (some show it once), but SMTP has no way to refuse it: a person may receive it twice.
- Telegram: the Bot API has no idempotency key (the header goes along and Telegram ignores it). A
  worker killed exactly between Telegram accepting the message and the mark, or an answer lost after
  Telegram accepted it, repeats that one Telegram message. The crash window is one HTTP answer and
  one UPDATE long, and the lease (60 s, against a send timeout of 10 s by default) keeps any other
  worker off a message while its worker is still sending it, so a repeat is rare; nothing here makes
  it impossible.

**Retries.** A temporary failure puts the message back with a wait of 30 s, doubling with every
attempt, at most an hour (`backoff`); a permanent failure, or a temporary one on the last allowed
attempt (`KENES_NOTIFY_MAX_ATTEMPTS`), leaves it dead with the reason, for the staff page.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from kenes.notifications import channels
from kenes.notifications.channels import PermanentFailure, Sender, TemporaryFailure
from kenes.notifications.models import OutboxMessage

logger = logging.getLogger("kenes.notifications")

LEASE = datetime.timedelta(seconds=60)  # how long a claim holds before another worker may take over
FIRST_WAIT = datetime.timedelta(seconds=30)
LONGEST_WAIT = datetime.timedelta(hours=1)
ERROR_LENGTH = OutboxMessage._meta.get_field("last_error").max_length or 500
REFERENCE_LENGTH = OutboxMessage._meta.get_field("provider_reference").max_length or 100

PENDING = OutboxMessage.Status.PENDING
SENDING = OutboxMessage.Status.SENDING


@dataclass
class DeliveryRun:
    """What one run did: messages claimed, and of those sent, put back for a retry, or given up."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0

    def __add__(self, other: DeliveryRun) -> DeliveryRun:
        return DeliveryRun(
            claimed=self.claimed + other.claimed,
            sent=self.sent + other.sent,
            retried=self.retried + other.retried,
            dead=self.dead + other.dead,
        )


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th attempt failed for now: 30 s, 1 min, 2 min, … at most 1 h."""
    exponent = min(max(attempts, 1) - 1, 12)  # 30 s × 2^12 is far past the cap already
    return min(FIRST_WAIT * 2**exponent, LONGEST_WAIT)


def _due(now: datetime.datetime) -> Q:
    waiting = Q(status=PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=SENDING, lease_until__lt=now)  # its worker died mid-send
    return waiting | abandoned


def due_messages(*, limit: int = 100, now: datetime.datetime | None = None) -> list[OutboxMessage]:
    """Up to `limit` messages a worker may claim now, the longest waiting first (not claimed yet)."""
    moment = now or timezone.now()
    found = OutboxMessage.objects.filter(_due(moment)).select_related("user").order_by("next_attempt_at", "pk")
    return list(found[:limit])


def claim(message: OutboxMessage, *, now: datetime.datetime | None = None) -> bool:
    """Claims a message seen by `due_messages` with one conditional UPDATE; True when it is now this
    worker's (the object then holds the claim: `sending`, the lease, the new attempt count)."""
    moment = now or timezone.now()
    seen = message.attempts
    lease_until = moment + LEASE
    changed = OutboxMessage.objects.filter(_due(moment), pk=message.pk, attempts=seen).update(
        status=SENDING, lease_until=lease_until, attempts=seen + 1
    )
    if changed != 1:
        return False
    message.status, message.lease_until, message.attempts = SENDING, lease_until, seen + 1
    return True


def _held(message: OutboxMessage) -> QuerySet[OutboxMessage]:
    """The message, as long as the claim this object holds is still the current one."""
    return OutboxMessage.objects.filter(pk=message.pk, status=SENDING, attempts=message.attempts)


def mark_sent(message: OutboxMessage, *, reference: str, now: datetime.datetime | None = None) -> bool:
    """False when the claim was lost meanwhile (the newer claim's worker marks it)."""
    return (
        _held(message).update(
            status=OutboxMessage.Status.SENT,
            sent_at=now or timezone.now(),
            provider_reference=reference[:REFERENCE_LENGTH],
            lease_until=None,
            last_error="",
        )
        == 1
    )


def mark_for_retry(message: OutboxMessage, *, reason: str, now: datetime.datetime | None = None) -> bool:
    return (
        _held(message).update(
            status=PENDING,
            next_attempt_at=(now or timezone.now()) + backoff(message.attempts),
            lease_until=None,
            last_error=reason[:ERROR_LENGTH],
        )
        == 1
    )


def mark_dead(message: OutboxMessage, *, reason: str) -> bool:
    return (
        _held(message).update(status=OutboxMessage.Status.DEAD, lease_until=None, last_error=reason[:ERROR_LENGTH]) == 1
    )


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _deliver_claimed(
    message: OutboxMessage, *, sender: Sender | None, clock: Callable[[], datetime.datetime], worker: str
) -> str:
    """Sends one claimed message and marks it; returns "sent", "retried", "dead" or "lost"."""
    most = settings.KENES_NOTIFY_MAX_ATTEMPTS
    if message.attempts > most:
        # Every reported failure is counted against the limit when it happens, so only a message whose
        # worker died during its last allowed attempt comes back here.
        reason = f"Gave up after {most} attempts; the last one never finished (its worker stopped)."
        return "dead" if mark_dead(message, reason=reason) else "lost"
    try:
        if sender is None:
            raise PermanentFailure(f"No sender for the channel {message.channel!r}")
        reference = sender.send(message)
    except PermanentFailure as failure:
        logger.warning("%s: message %s failed for good: %s", worker, message.pk, failure.reason)
        return "dead" if mark_dead(message, reason=failure.reason) else "lost"
    except Exception as error:
        if isinstance(error, TemporaryFailure):
            reason = error.reason
        else:
            # A fault of ours, not the provider's: try again later rather than stop the whole run.
            logger.exception("%s: sending message %s raised", worker, message.pk)
            reason = f"Unexpected error: {type(error).__name__}: {error}"
        if message.attempts >= most:
            logger.warning("%s: message %s gave up after %s attempts: %s", worker, message.pk, most, reason)
            return "dead" if mark_dead(message, reason=f"{reason} (attempt {message.attempts} of {most})") else "lost"
        logger.info("%s: message %s will be tried again: %s", worker, message.pk, reason)
        return "retried" if mark_for_retry(message, reason=reason, now=clock()) else "lost"
    return "sent" if mark_sent(message, reference=reference, now=clock()) else "lost"


def deliver_due(
    *,
    limit: int = 100,
    now: datetime.datetime | None = None,
    senders: Mapping[str, Sender] | None = None,
    worker: str | None = None,
    stop: threading.Event | None = None,
) -> DeliveryRun:
    """Claims, sends and marks up to `limit` due messages, one at a time: each claim's lease starts
    when its message is about to go, not when the run began. `now` fixes the clock (tests); `senders`
    replaces the channels from settings; `worker` names this worker in the log; `stop` ends the run
    before the next claim. Call it outside a transaction, so every claim and mark commits at once."""
    run = DeliveryRun()
    by_channel = channels.senders() if senders is None else senders
    name = worker or default_worker_name()

    def clock() -> datetime.datetime:
        return now if now is not None else timezone.now()

    for message in due_messages(limit=limit, now=clock()):
        if stop is not None and stop.is_set():
            break
        if not claim(message, now=clock()):
            continue  # another worker was quicker
        run.claimed += 1
        outcome = _deliver_claimed(message, sender=by_channel.get(message.channel), clock=clock, worker=name)
        if outcome == "lost":
            logger.warning("%s: message %s was claimed again before it could be marked", name, message.pk)
        else:
            setattr(run, outcome, getattr(run, outcome) + 1)
    return run


def _refresh_connections() -> None:
    # What Django does around each request, for a process that never serves one: drop connections
    # that broke or outlived CONN_MAX_AGE. Not inside a transaction (a test's), where it would close it.
    if not connection.in_atomic_block:
        close_old_connections()


def run_worker(
    *,
    once: bool = False,
    interval: float = 2.0,
    stop_after: float | None = None,
    limit: int = 100,
    stop: threading.Event | None = None,
) -> DeliveryRun:
    """Delivers until `stop` is set (or once, or for `stop_after` seconds), waiting `interval`
    seconds whenever nothing was due; returns the totals. A database error is logged and waited out."""
    stop = stop or threading.Event()
    deadline = None if stop_after is None else time.monotonic() + stop_after
    worker = default_worker_name()
    total = DeliveryRun()
    while not stop.is_set():
        _refresh_connections()
        try:
            run = deliver_due(limit=limit, worker=worker, stop=stop)
        except DatabaseError:
            if once:
                raise
            logger.exception("%s: the outbox could not be read; trying again in %s s", worker, interval)
            run = DeliveryRun()
        total += run
        if run.claimed:
            logger.info("%s: sent %s, retry later %s, gave up %s", worker, run.sent, run.retried, run.dead)
        if once:
            break
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            break
        if not run.claimed:
            stop.wait(interval if remaining is None else min(interval, remaining))
    return total
