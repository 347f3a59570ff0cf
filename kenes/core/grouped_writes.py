"""Writes that many requests make at once, done in groups by one thread per process (decision 0013).

A `WriteGroups` takes a function that writes a whole group of asks in one transaction and gives
each ask its outcome (or its own error). Each request thread hands in its ask and waits; one writer
thread takes everything waiting, calls the function once, and hands the outcomes back. While it
writes, the next asks gather, so the busier the site, the larger the groups: one transaction, one
commit and a fixed number of statements serve them all, instead of each request paying for its own.

Nothing is answered before its group has committed, so an accepted write is a written one. When the
group's transaction fails (the database is down, a statement failed), every ask of the group gets
that error and nothing of it is written; the thread drops its connection and the next group opens
a new one, so the process recovers by itself when the database does.

The writer uses its own database connection, so it cannot see what a caller's open transaction has
not committed yet: `submit` writes in the caller's thread instead when the caller is inside a
transaction, and whenever grouping is switched off (`KENES_GROUPED_WRITES=false`, and in the test
suite). A caller waits at most `WAIT_SECONDS`, then gets an OperationalError (a 503 page).
"""

from __future__ import annotations

import copy
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, OperationalError, connections, router

logger = logging.getLogger(__name__)

Ask = TypeVar("Ask")
Outcome = TypeVar("Outcome")

WAIT_SECONDS = 30.0
MAX_GROUP = 256
# A connection that wrote a group less than this long ago is taken as it is; after a longer pause it
# is checked first (`SELECT 1`, the CONN_HEALTH_CHECKS setting), as a request's would be.
TRUSTED_SECONDS = 1.0


def _own_copy(error: Exception) -> Exception:
    """Each waiting thread raises its own exception object (one raised in several threads at once
    would collect all their tracebacks)."""
    try:
        mine = copy.copy(error)
    except Exception:
        return error
    mine.__cause__ = error
    return mine


_STOP = object()


@dataclass
class _Waiting(Generic[Ask, Outcome]):
    ask: Ask
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Outcome | Exception | None = None


class WriteGroups(Generic[Ask, Outcome]):
    """One writer thread per process for one kind of write; see the module's text."""

    def __init__(
        self,
        name: str,
        write: Callable[[Sequence[Ask]], list[Outcome | Exception]],
        *,
        model: type | None = None,
        max_group: int = MAX_GROUP,
    ) -> None:
        self.name = name
        self.write = write
        self.model = model
        self.max_group = max_group
        self._queue: queue.SimpleQueue[_Waiting[Ask, Outcome]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._last_written = float("-inf")  # time.monotonic() when the last group committed
        self.groups_written = 0  # for the tests: how the asks were grouped
        self.largest_group = 0

    # --- callers ---------------------------------------------------------------------------------

    def grouping(self) -> bool:
        """Whether asks go to the writer thread now (else the caller writes its own)."""
        if not getattr(settings, "KENES_GROUPED_WRITES", True):
            return False
        alias = router.db_for_write(self.model) if self.model is not None else "default"
        return not connections[alias].in_atomic_block

    def submit(self, ask: Ask) -> Outcome:
        """The ask's outcome once its group is committed; raises the ask's own error or the group's."""
        if not self.grouping():
            outcome: Outcome | Exception | None = self.write([ask])[0]
        else:
            waiting: _Waiting[Ask, Outcome] = _Waiting(ask)
            self._start()
            self._queue.put(waiting)
            if not waiting.done.wait(WAIT_SECONDS):
                raise OperationalError(f"{self.name}: no answer from the writer within {WAIT_SECONDS:.0f} s")
            outcome = waiting.outcome
        if isinstance(outcome, Exception):
            raise outcome
        return cast("Outcome", outcome)

    # --- the writer thread -----------------------------------------------------------------------

    def _start(self) -> None:
        pid = os.getpid()
        if self._thread is not None and self._pid == pid and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or self._pid != pid or not self._thread.is_alive():
                self._pid = pid
                self._thread = threading.Thread(target=self._run, name=f"kenes-{self.name}", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """Ends the writer thread once what is queued before is written, and closes its database
        connection (the test suite's databases cannot be dropped while it is open)."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._queue.put(_STOP)  # type: ignore[arg-type]
        thread.join(timeout=WAIT_SECONDS)
        self._thread = None

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < self.max_group and group[-1] is not _STOP:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = group[-1] is _STOP
            if stopping:
                group.pop()
            if group:
                self.write_group(group)
            if stopping:
                connections.close_all()
                return

    def write_group(self, group: list[_Waiting[Ask, Outcome]]) -> None:
        """Writes one group and wakes its callers; never raises (the thread must go on)."""
        connection = connections[router.db_for_write(self.model) if self.model is not None else "default"]
        try:
            connection.close_if_unusable_or_obsolete()
            if time.monotonic() - self._last_written < TRUSTED_SECONDS:
                # Under load, groups follow each other: a health check would add a round trip to
                # every one. Should the database have gone away just now, this group fails (its
                # callers get a 503, nothing is written), the connection is dropped below, and the
                # next group connects anew.
                connection.health_check_done = True  # type: ignore[attr-defined]  # not in the stubs
            outcomes: list[Outcome | Exception] = self.write([waiting.ask for waiting in group])
            self._last_written = time.monotonic()
        except Exception as error:
            if isinstance(error, DatabaseError):
                logger.warning("%s: a group of %d failed: %s", self.name, len(group), error)
            else:
                logger.exception("%s: a group of %d failed", self.name, len(group))
            connection.close()
            outcomes = [_own_copy(error) for _waiting in group]
        self.groups_written += 1
        self.largest_group = max(self.largest_group, len(group))
        for waiting, outcome in zip(group, outcomes, strict=True):
            waiting.outcome = outcome
            waiting.done.set()
