"""Reading indicator files: CSV or XLSX, in long form (code, kato, period, value) or wide form
(code, kato and one column per period), into checked rows or row errors.

Nothing here writes to the database: `read_table` turns a file into a header and rows,
`parse` checks every row against the catalogue and the territory (both passed in as dicts, so a
100,000-row file costs no query per row) and returns the rows with every error found, each naming
its 1-based file row (the header is row 1) and column. `services.import_indicator_file` writes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, gettext_noop

from kenes.core.errors import DomainError
from kenes.indicators.models import Indicator, PeriodKind

LONG = "long"
WIDE = "wide"
REQUIRED = ("code", "kato")
LONG_COLUMNS = ("period", "value")
IGNORED_COLUMNS = frozenset({"name", "атауы", "название", "source"})
_KATO = re.compile(r"^[0-9]{9}$")
_YEAR = re.compile(r"^([0-9]{4})$")
_QUARTER = re.compile(r"^([0-9]{4})\s*-?\s*[QqКк]([1-4])$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\u2007'")
_LIMIT = Decimal("1e14")  # the column holds 18 digits, 4 of them after the point
_PLACES = Decimal("0.0001")
_HUNDRED = Decimal(100)
_MIN_YEAR, _MAX_YEAR = 1900, 2100


class IndicatorFileError(DomainError):
    """The file as a whole cannot be read (not CSV text, not a workbook, empty)."""


def _render(msgid: str, params: Mapping[str, Any]) -> str:
    text = gettext(msgid)
    return text % dict(params) if params else text


_render_lazy = lazy(_render, str)


@dataclass(frozen=True)
class RowError:
    """One thing wrong in the file. `message` is lazy: it renders in the language active when it
    is shown; `msgid` and `params` let a stored error be rendered again in another language."""

    row: int
    column: str
    message: str | Promise
    msgid: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": str(self.message),
            "msgid": self.msgid,
            "params": dict(self.params),
        }


def row_error(row: int, column: str, msgid: str, /, **params: Any) -> RowError:
    return RowError(row=row, column=column, message=_render_lazy(msgid, params), msgid=msgid, params=params)


def stored_errors(errors: Sequence[Mapping[str, Any]]) -> list[RowError]:
    """The errors kept on an `ImportBatch`, rendered lazily again (in the viewer's language)."""
    result = []
    for item in errors:
        msgid = str(item.get("msgid") or "")
        params = dict(item.get("params") or {})
        message = _render_lazy(msgid, params) if msgid else str(item.get("message", ""))
        result.append(
            RowError(row=int(item.get("row", 0)), column=str(item.get("column", "")), message=message, msgid=msgid)
        )
    return result


@dataclass(frozen=True)
class Table:
    header: list[str]  # as written in the file, spaces trimmed
    rows: list[tuple[int, list[str]]]  # (1-based file row, cells); blank rows are left out


@dataclass(frozen=True)
class TerritoryRef:
    kind: str  # "district", "okrug" or "settlement": the IndicatorValue field it fills
    id: int
    retired: bool = False


@dataclass(frozen=True, slots=True)
class ParsedRow:
    row: int
    indicator_id: int
    territory_kind: str
    territory_id: int
    period_kind: str
    period_start: date
    value: Decimal
    source: str


@dataclass(frozen=True)
class Parsed:
    rows: list[ParsedRow]
    errors: list[RowError]
    layout: str  # "long", "wide" or "" when the header could not be read


# Reading -----------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A cell as text: numbers typed in a worksheet lose no digits and gain no ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        # A period column typed as a date in a worksheet: its month.
        return f"{value.year:04d}-{value.month:02d}"
    return str(value).strip()


def read_table(upload: bytes | IO[bytes], file_name: str = "") -> Table:
    """The header and rows of a CSV (UTF-8, with or without BOM, `,` or `;`) or the first sheet
    of an XLSX workbook. Raises `IndicatorFileError` when the file cannot be read at all."""
    data = upload if isinstance(upload, bytes) else upload.read()
    if not data.strip():
        raise IndicatorFileError(gettext("The file is empty."), code="indicator_file_empty")
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IndicatorFileError(
            gettext("The file is neither UTF-8 text (CSV) nor an XLSX workbook."), code="indicator_bad_format"
        ) from error
    return _read_csv(text)


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _read_csv(text: str) -> Table:
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    header = [cell.strip() for cell in next(reader, [])]
    rows = []
    for number, record in enumerate(reader, start=2):
        cells = [cell.strip() for cell in record]
        if any(cells):
            rows.append((number, cells))
    return Table(header=header, rows=rows)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise IndicatorFileError(gettext("The XLSX workbook cannot be read."), code="indicator_bad_format") from error
    try:
        values = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_cell(value) for value in next(values, ())]
        while header and not header[-1]:
            header.pop()
        rows = []
        for number, record in enumerate(values, start=2):
            cells = [_cell(value) for value in record]
            if any(cells):
                rows.append((number, cells))
    finally:
        workbook.close()
    return Table(header=header, rows=rows)


