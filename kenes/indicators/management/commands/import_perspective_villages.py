"""python manage.py import_perspective_villages FILE [--source TEXT] [--dry-run]: load the
perspective village list (Concept 2023–2027)."""

from __future__ import annotations

from collections.abc import Callable

from kenes.indicators.management.commands._file_import import FileImportCommand
from kenes.indicators.models import ImportBatch
from kenes.indicators.perspective import import_perspective_villages


class Command(FileImportCommand):
    help = (
        "Import perspective village statuses from a CSV or XLSX file with the columns kato, status "
        "(perspective or other) and optionally source. Prints the counts, or the row errors and exits with 1."
    )
    source_help = "where the list comes from (default: the file's name)"
    dry_run_help = "check and count, write no status"

    def run_import(self) -> Callable[..., ImportBatch]:
        return import_perspective_villages
