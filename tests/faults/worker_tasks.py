"""What `test_worker_kill.py` runs inside `manage.py` processes against its scratch database: a test-only
task with an effect keyed in the database, and the functions that fill the queue and inspect it.

`record_effect(key)` logs every attempt (`fault_task_attempt`, one row per start, never deduplicated)
and then writes its effect once (`fault_task_effect`, primary key `key`, `ON CONFLICT DO NOTHING`):
the same rule as Kenes' own tasks (decision 0010), so a re-run shows in the attempts and never in
the effects. PostgreSQL only (the fault test runs on a scratch PostgreSQL database).
"""

from __future__ import annotations

import datetime
import json
import os
import time

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from kenes.accounts.models import User
from kenes.notifications.models import Channel, EventType, OutboxMessage
from kenes.notifications.tasks import deliver_notifications_task

TABLES = """
CREATE TABLE IF NOT EXISTS fault_task_attempt (
    id bigserial PRIMARY KEY, key text NOT NULL, pid integer NOT NULL, at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS fault_task_effect (key text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
"""


@task()
def record_effect(key: str, pause: float) -> str:
    """One unit of batch work: takes `pause` seconds, then writes its effect, once however often it runs."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO fault_task_attempt (key, pid) VALUES (%s, %s)", [key, os.getpid()])
    time.sleep(pause)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO fault_task_effect (key) VALUES (%s) ON CONFLICT (key) DO NOTHING", [key])
    return key


def message_key(index: int) -> str:
    return f"worker-kill-message-{index:04d}"


def effect_key(index: int) -> str:
    return f"effect-{index:04d}"


def enqueue_batch(*, effects_before: int, effects_after: int, messages: int, pause: float) -> None:
    """The batch, in queue order: `effects_before` record_effect tasks; then `messages` SMS in the
    outbox, committed, and the delivery task enqueued as the commit that wrote them does; then
    `effects_after` more. Prints the task ids as JSON."""
    with connection.cursor() as cursor:
        cursor.execute(TABLES)
    ids: dict[str, list[str]] = {"effects": [], "delivery": []}
    for index in range(effects_before):
        ids["effects"].append(record_effect.enqueue(key=effect_key(index), pause=pause).id)
    user = User.objects.create(username="worker-kill-recipient", full_name="Worker kill (test)")
    start = timezone.now() - datetime.timedelta(seconds=messages)
    with transaction.atomic():
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                user=user,
                event_type=EventType.PROPOSAL_STATUS,
                channel=Channel.SMS,
                address=f"+7701{index:07d}",
                language="kk",
                subject="Ұсынысыңыз қаралды",
                body=f"Ұсынысыңыз қаралды ({index})",
                idempotency_key=message_key(index),
                next_attempt_at=start + datetime.timedelta(seconds=index),  # sent in index order
            )
            for index in range(messages)
        )
    ids["delivery"].append(deliver_notifications_task.enqueue().id)
    for index in range(effects_before, effects_before + effects_after):
        ids["effects"].append(record_effect.enqueue(key=effect_key(index), pause=pause).id)
    print(json.dumps(ids))  # read by the test


def let_the_lease_pass(*, key: str) -> None:
    """Moves one message's claim lease into the past (as if its 60 s had gone by) and enqueues the
    delivery task, as the next commit that writes a message would."""
    OutboxMessage.objects.filter(idempotency_key=key).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    deliver_notifications_task.enqueue()
