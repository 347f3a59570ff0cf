"""Every write to the territory: importing the official classifier (KATO)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.core.audit import record_audit
from kenes.territory.importers import (
    KatoFileError,
    PlannedUnit,
    TerritoryPlan,
    plan_territory,
    read_kato_file,
    region_code,
)
from kenes.territory.models import District, Okrug, Region, Settlement, TerritorySource
from kenes.territory.sources import KatoSource, describe_kato_source, resolve_kato_source

BATCH_SIZE = 1000

Unit = TypeVar("Unit", Region, District, Okrug, Settlement)


@dataclass(frozen=True)
class ImportResult:
    source: TerritorySource
    rows: int
    regions: int
    districts: int
    okrugs: int
    settlements: int
    created: int
    updated: int  # includes codes that came back after being retired (`restored`)
    retired: int
    restored: int

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "regions": self.regions,
            "districts": self.districts,
            "okrugs": self.okrugs,
            "settlements": self.settlements,
            "created": self.created,
            "updated": self.updated,
            "retired": self.retired,
            "restored": self.restored,
        }


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    retired: int = 0
    restored: int = 0


def import_default_kato(*, region: str | None = None, actor: Any = None) -> ImportResult:
    """Imports the classifier the settings point at (see `sources.resolve_kato_source`)."""
    source = resolve_kato_source()
    return import_kato(path=source.path, region=region, actor=actor, source=source)


@transaction.atomic
def import_kato(
    *, path: Path, region: str | None = None, actor: Any = None, source: KatoSource | None = None
) -> ImportResult:
    """Brings the territory in line with a classifier file, in one transaction.

    New codes are created, changed names updated, codes missing from the file retired (never
    deleted: councils and residents point at them), and retired codes that come back restored.
    With `region` only that oblast is read and only its codes can be retired. A malformed file
    raises `KatoFileError` (a `DomainError`) before anything is written.
    """
    source = source or describe_kato_source(Path(path))
    region = region_code(region) if region is not None else None
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise KatoFileError(
            _("The classifier file %(path)s cannot be read.") % {"path": str(path)}, code="kato_file_missing"
        ) from error
    plan = plan_territory(read_kato_file(data), region=region)

    now = timezone.now()
    tally = _Tally()
    region_ids = _sync(Region, plan.regions, lambda unit: {}, region=region, now=now, tally=tally)
    district_ids = _sync(
        District,
        plan.districts,
        lambda unit: {"region_id": region_ids[unit.parent], "is_city": unit.is_city},
        region=region,
        now=now,
        tally=tally,
    )
    okrug_ids = _sync(
        Okrug,
        plan.okrugs,
        lambda unit: {"district_id": district_ids[unit.parent], "kind": unit.okrug_kind},
        region=region,
        now=now,
        tally=tally,
    )
    _sync(
        Settlement,
        plan.settlements,
        lambda unit: {
            "district_id": district_ids[unit.parent],
            "okrug_id": okrug_ids[unit.okrug] if unit.okrug else None,
            "area": unit.area,
            "is_main": unit.is_main,
        },
        region=region,
        now=now,
        tally=tally,
    )

    record = TerritorySource.objects.create(
        kind=source.kind,
        path=str(source.path)[:500],
        label=_label(source, plan)[:300],
        sha256=hashlib.sha256(data).hexdigest(),
        region_filter=region or "",
        created=tally.created,
        updated=tally.updated,
        retired=tally.retired,
    )
    result = ImportResult(
        source=record,
        rows=plan.rows,
        regions=len(plan.regions),
        districts=len(plan.districts),
        okrugs=len(plan.okrugs),
        settlements=len(plan.settlements),
        created=tally.created,
        updated=tally.updated,
        retired=tally.retired,
        restored=tally.restored,
    )
    record_audit(
        actor=actor,
        action="territory.imported",
        target=record,
        after={**result.counts, "kind": source.kind, "region": region or "", "sha256": record.sha256},
    )
    return result


def _label(source: KatoSource, plan: TerritoryPlan) -> str:
    return f"KATO {plan.version} · {source.label}" if plan.version else source.label


def _sync(
    model: type[Unit],
    units: Sequence[PlannedUnit],
    specific: Callable[[PlannedUnit], dict[str, Any]],
    *,
    region: str | None,
    now: datetime,
    tally: _Tally,
) -> dict[str, int]:
    """Creates, updates, restores and retires one level; returns {kato: id} for the next level."""
    existing = model.objects.all()
    if region is not None:
        existing = existing.filter(kato__startswith=region)
    current: dict[str, Unit] = {unit.kato: unit for unit in existing}

    to_create: list[Unit] = []
    to_update: list[Unit] = []
    changed_fields: set[str] = set()
    for unit in units:
        values: dict[str, Any] = {
            "name_kk": unit.names.name_kk,
            "name_ru": unit.names.name_ru,
            "short_name_kk": unit.names.short_name_kk,
            "short_name_ru": unit.names.short_name_ru,
            "search_text": unit.names.search_text,
            "type_code": unit.type_code,
            **specific(unit),
        }
        row = current.get(unit.kato)
        if row is None:
            to_create.append(model(kato=unit.kato, **values))
            continue
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if row.retired_at is not None:
            changed.append("retired_at")
            row.retired_at = None
            tally.restored += 1
        if changed:
            for name in changed:
                if name != "retired_at":
                    setattr(row, name, values[name])
            changed_fields.update(changed)
            to_update.append(row)

    planned = {unit.kato for unit in units}
    to_retire = [row for kato, row in current.items() if kato not in planned and row.retired_at is None]
    for row in to_retire:
        row.retired_at = now

    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH_SIZE)
    if to_retire:
        model.objects.bulk_update(to_retire, ["retired_at"], batch_size=BATCH_SIZE)
    tally.created += len(to_create)
    tally.updated += len(to_update)
    tally.retired += len(to_retire)

    ids = {kato: row.pk for kato, row in current.items()}
    created_ids = {row.kato: row.pk for row in to_create}
    if any(pk is None for pk in created_ids.values()):
        # Backends that cannot return ids from a bulk insert: read them back.
        created_ids = dict(model.objects.filter(kato__in=list(created_ids)).values_list("kato", "id"))
    ids.update(created_ids)
    return ids
