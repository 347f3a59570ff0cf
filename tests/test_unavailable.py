"""When the database does not answer, a page says so with a 503 and Retry-After (the API in its JSON
error shape), quickly and without asking the database anything more; any other error stays a 500.
The fault test (tests/faults/test_postgres_restart.py) does the same against a real restart. Here,
not in kenes/core/tests, because the scenarios use the apps' pages and factories (core imports no app)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.utils import translation

from kenes.accounts.services import issue_api_token
from kenes.core.middleware import database_unavailable
from kenes.proposals.models import Status
from kenes.proposals.tests.factories import ProposalFactory, resident_of

pytestmark = pytest.mark.django_db

HEADINGS = {
    "kk": "Kenes уақытша қолжетімсіз",
    "ru": "Kenes временно недоступен",
    "en": "Kenes is briefly unavailable",
}
EXPLANATIONS = {
    "kk": "қайта жіберілген қолдау немесе дауыс екі рет есептелмейді",
    "ru": "повторно отправленная поддержка или голос никогда не засчитываются дважды",
    "en": "a support or a vote sent again is never counted twice",
}


def failing(error: Exception) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


@pytest.fixture
def councils_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """The council directory's first query fails as it does while PostgreSQL restarts."""
    from kenes.councils import selectors

    monkeypatch.setattr(
        selectors,
        "districts_with_councils",
        failing(OperationalError("terminating connection due to administrator command")),
    )


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.usefixtures("councils_down")
def test_a_page_whose_database_is_down_answers_503_in_the_readers_language(language: str) -> None:
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get("/councils/")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{HEADINGS[language]}</h1>" in html
    assert EXPLANATIONS[language] in html


@pytest.mark.usefixtures("councils_down")
def test_the_503_page_still_gets_the_security_headers_and_the_request_id() -> None:
    response = Client(raise_request_exception=False).get("/councils/", HTTP_X_REQUEST_ID="outage-1")

    assert response.status_code == 503
    assert response["X-Request-ID"] == "outage-1"
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.usefixtures("councils_down")
def test_the_503_page_asks_nothing_of_the_database_not_even_for_a_signed_in_person(
    django_assert_num_queries: Any,
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(resident_of(ProposalFactory.create(status=Status.COLLECTING).okrug))

    # No session read, no user, no menu: the view failed before its first query, and nothing after it asks.
    with django_assert_num_queries(0):
        response = client.get("/councils/")

    assert response.status_code == 503


def test_the_answer_itself_is_made_without_the_database(django_assert_num_queries: Any) -> None:
    request = Client().get("/-/ping").wsgi_request

    with django_assert_num_queries(0):
        page = database_unavailable(request, OperationalError("the database system is shutting down"))
        request.path = "/api/v1/proposals/"
        body = database_unavailable(request, InterfaceError("connection already closed"))

    assert (page.status_code, body.status_code) == (503, 503)


def test_the_500_handler_answers_the_same_503_without_the_database(django_assert_num_queries: Any) -> None:
    # The path for an error raised inside another middleware (see the session test below).
    from kenes.core import views

    request = Client().get("/-/ping").wsgi_request
    with django_assert_num_queries(0), translation.override("en"):
        try:
            raise OperationalError("the database system is shutting down")
        except OperationalError:
            response = views.server_error(request)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert f"<h1>{HEADINGS['en']}</h1>" in response.content.decode()


def test_the_api_answers_503_in_its_error_shape_in_the_callers_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from kenes.proposals import selectors

    monkeypatch.setattr(selectors, "list_proposals", failing(InterfaceError("connection already closed")))

    response = Client(raise_request_exception=False).get("/api/v1/proposals/", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {
        "detail": "База данных сейчас не отвечает: попробуйте через минуту.",
        "code": "unavailable",
    }


def test_a_support_sent_while_the_database_is_down_answers_503_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from kenes.proposals import services

    proposal = ProposalFactory.create(status=Status.COLLECTING)
    resident = resident_of(proposal.okrug)
    _token, secret = issue_api_token(actor=resident, user=resident, name="phone")
    monkeypatch.setattr(
        services, "_lock_proposals", failing(OperationalError("server closed the connection unexpectedly"))
    )

    response = Client(raise_request_exception=False).post(
        f"/api/v1/proposals/{proposal.pk}/support", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json()["code"] == "unavailable"


@pytest.mark.usefixtures("councils_down")
def test_an_outage_is_logged_once_per_request_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        Client(raise_request_exception=False).get("/councils/", HTTP_X_REQUEST_ID="outage-2")

    records = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(records) == 1, [record.getMessage() for record in records]
    (record,) = records
    assert record.name == "kenes.core.middleware"
    assert record.exc_info is None
    assert record.getMessage() == (
        "database unavailable, answered 503: GET /councils/ (request outage-2): "
        "terminating connection due to administrator command"
    )


def test_a_session_that_cannot_be_saved_after_the_view_also_answers_503(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # Django turns an error inside another middleware into a response at that middleware's boundary,
    # so this one reaches the 500 handler, which answers the same 503.
    from django.contrib.sessions.backends.db import SessionStore

    settings.SESSION_SAVE_EVERY_REQUEST = True
    client = Client(raise_request_exception=False)
    client.force_login(resident_of(ProposalFactory.create(status=Status.COLLECTING).okrug))
    monkeypatch.setattr(SessionStore, "save", failing(OperationalError("the database system is starting up")))

    response = client.get("/-/ping")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"


def test_any_other_error_is_a_plain_500(monkeypatch: pytest.MonkeyPatch) -> None:
    from kenes.councils import selectors

    monkeypatch.setattr(selectors, "districts_with_councils", failing(ValueError("a bug")))

    response = Client(raise_request_exception=False).get("/councils/")

    assert response.status_code == 500
    assert "Retry-After" not in response
