"""Each public page weighs under 60 KB transferred on a first visit (HTML + CSS + JS; map data excluded).

"Transferred" is what went over the wire: response headers plus the body as encoded (gzip when the
server compressed it), for a visitor with an empty cache. The figures go to var/page-weight.json.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Request

from tests.e2e.conftest import VISITOR_LOCALE

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "var" / "page-weight.json"
BUDGET = 60 * 1024  # 61,440 bytes
COUNTED = {"document", "stylesheet", "script"}
OKRUG_HREF = re.compile(r"/territory/2744(?!00)\d{2}000/$")
PAGES = [
    ("home", "/"),
    ("country", "/territory/"),
    ("region", "/territory/270000000/"),
    ("district", "/territory/274400000/"),
    ("okrug", None),  # the first okrug listed on the district page
    # The dashboards: 15 charts drawn inline as SVG, the map (Leaflet), the evaluation's 4 charts.
    ("okrug profile", "/indicators/okrug/274430000/"),
    ("oblast map", "/indicators/map/270000000/"),
    ("evaluation", "/indicators/evaluation/"),
]


def _is_map_data_or_image(request: Request) -> bool:
    path = request.url.split("?", 1)[0]
    return path.endswith(".geojson") or request.resource_type == "image"


def _measure(browser: Browser, base_url: str, path: str) -> dict[str, Any]:
    context = browser.new_context(base_url=base_url, locale=VISITOR_LOCALE)  # fresh: empty cache, no cookies
    try:
        page = context.new_page()
        finished: list[Request] = []
        page.on("requestfinished", lambda request: finished.append(request))
        response = page.goto(path, wait_until="networkidle")
        assert response is not None
        assert response.ok, f"{path} answered {response.status}"
        html_encoding = response.headers.get("content-encoding", "identity")
        rows: list[dict[str, Any]] = []
        for request in finished:
            sizes = request.sizes()
            transferred = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            served = request.response()
            rows.append(
                {
                    "url": request.url.removeprefix(base_url),
                    "type": request.resource_type,
                    "encoding": served.headers.get("content-encoding", "identity") if served else "",
                    "bytes": transferred,
                    "counted": request.resource_type in COUNTED and not _is_map_data_or_image(request),
                }
            )
        total = sum(row["bytes"] for row in rows if row["counted"])
        return {"path": path, "html_encoding": html_encoding, "transferred_bytes": total, "responses": rows}
    finally:
        context.close()


def _okrug_path(browser: Browser, base_url: str) -> str:
    context = browser.new_context(base_url=base_url, locale=VISITOR_LOCALE)
    try:
        page = context.new_page()
        page.goto("/territory/274400000/")
        hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        return next(href for href in hrefs if OKRUG_HREF.search(href))
    finally:
        context.close()


def test_every_public_page_weighs_under_60_kb_on_a_first_visit(browser: Browser, live_site):
    figures: dict[str, dict[str, Any]] = {}
    for name, path in PAGES:
        figures[name] = _measure(browser, live_site.url, path or _okrug_path(browser, live_site.url))

    for name, figure in figures.items():
        print(f"{name:13} {figure['path']:30} {figure['transferred_bytes']:>7,} bytes (HTML {figure['html_encoding']})")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "budget_bytes": BUDGET,
                "what": "first visit, empty cache: headers + encoded body of HTML, CSS and JS; "
                "map data (.geojson) and images excluded",
                "server": "granian (WSGI) + whitenoise, DEBUG=false",
                "pages": figures,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )

    over = {name: f["transferred_bytes"] for name, f in figures.items() if f["transferred_bytes"] >= BUDGET}
    assert not over, f"over the {BUDGET:,}-byte budget: {over}"
    # Static files must arrive compressed (whitenoise serves the .gz it made at collectstatic).
    for figure in figures.values():
        for row in figure["responses"]:
            if row["type"] in {"stylesheet", "script"}:
                assert row["encoding"] in {"gzip", "br"}, f"{row['url']} was sent uncompressed"
