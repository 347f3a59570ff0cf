"""The API's error shape: a DomainError becomes {"detail", "code"} with its status."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from config.api import api
from kenes.accounts.tests.factories import UserFactory
from kenes.core.errors import DomainError


def test_a_domain_error_becomes_detail_and_code_with_its_status():
    request = RequestFactory().get("/api/v1/anything")

    response = api.on_exception(request, DomainError("Voting has closed.", code="vote_closed", status=409))

    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {"detail": "Voting has closed.", "code": "vote_closed"}


def test_the_detail_is_translated_into_the_language_of_the_request():
    request = RequestFactory().get("/api/v1/anything")

    with translation.override("ru"):
        response = api.on_exception(request, DomainError(_("This field is required."), code="required"))

    assert json.loads(response.content) == {"detail": "Обязательное поле.", "code": "required"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/territory/999999999",
        "/api/v1/territory/districts?region=999999999",
        "/api/v1/territory/okrugs?district=999999999",
        "/api/v1/territory/settlements?okrug=999999999",
    ],
)
def test_an_unknown_code_is_a_404_with_detail_and_code(client, territory, path):
    response = client.get(path)

    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == "not_found"
    assert isinstance(body["detail"], str)
    assert body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/territory/27440000X", "/api/v1/territory/districts?region=27"])
def test_a_malformed_code_is_a_422_with_code_invalid(client, path):
    response = client.get(path)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_api_responses_carry_the_request_id_and_security_headers(client, territory):
    response = client.get("/api/v1/territory/274400000", headers={"X-Request-ID": "api-1"})

    assert response.status_code == 200
    assert response["X-Request-ID"] == "api-1"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_400_with_detail_and_code(client):
    client.force_login(UserFactory.create())

    response = client.post("/api/v1/proposals/", "\x00{", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body", "code": "malformed_request"}
