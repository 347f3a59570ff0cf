from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("browser_language", ["ru-RU,ru;q=0.9", "en-US,en;q=0.9", ""])
def test_the_first_visit_is_in_kazakh_whatever_the_browser_asks_for(client, browser_language):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=browser_language).content.decode()
    assert '<html lang="kk">' in page


@pytest.mark.django_db
def test_a_chosen_language_wins_over_the_default(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="en">' in page
