"""Proposals in Chromium against the production stack: a resident files a proposal in Kazakh with a
photo, the coordinator deputy accepts it from the screening queue, a neighbour supports it (htmx
swaps the count in place), and the public page shows the count and the timeline."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Dialog, FilePayload, Page, expect

from tests.e2e.conftest import LiveSite, login

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DEMO_OKRUG = "274430000"  # Переметное а.о.: the demo's complete council
RESIDENT = "demo-resident"
NEIGHBOUR = "demo-resident-2"  # another verified demo resident of the same okrug
COORDINATOR = "demo-coordinator"
SCRIPT = "<script>alert(1)</script>"
FLOW_BUDGET = 60.0  # seconds


def _fail_on_dialog(page: Page) -> None:
    """A user's `<script>` that ran would open an alert: escaping failed."""

    def refuse(dialog: Dialog) -> None:
        dialog.dismiss()
        pytest.fail(f"a script from user text ran: {dialog.message}")

    page.on("dialog", refuse)


def _png() -> bytes:
    """A small photo of a (very green) pasture, made here so the test needs no file."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (64, 160, 72)).save(buffer, format="PNG")
    return buffer.getvalue()


def _person(browser: Browser, live_site: LiveSite, username: str) -> Page:
    """A signed-in person in their own browser context, reading the site in English, so the test
    checks behaviour rather than the wording of the Kazakh catalogue."""
    context = browser.new_context(base_url=live_site.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    _fail_on_dialog(page)
    login(page, username)
    with page.expect_navigation():
        page.locator("form.lang button[value='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    return page


def _file_proposal(page: Page, title: str) -> int:
    page.goto(f"/proposals/okrug/{DEMO_OKRUG}/new/")
    form = page.locator("main form.proposal-form")
    form.locator("input[name='title']").fill(title)
    form.locator("textarea[name='body']").fill(
        f"Көктемде жайылымға баратын жол батпаққа айналады, сиырлар өте алмайды. {SCRIPT}"
    )
    form.locator("input[name='language'][value='kk']").check()
    form.locator("select[name='area']").select_option("household_farming")
    form.locator("input[name='estimated_cost']").fill("1200000")
    form.locator("input[name='photos']").set_input_files(
        [FilePayload(name="жайылым.png", mimeType="image/png", buffer=_png())]
    )
    with page.expect_navigation():
        form.locator("button[name='action'][value='submit']").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+/$"))
    match = re.search(r"/proposals/(\d+)/$", page.url)
    assert match is not None
    return int(match.group(1))


def test_a_resident_files_a_proposal_the_coordinator_accepts_it_and_a_neighbour_supports_it(
    browser: Browser, live_site: LiveSite
):
    started = time.monotonic()
    # Kazakh letters ә, қ, ө, ұ, ғ in the title; the time keeps reruns on one site apart.
    title = f"Жайылымға апаратын көпірді жөндеу, әсіресе қыста — ұсыныс {int(started) % 100000}"

    resident = _person(browser, live_site, RESIDENT)
    proposal_id = _file_proposal(resident, title)
    main = resident.locator("main")
    expect(main.locator("h1")).to_contain_text(title)
    expect(main).to_contain_text(SCRIPT)  # shown as text, never run
    expect(main.locator("img")).to_have_count(1)
    expect(main.locator(".timeline li")).to_have_count(2)  # created, submitted
    resident.context.close()

    coordinator = _person(browser, live_site, COORDINATOR)
    coordinator.goto("/proposals/screening/")
    coordinator.locator("main table a", has_text=title).click()
    expect(coordinator).to_have_url(re.compile(rf"/proposals/{proposal_id}/screen/$"))
    with coordinator.expect_navigation():
        coordinator.locator("main form:has(input[name='action'][value='accept']) button[type='submit']").click()
    expect(coordinator).to_have_url(re.compile(rf"/proposals/{proposal_id}/$"))
    expect(coordinator.locator("main .timeline")).to_contain_text("Accepted for support")
    coordinator.context.close()

    neighbour = _person(browser, live_site, NEIGHBOUR)
    neighbour.goto(f"/proposals/{proposal_id}/")
    count = neighbour.locator("#support .support-count strong")
    expect(count).to_have_text("0")
    # A marker on the window survives an htmx swap but not a page load.
    neighbour.evaluate("window.kenesNoReload = true")
    neighbour.locator("#support button[type='submit']", has_text="Support").click()
    expect(count).to_have_text("1")
    expect(neighbour.locator("#support")).to_contain_text("You support this proposal.")
    assert neighbour.evaluate("window.kenesNoReload === true"), "the support button reloaded the whole page"

    # What anyone sees after a fresh load: the count and the steps.
    neighbour.reload()
    expect(neighbour.locator("#support .support-count")).to_contain_text("1 resident supports this proposal")
    timeline = neighbour.locator("main .timeline")
    expect(timeline).to_contain_text("Submitted")
    expect(timeline).to_contain_text("Accepted for support")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    neighbour.screenshot(path=str(SCREENSHOTS / "proposal-en.png"), full_page=True)
    neighbour.context.close()

    elapsed = time.monotonic() - started
    assert elapsed < FLOW_BUDGET, f"the flow took {elapsed:.1f} s"
