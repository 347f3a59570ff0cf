"""The anonymous page cache (kenes/core/page_cache.py, decision 0012) through the HTTP client: a page
is rendered once and served again, and any write makes it fresh; signed-in people, API callers with a
token and visitors with pending messages are never served from it; the CSRF token is each visitor's
own. Here, not in kenes/core/tests, because the scenarios use the apps' pages and services."""

from __future__ import annotations

import gzip
import re
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from kenes.accounts.services import issue_api_token
from kenes.core.page_cache import bump_content_version, content_version, entry_for, is_write
from kenes.proposals import services
from kenes.proposals.models import Proposal, Status
from kenes.proposals.tests.factories import ProposalFactory, resident_of

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def cache_on(settings: Any) -> None:
    settings.KENES_PAGE_CACHE_SECONDS = 300


@pytest.fixture
def proposal() -> Proposal:
    return ProposalFactory.create(status=Status.COLLECTING, title="Жол жөндеу")


def test_a_second_anonymous_visit_is_served_without_rendering(
    proposal: Proposal, django_assert_num_queries: Any
) -> None:
    client = Client()
    first = client.get(f"/proposals/{proposal.pk}/")
    assert first.status_code == 200
    assert first["X-Kenes-Cache"] == "miss"

    with django_assert_num_queries(1):  # the content version, nothing else
        again = Client().get(f"/proposals/{proposal.pk}/")

    assert again["X-Kenes-Cache"] == "hit"
    assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())
    assert "Жол жөндеу" in again.content.decode()


def test_a_support_makes_the_page_fresh_for_the_next_anonymous_visitor(proposal: Proposal) -> None:
    url = f"/proposals/{proposal.pk}/"
    Client().get(url)
    before = content_version()

    services.support_proposal(actor=resident_of(proposal.okrug), proposal=proposal)

    assert content_version() > before
    page = Client().get(url)
    assert page["X-Kenes-Cache"] == "miss"
    proposal.refresh_from_db()
    assert proposal.support_count == 1
    api = Client().get(f"/api/v1/proposals/{proposal.pk}")
    assert api.json()["support_count"] == 1


def test_an_edit_made_outside_a_service_is_seen_too(proposal: Proposal) -> None:
    url = f"/proposals/{proposal.pk}/"
    Client().get(url)

    Proposal.objects.filter(pk=proposal.pk).update(title="Көпір салу")

    page = Client().get(url).content.decode()
    assert "Көпір салу" in page
    assert "Жол жөндеу" not in page


def test_a_cached_page_is_the_same_for_everyone_and_its_language_buttons_work(proposal: Proposal) -> None:
    url = f"/proposals/{proposal.pk}/"
    Client().get(url)

    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert page["X-Kenes-Cache"] == "hit"
    assert TOKEN.search(page.content.decode()) is None  # nothing of this visitor's in it
    assert not page.cookies  # no CSRF cookie either

    switched = visitor.post("/i18n/setlang/", {"language": "ru", "next": url})

    assert switched.status_code == 302
    assert switched["Location"] == url
    russian = visitor.get(url)
    assert russian["X-Kenes-Cache"] == "miss"  # another language, another entry
    assert '<html lang="ru">' in russian.content.decode()


def test_a_hit_sends_the_page_compressed_once(proposal: Proposal) -> None:
    url = f"/proposals/{proposal.pk}/"
    plain = Client().get(url)

    compressed = Client().get(url, headers={"Accept-Encoding": "gzip, deflate"})

    assert compressed["X-Kenes-Cache"] == "hit"
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 2


def test_a_page_that_carries_a_csrf_token_gets_each_visitor_their_own() -> None:
    rendered = HttpResponse(b'<form><input type="hidden" name="csrfmiddlewaretoken" value="abc123XYZ"></form>')
    entry = entry_for(rendered, version=7, day="2026-12-06")
    assert b"abc123XYZ" not in entry.content
    assert entry.gzipped is None  # per visitor, so compressed per response

    first = entry.response(RequestFactory().get("/"))
    second = entry.response(RequestFactory().get("/"))

    tokens = [TOKEN.search(answer.content.decode()) for answer in (first, second)]
    assert all(token is not None for token in tokens)
    assert tokens[0].group(1) != tokens[1].group(1)  # type: ignore[union-attr]


def test_languages_and_htmx_partials_are_kept_apart(proposal: Proposal) -> None:
    url = f"/proposals/okrug/{proposal.okrug.kato}/"
    kazakh = Client()
    russian = Client()
    russian.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    assert kazakh.get(url)["X-Kenes-Cache"] == "miss"
    assert russian.get(url)["X-Kenes-Cache"] == "miss"
    # An htmx request may be answered with a fragment: it never shares an entry with the full page.
    assert kazakh.get(url, headers={"HX-Request": "true"})["X-Kenes-Cache"] == "miss"
    assert '<html lang="kk">' in kazakh.get(url).content.decode()
    assert '<html lang="ru">' in russian.get(url).content.decode()


