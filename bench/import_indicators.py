"""Benchmark: importing a 100,000-row indicator file (long CSV) into SQLite, then importing it again.

    .venv/bin/python bench/import_indicators.py [--rows 100000] [--no-write]

A fresh, migrated SQLite database (a temporary file) gets the West Kazakhstan territory from the
shared classifier (or the bundled sample), then a SYNTHETIC file is generated (seeded, labelled
synthetic: these are not real figures) for every settlement × indicator × year until the row count
is reached. In a separate process only `kenes.indicators.services.import_indicator_file` is timed:
the first run (every value created), a re-run (every value unchanged) and a corrected file (nearly
every value updated, each keeping a revision). The results replace the
section "## Indicator import" of docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import performance_doc  # bench/ is the script folder, so its modules import by name

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
SECTION = "## Indicator import"
TARGET_SECONDS = 60.0
SEED = 8
FIRST_YEAR = 2015
REGION = "27"
SHARED_KATO = Path(os.environ.get("KENES_SHARED_DATA", ROOT.parent / "shared" / "data")) / "kato" / "kato.csv"
SYNTHETIC_SOURCE = "Synthetic benchmark data (not real figures)"
RUNS = ("first", "again", "corrected")
LABELS = {"first": "first import", "again": "same file again", "corrected": "corrected file (other values)"}


def base_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SQLITE_PATH"}}
    # Production-like: DEBUG off (no query log kept in memory).
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", "SECRET_KEY": "bench-only-key"})
    return env


def generate(rows: int, target: Path, *, seed: int = SEED) -> dict[str, Any]:
    """Runs in the worker: a seeded synthetic long CSV over the loaded settlements."""
    from kenes.indicators.models import Indicator
    from kenes.territory.models import Settlement

    indicators = list(Indicator.objects.order_by("ordering_key", "code"))
    settlements = list(
        Settlement.objects.filter(retired_at__isnull=True).order_by("kato").values_list("kato", flat=True)
    )
    if not indicators or not settlements:
        raise SystemExit("No indicators or settlements are loaded: nothing to generate.")
    generator = random.Random(seed)  # noqa: S311 - synthetic figures, not secrets
    written = 0
    year = FIRST_YEAR
    with target.open("w", encoding="utf-8", newline="") as handle:
        handle.write("code,kato,period,value\n")
        while written < rows:
            for kato in settlements:
                for indicator in indicators:
                    if written >= rows:
                        break
                    if indicator.is_percent:
                        value = f"{generator.uniform(0, 100):.1f}"
                    elif indicator.allows_negative:
                        value = str(generator.randint(-60, 40))
                    else:
                        value = str(generator.randint(0, 2500))
                    handle.write(f"{indicator.code},{kato},{year},{value}\n")
                    written += 1
            year += 1
    return {"rows": written, "settlements": len(settlements), "indicators": len(indicators), "years": year - FIRST_YEAR}


def worker(folder: Path, rows: int) -> None:
    """Runs in a child process with the database chosen by the environment."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from kenes.indicators.services import import_indicator_file
    from kenes.territory.services import import_kato

    kato = SHARED_KATO if SHARED_KATO.is_file() else ROOT / "kenes" / "territory" / "data" / "sample_kato.csv"
    import_kato(path=kato, region=REGION if SHARED_KATO.is_file() else None)
    path = folder / "synthetic-indicators.csv"
    shape = generate(rows, path)
    corrected = folder / "synthetic-indicators-corrected.csv"
    generate(rows, corrected, seed=SEED + 1)  # the same rows with other values: nearly every one changes
    data = path.read_bytes()
    outcome: dict[str, Any] = {"shape": shape, "bytes": len(data), "kato": kato.name}
    for run in RUNS:
        if run == "corrected":
            data = corrected.read_bytes()
        started = time.perf_counter()
        batch = import_indicator_file(
            actor=None, file=data, file_name=path.name, source=SYNTHETIC_SOURCE, apply=True, is_demo=True
        )
        outcome[run] = {
            "seconds": time.perf_counter() - started,
            "status": batch.status,
            "created": batch.created,
            "updated": batch.updated,
            "unchanged": batch.unchanged,
            "errors": batch.error_count,
        }
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()")
        outcome["version"] = str(cursor.fetchone()[0])
    print(json.dumps(outcome))


def run(rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kenes-bench-") as folder:
        env = base_env() | {"SQLITE_PATH": str(Path(folder) / "bench.sqlite3")}
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--worker", folder, "--rows", str(rows)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render(outcome: dict[str, Any]) -> str:
    import django

    shape = outcome["shape"]
    lines = [
        SECTION,
        "",
        f"Import of a synthetic long CSV ({shape['rows']} rows, {outcome['bytes'] / 1e6:.1f} MB: "
        f"{shape['settlements']} settlements × {shape['indicators']} indicators × up to {shape['years']} years, "
        f"random values seeded with {SEED}; not real figures, loaded as demo data) into a fresh SQLite "
        f"database holding the territory of region {REGION} from `{outcome['kato']}`. Timed in its own process: "
        "`kenes.indicators.services.import_indicator_file(apply=True)` (read, check every row, compare "
        "with the stored values, bulk write, batch and audit rows; one transaction), then the same file again, "
        "then a corrected file with other values for the same rows (an update and a revision per changed value). "
        f"Target: under {TARGET_SECONDS:.0f} s. Produced by `.venv/bin/python bench/import_indicators.py`.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}, SQLite {outcome['version']}",
        "",
        "| run | seconds | created | updated | unchanged | under target |",
        "|---|---|---|---|---|---|",
    ]
    for run_name in RUNS:
        figures, label = outcome[run_name], LABELS[run_name]
        verdict = "yes" if figures["seconds"] < TARGET_SECONDS else "NO"
        lines.append(
            f"| {label} | {figures['seconds']:.2f} | {figures['created']} | {figures['updated']} | "
            f"{figures['unchanged']} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/ alone")
    options = parser.parse_args()
    if options.worker:
        worker(options.worker, options.rows)
        return 0
    outcome = run(options.rows)
    text = render(outcome)
    print(text)
    if not options.no_write:
        performance_doc.write_section(SECTION, text)
        print(f"Wrote the section to {DOC.relative_to(ROOT)}")
    slow = [name for name in RUNS if outcome[name]["seconds"] >= TARGET_SECONDS]
    failed = [name for name in RUNS if outcome[name]["status"] != "applied"]
    return 1 if slow or failed else 0


if __name__ == "__main__":
    sys.exit(main())
