"""Benchmark (issue 10): Kenes under HTTP load, every page against a trivial view on the same server
in the same run.

    .venv/bin/python bench/http_load.py [--database-url postgres://postgres@127.0.0.1:5432/DB] \\
        [--only public|api|staff|supports|all] [--duration 10] [--connections 32] [--threads 2] \\
        [--workers 2] [--blocking-threads 4] [--rounds 1] [--council KATO] [--save var/bench/NAME.json] [--write]
    .venv/bin/python bench/http_load.py --only staff --connections 1 --threads 1 --rounds 5 --duration 2 \\
        --database-url …/DB150 --against …/DB --write
    .venv/bin/python bench/http_load.py --compare var/bench/staff-150.json var/bench/staff-all.json [--write]

granian serves Kenes as scripts/serve.sh does (WSGI, DEBUG off, `--workers` × `--blocking-threads`,
a temporary KENES_VAR_DIR) on a free port of 127.0.0.1 against the database (default:
$DATABASE_URL; PostgreSQL, loaded by `load_demo` or `generate_scale_data`). The pages are chosen from
the data, in a subprocess per database: the busiest council (most public proposals), its okrug, its
proposals filtered by their most common status and area, its district's, its most supported
proposal, its latest held sitting, the scorecards and the okrug profile; `--only api` asks their
twins under /api/v1/. wrk (Debian's package) loads the trivial view `/-/ping` first, then every page
for `--duration` seconds at `--connections` connections, then `/-/ping` again; bench/wrk_report.lua
reports p50/p95/p99, requests/s and every answer that is not 2xx. A page's throughput is given as a
share of the trivial view's (the mean of its two runs), so the figures compare across machines and
loads. Requests carry `Accept-Encoding: gzip`, as every browser's do (`--no-gzip` leaves it out).

A page that answers anything but 2xx (while warming up or under load) fails the run loudly (exit
status 2) and nothing is written: a benchmark of error pages is worth nothing.

Staff pages (`--only staff`) are asked with sessions made directly in the database for the first
council's coordinator (in KATO order, so the same council at 150 okrugs and at all okrugs; or
`--council`), its akimat staff, district and oblast administrators, and a superuser (the first one,
else an `is_demo` account `bench-admin` is made); the sessions are deleted afterwards. The target is
a ratio between two data sets: `--against URL` measures both databases in one run, page by page in
turn (the reliable way on a shared machine), or `--save` two runs and `--compare` them. One pass of a
few seconds per page swings by half on a busy two-core machine, so `--rounds N` asks every page N times,
the databases alternating, and keeps each page's median round. Use one
connection for this comparison: with two, wrk's connections land on the same granian worker in some
runs and on both in others, and a page's p50 is then either its own time or twice it, whatever the data.

`--only supports` (and `all`) runs bench/supports_load.py's measurement on the same server: it writes
supports into the database.

Targets (issue 10): public pages and their API twins p95 <= 50 ms and >= 50 % of the trivial view's
requests/s at 32 connections; staff pages at all okrugs within 1.2 x their time at 150 okrugs.
Exit status: 0 every target met, 1 a target missed, 2 the run is invalid (errors).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import performance_doc  # bench/ is the script folder, so its modules import by name
import supports_load
from _load_common import (
    ROOT,
    BenchError,
    Server,
    busiest_council,
    close_django_connections,
    connection_headroom,
    database_facts,
    default_blocking_threads,
    fail,
    machine,
    require_wrk,
    run_wrk,
    server_connections,
    setup_django,
    shown_command,
    warm,
)

SECTIONS = {
    "public": "## HTTP load (issue 10)",
    "api": "## HTTP load (issue 10): API",
    "staff": "## HTTP load (issue 10): staff pages",
    "supports": "## HTTP load (issue 10): supports",
}
COMPARE_SECTION = "## HTTP load (issue 10): staff pages at 150 and at all okrugs"
PUBLIC_P95_MS = 50.0
PUBLIC_SHARE = 0.5
STAFF_RATIO = 1.2
TRIVIAL = "/-/ping"


@dataclass
class Target:
    group: str  # public | api | staff
    label: str
    path: str
    user: str = ""  # staff pages: the username whose session asks the page
    persona: str = ""


@dataclass
class Plan:
    council: str
    targets: list[Target] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# Choosing pages from the data (in the --plan subprocess) -----------------------------------------


def public_targets(kato: str) -> Plan:
    """The public pages of the busiest council (or `kato`'s) and their API twins."""
    from django.db.models import Count

    from kenes.meetings.models import Meeting
    from kenes.proposals.lifecycle import PUBLIC_STATUSES
    from kenes.proposals.models import Proposal

    council = busiest_council(kato)
    okrug, district = council.okrug.kato, council.okrug.district.kato
    public = Proposal.objects.filter(council=council, status__in=PUBLIC_STATUSES)
    common = public.values("status", "area").annotate(n=Count("id")).order_by("-n", "status", "area").first()
    proposal = public.order_by("-support_count", "pk").first()
    held = Meeting.objects.filter(council=council).exclude(status=Meeting.Status.DRAFT)
    sitting = held.filter(status=Meeting.Status.CLOSED).order_by("-starts_at").first() or held.first()
    if common is None or proposal is None:
        raise BenchError(f"the council of {okrug} has no public proposal to ask for")
    status, area = common["status"], common["area"]
    plan = Plan(council=okrug)
    # (page, path, its API twin, the twin's path)
    pages = [
        ("home", "/", "territory: regions", "/api/v1/territory/regions"),
        ("okrug", f"/territory/{okrug}/", "territory: okrug", f"/api/v1/territory/{okrug}"),
        ("council", f"/councils/{okrug}/", "council", f"/api/v1/councils/{okrug}"),
        (
            "okrug proposals, filtered",
            f"/proposals/okrug/{okrug}/?status={status}&area={area}&sort=supported",
            "proposals of the okrug, filtered",
            f"/api/v1/proposals/?okrug={okrug}&status={status}&area={area}&sort=supported",
        ),
        (
            "district proposals, filtered",
            f"/proposals/?district={district}&status={status}&sort=supported",
            "proposals of the district, filtered",
            f"/api/v1/proposals/?district={district}&status={status}&sort=supported",
        ),
        ("all proposals", "/proposals/", "all proposals", "/api/v1/proposals/"),
        ("proposal", f"/proposals/{proposal.pk}/", "proposal", f"/api/v1/proposals/{proposal.pk}"),
        (
            "okrug scorecard",
            f"/accountability/okrug/{okrug}/",
            "okrug scorecard",
            f"/api/v1/accountability/scorecards/okrug/{okrug}",
        ),
        (
            "district scorecard",
            f"/accountability/district/{district}/",
            "district scorecard",
            f"/api/v1/accountability/scorecards/district/{district}",
        ),
        (
            "okrug profile",
            f"/indicators/okrug/{okrug}/",
            "okrug indicator values",
            f"/api/v1/indicators/values?kato={okrug}",
        ),
    ]
    if sitting is not None:
        pages[3:3] = [
            (
                "council sittings",
                f"/sittings/council/{okrug}/",
                "council sittings",
                f"/api/v1/meetings/?council={okrug}",
            ),
            ("sitting", f"/sittings/{sitting.pk}/", "sitting", f"/api/v1/meetings/{sitting.pk}"),
        ]
    else:
        plan.skipped.append(f"sitting pages: the council of {okrug} has held none")
    for label, path, api_label, api_path in pages:
        plan.targets.append(Target("public", label, path))
        plan.targets.append(Target("api", f"API: {api_label}", api_path))
    return plan


def _first_user(queryset: Any) -> Any:
    found = queryset.select_related("user").filter(user__is_active=True).order_by("pk").first()
    return found.user if found is not None else None


def staff_targets(kato: str) -> Plan:
    """Coordinator and administrator pages: the first council in KATO order with a coordinator who
    can sign in (the same council whatever else is loaded), or `kato`'s."""
    from django.db.models import Q

    from kenes.accounts.models import Role, RoleAssignment, User
    from kenes.councils.models import Coordinator, Council
    from kenes.meetings.models import Meeting
    from kenes.proposals.models import Proposal

    coordinators = Coordinator.objects.filter(ended_on__isnull=True, user__isnull=False, user__is_active=True)
    if kato:
        coordinators = coordinators.filter(council__okrug__kato=kato)
    coordinator = (
        coordinators.select_related("user", "council__okrug__district").order_by("council__okrug__kato", "pk").first()
    )
    if coordinator is None:
        raise BenchError("no council has a coordinator who can sign in: load the data first")
    council: Council = coordinator.council
    okrug = council.okrug
    district = okrug.district
    roles = RoleAssignment.objects.filter(user__is_active=True)
    akimat = _first_user(
        roles.filter(role__code=Role.AKIMAT_STAFF).filter(Q(okrug=okrug) | Q(district=district))
    ) or _first_user(roles.filter(role__code=Role.AKIMAT_STAFF))
    district_admin = _first_user(roles.filter(role__code=Role.DISTRICT_ADMIN, district=district)) or _first_user(
        roles.filter(role__code=Role.DISTRICT_ADMIN)
    )
    oblast_admin = _first_user(roles.filter(role__code=Role.OBLAST_ADMIN, region=district.region_id)) or _first_user(
        roles.filter(role__code=Role.OBLAST_ADMIN)
    )
    superuser = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if superuser is None:
        superuser, _created = User.objects.get_or_create(
            username="bench-admin",
            defaults={"is_superuser": True, "is_staff": True, "is_demo": True, "full_name": "Benchmark (synthetic)"},
        )
    sitting = Meeting.objects.filter(council=council).order_by("-starts_at").first()
    proposal = Proposal.objects.filter(council=council).order_by("-support_count", "pk").first()
    word = (proposal.title.split() or ["a"])[0] if proposal is not None else "a"
    plan = Plan(council=okrug.kato)
    personas: list[tuple[str, Any, list[tuple[str, str]]]] = [
        (
            "coordinator",
            coordinator.user,
            [
                ("coordinator: screening queue", "/proposals/screening/"),
                ("coordinator: schedule a sitting", f"/sittings/council/{okrug.kato}/new/"),
                *([("coordinator: sitting console", f"/sittings/{sitting.pk}/console/")] if sitting else []),
            ],
        ),
        (
            "akimat staff",
            akimat,
            [
                ("akimat staff: answer inbox", "/accountability/inbox/"),
                ("akimat staff: overdue answers", "/accountability/inbox/?state=overdue"),
                ("akimat staff: residents to verify", "/accounts/residents/verification/"),
            ],
        ),
        (
            "district administrator",
            district_admin,
            [
                ("district admin: escalations", "/accountability/escalations/"),
                ("district admin: councils", "/councils/manage/"),
                ("district admin: a council", f"/councils/{okrug.kato}/manage/"),
            ],
        ),
        (
            "oblast administrator",
            oblast_admin,
            [("oblast admin: councils", "/councils/manage/"), ("oblast admin: outbox", "/notifications/outbox/")],
        ),
        (
            "superuser",
            superuser,
            [
                ("superuser: all councils", "/councils/manage/"),
                ("superuser: outbox", "/notifications/outbox/"),
                ("admin: index", "/admin/"),
                ("admin: proposals", "/admin/proposals/proposal/"),
                ("admin: proposals, searched", f"/admin/proposals/proposal/?{urlencode({'q': word})}"),
                *([("admin: a proposal", f"/admin/proposals/proposal/{proposal.pk}/change/")] if proposal else []),
                ("admin: supports", "/admin/proposals/support/"),
                ("admin: sittings", "/admin/meetings/meeting/"),
                ("admin: recommendations", "/admin/meetings/recommendation/"),
                ("admin: answers", "/admin/accountability/answer/"),
                ("admin: users", "/admin/accounts/user/"),
                ("admin: resident profiles", "/admin/accounts/residentprofile/"),
                ("admin: councils", "/admin/councils/council/"),
                ("admin: outbox messages", "/admin/notifications/outboxmessage/"),
            ],
        ),
    ]
    for persona, user, pages in personas:
        if user is None:
            plan.skipped.append(f"{persona} pages: nobody holds the role")
            continue
        for label, path in pages:
            plan.targets.append(Target("staff", label, path, user=user.username, persona=persona))
    return plan


def _session_cookie(username: str) -> tuple[str, str]:
    """A signed-in session made directly in the database (no password, no login form): (cookie, key)."""
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
    assert session.session_key is not None
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}", session.session_key