def test_signed_in_people_are_never_served_from_the_cache(proposal: Proposal) -> None:
    url = f"/proposals/{proposal.pk}/"
    Client().get(url)
    resident = resident_of(proposal.okrug, username="cache-resident")
    client = Client()
    client.force_login(resident)

    page = client.get(url)

    assert "X-Kenes-Cache" not in page
    assert 'action="/accounts/logout/"' in page.content.decode()  # their own menu, not the anonymous page


def test_api_callers_with_a_token_are_never_served_from_the_cache(proposal: Proposal) -> None:
    url = f"/api/v1/proposals/{proposal.pk}"
    assert Client().get(url)["X-Kenes-Cache"] == "miss"
    assert Client().get(url)["X-Kenes-Cache"] == "hit"
    caller = resident_of(proposal.okrug)
    _token, secret = issue_api_token(actor=caller, user=caller, name="cache test")

    answer = Client().get(url, headers={"Authorization": f"Bearer {secret}"})

    assert answer.status_code == 200
    assert "X-Kenes-Cache" not in answer


def test_errors_and_pages_that_are_not_public_are_not_kept(proposal: Proposal) -> None:
    missing = Client().get("/proposals/999999999/")
    assert missing.status_code == 404
    assert "X-Kenes-Cache" not in Client().get("/proposals/999999999/")
    assert "X-Kenes-Cache" not in Client().get("/accounts/login/")


def test_a_page_is_not_kept_when_the_cache_is_off(proposal: Proposal, settings: Any) -> None:
    settings.KENES_PAGE_CACHE_SECONDS = 0

    assert "X-Kenes-Cache" not in Client().get(f"/proposals/{proposal.pk}/")
    assert "X-Kenes-Cache" not in Client().get(f"/proposals/{proposal.pk}/")


def test_a_bulk_load_outside_the_orm_makes_pages_fresh_by_bumping(proposal: Proposal) -> None:
    before = content_version()
    bump_content_version()
    assert content_version() == before + 1


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('INSERT INTO "proposals_support" ("proposal_id") VALUES (%s)', True),
        ('UPDATE "proposals_proposal" SET "support_count" = 1', True),
        ('DELETE FROM "meetings_vote" WHERE id = 1', True),
        ('TRUNCATE "proposals_proposal"', True),
        ('SELECT "proposals_proposal"."id" FROM "proposals_proposal"', False),
        ('UPDATE "django_session" SET "expire_date" = %s', False),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
        ('UPDATE "notifications_outboxmessage" SET "state" = %s', False),
        ('INSERT INTO "django_tasks_database_dbtaskresult" ("id") VALUES (%s)', False),
        # Statements that begin with WITH write through their parts (a group of supports' INSERT
        # and counts, the audit entries with their chain's head) or through their main statement.
        ('WITH added AS (INSERT INTO "proposals_support" (x) SELECT 1 RETURNING x) SELECT x FROM added', True),
        ('WITH head AS (UPDATE "core_auditchainhead" SET h = %s) INSERT INTO "core_auditentry" (h) SELECT 1', True),
        ('WITH old AS (SELECT id FROM "meetings_vote") DELETE FROM "meetings_vote" WHERE id IN (1)', True),
        ('WITH locked AS (SELECT id FROM "proposals_proposal" WHERE id = ANY(%s) FOR UPDATE) SELECT 1', False),
        ('WITH gone AS (DELETE FROM "django_session" WHERE 1 = 1) SELECT 1', False),
    ],
)
def test_which_statements_count_as_writes(sql: str, writes: bool) -> None:
    assert is_write(sql) is writes


def test_saving_a_session_leaves_cached_pages_alone(proposal: Proposal) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    url = f"/proposals/{proposal.pk}/"
    Client().get(url)
    before = content_version()

    session = SessionStore()
    session["seen"] = url
    session.save()

    assert content_version() == before
    assert Client().get(url)["X-Kenes-Cache"] == "hit"


def test_a_write_that_stood_is_not_failed_by_a_version_that_cannot_be_advanced(
    proposal: Proposal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError, connection

    from kenes.core import page_cache

    url = f"/proposals/{proposal.pk}/"
    Client().get(url)

    def down(connection: Any) -> None:
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(page_cache, "_bump", down)
    page_cache._bump_after_write(connection)  # logs, does not raise

    assert Client().get(url)["X-Kenes-Cache"] == "miss"  # this process's pages were dropped
