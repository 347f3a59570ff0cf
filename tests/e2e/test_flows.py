"""What a person does on Kenes, clicked through in Chromium against the production stack."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"
REGION = "270000000"
DISTRICT = "274400000"
# An okrug code: same oblast and district digits, its own okrug digits, settlement digits 000.
OKRUG_HREF = re.compile(rf"/territory/{DISTRICT[:4]}(?!00)\d{{2}}000/$")
SEARCH_TERM = "құрманғазы"  # lower case, with қ ұ ғ: a main village of Бәйтерек ауданы
SEARCH_HIT = "274467100"


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _first_okrug_link(page: Page) -> str:
    for href in page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        if OKRUG_HREF.search(href):
            return href
    pytest.fail(f"no okrug link on {page.url}")


def test_the_home_page_opens_in_kazakh_and_remembers_a_switch_to_russian(page: Page, context: BrowserContext):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator(".demo-banner")).to_be_visible()
    _screenshot(page, "home-kk.png")

    page.locator("form.lang button[value='ru']").click()
    page.wait_for_load_state()

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    language_cookie = next(cookie for cookie in context.cookies() if cookie["name"] == "kenes_language")
    assert language_cookie["value"] == "ru"
    assert language_cookie["secure"], "DEBUG=false sets Secure cookies; Chromium keeps them on 127.0.0.1"

    page.locator("header a[href='/territory/']").first.click()
    expect(page).to_have_url(re.compile(r"/territory/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_a_visitor_drills_down_from_the_home_page_to_an_okrug_of_baiterek(page: Page):
    page.goto("/")
    page.locator("a[href='/territory/']").first.click()
    expect(page).to_have_url(re.compile(r"/territory/$"))

    page.locator(f"main a[href='/territory/{REGION}/']").first.click()
    expect(page.locator("h1")).to_contain_text("Батыс Қазақстан")

    page.locator(f"main a[href='/territory/{DISTRICT}/']").first.click()
    expect(page.locator("h1")).to_contain_text("Бәйтерек")

    okrug_href = _first_okrug_link(page)
    okrug_link = page.locator(f"main a[href='{okrug_href}']").first
    okrug_name = okrug_link.inner_text().strip()
    okrug_link.click()
    expect(page).to_have_url(re.compile(re.escape(okrug_href) + "$"))
    expect(page.locator("h1")).to_be_visible()

    breadcrumbs = page.locator(f"nav:has(a[href='/territory/{DISTRICT}/'])").first
    expect(breadcrumbs).to_be_visible()
    expect(breadcrumbs.locator("a[href='/territory/']")).to_have_count(1)
    expect(breadcrumbs.locator(f"a[href='/territory/{REGION}/']")).to_contain_text("Батыс Қазақстан")
    expect(breadcrumbs.locator(f"a[href='/territory/{DISTRICT}/']")).to_contain_text("Бәйтерек")
    # The okrug itself ends the trail as the current page, not as a link to itself.
    expect(breadcrumbs).to_contain_text(okrug_name.split(" ")[0])
    expect(breadcrumbs.locator(f"a[href='{okrug_href}']")).to_have_count(0)


def test_a_lower_case_kazakh_search_from_the_home_page_finds_a_village(page: Page):
    page.goto("/")
    search_box = page.locator("input[name='q']").first
    search_box.fill(SEARCH_TERM)
    search_box.press("Enter")

    expect(page).to_have_url(re.compile(r"/territory/search/\?q="))
    hit = page.locator(f"main a[href='/territory/{SEARCH_HIT}/']").first
    expect(hit).to_contain_text("Құрманғазы")
    hit.click()

    expect(page).to_have_url(re.compile(rf"/territory/{SEARCH_HIT}/$"))
    expect(page.locator("h1")).to_contain_text("Құрманғазы")


def test_the_demo_resident_logs_in_and_sees_a_masked_iin(page: Page, context: BrowserContext):
    page.goto("/accounts/login/")
    page.locator("input[name='username']").fill("demo-resident")
    page.locator("input[name='password']").fill("demo12345")
    page.locator("main form [type='submit']").first.click()
    page.wait_for_load_state()

    session = next(cookie for cookie in context.cookies() if cookie["name"] == "sessionid")
    assert session["secure"]
    assert session["httpOnly"]

    page.goto("/accounts/profile/")
    expect(page.locator("main")).to_contain_text("9001********")
    expect(page.locator("main")).not_to_contain_text("900101300017")
    expect(page.locator("main")).to_contain_text("(демо)")


def test_the_district_map_draws_boundaries_with_their_attribution(page: Page, live_site):
    if not live_site.has_boundaries:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs every flow: the shared boundaries file geo/kz-districts-2024.geojson is missing")
        pytest.skip("no boundaries file (shared data/geo): the district page has no map to check")
    page.goto(f"/territory/{DISTRICT}/")

    expect(page.locator(".leaflet-container path.leaflet-interactive").first).to_be_attached()
    # The credit is plain text under the map, so it shows with or without JavaScript.
    attribution = page.locator(".territory-map").get_by_text("Boundaries: geokz (A. Rodionov), CC BY 4.0")
    expect(attribution).to_be_visible()
    page.wait_for_load_state("networkidle")
    _screenshot(page, "district-kk.png")
