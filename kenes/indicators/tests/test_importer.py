"""Reading and checking indicator files: layouts, formats and every kind of row error."""

from __future__ import annotations

import importlib
import io
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.utils import timezone, translation
from openpyxl import Workbook

from kenes.indicators.importer import (
    IndicatorFileError,
    Parsed,
    parse,
    parse_number,
    parse_period,
    read_table,
    stored_errors,
)
from kenes.indicators.models import Indicator, PeriodKind
from kenes.indicators.services import indicators_by_code, territories_by_kato
from kenes.territory.models import Settlement
from kenes.territory.tests.factories import SettlementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def village() -> Settlement:
    return SettlementFactory.create()


def check(data: bytes, file_name: str = "values.csv", source: str = "") -> Parsed:
    return parse(
        read_table(data, file_name),
        indicators=indicators_by_code(),
        territories=territories_by_kato(),
        source=source,
    )


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def only_error(parsed: Parsed) -> tuple[int, str, str]:
    assert len(parsed.errors) == 1, [(e.row, e.column, str(e.message)) for e in parsed.errors]
    error = parsed.errors[0]
    with translation.override("en"):
        return error.row, error.column, str(error.message)


# The catalogue ------------------------------------------------------------------------------------


def test_the_catalogue_holds_the_fifteen_indicators_of_issue_8() -> None:
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {
        "population", "births", "deaths", "arrivals", "departures", "net_migration", "employed",
        "open_vacancies", "piped_water", "gas", "internet", "road_condition", "school", "clinic",
        "culture_house",
    } <= codes  # fmt: skip
    assert Indicator.objects.get(code="net_migration").allows_negative
    assert Indicator.objects.get(code="piped_water").is_percent
    assert not Indicator.objects.get(code="school").is_percent
    assert all(i.name_kk and i.name_ru and i.name_en and i.unit_kk and i.definition_kk for i in Indicator.objects.all())


def test_seeding_the_catalogue_again_creates_nothing_and_keeps_staff_edits() -> None:
    Indicator.objects.filter(code="gas").update(name_en="Gas (edited)")
    count = Indicator.objects.count()
    migration = importlib.import_module("kenes.indicators.migrations.0002_seed_catalogue")
    migration.seed(django_apps, None)
    assert Indicator.objects.count() == count
    assert Indicator.objects.get(code="gas").name_en == "Gas (edited)"


# Cells --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023", (PeriodKind.YEAR, date(2023, 1, 1))),
        ("2024-Q3", (PeriodKind.QUARTER, date(2024, 7, 1))),
        ("2024Q1", (PeriodKind.QUARTER, date(2024, 1, 1))),
        ("2024-03", (PeriodKind.MONTH, date(2024, 3, 1))),
        ("2024-13", None),
        ("2024-Q5", None),
        ("last year", None),
    ],
)
def test_periods_are_read_as_years_quarters_or_months(text: str, expected: object) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", Decimal("1234")),
        ("12,5", Decimal("12.5")),
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0234.5", Decimal("1234.5")),
        ("-3", Decimal("-3")),
        ("12a", None),
        ("1,234.5", None),
        ("NaN", None),
    ],
)
def test_numbers_accept_a_comma_or_a_point_and_spaces_between_thousands(text: str, expected: object) -> None:
    assert parse_number(text) == expected


# Layouts and formats ------------------------------------------------------------------------------


def test_a_long_csv_gives_one_row_per_line_with_its_period_kind(village: Settlement) -> None:
    parsed = check(
        csv_bytes(
            f"Code,KATO,Period,Value\npopulation,{village.kato},2023,1200\n"
            f"population,{village.kato},2024-Q2,1190\npopulation,{village.kato},2024-03,1185\n"
        )
    )
    assert parsed.errors == []
    assert parsed.layout == "long"
    assert [(r.row, r.period_kind, r.period_start, r.value) for r in parsed.rows] == [
        (2, PeriodKind.YEAR, date(2023, 1, 1), Decimal("1200")),
        (3, PeriodKind.QUARTER, date(2024, 4, 1), Decimal("1190")),
        (4, PeriodKind.MONTH, date(2024, 3, 1), Decimal("1185")),
    ]
    assert {(r.territory_kind, r.territory_id) for r in parsed.rows} == {("settlement", village.pk)}


def test_a_semicolon_csv_with_a_bom_and_comma_decimals_is_read(village: Settlement) -> None:
    kato = village.kato
    data = f"\ufeffcode;kato;period;value\ngas;{kato};2024;45,5\npopulation;{kato};2024;1\u00a0250\n".encode()
    parsed = check(data)
    assert parsed.errors == []
    assert [r.value for r in parsed.rows] == [Decimal("45.5"), Decimal("1250")]


