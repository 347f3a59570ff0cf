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
    chain's head, one INSERT, one UPDATE, however many entries (a group of supports, decision 0013).
    Call inside the transaction that makes the audited change. A lone entry is saved and gets its
    id; several are written by one INSERT and get none back (nobody edits an entry, and the log is
    read by its order)."""
    if not entries:
        return entries
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=chain + 1, defaults={"last_hash": GENESIS_HASH}
    )
    previous = head.last_hash
    for entry in entries:
        entry.chain = chain
        entry.prev_hash = previous
        entry.hash = compute_hash(entry)
        previous = entry.hash
    if len(entries) == 1:
        entries[0].save()
    else:
        _insert(entries)
    head.last_hash = previous
    head.save(update_fields=["last_hash"])
    return entries


def _insert(entries: list[AuditEntry]) -> None:
    """One INSERT of every column, without the ORM's per-row compiling (which cost a group of
    supports more than the database's work did)."""
    connection = connections[router.db_for_write(AuditEntry)]
    fields = [field for field in AuditEntry._meta.concrete_fields if not field.primary_key]
    sql, params = insert_rows(
        connection,
        AuditEntry,
        [field.attname for field in fields],
        [[getattr(entry, field.attname) for field in fields] for entry in entries],
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
