"""A sitting in Chromium against the production stack: the demo council's secretary schedules a
sitting, puts a question on the agenda, publishes it (late, with the reason), opens it and records
who is present; three members vote For on their phones; the secretary closes the vote, sends the
recommendation and closes the sitting; anyone then sees the recommendation's number on the public
sitting page, and its minutes come as a PDF."""

from __future__ import annotations

import datetime
import re
import time
import zoneinfo

import pytest
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect

from tests.e2e.conftest import LiveSite, login

pytestmark = pytest.mark.e2e

DEMO_OKRUG = "274430000"  # Переметное а.о.: the demo's complete council, 7 serving members
SECRETARY = "demo-secretary"
SECRETARY_NAME = "Ольга Миронова (демо)"
# The three demo councillors and the seats they hold (kenes.demo).
COUNCILLORS = {
    "demo-councillor-1": "Қайрат Смағұлов (демо)",
    "demo-councillor-2": "Әсел Қуанышева (демо)",
    "demo-councillor-3": "Николай Петренко (демо)",
}
SITE_TIME_ZONE = zoneinfo.ZoneInfo("Asia/Oral")  # config.settings TIME_ZONE by default
SCRIPT = "<script>alert(1)</script>"
PHONE: ViewportSize = {"width": 390, "height": 800}
FLOW_BUDGET = 60.0  # seconds


def _fail_on_dialog(page: Page) -> None:
    """A user's `<script>` that ran would open an alert: escaping failed."""

    def refuse(dialog: Dialog) -> None:
        dialog.dismiss()
        pytest.fail(f"a script from user text ran: {dialog.message}")

    page.on("dialog", refuse)


