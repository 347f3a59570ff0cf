"""Background work of the relocation app (django-tasks, database backend; `manage.py db_worker` runs
it): the daily closing of expired offers. Tasks take plain values and call a service."""

from __future__ import annotations

import datetime

from django_tasks import task

from kenes.relocation import services


@task()
def expire_offers_task(today: str | None = None) -> int:
    """Closes published offers past their last day; `today` is an ISO date (default: today)."""
    day = datetime.date.fromisoformat(today) if today else None
    return services.expire_offers(today=day)
