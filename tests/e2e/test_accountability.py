"""The akim answers, in Chromium against the production stack: the okrug akim's staff (demo-akimat)
find the demo recommendation still waiting in their inbox, open it and accept it with the planned
measures, the budget year and the amount; then the resident who proposed it (demo-member) sees the
answer on the recommendation's page, on the proposal's timeline and on its whole-story page, and
the public API says the same."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.e2e.conftest import LiveSite, login

pytestmark = pytest.mark.e2e

DEMO_OKRUG = "274430000"  # Переметное а.о.: the demo's complete council
AKIMAT = "demo-akimat"  # akimat staff of the okrug: its akim's office
AUTHOR = "demo-member"  # proposed the playground the council recommended (kenes.demo)
SCRIPT = "<script>alert(1)</script>"
MEASURES = "Ойын алаңы 2027 жылдың мамырында салынады: әткеншек, сырғанақ, резеңке жабын."
BUDGET_YEAR = "2027"
AMOUNT = "7200000"
FLOW_BUDGET = 60.0  # seconds


def _fail_on_dialog(page: Page) -> None:
    """A user's `<script>` that ran would open an alert: escaping failed."""

    def refuse(dialog: Dialog) -> None:
        dialog.dismiss()
        pytest.fail(f"a script from user text ran: {dialog.message}")

    page.on("dialog", refuse)


def _person(browser: Browser, live_site: LiveSite, username: str) -> Page:
    """A signed-in person in their own browser context, reading the site in English, so the test
    checks behaviour rather than the Kazakh catalogue's wording."""
    context = browser.new_context(base_url=live_site.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    _fail_on_dialog(page)
    login(page, username)
    with page.expect_navigation():
        page.locator("form.lang button[value='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    return page


def _waiting_playground(page: Page) -> dict[str, Any]:
    """The demo recommendation about the playground, still waiting for the answer (public API)."""
    response = page.request.get(
        "/api/v1/accountability/recommendations", params={"okrug": DEMO_OKRUG, "status": "sent", "limit": 100}
    )
    assert response.status == 200
    found = [item for item in response.json()["items"] if "ойын алаңын" in item["text_kk"]]
    assert len(found) == 1, found
    assert found[0]["is_overdue"] is False
    assert len(found[0]["proposals"]) == 1
    return found[0]


def test_the_akimat_answers_a_recommendation_and_the_resident_who_proposed_it_sees_the_answer(
    browser: Browser, live_site: LiveSite
):
    started = time.monotonic()

    staff = _person(browser, live_site, AKIMAT)
    waiting = _waiting_playground(staff)
    recommendation_id, number = waiting["id"], waiting["number"]
    proposal_id = waiting["proposals"][0]

    # The inbox: the recommendation waits, with its due date and the time left.
    staff.goto("/accountability/inbox/")
    row = staff.locator(f"main tr#recommendation-{recommendation_id}")
    expect(row).to_contain_text(number)
    expect(row).not_to_have_class(re.compile(r"\boverdue\b"))
    expect(row.locator("time")).to_have_attribute("datetime", waiting["due_on"])
    with staff.expect_navigation():
        row.locator(f"a[href='/accountability/recommendations/{recommendation_id}/']").click()
    expect(staff.locator("main #answer")).to_contain_text("Not answered yet")

    # Accepted, with the planned measures, the budget year and the amount.
    form = staff.locator("main form#answer-form")
    form.locator("input[name='answer-kind'][value='accepted']").check()
    form.locator("textarea[name='answer-text']").fill(f"{MEASURES} {SCRIPT}")
    form.locator("input[name='answer-budget_year']").fill(BUDGET_YEAR)
    form.locator("input[name='answer-amount_tenge']").fill(AMOUNT)
    with staff.expect_navigation():
        form.locator("button[type='submit']").click()
    expect(staff).to_have_url(re.compile(rf"/accountability/recommendations/{recommendation_id}/"))
    answer = staff.locator("main #answer")
    expect(answer).to_contain_text("Accepted")
    expect(answer).to_contain_text(MEASURES)
    expect(answer).to_contain_text(BUDGET_YEAR)
    expect(staff.locator("main form#answer-form")).to_have_count(0)  # answered once, for good
    staff.context.close()

    # The resident who proposed it: the answer on the recommendation's page...
    author = _person(browser, live_site, AUTHOR)
    author.goto(f"/accountability/recommendations/{recommendation_id}/")
    answer = author.locator("main #answer")
    expect(answer).to_contain_text("Accepted")
    expect(answer).to_contain_text(MEASURES)
    expect(answer).to_contain_text(SCRIPT)  # shown as text, never run
    expect(author.locator("main #timeline")).to_contain_text("Answered")
    expect(author.locator("main form#answer-form")).to_have_count(0)
    # ...on the proposal's public timeline...
    author.goto(f"/proposals/{proposal_id}/")
    step = author.locator("main .timeline li.timeline-answered")
    expect(step).to_have_count(1)
    expect(step).to_contain_text(MEASURES)
    # ...and on its whole story, where the answered stage is done.
    with author.expect_navigation():
        author.locator(f"main a[href='/accountability/proposals/{proposal_id}/story/']").first.click()
    stage = author.locator("main #stage-answered")
    expect(stage).to_have_class(re.compile(r"\bstory-done\b"))
    expect(stage).to_contain_text("Accepted")
    expect(stage).to_contain_text(MEASURES)

    # The public API tells the same.
    response = author.request.get(f"/api/v1/accountability/recommendations/{recommendation_id}")
    assert response.status == 200
    body = response.json()
    assert (body["status"], body["answer_kind"], body["working_days_left"]) == ("answered", "accepted", None)
    (final,) = [found for found in body["answers"] if found["kind"] == "accepted"]
    assert (final["budget_year"], final["amount_tenge"]) == (int(BUDGET_YEAR), f"{AMOUNT}.00")
    assert final["answered_by"] == "Нұрлан Қайыров (демо)"
    author.context.close()

    elapsed = time.monotonic() - started
    assert elapsed < FLOW_BUDGET, f"the flow took {elapsed:.1f} s"
