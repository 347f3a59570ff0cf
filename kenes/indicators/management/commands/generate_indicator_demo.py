"""python manage.py generate_indicator_demo [--seed N] [--years 2019-2026] [--region 27]: demo series."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kenes.indicators.generator import (
    DEFAULT_SEED,
    DEFAULT_YEARS,
    generate_demo_indicators,
    generate_demo_perspective,
    parse_years,
)
from kenes.territory.models import Region


class Command(BaseCommand):
    help = (
        "Fill plausible, seeded yearly indicator series (demo data, labelled as such) for every loaded rural "
        "settlement, okrug and district. The same seed gives the same figures; a second run changes nothing; "
        "values loaded from real files are never touched. Rural settlements without a perspective-village status "
        "get a demo one (an okrug's main village is perspective)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument(
            "--years",
            default=f"{DEFAULT_YEARS[0]}-{DEFAULT_YEARS[1]}",
            help=f"first-last year (default {DEFAULT_YEARS[0]}-{DEFAULT_YEARS[1]})",
        )
        parser.add_argument("--region", default=None, help="only this region: two-digit KATO prefix, e.g. 27")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            years = parse_years(options["years"])
        except ValueError as error:
            raise CommandError(
                _("Years must be written as 2019-2026 (between 2000 and 2100), not %(years)s.")
                % {"years": options["years"]}
            ) from error
        region: str | None = options["region"]
        if region is not None:
            region = region.strip()[:2]
            if not re.fullmatch(r"[0-9]{2}", region) or not Region.objects.filter(kato=f"{region}0000000").exists():
                raise CommandError(_("No region with KATO code %(code)s is loaded.") % {"code": options["region"]})
        result = generate_demo_indicators(actor=None, seed=options["seed"], years=years, region=region)
        if result.missing_indicators:
            self.stderr.write(
                _("Not in the catalogue, skipped: %(codes)s.") % {"codes": ", ".join(result.missing_indicators)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data, seed %(seed)d, years %(first)d–%(last)d: %(settlements)d settlements, "
                    "%(okrugs)d okrugs, %(districts)d districts; created %(created)d, updated %(updated)d, "
                    "unchanged %(unchanged)d, real values kept %(kept)d."
                )
                % {
                    "seed": result.seed,
                    "first": years[0],
                    "last": years[1],
                    "settlements": result.settlements,
                    "okrugs": result.okrugs,
                    "districts": result.districts,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "kept": result.kept_real,
                }
            )
        )
        villages = generate_demo_perspective(actor=None, region=region)
        self.stdout.write(
            _("Demo perspective-village statuses: created %(created)d, already there %(kept)d.")
            % {"created": villages.created, "kept": villages.kept}
        )