def test_a_wide_csv_gives_one_value_per_filled_period_cell_and_ignores_the_name_column(village: Settlement) -> None:
    parsed = check(
        csv_bytes(
            f"code,kato,name,2022,2023,2024-Q1\n"
            f"population,{village.kato},Ауыл <script>,1000,,990\n"
            f"school,{village.kato},Ауыл,1,1,\n"
        )
    )
    assert parsed.errors == []
    assert parsed.layout == "wide"
    assert [(r.row, r.period_start, r.value) for r in parsed.rows] == [
        (2, date(2022, 1, 1), Decimal("1000")),
        (2, date(2024, 1, 1), Decimal("990")),
        (3, date(2022, 1, 1), Decimal("1")),
        (3, date(2023, 1, 1), Decimal("1")),
    ]


def test_a_wide_xlsx_with_numbers_typed_as_numbers_is_read(village: Settlement) -> None:
    data = xlsx_bytes(
        [["code", "kato", "атауы", 2023, "2024"], ["internet", int(village.kato), "Ауыл", 61.5, 70], [None, None]]
    )
    parsed = check(data, "values.xlsx")
    assert parsed.errors == []
    assert [(r.period_start.year, r.value) for r in parsed.rows] == [(2023, Decimal("61.5")), (2024, Decimal("70"))]


def test_a_long_xlsx_is_read_from_its_first_sheet(village: Settlement) -> None:
    data = xlsx_bytes([["CODE", "KATO", "PERIOD", "VALUE", "SOURCE"], ["births", village.kato, "2024", 12, "ЗАГС"]])
    parsed = check(data, "upload.bin", source="Ignored when the row has one")
    assert parsed.errors == []
    assert [(r.value, r.source) for r in parsed.rows] == [(Decimal("12"), "ЗАГС")]


def test_a_row_without_a_source_takes_the_given_one_then_the_indicators(village: Settlement) -> None:
    text = f"code,kato,period,value\nbirths,{village.kato},2024,12\n"
    assert check(csv_bytes(text), source="Акимат").rows[0].source == "Акимат"
    assert check(csv_bytes(text)).rows[0].source == Indicator.objects.get(code="births").source


def test_kato_codes_resolve_to_a_district_an_okrug_or_a_settlement(village: Settlement) -> None:
    okrug, district = village.okrug, village.district
    assert okrug is not None
    parsed = check(
        csv_bytes(
            f"code,kato,period,value\npopulation,{district.kato},2024,9\n"
            f"population,{okrug.kato},2024,8\npopulation,{village.kato},2024,7\n"
        )
    )
    assert [(r.territory_kind, r.territory_id) for r in parsed.rows] == [
        ("district", district.pk),
        ("okrug", okrug.pk),
        ("settlement", village.pk),
    ]


# Row errors ---------------------------------------------------------------------------------------


def test_an_unknown_indicator_code_is_named_with_its_row_and_column(village: Settlement) -> None:
    parsed = check(
        csv_bytes(f"code,kato,period,value\npopulation,{village.kato},2024,5\nwells,{village.kato},2024,5\n")
    )
    assert only_error(parsed) == (3, "code", "Unknown indicator code “wells”.")


def test_an_unknown_kato_code_is_refused(village: Settlement) -> None:
    parsed = check(csv_bytes("code,kato,period,value\npopulation,279999999,2024,5\n"))
    assert only_error(parsed) == (2, "kato", "Unknown KATO code 279999999: no district, okrug or settlement has it.")


def test_a_kato_code_that_is_not_nine_digits_is_refused(village: Settlement) -> None:
    parsed = check(csv_bytes("code,kato,period,value\npopulation,27AB,2024,5\n"))
    assert only_error(parsed) == (2, "kato", "The KATO code “27AB” is not 9 digits.")


def test_a_retired_kato_code_is_refused() -> None:
    village = SettlementFactory(retired_at=timezone.now())
    parsed = check(csv_bytes(f"code,kato,period,value\npopulation,{village.kato},2024,5\n"))
    assert only_error(parsed) == (2, "kato", f"The KATO code {village.kato} belongs to a retired territorial unit.")


def test_text_in_a_number_is_refused(village: Settlement) -> None:
    parsed = check(csv_bytes(f"code,kato,period,value\npopulation,{village.kato},2024,about 500\n"))
    assert only_error(parsed) == (2, "value", "“about 500” is not a number.")


def test_text_in_a_wide_cell_names_the_period_column(village: Settlement) -> None:
    parsed = check(csv_bytes(f"code,kato,2023,2024\npopulation,{village.kato},500,n/a\n"))
    assert only_error(parsed) == (2, "2024", "“n/a” is not a number.")


