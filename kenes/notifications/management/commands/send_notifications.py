"""`manage.py send_notifications [--loop] [--interval 2] [--limit 100]`: sends the outbox's due
messages once (for cron), or with --loop keeps watching it until SIGTERM or Ctrl+C (a plain polling
worker, where django-tasks' db_worker is more than needed). Stopping finishes the message in hand;
a worker killed outright loses nothing (see `kenes.notifications.delivery`)."""

from __future__ import annotations

import argparse
import math
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kenes.notifications.delivery import DeliveryRun, deliver_due, run_worker


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"must be more than 0: {value!r}")
    return seconds


def _count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return count


class Command(BaseCommand):
    help = "Sends the notifications that are due (email, SMS, Telegram), once or in a loop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sending until SIGTERM or Ctrl+C.")
        parser.add_argument(
            "--interval", type=_seconds, default=2.0, help="Seconds to wait when nothing is due (default 2)."
        )
        parser.add_argument(
            "--limit", type=_count, default=100, help="Messages to claim per run at most (default 100)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self._report(deliver_due(limit=options["limit"]))
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {number: signal.signal(number, request_stop) for number in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.stdout.write(
                f"Sending notifications; checking every {options['interval']} s. Stop with SIGTERM or Ctrl+C."
            )
            self.stdout.flush()
            total = run_worker(interval=options["interval"], limit=options["limit"], stop=stop)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        self.stdout.write("Stopped.")
        self._report(total)

    def _report(self, run: DeliveryRun) -> None:
        self.stdout.write(f"Claimed {run.claimed}: sent {run.sent}, to retry later {run.retried}, given up {run.dead}.")
