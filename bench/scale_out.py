"""Benchmark: scaling out on this machine, for docs/deployment.md ("Measured here").

    .venv/bin/python bench/scale_out.py [--duration 8] [--connections 16] [--threads 4] [--write]

Everything runs against a private PostgreSQL cluster made for the run (initdb into a temporary folder,
a free port of 127.0.0.1, fsync off, deleted afterwards) holding what `make demo` loads for the pilot's
oblast (migrate, import_kato --region 27, load_demo); granian serves Kenes with DEBUG off.

(a) one granian process with 1 and then 2 workers on one port: wrk on `/-/ping` (no database) and on a
    proposal's page;
(b) two granian processes on two ports against the one database: residents log in and support through
    the first, and the second serves the page that must show it; then wrk loads both at once;
(c) a streaming replica (`pg_basebackup -R`) and Kenes with DATABASE_REPLICA_URL: how long a support
    takes to be visible on the replica, replay paused to show which reads come from where, and wrk on
    the page with the transactions each server ran counted from pg_stat_database.

Each wrk run lasts `--duration` seconds (at most 10). `--write` replaces the "## Measured here"
section of docs/deployment.md; without it the section is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.replica_cluster import (  # noqa: E402 - needs ROOT on the path
    Browser,
    Cluster,
    Pair,
    Server,
    kenes_env,
    load_demo,
    postgres_available,
    primary_cluster,
    residents_and_proposals,
    support_count,
    supports_it,
)

DOC = ROOT / "docs" / "deployment.md"
SECTION = "## Measured here"
LUA = ROOT / "bench" / "wrk_report.lua"  # prints p50/p95/p99, requests/s and errors as one JSON line
DEMO_PASSWORD = "demo12345"  # noqa: S105 - every demo account's, printed in the README


def wrk(url: str, *, duration: int, connections: int, threads: int = 2) -> dict[str, Any]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA), url]
    return _report(subprocess.run(command, capture_output=True, text=True, timeout=duration + 60))


def wrk_together(urls: list[str], *, duration: int, connections: int) -> list[dict[str, Any]]:
    """One wrk per URL, all at once (each with one thread)."""
    runs = [
        subprocess.Popen(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA), url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for url in urls
    ]
    reports = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=duration + 60)
        reports.append(_report(subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr)))
    return reports


def _report(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    line = next((row for row in done.stdout.splitlines() if row.startswith("{")), None)
    if line is None:
        raise SystemExit(f"wrk gave no report:\n{done.stdout}\n{done.stderr}")
    report = dict(json.loads(line))
    if report["non2xx"] or report["socket_errors"]:
        raise SystemExit(f"errors under load, a benchmark of error pages is worth nothing: {report}")
    return report


def warm(url: str) -> None:
    browser = Browser(url)
    for path in ("/-/ping", "/"):
        for _ in range(3):
            browser.get(path)


def transactions(cluster: Cluster) -> int:
    return int(cluster.sql("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'kenes'")[0][0])


def support_through(browser: Browser, proposal: int) -> None:
    answer = browser.post(f"/proposals/{proposal}/support/", {})
    if answer.status != 302:
        raise SystemExit(f"supporting {proposal} answered {answer.status}")


def signed_in_browsers(url: str, usernames: set[str]) -> dict[str, Browser]:
    browsers = {}
    for username in sorted(usernames):
        browser = Browser(url)
        if browser.log_in(username, DEMO_PASSWORD).status != 302:
            raise SystemExit(f"{username} could not log in")
        browsers[username] = browser
    return browsers


def part_a(env: dict[str, str], page: str, options: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for workers in (1, 2):
        with Server(env, workers=workers, threads=options.threads) as server:
            warm(server.url)
            for label, path in (("`/-/ping` (no database)", "/-/ping"), ("a proposal's page", page)):
                found = wrk(server.url + path, duration=options.duration, connections=options.connections)
                rows.append({"workers": workers, "label": label, **found})
                print(f"(a) {workers} worker(s) {label:28s} {found['rps']:7.1f}/s p95 {found['p95']:.1f} ms")
    return rows


def part_b(env: dict[str, str], page: str, pairs: list[tuple[str, int]], options: argparse.Namespace) -> dict[str, Any]:
    threads = options.threads
    with Server(env, workers=1, threads=threads) as first, Server(env, workers=1, threads=threads) as second:
        warm(first.url)
        warm(second.url)
        writers = signed_in_browsers(first.url, {username for username, _proposal in pairs})
        seen = 0
        for username, proposal in pairs:
            writer = writers[username]
            support_through(writer, proposal)
            # The same browser (its session cookie) on the other process, right away.
            other = Browser(second.url, dict(writer.cookies))
            seen += supports_it(other.get(f"/proposals/{proposal}/").body, proposal)
        loads = wrk_together(
            [first.url + page, second.url + page], duration=options.duration, connections=options.connections // 2
        )
    result = {"writes": len(pairs), "seen": seen, "loads": loads, "rps": sum(load["rps"] for load in loads)}
    print(f"(b) {seen}/{len(pairs)} writes through A read through B; together {result['rps']:.1f}/s", flush=True)
    return result


def part_c(
    pair: Pair, env: dict[str, str], page: str, pairs: list[tuple[str, int]], options: argparse.Namespace
) -> dict[str, Any]:
    replica = pair.add_replica()
    pair.wait_for_replay()
    replica_env = {**env, "DATABASE_REPLICA_URL": replica.url("kenes-web")}
    result: dict[str, Any] = {}
    with Server(replica_env, workers=2, threads=options.threads) as server:
        warm(server.url)
        *timed, (paused_username, paused_proposal) = pairs
        writers = signed_in_browsers(server.url, {username for username, _proposal in pairs})
        anonymous = Browser(server.url)
        pair.wait_for_replay()

        # How long until an anonymous reader (served by the replica) sees a support.
        visible_after = []
        for username, proposal in timed:
            before = support_count(anonymous, proposal)
            support_through(writers[username], proposal)
            posted = time.monotonic()
            while support_count(anonymous, proposal) == before:
                if time.monotonic() - posted > 10:
                    raise SystemExit("the replica did not show a support within 10 s")
            visible_after.append((time.monotonic() - posted) * 1000)
        result["visible_ms"] = visible_after

        # Replay paused: the writer's pages come from the primary, everyone else's from the replica.
        pair.pause_replay()
        before = support_count(anonymous, paused_proposal)
        writer = writers[paused_username]
        support_through(writer, paused_proposal)
        result["paused"] = {
            "writer_sees": supports_it(writer.get(f"/proposals/{paused_proposal}/").body, paused_proposal),
            "anonymous_count_before": before,
            "anonymous_count_during": support_count(anonymous, paused_proposal),
            "writer_count_during": support_count(writer, paused_proposal),
        }
        pair.resume_replay()
        resumed = time.monotonic()
        while support_count(anonymous, paused_proposal) == before:
            if time.monotonic() - resumed > 10:
                raise SystemExit("the replica did not catch up within 10 s of resuming")
        result["paused"]["caught_up_ms"] = (time.monotonic() - resumed) * 1000
        print(f"(c) paused replay: {result['paused']}", flush=True)

    # A server of its own for the load, so the transactions counted are its own: a backend reports its
    # statistics when it exits at the latest.
    time.sleep(1.5)
    on_primary, on_replica = transactions(pair.primary), transactions(replica)
    with Server(replica_env, workers=2, threads=options.threads) as server:
        warm(server.url)
        result["load"] = wrk(server.url + page, duration=options.duration, connections=options.connections)
    time.sleep(1.5)
    result["transactions"] = {
        "primary": transactions(pair.primary) - on_primary - 1,  # less the counting query itself
        "replica": transactions(replica) - on_replica - 1,
        "requests": result["load"]["requests"] + 6,  # and warm()'s
    }
    print(f"(c) load {result['load']['rps']:.1f}/s, transactions {result['transactions']}", flush=True)
    return result


def run(options: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    var_dir = Path(tempfile.mkdtemp(prefix="kenes-bench-scale-"))
    try:
        with primary_cluster() as pair:
            env = kenes_env(var_dir, pair.primary.url("kenes-web"), ALLOWED_HOSTS="127.0.0.1", AXES_ENABLED="false")
            load_demo(env)
            loaded = time.monotonic() - started
            pairs = residents_and_proposals(env)
            if len(pairs) < 8:
                raise SystemExit(f"the demo data has only {len(pairs)} supports left to give; 8 are needed")
            page = f"/proposals/{pairs[0][1]}/"
            report: dict[str, Any] = {"page": page, "loaded_s": loaded}
            report["a"] = part_a(env, page, options)
            report["b"] = part_b(env, page, pairs[: len(pairs) // 2], options)
            report["c"] = part_c(pair, env, page, pairs[len(pairs) // 2 :][:8], options)
            report["version"] = pair.primary.sql("SHOW server_version")[0][0]
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    report.update(
        {
            "duration": options.duration,
            "connections": options.connections,
            "threads": options.threads,
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}",
            "load_average": os.getloadavg()[0],
            "seconds": time.monotonic() - started,
        }
    )
    return report


def render(report: dict[str, Any]) -> str:
    a, b, c = report["a"], report["b"], report["c"]
    lines = [
        SECTION,
        "",
        f"Written by `.venv/bin/python bench/scale_out.py --write` on {report['when']}: {report['machine']}, "
        f"PostgreSQL {report['version']} in a private cluster (fsync off), the `make demo` data for West Kazakhstan, "
        f"granian with DEBUG off and {report['threads']} threads per worker; wrk for {report['duration']} s per run at "
        f"{report['connections']} connections on the same two cores (it takes a share of them). The page is "
        f"`{report['page']}` (anonymous). Load average {report['load_average']:.1f} at the end, this run's "
        "own processes included: read the figures against each other, not as capacity.",
        "",
        "**(a) One process, 1 and 2 granian workers on one port**",
        "",
        "| workers | path | requests/s | p50 ms | p95 ms |",
        "|---:|---|---:|---:|---:|",
    ]
    for row in a:
        lines.append(f"| {row['workers']} | {row['label']} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p95']:.1f} |")
    loads = b["loads"]
    lines += [
        "",
        "**(b) Two Kenes processes on two ports, one PostgreSQL database**",
        "",
        f"- {b['seen']} of {b['writes']} supports given through the first process were shown by the second "
        "on the very next request (same browser cookies: the session is in the database).",
        f"- Both loaded at once ({report['connections'] // 2} connections each): {loads[0]['rps']:.0f} + "
        f"{loads[1]['rps']:.0f} = {b['rps']:.0f} requests/s, p95 {loads[0]['p95']:.1f} / {loads[1]['p95']:.1f} ms. "
        "On two cores a second process adds no throughput; it adds a second place to fail over to.",
        "",
        "**(c) A streaming replica (`pg_basebackup -R`), Kenes with `DATABASE_REPLICA_URL`**",
        "",
    ]
    visible = c["visible_ms"]
    paused = c["paused"]
    tx = c["transactions"]
    lines += [
        f"- A support became visible to an anonymous reader (served by the replica) "
        f"{statistics.median(visible):.0f} ms after the POST returned (median of {len(visible)}; "
        f"max {max(visible):.0f} ms, including the reader's own request).",
        f"- Replay paused on the replica, a resident supported a proposal: their reload showed it "
        f"({'yes' if paused['writer_sees'] else 'NO'}; count {paused['writer_count_during']} from the primary), "
        f"an anonymous reader still saw {paused['anonymous_count_during']} (the replica); after resuming, "
        f"the replica showed it within {paused['caught_up_ms']:.0f} ms.",
        f"- wrk on the page through this server: {c['load']['rps']:.0f} requests/s, p95 {c['load']['p95']:.1f} ms; "
        f"{tx['requests']:,} requests by wrk and the warm-up ran {tx['replica']:,} database transactions on the "
        f"replica and {tx['primary']:,} on the primary (pg_stat_database).",
        "",
        f"The whole run took {report['seconds']:.0f} s, {report['loaded_s']:.0f} s of it loading the demo data.",
    ]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    current = DOC.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _match: text + "\n", current, count=1).rstrip("\n") + "\n"
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    DOC.write_text(updated, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=8, choices=range(1, 11), metavar="SECONDS (1-10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=4, help="granian blocking threads per worker")
    parser.add_argument("--write", action="store_true", help="replace the section in docs/deployment.md")
    parser.add_argument("--save", default="", help="also keep the raw figures as JSON")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    if not postgres_available():
        raise SystemExit("PostgreSQL server binaries (initdb, pg_basebackup) are not installed")
    report = run(options)
    if options.save:
        Path(options.save).parent.mkdir(parents=True, exist_ok=True)
        Path(options.save).write_text(json.dumps(report, indent=1))
    text = render(report)
    print(text)
    if options.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
