"""Primary / read-replica routing, installed only when `DATABASE_REPLICA_URL` is set (config/settings.py).

- Writes go to the primary (`default`), and so do locked reads: Django sends `select_for_update()`,
  `get_or_create()` and `update_or_create()` through `db_for_write`, because their queryset is marked
  for writing.
- Reads go to the replica only when `kenes.core.replica` says this request may (a safe request that
  has not written and whose browser has not written in the last few seconds) and no
  `transaction.atomic()` block is open: a read inside a transaction is part of a write.
- Sessions are always read from the primary. A session missing from a lagging replica would not just
  look logged out for one page: Django answers an unknown session key by deleting the cookie, so the
  person would be logged out for good. It is one lookup by key per signed-in request.
- Migrations run only on the primary; a streaming replica receives them by replication.
- Objects read from either database may be related to each other: both hold the same rows.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from kenes.core.replica import REPLICA_ALIAS, note_write, reads_may_use_replica

ALIASES = frozenset({DEFAULT_DB_ALIAS, REPLICA_ALIAS})
PRIMARY_ONLY_APPS = frozenset({"sessions"})


def _in_transaction_on_primary() -> bool:
    # Django's TestCase wraps every test in an atomic block of its own and marks it; it is not a
    # write of the code under test, so it does not count (production never has one).
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            reads_may_use_replica()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not _in_transaction_on_primary()
        ):
            return REPLICA_ALIAS
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        if obj1._state.db in ALIASES and obj2._state.db in ALIASES:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
