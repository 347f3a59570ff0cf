"""Public pages about perspective villages (Concept 2023–2027): a district's rural settlements with
their status and the share of its rural population living in perspective villages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from kenes.indicators import perspective_selectors as selectors


@require_safe
def perspective_pilot(request: HttpRequest) -> HttpResponse:
    """The pilot district's page (the catalogue links here), or a page saying there is no list yet."""
    district = selectors.pilot_district()
    if district is None:
        return render(request, "indicators/perspective_none.html")
    return redirect("indicators:perspective", kato=district.kato)


@require_safe
def perspective(request: HttpRequest, kato: str) -> HttpResponse:
    district = selectors.access_district(kato=kato)
    context = {
        "district": district,
        "share": selectors.perspective_share(district=district),
        "settlements": list(selectors.perspective_villages_of(district)),
    }
    return render(request, "indicators/perspective.html", context)
