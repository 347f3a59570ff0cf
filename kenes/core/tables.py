"""Tables as files people open in a spreadsheet: CSV (UTF-8 with a byte-order mark, so spreadsheet
programs read Cyrillic) and XLSX (openpyxl). Numbers stay numbers; an empty cell stands where a page
shows "—". A text cell starting with "=", "+", "-" or "@" is written as plain text, never as a
formula a spreadsheet would run, whatever its origin.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Cell = str | int | float | Decimal | None

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """A title, a note under it (e.g. the demo label; empty for none), column headers and rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    note: str = ""
    sheet: str = "Table"
    notes_below: Sequence[str] = field(default_factory=list)


def safe_text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return value


def table_csv(table: Table) -> bytes:
    """The title and note as the first lines (when given), then the header row and the rows."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    if table.title:
        writer.writerow([safe_text(table.title)])
    if table.note:
        writer.writerow([safe_text(table.note)])
    writer.writerow([safe_text(header) for header in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    for note in table.notes_below:
        writer.writerow([safe_text(note)])
    return buffer.getvalue().encode("utf-8-sig")


def table_xlsx(table: Table) -> bytes:
    # Imported here: only the XLSX export pays for openpyxl.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def clean(value: Cell) -> str | int | float | None:
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("", value)
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral() else float(value)
        return value

    book = Workbook()
    page = book.active
    assert page is not None
    page.title = ILLEGAL_CHARACTERS_RE.sub("", table.sheet)[:31] or "Table"
    page.append([clean(table.title)])
    page["A1"].font = Font(bold=True, size=13)
    if table.note:
        page.append([clean(table.note)])
        page.cell(row=page.max_row, column=1).font = Font(bold=True, color="9C0006")
    page.append([])
    page.append([clean(header) for header in table.headers])
    header_row = page.max_row
    for cell in page[header_row]:
        cell.font = Font(bold=True)
    for values in table.rows:
        page.append([clean(value) for value in values])
        for cell in page[page.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even when it starts with "="
    if table.notes_below:
        page.append([])
        for note in table.notes_below:
            page.append([clean(note)])
    page.freeze_panes = page.cell(row=header_row + 1, column=2)
    page.column_dimensions["A"].width = 36
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