def _person(browser: Browser, live_site: LiveSite, username: str, *, phone: bool = False) -> Page:
    """A signed-in person in their own browser context (a phone-sized one for members), reading
    the site in English, so the test checks behaviour rather than the Kazakh catalogue's wording."""
    viewport: ViewportSize = PHONE if phone else {"width": 1280, "height": 900}
    context = browser.new_context(base_url=live_site.url, viewport=viewport, has_touch=phone)
    context.set_default_timeout(10_000)
    page = context.new_page()
    _fail_on_dialog(page)
    login(page, username)
    with page.expect_navigation():
        page.locator("form.lang button[value='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    return page


def _console_action(page: Page, action: str) -> None:
    """Submits the console's form for `action` and waits for the page it leads to."""
    form = page.locator(f"main form:has(input[name='action'][value='{action}'])").first
    with page.expect_navigation():
        form.locator("button[type='submit']").first.click()


def _schedule_now(page: Page, title: str) -> int:
    """Schedules a sitting starting now and puts one question on its agenda; returns its id."""
    page.goto(f"/sittings/council/{DEMO_OKRUG}/new/")
    starts = datetime.datetime.now(SITE_TIME_ZONE).strftime("%Y-%m-%dT%H:%M")
    form = page.locator("main form")
    form.locator("input[name='starts_at']").fill(starts)
    form.locator("input[name='place']").fill(f"Мәдениет үйі, үлкен зал {SCRIPT}")
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/sittings/\d+/console/$"))
    match = re.search(r"/sittings/(\d+)/console/$", page.url)
    assert match is not None
    question = page.locator("main form:has(input[name='action'][value='add_question'])")
    question.locator("[name='question-title']").fill(title)
    question.locator("[name='question-text']").fill(f"Қысқа мәтін: қыс алдында шешу керек. {SCRIPT}")
    with page.expect_navigation():
        question.locator("button[type='submit']").click()
    expect(page.locator("main .agenda")).to_contain_text(title)
    return int(match.group(1))


def _vote_for_on_a_phone(browser: Browser, live_site: LiveSite, username: str, meeting_id: int, title: str) -> None:
    member = _person(browser, live_site, username, phone=True)
    member.goto(f"/sittings/{meeting_id}/vote/")
    ballot = member.locator("main .ballot", has_text=title)
    for_button = ballot.locator("button[name='choice'][value='for']")
    expect(for_button).to_be_visible()
    box = for_button.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"], "the ballot does not fit a phone screen"
    with member.expect_navigation():
        for_button.click()
    expect(member.locator("main .ballot", has_text=title).locator(".voted")).to_be_visible()
    # No result before the vote is closed.
    expect(member.locator("main")).not_to_contain_text("Adopted")
    member.context.close()


def test_the_secretary_runs_a_sitting_three_members_vote_on_phones_and_the_minutes_appear(
    browser: Browser, live_site: LiveSite
):
    started = time.monotonic()
    title = f"Ауылдық клубтың жылу жүйесін жөндеу туралы — сұрақ {int(started) % 100000}"

    secretary = _person(browser, live_site, SECRETARY)
    meeting_id = _schedule_now(secretary, title)

    # Less than the charter's notice days before the sitting: the reason is asked and shown.
    publish = secretary.locator("main form:has(input[name='action'][value='publish'])")
    publish.locator("textarea[name='late_notice_reason']").fill("Жылу жүйесі бұзылды, кейінге қалдыруға болмайды.")
    _console_action(secretary, "publish")
    expect(secretary.locator("main .late-notice")).to_contain_text("Жылу жүйесі бұзылды")
    _console_action(secretary, "open")

    # The secretary and three members present: 4 of 7, the 50 % quorum is reached.
    attendance = secretary.locator("main form:has(input[name='action'][value='attendance'])")
    for name in (SECRETARY_NAME, *COUNCILLORS.values()):
        attendance.locator("label", has_text=name).locator("input[type='checkbox']").check()
    _console_action(secretary, "attendance")
    for name in (SECRETARY_NAME, *COUNCILLORS.values()):
        expect(
            secretary.locator("main form:has(input[name='action'][value='attendance']) label", has_text=name).locator(
                "input"
            )
        ).to_be_checked()
    item = secretary.locator("main .agenda-item", has_text=title)
    with secretary.expect_navigation():
        item.locator("form:has(input[name='action'][value='open_vote']) button[type='submit']").click()
    expect(secretary.locator("main .agenda-item", has_text=title).locator(".vote-state-open")).to_be_visible()

    for username in COUNCILLORS:
        _vote_for_on_a_phone(browser, live_site, username, meeting_id, title)

    secretary.reload()
    item = secretary.locator("main .agenda-item", has_text=title)
    with secretary.expect_navigation():
        item.locator("form:has(input[name='action'][value='close_vote']) button[type='submit']").click()
    item = secretary.locator("main .agenda-item", has_text=title)
    expect(item.locator(".vote-state-closed")).to_be_visible()
    expect(item).to_contain_text("Adopted")

    recommendation = secretary.locator("main article[id^='recommendation-']").first
    heading = recommendation.locator("h3").inner_text()
    found = re.search(rf"{DEMO_OKRUG}/\d{{4}}/\d+", heading)
    assert found is not None, heading
    number = found.group(0)
    _console_action(secretary, "send_recommendation")
    expect(secretary.locator("main")).to_contain_text("answer due by")
    _console_action(secretary, "close")
    secretary.context.close()

    # Anyone, not signed in: the public page, its recommendation and the minutes.
    visitor = browser.new_context(base_url=live_site.url, viewport=PHONE)
    visitor.set_default_timeout(10_000)
    public = visitor.new_page()
    _fail_on_dialog(public)
    public.goto(f"/sittings/{meeting_id}/")
    main = public.locator("main")
    expect(main).to_contain_text(title)
    expect(main).to_contain_text(SCRIPT)  # shown as text, never run
    expect(main).to_contain_text(number)
    minutes = main.locator("a[href$='/minutes-kk.pdf']")
    expect(minutes).to_have_count(1)
    href = minutes.get_attribute("href")
    assert href is not None
    response = visitor.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")
    visitor.close()

    elapsed = time.monotonic() - started
    assert elapsed < FLOW_BUDGET, f"the flow took {elapsed:.1f} s"
