"""Benchmark: how fast the indicator dashboards answer on a full oblast of demo data.

    .venv/bin/python bench/dashboards.py [--repeat 5] [--no-write]

A fresh, migrated SQLite database (a temporary folder) gets the West Kazakhstan territory from the
shared classifier (or the bundled sample), the demo councils, proposals and sittings, and the demo
indicator series for 2019–2026 (`generate_indicator_demo --region 27`: labelled synthetic figures).
Each page is then asked for `--repeat` times through Django's test client (no network, DEBUG off);
the median time, the queries it ran and the HTML size are written to the section "## Dashboards" of
docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import performance_doc  # bench/ is the script folder, so its modules import by name

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Dashboards"
PAGES = [
    ("okrug profile", "/indicators/okrug/274430000/"),
    ("district overview", "/indicators/district/274400000/"),
    ("oblast overview", "/indicators/region/270000000/"),
    ("map: net migration per 1,000", "/indicators/map/270000000/?code=net_migration"),
    ("map: perspective villages", "/indicators/map/270000000/?code=perspective_share"),
    ("pilot evaluation", "/indicators/evaluation/"),
    ("chart PNG", "/indicators/chart/274430000/population.png"),
    ("okrug values XLSX", "/indicators/okrug/274430000/?format=xlsx"),
    ("API: evaluation", "/api/v1/indicators/evaluation/1"),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    options = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="kenes-bench-dashboards-")
    for name in ("DATABASE_URL", "SQLITE_PATH", "KENES_KATO_FILE"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "KENES_VAR_DIR": var_dir,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-key",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("import_kato", region="27", verbosity=0)
    call_command("load_demo", verbosity=0)
    call_command("generate_indicator_demo", region="27", verbosity=0)
    prepared = time.perf_counter() - started

    client = Client(HTTP_ACCEPT_LANGUAGE="kk")
    rows = []
    for name, path in PAGES:
        times = []
        queries = 0
        size = 0
        for _ in range(options.repeat):
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get(path, follow=True)
                times.append(time.perf_counter() - begin)
            assert response.status_code == 200, f"{path} answered {response.status_code}"
            queries = len(captured.captured_queries)
            size = len(response.content)
        rows.append((name, path, statistics.median(times), queries, size))
        print(f"{name:32} {statistics.median(times) * 1000:7.0f} ms {queries:3} queries {size:>8,} bytes")

    lines = [
        SECTION,
        "",
        "Each dashboard asked through Django's test client (DEBUG off, SQLite, one process) on West Kazakhstan "
        "with the demo councils and the demo indicator series 2019–2026 (every rural settlement, okrug and "
        f"district: synthetic figures). Median of {options.repeat} requests; queries of the last one; body size "
        "before compression. Produced by `.venv/bin/python bench/dashboards.py`.",
        "",
        f"- Measured: {datetime.now(UTC).isoformat(timespec='seconds')} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; preparing the database took {prepared:.0f} s",
        "",
        "| page | path | median | queries | bytes |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | `{path}` | {seconds * 1000:,.0f} ms | {queries} | {size:,} |"
        for name, path, seconds, queries, size in rows
    ]
    lines += [
        "",
        "The evaluation's first request also imports statsmodels (about 2 s, once per worker process).",
    ]
    if not options.no_write:
        performance_doc.write_section(SECTION, "\n".join(lines) + "\n")
        print("Wrote the section to docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
