"""Reads for the indicator pages: the catalogue and the loads (import batches)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kenes.indicators.models import ImportBatch, Indicator


def catalogue() -> QuerySet[Indicator]:
    """Every indicator, in the catalogue's order."""
    return Indicator.objects.order_by("ordering_key", "code")


def import_batches() -> QuerySet[ImportBatch]:
    """Every load and preview, newest first, with the person who made it."""
    return ImportBatch.objects.select_related("loaded_by").order_by("-created_at", "-id")


def access_previewed_batch(*, user: Any, pk: int) -> ImportBatch:
    """A preview the user made; 404 alike for one that is missing, someone else's or refused."""
    batch = (
        ImportBatch.objects.filter(pk=pk, status=ImportBatch.Status.PREVIEWED, loaded_by_id=user.pk)
        .select_related("loaded_by")
        .first()
    )
    if batch is None:
        raise Http404
    return batch
