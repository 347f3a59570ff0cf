"""The public programme dashboard, and the same figures as CSV (`?format=csv`). No login.

`?district=<KATO>` narrows it to one district, `?year=YYYY` counts the moves of one year; a value
that is neither is ignored with a note on the page, so a mistyped link still shows something useful.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kenes.relocation.dashboard import Dashboard, dashboard_districts, programme_dashboard
from kenes.territory import selectors as territory_selectors
from kenes.territory.models import District

PROGRAMME_START_YEAR = 2024  # the West Kazakhstan pilot began in 2024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class DashboardForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100)
    district = forms.RegexField(label=gettext_lazy("District"), regex=r"^[0-9]{9}$", required=False)


def _filters(request: HttpRequest) -> tuple[int | None, District | None, str]:
    """The chosen year and district (None: all), and a note naming what was ignored."""
    form = DashboardForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    year: int | None = data.get("year")
    kato: str = data.get("district") or ""
    district = territory_selectors.find_district(kato) if kato else None
    ignored = [name for name in ("year", "district") if name in form.errors]
    if kato and district is None:
        ignored.append("district")
    note = ""
    if ignored:
        note = _("Some filters were not understood and are ignored: %(names)s.") % {
            "names": ", ".join(str(form.fields[name].label) for name in ignored)
        }
    return year, district, note


def _text(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return f"'{value}"
    return value


def dashboard_csv(figures: Dashboard, *, title: str) -> bytes:
    """One long table (section, item, KATO code, measure, value): UTF-8 with a byte-order mark so
    spreadsheet programs read Cyrillic; demo figures say so on top and on every row."""
    demo = _("DEMO DATA") if figures.is_demo else ""
    rows: list[list[object]] = []

    def add(section: str, item: str, kato: str, measure: str, value: object) -> None:
        rows.append([section, item, kato, measure, "" if value is None else value, demo])

    moves = _("Moves")
    add(moves, title, "", _("Families moved"), figures.families)
    add(moves, title, "", _("People moved"), figures.people)
    add(moves, title, "", _("Children"), figures.children)
    add(moves, title, "", _("People employed"), figures.employed)
    for mark in figures.retention:
        section = _("Retention at %(months)s months") % {"months": mark.months}
        add(section, title, "", _("Checked"), mark.checked)
        add(section, title, "", _("Still there"), mark.still_there)
        add(section, title, "", _("Still there") + ", %", mark.percent)
        add(section, title, "", _("Due but not checked"), mark.due_unchecked)
    for row in figures.moves_by_district:
        add(_("Moves by district"), row.territory, row.kato, _("Families moved"), row.families)
        add(_("Moves by district"), row.territory, row.kato, _("People moved"), row.people)
    for row in figures.moves_by_month:
        add(_("Moves by month"), row.territory, "", _("Families moved"), row.families)
        add(_("Moves by month"), row.territory, "", _("People moved"), row.people)
    for section, vacancy_rows in (
        (_("Open vacancies by district"), figures.vacancies_by_district),
        (_("Open vacancies by okrug"), figures.vacancies_by_okrug),
    ):
        for vacancy in vacancy_rows:
            add(section, vacancy.territory, vacancy.kato, vacancy.profession, vacancy.positions)
    for offer in figures.offers_without_applicants:
        add(_("Offers without applicants"), offer.title, "", offer.kind_label, offer.settlement)
    for place in figures.settlements:
        add(_("Settlements of the programme"), place.settlement, place.kato, _("Open offers"), place.open_offers)

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    if figures.is_demo:
        writer.writerow([_("DEMO DATA: these figures come from demonstration data, not from the programme.")])
    writer.writerow([_("Section"), _("Item"), _("KATO code"), _("Measure"), _("Value"), _("DEMO DATA")])
    for line in rows:
        writer.writerow([_text(value) for value in line])
    return buffer.getvalue().encode("utf-8-sig")


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    year, district, note = _filters(request)
    figures = programme_dashboard(district=district, year=year)
    title = _("From City to Village in figures")
    if district is not None:
        title = _("From City to Village in figures: %(district)s") % {"district": district.name}
    if request.GET.get("format") == "csv":
        scope = district.kato if district is not None else "all"
        response = HttpResponse(dashboard_csv(figures, title=title), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="relocation-dashboard-{scope}-{year or "all"}.csv"'
        return response
    this_year = timezone.localdate().year
    years = sorted({*range(PROGRAMME_START_YEAR, this_year + 1), *([year] if year else [])}, reverse=True)
    query = "&".join(
        part for part in (f"district={district.kato}" if district else "", f"year={year}" if year else "") if part
    )
    context = {
        "title": title,
        "figures": figures,
        "year": year,
        "district": district,
        "districts": dashboard_districts(),
        "years": years,
        "note": note,
        "export_query": f"{query}&" if query else "",
    }
    return render(request, "relocation/dashboard.html", context)
