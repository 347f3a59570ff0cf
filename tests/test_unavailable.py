"""When the database does not answer, a page says so with a 503 and Retry-After (the API in its JSON
error shape), rendered without the database; any other error stays a plain 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def failing(error: Exception) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


@pytest.mark.parametrize(
    ("language", "words"),
    [("kk", "Дерекқор"), ("ru", "База данных"), ("en", "The database is not answering right now")],
)
def test_a_page_whose_database_is_down_answers_503_in_the_readers_language(
    monkeypatch: pytest.MonkeyPatch, language: str, words: str
) -> None:
    from kenes.councils import selectors

    monkeypatch.setattr(selectors, "districts_with_councils", failing(OperationalError("server closed the connection")))
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get("/councils/")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert words.lower() in html.lower()


def test_the_api_answers_503_in_its_error_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    from kenes.proposals import selectors

    monkeypatch.setattr(selectors, "list_proposals", failing(InterfaceError("connection already closed")))

    response = Client(raise_request_exception=False).get("/api/v1/proposals/")

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"] == "10"


def test_the_unavailable_page_itself_asks_nothing_of_the_database(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    from kenes.core import views

    request = Client().get("/-/ping").wsgi_request
    with django_assert_num_queries(0):
        try:
            raise OperationalError("the database system is shutting down")
        except OperationalError:
            response = views.server_error(request)

    assert response.status_code == 503


def test_any_other_error_is_a_plain_500(monkeypatch: pytest.MonkeyPatch) -> None:
    from kenes.councils import selectors

    monkeypatch.setattr(selectors, "districts_with_councils", failing(ValueError("a bug")))

    response = Client(raise_request_exception=False).get("/councils/")

    assert response.status_code == 500
    assert "Retry-After" not in response
