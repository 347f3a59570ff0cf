"""The content version listener (kenes/core/version_listener.py): each process hears every new
version by LISTEN/NOTIFY, comes back after its connection is killed, and while it is connected a
cached page costs no query at all; while it is not, the page cache asks the database as before."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client

from kenes.core import version_listener
from kenes.core.page_cache import bump_content_version, content_version
from kenes.core.version_listener import APPLICATION_NAME, VersionListener

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@pytest.fixture
def listening(monkeypatch: pytest.MonkeyPatch) -> Iterator[VersionListener]:
    """A live listener registered as this process's, stopped before the test database goes."""
    monkeypatch.setattr(version_listener, "RESYNC_SECONDS", 0.2)
    monkeypatch.setattr(version_listener, "RETRY_FIRST", 0.05)
    found = VersionListener()
    monkeypatch.setitem(version_listener._listeners, "default", found)
    found.start()
    assert eventually(lambda: found.live), "the listener did not connect"
    yield found
    found.stop()


def test_the_listener_hears_a_version_advanced_by_another_connection(listening: VersionListener) -> None:
    before = listening.current()
    assert before == content_version()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    other = psycopg.connect(**params, autocommit=True)
    try:
        # A bump from another process: what reaches this one is the notification, not a local call.
        other.execute("SELECT pg_notify('kenes_content_version', n::text) FROM nextval('kenes_content_version') AS n")
    finally:
        other.close()

    assert eventually(lambda: listening.current() == before + 1), (listening.current(), before)


def test_this_processs_own_advance_is_known_at_once(listening: VersionListener) -> None:
    bump_content_version()

    assert listening.current() == content_version()


def test_the_listener_comes_back_after_its_connection_is_killed(listening: VersionListener) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [APPLICATION_NAME]
        )
        assert cursor.fetchone() is not None

    assert eventually(lambda: listening.connections_made >= 2 and listening.live)
    bump_content_version()
    version = content_version()
    assert eventually(lambda: listening.current() == version)


@pytest.mark.parametrize("error", [psycopg.OperationalError("connection refused (test)"), RuntimeError("unexpected")])
def test_a_listener_that_cannot_connect_says_nothing_and_keeps_trying(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    attempts: list[float] = []

    def refused(self: VersionListener) -> Any:
        attempts.append(time.monotonic())
        raise error

    monkeypatch.setattr(VersionListener, "_connect", refused)
    monkeypatch.setattr(version_listener, "RETRY_FIRST", 0.02)
    down = VersionListener()
    try:
        assert down.current() is None
        # Any error, even one nobody foresaw, leaves the thread alive and trying again.
        assert eventually(lambda: len(attempts) >= 3)
        assert down.current() is None
        assert not down.live
    finally:
        down.stop()


PUBLIC_PAGE = "/"


def test_a_cached_page_costs_no_query_while_the_listener_is_live(
    client: Client, settings: Any, listening: VersionListener, django_assert_num_queries: Any
) -> None:
    settings.KENES_PAGE_CACHE_SECONDS = 300
    settings.KENES_PAGE_CACHE_LISTEN = True
    assert client.get(PUBLIC_PAGE)["X-Kenes-Cache"] == "miss"

    with django_assert_num_queries(0):
        again = client.get(PUBLIC_PAGE)

    assert again["X-Kenes-Cache"] == "hit"
    bump_content_version()  # as any write would
    assert client.get(PUBLIC_PAGE)["X-Kenes-Cache"] == "miss"


def test_without_the_listener_a_hit_asks_the_database_for_the_version(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    settings.KENES_PAGE_CACHE_SECONDS = 300
    settings.KENES_PAGE_CACHE_LISTEN = True
    down = VersionListener()
    monkeypatch.setattr(down, "current", lambda: None)  # not connected (an outage, or not yet)
    monkeypatch.setitem(version_listener._listeners, "default", down)
    assert client.get(PUBLIC_PAGE)["X-Kenes-Cache"] == "miss"

    with django_assert_num_queries(1):
        again = client.get(PUBLIC_PAGE)

    assert again["X-Kenes-Cache"] == "hit"
