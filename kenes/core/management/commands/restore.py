"""python manage.py restore PATH [--yes]: replace the database with a backup and check its counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.core.backup import (
    BackupError,
    check_backup,
    format_counts,
    restore,
    tables_with_rows,
    unapplied_migrations,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup`, replacing everything the database holds, then check that every "
        "table has the row count the backup's manifest recorded. Refuses a database with rows unless --yes. "
        "Stop the web server and the task worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the backup file; its manifest <path>.json must be beside it")
        parser.add_argument("--yes", action="store_true", help="replace a database that holds data")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            manifest = check_backup(path=path)
            occupied = tables_with_rows()
            if occupied and not options["yes"]:
                raise CommandError(
                    f"This database holds data ({len(occupied)} tables with rows, e.g. {', '.join(occupied[:3])}); "
                    "restoring replaces all of it. Run again with --yes."
                )
            restore(path=path, manifest=manifest)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("\n".join(format_counts(manifest.counts)))
        rows = sum(manifest.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path} (made {manifest.created_at}): {len(manifest.counts)} tables, {rows:,} rows, "
                "every count as the manifest recorded."
            )
        )
        pending = unapplied_migrations()
        if pending:
            self.stdout.write(
                self.style.WARNING(f"The code has {pending} migration(s) this backup lacks: run manage.py migrate.")
            )
