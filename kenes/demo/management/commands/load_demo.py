"""`python manage.py load_demo`: labelled demo accounts on the pilot district; safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kenes.core.errors import DomainError
from kenes.demo.services import DEMO_PASSWORD, DemoResult, load_demo_data


class Command(BaseCommand):
    help = "Load labelled demo accounts (password demo12345) on the pilot district Бәйтерек. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo_data()
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.render(result))

    def render(self, result: DemoResult) -> str:
        place = result.place
        created = result.created_count
        lines = [
            f"Demo data loaded: {created} new demo account(s), "
            f"{len(result.logins) - created} already present. Every page now shows the demo banner.",
            f"Pilot: {place.region.name_kk} → {place.district.name_kk} → {place.okrug.name_kk} "
            f"→ {place.settlement.name_kk}",
            "",
            f"Open {settings.SITE_URL}/ and log in with password {DEMO_PASSWORD}:",
        ]
        header = ("username", "role", "territory", "full name")
        rows = [(login.username, login.role, login.territory, login.full_name) for login in result.logins]
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  " + "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        lines.append(line(header))
        lines.append(line(tuple("-" * width for width in widths)))
        lines.extend(line(row) for row in rows)
        return "\n".join(lines)
