"""Putting back tasks whose worker died (decision 0010): a task RUNNING past the lease goes back to
the queue, where the library's own worker query finds it; a fresh one, a finished one and a waiting
one are left alone; a second run changes nothing; a task that took down `MOST_CLAIMS` workers fails."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kenes.core.tasks_recovery import MOST_CLAIMS, WorkerLost, recover_stale_tasks

pytestmark = pytest.mark.django_db

READY = TaskResultStatus.READY
RUNNING = TaskResultStatus.RUNNING
SUCCESSFUL = TaskResultStatus.SUCCESSFUL
FAILED = TaskResultStatus.FAILED
NOW = datetime.datetime(2026, 12, 6, 9, 0, tzinfo=datetime.UTC)
LEASE = datetime.timedelta(seconds=600)


def a_task(status: str, *, started: datetime.timedelta | None = None, **fields: Any) -> DBTaskResult:
    """A task row as the library leaves it; `started` is how long before NOW its worker claimed it."""
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kenes.notifications.tasks.deliver_notifications_task",
        backend_name="default",
        started_at=None if started is None else NOW - started,
        worker_ids=fields.pop("worker_ids", ["worker-that-died"] if started is not None else []),
        **fields,
    )


def current(row: DBTaskResult) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=row.pk)


def test_a_task_running_longer_than_the_lease_goes_back_to_the_queue(settings: Any) -> None:
    settings.KENES_TASK_LEASE_SECONDS = 600
    orphan = a_task(RUNNING, started=LEASE + datetime.timedelta(seconds=1))

    recovery = recover_stale_tasks(now=NOW)

    assert recovery.requeued == [str(orphan.pk)]
    assert recovery.failed == []
    back = current(orphan)
    assert back.status == READY
    assert back.worker_ids == ["worker-that-died"]  # the history stays; the next claim appends to it
    # The library's worker picks it with its own query, ahead of tasks enqueued after it.
    later = a_task(READY)
    assert DBTaskResult.objects.ready().get_locked() == back
    assert set(DBTaskResult.objects.ready()) == {back, later}


def test_a_task_running_within_the_lease_is_left_alone(settings: Any) -> None:
    settings.KENES_TASK_LEASE_SECONDS = 600
    busy = a_task(RUNNING, started=LEASE - datetime.timedelta(seconds=1))

    recovery = recover_stale_tasks(now=NOW)

    assert recovery.requeued == recovery.failed == []
    assert current(busy).status == RUNNING


def test_the_lease_is_the_setting(settings: Any) -> None:
    settings.KENES_TASK_LEASE_SECONDS = 30
    orphan = a_task(RUNNING, started=datetime.timedelta(seconds=31))
    busy = a_task(RUNNING, started=datetime.timedelta(seconds=29))

    recover_stale_tasks(now=NOW)

    assert (current(orphan).status, current(busy).status) == (READY, RUNNING)


def test_older_than_zero_puts_back_every_running_task() -> None:
    just_claimed = a_task(RUNNING, started=datetime.timedelta(0))

    recovery = recover_stale_tasks(older_than=datetime.timedelta(0), now=NOW)

    assert recovery.requeued == [str(just_claimed.pk)]
    assert current(just_claimed).status == READY


def test_finished_and_waiting_tasks_are_untouched() -> None:
    long_ago = LEASE * 10
    done = a_task(SUCCESSFUL, started=long_ago, finished_at=NOW - LEASE, return_value={"sent": 3})
    broken = a_task(FAILED, started=long_ago, finished_at=NOW - LEASE, exception_class_path="builtins.ValueError")
    waiting = a_task(READY)
    rows = DBTaskResult.objects.filter(pk__in=[done.pk, broken.pk, waiting.pk]).order_by("pk")
    before = list(rows.values())

    recovery = recover_stale_tasks(older_than=datetime.timedelta(0), now=NOW)

    assert recovery.requeued == recovery.failed == []
    assert list(rows.values()) == before


def test_running_it_twice_puts_back_nothing_more(settings: Any) -> None:
    settings.KENES_TASK_LEASE_SECONDS = 600
    orphans = [a_task(RUNNING, started=LEASE * 2) for _ in range(3)]

    first = recover_stale_tasks(now=NOW)
    second = recover_stale_tasks(now=NOW)

    assert sorted(first.requeued) == sorted(str(row.pk) for row in orphans)
    assert second.requeued == second.failed == []
    assert {current(row).status for row in orphans} == {READY}


def test_a_task_claimed_again_after_it_was_put_back_is_not_put_back_again(settings: Any) -> None:
    settings.KENES_TASK_LEASE_SECONDS = 600
    orphan = a_task(RUNNING, started=LEASE * 2)
    recover_stale_tasks(now=NOW)
    claimed = current(orphan)
    claimed.claim("second-worker")  # the library's claim: RUNNING again, a fresh started_at

    recovery = recover_stale_tasks(now=timezone.now())

    assert recovery.requeued == []
    again = current(orphan)
    assert again.status == RUNNING
    assert again.worker_ids == ["worker-that-died", "second-worker"]


def test_a_task_that_took_down_every_worker_that_ran_it_is_failed_not_put_back() -> None:
    workers = [f"worker-{n}" for n in range(MOST_CLAIMS)]
    poison = a_task(RUNNING, started=LEASE * 2, worker_ids=workers)
    survivor = a_task(RUNNING, started=LEASE * 2, worker_ids=workers[:-1])

    recovery = recover_stale_tasks(now=NOW)

    assert recovery.failed == [str(poison.pk)]
    assert recovery.requeued == [str(survivor.pk)]
    failed = current(poison)
    assert (failed.status, failed.finished_at) == (FAILED, NOW)
    assert failed.exception_class_path == "kenes.core.tasks_recovery.WorkerLost"
    assert f"{MOST_CLAIMS} workers stopped" in failed.traceback
    assert failed.task_result.errors[0].exception_class is WorkerLost


def test_the_command_reports_what_it_put_back(capsys: pytest.CaptureFixture[str]) -> None:
    orphan = DBTaskResult.objects.create(
        status=RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kenes.notifications.tasks.deliver_notifications_task",
        backend_name="default",
        started_at=timezone.now() - datetime.timedelta(seconds=5),
        worker_ids=["worker-that-died"],
    )

    call_command("recover_tasks")  # the default lease: five seconds is no sign of a dead worker
    call_command("recover_tasks", "--older-than", "2")

    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Put 0 orphaned task(s) back in the queue, gave up 0.",
        "Put 1 orphaned task(s) back in the queue, gave up 0.",
    ]
    assert current(orphan).status == READY


@pytest.mark.parametrize("value", ["-1", "soon", "nan"])
def test_the_command_refuses_a_negative_or_unreadable_age(value: str) -> None:
    with pytest.raises(CommandError):
        call_command("recover_tasks", "--older-than", value)
