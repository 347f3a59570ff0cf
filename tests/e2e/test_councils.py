"""Councils in Chromium against the production stack: a district administrator builds a council
until its composition meets the charter, and the public sees it in Kazakh and in Russian."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

DISTRICT_ADMIN = "demo-district"  # district administrator of Бәйтерек ауданы (274400000)
# Зеленый а.о.: one village, and load_demo leaves it without a council.
NEW_OKRUG = "274435000"
DEMO_OKRUG = "274430000"  # Переметное а.о.: the demo's complete council
DEMO_PILOT = "Бәйтерек ауданы пилоттық жобасы (демо)"
SCRIPT = "<script>alert(1)</script>"
FLOW_BUDGET = 60.0  # seconds

# (full name, seat group, role, needs the village, organisation, birth date): one seat per group the
# charter requires, the chair stands for the okrug's only village.
SEATS = (
    ("Айдос Қалиев (тест)", "residents", "chair", True, "", ""),
    ("Светлана Орлова (тест)", "public_associations", "secretary", False, "«Ауыл болашағы» ҚБ", ""),
    ("Ғалым Ержанов (тест)", "business", "member", False, f"«Жасыл алқап» ЖШС {SCRIPT}", ""),
    ("Аружан Сәрсенова (тест)", "youth", "member", False, "", "2004-06-15"),
    ("Пётр Кузнецов (тест)", "veterans", "member", False, "Ардагерлер кеңесі", "1953-02-20"),
)


def _fail_on_dialog(page: Page) -> None:
    """A user's `<script>` that ran would open an alert: escaping failed."""

    def refuse(dialog: Dialog) -> None:
        dialog.dismiss()
        pytest.fail(f"a script from user text ran: {dialog.message}")

    page.on("dialog", refuse)


def _form(page: Page, action: str) -> Locator:
    return page.locator(f"main form:has(input[name='action'][value='{action}'])")


def _submit(page: Page, form: Locator) -> None:
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    expect(page.locator(".form-errors")).to_have_count(0)
    expect(page.locator(".field.has-error")).to_have_count(0)


def _switch_language(page: Page, code: str) -> None:
    with page.expect_navigation():
        page.locator(f"form.lang button[value='{code}']").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def _expect_complete_council(page: Page) -> None:
    main = page.locator("main")
    expect(main.locator(".composition-ok")).to_be_visible()
    expect(main.locator(".composition-gaps")).to_have_count(0)
    for full_name, *_ in SEATS:
        expect(main.locator(".members").get_by_text(full_name)).to_be_visible()
    # Shown as text, never run.
    expect(main).to_contain_text(SCRIPT)
    expect(main).to_contain_text("Бәйтерек аудандық мәслихаты")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"council-{page.locator('html').get_attribute('lang')}.png"), full_page=True)


def test_a_district_administrator_builds_a_council_until_it_meets_the_charter(page: Page):
    started = time.monotonic()
    _fail_on_dialog(page)
    login(page, DISTRICT_ADMIN)

    page.goto("/councils/manage/")
    establish = page.locator(f"main a[href='/councils/manage/establish/{NEW_OKRUG}/']")
    expect(establish).to_have_count(1)
    expect(page.locator(f"main a[href='/councils/manage/establish/{DEMO_OKRUG}/']")).to_have_count(0)
    establish.click()

    # Under the demo pilot, whose charter the council then uses; the population comes next.
    page.locator("select[name='pilot']").select_option(label=DEMO_PILOT)
    with page.expect_navigation():
        page.locator(f"main form[action$='/establish/{NEW_OKRUG}/'] button[type='submit']").click()
    expect(page).to_have_url(re.compile(rf"/councils/{NEW_OKRUG}/manage/$"))
    expect(page.locator("main .composition-gaps")).to_be_visible()

    population = _form(page, "population")
    population.locator("input[name='population-population']").fill("1450")
    population.locator("input[name='population-year']").fill("2025")
    population.locator("input[name='population-source']").fill("Ауыл әкімінің аппараты")
    _submit(page, population)

    coordinator = _form(page, "coordinator")
    coordinator.locator("input[name='coordinator-full_name']").fill("Жанболат Нұров (тест)")
    coordinator.locator("input[name='coordinator-maslikhat']").fill("Бәйтерек аудандық мәслихаты")
    coordinator.locator("input[name='coordinator-constituency']").fill("№ 12")
    _submit(page, coordinator)

    for full_name, seat_group, role, in_village, organisation, birth_date in SEATS:
        expect(page.locator("main .composition-ok")).to_have_count(0)
        appoint = _form(page, "appoint")
        appoint.locator("input[name='appoint-full_name']").fill(full_name)
        appoint.locator("select[name='appoint-seat_group']").select_option(seat_group)
        appoint.locator("select[name='appoint-role']").select_option(role)
        if in_village:
            appoint.locator("select[name='appoint-settlement']").select_option(index=1)
        if organisation:
            appoint.locator("input[name='appoint-organisation']").fill(organisation)
        if birth_date:
            appoint.locator("input[name='appoint-birth_date']").fill(birth_date)
        _submit(page, appoint)

    expect(page.locator("main .composition-ok")).to_be_visible()

    page.locator(f"main a[href='/councils/{NEW_OKRUG}/']").first.click()
    expect(page).to_have_url(re.compile(rf"/councils/{NEW_OKRUG}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    _expect_complete_council(page)

    _switch_language(page, "ru")
    expect(page).to_have_url(re.compile(rf"/councils/{NEW_OKRUG}/$"))
    _expect_complete_council(page)

    # Visitors see it in the directory as complete.
    page.goto("/councils/?district=274400000")
    row = page.locator("main tr", has=page.locator(f"a[href='/councils/{NEW_OKRUG}/']"))
    expect(row.locator(".status-ok")).to_be_visible()

    elapsed = time.monotonic() - started
    assert elapsed < FLOW_BUDGET, f"the flow took {elapsed:.0f} s"


def test_the_directory_charter_page_and_regulation_pdf_are_public(page: Page, context: BrowserContext):
    _fail_on_dialog(page)
    page.goto("/councils/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    main = page.locator("main")
    expect(main.locator("h1")).to_be_visible()
    demo_row = main.locator("tr", has=page.locator(f"a[href='/councils/{DEMO_OKRUG}/']"))
    expect(demo_row.locator(".status-ok")).to_be_visible()
    # The demo's councils still being formed show their gaps.
    expect(main.locator(".status-gaps").first).to_be_visible()

    demo_row.locator(f"a[href='/councils/{DEMO_OKRUG}/']").click()
    expect(page.locator("main .composition-ok")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Гүлнар Мұратова (демо)")

    page.locator("main a[href^='/councils/charters/']").first.click()
    expect(page).to_have_url(re.compile(r"/councils/charters/\d+/$"))
    expect(page.locator("main h1")).to_contain_text("кеңестің үлгі ережесі (демо)")

    for language in ("kk", "ru"):
        link = page.locator(f"main a[href$='/regulation-{language}.pdf']").first
        href = link.get_attribute("href")
        assert href is not None
        response = context.request.get(href)
        assert response.status == 200, f"{href} answered {response.status}: {response.text()[:300]}"
        assert response.headers["content-type"].startswith("application/pdf")
        assert response.body().startswith(b"%PDF")
