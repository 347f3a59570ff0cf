from __future__ import annotations

import pytest

from kenes.core.errors import DomainError

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kenes.core.tests.urls")]


def test_a_domain_error_carries_a_message_a_code_and_a_status():
    error = DomainError("Quorum is not reached.", code="no_quorum")

    assert str(error) == "Quorum is not reached."
    assert (error.code, error.status) == ("no_quorum", 400)
    assert DomainError("Gone.", code="not_found", status=404).status == 404


def test_a_page_view_raising_a_domain_error_renders_the_message_page_with_status_400(client):
    response = client.get("/_test/domain-error/")

    assert response.status_code == 400
    assert response.templates[0].name == "core/domain_error.html"
    assert response.context["code"] == "test_refused"
    assert '<p class="error" role="alert">Бұл өрісті толтыру міндетті.</p>' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [("kk", "Бұл өрісті толтыру міндетті."), ("ru", "Обязательное поле."), ("en", "This field is required.")],
)
def test_the_message_is_translated_into_the_language_of_the_request(client, language, message):
    client.cookies["kenes_language"] = language

    response = client.get("/_test/domain-error/")

    assert response.status_code == 400
    assert f'<html lang="{language}">' in response.content.decode()
    assert f'<p class="error" role="alert">{message}</p>' in response.content.decode()


def test_an_unknown_address_gets_a_translated_404_page_in_the_site_layout(client):
    response = client.get("/no-such-page/<script>alert(1)</script>")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="kk">' in page
    assert 'class="site-header"' in page
    assert "<script>alert(1)</script>" not in page


def test_a_server_error_page_renders_without_a_request_context():
    from django.template.loader import get_template

    page = get_template("500.html").render()

    assert "<h1>" in page
    assert "css/kenes.css" in page
