"""Scorecards as files: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Cyrillic)
and XLSX (openpyxl). One row per territory, the same columns as the page, numbers as numbers
(an empty cell where the page shows "—"). Rows from demo data say so in a "DEMO DATA" column,
and an XLSX sheet with any carries the label above the table as well.

Territory names come from the classifier, but a cell starting with "=", "+", "-" or "@" is still
written as plain text, never as a formula a spreadsheet would run.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kenes.accountability.scorecards import Scorecard

Value = str | int | float | None

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ScorecardSheet:
    """What an export holds: a title (territory and period), the rows, and the file name stem
    (`scorecard-okrug-274430000-2026`)."""

    title: str
    rows: Sequence[Scorecard]
    filename: str

    @property
    def is_demo(self) -> bool:
        return any(row.is_demo for row in self.rows)


def columns() -> list[tuple[str, Callable[[Scorecard], Value]]]:
    """The headers (in the active language) and how each cell is read from a row."""
    return [
        (_("Territory"), lambda row: row.label),
        (_("KATO code"), lambda row: row.kato),
        (_("Councils"), lambda row: row.councils),
        (_("Population"), lambda row: row.population),
        (_("Councils with a known population"), lambda row: row.population_councils),
        (_("Recommendations sent"), lambda row: row.sent),
        (_("Answered"), lambda row: row.answered),
        (_("Deadline come"), lambda row: row.due),
        (_("Answered on time"), lambda row: row.answered_on_time),
        (_("Answered on time, %"), lambda row: row.on_time_percent),
        (_("Answered late"), lambda row: row.answered_late),
        (_("Median working days to answer"), lambda row: row.median_days_to_answer),
        (_("Accepted"), lambda row: row.accepted),
        (_("Partially accepted"), lambda row: row.partially_accepted),
        (_("Declined"), lambda row: row.declined),
        (_("Overdue now"), lambda row: row.overdue),
        (_("Implemented"), lambda row: row.implemented),
        (_("Implemented, %"), lambda row: row.implemented_percent),
        (_("Proposals submitted"), lambda row: row.proposals),
        (_("Proposals per 1,000 residents"), lambda row: row.proposals_per_1000),
        (_("Supports"), lambda row: row.supports_total),
        (_("Supports on recommended proposals"), lambda row: row.supports_recommended),
        (_("Supports turned into recommendations, %"), lambda row: row.supports_recommended_percent),
        (_("DEMO DATA"), lambda row: _("DEMO DATA") if row.is_demo else ""),
    ]


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _table(sheet: ScorecardSheet) -> tuple[list[str], list[list[Value]]]:
    chosen = columns()
    headers = [header for header, _read in chosen]
    rows = [[read(row) for _header, read in chosen] for row in sheet.rows]
    return headers, rows


def scorecard_csv(sheet: ScorecardSheet) -> bytes:
    headers, rows = _table(sheet)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else _text(value) if isinstance(value, str) else value for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def scorecard_xlsx(sheet: ScorecardSheet) -> bytes:
    # Imported here: only the XLSX export pays for openpyxl.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    headers, rows = _table(sheet)
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = _("Scorecard")[:31]
    page.append([ILLEGAL_CHARACTERS_RE.sub("", sheet.title)])
    page["A1"].font = Font(bold=True, size=13)
    if sheet.is_demo:
        page.append([_("DEMO DATA: these figures come from demonstration data, not from a real council.")])
        page.cell(row=page.max_row, column=1).font = Font(bold=True, color="9C0006")
    page.append([])
    page.append(headers)
    header_row = page.max_row
    for cell in page[header_row]:
        cell.font = Font(bold=True)
    for values in rows:
        page.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in values])
        for cell in page[page.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even when it starts with "="
    page.freeze_panes = page.cell(row=header_row + 1, column=2)
    page.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
