"""Benchmark: Kenes under HTTP load, each page against a trivial view on the same server in the same run.

    .venv/bin/python bench/http_load.py --database-url postgres://postgres@127.0.0.1:5432/kenes_scale \
        [--only public|staff|all] [--duration 10] [--connections 32] [--workers 2] \
        [--save var/bench/NAME.json] [--write]
    .venv/bin/python bench/http_load.py --compare var/bench/staff-150.json var/bench/staff-all.json [--write]

granian serves Kenes (WSGI, DEBUG off, `--workers`) on a free port of 127.0.0.1 against the given
database (load it first: `manage.py generate_scale_data --okrugs all`); wrk (Debian's package) then
loads the trivial view `/-/ping`, every page, and `/-/ping` again, for `--duration` seconds each at
`--connections` connections, and bench/wrk_report.lua reports p50/p95/p99 and requests/s. Each page's
throughput is reported as a share of the trivial view's (the mean of its two runs), so the figures
compare across machines and loads. Any non-2xx answer fails the run: a benchmark of error pages is
worth nothing. Staff pages are asked with a session made directly in the database for a synthetic
coordinator, akimat staff member and an administrator account `bench-admin` (is_demo).

Targets (issue 10): public pages p95 <= 50 ms and >= 50 % of the trivial view's throughput; staff pages
at all okrugs within 1.2 x their time at 150 okrugs (`--compare`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import performance_doc  # bench/ is the script folder, so its modules import by name

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## HTTP load"
STAFF_SECTION = "## Staff pages at 150 and at all okrugs"
PUBLIC_P95_MS = 50.0
PUBLIC_SHARE = 0.5
STAFF_RATIO = 1.2
THREADS = 4  # per worker, as scripts/serve.sh: one database connection each at most


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _django(database_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-key-not-secret-0123456789",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from kenes.accounts.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _public_targets() -> list[tuple[str, str]]:
    from django.db.models import Count

    from kenes.councils.models import Council
    from kenes.meetings.models import Meeting
    from kenes.proposals.models import Proposal, Status

    council = (
        Council.objects.annotate(n=Count("proposals")).select_related("okrug__district").order_by("-n", "pk").first()
    )
    if council is None:
        raise SystemExit("No council in this database: run generate_scale_data first.")
    kato, district = council.okrug.kato, council.okrug.district.kato
    proposal = Proposal.objects.filter(council=council, status=Status.COLLECTING).order_by("-support_count").first()
    sitting = Meeting.objects.filter(council=council, status=Meeting.Status.CLOSED).order_by("-starts_at").first()
    if proposal is None or sitting is None:
        raise SystemExit("The busiest council has no collecting proposal or held sitting.")
    return [
        ("home", "/"),
        ("okrug (council page)", f"/councils/{kato}/"),
        ("okrug proposal list, filtered", f"/proposals/okrug/{kato}/?status=collecting&sort=supported"),
        ("all proposals (national list)", "/proposals/"),
        ("proposal detail", f"/proposals/{proposal.pk}/"),
        ("sitting", f"/sittings/{sitting.pk}/"),
        ("okrug scorecard", f"/accountability/okrug/{kato}/"),
        ("district scorecard", f"/accountability/district/{district}/"),
        ("okrug profile", f"/indicators/okrug/{kato}/"),
        ("API: proposal list, filtered", f"/api/v1/proposals/?okrug={kato}&status=collecting&sort=supported"),
        ("API: proposal", f"/api/v1/proposals/{proposal.pk}"),
        ("API: sitting", f"/api/v1/meetings/{sitting.pk}"),
        ("API: okrug scorecard", f"/api/v1/accountability/scorecards/okrug/{kato}"),
    ]


def _staff_targets() -> list[tuple[str, str, str]]:
    """(label, path, username): the first council's coordinator, its district's staff, an admin."""
    from kenes.accounts.models import User
    from kenes.councils.models import Coordinator, Council

    council = Council.objects.filter(is_demo=True).select_related("okrug__district").order_by("okrug__kato").first()
    if council is None:
        raise SystemExit("No synthetic council in this database: run generate_scale_data first.")
    coordinator = Coordinator.objects.filter(council=council, user__isnull=False).select_related("user").first()
    assert coordinator is not None
    assert coordinator.user is not None
    admin, _created = User.objects.get_or_create(
        username="bench-admin",
        defaults={"is_superuser": True, "is_staff": True, "is_demo": True, "full_name": "Benchmark (synthetic)"},
    )
    district = council.okrug.district.kato
    staff = f"scale-d-{district}-akimat"
    return [
        ("coordinator: screening queue", "/proposals/screening/", coordinator.user.username),
        ("coordinator: schedule a sitting", f"/sittings/council/{council.okrug.kato}/new/", coordinator.user.username),
        ("akimat staff: answer inbox", "/accountability/inbox/", staff),
        ("akimat staff: overdue answers", "/accountability/inbox/?state=overdue", staff),
        ("council directory", "/councils/", admin.username),
        ("admin: proposals", "/admin/proposals/proposal/", admin.username),
        ("admin: supports", "/admin/proposals/support/", admin.username),
        ("admin: sittings", "/admin/meetings/meeting/", admin.username),
        ("admin: users", "/admin/accounts/user/", admin.username),
        ("notifications outbox", "/notifications/outbox/", admin.username),
    ]


class Server:
    def __init__(self, database_url: str, workers: int) -> None:
        self.port = _free_port()
        self.var_dir = tempfile.mkdtemp(prefix="kenes-bench-http-")
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "KENES_VAR_DIR": self.var_dir,
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--blocking-threads",
                str(THREADS),
                "--log-level",
                "warning",
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/-/ping", timeout=2) as answer:  # noqa: S310 - loopback
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("granian did not answer within 60 s")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.var_dir, ignore_errors=True)


def _wrk(url: str, *, duration: int, connections: int, cookie: str = "") -> dict[str, Any]:
    # Warm the page (templates, connection, caches) before it is measured.
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        for _ in range(3):
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
                answer.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url} answered {error.code}: a benchmark of an error page is worth nothing") from error
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench/wrk_report.lua"),
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, env={**os.environ, "KENES_COOKIE": cookie}
    )
    line = next((row for row in done.stdout.splitlines() if row.startswith("{")), None)
    if line is None:
        raise SystemExit(f"wrk gave no report for {url}:\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(line))


def _counts() -> dict[str, int]:
    from kenes.councils.models import Council
    from kenes.meetings.models import Meeting, Recommendation
    from kenes.proposals.models import Proposal, Support

    return {
        "councils": Council.objects.count(),
        "proposals": Proposal.objects.count(),
        "supports": Support.objects.count(),
        "sittings": Meeting.objects.count(),
        "recommendations": Recommendation.objects.count(),
    }


def run(options: argparse.Namespace) -> dict[str, Any]:
    _django(options.database_url)
    public = _public_targets() if options.only in ("public", "all") else []
    staff = _staff_targets() if options.only in ("staff", "all") else []
    cookies = {username: _session_cookie(username) for _label, _path, username in staff}
    counts = _counts()
    server = Server(options.database_url, options.workers)
    results: list[dict[str, Any]] = []
    try:
        measure = {"duration": options.duration, "connections": options.connections}
        trivial = [_wrk(server.url + "/-/ping", **measure)]
        for label, path in public:
            results.append({"label": label, "path": path, "kind": "public", **_wrk(server.url + path, **measure)})
            print(f"{label:40s} p95 {results[-1]['p95']:7.1f} ms  {results[-1]['rps']:7.1f}/s", flush=True)
        for label, path, username in staff:
            found = _wrk(server.url + path, cookie=cookies[username], **measure)
            results.append({"label": label, "path": path, "kind": "staff", **found})
            print(f"{label:40s} p50 {found['p50']:7.1f} ms  {found['rps']:7.1f}/s", flush=True)
        trivial.append(_wrk(server.url + "/-/ping", **measure))
    finally:
        server.stop()
    ping_rps = sum(run["rps"] for run in trivial) / len(trivial)
    for row in results:
        row["share"] = row["rps"] / ping_rps if ping_rps else 0.0
        row["ok"] = row["non2xx"] == 0 and row["socket_errors"] == 0
    return {
        "database": options.database_url.rsplit("/", 1)[-1],
        "counts": counts,
        "workers": options.workers,
        "connections": options.connections,
        "duration": options.duration,
        "trivial": {"rps": ping_rps, "p50": trivial[0]["p50"], "p95": trivial[0]["p95"], "runs": trivial},
        "results": results,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "command": " ".join(["bench/http_load.py", *sys.argv[1:]]),
    }


def _table(report: dict[str, Any]) -> str:
    lines = [
        "| page | path | p50 ms | p95 ms | requests/s | share of trivial | target met |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in report["results"]:
        if row["kind"] == "public":
            met = row["ok"] and row["p95"] <= PUBLIC_P95_MS and row["share"] >= PUBLIC_SHARE
        else:
            met = row["ok"]
        errors = "" if row["ok"] else f" ({row['non2xx']} non-2xx, {row['socket_errors']} socket errors)"
        lines.append(
            f"| {row['label']} | `{row['path']}` | {row['p50']:.1f} | {row['p95']:.1f} | {row['rps']:.0f} "
            f"| {row['share'] * 100:.0f} % | {'yes' if met else 'no'}{errors} |"
        )
    return "\n".join(lines)


def _describe(report: dict[str, Any]) -> str:
    counts = report["counts"]
    return (
        f"{report['when']} · {report['machine']} · database `{report['database']}`: "
        f"{counts['councils']:,} councils, {counts['proposals']:,} proposals, {counts['supports']:,} supports, "
        f"{counts['sittings']:,} sittings, {counts['recommendations']:,} recommendations (synthetic) · granian "
        f"{report['workers']} workers · wrk 2 threads, {report['connections']} connections, {report['duration']} s "
        f"per page · trivial view `/-/ping`: {report['trivial']['rps']:,.0f} requests/s, "
        f"p95 {report['trivial']['p95']:.1f} ms\n\n    {report['command']}"
    )


def _compare(first: dict[str, Any], second: dict[str, Any]) -> str:
    before = {row["label"]: row for row in first["results"]}
    lines = [
        f"Staff pages: `{first['database']}` ({first['counts']['councils']:,} councils) against "
        f"`{second['database']}` ({second['counts']['councils']:,} councils), p50 of each run; target ≤ {STAFF_RATIO}.",
        "",
        "| page | p50 ms, first | p50 ms, second | ratio | target met |",
        "|---|---:|---:|---:|---|",
    ]
    for row in second["results"]:
        earlier = before.get(row["label"])
        if earlier is None:
            continue
        ratio = row["p50"] / earlier["p50"] if earlier["p50"] else float("inf")
        lines.append(
            f"| {row['label']} | {earlier['p50']:.1f} | {row['p50']:.1f} | {ratio:.2f} "
            f"| {'yes' if ratio <= STAFF_RATIO else 'no'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--only", choices=["public", "staff", "all"], default="public")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--save", default="")
    parser.add_argument("--write", action="store_true", help="write the section into docs/performance.md")
    parser.add_argument("--compare", nargs=2, metavar=("FIRST", "SECOND"))
    options = parser.parse_args()
    if options.compare:
        first, second = (json.loads(Path(path).read_text()) for path in options.compare)
        text = _compare(first, second)
        print(text)
        if options.write:
            performance_doc.write_section(STAFF_SECTION, f"{STAFF_SECTION}\n\n{text}\n")
        return 0
    if not options.database_url:
        parser.error("give --database-url (or BENCH_DATABASE_URL): a database loaded by generate_scale_data")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    report = run(options)
    if options.save:
        Path(options.save).parent.mkdir(parents=True, exist_ok=True)
        Path(options.save).write_text(json.dumps(report, indent=1))
    text = f"{_describe(report)}\n\n{_table(report)}"
    print(text)
    if options.write:
        performance_doc.write_section(SECTION, f"{SECTION}\n\n{text}\n")
    return 0 if all(row["ok"] for row in report["results"]) else 1


if __name__ == "__main__":
    sys.exit(main())
