"""Public dashboards: an okrug's profile, a district's and an oblast's overview, the choropleth map
of districts and the pilot's evaluation. Every chart is drawn on the server (inline SVG, with the
numbers in a table beside it) and downloads as SVG or PNG; every table downloads as CSV or XLSX
(`?format=csv|xlsx`). No login, no JavaScript needed: the map's colours are drawn by Leaflet when
it runs, and the table under it holds the same figures either way.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kenes.accountability.scorecards import okrug_scorecard
from kenes.core.page_cache import public_page
from kenes.core.tables import Table, table_csv, table_xlsx
from kenes.councils.selectors import find_council
from kenes.indicators import dashboards, figures, pilot_evaluation
from kenes.indicators import perspective_selectors as perspective
from kenes.indicators.models import Indicator
from kenes.meetings.models import Meeting
from kenes.meetings.selectors import list_meetings
from kenes.relocation.dashboard import programme_dashboard
from kenes.territory.selectors import has_boundaries

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
    "png": "image/png",
}


def _download(content: bytes, *, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def _table_download(request: HttpRequest, table: Table, *, name: str) -> HttpResponse | None:
    kind = request.GET.get("format")
    if kind == "csv":
        return _download(table_csv(table), kind="csv", name=name)
    if kind == "xlsx":
        return _download(table_xlsx(table), kind="xlsx", name=name)
    return None


def _chart_download(chart: figures.Chart, *, kind: str, name: str) -> HttpResponse:
    content = figures.png_bytes(chart) if kind == "png" else figures.svg_bytes(chart)
    response = _download(content, kind=kind, name=name)
    response["Content-Disposition"] = f'inline; filename="{name}.{kind}"'
    return response


def _year(request: HttpRequest) -> int | None:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and len(text) == 4 else None


def _charts(series_list: list[dashboards.IndicatorSeries], *, place: str) -> list[dict[str, Any]]:
    return [
        {
            "series": item,
            "svg": figures.inline_svg(figures.series_chart(item, place=place), chart_id=f"chart-{item.indicator.code}"),
        }
        for item in series_list
        if item.has_values
    ]


# An okrug's profile --------------------------------------------------------------------------------


@public_page
@require_safe
def okrug_profile(request: HttpRequest, kato: str) -> HttpResponse:
    okrug = dashboards.access_okrug(kato=kato)
    series_list = dashboards.unit_series(okrug)
    download = _table_download(
        request, figures.unit_values_table(series_list, place=okrug.name, kato=okrug.kato), name=f"indicators-{kato}"
    )
    if download is not None:
        return download
    settlements = list(perspective.perspective_villages_of(okrug=okrug))
    council = find_council(okrug.kato)
    context = {
        "okrug": okrug,
        "district": okrug.district,
        "charts": _charts(series_list, place=okrug.name),
        "is_demo": any(item.is_demo for item in series_list),
        "scorecard": okrug_scorecard(okrug),
        "next_sitting": list_meetings(council=council, upcoming=True).first() if council else None,
        "sittings_held": list_meetings(council=council).filter(status=Meeting.Status.CLOSED).count() if council else 0,
        "relocation": programme_dashboard(okrug=okrug),
        "settlements": settlements,
        "perspective_count": sum(
            1 for item in settlements if getattr(item, "perspective_status", None) == "perspective"
        ),
    }
    return render(request, "indicators/okrug_profile.html", context)


@require_safe
def unit_chart(request: HttpRequest, kato: str, code: str, kind: str) -> HttpResponse:
    """One indicator's chart of a district, okrug or settlement, as SVG or PNG."""
    dashboards.access_indicator(code=code)
    region = dashboards.find_region(kato=kato)
    unit: Any = region or dashboards.access_unit(kato=kato)
    found = dashboards.region_series(region, codes=[code]) if region else dashboards.unit_series(unit, codes=[code])
    return _chart_download(figures.series_chart(found[0], place=unit.name), kind=kind, name=f"{code}-{kato}")


# Overviews -------------------------------------------------------------------------------------------


def _chosen_indicator(request: HttpRequest, overview: dashboards.Overview) -> Indicator | None:
    code = request.GET.get("code", "")
    return next((column for column in overview.columns if column.code == code), None) or (
        overview.columns[0] if overview.columns else None
    )


def _overview_page(
    request: HttpRequest,
    *,
    level: str,
    place: Any,
    overview: dashboards.Overview,
    series_list: list[dashboards.IndicatorSeries],
    share: perspective.Share,
) -> HttpResponse:
    """A district's or a region's overview page, or its table as a download."""
    table = figures.overview_table(overview, place=place.name)
    download = _table_download(request, table, name=f"{level}-{place.kato}-{overview.year or 'none'}")
    if download is not None:
        return download
    chosen = _chosen_indicator(request, overview)
    bars = figures.overview_chart(overview, chosen, place=place.name) if chosen else None
    context = {
        level: place,
        "overview": overview,
        "chosen": chosen,
        "bars": figures.inline_svg(bars, chart_id="bars") if bars else None,
        "charts": _charts(series_list, place=place.name),
        "is_demo": overview.is_demo or share.is_demo or any(item.is_demo for item in series_list),
        "share": share,
        "perspective_code": dashboards.PERSPECTIVE,
        "indicators": list(Indicator.objects.order_by("ordering_key", "code")),
        "has_map": has_boundaries(place.kato),
    }
    return render(request, f"indicators/{level}_overview.html", context)


