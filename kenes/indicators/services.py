"""Every write to the indicators: importing a file of values (`import_indicator_file`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db import connections, router, transaction
from django.utils import timezone

from kenes.core.audit import record_audit
from kenes.indicators.importer import (
    IndicatorFileError,
    Parsed,
    ParsedRow,
    RowError,
    TerritoryRef,
    file_bytes,
    parse,
    read_table,
)
from kenes.indicators.models import ImportBatch, Indicator, IndicatorRevision, IndicatorValue
from kenes.territory.models import District, Okrug, Settlement

BATCH_SIZE = 1000
FETCH_CHUNK = 500  # indicator × period pairs per query for the values already stored
STORED_ERRORS = 200

# (indicator id, "district" | "okrug" | "settlement", territory id, period kind, period start)
ValueKey = tuple[int, str, int, str, date]


def indicators_by_code() -> dict[str, Indicator]:
    return {indicator.code.lower(): indicator for indicator in Indicator.objects.all()}


def territories_by_kato() -> dict[str, TerritoryRef]:
    """Every district, okrug and settlement by KATO code; when two levels share a code the
    district wins, then the okrug (the contract's resolution order)."""
    found: dict[str, TerritoryRef] = {}
    for kind, model in (("settlement", Settlement), ("okrug", Okrug), ("district", District)):
        for pk, kato, retired_at in model.objects.values_list("pk", "kato", "retired_at").iterator(chunk_size=5000):
            found[kato] = TerritoryRef(kind=kind, id=pk, retired=retired_at is not None)
    return found


@transaction.atomic
def import_indicator_file(
    *,
    actor: Any,
    file: bytes | IO[bytes],
    file_name: str,
    source: str = "",
    apply: bool,
    is_demo: bool = False,
) -> ImportBatch:
    """Reads, checks and (with `apply`) loads a file of indicator values; returns its batch.

    Any error in the file → the batch is `refused` with its errors and nothing else is written.
    Without `apply` → `previewed` with the counts the load would produce. With `apply` → new
    values created, changed ones updated with an `IndicatorRevision` keeping the old value,
    unchanged ones left alone, all in this one transaction.
    """
    data = file_bytes(file)
    batch = new_batch(actor=actor, data=data, file_name=file_name, source=source, is_demo=is_demo)
    try:
        table = read_table(data, file_name)
    except IndicatorFileError as error:
        return refuse_batch(batch, [RowError(row=1, column="", message=error.message)], rows=0)
    parsed = parse(table, indicators=indicators_by_code(), territories=territories_by_kato(), source=source)
    batch.layout = parsed.layout
    if parsed.errors:
        return refuse_batch(batch, parsed.errors, rows=len(table.rows))

    existing = _existing_values(parsed.rows)
    new_rows, changed, unchanged = _compare(parsed, existing)
    batch.rows = len(table.rows)
    batch.created, batch.updated, batch.unchanged = len(new_rows), len(changed), unchanged
    if not settle_batch(batch, apply=apply):
        return batch
    now = timezone.now()
    _create(new_rows, batch=batch, now=now, is_demo=is_demo)
    _update(changed, batch=batch, now=now)
    record_audit(actor=actor, action="indicators.imported", target=batch, after=batch_facts(batch))
    return batch


# The life of a batch, shared with the perspective village import ----------------------------------


def new_batch(*, actor: Any, data: bytes, file_name: str, source: str, is_demo: bool, layout: str = "") -> ImportBatch:
    """An unsaved batch for this file (who loads it: none from the command line)."""
    return ImportBatch(
        file_name=file_name[:300],
        sha256=hashlib.sha256(data).hexdigest(),
        layout=layout,
        source=source.strip()[:300],
        loaded_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        is_demo=is_demo,
    )


def refuse_batch(batch: ImportBatch, errors: Sequence[RowError], *, rows: int) -> ImportBatch:
    batch.status = ImportBatch.Status.REFUSED
    batch.rows = rows
    batch.errors = [error.as_json() for error in errors[:STORED_ERRORS]]
    batch.error_count = len(errors)
    batch.save()
    return batch


def settle_batch(batch: ImportBatch, *, apply: bool) -> bool:
    """Saves the counted batch as previewed, or as applied; True when the caller should write."""
    batch.status = ImportBatch.Status.APPLIED if apply else ImportBatch.Status.PREVIEWED
    batch.save()
    return apply


def batch_facts(batch: ImportBatch) -> dict[str, Any]:
    """What the audit row says about a load."""
    return {
        "file_name": batch.file_name,
        "sha256": batch.sha256,
        "layout": batch.layout,
        "rows": batch.rows,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "is_demo": batch.is_demo,
    }


def _key(row: ParsedRow) -> ValueKey:
    return (row.indicator_id, row.territory_kind, row.territory_id, row.period_kind, row.period_start)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_values(rows: Sequence[ParsedRow]) -> dict[ValueKey, tuple[int, Decimal, str]]:
    """The stored values the file may touch, {key: (id, value, source)}: one query per chunk of
    (indicator, period) pairs, never one per row."""
    pairs = sorted({(row.indicator_id, row.period_kind, row.period_start) for row in rows})
    found: dict[ValueKey, tuple[int, Decimal, str]] = {}
    for chunk in _chunks(pairs, FETCH_CHUNK):
        indicator_ids = {pair[0] for pair in chunk}
        starts = {pair[2] for pair in chunk}
        wanted = set(chunk)
        stored = IndicatorValue.objects.filter(indicator_id__in=indicator_ids, period_start__in=starts).values_list(
            "pk",
            "indicator_id",
            "district_id",
            "okrug_id",
            "settlement_id",
            "period_kind",
            "period_start",
            "value",
            "source",
        )
        for pk, indicator_id, district_id, okrug_id, settlement_id, kind, start, value, source in stored.iterator(
            chunk_size=5000
        ):
            if (indicator_id, kind, start) not in wanted:
                continue
            if settlement_id is not None:
                territory = ("settlement", settlement_id)
            elif okrug_id is not None:
                territory = ("okrug", okrug_id)
            else:
                territory = ("district", district_id)
            found[(indicator_id, territory[0], territory[1], kind, start)] = (pk, value, source)
    return found


def _compare(
    parsed: Parsed, existing: dict[ValueKey, tuple[int, Decimal, str]]
) -> tuple[list[ParsedRow], list[tuple[ParsedRow, int, Decimal, str]], int]:
    new_rows: list[ParsedRow] = []
    changed: list[tuple[ParsedRow, int, Decimal, str]] = []
    unchanged = 0
    for row in parsed.rows:
        stored = existing.get(_key(row))
        if stored is None:
            new_rows.append(row)
        elif stored[1] != row.value or stored[2] != row.source:
            changed.append((row, *stored))
        else:
            unchanged += 1
    return new_rows, changed, unchanged


def _create(rows: Sequence[ParsedRow], *, batch: ImportBatch, now: Any, is_demo: bool) -> None:
    IndicatorValue.objects.bulk_create(
        (
            IndicatorValue(
                indicator_id=row.indicator_id,
                **{f"{row.territory_kind}_id": row.territory_id},
                period_kind=row.period_kind,
                period_start=row.period_start,
                value=row.value,
                source=row.source,
                batch=batch,
                loaded_at=now,
                is_demo=is_demo,
            )
            for row in rows
        ),
        batch_size=BATCH_SIZE,
    )


def _update(changed: Sequence[tuple[ParsedRow, int, Decimal, str]], *, batch: ImportBatch, now: Any) -> None:
    revise_values(
        [(pk, row.value, row.source, old, old_source) for row, pk, old, old_source in changed], batch=batch, now=now
    )


# (value id, new value, new source, old value, old source)
ValueChange = tuple[int, Decimal, str, Decimal, str]


def revise_values(changes: Sequence[ValueChange], *, batch: ImportBatch, now: Any) -> None:
    """Writes changed values and an `IndicatorRevision` for each (the file import and the demo
    generator both). One prepared UPDATE run with executemany: `bulk_update` builds a CASE per field
    and row in Python, which took ~50 s for 100,000 corrected values on SQLite; this takes seconds."""
    if not changes:
        return
    meta = IndicatorValue._meta
    connection = connections[router.db_for_write(IndicatorValue)]
    quote = connection.ops.quote_name
    value_field = meta.get_field("value")
    assignments = ", ".join(f"{quote(column)} = %s" for column in ("value", "source", "batch_id", "loaded_at"))
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    loaded_at = meta.get_field("loaded_at").get_db_prep_save(now, connection)
    params = [
        (value_field.get_db_prep_save(value, connection), source, batch.pk, loaded_at, pk)
        for pk, value, source, _old, _old_source in changes
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(params, BATCH_SIZE):
            cursor.executemany(sql, chunk)
    IndicatorRevision.objects.bulk_create(
        [
            IndicatorRevision(value_id=pk, old_value=old, new_value=value, old_source=old_source, batch=batch)
            for pk, value, _source, old, old_source in changes
        ],
        batch_size=BATCH_SIZE,
    )
