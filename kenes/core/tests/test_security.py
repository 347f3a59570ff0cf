from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

PAGES = ["/", "/territory/", "/accounts/login/", "/no-such-page/", "/_test/domain-error/"]
REPO = Path(settings.BASE_DIR)


@pytest.mark.django_db
@pytest.mark.urls("kenes.core.tests.urls")
@pytest.mark.parametrize("path", PAGES)
def test_every_page_response_carries_the_security_headers(client, path):
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_a_post_without_a_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "someone", "password": "a-password-123"})

    assert response.status_code == 403
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_a_post_with_the_csrf_token_from_the_page_is_accepted():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None

    response = client.post(
        "/accounts/login/", {"username": "someone", "password": "a-password-123", "csrfmiddlewaretoken": token[1]}
    )

    assert response.status_code == 200  # past the CSRF check: the form says the login is wrong
    assert 'name="username"' in response.content.decode()


@pytest.mark.django_db
def test_the_language_buttons_need_no_token_but_only_a_post_switches():
    # Decision 0012: public pages carry no CSRF token so they can be cached for everyone; the worst a
    # forged post can do here is switch the visitor's language, and `next` stays on this site.
    client = Client(enforce_csrf_checks=True)

    asked = client.get("/i18n/setlang/", {"language": "ru", "next": "/"})
    posted = client.post("/i18n/setlang/", {"language": "ru", "next": "https://evil.example/"})

    assert "kenes_language" not in asked.cookies
    assert posted.status_code == 302
    assert posted["Location"] == "/"
    assert posted.cookies["kenes_language"].value == "ru"


PRINT_SECURITY_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "language_secure": settings.LANGUAGE_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
}))
"""


def _settings_under(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", PRINT_SECURITY_SETTINGS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_debug_cookies_are_secure_and_hsts_is_on():
    result = _settings_under(DEBUG="false", SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["session_secure"] is True
    assert values["csrf_secure"] is True
    assert values["language_secure"] is True
    assert values["hsts"] > 0


def test_with_debug_cookies_are_not_secure_and_hsts_is_off():
    result = _settings_under(DEBUG="true")

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {"session_secure": False, "csrf_secure": False, "language_secure": False, "hsts": 0}


def test_without_debug_the_site_refuses_to_start_without_a_secret_key():
    result = _settings_under(DEBUG="false")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


# Inline code is what the CSP forbids: every script and style must be a static file.
INLINE_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']\s*javascript:""", re.IGNORECASE)


def _template_files() -> list[Path]:
    roots = [REPO / "kenes" / "templates", *sorted((REPO / "kenes").glob("*/templates"))]
    return sorted(path for root in roots for path in root.rglob("*.html"))


def _inline_code_in(text: str) -> list[str]:
    found = []
    for match in INLINE_SCRIPT.finditer(text):
        attrs, body = match["attrs"], match["body"].strip()
        is_data = re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", attrs, re.IGNORECASE)
        if body and not is_data:
            found.append(f"inline <script>: {body[:60]!r}")
        if not body and not is_data and "src=" not in attrs.replace(" ", ""):
            found.append("<script> without src")
    found += [f"style attribute: {m.group(0)!r}" for m in STYLE_ATTRIBUTE.finditer(text)]
    found += ["<style> block" for _ in STYLE_BLOCK.finditer(text)]
    found += [f"event handler attribute: {m.group(0).strip()!r}" for m in EVENT_HANDLER.finditer(text)]
    found += ["javascript: URL" for _ in JAVASCRIPT_URL.finditer(text)]
    return found


def test_the_inline_code_detector_catches_what_the_policy_forbids():
    assert _inline_code_in('<script src="/static/js/map.js" defer></script>') == []
    assert _inline_code_in('<script type="application/json" id="d">{"a": 1}</script>') == []
    assert _inline_code_in("<script>alert(1)</script>")
    assert _inline_code_in('<p style="color: red">')
    assert _inline_code_in("<style>p { color: red }</style>")
    assert _inline_code_in('<button onclick="go()">')
    assert _inline_code_in('<a href="javascript:go()">')


def test_no_template_contains_inline_scripts_or_styles():
    templates = _template_files()
    assert any(path.name == "base.html" for path in templates)

    offences = {
        str(path.relative_to(REPO)): problems
        for path in templates
        if (problems := _inline_code_in(path.read_text(encoding="utf-8")))
    }

    assert offences == {}
