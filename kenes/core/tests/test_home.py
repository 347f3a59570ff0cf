from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_has_one_headline_saying_what_kenes_is(client):
    page = client.get("/").content.decode()

    assert len(re.findall(r"<h1\b", page)) == 1
    assert re.search(r'<main id="main"', page)
    assert 'class="skip" href="#main"' in page


def test_the_home_page_links_to_the_pilot_district(client):
    page = client.get("/").content.decode()

    pilot = reverse("territory:unit", args=[settings.KENES_PILOT_DISTRICT])
    assert pilot == f"/territory/{settings.KENES_PILOT_DISTRICT}/"
    assert f'href="{pilot}"' in page


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_home_page_offers_a_labelled_search_for_a_village_or_okrug(client, language):
    client.cookies["kenes_language"] = language

    page = client.get("/").content.decode()

    form = re.search(r'<form method="get" action="([^"]+)"[^>]*>(.*?)</form>', page, re.DOTALL)
    assert form is not None
    assert form[1] == reverse("territory:search")
    input_id = re.search(r'<input type="search" id="([^"]+)" name="q"', form[2])
    assert input_id is not None
    assert f'<label for="{input_id[1]}">' in form[2]
    assert f'href="{reverse("territory:country")}"' in page


def test_the_search_form_leads_to_the_search_page(client):
    response = client.get(reverse("territory:search"), {"q": "бәйтерек"})

    assert response.status_code == 200


def test_the_home_page_explains_how_it_works_in_four_steps(client):
    page = client.get("/").content.decode()

    steps = re.search(r'<ol class="steps">(.*?)</ol>', page, re.DOTALL)
    assert steps is not None
    assert len(re.findall(r"<li>", steps[1])) == 4


def test_the_home_page_and_its_stylesheet_stay_small(client):
    page = client.get("/").content
    stylesheet = finders.find("css/kenes.css")
    assert stylesheet is not None

    with open(stylesheet, "rb") as css:
        css_size = len(css.read())

    assert css_size < 8 * 1024
    assert len(page) + css_size < 20 * 1024
    assert b"<script" not in page  # the home page needs no JavaScript at all
