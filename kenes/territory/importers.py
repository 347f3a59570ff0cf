"""Reading the official classifier (KATO) and planning what the territory should look like.

Nothing here touches the database: `read_kato_file` turns a CSV or XLSX file into rows and
`plan_territory` turns rows into units with their parents, or raises `KatoFileError` naming the
row (1-based, the header is row 1). `services.import_kato` applies the plan.

The level of a unit comes from its 9-digit code AB CD EF HIJ:
CD = 00 → region; EF = 00 and HIJ = 000 → district; HIJ = 000 → okrug; otherwise a settlement.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kenes.core.errors import DomainError
from kenes.territory.models import Okrug, Settlement
from kenes.territory.normalise import Level, UnitNames, clean_spaces, clean_unit_names, okrug_abbreviation

CSV_COLUMNS = ("kato", "type_code", "name_ru", "name_kk")
XLSX_COLUMNS = ("te", "ab", "cd", "ef", "hij", "k", "kaz_name", "rus_name", "nn")
XLSX_REQUIRED = ("te", "k", "kaz_name", "rus_name")
_CODE = re.compile(r"^[0-9]{9}$")
_REGION = re.compile(r"^[0-9]{2}$")
_CITY_REGION_TYPE = 1  # Astana, Almaty, Shymkent: cities of republican significance


class KatoFileError(DomainError):
    """A malformed classifier file; `row` is the 1-based row (the header is row 1), or 0."""

    def __init__(self, message: str, code: str, *, row: int = 0) -> None:
        super().__init__(message, code)
        self.row = row


@dataclass(frozen=True)
class KatoRow:
    row: int
    kato: str
    type_code: int
    name_kk: str
    name_ru: str
    version: str = ""


@dataclass(frozen=True)
class PlannedUnit:
    row: int
    level: Level
    kato: str
    type_code: int
    names: UnitNames
    parent: str = ""  # the region of a district; the district of an okrug or a settlement
    okrug: str = ""  # a settlement's okrug, "" when it sits directly under its district
    okrug_kind: str = ""
    is_city: bool = False
    area: str = ""
    is_main: bool = False


@dataclass(frozen=True)
class TerritoryPlan:
    rows: int
    version: str
    regions: list[PlannedUnit] = field(default_factory=list)
    districts: list[PlannedUnit] = field(default_factory=list)
    okrugs: list[PlannedUnit] = field(default_factory=list)
    settlements: list[PlannedUnit] = field(default_factory=list)


def level_of(kato: str) -> Level:
    if kato[2:4] == "00":
        return "region"
    if kato[4:6] == "00" and kato[6:] == "000":
        return "district"
    if kato[6:] == "000":
        return "okrug"
    return "settlement"


def region_code(region: str) -> str:
    """Validates a --region argument ("27") and returns it."""
    value = region.strip()
    if not _REGION.match(value):
        raise KatoFileError(_("The region must be two digits, for example 27."), code="kato_bad_region")
    return value


# Reading -----------------------------------------------------------------------------------------


def read_kato_file(data: bytes) -> list[KatoRow]:
    """Rows of a CSV (UTF-8, our shared shape) or an XLSX workbook (the official stat.gov.kz shape)."""
    if not data.strip():
        raise KatoFileError(_("The classifier file is empty."), code="kato_file_empty")
    if data[:4] == b"PK\x03\x04":
        return list(_read_xlsx(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise KatoFileError(
            _("The classifier file is neither UTF-8 text (CSV) nor an XLSX workbook."), code="kato_bad_format"
        ) from error
    return list(_read_csv(text))


def _missing_columns(missing: Iterable[str]) -> KatoFileError:
    return KatoFileError(
        _("Row %(row)d: the header lacks the column(s) %(columns)s.") % {"row": 1, "columns": ", ".join(missing)},
        code="kato_missing_column",
        row=1,
    )


def _read_csv(text: str) -> Iterator[KatoRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [clean_spaces(name).lower() for name in next(reader, [])]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise _missing_columns(missing)
    index = {name: header.index(name) for name in header}
    version_at = index.get("kato_version")
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise KatoFileError(
                _("Row %(row)d: the number of columns is %(found)d, the header has %(expected)d.")
                % {"row": number, "expected": len(header), "found": len(record)},
                code="kato_column_count",
                row=number,
            )
        yield _row(
            number,
            kato=record[index["kato"]],
            type_code=record[index["type_code"]],
            name_kk=record[index["name_kk"]],
            name_ru=record[index["name_ru"]],
            version=record[version_at] if version_at is not None else "",
        )


def _cell(value: Any) -> str:
    """A worksheet cell as text: codes typed as numbers lose no digits and gain no ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> Iterator[KatoRow]:
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise KatoFileError(_("The XLSX workbook cannot be read."), code="kato_bad_format") from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell(value).lower() for value in next(rows, ())]
        missing = [name for name in XLSX_REQUIRED if name not in header]
        if missing:
            raise _missing_columns(missing)
        while header and not header[-1]:
            header.pop()
        index = {name: header.index(name) for name in XLSX_COLUMNS if name in header}
        for number, values in enumerate(rows, start=2):
            cells = [_cell(value) for value in values]
            if not any(cells):
                continue
            # A worksheet row may stop at its last filled cell; cells past the header are an error.
            cells += [""] * (len(header) - len(cells))
            if any(cells[len(header) :]):
                found = max(i for i, cell in enumerate(cells) if cell) + 1
                raise KatoFileError(
                    _("Row %(row)d: the number of columns is %(found)d, the header has %(expected)d.")
                    % {"row": number, "expected": len(header), "found": found},
                    code="kato_column_count",
                    row=number,
                )
            kato = cells[index["te"]]
            _check_parts(number, kato, [(cells[index[p]], w) for p, w in _PARTS if p in index])
            yield _row(
                number,
                kato=kato,
                type_code=cells[index["k"]],
                name_kk=cells[index["kaz_name"]],
                name_ru=cells[index["rus_name"]],
            )
    finally:
        workbook.close()


