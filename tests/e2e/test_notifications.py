"""Notifications in Chromium against the production stack: a demo resident, told on the site of what
happened to the proposals they follow, sees the unread count in the menu, opens a notice (it leads to
its page and is read from then on), then turns off one kind of message on one channel in the settings.
And when the council's secretary moves an announced sitting, the resident finds the change and its
reason among the notices and on the sitting's page."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveSite, login

pytestmark = pytest.mark.e2e

RESIDENT = "demo-resident"  # supports and files demo proposals, so the demo's steps told them
SECRETARY = "demo-secretary"  # runs the sittings of the demo's complete council
DEMO_OKRUG = "274430000"  # that council's okrug, where demo-resident is a verified resident
SITE_TIME_ZONE = zoneinfo.ZoneInfo("Asia/Oral")


def _unread(page: Page) -> int:
    link = page.locator("header nav a[href='/notifications/']")
    match = re.search(r"\((\d+)", link.inner_text())
    return int(match.group(1)) if match else 0


def _resident(browser: Browser, live_site: LiveSite, username: str = RESIDENT) -> Page:
    context = browser.new_context(base_url=live_site.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, username)
    with page.expect_navigation():
        page.locator("form.lang button[value='en']").click()
    return page


def test_a_resident_opens_a_notice_and_turns_off_one_kind_of_message(browser: Browser, live_site: LiveSite):
    page = _resident(browser, live_site)
    page.goto("/notifications/")
    before = _unread(page)
    assert before > 0, "the demo's proposal steps and sittings told the resident"

    first = page.locator("li.notice-card.unread").first
    with page.expect_navigation():
        first.locator("form button[type='submit']").click()
    assert re.search(r"/(proposals|sittings)/\d+/", page.url), page.url
    page.goto("/notifications/")
    assert _unread(page) == before - 1

    # Settings: no email about sittings being announced.
    page.goto("/notifications/settings/")
    box = page.locator("input[name='sitting_announced__email']")
    expect(box).to_be_checked()
    box.uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the settings").click()
    page.goto("/notifications/settings/")
    expect(page.locator("input[name='sitting_announced__email']")).not_to_be_checked()
    expect(page.locator("input[name='sitting_announced__in_app']")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"


def _local(moment: datetime.datetime) -> str:
    return moment.astimezone(SITE_TIME_ZONE).strftime("%Y-%m-%dT%H:%M")


def test_a_resident_is_told_that_an_announced_sitting_moved_and_why(browser: Browser, live_site: LiveSite):
    secretary = _resident(browser, live_site, SECRETARY)
    secretary.set_viewport_size({"width": 1280, "height": 900})
    secretary.goto(f"/sittings/council/{DEMO_OKRUG}/new/")
    form = secretary.locator("main form")
    form.locator("input[name='starts_at']").fill(
        _local(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=20))
    )
    form.locator("input[name='place']").fill("Мектеп залы")
    with secretary.expect_navigation():
        form.locator("button[type='submit']").click()
    question = secretary.locator("main form:has(input[name='action'][value='add_question'])")
    question.locator("[name='question-title']").fill("Көше шамдары")
    with secretary.expect_navigation():
        question.locator("button[type='submit']").click()
    with secretary.expect_navigation():
        secretary.locator("main form:has(input[name='action'][value='publish']) button[type='submit']").click()
    meeting_path = secretary.url.removesuffix("console/")

    change = secretary.locator("main form:has(input[name='action'][value='change'])")
    change.locator("[name='change-starts_at']").fill(
        _local(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=21))
    )
    change.locator("[name='change-place']").fill("Мәдениет үйі")
    change.locator("[name='change-reason']").fill("Мектеп залы жөндеуде")
    with secretary.expect_navigation():
        change.locator("button[type='submit']").click()
    expect(secretary.locator("main")).to_contain_text("Мектеп залы жөндеуде")

    resident = _resident(browser, live_site)
    resident.goto("/notifications/")
    moved = resident.locator("li.notice-card.unread", has_text="Мектеп залы жөндеуде").first
    expect(moved).to_contain_text("Отырыс өзгерді")  # in the resident's own language (kk), whatever the page's
    expect(moved).to_contain_text("Мәдениет үйі")
    with resident.expect_navigation():
        moved.locator("form button[type='submit']").click()
    assert resident.url.endswith(meeting_path.removeprefix(live_site.url)), resident.url
    expect(resident.locator("main .sitting-changed")).to_contain_text("Мектеп залы жөндеуде")
