"""What `import_indicators` and `import_perspective_villages` share: read the file, run the import
(or a dry run), print the counts, or the row errors and exit 1. (A leading underscore: not a command.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kenes.indicators.importer import stored_errors
from kenes.indicators.models import ImportBatch


class FileImportCommand(BaseCommand):
    source_help = ""
    dry_run_help = ""

    def run_import(self) -> Callable[..., ImportBatch]:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV or XLSX file")
        parser.add_argument("--source", default="", help=self.source_help)
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("The file %(path)s cannot be read.") % {"path": str(path)}, returncode=1) from error
        batch = self.run_import()(
            actor=None, file=data, file_name=path.name, source=options["source"], apply=not options["dry_run"]
        )
        if batch.status == ImportBatch.Status.REFUSED:
            self._refused(batch)
        counts = {"rows": batch.rows, "created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged}
        if batch.status == ImportBatch.Status.PREVIEWED:
            self.stdout.write(
                _(
                    "Dry run, nothing written. Rows: %(rows)d; would create %(created)d, "
                    "update %(updated)d, leave %(unchanged)d unchanged."
                )
                % counts
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Rows: %(rows)d; created %(created)d, updated %(updated)d, unchanged %(unchanged)d.") % counts
            )
        )

    def _refused(self, batch: ImportBatch) -> None:
        for row_error in stored_errors(batch.errors):
            self.stderr.write(
                _("row %(row)d, column %(column)s: %(message)s")
                % {"row": row_error.row, "column": row_error.column or "—", "message": row_error.message}
            )
        if batch.error_count > len(batch.errors):
            self.stderr.write(_("… and more errors: %(count)d.") % {"count": batch.error_count - len(batch.errors)})
        raise CommandError(
            _("The file was refused (errors: %(count)d); nothing was written.") % {"count": batch.error_count},
            returncode=1,
        )
