"""The Concept 2023–2027 "perspective village" list: reading a file of statuses and loading it.

A file is CSV or XLSX (read by `importer.read_table`) with the columns `kato` and `status` and an
optional `source`. Only settlements carry a status; every problem is a row error in the shape the
indicator import uses (`RowError`), so the same pages and command output show them. A load is
atomic (any error → nothing written), idempotent (the same file twice changes nothing) and a
corrected file updates the statuses it changes; each load is an `ImportBatch` and an audit row.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kenes.core.audit import record_audit
from kenes.indicators.importer import (
    IndicatorFileError,
    RowError,
    Table,
    TerritoryRef,
    file_bytes,
    read_table,
    row_error,
)
from kenes.indicators.models import ImportBatch, PerspectiveVillage
from kenes.indicators.services import batch_facts, new_batch, refuse_batch, settle_batch
from kenes.territory.models import District, Okrug, Settlement

LAYOUT = "villages"  # ImportBatch.layout of a perspective list (the column holds 8 characters)
REQUIRED = ("kato", "status")
STORED_ERRORS = 200
BATCH_SIZE = 1000
_KATO = re.compile(r"^[0-9]{9}$")

# The words a file may use for a status, lower-cased: English, Russian, Kazakh, and 1/0.
STATUS_WORDS: Mapping[str, str] = {
    **dict.fromkeys(
        ("perspective", "перспективное", "перспективалы", "1", "yes", "да", "иә"),
        PerspectiveVillage.Status.PERSPECTIVE,
    ),
    **dict.fromkeys(("other", "0", "no", "нет", "жоқ"), PerspectiveVillage.Status.NOT_PERSPECTIVE),
}


@dataclass(frozen=True, slots=True)
class StatusRow:
    row: int
    settlement_id: int
    status: str
    source: str


@dataclass(frozen=True)
class ParsedStatuses:
    rows: list[StatusRow]
    errors: list[RowError]


def settlements_by_kato() -> dict[str, TerritoryRef]:
    return {
        kato: TerritoryRef(kind="settlement", id=pk, retired=retired_at is not None)
        for pk, kato, retired_at in Settlement.objects.values_list("pk", "kato", "retired_at").iterator(chunk_size=5000)
    }


def higher_unit_codes() -> set[str]:
    """The KATO codes of districts and okrugs: a file naming one gets "not a settlement", not "unknown"."""
    return set(District.objects.values_list("kato", flat=True)) | set(Okrug.objects.values_list("kato", flat=True))


def _header_index(header: Sequence[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name.strip().lower(), position)
    return index


def parse_statuses(
    table: Table,
    *,
    settlements: Mapping[str, TerritoryRef],
    higher_units: Collection[str],
    source: str = "",
) -> ParsedStatuses:
    """Every row checked, every error collected. A row's source is its `source` cell, else `source`."""
    index = _header_index(table.header)
    missing = [name for name in REQUIRED if name not in index]
    if missing:
        return ParsedStatuses(
            rows=[],
            errors=[
                row_error(1, name, gettext_noop("The header lacks the column “%(column)s”."), column=name)
                for name in missing
            ],
        )
    kato_at, status_at, source_at = index["kato"], index["status"], index.get("source")
    rows: list[StatusRow] = []
    errors: list[RowError] = []
    first_seen: dict[str, int] = {}
    for number, cells in table.rows:
        cells = cells + [""] * (len(table.header) - len(cells))
        kato = cells[kato_at].strip()
        status_text = cells[status_at].strip()
        settlement = _settlement(number, kato, settlements, higher_units, errors)
        status = STATUS_WORDS.get(status_text.lower())
        if status is None:
            message = (
                gettext_noop("“%(status)s” is not a status: write perspective or other (1 or 0).")
                if status_text
                else gettext_noop("The status is empty: write perspective or other (1 or 0).")
            )
            errors.append(row_error(number, "status", message, status=status_text[:40]))
        if settlement is None:
            continue
        first = first_seen.setdefault(kato, number)
        if first != number:
            errors.append(
                row_error(
                    number,
                    "kato",
                    gettext_noop("Row %(row)d repeats row %(first)d: the same KATO code %(kato)s."),
                    row=number,
                    first=first,
                    kato=kato,
                )
            )
            continue
        if status is None:
            continue
        row_source = cells[source_at].strip() if source_at is not None else ""
        rows.append(
            StatusRow(row=number, settlement_id=settlement.id, status=status, source=(row_source or source)[:300])
        )
    return ParsedStatuses(rows=rows, errors=errors)


