"""The append-only, hash-chained audit log: `record_audit` writes, `verify_audit_chain` checks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from kenes.core.models import AuditChainHead, AuditEntry
from kenes.core.request_context import current_request_id

GENESIS_HASH = "0" * 64


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
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS_HASH})
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        actor=actor if is_user else None,
        actor_label=str(actor) if is_user else "system",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        before=_normalise(before),
        after=_normalise(after),
        request_id=current_request_id(),
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
    """Walks the log in order; returns the first row whose hash or link does not hold."""
    rows = entries if entries is not None else AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    previous = GENESIS_HASH
    last_id = 0
    for entry in rows:
        if entry.prev_hash != previous:
            return AuditBreak(entry.id, "link to the previous row is broken (a row was removed or inserted)")
        if compute_hash(entry) != entry.hash:
            return AuditBreak(entry.id, "contents do not match the stored hash (the row was edited)")
        previous = entry.hash
        last_id = entry.id
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        # The chain itself holds, so what is missing is its end: name the last row still present.
        return AuditBreak(last_id, "rows after this one were removed (the chain head does not match)")
    return None
