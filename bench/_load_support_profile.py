"""`bench/supports_load.py --profile N`: where one support request spends its time.

The prepared (proposal, token) pairs are posted one after another through Django's test client in
this process (the whole middleware stack and the API, no granian, no concurrency, DEBUG off), each
written in the request's own thread (`KENES_GROUPED_WRITES` off: a group of one, as the writer thread
writes it when only one support is waiting, decision 0013). For each request it records every SQL
statement with its start and end, and the commit, so it can say how long the request holds an audit
chain's head row locked; then, when pyinstrument is installed, it profiles a second batch.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WARM_UP = 10
SHAPE_NUMBERS = re.compile(r"\b\d+\b|'[^']*'|\"s\d+_x\d+\"")


@dataclass
class Timeline:
    """Statements of one request: (start, end, sql), times from time.perf_counter()."""

    statements: list[tuple[float, float, str]] = field(default_factory=list)

    def record(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((started, time.perf_counter(), sql))


def _shape(sql: str) -> str:
    """The statement without its values, shortened; joins and locking named, so two reads of one table differ."""
    text = SHAPE_NUMBERS.sub("?", " ".join(sql.split()))
    joins = text.count(" JOIN ")
    extra = [f"{joins} join{'s' if joins > 1 else ''}"] if joins else []
    extra += ["subquery"] if text.count("SELECT") > 1 else []
    extra += ["FOR UPDATE"] if "FOR UPDATE" in text else []
    return text[:110] + (f" … [{', '.join(extra)}]" if extra else "")


def _pairs(path: str, count: int) -> list[tuple[int, str]]:
    found = []
    with open(path) as lines:
        for line in lines:
            proposal, token = line.split()
            found.append((int(proposal), token))
            if len(found) == count:
                break
    return found


def profile(prepared: Any, *, count: int) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.KENES_GROUPED_WRITES = False  # the statements run in this thread, where they are recorded

    pairs = _pairs(prepared.pairs_file, count + WARM_UP)
    client = Client(HTTP_HOST="127.0.0.1")

    def post(proposal: int, token: str) -> int:
        answer = client.post(
            f"/api/v1/proposals/{proposal}/support",
            data=b"{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        return int(answer.status_code)

    for proposal, token in pairs[:WARM_UP]:
        assert post(proposal, token) == 200
    measured = pairs[WARM_UP:]
    half = len(measured) // 2 if _pyinstrument() is not None else len(measured)
    totals: list[float] = []
    sql_times: list[float] = []
    commit_times: list[float] = []
    locked: list[float] = []
    counts: list[int] = []
    shapes: dict[str, list[float]] = {}
    database: Any = connection  # Django's private _commit, wrapped to time the commit
    original_commit = database._commit

    for proposal, token in measured[:half]:
        timeline = Timeline()
        commits: list[tuple[float, float]] = []

        def timed_commit(commits: list[tuple[float, float]] = commits) -> Any:
            started = time.perf_counter()
            try:
                return original_commit()
            finally:
                commits.append((started, time.perf_counter()))

        database._commit = timed_commit
        try:
            started = time.perf_counter()
            with connection.execute_wrapper(timeline.record):
                status = post(proposal, token)
            ended = time.perf_counter()
        finally:
            database._commit = original_commit
        if status != 200:
            raise SystemExit(f"a support answered {status}: the profile is worth nothing")
        totals.append(ended - started)
        sql_times.append(sum(end - start for start, end, _sql in timeline.statements))
        commit_times.append(sum(end - start for start, end in commits))
        counts.append(len(timeline.statements))
        head = next((start for start, _end, sql in timeline.statements if "core_auditchainhead" in sql), None)
        if head is not None and commits:
            locked.append(commits[-1][1] - head)
        for start, end, sql in timeline.statements:
            shapes.setdefault(_shape(sql), []).append(end - start)

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.2f} ms" if values else "-"

    requests = len(totals)
    print(f"\nOne support through the whole stack, {requests} requests one after another (median per request):")
    print(
        f"  total {ms(totals)}; SQL {ms(sql_times)} in {statistics.median(counts):.0f} statements; "
        f"commit {ms(commit_times)}"
    )
    python = [total - sql - commit for total, sql, commit in zip(totals, sql_times, commit_times, strict=True)]
    print(f"  Python (Django, ninja, Kenes; everything but the database): {ms(python)}")
    print(
        f"  the audit chain's head row is locked from its SELECT ... FOR UPDATE to the end of the commit: {ms(locked)}"
        f" -> at most {1 / statistics.median(locked):,.0f} groups of supports a second on each of the 16 chains "
        "(under load a group holds many supports: decision 0013)"
        if locked
        else "  (no audit chain statement seen)"
    )
    print("\n  statements per request (count per request, median time):")
    for shape, times in sorted(shapes.items(), key=lambda item: -sum(item[1])):
        print(f"   {len(times) / requests:4.1f} x {statistics.median(times) * 1000:6.3f} ms  {shape}")
    profiler_class = _pyinstrument()
    if profiler_class is None:
        print("\n(pyinstrument is not installed: .venv/bin/pip install pyinstrument for the call profile)")
        return
    profiler = profiler_class(interval=0.0005)
    profiler.start()
    for proposal, token in measured[half:]:
        post(proposal, token)
    profiler.stop()
    print(f"\npyinstrument, {len(measured) - half} supports:")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def _pyinstrument() -> Any:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    return Profiler
