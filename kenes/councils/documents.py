"""The council regulation (ереже / положение) printed from a charter, in Kazakh or Russian.

The text is the template `councils/regulation.html` (translated like any page); the numbers come
from the charter, so a new charter version prints a new regulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kenes.core.pdf import render_pdf
from kenes.councils.models import Charter, CharterSeatRule, CharterSizeBand, MajorityRule
from kenes.councils.selectors import charter_seat_rules, charter_size_bands

# Official documents of a council exist in Kazakh and Russian (domain.md, Languages).
REGULATION_LANGUAGES = ("kk", "ru")


@dataclass(frozen=True)
class SeatLine:
    label: str
    seats: str


@dataclass(frozen=True)
class SizeLine:
    population: str
    members: str


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _range(low: int, high: int) -> str:
    return _number(low) if low == high else f"{_number(low)}–{_number(high)}"


def _seats(rule: CharterSeatRule) -> str:
    if rule.max_seats is None:
        if rule.min_seats == 0:
            return _("not limited")
        return _("at least %(count)s") % {"count": _number(rule.min_seats)}
    if rule.min_seats == 0:
        return _("at most %(count)s") % {"count": _number(rule.max_seats)}
    return _range(rule.min_seats, rule.max_seats)


def _population(band: CharterSizeBand) -> str:
    if band.population_to is None:
        return _("%(count)s and more") % {"count": _number(band.population_from)}
    return f"{_number(band.population_from)}–{_number(band.population_to)}"


def seat_lines(charter: Charter) -> list[SeatLine]:
    return [SeatLine(label=str(rule.get_group_display()), seats=_seats(rule)) for rule in charter_seat_rules(charter)]


def size_lines(charter: Charter) -> list[SizeLine]:
    return [
        SizeLine(population=_population(band), members=_range(band.min_members, band.max_members))
        for band in charter_size_bands(charter)
    ]


def submitters(charter: Charter) -> list[str]:
    found = []
    if charter.residents_may_submit:
        found.append(_("residents of the okrug"))
    if charter.members_may_submit:
        found.append(_("members of the council"))
    if charter.coordinators_may_submit:
        found.append(_("coordinator deputies"))
    return found


def version_date(charter: Charter) -> date:
    """The day the version took its final form: when a council adopted it, else its last edit."""
    return timezone.localdate(charter.locked_at or charter.updated_at)


def regulation_html(*, charter: Charter) -> str:
    """The regulation as HTML, in the active language."""
    context = {
        "charter": charter,
        "version_date": version_date(charter),
        "seat_rules": seat_lines(charter),
        "size_bands": size_lines(charter),
        "submitters": submitters(charter),
        "majority_of_all": charter.majority_rule == MajorityRule.OF_ALL_MEMBERS,
    }
    return render_to_string("councils/regulation.html", context)


def render_regulation_pdf(*, charter: Charter, language: str) -> bytes:
    """The regulation of `charter` as a PDF in Kazakh (`kk`) or Russian (`ru`)."""
    if language not in REGULATION_LANGUAGES:
        raise ValueError(f"The regulation is printed in {', '.join(REGULATION_LANGUAGES)}, not {language!r}.")
    with translation.override(language):
        html = regulation_html(charter=charter)
        stylesheet = render_to_string("councils/regulation.css")
    return render_pdf(html=html, stylesheets=[stylesheet])
