"""Browser flows against the real production stack: granian (WSGI) + whitenoise, DEBUG=false.

One site per test session, built from nothing in a temporary KENES_VAR_DIR: collectstatic, migrate,
import the West Kazakhstan classifier (the shared national file, else the bundled sample), load the
demo data and the demo indicator series, then serve it with granian on a free port. Each test gets
a fresh browser context.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
COMMAND_TIMEOUT = 300
# A visitor whose browser asks for Russian: the site still opens in Kazakh, because only the
# language switcher's choice changes the language (KazakhFirstLocaleMiddleware).
VISITOR_LOCALE = "ru-RU"
# Every demo account (kenes.demo) shares this published password.
DEMO_PASSWORD = "demo12345"


@dataclass(frozen=True)
class LiveSite:
    url: str
    var_dir: Path
    env: dict[str, str]

    @property
    def has_boundaries(self) -> bool:
        """Whether the district boundaries (shared data, not shipped in the repository) are there."""
        shared = Path(self.env.get("KENES_SHARED_DATA") or REPO.parent / "shared" / "data")
        return (shared / "geo" / "kz-districts-2024.geojson").is_file()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _site_env(var_dir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    # The site under test is its own production-like deployment: nothing leaks in from the shell.
    for name in ("DATABASE_URL", "SQLITE_PATH", "STATIC_ROOT", "MEDIA_ROOT", "KENES_KATO_FILE", "SITE_URL"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "KENES_VAR_DIR": str(var_dir),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _granian() -> str:
    candidate = Path(sys.executable).parent / "granian"
    return str(candidate) if candidate.exists() else "granian"


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"granian exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"granian did not answer {url} within {START_TIMEOUT:.0f} s:\n{log.read_text(errors='replace')}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    var_dir = tmp_path_factory.mktemp("kenes-e2e-var")
    port = _free_port()
    env = _site_env(var_dir, port)
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "import_kato", "--region", "27")
    _manage(env, "load_demo")
    # Indicator series for the dashboards' flow: fewer years than `make demo` loads, to stay quick.
    _manage(env, "generate_indicator_demo", "--region", "27", "--years", "2022-2026")

    url = f"http://127.0.0.1:{port}"
    log = var_dir / "granian.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [
                _granian(),
                "--interface",
                "wsgi",
                "config.wsgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(f"{url}/", server, log)
        yield LiveSite(url=url, var_dir=var_dir, env=env)
    finally:
        _stop(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Browser, live_site: LiveSite) -> Iterator[BrowserContext]:
    """A fresh context per test: no cookies, no cache, the site as a first-time visitor sees it."""
    fresh = browser.new_context(base_url=live_site.url, locale=VISITOR_LOCALE, viewport={"width": 1280, "height": 900})
    fresh.set_default_timeout(10_000)
    try:
        yield fresh
    finally:
        fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Logs in through the real form, as a person would, and waits until the site has let them in."""
    page.goto("/accounts/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(password)
    page.locator("main form [type='submit']").first.click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        pytest.fail(f"{username} could not log in: {page.locator('main').inner_text()[:300]}")
