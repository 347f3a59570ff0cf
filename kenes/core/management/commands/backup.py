"""python manage.py backup [--output PATH]: the whole database to one file, with a manifest of its counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.core.backup import BackupError, backup, default_backup_path, format_counts, manifest_path


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format on PostgreSQL, the online backup API on SQLite) with a "
        "manifest beside it: every table's row count, the applied migrations, the file's SHA-256. "
        "`restore` checks all of them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default="", help="file to write (default var/backups/kenes-<UTC time>.dump or .sqlite3)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["output"]) if options["output"] else default_backup_path()
        try:
            manifest = backup(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup: {path}")
        self.stdout.write(f"Size: {manifest.size:,} bytes")
        self.stdout.write(f"Manifest: {manifest_path(path)}")
        self.stdout.write("\n".join(format_counts(manifest.counts)))
        rows = sum(manifest.counts.values())
        self.stdout.write(self.style.SUCCESS(f"Backed up {len(manifest.counts)} tables, {rows:,} rows."))
