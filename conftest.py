"""Shared pytest wiring. Under CI=true a skipped test is a failure: nothing may be skipped there."""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, where nothing may be skipped: {report.longrepr}"
    return report


@pytest.fixture(autouse=True)
def _fresh_axes_and_cache(settings: Any) -> None:
    from django.core.cache import caches

    caches["default"].clear()
    caches["pages"].clear()
    # The anonymous page cache is off unless a test turns it on (tests/test_page_cache.py, the browser
    # flow in tests/e2e/test_page_cache.py): the other tests pin what a page renders and how many
    # queries that takes.
    settings.KENES_PAGE_CACHE_SECONDS = 0
    # No listener thread unless a test starts one (kenes/core/tests/test_version_listener.py): its
    # connection would keep the test database from being dropped.
    settings.KENES_PAGE_CACHE_LISTEN = False
    # Each support is written in its request's own thread and connection, inside the test's
    # transaction; the writer thread (which cannot see that transaction) is tested on its own,
    # in kenes/proposals/tests/test_grouped_supports.py.
    settings.KENES_GROUPED_WRITES = False


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # whitenoise warns on every page when the collected-static folder does not exist yet.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
