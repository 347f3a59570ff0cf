"""Benchmark: a fresh import of the national KATO file into SQLite and into PostgreSQL.

    .venv/bin/python bench/import_kato.py [--runs 3] [--file PATH]

Each run gets a fresh, migrated database (a temporary SQLite file; a PostgreSQL database created
and dropped for the run) and times only `kenes.territory.services.import_kato` in a separate
process. The results replace the section "## KATO import" of docs/performance.md.
PostgreSQL is reached at $BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
when it is not reachable the PostgreSQL line says SKIPPED.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import performance_doc  # bench/ is the script folder, so its modules import by name

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
SECTION = "## KATO import"
TARGET_SECONDS = 10.0
DEFAULT_FILE = Path(os.environ.get("KENES_SHARED_DATA", ROOT.parent / "shared" / "data")) / "kato" / "kato.csv"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@dataclass
class Backend:
    name: str
    seconds: list[float] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    version: str = ""
    skipped: str = ""


def base_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SQLITE_PATH"}}
    # Production-like: DEBUG off (no query log kept in memory).
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", "SECRET_KEY": "bench-only-key"})
    env.pop("KENES_KATO_FILE", None)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )


def timed_import(env: dict[str, str], kato: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", str(kato)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker(kato: Path) -> None:
    """Runs in a child process with the database chosen by the environment."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from kenes.territory.services import import_kato

    started = time.perf_counter()
    result = import_kato(path=kato)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        version = str(cursor.fetchone()[0])
    print(json.dumps({"seconds": seconds, "counts": result.counts, "version": version}))


def run_sqlite(kato: Path, runs: int) -> Backend:
    backend = Backend("SQLite")
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="kenes-bench-") as folder:
            env = base_env() | {"SQLITE_PATH": str(Path(folder) / "bench.sqlite3")}
            migrate(env)
            outcome = timed_import(env, kato)
        backend.seconds.append(outcome["seconds"])
        backend.counts, backend.version = outcome["counts"], outcome["version"]
    return backend


def run_postgres(kato: Path, runs: int) -> Backend:
    backend = Backend("PostgreSQL")
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except Exception as error:  # any failure to connect means: not reachable here
        backend.skipped = f"SKIPPED (PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__})"
        return backend
    with admin:
        for run in range(runs):
            name = f"kenes_bench_{os.getpid()}_{run}"
            admin.execute(f'drop database if exists "{name}"')
            admin.execute(f'create database "{name}"')
            try:
                env = base_env() | {"DATABASE_URL": re.sub(r"/[^/]*$", f"/{name}", POSTGRES_URL)}
                migrate(env)
                outcome = timed_import(env, kato)
            finally:
                admin.execute(f'drop database if exists "{name}" with (force)')
            backend.seconds.append(outcome["seconds"])
            backend.counts, backend.version = outcome["counts"], outcome["version"]
    return backend


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render(kato: Path, runs: int, backends: list[Backend]) -> str:
    import django

    counts = next((b.counts for b in backends if b.counts), {})
    lines = [
        SECTION,
        "",
        f"Fresh import of the national classifier (`{kato.name}`, {counts.get('rows', '?')} rows) into a new, "
        f"migrated database; {runs} runs per backend, each in its own process, timing only "
        "`kenes.territory.services.import_kato` (read, clean, plan, bulk write, source and audit rows; "
        f"one transaction). Target: under {TARGET_SECONDS:.0f} s each. Produced by "
        "`.venv/bin/python bench/import_kato.py`.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}",
        "",
        "| backend | version | runs | median s | max s | under target |",
        "|---|---|---|---|---|---|",
    ]
    for backend in backends:
        if backend.skipped:
            lines.append(f"| {backend.name} | — | 0 | — | — | {backend.skipped} |")
            continue
        median, worst = statistics.median(backend.seconds), max(backend.seconds)
        verdict = "yes" if worst < TARGET_SECONDS else "NO"
        lines.append(
            f"| {backend.name} | {backend.version} | {len(backend.seconds)} | {median:.2f} | {worst:.2f} | {verdict} |"
        )
    if counts:
        lines += [
            "",
            f"Rows created: {counts['created']} — {counts['regions']} regions, {counts['districts']} districts "
            f"(incl. the city districts of Astana, Almaty and Shymkent), {counts['okrugs']} okrugs, "
            f"{counts['settlements']} settlements.",
        ]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    performance_doc.write_section(SECTION, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/ alone")
    options = parser.parse_args()
    if options.worker:
        worker(options.worker)
        return 0
    kato: Path = options.file.resolve()
    if not kato.is_file():
        print(f"No classifier file at {kato}: pass --file or set KENES_SHARED_DATA.", file=sys.stderr)
        return 2
    backends = [run_sqlite(kato, options.runs), run_postgres(kato, options.runs)]
    text = render(kato, options.runs, backends)
    print(text)
    if not options.no_write:
        write_section(text)
        print(f"Wrote the section to {DOC.relative_to(ROOT)}")
    slow = [b.name for b in backends if b.seconds and max(b.seconds) >= TARGET_SECONDS]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
