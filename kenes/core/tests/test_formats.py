from __future__ import annotations

from datetime import date, datetime

import pytest
from django.template import Context, Template
from django.utils import formats, translation
from django.utils.formats import date_format, number_format

NBSP = "\xa0"
KAZAKH_MONTHS = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
]


def test_kazakh_numbers_group_thousands_with_a_no_break_space_and_use_a_decimal_comma():
    with translation.override("kk"):
        assert number_format(1234567.5, 1) == f"1{NBSP}234{NBSP}567,5"
        assert number_format(696000) == f"696{NBSP}000"


def test_templates_localise_numbers_in_kazakh():
    with translation.override("kk"):
        rendered = Template("{{ value }}").render(Context({"value": 7470000}))

    assert rendered == f"7{NBSP}470{NBSP}000"


def test_a_kazakh_date_names_the_month_in_kazakh():
    with translation.override("kk"):
        rendered = date_format(date(2026, 3, 21), "DATE_FORMAT")

    assert rendered.startswith("2026 ж. 21 ")
    assert rendered.lower().endswith("наурыз")


@pytest.mark.parametrize(("month", "name"), list(enumerate(KAZAKH_MONTHS, start=1)))
def test_kazakh_dates_write_the_month_in_lower_case(month, name):
    # Our kk catalogue lower-cases Django's capitalised month names (needs compiled catalogues).
    with translation.override("kk"):
        assert date_format(date(2026, month, 5), "DATE_FORMAT") == f"2026 ж. 5 {name}"


def test_kazakh_short_dates_times_and_the_week_follow_local_custom():
    with translation.override("kk"):
        assert date_format(date(2026, 3, 8), "SHORT_DATE_FORMAT") == "08.03.2026"
        assert date_format(datetime(2026, 3, 8, 9, 5), "SHORT_DATETIME_FORMAT") == "08.03.2026 09:05"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
        assert formats.sanitize_separators(f"1{NBSP}234,5") == "1234.5"


def test_kazakh_forms_accept_dates_typed_the_local_way():
    from django import forms

    class When(forms.Form):
        day = forms.DateField()

    with translation.override("kk"):
        typed = When({"day": "21.03.2026"})
        browser = When({"day": "2026-03-21"})

        assert typed.is_valid()
        assert browser.is_valid()
    assert typed.cleaned_data["day"] == browser.cleaned_data["day"] == date(2026, 3, 21)


def test_russian_dates_keep_the_genitive_month_and_numbers_the_same_grouping():
    with translation.override("ru"):
        assert date_format(date(2026, 3, 21), "DATE_FORMAT") == "21 марта 2026 г."
        assert number_format(1234567.5, 1) == f"1{NBSP}234{NBSP}567,5"