_PARTS = (("ab", 2), ("cd", 2), ("ef", 2), ("hij", 3))


def _check_parts(number: int, kato: str, parts: Sequence[tuple[str, int]]) -> None:
    """The workbook repeats the code in its parts ab, cd, ef, hij: they must agree with te."""
    if len(parts) != len(_PARTS) or not all(value for value, _width in parts):
        return
    joined = "".join(value.zfill(width) for value, width in parts)
    if _CODE.match(kato) and joined != kato:
        raise KatoFileError(
            _("Row %(row)d: the code %(code)s does not match its parts %(parts)s.")
            % {"row": number, "code": kato, "parts": joined},
            code="kato_code_parts_mismatch",
            row=number,
        )


def _row(number: int, *, kato: str, type_code: str, name_kk: str, name_ru: str, version: str = "") -> KatoRow:
    code = kato.strip()
    if not _CODE.match(code):
        raise KatoFileError(
            _("Row %(row)d: the KATO code “%(code)s” is not 9 digits.") % {"row": number, "code": code[:20]},
            code="kato_bad_code",
            row=number,
        )
    kind = type_code.strip()
    if not re.fullmatch(r"[0-9]", kind):
        raise KatoFileError(
            _("Row %(row)d: the type code “%(value)s” is not a number from 0 to 9.")
            % {"row": number, "value": kind[:20]},
            code="kato_bad_type_code",
            row=number,
        )
    if not clean_spaces(name_kk) or not clean_spaces(name_ru):
        raise KatoFileError(
            _("Row %(row)d: the name in Kazakh or Russian is empty.") % {"row": number},
            code="kato_empty_name",
            row=number,
        )
    return KatoRow(
        row=number,
        kato=code,
        type_code=int(kind),
        name_kk=name_kk,
        name_ru=name_ru,
        version=clean_spaces(version),
    )


# Planning ----------------------------------------------------------------------------------------


def _parent_missing(row: KatoRow, parent: str) -> KatoFileError:
    return KatoFileError(
        _("Row %(row)d: the parent unit %(parent)s of %(code)s is not in the file.")
        % {"row": row.row, "parent": parent, "code": row.kato},
        code="kato_parent_missing",
        row=row.row,
    )


