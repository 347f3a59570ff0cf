"""Background work of the notifications app (django-tasks, database backend; `manage.py db_worker`
runs it, or `manage.py send_notifications --loop`): sending what the outbox holds.

Each commit that writes messages enqueues the task; after a run, the task enqueues itself again for
the earliest message still waiting (a retry's time, the end of someone's quiet hours) or the end of
the lease of one whose sender died mid-send, so a worker that only runs tasks also sends retries.
Two runs at once are harmless: each message is claimed once.
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
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).aggregate(at=Min("next_attempt_at"))
    # A message whose sender died mid-send is claimed again when its lease ends: wake up for it too.
    orphaned = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENDING).aggregate(at=Min("lease_until"))
    following = min((at for at in (waiting["at"], orphaned["at"]) if at is not None), default=None)
    if following is not None:
        deliver_notifications_task.using(run_after=following).enqueue()
    return {"sent": run.sent, "retried": run.retried, "dead": run.dead}