def test_a_duplicated_row_names_both_rows(village: Settlement) -> None:
    parsed = check(
        csv_bytes(
            f"code,kato,period,value\npopulation,{village.kato},2024,5\n"
            f"births,{village.kato},2024,1\npopulation,{village.kato},2024,6\n"
        )
    )
    row, column, message = only_error(parsed)
    assert (row, column) == (4, "period")
    assert message == "Row 4 repeats row 2: the same indicator, KATO code and period."


def test_the_same_quarter_written_two_ways_is_a_duplicate(village: Settlement) -> None:
    parsed = check(csv_bytes(f"code,kato,period,value\ngas,{village.kato},2024-Q1,5\ngas,{village.kato},2024Q1,6\n"))
    assert only_error(parsed)[:2] == (3, "period")


def test_an_unreadable_period_is_refused(village: Settlement) -> None:
    parsed = check(csv_bytes(f"code,kato,period,value\npopulation,{village.kato},2024-14,5\n"))
    assert only_error(parsed) == (2, "period", "The period “2024-14” is not a year, a quarter or a month.")


def test_a_wide_column_that_is_not_a_period_is_refused_in_the_header(village: Settlement) -> None:
    parsed = check(csv_bytes(f"code,kato,2024,notes\npopulation,{village.kato},5,x\n"))
    assert only_error(parsed) == (1, "notes", "The column “notes” is not a period (2024, 2024-Q1 or 2024-03).")


def test_a_missing_column_is_reported_on_row_one(village: Settlement) -> None:
    parsed = check(csv_bytes(f"code,kato,period\npopulation,{village.kato},2024\n"))
    assert only_error(parsed) == (1, "value", "The header lacks the column “value”.")
    assert parsed.rows == []


def test_a_header_with_no_period_at_all_is_refused() -> None:
    parsed = check(csv_bytes("code,kato,name\npopulation,271000000,x\n"))
    assert only_error(parsed)[:2] == (1, "")


def test_a_percentage_over_one_hundred_is_refused(village: Settlement) -> None:
    parsed = check(csv_bytes(f"code,kato,period,value\npiped_water,{village.kato},2024,100,5\n".replace(",5\n", "\n")))
    assert parsed.errors == []
    parsed = check(csv_bytes(f"code;kato;period;value\npiped_water;{village.kato};2024;100,5\n"))
    assert only_error(parsed) == (2, "value", "100,5 is not a percentage from 0 to 100.")


def test_a_negative_count_is_refused_but_net_migration_may_be_negative(village: Settlement) -> None:
    parsed = check(
        csv_bytes(f"code,kato,period,value\nnet_migration,{village.kato},2024,-12\nbirths,{village.kato},2024,-1\n")
    )
    assert only_error(parsed) == (3, "value", "-1 is negative; this indicator cannot be below zero.")
    assert [r.value for r in parsed.rows] == [Decimal("-12")]


def test_every_error_in_the_file_is_reported_not_only_the_first(village: Settlement) -> None:
    parsed = check(csv_bytes("code,kato,period,value\nwells,279999999,someday,x\n"))
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "code"), (2, "kato"), (2, "period"), (2, "value")]


def test_an_empty_or_binary_file_cannot_be_read() -> None:
    with pytest.raises(IndicatorFileError):
        read_table(b"  \n", "empty.csv")
    with pytest.raises(IndicatorFileError):
        read_table(b"\xff\xfe\x00bad", "bad.csv")
    with pytest.raises(IndicatorFileError):
        read_table(b"PK\x03\x04 not really a workbook", "bad.xlsx")


# Translation --------------------------------------------------------------------------------------


def test_row_errors_render_in_the_language_active_when_shown(village: Settlement) -> None:
    parsed = check(csv_bytes(f"code,kato,period,value\nwells,{village.kato},2024,5\n"))
    error = parsed.errors[0]
    with translation.override("en"):
        assert str(error.message) == "Unknown indicator code “wells”."
    with translation.override("kk"):
        assert str(error.message) == "«wells» деген көрсеткіш коды белгісіз."
    with translation.override("ru"):
        assert str(error.message) == "Неизвестный код показателя «wells»."


def test_stored_errors_render_again_through_the_catalogue(village: Settlement, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = check(csv_bytes(f"code,kato,period,value\nwells,{village.kato},2024,5\n"))
    with translation.override("en"):
        stored = [error.as_json() for error in parsed.errors]
    assert stored[0]["message"] == "Unknown indicator code “wells”."
    again = stored_errors(stored)[0]
    assert (again.row, again.column) == (2, "code")
    # Rendered when shown, not when stored: a different catalogue gives a different text.
    monkeypatch.setattr("kenes.indicators.importer.gettext", lambda msgid: "Код: %(code)s")
    assert str(again.message) == "Код: wells"
