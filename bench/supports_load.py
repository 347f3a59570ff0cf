"""Benchmark (issue 10): supports written concurrently through the real HTTP API, counted exactly.

    .venv/bin/python bench/supports_load.py [--database-url postgres://postgres@127.0.0.1:5432/DB] \\
        [--clients 64] [--threads 2] [--duration 10] [--workers 2] [--blocking-threads 4] \\
        [--council KATO] [--proposals 128] [--pairs N] [--save var/bench/NAME.json] [--write]
    .venv/bin/python bench/supports_load.py --profile 200 [--database-url ...]   # where one support spends its time

It WRITES into the database it is given (residents, API tokens, proposals, supports, audit rows):
point it at a scratch or benchmark database, never at one whose data matters.

Preparation (in this process, Django on the same database): in the council of `--council` (else the
one with the most public proposals) it makes `--proposals` proposals collecting support (kept and
reused by later runs) and enough new verified residents of the okrug, each with an API token, for
`--pairs` (proposal, resident) pairs that have never supported (default: 4,000 a second of
`--duration`, twice the target, so the pairs do not run out). All of it is `is_demo` and named
synthetic. The pairs go to a private temporary file, ordered so that concurrent requests support
different proposals.

Load: granian serves Kenes as in bench/http_load.py; wrk with bench/wrk_supports.lua opens
`--clients` connections and posts `POST /api/v1/proposals/{id}/support` with `Authorization: Bearer
<token>`, each pair once, for `--duration` seconds; then it asks only the trivial view until every
support sent has been answered. Meanwhile PostgreSQL's pg_stat_activity is sampled every 100 ms
(what the server's connections are doing and waiting for).

Checks, exactly, in the database (once no new support has appeared for 3 s): the Support rows of
the benchmark's proposals grew by the number of 2xx answers; every proposal's support_count equals
its Support rows (all proposals of the database, not just these); one "proposal.supported" audit row
per new Support row. A support whose answer wrk never read (still queued in granian when wrk's time
was up: reported as unanswered) may or may not have been written, so then the rows must lie between
the 2xx and the 2xx plus those. Any mismatch or any answer that is not 2xx fails the run loudly (exit
status 2). Target (issue 10): >= 2,000 supports a second.

`--profile N` instead posts N supports one after another through Django's test client in this
process (no granian, no concurrency) and prints where a support spends its time: the SQL
statements, the time the audit chain's head row stays locked, and a pyinstrument profile when
pyinstrument is installed (`.venv/bin/pip install pyinstrument`; not a project requirement).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import performance_doc
from _load_common import (
    ROOT,
    BenchError,
    Server,
    busiest_council,
    check_headroom,
    close_django_connections,
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

SECTION = "## HTTP load (issue 10): supports"
TARGET_PER_SECOND = 2000
PAIRS_PER_SECOND = 2 * TARGET_PER_SECOND
PROPOSALS = 128
DRAIN_SECONDS = 30  # after the supports: wrk waits for the answers still on their way
TITLE_PREFIX = "Жүктеме сынағы: қолдау №"
SAMPLE_EVERY = 0.1
TRIVIAL_SECONDS = 5


@dataclass
class Prepared:
    council: str
    proposals: list[int]
    residents: list[int]
    pairs: int
    folder: str
    pairs_file: str
    tag: str
    seconds_to_prepare: float
    notes: list[str] = field(default_factory=list)


def _bench_proposals(council: Any, count: int, author_id: int, settlements: list[Any]) -> list[int]:
    """`count` proposals of the council collecting support: the earlier runs' ones, plus new ones."""
    from django.utils import timezone

    from kenes.proposals.lifecycle import SUPPORTABLE_STATUSES
    from kenes.proposals.models import Area, Proposal, Status, TimelineEvent
    from kenes.proposals.search import fold

    kept = list(
        Proposal.objects.filter(
            council=council, is_demo=True, title__startswith=TITLE_PREFIX, status__in=SUPPORTABLE_STATUSES
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    now = timezone.now()
    areas = list(Area.values)
    made = []
    for index in range(len(kept), count):
        title = f"{TITLE_PREFIX}{index + 1} (синтетика)"
        body = "Жүктеме сынағына арналған синтетикалық ұсыныс. / A synthetic proposal for the support load test."
        made.append(
            Proposal(
                council=council,
                okrug=council.okrug,
                settlement=settlements[index % len(settlements)],
                author_id=author_id,
                title=title,
                body=body,
                language="kk",
                area=areas[index % len(areas)],
                status=Status.COLLECTING,
                search_text=fold(f"{title} {body}"),
                submitted_at=now,
                screening_due_on=now.date() + datetime.timedelta(days=10),
                screened_at=now,
                is_demo=True,
            )
        )
    created = Proposal.objects.bulk_create(made)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(proposal=proposal, kind=kind)
        for proposal in created
        for kind in (TimelineEvent.Kind.SUBMITTED, TimelineEvent.Kind.ACCEPTED)
    )
    return kept + [proposal.pk for proposal in created]


def prepare(kato: str, *, seconds: float, pairs: int = 0, proposals: int = PROPOSALS) -> Prepared:
    """Residents with tokens and proposals open for their support; the pairs file (private, temporary)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from kenes.accounts.models import ApiToken, ResidentProfile, Role, RoleAssignment, User
    from kenes.territory.models import Settlement

    started = time.monotonic()
    council = busiest_council(kato)
    settlements = list(Settlement.objects.filter(okrug=council.okrug, retired_at__isnull=True).order_by("kato"))
    if not settlements:
        raise BenchError(f"the okrug {council.okrug.kato} has no settlement for residents to live in")
    wanted = pairs or int(seconds * PAIRS_PER_SECOND)
    count = math.ceil(wanted / proposals)
    tag = f"{datetime.datetime.now(UTC):%Y%m%d%H%M%S}-{os.getpid()}"
    now = timezone.now()
    unusable = make_password(None)  # nobody signs in with a password: the API token is the way in
    role = Role.objects.get(code=Role.RESIDENT)
    folder = tempfile.mkdtemp(prefix="kenes-bench-supports-")
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                username=f"bench-support-{tag}-{index:05d}",
                password=unusable,
                full_name=f"Тұрғын {index} (синтетика)",
                is_demo=True,
                date_joined=now,
            )
            for index in range(count + 1)  # the last one is the author of the proposals
        )
        ResidentProfile.objects.bulk_create(
            ResidentProfile(
                user=user,
                iin_digest=hashlib.sha256(f"bench-support|{tag}|{index}".encode()).hexdigest(),
                iin_masked="9001********",
                birth_date=datetime.date(1990, 1, 1),
                settlement=settlements[index % len(settlements)],
                verified_at=now,
            )
            for index, user in enumerate(users)
        )
        RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role, okrug=council.okrug) for user in users)
        residents, author = users[:-1], users[-1]
        tokens = {user.pk: secrets.token_urlsafe(32) for user in residents}
        ApiToken.objects.bulk_create(
            ApiToken(user=user, name="support load test", key_digest=ApiToken.digest_of(secret), prefix=secret[:8])
            for user in residents
            for secret in [tokens[user.pk]]
        )
        chosen = _bench_proposals(council, proposals, author.pk, settlements)
    pairs_file = Path(folder) / "pairs.txt"
    with pairs_file.open("w") as out:
        os.chmod(pairs_file, 0o600)
        # Line j: proposal j mod P, resident j div P, so requests in flight together support different proposals.
        for line in range(count * len(chosen)):
            resident = residents[line // len(chosen)]
            out.write(f"{chosen[line % len(chosen)]} {tokens[resident.pk]}\n")
    return Prepared(
        council=council.okrug.kato,
        proposals=chosen,
        residents=[user.pk for user in residents],
        pairs=count * len(chosen),
        folder=folder,
        pairs_file=str(pairs_file),
        tag=tag,
        seconds_to_prepare=time.monotonic() - started,
    )


class WaitSampler(threading.Thread):
    """Samples what the database's other connections are doing, every SAMPLE_EVERY seconds."""

    QUERY = """
        SELECT state, coalesce(wait_event_type, '-'), coalesce(wait_event, '-'),
               CASE WHEN query ILIKE '%%core_auditchainhead%%' THEN 'audit chain head'
                    WHEN query ILIKE '%%proposals_proposal%%FOR UPDATE%%' THEN 'proposal row lock'
                    WHEN query ILIKE 'COMMIT%%' THEN 'commit'
                    ELSE '' END,
               count(*)
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
          AND state <> 'idle'
        GROUP BY 1, 2, 3, 4
    """

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.database_url = database_url
        self.samples: list[tuple[float, dict[str, int]]] = []  # (time.monotonic(), connections per state)
        self.finish = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as connection:
            while not self.finish.is_set():
                rows = connection.execute(self.QUERY).fetchall()
                seen: dict[str, int] = {}
                for state, wait_type, wait, what, count in rows:
                    key = f"{state} · {wait_type}:{wait}" + (f" · {what}" if what else "")
                    seen[key] = seen.get(key, 0) + count
                self.samples.append((time.monotonic(), seen))
                self.finish.wait(SAMPLE_EVERY)

    def stop(self, start: float, end: float) -> dict[str, float]:
        """Mean number of connections in each state over the samples between start and end (while the
        supports were being written, not the drain after), busiest first."""
        self.finish.set()
        self.join(timeout=10)
        chosen = [seen for at, seen in self.samples if start <= at <= end]
        totals: dict[str, float] = {}
        for seen in chosen:
            for key, count in seen.items():
                totals[key] = totals.get(key, 0) + count
        means = {key: total / len(chosen) for key, total in totals.items()} if chosen else {}
        return dict(sorted(means.items(), key=lambda item: -item[1]))


def _wait_until_quiet(prepared: Prepared, *, steady: float = 3.0, limit: float = 60.0) -> None:
    """Until the benchmark's proposals have had no new support for `steady` seconds (the server may
    still be writing supports whose answers wrk stopped waiting for)."""
    from kenes.proposals.models import Support

    rows, since, started = -1, time.monotonic(), time.monotonic()
    while time.monotonic() - started < limit:
        now = Support.objects.filter(proposal_id__in=prepared.proposals).count()
        if now != rows:
            rows, since = now, time.monotonic()
        elif time.monotonic() - since >= steady:
            return
        time.sleep(0.5)


def _verify(prepared: Prepared, before: dict[str, int]) -> dict[str, int]:
    from django.db.models import Count, F, Q

    from kenes.core.models import AuditEntry
    from kenes.proposals.models import Proposal, Support

    mine = Support.objects.filter(proposal_id__in=prepared.proposals)
    return {
        "support_rows_added": mine.count() - before["support_rows"],
        "supports_by_benchmark_residents": Support.objects.filter(resident_id__in=prepared.residents).count(),
        "supports_of_others_on_these_proposals": mine.exclude(resident_id__in=prepared.residents).count()
        - before["supports_of_others"],
        "proposals_whose_count_is_wrong": Proposal.objects.annotate(rows=Count("supports"))
        .exclude(support_count=F("rows"))
        .count(),
        "audit_rows_added": AuditEntry.objects.filter(Q(action="proposal.supported")).count()
        - before["audit_supported"],
    }


def _counts_before(prepared: Prepared) -> dict[str, int]:
    from kenes.core.models import AuditEntry
    from kenes.proposals.models import Support

    mine = Support.objects.filter(proposal_id__in=prepared.proposals)
    return {
        "support_rows": mine.count(),
        "supports_of_others": mine.exclude(resident_id__in=prepared.residents).count(),
        "audit_supported": AuditEntry.objects.filter(action="proposal.supported").count(),
    }


def _trivial(server: Server, *, clients: int, threads: int) -> dict[str, Any]:
    """The trivial view at the same number of connections, before and after the supports."""
    found, _command = run_wrk(
        f"{server.url}/-/ping", script="wrk_report.lua", threads=threads, connections=clients, seconds=TRIVIAL_SECONDS
    )
    if found["non2xx"] or found["socket_errors"] or not found["requests"]:
        raise BenchError(f"the trivial view failed under load: {found}")
    print(f"trivial view /-/ping at {clients} connections: {found['rps']:,.0f} requests/s", flush=True)
    return found


def measure(server: Server, prepared: Prepared, *, clients: int, threads: int, seconds: int) -> dict[str, Any]:
    """The load itself, on a running server, and the exact checks afterwards."""
    threads = min(threads, clients)  # wrk wants at least one connection per thread
    before = _counts_before(prepared)
    close_django_connections()
    warm(f"{server.url}/api/v1/proposals/{prepared.proposals[0]}", {}, times=4, server=server)
    trivial = [_trivial(server, clients=clients, threads=threads)]
    sampler = WaitSampler(os.environ["DATABASE_URL"])
    sampler.start()
    started = time.monotonic()
    found: dict[str, Any] = {}
    try:
        found, command = run_wrk(
            server.url,
            script="wrk_supports.lua",
            threads=threads,
            connections=clients,
            seconds=seconds + DRAIN_SECONDS,
            script_args=[prepared.pairs_file, str(seconds), str(threads)],
        )
    finally:
        waits = sampler.stop(started, started + float(found.get("seconds", 0)))
    _wait_until_quiet(prepared)
    trivial.append(_trivial(server, clients=clients, threads=threads))
    trivial_rps = sum(run["rps"] for run in trivial) / len(trivial)
    checks = _verify(prepared, before)
    close_django_connections()
    unanswered = found["sent"] - found["answered"]
    added = checks["support_rows_added"]
    # Exact: every support sent was answered and each 2xx is one row, one audit row, one count. A support
    # whose answer wrk never read (still queued when wrk stopped) may or may not have been written:
    # then the rows must lie between the 2xx and the 2xx plus those, and the counters still match.
    consistent = (
        found["accepted"] <= added <= found["accepted"] + unanswered
        and checks["supports_by_benchmark_residents"] == added
        and checks["supports_of_others_on_these_proposals"] == 0
        and checks["proposals_whose_count_is_wrong"] == 0
        and checks["audit_rows_added"] == added
    )
    exact = consistent and unanswered == 0 and added == found["accepted"]
    rate = found["accepted"] / found["seconds"] if found["seconds"] else 0.0
    result = {
        **found,
        "per_second": rate,
        "trivial_rps": trivial_rps,
        "trivial_runs": [run["rps"] for run in trivial],
        "share_of_trivial": rate / trivial_rps if trivial_rps else 0.0,
        "mean_latency_ms": 1000 * clients * found["seconds"] / found["answered"] if found["answered"] else 0.0,
        "unanswered": unanswered,
        "checks": checks,
        "exact": exact,
        "consistent": consistent,
        # A wrk "timeout" is an answer slower than 10 s that still came (sent == answered counts it).
        "valid": consistent and not found["statuses"] and not found["socket_errors"],
        "met": rate >= TARGET_PER_SECOND,
        "waits": waits,
        "clients": clients,
        "threads": threads,
        "duration": seconds,
        "council": prepared.council,
        "proposals": len(prepared.proposals),
        "residents": len(prepared.residents),
        "pairs": prepared.pairs,
        "seconds_to_prepare": prepared.seconds_to_prepare,
        "server_command": " ".join(server.command).replace(str(server.port), "<port>").replace(str(ROOT) + "/", ""),
        "wrk_command": " ".join(command)
        .replace(server.url, "http://127.0.0.1:<port>")
        .replace(prepared.pairs_file, "<pairs file>")
        .replace(str(ROOT) + "/", ""),
    }
    print(
        f"supports: {found['accepted']:,} accepted of {found['sent']:,} sent in {found['seconds']:.2f} s = "
        f"{rate:,.0f}/s; other answers {found['statuses'] or 'none'}; checks {checks}; "
        f"{unanswered} unanswered; exact: {exact}, consistent: {consistent}",
        flush=True,
    )
    if not result["valid"]:
        print(
            f"\n*** supports: the run is not valid: answers {found['statuses']}, {found['socket_errors']} socket "
            f"errors, {found['timeouts']} timeouts, {unanswered} unanswered, checks {checks}.\n"
            "*** granian's log ends:\n"
            f"{server.log_tail(1500)}",
            file=sys.stderr,
            flush=True,
        )
    return result


def _exactness(result: dict[str, Any]) -> str:
    if result["exact"]:
        return "yes"
    if result["consistent"]:
        return f"yes, with {result['unanswered']} answers unread by wrk"
    return "**no**"


def section_text(result: dict[str, Any], section: str = SECTION) -> str:
    facts = result.get("facts", {})
    checks = result["checks"]
    waits = list(result["waits"].items())[:8]
    lines = [
        section,
        "",
        f"{result['clients']} clients support proposals through the API at once "
        "(`POST /api/v1/proposals/{id}/support`, `Authorization: Bearer`), each (proposal, resident) pair once; "
        "afterwards the database is checked exactly. "
        f"Target (issue 10): ≥ {TARGET_PER_SECOND:,} supports a second. Produced by `bench/supports_load.py` "
        "(see `bench/README.md`); it writes into the database it is given.",
        "",
        f"- Date: {result['when']}",
        f"- Machine: {result['machine']} (shared with other work)",
        *(
            [
                f"- Database: `{facts['database']}` (PostgreSQL {facts['postgresql']}): "
                f"{facts['councils']:,} councils, {facts['proposals']:,} proposals, "
                f"{facts['supports']:,} supports before the run"
            ]
            if facts
            else []
        ),
        f"- Server: `{result['server_command']}` (DEBUG off)",
        f"- Prepared in {result['seconds_to_prepare']:.1f} s: {result['residents']:,} new verified residents of okrug "
        f"{result['council']} with API tokens, {result['proposals']} proposals collecting support, "
        f"{result['pairs']:,} pairs",
        f"- Trivial view `/-/ping` at the same {result['clients']} connections, just before and just after: "
        f"{' and '.join(f'{rps:,.0f}' for rps in result['trivial_runs'])} requests/s (so the target is "
        f"{TARGET_PER_SECOND / result['trivial_rps'] * 100:.0f} % of what this server answers with no work at all)",
        "",
        "Commands:",
        "",
        f"    {result['command']}",
        f"    {result['wrk_command']}",
        "",
        "| supports sent | 2xx | other answers | seconds | supports/s | share of trivial | mean latency "
        "| target met | counts exact |",
        "|---:|---:|---|---:|---:|---:|---:|---|---|",
        f"| {result['sent']:,} | {result['accepted']:,} | "
        f"{', '.join(f'{k}: {v}' for k, v in result['statuses'].items()) or 'none'} | {result['seconds']:.2f} | "
        f"{result['per_second']:,.0f} | {result['share_of_trivial'] * 100:.1f} % | "
        f"{result['mean_latency_ms']:.0f} ms | "
        f"{'yes' if result['met'] else '**no**'} | {_exactness(result)} |",
        "",
        f"Checked in the database: {checks['support_rows_added']:,} Support rows added, "
        f"{checks['audit_rows_added']:,} `proposal.supported` audit rows added, "
        f"{checks['proposals_whose_count_is_wrong']} proposals (of all) whose support_count differs from their rows, "
        f"{result['unanswered']} supports sent and not answered, {result['timeouts']} answered after more than 10 s.",
        "",
        "What PostgreSQL's connections to this database were doing while the supports were written (mean number "
        "of connections, sampled every 100 ms from pg_stat_activity; idle ones left out):",
        "",
        "| state · wait event · statement | connections |",
        "|---|---:|",
        *[f"| {key} | {value:.1f} |" for key, value in waits],
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--clients", type=int, default=64, help="concurrent connections posting supports")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=10, help="seconds of supports")
    parser.add_argument("--workers", type=int, default=2, help="granian workers")
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=default_blocking_threads(),
        help="granian threads per worker (default: $WEB_THREADS or 4, as scripts/serve.sh; 0: granian's default)",
    )
    parser.add_argument("--council", default="", help="KATO code of the okrug (default: the busiest council's)")
    parser.add_argument("--proposals", type=int, default=PROPOSALS)
    parser.add_argument("--pairs", type=int, default=0, help="(proposal, resident) pairs to prepare")
    parser.add_argument("--profile", type=int, default=0, help="profile N supports in this process instead")
    parser.add_argument("--save", default="")
    parser.add_argument("--write", action="store_true", help=f"rewrite '{SECTION}' in docs/performance.md")
    options = parser.parse_args()
    if not options.database_url:
        parser.error("give --database-url (or DATABASE_URL): a PostgreSQL database it may write into")
    try:
        setup_django(options.database_url)
        if options.profile:
            import _load_support_profile

            prepared = prepare(options.council, seconds=0, pairs=options.profile, proposals=min(options.proposals, 16))
            try:
                _load_support_profile.profile(prepared, count=options.profile)
            finally:
                shutil.rmtree(prepared.folder, ignore_errors=True)
            return 0
        require_wrk()
        facts = database_facts()
        prepared = prepare(options.council, seconds=options.duration, pairs=options.pairs, proposals=options.proposals)
        check_headroom(server_connections(options.workers, options.blocking_threads, options.clients))
        close_django_connections()
        server = Server(options.database_url, workers=options.workers, blocking_threads=options.blocking_threads)
        try:
            result = measure(
                server, prepared, clients=options.clients, threads=options.threads, seconds=options.duration
            )
        finally:
            server.stop()
            shutil.rmtree(prepared.folder, ignore_errors=True)
        if not result["valid"]:
            raise BenchError("supports: answers that were not 2xx, or counts in the database that do not match")
    except BenchError as error:
        return fail(error)
    result.update(
        {
            "when": datetime.datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "facts": facts,
            "command": shown_command("supports_load.py"),
        }
    )
    text = section_text(result)
    print("\n" + text)
    if options.save:
        Path(options.save).parent.mkdir(parents=True, exist_ok=True)
        Path(options.save).write_text(json.dumps(result, indent=1))
    if options.write:
        performance_doc.write_section(SECTION, text)
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
