"""python manage.py import_kato [PATH] [--region 27]: load or refresh the territory from KATO."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kenes.core.errors import DomainError
from kenes.territory.services import import_kato
from kenes.territory.sources import describe_kato_source, resolve_kato_source


class Command(BaseCommand):
    help = (
        "Import the official territorial classifier (KATO) from a CSV or the stat.gov.kz XLSX workbook. "
        "Without PATH: KENES_KATO_FILE, else the shared classifier, else the bundled sample."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="CSV or XLSX file (optional)")
        parser.add_argument("--region", help="two-digit region code, e.g. 27 for West Kazakhstan")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["path"]
        source = describe_kato_source(path) if path is not None else resolve_kato_source()
        try:
            result = import_kato(path=source.path, region=options["region"], source=source)
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Source: %(label)s. Rows: %(rows)d (regions %(regions)d, districts %(districts)d, "
                "okrugs %(okrugs)d, settlements %(settlements)d)."
            )
            % {
                "rows": result.rows,
                "label": result.source.label,
                "regions": result.regions,
                "districts": result.districts,
                "okrugs": result.okrugs,
                "settlements": result.settlements,
            }
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Created: %(created)d, updated: %(updated)d, retired: %(retired)d.")
                % {"created": result.created, "updated": result.updated, "retired": result.retired}
            )
        )
