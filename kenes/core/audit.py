"""The append-only, hash-chained audit log: `record_audit` writes, `verify_audit_chain` checks.

The log is `AUDIT_CHAINS` chains side by side, so that concurrent requests do not all queue for one
lock (decision 0011): an entry goes to the chain of the request that makes it (its request id), and
work outside a request (commands, tasks, the shell) to chain 0. Each chain has its head row
(`AuditChainHead`, pk = chain + 1), locked while an entry is appended. A transaction therefore only
ever locks one head, whatever and however many things it audits: two transactions cannot take two
heads in opposite orders (choosing the chain by the audited thing did, and deadlocked). Chain 0 is the
one chain the log had before; its hashes are computed as they were then.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from kenes.core.models import AUDIT_CHAINS, AuditChainHead, AuditEntry
from kenes.core.request_context import current_request_id
from kenes.core.sql import insert_rows

GENESIS_HASH = "0" * 64


def chain_of(request_id: str) -> int:
    if not request_id:
        return 0
    digest = hashlib.sha256(request_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") % AUDIT_CHAINS


def _normalise(value: Any) -> Any:
    """JSON round-trip, so the hash is computed over exactly what the database stores."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def compute_hash(entry: AuditEntry) -> str:
    payload = {
        "prev": entry.prev_hash,
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
    }
    if entry.chain:
        payload["chain"] = entry.chain
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditTarget:
    """What an entry is about, for a caller that has its key and text but no model instance."""

    type: str  # the model's label_lower, as "proposals.proposal"
    id: str
    label: str


def new_entry(
    *,
    actor: Any,
    action: str,
    target: models.Model | AuditTarget | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> AuditEntry:
    """An entry not yet linked into a chain (`append_entries` links and writes it)."""
    if target is None:
        about = AuditTarget("", "", "")
    elif isinstance(target, AuditTarget):
        about = target
    else:
        about = AuditTarget(target._meta.label_lower, str(target.pk), str(target))
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
        actor_id=actor.pk if is_user else None,
        actor_label=str(actor) if is_user else "system",
        action=action,
        target_type=about.type,
        target_id=about.id,
        target_label=about.label[:300],
        before=_normalise(before),
        after=_normalise(after),
        request_id=current_request_id() if request_id is None else request_id,
        created_at=timezone.now(),
    )


def append_entries(entries: list[AuditEntry], *, chain: int) -> list[AuditEntry]:
    """Links the entries, in order, onto the end of one chain and writes them: one lock of that
    chain's head, then the entries and the head's new hash, however many entries (a group of
    supports, decision 0013). Call inside the transaction that makes the audited change. A lone
    entry gets its id; several are written by one statement and get none back (nobody edits an
    entry, and the log is read by its order). Plain statements, not the ORM's: a group of supports
    pays for these on every commit. On PostgreSQL, two statements in all: the lock, then the
    entries with the head's new hash."""
    if not entries:
        return entries
    connection = connections[router.db_for_write(AuditEntry)]
    previous = _locked_head(connection, chain)
    for entry in entries:
        entry.chain = chain
        entry.prev_hash = previous
        entry.hash = compute_hash(entry)
        previous = entry.hash
    if connection.vendor == "postgresql":
        _insert_moving_head(connection, entries, chain, previous)
    else:
        if len(entries) == 1:
            entries[0].save()
        else:
            _insert(entries)
        _move_head(connection, chain, previous)
    return entries


def _head_table(connection: BaseDatabaseWrapper) -> str:
    return connection.ops.quote_name(AuditChainHead._meta.db_table)


def _locked_head(connection: BaseDatabaseWrapper, chain: int) -> str:
    """The chain's last hash, its head row locked until the transaction ends (made, with the
    genesis hash, the first time the chain is used)."""
    head = _head_table(connection)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(f"SELECT last_hash FROM {head} WHERE id = %s{lock}", [chain + 1])  # noqa: S608
            row = cursor.fetchone()
            if row is not None:
                return str(row[0])
            # Another transaction may make it at the same moment: then this waits for theirs.
            cursor.execute(
                f"INSERT INTO {head} (id, last_hash) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",  # noqa: S608
                [chain + 1, GENESIS_HASH],
            )
    raise AuditChainHead.DoesNotExist(f"the head of audit chain {chain} could not be made")


