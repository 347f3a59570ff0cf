"""`manage.py check_deadlines [--date YYYY-MM-DD] [--enqueue]`: the daily deadline check, for cron
(once a day, after midnight). Runs it now, or with --enqueue leaves it to `manage.py db_worker`."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.accountability.tasks import check_deadlines_task


def _date(value: str) -> str:
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Marks recommendations past their due date as overdue and escalates them to the district."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Check as of this day (YYYY-MM-DD); default: today.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the check for the task worker instead of running it now."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = _date(options["date"]) if options["date"] else None
        if options["enqueue"]:
            result = check_deadlines_task.enqueue(today=day)
            self.stdout.write(f"Queued the deadline check (task {result.id}).")
            return
        counts = check_deadlines_task.call(today=day)
        self.stdout.write(f"Marked {counts['marked']} overdue, escalated {counts['escalated']}.")
