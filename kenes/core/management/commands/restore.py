"""python manage.py restore PATH [--yes]: replace the database with a backup and check its counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.core.backup import BackupError, has_rows, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup`, replacing what the database holds, then check that every table "
        "has the row count the backup's manifest recorded. Refuses a database with rows unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="replace a database that holds data")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not options["yes"] and has_rows():
            raise CommandError("This database holds data: restoring replaces all of it. Run again with --yes.")
        try:
            manifest = restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest.counts.values())
        self.stdout.write(
            self.style.SUCCESS(f"Restored {path}: {len(manifest.counts)} tables, {rows:,} rows, counts as recorded.")
        )