def _settlement(
    number: int,
    kato: str,
    settlements: Mapping[str, TerritoryRef],
    higher_units: Collection[str],
    errors: list[RowError],
) -> TerritoryRef | None:
    if not _KATO.match(kato):
        errors.append(
            row_error(number, "kato", gettext_noop("The KATO code “%(kato)s” is not 9 digits."), kato=kato[:20])
        )
        return None
    settlement = settlements.get(kato)
    if settlement is None:
        if kato in higher_units:
            message = gettext_noop(
                "The KATO code %(kato)s is a district or an okrug, not a settlement: only settlements have a status."
            )
        else:
            message = gettext_noop("Unknown KATO code %(kato)s: no district, okrug or settlement has it.")
        errors.append(row_error(number, "kato", message, kato=kato))
        return None
    if settlement.retired:
        errors.append(
            row_error(
                number, "kato", gettext_noop("The KATO code %(kato)s belongs to a retired territorial unit."), kato=kato
            )
        )
        return None
    return settlement


@transaction.atomic
def import_perspective_villages(
    *,
    actor: Any,
    file: bytes | IO[bytes],
    file_name: str,
    source: str = "",
    apply: bool,
    is_demo: bool = False,
) -> ImportBatch:
    """Reads, checks and (with `apply`) loads a perspective village list; returns its batch.

    Any error → the batch is `refused` with its errors and no status is written. Without `apply` →
    `previewed` with the counts a load would produce. With `apply` → new statuses created, changed
    ones (status or source) updated, the same ones left alone. A row without a source takes
    `source`, else the file's name, so every status says where it came from.
    """
    data = file_bytes(file)
    batch = new_batch(actor=actor, data=data, file_name=file_name, source=source, is_demo=is_demo, layout=LAYOUT)
    try:
        table = read_table(data, file_name)
    except IndicatorFileError as error:
        return refuse_batch(batch, [RowError(row=1, column="", message=error.message)], rows=0)
    parsed = parse_statuses(
        table,
        settlements=settlements_by_kato(),
        higher_units=higher_unit_codes(),
        source=source.strip() or file_name,
    )
    batch.rows = len(table.rows)
    if parsed.errors:
        return refuse_batch(batch, parsed.errors, rows=len(table.rows))

    # The whole list is a few thousand rows nationally: one query, and no IN (...) over thousands of ids.
    stored = {village.settlement_id: village for village in PerspectiveVillage.objects.all()}
    new_rows = [row for row in parsed.rows if row.settlement_id not in stored]
    changed = [
        (row, stored[row.settlement_id])
        for row in parsed.rows
        if row.settlement_id in stored
        and (stored[row.settlement_id].status, stored[row.settlement_id].source) != (row.status, row.source)
    ]
    batch.created, batch.updated = len(new_rows), len(changed)
    batch.unchanged = len(parsed.rows) - len(new_rows) - len(changed)
    if not settle_batch(batch, apply=apply):
        return batch
    now = timezone.now()
    # What a corrected file replaced, for the audit row: {settlement id: [old status, old source]}.
    before = {str(village.settlement_id): [village.status, village.source] for _row, village in changed}
    PerspectiveVillage.objects.bulk_create(
        [
            PerspectiveVillage(
                settlement_id=row.settlement_id,
                status=row.status,
                source=row.source,
                batch=batch,
                loaded_at=now,
                is_demo=is_demo,
            )
            for row in new_rows
        ],
        batch_size=BATCH_SIZE,
    )
    for row, village in changed:
        village.status, village.source, village.batch, village.loaded_at = row.status, row.source, batch, now
        village.is_demo = is_demo
    PerspectiveVillage.objects.bulk_update(
        [village for _row, village in changed],
        ["status", "source", "batch", "loaded_at", "is_demo"],
        batch_size=BATCH_SIZE,
    )
    after = batch_facts(batch)
    changed_before = {"changed": before} if before else None
    record_audit(
        actor=actor, action="indicators.perspective_imported", target=batch, before=changed_before, after=after
    )
    return batch
