from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_first_visit_without_preferences_is_in_kazakh(client):
    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="kk">' in response.content.decode()


def test_the_language_switcher_is_on_every_page_and_offers_three_languages(client):
    for path in ["/", "/territory/", "/accounts/login/"]:
        page = client.get(path).content.decode()

        assert 'action="/i18n/setlang/"' in page
        for code in ["kk", "ru", "en"]:
            assert f'name="language" value="{code}"' in page
        assert f'name="next" value="{path}"' in page


def test_switching_to_russian_sets_the_cookie_and_is_remembered(client):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/territory/"})

    assert response.status_code == 302
    assert response["Location"] == "/territory/"
    assert response.cookies["kenes_language"].value == "ru"
    assert '<html lang="ru">' in client.get("/").content.decode()
    assert '<html lang="ru">' in client.get("/territory/").content.decode()
    assert '<html lang="ru">' in client.get("/accounts/login/").content.decode()


def test_english_can_be_chosen_and_kazakh_chosen_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "kk", "next": "/"})
    assert '<html lang="kk">' in client.get("/").content.decode()


def test_an_unknown_language_is_ignored(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert "kenes_language" not in response.cookies
    assert '<html lang="kk">' in client.get("/").content.decode()


def test_the_switcher_marks_the_current_language(client):
    client.cookies["kenes_language"] = "ru"

    page = client.get("/").content.decode()

    assert 'value="ru" lang="ru" aria-current="true"' in page
    assert 'value="kk" lang="kk" aria-current' not in page


def test_the_switcher_does_not_redirect_off_site(client):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