def okrug_kind(names: UnitNames, *, type_code: int) -> str:
    abbreviations = {
        okrug_abbreviation(names.name_ru, language="ru"),
        okrug_abbreviation(names.name_kk, language="kk"),
    }
    if abbreviations & {"п.а", "к.ә"}:
        return Okrug.Kind.SETTLEMENT_ADMINISTRATION
    if abbreviations & {"г.а", "қ.ә"}:
        return Okrug.Kind.TOWN_ADMINISTRATION
    if names.name_ru.startswith("г.") or names.name_kk.endswith(" қ."):
        return Okrug.Kind.CITY
    if type_code == 2:
        return Okrug.Kind.RURAL_OKRUG
    return Okrug.Kind.SETTLEMENT_ADMINISTRATION


def _is_city_administration(names: UnitNames) -> bool:
    return names.name_ru.endswith("Г.А.") or names.name_kk.endswith("Қ.Ә.")


def plan_territory(rows: Sequence[KatoRow], *, region: str | None = None) -> TerritoryPlan:
    """Every row placed under its parent, by code prefix. Raises `KatoFileError` on the first
    duplicate code or missing parent."""
    first_seen: dict[str, int] = {}
    for row in rows:
        if row.kato in first_seen:
            raise KatoFileError(
                _("Row %(row)d: the code %(code)s appears twice (first in row %(first)d).")
                % {"row": row.row, "code": row.kato, "first": first_seen[row.kato]},
                code="kato_duplicate_code",
                row=row.row,
            )
        first_seen[row.kato] = row.row

    selected = [row for row in rows if region is None or row.kato.startswith(region)]
    if not selected:
        raise KatoFileError(
            _("The file has no rows for region %(region)s.") % {"region": region}, code="kato_region_empty"
        )
    by_level: dict[Level, list[KatoRow]] = {"region": [], "district": [], "okrug": [], "settlement": []}
    for row in selected:
        by_level[level_of(row.kato)].append(row)

    versions = sorted({row.version for row in selected if row.version})
    plan = TerritoryPlan(rows=len(selected), version=", ".join(versions))
    regions = {row.kato: row for row in by_level["region"]}
    for row in by_level["region"]:
        plan.regions.append(_unit(row, "region"))
    for row in by_level["district"]:
        parent = row.kato[:2] + "0000000"
        if parent not in regions:
            raise _parent_missing(row, parent)
        names = clean_unit_names(name_kk=row.name_kk, name_ru=row.name_ru, level="district")
        plan.districts.append(_unit(row, "district", names, parent=parent, is_city=_is_city_administration(names)))

    districts = {unit.kato for unit in plan.districts}
    okrugs: set[str] = set()
    for row in by_level["okrug"]:
        parent = row.kato[:4] + "00000"
        if parent in districts:
            names = clean_unit_names(name_kk=row.name_kk, name_ru=row.name_ru, level="okrug")
            kind = okrug_kind(names, type_code=row.type_code)
            plan.okrugs.append(_unit(row, "okrug", names, parent=parent, okrug_kind=kind))
            okrugs.add(row.kato)
            continue
        # The cities of republican significance list their city districts on the okrug level with
        # no district row above them: they are the districts of that city.
        city = regions.get(row.kato[:2] + "0000000")
        if city is None or city.type_code != _CITY_REGION_TYPE:
            raise _parent_missing(row, parent)
        plan.districts.append(_unit(row, "district", parent=city.kato))
        districts.add(row.kato)

    for row in by_level["settlement"]:
        district = row.kato[:4] + "00000"
        okrug = row.kato[:6] + "000"
        if district not in districts:
            if okrug not in districts:
                raise _parent_missing(row, district)
            district = okrug
        plan.settlements.append(
            _unit(
                row,
                "settlement",
                parent=district,
                okrug=okrug if okrug in okrugs else "",
                area=Settlement.Area.URBAN if row.type_code == 1 else Settlement.Area.RURAL,
                is_main=row.kato.endswith("00"),
            )
        )
    return plan


def _unit(row: KatoRow, level: Level, names: UnitNames | None = None, **values: Any) -> PlannedUnit:
    if names is None:
        names = clean_unit_names(name_kk=row.name_kk, name_ru=row.name_ru, level=level)
    return PlannedUnit(row=row.row, level=level, kato=row.kato, type_code=row.type_code, names=names, **values)
