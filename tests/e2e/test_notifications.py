"""Notifications in Chromium against the production stack: a demo resident, told on the site of what
happened to the proposals they follow, sees the unread count in the menu, opens a notice (it leads to
its page and is read from then on), then turns off one kind of message on one channel in the settings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveSite, login

pytestmark = pytest.mark.e2e

RESIDENT = "demo-resident"  # supports and files demo proposals, so the demo's steps told them


def _unread(page: Page) -> int:
    link = page.locator("header nav a[href='/notifications/']")
    match = re.search(r"\((\d+)", link.inner_text())
    return int(match.group(1)) if match else 0


def _resident(browser: Browser, live_site: LiveSite) -> Page:
    context = browser.new_context(base_url=live_site.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, RESIDENT)
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
