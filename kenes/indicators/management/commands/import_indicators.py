"""python manage.py import_indicators FILE [--source TEXT] [--dry-run]: load indicator values."""

from __future__ import annotations

from collections.abc import Callable

from kenes.indicators.management.commands._file_import import FileImportCommand
from kenes.indicators.models import ImportBatch
from kenes.indicators.services import import_indicator_file


class Command(FileImportCommand):
    help = (
        "Import indicator values from a CSV or XLSX file, long (code, kato, period, value) or wide "
        "(code, kato and one column per period). Prints the counts, or the row errors and exits with 1."
    )
    source_help = "where the figures come from (default: each indicator's)"
    dry_run_help = "check and count, write no values"

    def run_import(self) -> Callable[..., ImportBatch]:
        return import_indicator_file
