"""python manage.py generate_scale_data --okrugs all|150|N [--seed 2026] [--as-of DATE] [--no-indicators]."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kenes.demo.scale import DEFAULT_SEED, generate_scale_data, regions_of, rural_okrugs, table_counts
from kenes.indicators.generator import generate_demo_indicators, parse_years


def _okrugs(value: str) -> int | None:
    if value == "all":
        return None
    try:
        count = int(value)
    except ValueError:
        raise CommandError(f"--okrugs takes 'all' or a number, not {value!r}.") from None
    if count < 1:
        raise CommandError("--okrugs must be at least 1.")
    return count


class Command(BaseCommand):
    help = (
        "Build a national SYNTHETIC data set for load tests from the loaded KATO classifier: a council for every "
        "rural okrug (or the first N in KATO order) with residents, proposals, supports, sittings with votes, "
        "recommendations with answers, and indicator series; every row is demo data. Reproducible from the seed "
        "and --as-of day; okrugs that already have a council are left alone, so a second run adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--okrugs", default="150", help="'all' (about 2,261) or how many, e.g. 150 (default)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--as-of", default=None, help="the day the data is built around (default today)")
        parser.add_argument("--no-indicators", action="store_true", help="skip the indicator series")
        parser.add_argument("--years", default="2022-2026", help="indicator years (default 2022-2026)")

    def handle(self, *args: Any, **options: Any) -> None:
        count = _okrugs(options["okrugs"])
        as_of = datetime.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        started = time.monotonic()
        if not rural_okrugs(1).exists():
            self.stdout.write("No rural okrugs loaded: importing the KATO classifier first.")
            call_command("import_kato", stdout=self.stdout)
        result = generate_scale_data(
            okrugs=count,
            seed=options["seed"],
            as_of=as_of,
            progress=lambda message: self.stdout.write(f"  {message} ({time.monotonic() - started:.0f} s)"),
        )
        self.stdout.write(
            f"Synthetic councils: {result.okrugs} okrugs built, {result.skipped} left as they were "
            f"({time.monotonic() - started:.1f} s)."
        )
        if not options["no_indicators"]:
            years = parse_years(options["years"])
            prefixes: list[str | None] = [None] if count is None else [found.kato[:2] for found in regions_of(count)]
            for prefix in prefixes:
                generate_demo_indicators(actor=None, seed=options["seed"], years=years, region=prefix)
            self.stdout.write(f"Indicator series done ({time.monotonic() - started:.1f} s).")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for table, rows in table_counts().items():
            self.stdout.write(f"  {table}: {rows:,}")
        self.stdout.write(
            self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s. All of it is synthetic demo data.")
        )
