"""The read-replica router and its pin (kenes/core/db_router.py, kenes/core/replica.py).

The suite has one database; here a `replica` alias is added that mirrors it (as settings do with
TEST={"MIRROR": "default"} when DATABASE_REPLICA_URL is set): a second connection to the same test
database, so which connection a query used tells where the router sent it. A real streaming replica
is exercised by tests/faults/test_replica.py.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from kenes.core.db_router import PrimaryReplicaRouter
from kenes.core.replica import _PIN_SALT, PIN_COOKIE, REPLICA_ALIAS, ReplicaPinMiddleware, replica_reads

ROOT = Path(__file__).resolve().parents[3]
ROUTER = "kenes.core.db_router.PrimaryReplicaRouter"
MIDDLEWARE = "kenes.core.replica.ReplicaPinMiddleware"
PASSWORD = "a-long-test-password-42"
BOTH = ["default", REPLICA_ALIAS]

router = PrimaryReplicaRouter()


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup: None) -> Iterator[None]:
    """A `replica` alias on the test database, the way Django sets up a TEST MIRROR."""
    if REPLICA_ALIAS in connections.settings:  # the suite runs with DATABASE_REPLICA_URL set
        yield
        return
    primary = connections["default"].settings_dict
    mirror = copy.deepcopy(primary)
    mirror["TEST"] = {**primary["TEST"], "MIRROR": "default"}
    connections.settings[REPLICA_ALIAS] = mirror  # the same dict as settings.DATABASES
    try:
        yield
    finally:
        connections[REPLICA_ALIAS].close()
        del connections[REPLICA_ALIAS]
        del connections.settings[REPLICA_ALIAS]


@pytest.fixture
def routed(settings: Any) -> Any:
    settings.DATABASE_ROUTERS = [ROUTER]
    middleware = list(settings.MIDDLEWARE)
    if MIDDLEWARE not in middleware:
        middleware.insert(middleware.index("django.contrib.sessions.middleware.SessionMiddleware"), MIDDLEWARE)
    settings.MIDDLEWARE = middleware
    settings.KENES_REPLICA_PIN_SECONDS = 5
    return settings


def _through_middleware(request: HttpRequest, view: Any) -> HttpResponse:
    return ReplicaPinMiddleware(view)(request)


def _signed_pin(age_seconds: int) -> str:
    """The pin cookie's value as the middleware would have signed it `age_seconds` ago."""

    signer = signing.get_cookie_signer(salt=PIN_COOKIE + _PIN_SALT)
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - age_seconds)  # type: ignore[method-assign]
    return signer.sign("1")


# Routing decisions -------------------------------------------------------------------------------


def test_reads_go_to_the_replica_and_writes_to_the_primary() -> None:
    with replica_reads():
        assert router.db_for_read(Group) == REPLICA_ALIAS
        assert router.db_for_write(Group) == "default"


def test_reads_outside_a_request_use_the_primary() -> None:
    # Commands, the task worker and the shell act on what they read.
    assert router.db_for_read(Group) == "default"
    router.db_for_write(Group)
    assert router.db_for_read(Group) == "default"


def test_after_a_write_the_rest_of_the_block_reads_the_primary() -> None:
    with replica_reads() as routing:
        router.db_for_write(Group)
        assert router.db_for_read(Group) == "default"
        assert routing.wrote
    with replica_reads():
        assert router.db_for_read(Group) == REPLICA_ALIAS, "the next request starts afresh"


def test_locked_reads_go_to_the_primary_and_pin_what_follows(routed: Any) -> None:
    # Django marks select_for_update() / get_or_create() querysets for writing, so they ask
    # db_for_write, not db_for_read.
    with replica_reads():
        assert Group.objects.all().db == REPLICA_ALIAS
        assert Group.objects.select_for_update().filter(name="council").db == "default"
        assert Group.objects.all().db == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_use_the_primary(routed: Any) -> None:
    with replica_reads():
        assert Group.objects.all().db == REPLICA_ALIAS
        with transaction.atomic():
            assert Group.objects.all().db == "default"
            with transaction.atomic():
                assert Group.objects.all().db == "default"
        assert Group.objects.all().db == REPLICA_ALIAS


