"""`manage.py expire_offers [--date YYYY-MM-DD] [--enqueue]`: closes offers past their last day, for
cron (once a day, after midnight). Runs it now, or with --enqueue leaves it to `manage.py db_worker`."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.relocation.tasks import expire_offers_task


def _date(value: str) -> str:
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Closes published relocation offers whose last day has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Expire as of this day (YYYY-MM-DD); default: today.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the run for the task worker instead of running it now."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = _date(options["date"]) if options["date"] else None
        if options["enqueue"]:
            result = expire_offers_task.enqueue(today=day)
            self.stdout.write(f"Queued the expiry of offers (task {result.id}).")
            return
        closed = expire_offers_task.call(today=day)
        self.stdout.write(f"Closed {closed} expired offers.")