@public_page
@require_safe
def district_overview(request: HttpRequest, kato: str) -> HttpResponse:
    district = dashboards.access_district(kato=kato)
    return _overview_page(
        request,
        level="district",
        place=district,
        overview=dashboards.district_overview(district, year=_year(request), extra=request.GET.get("code")),
        series_list=dashboards.unit_series(district, codes=dashboards.KEY_CODES),
        share=perspective.perspective_share(district=district),
    )


@public_page
@require_safe
def region_overview(request: HttpRequest, kato: str) -> HttpResponse:
    region = dashboards.access_region(kato=kato)
    return _overview_page(
        request,
        level="region",
        place=region,
        overview=dashboards.region_overview(region, year=_year(request), extra=request.GET.get("code")),
        series_list=dashboards.region_series(region, codes=dashboards.KEY_CODES),
        share=perspective.perspective_share(region=region),
    )


@require_safe
def overview_chart(request: HttpRequest, kato: str, code: str, kind: str) -> HttpResponse:
    """The bar chart of a district's okrugs or a region's districts for one indicator and year."""
    dashboards.access_indicator(code=code)
    unit: Any
    try:
        unit = dashboards.access_district(kato=kato)
        overview = dashboards.district_overview(unit, year=_year(request), extra=code)
    except Http404:
        unit = dashboards.access_region(kato=kato)
        overview = dashboards.region_overview(unit, year=_year(request), extra=code)
    indicator = next(column for column in overview.columns if column.code == code)
    chart = figures.overview_chart(overview, indicator, place=unit.name)
    return _chart_download(chart, kind=kind, name=f"{code}-{kato}-{overview.year or 'none'}")


# The choropleth map ----------------------------------------------------------------------------------


def _map_measure(request: HttpRequest, region: Any) -> tuple[dashboards.Choropleth, str, str, str]:
    """The map for the request's measure (an indicator code or perspective villages), with the
    measure's name, unit and which way is better."""
    code = request.GET.get("code") or "population"
    if code == dashboards.PERSPECTIVE:
        shares = perspective.perspective_shares_by_district(region)
        districts = dashboards.region_districts(region)
        areas, legend = dashboards.shade(
            districts, {district.pk: getattr(shares.get(district.pk), "percent", None) for district in districts}
        )
        choropleth = dashboards.Choropleth(
            region=region,
            measure=code,
            year=None,
            per_1000=False,
            areas=areas,
            legend=legend,
            years=[],
            is_demo=any(share.is_demo for share in shares.values()),
        )
        return (
            choropleth,
            _("Rural population living in perspective villages"),
            "%",
            Indicator.Direction.HIGHER_IS_BETTER,
        )
    indicator = dashboards.access_indicator(code=code)
    per_1000 = request.GET.get("per") != "total"
    choropleth = dashboards.indicator_map(region, indicator=indicator, year=_year(request), per_1000=per_1000)
    unit = _("per 1,000 residents") if choropleth.per_1000 else indicator.unit
    return choropleth, indicator.name, unit, indicator.direction


@require_safe
def indicator_map(request: HttpRequest, kato: str) -> HttpResponse:
    region = dashboards.access_region(kato=kato)
    choropleth, measure, unit, direction = _map_measure(request, region)
    download = _table_download(
        request,
        figures.map_table(choropleth, measure=measure, unit=unit),
        name=f"map-{kato}-{choropleth.measure}-{choropleth.year or 'latest'}",
    )
    if download is not None:
        return download
    shading = {
        area.district.kato: {
            "fill": area.fill,
            "text": "—" if area.value is None else figures.localised(float(area.value)),
        }
        for area in choropleth.areas
    }
    context = {
        "region": region,
        "map": choropleth,
        "measure": measure,
        "unit": unit,
        "direction": direction,
        "indicators": list(Indicator.objects.order_by("ordering_key", "code")),
        "perspective_code": dashboards.PERSPECTIVE,
        "rate_codes": dashboards.RATE_CODES,
        "shading": shading,
        "has_map": has_boundaries(region.kato),
    }
    return render(request, "indicators/map.html", context)


# The pilot's evaluation ------------------------------------------------------------------------------


@require_safe
def evaluation_index(request: HttpRequest) -> HttpResponse:
    pilots = pilot_evaluation.list_pilots()
    if len(pilots) == 1:
        return redirect("indicators:evaluation", pk=pilots[0].pk)
    return render(request, "indicators/evaluation_index.html", {"pilots": pilots})


@require_safe
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = pilot_evaluation.access_pilot(pk=pk)
    level = pilot_evaluation.parse_level(request.GET.get("level", "95"))
    result = pilot_evaluation.evaluate_pilot(pilot, level=level)
    download = _table_download(request, figures.evaluation_table(result), name=f"evaluation-{pk}")
    if download is not None:
        return download
    outcomes = [
        {
            "outcome": outcome,
            "svg": figures.inline_svg(
                figures.evaluation_chart(outcome, start_year=result.start_year), chart_id=f"chart-{outcome.code}"
            ),
        }
        for outcome in result.outcomes
    ]
    context = {
        "evaluation": result,
        "outcomes": outcomes,
        "level_percent": round(level * 100),
        "level_percent_text": str(round(level * 100)),
        "levels": [90, 95, 99],
    }
    return render(request, "indicators/evaluation.html", context)


@require_safe
def evaluation_chart(request: HttpRequest, pk: int, outcome: str, kind: str) -> HttpResponse:
    pilot = pilot_evaluation.access_pilot(pk=pk)
    result = pilot_evaluation.evaluate_pilot(pilot)
    chart = figures.evaluation_chart(result.outcome(outcome), start_year=result.start_year)
    return _chart_download(chart, kind=kind, name=f"evaluation-{pk}-{outcome}")
