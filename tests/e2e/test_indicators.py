"""Rural indicators in Chromium against the production stack: a visitor on a phone goes from the
pilot okrug's territory page to its profile, reads the population chart and the numbers beside it,
downloads the chart as PNG, goes on to the oblast's map of districts, sees every district drawn in its
colour, picks another indicator, and follows a district on the map to its overview; the pilot's
evaluation says in plain words what can be told."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect

from tests.e2e.conftest import LiveSite

pytestmark = pytest.mark.e2e

OKRUG = "274430000"  # the demo council's okrug in the pilot district (kenes.demo)
REGION = "270000000"  # West Kazakhstan
PHONE: ViewportSize = {"width": 390, "height": 844}
FLOW_BUDGET = 60.0  # seconds


def _visitor(browser: Browser, live_site: LiveSite) -> Page:
    context = browser.new_context(base_url=live_site.url, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()

    def refuse(dialog: Dialog) -> None:
        dialog.dismiss()
        pytest.fail(f"a script ran: {dialog.message}")

    page.on("dialog", refuse)
    page.goto(f"/territory/{OKRUG}/")
    with page.expect_navigation():
        page.locator("form.lang button[value='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    return page


def test_a_visitor_reads_an_okrug_profile_chart_then_the_map_of_districts(browser: Browser, live_site: LiveSite):
    started = time.monotonic()
    page = _visitor(browser, live_site)

    # From the territory page to the okrug's profile.
    with page.expect_navigation():
        page.get_by_role("link", name="The okrug's profile: indicators, council, relocation").click()
    expect(page).to_have_url(f"{live_site.url}/indicators/okrug/{OKRUG}/")
    expect(page.locator("main .demo-note")).to_contain_text("DEMO DATA")

    # The population chart: drawn (an image with a title), with the same years in the table beside it.
    figure = page.locator("#figure-population")
    chart = figure.locator("svg[role='img']")
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_contain_text("Population")
    assert chart.locator("polyline").count() >= 1
    rows = figure.locator(".chart-table tbody tr")
    expect(rows).to_have_count(5)  # 2022–2026
    expect(rows.first.locator("th")).to_have_text("2022")
    first_value = int(rows.first.locator("td").inner_text().replace("\u00a0", "").replace(" ", "").replace(",", ""))
    assert first_value > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"

    # The chart downloads as a PNG image.
    png_link = figure.get_by_role("link", name="PNG")
    png = page.request.get(png_link.get_attribute("href") or "")
    assert png.status == 200
    assert png.headers["content-type"] == "image/png"
    assert png.body().startswith(b"\x89PNG")

    # The council's scorecard and the villages are on the profile too.
    expect(page.locator("#council dl")).to_be_visible()
    expect(page.locator("#villages table tbody tr").first).to_be_visible()

    # On to the oblast's map of districts.
    with page.expect_navigation():
        page.locator("nav.dashboard-links").get_by_role("link", name="Map of districts").click()
    expect(page).to_have_url(f"{live_site.url}/indicators/map/{REGION}/")
    table_rows = page.locator("table.map-table tbody tr")
    expect(table_rows.first).to_be_visible()
    if not live_site.has_boundaries:
        pytest.skip("the shared district boundaries are not available: the table stands in for the map")
    expect(table_rows).to_have_count(13)  # the national classifier and the boundaries come together
    expect(page.locator("#choropleth")).to_have_attribute("data-drawn", "13")
    shading = json.loads(page.locator("#map-shading").inner_text())
    drawn_fills = page.locator("#choropleth path.leaflet-interactive").evaluate_all(
        "paths => paths.map(path => path.getAttribute('fill'))"
    )
    assert sorted(drawn_fills) == sorted(entry["fill"] for entry in shading.values())

    # Another indicator: the form reloads the map with it.
    page.locator("select[name='code']").select_option("net_migration")
    with page.expect_navigation():
        page.locator("main form.dashboard-controls button[type='submit']").click()
    expect(page.locator("#map-title")).to_contain_text("Net migration")
    expect(page.locator("#map-title")).to_contain_text("per 1,000 residents")
    expect(page.locator("#choropleth")).to_have_attribute("data-drawn", "13")

    # A district on the map leads to its overview (one whose middle no other district covers:
    # Oral city lies inside Бәйтерек district).
    page.locator("#choropleth").scroll_into_view_if_needed()
    kato = page.locator("#choropleth").evaluate(
        """map => Array.from(map.querySelectorAll("path[data-kato]")).map(path => {
             const box = path.getBoundingClientRect();
             const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
             return top === path ? path.getAttribute("data-kato") : null;
           }).find(Boolean)"""
    )
    assert kato, "some district's middle is its own"
    district = page.locator(f"#choropleth path[data-kato='{kato}']")
    district.hover()
    expect(page.locator(".district-tooltip")).to_be_visible()
    with page.expect_navigation():
        district.click()
    expect(page).to_have_url(f"{live_site.url}/indicators/district/{kato}/")
    expect(page.locator("main table.overview-table")).to_be_visible()

    # The pilot's evaluation reads in plain words.
    page.goto("/indicators/evaluation/")
    expect(page.locator("#outcome-net_migration .reading")).to_be_visible()
    expect(page.locator("#outcome-on_time .reading")).to_contain_text("Too few periods to tell")
    assert time.monotonic() - started < FLOW_BUDGET