def _delete_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=keys).delete()


def plan(options: argparse.Namespace) -> dict[str, Any]:
    """`--plan`, in a process of its own per database: the pages to ask there, sessions for the staff
    pages, the database's size. Printed as JSON for the measuring process."""
    setup_django(options.database_url)
    groups = options.plan.split(",")
    targets: list[Target] = []
    skipped: list[str] = []
    council = ""
    if "public" in groups or "api" in groups:
        found = public_targets(options.council)
        targets += [target for target in found.targets if target.group in groups]
        skipped += found.skipped
        council = found.council
    if "staff" in groups:
        found = staff_targets(options.council)
        targets += found.targets
        skipped += found.skipped
        council = council or found.council
    cookies: dict[str, str] = {}
    session_keys: list[str] = []
    for target in targets:
        if target.user and target.user not in cookies:
            cookies[target.user], key = _session_cookie(target.user)
            session_keys.append(key)
    return {
        "targets": [vars(target) for target in targets],
        "cookies": cookies,
        "session_keys": session_keys,
        "skipped": skipped,
        "council": council,
        "facts": database_facts(),
        "headroom": connection_headroom(),
    }


def _in_subprocess(database_url: str, *arguments: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--database-url", database_url, *arguments],
        capture_output=True,
        text=True,
        timeout=600,
    )
    line = next((row for row in reversed(done.stdout.splitlines()) if row.startswith("{")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(
            f"{' '.join(arguments[:1])} in {database_url.rsplit('/', 1)[-1]} failed:\n{done.stderr[-3000:]}"
        )
    return dict(json.loads(line))


# Measuring --------------------------------------------------------------------------------------


@dataclass
class Side:
    """One database under test, its pages and its server."""

    database_url: str
    plan: dict[str, Any] = field(default_factory=dict)
    server: Server | None = None
    trivial: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)


def _describe_command(command: list[str], url: str) -> str:
    shown = []
    for part in command:
        if part.startswith("Cookie: "):
            part = "Cookie: sessionid=<session of the persona>"
        shown.append(part.replace(url, "http://127.0.0.1:<port>").replace(str(ROOT) + "/", ""))
    return " ".join(f"'{part}'" if " " in part else part for part in shown)


def _measure(
    server: Server, path: str, headers: dict[str, str], options: argparse.Namespace
) -> tuple[dict[str, Any], str]:
    url = server.url + path
    warm(url, headers, times=2 * options.workers, server=server)
    found, command = run_wrk(
        url,
        script="wrk_report.lua",
        threads=options.threads,
        connections=options.connections,
        seconds=options.duration,
        headers=headers,
    )
    return found, _describe_command(command, server.url)


def _loud(label: str, found: dict[str, Any], server: Server) -> None:
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(found["statuses"].items()))
    print(
        f"\n*** {label}: {found['non2xx']} answers were not 2xx ({statuses or 'none'}), "
        f"{found['socket_errors']} socket errors, {found['timeouts']} timeouts.\n*** granian's log ends:\n"
        f"{server.log_tail(1500)}",
        file=sys.stderr,
        flush=True,
    )


