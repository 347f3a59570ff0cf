"""The anonymous page cache in the browser (decision 0012), on the production stack of conftest.py,
where it is on: a visitor's second load of a proposal is served from the cache, the language buttons
of a cached page work (they need no CSRF token), and once a resident supports the
proposal the next anonymous load shows the new count."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveSite, login

pytestmark = pytest.mark.e2e

DEMO_OKRUG = "274430000"  # Переметное а.о.: the demo's complete council
SUPPORTER = "demo-resident-2"  # a verified demo resident of that okrug


def _in_english(browser: Browser, live_site: LiveSite) -> Page:
    context = browser.new_context(base_url=live_site.url)
    context.add_cookies([{"name": "kenes_language", "value": "en", "url": live_site.url}])
    return context.new_page()


def _count(page: Page) -> int:
    return int(page.locator("#support .support-count strong").inner_text())


def test_a_cached_proposal_page_stays_true_after_a_support(browser: Browser, live_site: LiveSite) -> None:
    supporter = _in_english(browser, live_site)
    login(supporter, SUPPORTER)
    supporter.goto(f"/proposals/okrug/{DEMO_OKRUG}/?status=collecting")
    links = [link.get_attribute("href") for link in supporter.locator("main a[href^='/proposals/']").all()]
    candidates = [href for href in links if href and re.fullmatch(r"/proposals/\d+/", href)]
    target = None
    for href in candidates:
        supporter.goto(href)
        if supporter.locator("#support button[type='submit']", has_text="Support").count():
            target = href
            break
    assert target is not None, f"no collecting proposal of {DEMO_OKRUG} that {SUPPORTER} has not supported yet"

    visitor = _in_english(browser, live_site)
    first = visitor.goto(target)
    assert first is not None
    assert first.status == 200
    again = visitor.goto(target)
    assert again is not None
    assert again.headers.get("x-kenes-cache") == "hit"
    before = _count(visitor)

    # The language buttons post a form that needs no CSRF token, so the cached copy is everyone's.
    with visitor.expect_navigation():
        visitor.locator("form.lang button[value='ru']").click()
    expect(visitor.locator("html")).to_have_attribute("lang", "ru")
    assert visitor.url.endswith(target)

    supporter.locator("#support button[type='submit']", has_text="Support").click()
    expect(supporter.locator("#support")).to_contain_text("You support this proposal.")
    supporter.context.close()

    fresh = visitor.goto(target)
    assert fresh is not None
    assert fresh.headers.get("x-kenes-cache") == "miss"
    assert _count(visitor) == before + 1
    visitor.context.close()
