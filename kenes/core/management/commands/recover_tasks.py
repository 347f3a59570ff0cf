"""`manage.py recover_tasks [--older-than SECONDS]`: puts the tasks whose worker died back in the queue
(decision 0010). Run it before starting `manage.py db_worker` and from cron every few minutes; a task
is taken for orphaned once it has been RUNNING longer than KENES_TASK_LEASE_SECONDS."""

from __future__ import annotations

import argparse
import datetime
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kenes.core.tasks_recovery import recover_stale_tasks


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not (math.isfinite(seconds) and seconds >= 0):
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value!r}")
    return seconds


class Command(BaseCommand):
    help = "Puts tasks whose worker died (running longer than the lease) back in the task queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=_seconds,
            default=None,
            help="Seconds a task must have been running to count as orphaned (default: KENES_TASK_LEASE_SECONDS; "
            "0 when no worker is running, e.g. just before starting the only one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["older_than"]
        older_than = None if seconds is None else datetime.timedelta(seconds=seconds)
        recovery = recover_stale_tasks(older_than=older_than)
        self.stdout.write(
            f"Put {len(recovery.requeued)} orphaned task(s) back in the queue, gave up {len(recovery.failed)}."
        )
