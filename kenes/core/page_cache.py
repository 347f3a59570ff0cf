"""The anonymous page cache (decision 0012): public pages and the public API, rendered once and
served again to every visitor who is not signed in, until anything they could show has changed.

What is cached: a GET or HEAD of a view marked `@public_page`, or of the JSON API under `/api/v1/`,
by a visitor without a session cookie, a messages cookie or an Authorization header, answered 200
without setting a cookie. The key is the full path with its query, the language and the htmx headers;
the entry keeps the content version and the day it was rendered for.

When an entry is stale: every write a Django connection makes (an INSERT, UPDATE or DELETE outside a
few tables of private bookkeeping, or a TRUNCATE) advances one content version, in the
database so that every process of every server sees it. A write outside a transaction advances it
once done; inside one, one advance waits for the commit, so a page rendered before the commit carries
the earlier number and is dropped on its next read. (A test's transaction never commits: there each
write advances it at once.) On PostgreSQL every advance is also pushed to each process by NOTIFY
(kenes/core/version_listener.py), so a hit costs no query and no rendering; elsewhere, or while the
listener is not connected, one small query (the version);
the local day and `KENES_PAGE_CACHE_SECONDS` bound what changes with the clock alone (an answer
becoming overdue). Bulk loads that bypass the ORM call `bump_content_version()` themselves.

The public pages carry no CSRF token (the language buttons post to a view that needs none), so a
stored page is the same for every visitor and is kept gzipped as well: a hit sends those bytes. Should
a stored page carry a token, its value is replaced by a marker and each visitor's copy gets a token of
their own (and is compressed per response, as usual).

Off when `KENES_PAGE_CACHE_SECONDS` is 0, and with a read replica (a page read from a lagging replica
could be stamped with a newer version than its content).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from kenes.core import version_listener
from kenes.core.replica import REPLICA_ALIAS
from kenes.core.version_listener import CHANNEL, SEQUENCE

logger = logging.getLogger(__name__)

PAGE_CACHE = "pages"
API_PREFIX = "/api/v1/"
ADVANCE_AND_NOTIFY = f"SELECT n, pg_notify('{CHANNEL}', n::text) FROM nextval('{SEQUENCE}') AS n"  # noqa: S608
# Made from the code alone (no query to save), and loaded by tools that have no database at hand.
NOT_CACHED = frozenset({API_PREFIX + "openapi.json", API_PREFIX + "docs"})

# Writes that no public page or public API answer shows: sessions, login throttling, the task
# queue, notices and their outbox, API token bookkeeping. Everything else advances the version.
PRIVATE_TABLES = (
    "django_session",
    "axes_",
    "django_tasks",
    "notifications_",
    "accounts_apitoken",
    "core_contentversion",
)
_WRITE = re.compile(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?([A-Za-z0-9_]+)", re.IGNORECASE)
_TRUNCATE = re.compile(r"\s*TRUNCATE\b", re.IGNORECASE)
# A statement that begins with WITH writes through its parts: `name AS (INSERT INTO t ...)`, and
# after the last part's closing parenthesis, its main statement.
_WITH = re.compile(r"\s*WITH\b", re.IGNORECASE)
_WRITE_PART = re.compile(
    r"(?:\bAS\s*\(|\))\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?([A-Za-z0-9_]+)", re.IGNORECASE
)
_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')
CSRF_MARKER = b"__kenes_csrf_token__"

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def public_page(view: ViewFunc) -> ViewFunc:
    """Marks a view whose anonymous answer is the same for every anonymous visitor."""
    view.kenes_public_page = True  # type: ignore[attr-defined]
    return view


def is_write(sql: str) -> bool:
    """True for a statement that changes what a public page could show."""
    match = _WRITE.match(sql)
    if match is not None:
        return not match.group(2).lower().startswith(PRIVATE_TABLES)
    if _WITH.match(sql) is not None:
        return any(not table.lower().startswith(PRIVATE_TABLES) for table in _WRITE_PART.findall(sql))
    return _TRUNCATE.match(sql) is not None


# --- the content version -------------------------------------------------------------------------


def content_version(using: str = DEFAULT_DB_ALIAS) -> int:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT last_value FROM {SEQUENCE}")  # noqa: S608 (a constant name)
        else:
            cursor.execute("SELECT n FROM core_contentversion WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _bump(connection: BaseDatabaseWrapper) -> None:
    # PostgreSQL: a sequence, which no transaction waits for and no rollback undoes. SQLite has one
    # writer at a time, so a row updated inside the writer's transaction is just as good. Through the
    # driver's own cursor: bookkeeping of every write, it stays out of the query log (and the query
    # budgets of the tests) and passes by the execute wrappers; its errors are Django's all the same.
    with connection.wrap_database_errors:
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        try:
            if connection.vendor == "postgresql":
                # The new number goes to every process's listener too (kenes/core/version_listener.py).
                cursor.execute(ADVANCE_AND_NOTIFY)
                row = cursor.fetchone()
                heard = version_listener.known(connection.alias)
                if row is not None and heard is not None:
                    heard.saw(int(row[0]))
            else:
                cursor.execute(
                    "INSERT INTO core_contentversion (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = n + 1"
                )
        finally:
            cursor.close()


def _bump_after_write(connection: BaseDatabaseWrapper) -> None:
    """The bump once a write is done: the write stands even if the database goes away just then, so
    its request must not fail. This process's pages are dropped instead (others age out)."""
    try:
        _bump(connection)
    except DatabaseError:
        logger.warning("could not advance the content version after a write; this process's page cache is cleared")
        caches[PAGE_CACHE].clear()


