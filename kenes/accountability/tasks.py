"""Background work of the accountability app (django-tasks, database backend; `manage.py db_worker`
runs it): the daily deadline check. Tasks take plain values and call a service."""

from __future__ import annotations

import datetime

from django_tasks import task

from kenes.accountability import services


@task()
def check_deadlines_task(today: str | None = None) -> dict[str, int]:
    """Marks overdue recommendations and escalates them; `today` is an ISO date (default: today)."""
    day = datetime.date.fromisoformat(today) if today else None
    run = services.check_deadlines(today=day)
    return {"marked": run.marked, "escalated": run.escalated}
