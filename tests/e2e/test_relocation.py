"""From City to Village, in Chromium against the production stack: the demo family from Oral
(demo-family: a veterinarian, his wife a teacher, two children) signs in, finds on its matches page
the farm's veterinarian vacancy in a village that also offers a house big enough for them, and
applies; the programme's staff (demo-programme) take the application into talks, accept it and record
the move; the public dashboard then counts one more family and its four people."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from tests.e2e.conftest import LiveSite, login

pytestmark = pytest.mark.e2e

FAMILY = "demo-family"  # kenes.demo: from Oral, 4 people, a veterinarian and a teacher
STAFF = "demo-programme"  # programme staff of the oblast
VACANCY = "Ветеринар дәрігер (2 орын)"  # the demo farm's vacancy
HOUSE = "Үш бөлмелі үй"  # a free 3-room house in the same village
SCRIPT = "<script>alert(1)</script>"
MESSAGE = "Екеуміз де жұмысқа дайынбыз, көктемде көшеміз."
FLOW_BUDGET = 60.0  # seconds


def _fail_on_dialog(page: Page) -> None:
    """A user's `<script>` that ran would open an alert: escaping failed."""

    def refuse(dialog: Dialog) -> None:
        dialog.dismiss()
        pytest.fail(f"a script from user text ran: {dialog.message}")

    page.on("dialog", refuse)


def _english(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form.lang button[value='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _person(browser: Browser, live_site: LiveSite, username: str | None) -> Page:
    """A person in their own browser context (signed in unless `username` is None), reading the
    site in English, so the test checks behaviour rather than the Kazakh catalogue's wording."""
    context = browser.new_context(base_url=live_site.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    _fail_on_dialog(page)
    if username is None:
        page.goto("/relocation/dashboard/")
    else:
        login(page, username)
    _english(page)
    return page


def _total(page: Page, label: str) -> int:
    """A figure of the dashboard's "who moved" list, e.g. "Families moved"."""
    cell = page.locator("main dl.dashboard-totals > div").filter(
        has=page.locator("dt", has_text=re.compile(rf"^{label}$"))
    )
    return int(cell.locator("dd").inner_text().replace("\u00a0", "").replace(" ", ""))


def _dashboard(page: Page) -> tuple[int, int, int]:
    page.goto("/relocation/dashboard/")
    expect(page.locator("main h1")).to_be_visible()
    return _total(page, "Families moved"), _total(page, "People moved"), _total(page, "Children")


def _match(page: Page, title: str) -> Locator:
    match = page.locator("main li.match").filter(has=page.locator("h3", has_text=title))
    expect(match).to_have_count(1)
    return match


def _village(card: Locator) -> str:
    return card.locator(".offer-place").inner_text().split("·")[0].strip()


def _step(page: Page, status: str) -> None:
    form = page.locator("main form#advance-form")
    form.locator(f"input[name='advance-status'][value='{status}']").check()
    with page.expect_navigation():
        form.locator("button[type='submit']").click()


def test_a_family_from_oral_applies_staff_accept_and_record_the_move_and_the_dashboard_counts_it(
    browser: Browser, live_site: LiveSite
):
    started = time.monotonic()
    visitor = _person(browser, live_site, None)
    families, people, children = _dashboard(visitor)
    assert families >= 2, "the demo's two earlier moves"

    # The family's matches: the veterinarian vacancy, for his profession, in a village with a house.
    family = _person(browser, live_site, FAMILY)
    family.goto("/relocation/me/matches/")
    vacancy = _match(family, VACANCY)
    expect(vacancy.locator(".reasons")).to_contain_text("your profession: veterinarian — 2 vacancies in")
    house = _match(family, HOUSE)
    expect(house.locator(".reasons")).to_contain_text("3 rooms, free of charge — enough for your family")
    assert _village(vacancy) == _village(house), "the vacancy comes with housing in the same village"

    # Applies from the vacancy's page.
    with family.expect_navigation():
        vacancy.locator("h3 a").click()
    expect(family.locator("main h1")).to_have_text(VACANCY)
    form = family.locator("main form#apply-form")
    form.locator("textarea[name='apply-message']").fill(f"{MESSAGE} {SCRIPT}")
    with family.expect_navigation():
        form.locator("button[type='submit']").click()
    expect(family).to_have_url(re.compile(r"/relocation/me/applications/$"))
    card = family.locator("main li.application-card").filter(has=family.locator("h2", has_text=VACANCY))
    expect(card).to_contain_text("Applied")
    href = card.locator("h2 a").get_attribute("href")
    assert href is not None
    assert re.fullmatch(r"/relocation/applications/[0-9]+/", href), href
    family.context.close()

    # Programme staff: into talks, accepted, and the move recorded.
    staff = _person(browser, live_site, STAFF)
    staff.goto(href)
    expect(staff.locator("main")).to_contain_text(MESSAGE)
    expect(staff.locator("main")).to_contain_text(SCRIPT)  # shown as text, never run
    _step(staff, "in_talks")
    expect(staff.locator("main")).to_contain_text("In talks")
    _step(staff, "accepted")
    move = staff.locator("main form#move-form")
    move.locator("input[name='move-household_size']").fill("4")
    move.locator("input[name='move-children']").fill("2")
    move.locator("input[name='move-employed']").fill("1")
    with staff.expect_navigation():
        move.locator("button[type='submit']").click()
    expect(staff).to_have_url(re.compile(re.escape(href) + "$"))
    expect(staff.locator("main p").first).to_contain_text("Moved")
    expect(staff.locator("main form#move-form")).to_have_count(0)  # recorded once, for good
    staff.context.close()

    # The public dashboard counts them.
    assert _dashboard(visitor) == (families + 1, people + 4, children + 2)
    visitor.context.close()

    elapsed = time.monotonic() - started
    assert elapsed < FLOW_BUDGET, f"the flow took {elapsed:.1f} s"
