"""Background work of the notifications app (django-tasks, database backend; `manage.py db_worker`
runs it, or `manage.py send_notifications --loop`): sending what the outbox holds.

Each commit that writes messages enqueues the task; after a run, the task enqueues itself again for
the earliest message still waiting (a retry's time, the end of someone's quiet hours), so a worker
that only runs tasks also sends retries. Two runs at once are harmless: each message is claimed once.
"""

from __future__ import annotations

from django.db.models import Min
from django_tasks import task

from kenes.notifications import delivery
from kenes.notifications.models import OutboxMessage


@task()
def deliver_notifications_task() -> dict[str, int]:
    """Sends the messages that are due; returns the counts of this run."""
    run = delivery.deliver_due()
    following = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).aggregate(at=Min("next_attempt_at"))[
        "at"
    ]
    if following is not None:
        deliver_notifications_task.using(run_after=following).enqueue()
    return {"sent": run.sent, "retried": run.retried, "dead": run.dead}
