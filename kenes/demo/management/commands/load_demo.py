"""`python manage.py load_demo`: labelled demo accounts, the pilot and its councils on the pilot
district; safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kenes.core.errors import DomainError
from kenes.councils.selectors import compositions_of
from kenes.demo.services import (
    DEMO_PASSWORD,
    DemoCouncils,
    DemoProposals,
    DemoRelocation,
    DemoResult,
    DemoSittings,
    load_demo_data,
)
from kenes.proposals.models import Status


class Command(BaseCommand):
    help = (
        "Load labelled demo accounts (password demo12345), the demo pilot, its councils and proposals "
        "and the From City to Village offers, families and moves on the pilot district Бәйтерек. Idempotent."
    )

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
            *self.render_councils(result.councils),
            *self.render_proposals(result.proposals),
            *self.render_sittings(result.sittings),
            *self.render_relocation(result.relocation),
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

    def render_councils(self, demo: DemoCouncils) -> list[str]:
        pilot = demo.pilot
        comparison = ", ".join(district.name_kk for district in demo.comparison_districts) or "none"
        ends = pilot.ends_on.isoformat() if pilot.ends_on else "open-ended"
        problems = compositions_of(item.council for item in demo.councils)
        complete = sum(1 for item in demo.councils if not problems[item.council.pk])
        new_councils = sum(1 for item in demo.councils if item.created)
        lines = [
            f"Pilot project «{pilot.name}» ({'new' if 'pilot' in demo.created else 'already present'}): "
            f"{pilot.starts_on.isoformat()} to {ends}, charter «{demo.charter.name}» v{demo.charter.version}, "
            f"comparison districts: {comparison}.",
            f"Councils: {len(demo.councils)} demo council(s), {new_councils} new; {complete} meet(s) the charter, "
            f"{len(demo.councils) - complete} still forming:",
        ]
        for item in demo.councils:
            gaps = problems[item.council.pk]
            status = "meets the charter" if not gaps else f"{len(gaps)} gap(s)"
            lines.append(f"  {item.council.okrug.name_kk} ({item.council.okrug.kato}): {status}")
        lines.append(f"See them at {settings.SITE_URL}/councils/")
        return lines

    def render_proposals(self, demo: DemoProposals) -> list[str]:
        counts = ", ".join(f"{demo.count(status)} {status}" for status in Status.values if demo.count(status))
        return [
            f"Proposals: {len(demo.proposals)} demo proposal(s), {demo.created} new ({counts or 'none'}).",
            f"See them at {settings.SITE_URL}/proposals/",
        ]

    def render_sittings(self, demo: DemoSittings | None) -> list[str]:
        if demo is None:
            return ["Sittings: none (the demo okrug has no active demo council)."]
        lines = [f"Sittings: {len(demo.meetings)} demo sitting(s), {demo.created} new, run by {demo.secretary}:"]
        for meeting in demo.meetings:
            lines.append(f"  {meeting.starts_at:%Y-%m-%d} {meeting.status}: {settings.SITE_URL}/sittings/{meeting.pk}/")
        for recommendation in demo.recommendations:
            fate = recommendation.status
            if recommendation.answer_kind:
                fate += f" ({recommendation.answer_kind}, {recommendation.progress_percent} %)"
            due = recommendation.due_on.isoformat() if recommendation.due_on else "not sent"
            lines.append(f"  Recommendation № {recommendation.number}: {fate}, answer due {due}")
        if demo.escalated:
            lines.append(f"  {demo.escalated} overdue recommendation(s) escalated to the district")
        return lines

    def render_relocation(self, demo: DemoRelocation | None) -> list[str]:
        if demo is None:
            return []
        villages = ", ".join(village.name_kk for village in demo.villages)
        in_talks = sum(1 for application in demo.applications if application.status == "in_talks")
        left = len(demo.moves) - demo.still_there
        return [
            f"From City to Village: {len(demo.offers)} demo offer(s) in {len(demo.villages)} village(s) "
            f"({villages}), {demo.created} new record(s); employer «{demo.employer.name}» (demo-employer); "
            f"demo-family from Oral with {in_talks} application(s) in talks; {len(demo.moves)} earlier move(s) "
            f"({demo.still_there} still there, {left} left).",
            f"See them at {settings.SITE_URL}/relocation/ and {settings.SITE_URL}/relocation/dashboard/",
        ]
