"""python manage.py backup [--output PATH]: the whole database to one file, with a manifest of counts."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.core.backup import BackupError, backup, manifest_path


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format on PostgreSQL, the online backup API on SQLite) with a "
        "manifest of every table's row count beside it; `restore` checks the counts after restoring."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default="", help="file to write (default var/backups/kenes-<UTC time>.dump)")

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(options["output"] or Path(settings.VAR_DIR) / "backups" / f"kenes-{stamp}.dump")
        try:
            manifest = backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest.counts.values())
        self.stdout.write(f"{path} ({path.stat().st_size:,} bytes), manifest {manifest_path(path).name}")
        self.stdout.write(self.style.SUCCESS(f"Backed up {len(manifest.counts)} tables, {rows:,} rows."))