# Cells -------------------------------------------------------------------------------------------


def parse_period(text: str) -> tuple[str, date] | None:
    """`2023` → a year, `2024-Q1` / `2024Q1` → a quarter, `2024-03` → a month; None if unreadable."""
    value = text.strip()
    if match := _YEAR.match(value):
        year = int(match[1])
        return (PeriodKind.YEAR, date(year, 1, 1)) if _MIN_YEAR <= year <= _MAX_YEAR else None
    if match := _QUARTER.match(value):
        year, quarter = int(match[1]), int(match[2])
        return (PeriodKind.QUARTER, date(year, 3 * quarter - 2, 1)) if _MIN_YEAR <= year <= _MAX_YEAR else None
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if _MIN_YEAR <= year <= _MAX_YEAR and 1 <= month <= 12:
            return PeriodKind.MONTH, date(year, month, 1)
    return None


def parse_number(text: str) -> Decimal | None:
    """`1 234,5`, `1234.5`, `12,5` → a Decimal; None when the cell is not a plain number."""
    value = text.translate(_SPACES)
    if value.endswith("%"):
        value = value[:-1]
    if "," in value:
        if "." in value or value.count(",") > 1:
            return None
        value = value.replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# Checking ----------------------------------------------------------------------------------------


def _header_index(header: Sequence[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name.strip().lower(), position)
    return index


def parse(
    table: Table,
    *,
    indicators: Mapping[str, Indicator],
    territories: Mapping[str, TerritoryRef],
    source: str = "",
) -> Parsed:
    """Every row checked; all errors are collected (not only the first), so a file is fixed in one go.

    `indicators` maps codes to catalogue rows, `territories` KATO codes to `TerritoryRef`s. A row's
    source is its `source` column, else `source`, else the indicator's own source.
    """
    index = _header_index(table.header)
    missing = [name for name in REQUIRED if name not in index]
    if "period" in index or "value" in index:
        missing += [name for name in LONG_COLUMNS if name not in index]
        layout = LONG
    else:
        layout = WIDE
    errors: list[RowError] = [
        row_error(1, name, gettext_noop("The header lacks the column “%(column)s”."), column=name) for name in missing
    ]
    periods: list[tuple[int, str, tuple[str, date]]] = []
    if layout == WIDE:
        seen: dict[tuple[str, date], str] = {}
        for position, name in enumerate(table.header):
            key = name.strip().lower()
            if not key or key in REQUIRED or key in IGNORED_COLUMNS:
                continue
            period = parse_period(name)
            if period is None:
                errors.append(
                    row_error(
                        1,
                        name,
                        gettext_noop("The column “%(column)s” is not a period (2024, 2024-Q1 or 2024-03)."),
                        column=name,
                    )
                )
            elif period in seen:
                errors.append(
                    row_error(
                        1,
                        name,
                        gettext_noop("The column “%(column)s” repeats the period of the column “%(first)s”."),
                        column=name,
                        first=seen[period],
                    )
                )
            else:
                seen[period] = name
                periods.append((position, name, period))
        if not periods and not missing:
            errors.append(
                row_error(
                    1,
                    "",
                    gettext_noop(
                        "The header has neither the columns “period” and “value” (long form) "
                        "nor a column per period such as 2024 (wide form)."
                    ),
                )
            )
    if errors:
        return Parsed(rows=[], errors=errors, layout=layout if not missing else "")

    checker = _RowChecker(indicators=indicators, territories=territories, default_source=source.strip())
    code_at, kato_at, source_at = index["code"], index["kato"], index.get("source")
    if layout == LONG:
        period_at, value_at = index["period"], index["value"]
        for number, cells in table.rows:
            cells += [""] * (len(table.header) - len(cells))
            checker.check(
                number,
                code=cells[code_at],
                kato=cells[kato_at],
                row_source=cells[source_at] if source_at is not None else "",
                cells=[("period", cells[period_at], None, "value", cells[value_at])],
            )
    else:
        for number, cells in table.rows:
            cells += [""] * (len(table.header) - len(cells))
            checker.check(
                number,
                code=cells[code_at],
                kato=cells[kato_at],
                row_source=cells[source_at] if source_at is not None else "",
                cells=[(name, "", period, name, cells[position]) for position, name, period in periods],
            )
    return Parsed(rows=checker.rows, errors=checker.errors, layout=layout)


class _RowChecker:
    def __init__(
        self, *, indicators: Mapping[str, Indicator], territories: Mapping[str, TerritoryRef], default_source: str
    ) -> None:
        self.indicators = indicators
        self.territories = territories
        self.default_source = default_source
        self.rows: list[ParsedRow] = []
        self.errors: list[RowError] = []
        self.first_seen: dict[tuple[int, str, str, date], int] = {}

    def check(
        self,
        number: int,
        *,
        code: str,
        kato: str,
        row_source: str,
        cells: Sequence[tuple[str, str, tuple[str, date] | None, str, str]],
    ) -> None:
        """`cells`: (period column, period text, or the period already read from the header,
        value column, value text) — one for a long row, one per period column for a wide row."""
        errors = self.errors
        indicator = self.indicators.get(code.strip().lower())
        if indicator is None:
            errors.append(row_error(number, "code", gettext_noop("Unknown indicator code “%(code)s”."), code=code[:60]))
        territory = self._territory(number, kato.strip())
        for period_column, period_text, header_period, value_column, value_text in cells:
            if header_period is None:
                period = parse_period(period_text)
                if period is None:
                    errors.append(
                        row_error(
                            number,
                            period_column,
                            gettext_noop("The period “%(period)s” is not a year, a quarter or a month."),
                            period=period_text[:30],
                        )
                    )
            else:
                period = header_period
                if not value_text:
                    continue  # an empty cell of a wide file: no value for that period
            number_value = self._value(number, value_column, value_text, indicator)
            if indicator is None or territory is None or period is None or number_value is None:
                continue
            key = (indicator.pk, territory.kind + str(territory.id), period[0], period[1])
            first = self.first_seen.setdefault(key, number)
            if first != number:
                errors.append(
                    row_error(
                        number,
                        period_column,
                        gettext_noop("Row %(row)d repeats row %(first)d: the same indicator, KATO code and period."),
                        row=number,
                        first=first,
                    )
                )
                continue
            self.rows.append(
                ParsedRow(
                    row=number,
                    indicator_id=indicator.pk,
                    territory_kind=territory.kind,
                    territory_id=territory.id,
                    period_kind=period[0],
                    period_start=period[1],
                    value=number_value,
                    source=(row_source.strip() or self.default_source or indicator.source)[:300],
                )
            )

    def _territory(self, number: int, kato: str) -> TerritoryRef | None:
        if not _KATO.match(kato):
            self.errors.append(
                row_error(number, "kato", gettext_noop("The KATO code “%(kato)s” is not 9 digits."), kato=kato[:20])
            )
            return None
        territory = self.territories.get(kato)
        if territory is None:
            self.errors.append(
                row_error(
                    number,
                    "kato",
                    gettext_noop("Unknown KATO code %(kato)s: no district, okrug or settlement has it."),
                    kato=kato,
                )
            )
            return None
        if territory.retired:
            self.errors.append(
                row_error(
                    number,
                    "kato",
                    gettext_noop("The KATO code %(kato)s belongs to a retired territorial unit."),
                    kato=kato,
                )
            )
            return None
        return territory

    def _value(self, number: int, column: str, text: str, indicator: Indicator | None) -> Decimal | None:
        value = parse_number(text)
        if value is None:
            empty = gettext_noop("The value is empty.")
            message = gettext_noop("“%(value)s” is not a number.") if text else empty
            self.errors.append(row_error(number, column, message, value=text[:30]))
            return None
        if abs(value) >= _LIMIT:
            self.errors.append(
                row_error(number, column, gettext_noop("The value %(value)s is too large."), value=text[:30])
            )
            return None
        if indicator is None:
            return value.quantize(_PLACES)
        if indicator.is_percent and not Decimal(0) <= value <= _HUNDRED:
            self.errors.append(
                row_error(
                    number,
                    column,
                    gettext_noop("%(value)s is not a percentage from 0 to 100."),
                    value=text[:30],
                )
            )
            return None
        if value < 0 and not indicator.allows_negative:
            self.errors.append(
                row_error(
                    number,
                    column,
                    gettext_noop("%(value)s is negative; this indicator cannot be below zero."),
                    value=text[:30],
                )
            )
            return None
        return value.quantize(_PLACES)


def file_bytes(file: bytes | IO[bytes]) -> bytes:
    """The whole upload as bytes (an upload may have been read before: start from its beginning)."""
    if isinstance(file, bytes):
        return file
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()