def test_sessions_are_always_read_from_the_primary() -> None:
    # Django deletes the cookie of a session it cannot find: a lagging replica would log people out.
    with replica_reads():
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(Group) == REPLICA_ALIAS


def test_migrations_run_only_on_the_primary() -> None:
    assert router.allow_migrate("default", "proposals", model_name="proposal") is True
    assert router.allow_migrate(REPLICA_ALIAS, "proposals", model_name="proposal") is False
    assert router.allow_migrate(REPLICA_ALIAS, "sessions") is False


def test_objects_from_the_primary_and_the_replica_may_be_related() -> None:
    from_primary, from_replica, elsewhere = Group(), Group(), Group()
    from_primary._state.db, from_replica._state.db, elsewhere._state.db = "default", REPLICA_ALIAS, "archive"

    assert router.allow_relation(from_primary, from_replica) is True
    assert router.allow_relation(from_primary, elsewhere) is None


# The pin middleware ------------------------------------------------------------------------------


def _seen(request: HttpRequest) -> tuple[list[str], HttpResponse]:
    seen: list[str] = []

    def view(_request: HttpRequest) -> HttpResponse:
        seen.append(router.db_for_read(Group))
        return HttpResponse()

    return seen, _through_middleware(request, view)


def test_a_safe_request_reads_the_replica_and_sets_no_pin(routed: Any) -> None:
    seen, response = _seen(RequestFactory().get("/"))

    assert seen == [REPLICA_ALIAS]
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unsafe_request_reads_the_primary_throughout(routed: Any, method: str) -> None:
    seen, _response = _seen(getattr(RequestFactory(), method)("/"))

    assert seen == ["default"]


def test_a_request_that_writes_reads_the_primary_afterwards_and_pins_the_browser(routed: Any) -> None:
    seen: list[str] = []

    def view(_request: HttpRequest) -> HttpResponse:
        seen.append(router.db_for_read(Group))
        router.db_for_write(Group)
        seen.append(router.db_for_read(Group))
        return HttpResponse()

    response = _through_middleware(RequestFactory().get("/"), view)

    assert seen == [REPLICA_ALIAS, "default"]
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 5
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_a_browser_that_wrote_a_moment_ago_reads_the_primary(routed: Any) -> None:
    request = RequestFactory().get("/")
    request.COOKIES[PIN_COOKIE] = _signed_pin(age_seconds=1)

    seen, _response = _seen(request)

    assert seen == ["default"]


def test_the_pin_expires_after_the_configured_seconds(routed: Any) -> None:
    request = RequestFactory().get("/")
    request.COOKIES[PIN_COOKIE] = _signed_pin(age_seconds=6)

    seen, _response = _seen(request)

    assert seen == [REPLICA_ALIAS]


def test_a_forged_pin_is_ignored(routed: Any) -> None:
    request = RequestFactory().get("/")
    request.COOKIES[PIN_COOKIE] = "1:forged:signature"

    seen, _response = _seen(request)

    assert seen == [REPLICA_ALIAS]


def test_with_zero_pin_seconds_no_cookie_is_set(routed: Any) -> None:
    routed.KENES_REPLICA_PIN_SECONDS = 0

    def view(_request: HttpRequest) -> HttpResponse:
        router.db_for_write(Group)
        return HttpResponse()

    response = _through_middleware(RequestFactory().post("/"), view)

    assert PIN_COOKIE not in response.cookies


def test_the_state_of_a_request_does_not_leak_into_the_next_or_outside(routed: Any) -> None:
    def view(_request: HttpRequest) -> HttpResponse:
        router.db_for_write(Group)
        return HttpResponse()

    _through_middleware(RequestFactory().get("/"), view)
    seen, _response = _seen(RequestFactory().get("/"))

    assert seen == [REPLICA_ALIAS]
    assert router.db_for_read(Group) == "default"