def _move_head(connection: BaseDatabaseWrapper, chain: int, last_hash: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_head_table(connection)} SET last_hash = %s WHERE id = %s",  # noqa: S608
            [last_hash, chain + 1],
        )


def _columns() -> list[models.Field[Any, Any]]:
    return [field for field in AuditEntry._meta.concrete_fields if not field.primary_key]


def _insert(entries: list[AuditEntry]) -> None:
    """One INSERT of every column, without the ORM's per-row compiling (which cost a group of
    supports more than the database's work did)."""
    connection = connections[router.db_for_write(AuditEntry)]
    fields = _columns()
    sql, params = insert_rows(
        connection,
        AuditEntry,
        [field.attname for field in fields],
        [[getattr(entry, field.attname) for field in fields] for entry in entries],
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_moving_head(connection: BaseDatabaseWrapper, entries: list[AuditEntry], chain: int, last_hash: str) -> None:
    """PostgreSQL: the entries and the head's new hash in one statement. The rows travel as one
    JSON document, which the standard library encodes in C, instead of one array per column that
    the driver would quote value by value in Python. Each time is written out with its
    microseconds, as the hash was computed over them."""
    quote = connection.ops.quote_name
    table = quote(AuditEntry._meta.db_table)
    fields = _columns()
    columns = ", ".join(quote(str(field.column)) for field in fields)
    rows = [
        {
            **{str(field.column): getattr(entry, field.attname) for field in fields},
            "created_at": entry.created_at.isoformat(timespec="microseconds"),
        }
        for entry in entries
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH head AS (UPDATE {_head_table(connection)} SET last_hash = %s WHERE id = %s) "  # noqa: S608
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM json_populate_recordset(NULL::{table}, %s) "
            "RETURNING id",
            [last_hash, chain + 1, json.dumps(rows, ensure_ascii=False)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(entries) == 1:  # a lone entry is a saved row, as the ORM's save would leave it
        entries[0].pk = ids[0]
        entries[0]._state.adding = False
        entries[0]._state.db = connection.alias


@transaction.atomic(savepoint=False)
def record_audit(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Writes one entry, to the chain of the current request. No savepoint of its own: it only
    ever runs as part of the change it records, and fails with it."""
    entry = new_entry(actor=actor, action=action, target=target, before=before, after=after)
    return append_entries([entry], chain=chain_of(entry.request_id))[0]


@dataclass(frozen=True)
class AuditBreak:
    entry_id: int
    reason: str


def verify_audit_chain(entries: Iterator[AuditEntry] | None = None) -> AuditBreak | None:
    """Walks the log in order, each chain on its own; returns the first row whose hash or link does
    not hold, or the last row still present of a chain whose end was removed."""
    rows = entries if entries is not None else AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    previous: dict[int, str] = {}
    last_id: dict[int, int] = {}
    for entry in rows:
        if entry.prev_hash != previous.get(entry.chain, GENESIS_HASH):
            return AuditBreak(entry.id, "link to the previous row is broken (a row was removed or inserted)")
        if compute_hash(entry) != entry.hash:
            return AuditBreak(entry.id, "contents do not match the stored hash (the row was edited)")
        previous[entry.chain] = entry.hash
        last_id[entry.chain] = entry.id
    for head in AuditChainHead.objects.order_by("pk"):
        chain = head.pk - 1
        if head.last_hash != previous.get(chain, GENESIS_HASH):
            # The chain itself holds, so what is missing is its end: name the last row still present.
            return AuditBreak(last_id.get(chain, 0), "rows after this one were removed (the chain head does not match)")
    return None
