"""Public scorecards: the index, and one page per okrug, district and pilot, each also as CSV and XLSX
(`?format=csv|xlsx`). No login: these figures are for everyone.

`?year=YYYY` chooses the period; a year that is not one (`?year=abc`, `?year=99999`) is ignored with
a note on the page, and the page shows all years, so a mistyped link still shows something useful.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kenes.accountability import exports
from kenes.accountability import scorecards as scorecard_selectors
from kenes.accountability.scorecards import Scorecard
from kenes.core.page_cache import public_page
from kenes.councils.selectors import get_pilot
from kenes.territory import selectors as territory_selectors

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", exports.scorecard_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.scorecard_xlsx),
}


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100)


def _year(request: HttpRequest) -> tuple[int | None, str]:
    """The chosen year (None: all years) and, for a year that is not one, the note saying it was ignored."""
    form = YearForm(request.GET)
    if form.is_valid():
        year: int | None = form.cleaned_data["year"]
        return year, ""
    note = _("“%(year)s” is not a year between 2000 and 2100, so all years are shown.") % {
        "year": request.GET.get("year", "")[:20]
    }
    return None, note


def _period(year: int | None) -> str:
    return str(year) if year is not None else _("all years")


def _respond(
    request: HttpRequest,
    template: str,
    *,
    rows: list[Scorecard],
    title: str,
    filename: str,
    year: int | None,
    year_note: str,
    scope: Q,
    context: dict[str, Any],
) -> HttpResponse:
    """The page, or its export when `?format=` asks for one (any other value shows the page)."""
    sheet = exports.ScorecardSheet(
        title=f"{title} · {_period(year)}", rows=rows, filename=f"{filename}-{year or 'all'}"
    )
    export = EXPORTS.get(request.GET.get("format", ""))
    if export is not None:
        content_type, write = export
        extension = request.GET["format"]
        response = HttpResponse(write(sheet), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{sheet.filename}.{extension}"'
        return response
    context = (
        {"cards": rows}
        | context
        | {
            "title": title,
            "caption": sheet.title,
            "year": year,
            "year_note": year_note,
            "years": sorted(
                {*scorecard_selectors.scorecard_years(scope), *([year] if year is not None else [])}, reverse=True
            ),
            "is_demo": sheet.is_demo,
            "export_query": f"year={year}&" if year is not None else "",
        }
    )
    return render(request, template, context)


@public_page
@require_safe
def scorecards(request: HttpRequest) -> HttpResponse:
    context = {
        "pilots": scorecard_selectors.list_scorecard_pilots(),
        "districts": scorecard_selectors.list_scorecard_districts(),
    }
    return render(request, "accountability/scorecard_index.html", context)


@public_page
@require_safe
def okrug_scorecard(request: HttpRequest, kato: str) -> HttpResponse:
    okrug = territory_selectors.find_okrug(kato)
    if okrug is None:
        raise Http404("No such okrug.")
    year, year_note = _year(request)
    card = scorecard_selectors.okrug_scorecard(okrug, year=year)
    if not card.councils:
        raise Http404("No council in this okrug.")
    return _respond(
        request,
        "accountability/scorecard_okrug.html",
        rows=[card],
        title=_("Scorecard of %(territory)s") % {"territory": okrug.name},
        filename=f"scorecard-okrug-{okrug.kato}",
        year=year,
        year_note=year_note,
        scope=scorecard_selectors.okrug_scope(okrug),
        context={"okrug": okrug, "district": okrug.district},
    )


@public_page
@require_safe
def district_scorecard(request: HttpRequest, kato: str) -> HttpResponse:
    district = territory_selectors.find_district(kato)
    if district is None:
        raise Http404("No such district.")
    year, year_note = _year(request)
    found = scorecard_selectors.district_scorecard(district, year=year)
    return _respond(
        request,
        "accountability/scorecard_district.html",
        rows=[found.total, *found.okrugs],
        title=_("Scorecard of %(territory)s") % {"territory": district.name},
        filename=f"scorecard-district-{district.kato}",
        year=year,
        year_note=year_note,
        scope=scorecard_selectors.district_scope(district),
        context={"district": district, "scorecard": found, "cards": [found.total]},
    )


@require_safe
def pilot_scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = get_pilot(pk)
    year, year_note = _year(request)
    found = scorecard_selectors.pilot_scorecard(pilot, year=year)
    title = _("Scorecard of the pilot %(pilot)s") % {"pilot": pilot.name}
    return _respond(
        request,
        "accountability/scorecard_pilot.html",
        rows=found.rows,
        title=title,
        filename=f"scorecard-pilot-{pilot.pk}",
        year=year,
        year_note=year_note,
        scope=scorecard_selectors.pilot_scope(pilot),
        context={"pilot": pilot, "scorecard": found},
    )