def _ask(side: Side, target: dict[str, Any] | None, options: argparse.Namespace, log: dict[str, Any]) -> None:
    """One page (None: the trivial view) on one side, measured and printed."""
    assert side.server is not None
    headers = {} if options.no_gzip else {"Accept-Encoding": "gzip"}
    if target is None:
        found, command = _measure(side.server, TRIVIAL, headers, options)
        side.trivial.append(found)
        label, group = f"trivial view {TRIVIAL}", "trivial"
        if not log["commands"]:
            log["commands"].append(command)
    else:
        if target["user"]:
            headers["Cookie"] = side.plan["cookies"][target["user"]]
        found, command = _measure(side.server, target["path"], headers, options)
        if target["user"] and len(log["commands"]) < 2:
            log["commands"].append(command)
        side.results.append({**target, **found})
        label, group = target["label"], target["group"]
    bad = found["non2xx"] or found["socket_errors"] or found["timeouts"] or not found["requests"]
    where = f"[{side.plan['facts']['database']}] " if options.against else ""
    print(
        f"{where}{group:8s} {label:42s} p50 {found['p50']:8.1f} ms  p95 {found['p95']:8.1f} ms  "
        f"{found['rps']:8.1f}/s{'  *** NOT 2xx' if bad else ''}",
        flush=True,
    )
    if not found["requests"]:
        print(f"\n*** {label}: no request finished within {options.duration} s: raise --duration", file=sys.stderr)
        log["invalid"].append(f"{where}{label} (no request finished)")
    elif bad:
        _loud(label, found, side.server)
        log["invalid"].append(f"{where}{label}")