# Through the whole stack -------------------------------------------------------------------------


def _queries(client: Client, path: str, **kwargs: Any) -> tuple[Any, dict[str, list[str]]]:
    """The answer, and the SQL each connection ran for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA_ALIAS]) as replica,
    ):
        response = client.post(path, **kwargs) if kwargs else client.get(path)
    return response, {"default": [q["sql"] for q in primary], REPLICA_ALIAS: [q["sql"] for q in replica]}


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_post_then_a_get_in_the_same_browser_read_the_primary(routed: Any) -> None:
    get_user_model().objects.create_user(username="resident", password=PASSWORD)
    browser = Client()

    signed_in, sql = _queries(browser, "/accounts/login/", data={"username": "resident", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert sql[REPLICA_ALIAS] == []
    assert PIN_COOKIE in signed_in.cookies

    profile, sql = _queries(browser, "/accounts/profile/")
    assert profile.status_code == 200
    assert "resident" in profile.content.decode()
    assert sql[REPLICA_ALIAS] == []
    assert any("accounts_user" in query for query in sql["default"])


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_get_from_a_browser_that_has_not_written_reads_the_replica(routed: Any) -> None:
    get_user_model().objects.create_user(username="resident", password=PASSWORD)
    browser = Client()
    browser.post("/accounts/login/", data={"username": "resident", "password": PASSWORD})
    del browser.cookies[PIN_COOKIE]  # as if the pin had expired

    profile, sql = _queries(browser, "/accounts/profile/")
    assert profile.status_code == 200
    assert "resident" in profile.content.decode()
    assert len(sql["default"]) == 1, "only the session is read from the primary"
    assert "django_session" in sql["default"][0]
    assert any("accounts_user" in query for query in sql[REPLICA_ALIAS])

    anonymous, sql = _queries(Client(), "/territory/")
    assert anonymous.status_code == 200
    assert sql["default"] == []
    assert sql[REPLICA_ALIAS] != []


# Settings ----------------------------------------------------------------------------------------

_SHOW_SETTINGS = (
    "import json; from config import settings as s; "
    "print(json.dumps({'aliases': sorted(s.DATABASES), 'routers': getattr(s, 'DATABASE_ROUTERS', []), "
    "'pinned': 'kenes.core.replica.ReplicaPinMiddleware' in s.MIDDLEWARE, "
    "'before_sessions': s.MIDDLEWARE.index('kenes.core.replica.ReplicaPinMiddleware') "
    "< s.MIDDLEWARE.index('django.contrib.sessions.middleware.SessionMiddleware') "
    "if 'kenes.core.replica.ReplicaPinMiddleware' in s.MIDDLEWARE else None, "
    "'replica': s.DATABASES.get('replica')}, default=str))"
)


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "KENES_REPLICA"))}
    return subprocess.run(
        [sys.executable, "-c", _SHOW_SETTINGS],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_add_the_replica_its_router_and_the_pin_only_when_its_url_is_set() -> None:
    primary = "postgres://kenes@db1.example:5432/kenes"
    done = _settings_with(DATABASE_URL=primary, DATABASE_REPLICA_URL="postgres://kenes@db2.example:5432/kenes")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["aliases"] == ["default", "replica"]
    assert found["routers"] == [ROUTER]
    assert found["pinned"] is True
    assert found["before_sessions"] is True
    assert found["replica"]["HOST"] == "db2.example"
    assert found["replica"]["TEST"] == {"MIRROR": "default"}
    assert found["replica"]["OPTIONS"]["connect_timeout"] > 0

    done = _settings_with(DATABASE_URL=primary)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["aliases"] == ["default"]
    assert found["routers"] == []
    assert found["pinned"] is False


def test_a_replica_without_a_postgresql_primary_is_refused() -> None:
    done = _settings_with(DATABASE_REPLICA_URL="postgres://kenes@db2.example:5432/kenes")

    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL" in done.stderr
