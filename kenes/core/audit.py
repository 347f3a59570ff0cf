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
from django.db import models, transaction
from django.utils import timezone

from kenes.core.models import AUDIT_CHAINS, AuditChainHead, AuditEntry
from kenes.core.request_context import current_request_id

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


@transaction.atomic
def record_audit(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    target_type = target._meta.label_lower if target is not None else ""
    target_id = str(target.pk) if target is not None else ""
    request_id = current_request_id()
    chain = chain_of(request_id)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=chain + 1, defaults={"last_hash": GENESIS_HASH}
    )
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        actor=actor if is_user else None,
        actor_label=str(actor) if is_user else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=str(target)[:300] if target is not None else "",
        chain=chain,
        before=_normalise(before),
        after=_normalise(after),
        request_id=request_id,
        created_at=timezone.now(),
        prev_hash=head.last_hash,
    )
    entry.hash = compute_hash(entry)
    entry.save()
    head.last_hash = entry.hash
    head.save(update_fields=["last_hash"])
    return entry


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
