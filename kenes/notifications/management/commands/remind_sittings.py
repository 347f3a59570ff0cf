"""python manage.py remind_sittings: tell people of the sittings starting within 24 hours (run hourly;
each sitting is announced once, however often this runs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kenes.meetings.services import remind_upcoming_sittings
from kenes.notifications.models import NotificationEvent


class Command(BaseCommand):
    help = "Announce the sittings that start within 24 hours to members and residents (once per sitting)."

    def handle(self, *args: Any, **options: Any) -> None:
        before = NotificationEvent.objects.filter(kind="sitting.soon").count()
        remind_upcoming_sittings()
        told = NotificationEvent.objects.filter(kind="sitting.soon").count() - before
        self.stdout.write(f"Sittings announced as starting soon: {told}.")
