"""Public territory pages: Kazakhstan → region → district → okrug → settlement, the name search,
and the district boundaries the maps draw."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kenes.core.page_cache import public_page
from kenes.territory import selectors
from kenes.territory.models import District, Okrug, Region

BOUNDARIES_MAX_AGE = 24 * 3600


@public_page
@require_safe
def country(request: HttpRequest) -> HttpResponse:
    context = {"regions": selectors.list_regions(), "source": selectors.latest_source()}
    return render(request, "territory/country.html", context)


@public_page
@require_safe
def unit(request: HttpRequest, kato: str) -> HttpResponse:
    found = selectors.find_unit(kato)
    if found is None:
        raise Http404("No territory unit has this KATO code.")
    context: dict[str, Any] = {"unit": found, "ancestors": selectors.ancestors(found)}
    if isinstance(found, Region):
        context["districts"] = selectors.list_districts(region=found)
        context["has_map"] = selectors.has_boundaries(kato)
        return render(request, "territory/region.html", context)
    if isinstance(found, District):
        context["okrugs"] = selectors.list_okrugs(district=found)
        context["loose_settlements"] = selectors.list_settlements_outside_okrugs(district=found)
        context["has_map"] = selectors.has_boundaries(kato)
        return render(request, "territory/district.html", context)
    if isinstance(found, Okrug):
        context["settlements"] = selectors.list_settlements(okrug=found)
        return render(request, "territory/okrug.html", context)
    return render(request, "territory/settlement.html", context)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    results = selectors.search_units(query)
    return render(request, "territory/search.html", {"results": results, "limit": selectors.SEARCH_LIMIT})


@require_safe
def boundaries(request: HttpRequest, kato: str) -> HttpResponse:
    """The district polygons of the region `kato` belongs to (a region or any unit below it): the
    region page and every district page of a region share one cacheable document, and the page
    says which district to highlight."""
    if selectors.find_unit(kato) is None:
        raise Http404("No territory unit has this KATO code.")
    geojson = selectors.region_boundaries(kato)
    if geojson is None:
        raise Http404("No boundaries are available for this region.")
    response = HttpResponse(geojson, content_type="application/geo+json")
    response["Cache-Control"] = f"public, max-age={BOUNDARIES_MAX_AGE}"
    return response