def median_rounds(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per page: of its rounds, the one with the median p50 (the lower middle of an even
    number), with every round's p50 kept in `rounds_p50`; pages stay in the order first asked. Not
    the fastest round: on this machine a round now and then comes out a third faster than all the
    others, on either database, and the fastest would make that luck the figure."""
    by_label: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_label.setdefault(row["label"], []).append(row)
    merged = []
    for label_rows in by_label.values():
        ranked = sorted(label_rows, key=lambda row: row["p50"])
        chosen = dict(ranked[(len(ranked) - 1) // 2])
        chosen["rounds_p50"] = [row["p50"] for row in label_rows]
        # A round with errors makes the page invalid whichever round is kept.
        for key in ("non2xx", "socket_errors", "timeouts"):
            chosen[key] = max(row[key] for row in label_rows)
        merged.append(chosen)
    return merged


def run(options: argparse.Namespace) -> list[dict[str, Any]]:
    """Measures every page (on both databases with --against, page by page in turn); one report each."""
    groups = {"all": ["public", "api", "staff", "supports"]}.get(options.only, [options.only])
    asked = [group for group in groups if group != "supports"] or ["none"]
    council = ["--council", options.council] if options.council else []
    sides = [Side(options.database_url)]
    if options.against:
        sides.append(Side(options.against))
    for side in sides:
        side.plan = _in_subprocess(side.database_url, "--plan", ",".join(asked), *council)
    supports_prepared = None
    if "supports" in groups:
        setup_django(options.database_url)
        supports_prepared = supports_load.prepare(options.council, seconds=options.duration, pairs=options.pairs)
        close_django_connections()
    clients = max(options.connections, options.clients if "supports" in groups else 0)
    needed = server_connections(options.workers, options.blocking_threads, clients) * len(sides)
    for side in sides:
        if side.plan["headroom"] < needed + 5:
            raise BenchError(
                f"the PostgreSQL server has {side.plan['headroom']} free connections and this run may open "
                f"{needed}: lower --connections or --blocking-threads, or wait for others to finish"
            )
    log: dict[str, Any] = {"commands": [], "invalid": []}
    supports_result: dict[str, Any] | None = None
    try:
        for side in sides:
            side.server = Server(side.database_url, workers=options.workers, blocking_threads=options.blocking_threads)
        order: list[dict[str, Any] | None] = [None, *sides[0].plan["targets"], None]  # the trivial view first and last
        turn = 0
        for target in order:
            # Every page on each database in turn, the order swapped at every turn, so a change in the
            # machine's load falls on both sides alike; `--rounds` repeats the pair and keeps the median.
            for _round in range(options.rounds if target is not None else 1):
                for side in sides if turn % 2 == 0 else list(reversed(sides)):
                    mine = target
                    if target is not None and side is not sides[0]:
                        mine = next((t for t in side.plan["targets"] if t["label"] == target["label"]), None)
                        if mine is None:
                            continue
                    _ask(side, mine, options, log)
                turn += 1
        for side in sides:
            side.results = median_rounds(side.results)
        if supports_prepared is not None:
            assert sides[0].server is not None
            supports_result = supports_load.measure(
                sides[0].server,
                supports_prepared,
                clients=options.clients,
                threads=options.threads,
                seconds=options.duration,
            )
            if not supports_result["valid"]:
                log["invalid"].append(
                    "supports: answers that were not 2xx, or counts in the database that do not match"
                )
    finally:
        for side in sides:
            if side.server is not None:
                side.server.stop()
            if side.plan.get("session_keys"):
                try:
                    _in_subprocess(side.database_url, "--delete-sessions", ",".join(side.plan["session_keys"]))
                except BenchError as error:  # never hide what stopped the run
                    print(f"the benchmark's sessions were not deleted: {error}", file=sys.stderr)
        if supports_prepared is not None:
            shutil.rmtree(supports_prepared.folder, ignore_errors=True)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    described, command = machine(), shown_command("http_load.py")
    reports = [_report(side, options, groups, when=when, machine=described, command=command, log=log) for side in sides]
    if supports_result is not None:
        supports_result.update(
            {"when": when, "machine": described, "facts": sides[0].plan["facts"], "command": command}
        )
        reports[0]["supports"] = supports_result
    return reports


def _report(
    side: Side,
    options: argparse.Namespace,
    groups: list[str],
    *,
    when: str,
    machine: str,
    command: str,
    log: dict[str, Any],
) -> dict[str, Any]:
    assert side.server is not None
    trivial = side.trivial
    trivial_rps = sum(run["rps"] for run in trivial) / len(trivial)
    trivial_p50 = sum(run["p50"] for run in trivial) / len(trivial)
    for row in side.results:
        row["share"] = row["rps"] / trivial_rps if trivial_rps else 0.0
        row["relative_p50"] = row["p50"] / trivial_p50 if trivial_p50 else 0.0
        row["valid"] = bool(row["requests"]) and not (row["non2xx"] or row["socket_errors"] or row["timeouts"])
        if row["group"] in ("public", "api"):
            row["met"] = row["valid"] and row["p95"] <= PUBLIC_P95_MS and row["share"] >= PUBLIC_SHARE
        else:
            row["met"] = row["valid"]
    server_command = " ".join(side.server.command).replace(str(side.server.port), "<port>")
    return {
        "when": when,
        "machine": machine,
        "facts": side.plan["facts"],
        "council": side.plan["council"],
        "groups": groups,
        "workers": options.workers,
        "blocking_threads": options.blocking_threads,
        "threads": options.threads,
        "connections": options.connections,
        "duration": options.duration,
        "rounds": options.rounds,
        "gzip": not options.no_gzip,
        "server_command": server_command.replace(str(ROOT) + "/", ""),
        "wrk_commands": log["commands"],
        "command": command,
        "trivial": {
            "rps": trivial_rps,
            "p50": trivial_p50,
            "p95": sum(run["p95"] for run in trivial) / len(trivial),
            "runs": trivial,
        },
        "results": side.results,
        "skipped": side.plan["skipped"],
        "supports": None,
        "invalid": log["invalid"],
    }


# Reporting --------------------------------------------------------------------------------------


def _yes(value: bool) -> str:
    return "yes" if value else "**no**"


def _header(report: dict[str, Any]) -> str:
    facts = report["facts"]
    trivial = report["trivial"]
    runs = " and ".join(f"{run['rps']:,.0f}" for run in trivial["runs"])
    lines = [
        f"- Date: {report['when']}",
        f"- Machine: {report['machine']} (shared with other work: absolute figures are noisy, the shares less so)",
        f"- Database: `{facts['database']}` (PostgreSQL {facts['postgresql']}): {facts['councils']:,} councils, "
        f"{facts['proposals']:,} proposals, {facts['supports']:,} supports, {facts['sittings']:,} sittings, "
        f"{facts['recommendations']:,} recommendations; pages of the council of okrug {report['council']}",
        f"- Server: `{report['server_command']}` (DEBUG off)",
        f"- Load: wrk, {report['threads']} threads, {report['connections']} connections, {report['duration']} s per "
        f"page after {2 * report['workers']} warm-up requests"
        + (", `Accept-Encoding: gzip`" if report["gzip"] else ""),
        f"- Trivial view `{TRIVIAL}`: {trivial['rps']:,.0f} requests/s (mean of the first and last run: {runs}), "
        f"p50 {trivial['p50']:.1f} ms, p95 {trivial['p95']:.1f} ms",
        "",
        "Commands:",
        "",
        f"    {report['command']}",
        *[f"    {command}" for command in report["wrk_commands"][:2]],
    ]
    if report["skipped"]:
        lines += ["", "Not measured: " + "; ".join(report["skipped"]) + "."]
    return "\n".join(lines)


def public_table(report: dict[str, Any], group: str) -> str:
    rows = [row for row in report["results"] if row["group"] == group]
    met = sum(row["met"] for row in rows)
    lines = [
        f"{met} of {len(rows)} {'pages' if group == 'public' else 'API reads'} meet both targets "
        f"(p95 ≤ {PUBLIC_P95_MS:.0f} ms, ≥ {PUBLIC_SHARE:.0%} of the trivial view's requests/s).",
        "",
        "| page | path | p50 ms | p95 ms | requests/s | share of trivial | non-2xx | p95 met | share met |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | `{row['path']}` | {row['p50']:.1f} | {row['p95']:.1f} | {row['rps']:,.0f} "
            f"| {row['share'] * 100:.1f} % | {row['non2xx']} | {_yes(row['p95'] <= PUBLIC_P95_MS)} "
            f"| {_yes(row['share'] >= PUBLIC_SHARE)} |"
        )
    return "\n".join(lines)


def staff_table(report: dict[str, Any]) -> str:
    lines = [
        "Time per request at this scale; the target is a ratio between two data sets (`--against` or `--compare`).",
        "",
        "| page | path | as | p50 ms | p95 ms | requests/s | p50 / trivial p50 | non-2xx |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in report["results"]:
        if row["group"] == "staff":
            lines.append(
                f"| {row['label']} | `{row['path']}` | {row['persona']} | {row['p50']:.1f} | {row['p95']:.1f} "
                f"| {row['rps']:,.1f} | {row['relative_p50']:.1f} | {row['non2xx']} |"
            )
    return "\n".join(lines)


INTROS = {
    "public": "Public pages under load (issue 10): wrk against granian on 127.0.0.1, each page measured in the same "
    "run as the trivial view `/-/ping` (no database, no template), so read the shares rather than the absolute "
    "figures. Targets: p95 ≤ 50 ms and ≥ 50 % of the trivial view's requests/s at 32 connections. "
    "Produced by `bench/http_load.py --only public` (see `bench/README.md`).",
    "api": "The API twins of the public pages (`/api/v1/`), measured like them. Produced by "
    "`bench/http_load.py --only api`.",
    "staff": "Coordinator and administrator pages, asked with sessions made directly in the database. Produced by "
    "`bench/http_load.py --only staff`.",
}


def sections(report: dict[str, Any]) -> dict[str, str]:
    """The performance.md sections this run rewrites (one per group it measured)."""
    written: dict[str, str] = {}
    for group in report["groups"]:
        if group == "supports":
            if report["supports"] is not None:
                written[SECTIONS[group]] = supports_load.section_text(report["supports"], SECTIONS[group])
            continue
        table = staff_table(report) if group == "staff" else public_table(report, group)
        written[SECTIONS[group]] = f"{SECTIONS[group]}\n\n{INTROS[group]}\n\n{_header(report)}\n\n{table}\n"
    return written


def _saved(path: str) -> dict[str, Any]:
    """A run saved by --save; also the shape of this script's first version (counts, kind)."""
    report: dict[str, Any] = json.loads(Path(path).read_text())
    if "facts" not in report:
        report["facts"] = {"database": report.get("database", "?"), **report.get("counts", {})}
    for row in report["results"]:
        row.setdefault("group", row.get("kind", "staff"))
    return report


def compare(first: dict[str, Any], second: dict[str, Any], *, same_run: bool = False) -> tuple[str, bool]:
    """Each staff page's p50 in the second run against the first; the target is judged on that ratio."""
    before = {row["label"]: row for row in first["results"] if row["group"] == "staff"}
    facts_a, facts_b = first["facts"], second["facts"]
    trivial_a, trivial_b = first["trivial"]["p50"], second["trivial"]["p50"]
    how = (
        "measured in one run, page by page on each database in turn (two granian servers, the order swapped "
        "from page to page), so a change in the machine's load falls on both alike"
        if same_run
        else "measured in two runs"
    )
    count = first.get("rounds", 1)
    rounds = f", {count} rounds each (the median round is shown)" if count > 1 else ""
    lines = [
        f"Staff pages at `{facts_a['database']}` ({facts_a['councils']:,} councils, {facts_a['proposals']:,} "
        f"proposals) and at `{facts_b['database']}` ({facts_b['councils']:,} councils, {facts_b['proposals']:,} "
        f"proposals), {how}; {first['connections']} connections, {first['duration']} s per page{rounds}. "
        f"Target: the p50 at the second within {STAFF_RATIO} × the first. The trivial view's p50 was "
        f"{trivial_a:.1f} ms and {trivial_b:.1f} ms; the last column divides each page by it (a check on the "
        "machine's load, not the target).",
    ]
    if not same_run and max(trivial_a, trivial_b) > 1.25 * min(trivial_a, trivial_b):
        lines.append(
            "\n**The trivial view's time changed by more than 25 % between the runs: the machine's load changed, "
            "so these ratios are unreliable; measure both databases in one run with `--against`.**"
        )
    lines += [
        "",
        "| page | p50 ms, first | p50 ms, second | ratio | target met | ratio relative to trivial |",
        "|---|---:|---:|---:|---|---:|",
    ]
    ok = True
    for row in second["results"]:
        earlier = before.get(row["label"])
        if row["group"] != "staff" or earlier is None:
            continue
        measured = row["p50"] / earlier["p50"] if earlier["p50"] else float("inf")
        relative = (row["p50"] / trivial_b) / (earlier["p50"] / trivial_a) if earlier["p50"] else float("inf")
        ok = ok and measured <= STAFF_RATIO
        lines.append(
            f"| {row['label']} | {earlier['p50']:.1f} | {row['p50']:.1f} | {measured:.2f} "
            f"| {_yes(measured <= STAFF_RATIO)} | {relative:.2f} |"
        )
    if first.get("command") and same_run:
        lines += ["", "Command:", "", f"    {first['command']}"]
    return "\n".join(lines), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--only", choices=["public", "api", "staff", "supports", "all"], default="public")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="granian workers")
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=default_blocking_threads(),
        help="granian threads per worker (default: $WEB_THREADS or 4, as scripts/serve.sh; 0: granian's default)",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure each page this many times (sides alternating); keep the median"
    )
    parser.add_argument("--council", default="", help="KATO code of the okrug whose pages to ask")
    parser.add_argument("--no-gzip", action="store_true", help="do not send Accept-Encoding: gzip")
    parser.add_argument("--clients", type=int, default=64, help="--only supports/all: concurrent clients")
    parser.add_argument("--pairs", type=int, default=0, help="--only supports/all: (proposal, resident) pairs")
    parser.add_argument("--save", default="", help="write the results as JSON (e.g. var/bench/staff-150.json)")
    parser.add_argument("--write", action="store_true", help="rewrite this run's sections of docs/performance.md")
    parser.add_argument("--compare", nargs=2, metavar=("FIRST", "SECOND"), help="compare two saved staff runs")
    parser.add_argument(
        "--against", default="", metavar="DATABASE_URL", help="--only staff: a second database, measured in turn"
    )
    parser.add_argument("--plan", default="", help=argparse.SUPPRESS)  # the page-choosing subprocess
    parser.add_argument("--delete-sessions", default="", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.compare:
        first, second = (_saved(path) for path in options.compare)
        text, ok = compare(first, second)
        print(text)
        if options.write:
            performance_doc.write_section(COMPARE_SECTION, f"{COMPARE_SECTION}\n\n{text}\n")
        return 0 if ok else 1
    if not options.database_url:
        parser.error("give --database-url (or DATABASE_URL): a PostgreSQL database with data")
    if options.against and options.only != "staff":
        parser.error("--against compares staff pages: use it with --only staff")
    try:
        if options.plan:
            print(json.dumps(plan(options)))
            return 0
        if options.delete_sessions:
            setup_django(options.database_url)
            _delete_sessions(options.delete_sessions.split(","))
            print("{}")
            return 0
        require_wrk()
        reports = run(options)
        if reports[0]["invalid"]:
            raise BenchError("answers that were not 2xx (or wrong counts) in: " + "; ".join(reports[0]["invalid"]))
    except BenchError as error:
        return fail(error)
    if options.against:
        text, met = compare(reports[0], reports[1], same_run=True)
        written = {COMPARE_SECTION: f"{COMPARE_SECTION}\n\n{text}\n"}
    else:
        written = sections(reports[0])
        met = all(row["met"] for row in reports[0]["results"])
        if reports[0]["supports"] is not None:
            met = met and reports[0]["supports"]["met"]
    for text in written.values():
        print("\n" + text)
    if options.save:
        Path(options.save).parent.mkdir(parents=True, exist_ok=True)
        saved = reports[0] if len(reports) == 1 else {"first": reports[0], "second": reports[1]}
        Path(options.save).write_text(json.dumps(saved, indent=1))
        print(f"saved {options.save}")
    if options.write:
        for section, text in written.items():
            performance_doc.write_section(section, text)
        print(f"wrote {', '.join(written)} into docs/performance.md")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
