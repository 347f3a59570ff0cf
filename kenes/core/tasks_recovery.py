"""Putting back the tasks whose worker died (decision 0010).

django-tasks-db claims a task by marking its row RUNNING (`started_at`, the worker's id appended to
`worker_ids`) in a short transaction, runs it outside any lock, and marks it SUCCESSFUL or FAILED at
the end. A worker killed in between (SIGKILL, out of memory, a lost machine) leaves the row RUNNING,
and no worker ever takes a RUNNING row again: the library has no heartbeat and no lease. So Kenes
keeps one: a task RUNNING for longer than `KENES_TASK_LEASE_SECONDS` (set well above the longest
task) is taken for orphaned and put back in the queue (READY), where it keeps its place (priority,
`run_after`, `enqueued_at`) and its history of workers.

It then runs again, and perhaps twice if its worker was only slow, not dead: that is safe because
every Kenes task is idempotent, its effects keyed in the database (decision 0010 lists them).

A task whose workers died `MOST_CLAIMS` times is failed instead of put back, with `WorkerLost` as
its error: a task that kills its worker each time (memory, a crash in C code) must not take down
every worker that picks it up, forever.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("kenes.core.tasks")

MOST_CLAIMS = 3  # workers that may die running one task before it is given up


class WorkerLost(Exception):
    """The error a given-up task is failed with (its class path is stored on the task's row)."""


@dataclass
class Recovery:
    """The ids of the tasks put back in the queue and of those given up."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.KENES_TASK_LEASE_SECONDS)


def recover_stale_tasks(
    *, older_than: datetime.timedelta | None = None, now: datetime.datetime | None = None
) -> Recovery:
    """Puts back every task RUNNING since `older_than` ago or longer (default: the lease); fails the
    ones already claimed `MOST_CLAIMS` times. Each row changes with one UPDATE that is conditional on
    the row still being the same claim (RUNNING, the same `started_at`), so two recoveries at once,
    or a worker claiming the row again in between, never put one claim back twice."""
    moment = now or timezone.now()
    cutoff = moment - (lease() if older_than is None else older_than)
    stale = (
        DBTaskResult.objects.running()
        .filter(started_at__lte=cutoff)
        .order_by("started_at")
        .values_list("pk", "started_at", "worker_ids", "task_path")
    )
    recovery = Recovery()
    for pk, started_at, worker_ids, task_path in stale:
        same_claim = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at)
        workers = ", ".join(worker_ids) or "?"
        if len(worker_ids) >= MOST_CLAIMS:
            reason = f"Gave up: {len(worker_ids)} workers stopped while running it ({workers})."
            changed = same_claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=moment,
                return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: {reason}\n",
            )
            if changed:
                logger.error("Task %s (%s) failed: %s", pk, task_path, reason)
                recovery.failed.append(str(pk))
            continue
        if same_claim.update(status=TaskResultStatus.READY):
            logger.warning(
                "Task %s (%s) was running since %s on %s, past its lease: back in the queue.",
                pk,
                task_path,
                started_at.isoformat() if started_at else "?",
                workers,
            )
            recovery.requeued.append(str(pk))
    return recovery
