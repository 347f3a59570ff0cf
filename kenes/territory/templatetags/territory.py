"""Template tags other apps' pages use to show territory without importing it (e.g. the home page)."""

from __future__ import annotations

from django import template
from django.conf import settings

from kenes.territory.models import District

register = template.Library()


@register.simple_tag
def pilot_district() -> District | None:
    """The pilot district named by KENES_PILOT_DISTRICT, with its region, or None if not loaded."""
    return District.objects.select_related("region").filter(kato=settings.KENES_PILOT_DISTRICT).first()