def bump_content_version(using: str = DEFAULT_DB_ALIAS) -> None:
    """Every cached page is stale from now on (for writes made outside the ORM, e.g. COPY)."""
    _bump(connections[using])


def advance_content_version_past(seen: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """After a restore, which brings back an older version: past every version a running process
    may have stamped a page with, so none of those pages is taken for fresh again."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT pg_notify('{CHANNEL}', setval('{SEQUENCE}', GREATEST(last_value, %s) + 1)::text) "  # noqa: S608
                f"FROM {SEQUENCE}",
                [seen],
            )
        else:
            cursor.execute(
                "INSERT INTO core_contentversion (id, n) VALUES (1, %s + 1) "
                "ON CONFLICT (id) DO UPDATE SET n = MAX(n, %s) + 1",
                [seen, seen],
            )


def _bump_after_commit(alias: str) -> Callable[[], None]:
    def bump() -> None:
        _bump_after_write(connections[alias])

    bump.kenes_content_bump = True  # type: ignore[attr-defined]
    return bump


class WriteWatcher:
    """An execute wrapper on every connection: a write advances the content version. Idle while
    `migrate` runs: the version's own table or sequence may not exist yet, and every process is
    restarted after a deployment anyway."""

    migrating = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        if not self.migrating and isinstance(sql, str) and is_write(sql):
            connection = context["connection"]
            if not connection.in_atomic_block:
                _bump_after_write(connection)
                return result
            if any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
                # A test's transaction never commits: each write counts at once, so a page asked for
                # later in the same test is rendered anew.
                _bump(connection)
            if not any(getattr(func, "kenes_content_bump", False) for _sids, func, _robust in connection.run_on_commit):
                connection.on_commit(_bump_after_commit(connection.alias))
        return result


_watcher = WriteWatcher()


def migration_started(sender: Any, **kwargs: Any) -> None:
    _watcher.migrating = True


def migration_finished(sender: Any, **kwargs: Any) -> None:
    _watcher.migrating = False


def watch_writes(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver (CoreConfig.ready): installs the watcher once per connection."""
    if _watcher not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watcher)


# --- serving ------------------------------------------------------------------------------------


def pushed_version(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The version as this process's listener last heard it (no query), or None: not PostgreSQL,
    listening turned off, or the listener not connected right now."""
    if not settings.KENES_PAGE_CACHE_LISTEN or connections[using].vendor != "postgresql":
        return None
    return version_listener.listener(using).current()


def enabled() -> bool:
    return bool(settings.KENES_PAGE_CACHE_SECONDS) and REPLICA_ALIAS not in settings.DATABASES


def anonymous(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def cache_key(request: HttpRequest) -> str:
    parts = [
        request.get_full_path(),
        translation.get_language() or "",
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
    ]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    version: int
    day: str
    content_type: str
    content: bytes
    headers: tuple[tuple[str, str], ...]
    # The same content compressed once, for a page that is the same for every visitor (no CSRF
    # token in it): GZipMiddleware leaves a response that already has a Content-Encoding alone.
    gzipped: bytes | None = None

    def response(self, request: HttpRequest) -> HttpResponse:
        gzip = self.gzipped is not None and "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")
        if gzip:
            content = self.gzipped
        elif CSRF_MARKER in self.content:  # never in a gzipped entry: those are the same for everyone
            content = self.content.replace(CSRF_MARKER, get_token(request).encode())
        else:
            content = self.content
        response = HttpResponse(content, content_type=self.content_type)
        for name, value in self.headers:
            response[name] = value
        if gzip:
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
        response["X-Kenes-Cache"] = "hit"
        return response


KEPT_HEADERS = ("Content-Language", "Content-Disposition", "Vary")
GZIP_MIN_LENGTH = 200  # as GZipMiddleware: shorter answers are not worth compressing


def storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def entry_for(response: HttpResponse, version: int, day: str) -> Entry:
    content = _CSRF_VALUE.sub(rb"\1" + CSRF_MARKER + rb"\2", response.content)
    headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
    same_for_all = CSRF_MARKER not in content and not response.has_header("Content-Encoding")
    gzipped = compress_string(content) if same_for_all and len(content) >= GZIP_MIN_LENGTH else None
    return Entry(version, day, response["Content-Type"], content, headers, gzipped)


class AnonymousPageCacheMiddleware:
    """The last middleware: it sees the view that will answer, after the locale and the CSRF cookie
    are known, and before any view code runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending: tuple[str, int, str] | None = getattr(request, "_kenes_page_cache_miss", None)
        if pending is not None and storable(response):
            key, version, day = pending
            caches[PAGE_CACHE].set(key, entry_for(response, version, day), settings.KENES_PAGE_CACHE_SECONDS)
            response["X-Kenes-Cache"] = "miss"
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        public = getattr(view, "kenes_public_page", False) or (
            request.path.startswith(API_PREFIX) and request.path not in NOT_CACHED
        )
        if not (public and enabled() and anonymous(request)):
            return None
        key = cache_key(request)
        day = timezone.localdate().isoformat()
        version = pushed_version()
        if version is None:
            version = content_version()
        entry: Entry | None = caches[PAGE_CACHE].get(key)
        if entry is not None and entry.version == version and entry.day == day:
            return entry.response(request)
        request._kenes_page_cache_miss = (key, version, day)  # type: ignore[attr-defined]
        return None
