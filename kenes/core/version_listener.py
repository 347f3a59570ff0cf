"""The content version pushed to every process (decision 0012), so a cached page costs no query.

Every advance of the content version on PostgreSQL also sends its new number with NOTIFY on the
channel `kenes_content_version`. In each process serving pages, one daemon thread holds a connection
of its own that LISTENs there and keeps the highest number heard; the page cache compares an entry
with that number instead of asking the database on every hit. The number is as fresh as the
database's: the advance follows the commit, and its notification reaches a listener within
milliseconds (PostgreSQL sends it once the advancing statement ends). This process's own advances
are taken at once, before any notification arrives.

Whenever the listener is not connected (before its first connection, after an outage, a database
restart or a killed backend) `current()` says None and the page cache asks the database as before,
so nothing stale is ever served for want of a notification. On every (re)connection, and every
`RESYNC_SECONDS` while connected, the listener also reads the sequence itself: that covers any
notification sent while it was away.

Off (`KENES_PAGE_CACHE_LISTEN=false`) behind a pooler in transaction mode (pgbouncer's default),
where LISTEN does not work; on SQLite there is nothing to listen to and the version is read
in-process for every hit.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

SEQUENCE = "kenes_content_version"  # the content version itself (migration core 0003)
CHANNEL = "kenes_content_version"  # where each advance is announced
APPLICATION_NAME = "kenes-content-version"
RESYNC_SECONDS = 5.0
RETRY_FIRST, RETRY_MOST = 0.5, 5.0


class VersionListener:
    """One per process and database alias; started by the first `current()`."""

    def __init__(self, alias: str = DEFAULT_DB_ALIAS) -> None:
        self.alias = alias
        self._version = 0
        self._live = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.connections_made = 0  # for tests and logs: how many times it has (re)connected

    # --- what the page cache asks ------------------------------------------------------------

    def current(self) -> int | None:
        """The highest version heard while connected; None when not connected (ask the database)."""
        if self._thread is None:
            self.start()
        return self._version if self._live else None

    def saw(self, version: int) -> None:
        """A version this process advanced to, or heard of: never goes back."""
        with self._lock:
            if version > self._version:
                self._version = version

    @property
    def live(self) -> bool:
        return self._live

    # --- the thread ----------------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name=APPLICATION_NAME, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stops the thread (tests; a process that ends needs nothing: the thread is a daemon)."""
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._thread = None
        self._live = False

    def _connect(self) -> Any:
        import psycopg

        params = connections[self.alias].get_connection_params()
        params.pop("cursor_factory", None)  # Django's cursor class; the listener needs psycopg's own
        params["application_name"] = APPLICATION_NAME
        return psycopg.connect(**params, autocommit=True)

    def _heard(self, notify: Any) -> None:
        try:
            self.saw(int(notify.payload))
        except ValueError:
            logger.warning("ignored a content version notification without a number: %r", notify.payload)

    def _resync(self, connection: Any) -> None:
        row = connection.execute(f"SELECT last_value FROM {SEQUENCE}").fetchone()  # noqa: S608 (a constant)
        if row is not None:
            self.saw(int(row[0]))

    def _run(self) -> None:
        delay = RETRY_FIRST
        while not self._stopping.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._resync(connection)  # after LISTEN: whatever came before is in the sequence
                    self._live = True
                    self.connections_made += 1
                    delay = RETRY_FIRST
                    while not self._stopping.is_set():
                        # Waits for notifications and wakes to read the sequence. Those that come
                        # during the read are kept by psycopg for the next `notifies()`.
                        for notify in connection.notifies(timeout=RESYNC_SECONDS):
                            self._heard(notify)
                            if self._stopping.is_set():
                                break
                        self._resync(connection)
            except Exception as error:  # whatever it was, the thread lives on and tries again
                if not self._stopping.is_set():
                    logger.warning("content version listener disconnected (%s); pages check the database", error)
            finally:
                self._live = False
            self._stopping.wait(delay)
            delay = min(delay * 2, RETRY_MOST)


_listeners: dict[str, VersionListener] = {}
_listeners_lock = threading.Lock()


def listener(alias: str = DEFAULT_DB_ALIAS) -> VersionListener:
    """This process's listener of `alias` (made on first use). Every cached hit asks: no lock once made."""
    found = _listeners.get(alias)
    if found is not None:
        return found
    with _listeners_lock:
        found = _listeners.get(alias)
        if found is None:
            found = _listeners[alias] = VersionListener(alias)
        return found


def known(alias: str = DEFAULT_DB_ALIAS) -> VersionListener | None:
    """The listener of `alias` if this process has one (so a bump can tell it), without making one."""
    return _listeners.get(alias)
