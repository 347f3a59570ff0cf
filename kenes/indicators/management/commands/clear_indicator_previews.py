"""python manage.py clear_indicator_previews [--days 2]: delete files kept for previews never loaded."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

from kenes.indicators.uploads import KEEP_PREVIEWS, discard_stale_previews


class Command(BaseCommand):
    help = "Delete the uploaded files kept for indicator previews nobody loaded (older than --days). Run daily."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=KEEP_PREVIEWS.days, help="keep previews this many days")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = discard_stale_previews(older_than=datetime.timedelta(days=max(0, options["days"])))
        message = ngettext("Deleted %(count)d kept preview file.", "Deleted %(count)d kept preview files.", deleted)
        self.stdout.write(message % {"count": deleted})
