"""Reads for the indicator pages: the catalogue and the loads (import batches)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from kenes.indicators.models import ImportBatch, Indicator, IndicatorValue
from kenes.territory.models import District, Okrug, Settlement


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


def territory_filter(kato: str) -> dict[str, Any] | None:
    """The unit with this code as a filter on values, or None: a district wins, then an okrug, then
    a settlement (the import's resolution order)."""
    for field, model in (("district", District), ("okrug", Okrug), ("settlement", Settlement)):
        pk = model.objects.filter(kato=kato).values_list("pk", flat=True).first()
        if pk is not None:
            return {f"{field}_id": pk}
    return None


def indicator_values(filters: dict[str, Any]) -> QuerySet[IndicatorValue]:
    """Values with their indicator and territory, in catalogue, territory and period order."""
    return (
        IndicatorValue.objects.filter(**filters)
        .select_related("indicator", "district", "okrug", "settlement")
        .annotate(territory_kato=Coalesce("district__kato", "okrug__kato", "settlement__kato"))
        .order_by("indicator__ordering_key", "indicator__code", "territory_kato", "period_kind", "period_start", "pk")
    )
