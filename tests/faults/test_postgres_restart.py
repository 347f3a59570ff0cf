"""PostgreSQL restarted in the middle of a support and vote load: while it is down every request fails
fast with the 503 "briefly unavailable" answer (the page, or the API's JSON), Kenes recovers by itself
when it is back (granian and its workers are not restarted), and no accepted support or vote is lost
or doubled.

A private PostgreSQL cluster (initdb into a temporary folder, its own port and socket folder on
127.0.0.1) is made for the test, so stopping it disturbs nobody else. granian serves Kenes against it
(DEBUG off, as in production). 16 clients run at once: 10 residents support proposals and 5 members
vote on open agenda items through the API, each retrying a failed request until it gets a 2xx (or, for
a vote, a 409 `already_voted` after an earlier failed attempt: the vote was committed but its answer
was lost), and one reader loads a page in kk/ru/en. The cluster is stopped (`-m fast`) 3 s into the
load and started again 3 s later; the load goes on for 6 s after it is back. Then every support and
vote row is compared with the acknowledgements. Bounded: every process and socket has a timeout, and
the whole test takes about 40 s.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.faults.seed import MARKER

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), Path("/nonexistent"))

# Any local user may connect (the cluster listens on 127.0.0.1 only and lives for one test); no fsync.
INITDB_OPTIONS = ("-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
RESIDENTS = 10
MEMBERS = 5
PROPOSALS = 60  # more than a client gets through: it never runs out before the load ends
ITEMS = 60
CONNECT_TIMEOUT = 3  # DB_CONNECT_TIMEOUT given to Kenes (its default)
PACE = 0.15  # a client's pause after an answer: ~100 requests/s in all, on two shared cores
OUTAGE_AFTER = 3.0
OUTAGE_FOR = 3.0
LOAD_AFTER_RECOVERY = 6.0
GIVE_UP_AFTER = 20.0  # after the load: a support or vote still not acknowledged fails the test
REQUEST_TIMEOUT = 10.0
TEST_BUDGET = 90.0
SUPPORT_PATH = "/api/v1/proposals/{}/support"
VOTE_PATH = "/api/v1/meetings/items/{}/vote"
HEADINGS = {"kk": "Kenes уақытша қолжетімсіз", "ru": "Kenes временно недоступен", "en": "Kenes is briefly unavailable"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*command: str) -> list[str]:
    # PostgreSQL refuses to run as root: under root the cluster belongs to the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/kenes"

    def ctl(self, *args: str, timeout: float = 30) -> None:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", str(int(timeout)), *args),
            check=True,
            capture_output=True,
            timeout=timeout + 10,
        )

    def start(self) -> None:
        # Its own socket folder, so nothing of the shared server's is touched; fsync off: throwaway data.
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-l", str(self.folder / "log"), "-o", options, "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.ctl("-m", "immediate", "stop", timeout=15)
        with contextlib.suppress(OSError, ValueError):
            # pg_ctl failed or timed out: end the postmaster (its children follow it) by its own pid.
            os.kill(int((self.data / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
    folder = Path(tempfile.mkdtemp(prefix="kenes-fault-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    found = Cluster(folder=folder, port=_free_port())
    try:
        subprocess.run(
            _as_postgres(str(PG_BIN / "initdb"), "-D", str(found.data), *INITDB_OPTIONS),
            check=True,
            capture_output=True,
            timeout=60,
        )
        found.start()
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(found.port), "-U", "postgres", "kenes"],
            check=True,
            capture_output=True,
            timeout=30,
        )
        yield found
    finally:
        found.destroy()


def _env(cluster: Cluster, var_dir: Path) -> dict[str, str]:
    drop = ("DATABASE_", "DB_", "SQLITE_PATH", "KENES_VAR_DIR")
    env = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": cluster.url,
            "DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            "KENES_VAR_DIR": str(var_dir),
            "DEBUG": "false",
            "SECRET_KEY": "fault-test-key-not-secret-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _run(env: dict[str, str], *args: str, timeout: float) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _seed(env: dict[str, str], *args: str) -> Any:
    out = _run(env, "-m", "tests.faults.seed", *args, timeout=75)
    return json.loads(next(line for line in out.splitlines() if line.startswith(MARKER))[len(MARKER) :])


def _children(pid: int) -> set[int]:
    """granian's worker processes: a worker that died and was replaced would be a restart of Kenes."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                # The fourth field after the command (which may hold spaces, inside parentheses) is the parent.
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry.name))
    return found


@dataclass
class Answer:
    kind: str  # "support", "vote" or "page"
    client: int
    target: int  # the proposal, the agenda item, or 0 for a page
    attempt: int
    started: float
    took: float
    status: int  # 0: no HTTP answer at all
    retry_after: str | None
    code: str  # the API error's code; for a page, the language whose 503 heading it shows
    note: str = ""

    @property
    def finished(self) -> float:
        return self.started + self.took


@dataclass
class Book:
    """Every answer, and each support's or vote's outcome."""

    port: int
    load_until: float
    answers: list[Answer] = field(default_factory=list)
    accepted: dict[str, set[tuple[int, int]]] = field(default_factory=lambda: {"support": set(), "vote": set()})
    ambiguous: set[tuple[int, int]] = field(default_factory=set)  # votes: committed, but the answer was lost
    unresolved: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(
        self,
        kind: str,
        client: int,
        target: int,
        attempt: int,
        path: str,
        headers: dict[str, str],
        body: bytes | None = None,
    ) -> tuple[Answer, bytes]:
        """GET, or POST when there is a body; every answer is kept, with how long it took."""
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("GET" if body is None else "POST", path, body=body, headers=headers)
            response = connection.getresponse()
            answer_body = response.read()
            status, retry_after, note = response.status, response.getheader("Retry-After"), ""
        except (OSError, http.client.HTTPException) as error:
            answer_body, status, retry_after, note = b"", 0, None, repr(error)
        finally:
            connection.close()
        answer = Answer(kind, client, target, attempt, started, time.monotonic() - started, status, retry_after, "")
        answer.note = note
        if status == 503:
            answer.code = _unavailable_code(kind, answer_body)
        elif status >= 400:
            answer.code = _json(answer_body).get("code", "")
            answer.note = answer_body[:300].decode(errors="replace")
        with self.lock:
            self.answers.append(answer)
        return answer, answer_body


def _json(body: bytes) -> dict[str, Any]:
    with contextlib.suppress(ValueError):
        found = json.loads(body)
        if isinstance(found, dict):
            return found
    return {}


def _unavailable_code(kind: str, body: bytes) -> str:
    """The API's error code of a 503, or the language of the 503 page's heading ("" when neither)."""
    if kind != "page":
        error = _json(body)
        return str(error.get("code", "")) if error.get("detail") else ""
    html = body.decode(errors="replace")
    return next((lang for lang, words in HEADINGS.items() if f'lang="{lang}"' in html and words in html), "")


def _writer(book: Book, kind: str, client: int, user: int, token: str, targets: list[int], path: str) -> None:
    """Supports (or votes on) each target in turn, retrying until it is acknowledged."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    payload = json.dumps({"choice": "for"} if kind == "vote" else {}).encode()
    for target in targets:
        if time.monotonic() >= book.load_until:
            return
        for attempt in itertools.count(1):
            answer, body = book.send(kind, client, target, attempt, path.format(target), headers, payload)
            if answer.status == 200:
                ok = _json(body).get("supported" if kind == "support" else "recorded") is True
                with book.lock:
                    if ok:
                        book.accepted[kind].add((target, user))
                    else:
                        book.unresolved.append(f"{kind} {target} by {user}: 200 with {body[:200]!r}")
                break
            if kind == "vote" and answer.status == 409 and answer.code == "already_voted" and attempt > 1:
                with book.lock:
                    book.ambiguous.add((target, user))
                break
            # A 503, or no answer at all (which fails the test on its own, below), may hide a commit:
            # try again. Anything else is a bug, which a retry could only hide.
            if answer.status not in (0, 503) or time.monotonic() >= book.load_until + GIVE_UP_AFTER:
                with book.lock:
                    book.unresolved.append(f"{kind} {target} by {user}: {answer.status} {answer.code} {answer.note}")
                break
            time.sleep(PACE)
        time.sleep(PACE)


def _reader(book: Book, client: int, path: str) -> None:
    for language in itertools.cycle(HEADINGS):
        if time.monotonic() >= book.load_until:
            return
        book.send("page", client, 0, 1, path, {"Cookie": f"kenes_language={language}"})
        time.sleep(PACE)


def _thread(target: Callable[..., None], *args: Any) -> threading.Thread:
    return threading.Thread(target=target, args=args, daemon=True)


def _rotated(values: list[int], by: int) -> list[int]:
    # Each client starts at another place, so clients mostly write different rows at any moment.
    return values[by:] + values[:by]


def test_a_postgres_restart_mid_load_fails_fast_recovers_and_keeps_every_support_and_vote(
    cluster: Cluster, tmp_path: Path
) -> None:
    began = time.monotonic()
    env = _env(cluster, tmp_path / "var")
    plan = _seed(env, "setup", str(RESIDENTS), str(PROPOSALS), str(MEMBERS), str(ITEMS))
    prepared = time.monotonic()

    port = _free_port()
    log = (tmp_path / "granian.log").open("w+")
    server = subprocess.Popen(
        [
            *(str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", "2", "--blocking-threads", "4", "--log-level", "error", "config.wsgi:application"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    book = Book(port=port, load_until=time.monotonic() + 60)
    threads: list[threading.Thread] = []
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            time.sleep(0.2)
        warm, _body = book.send("page", -1, 0, 1, f"/proposals/{plan['proposals'][0]}/", {})
        assert warm.status == 200, warm
        book.answers.clear()
        workers = _children(server.pid)
        assert len(workers) == 2, workers

        writers = [
            ("support", person, _rotated(plan["proposals"], index * (PROPOSALS // RESIDENTS)), SUPPORT_PATH)
            for index, person in enumerate(plan["residents"])
        ] + [
            ("vote", person, _rotated(plan["items"], index * (ITEMS // MEMBERS)), VOTE_PATH)
            for index, person in enumerate(plan["members"])
        ]
        for client, (kind, person, targets, path) in enumerate(writers):
            threads.append(_thread(_writer, book, kind, client, person["user"], person["token"], targets, path))
        threads.append(_thread(_reader, book, RESIDENTS + MEMBERS, f"/proposals/{plan['proposals'][0]}/"))
        load_began = time.monotonic()
        for thread in threads:
            thread.start()

        time.sleep(OUTAGE_AFTER)
        stopping = time.monotonic()
        cluster.stop()
        down = time.monotonic()
        time.sleep(OUTAGE_FOR)
        starting = time.monotonic()
        cluster.start()
        up = time.monotonic()
        book.load_until = up + LOAD_AFTER_RECOVERY
        for thread in threads:
            thread.join(timeout=max(0.1, book.load_until + GIVE_UP_AFTER + REQUEST_TIMEOUT - time.monotonic()))
        assert not [thread for thread in threads if thread.is_alive()], "every client finished in time"
        load_ended = time.monotonic()
        assert server.poll() is None, "granian kept running through the outage"
        assert _children(server.pid) == workers, "with the same worker processes: Kenes was not restarted"
    finally:
        book.load_until = 0
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.seek(0)
        server_log = log.read()
        log.close()

    rows = _seed(env, "counts")
    answers = book.answers
    statuses = Counter(answer.status for answer in answers)
    unavailable = [answer for answer in answers if answer.status == 503]
    in_outage = [answer for answer in answers if answer.started >= down and answer.finished <= starting]
    after = [answer for answer in answers if answer.started >= up and answer.status == 200]
    supports = {(proposal, user) for proposal, user in rows["supports"]}
    votes = {(item, user) for item, user in rows["votes"]}
    per_proposal = Counter(proposal for proposal, _user in supports)
    slowest = max(unavailable, key=lambda answer: answer.took, default=Answer("", 0, 0, 0, stopping, 0, 0, None, ""))
    print(  # the numbers a reader of the CI log wants
        f"\n{len(answers)} requests in {load_ended - load_began:.1f} s of load ({dict(sorted(statuses.items()))}); "
        f"outage {starting - stopping:.1f} s (stop took {down - stopping:.1f} s, start {up - starting:.1f} s); "
        f"{len(unavailable)} answers 503, slowest {slowest.took:.2f} s "
        f"({slowest.started - stopping:+.1f} s from the stop), "
        f"{len(in_outage)} requests wholly inside the outage; "
        f"{len(book.accepted['support'])} supports and {len(book.accepted['vote'])} votes acknowledged, "
        f"{len(book.ambiguous)} votes answered 409 after a failed attempt; "
        f"rows: {len(supports)} supports, {len(votes)} votes; "
        f"server log: {server_log.count('answered 503')} one-line 503 warnings, "
        f"{server_log.count('Traceback')} tracebacks; "
        f"prepared in {prepared - began:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in plan['timings'].items())}), "
        f"{time.monotonic() - began:.1f} s in all"
    )

    assert not book.unresolved, book.unresolved[:5]
    assert statuses.keys() <= {200, 409, 503}, [a for a in answers if a.status not in (200, 409, 503)][:5]
    assert all(a.kind == "vote" and a.code == "already_voted" and a.attempt > 1 for a in answers if a.status == 409)

    # During the outage: a clear 503, fast.
    assert len([a for a in answers if a.started < stopping]) > 0, "the load was running before the outage"
    assert len(in_outage) >= 20, "requests were made while the server was down"
    assert {a.status for a in in_outage} == {503}, Counter(a.status for a in in_outage)
    assert {a.retry_after for a in unavailable} == {"10"}
    assert {a.code for a in unavailable if a.kind != "page"} == {"unavailable"}
    assert {a.code for a in unavailable if a.kind == "page"} == set(HEADINGS), "the page, in kk, ru and en"
    assert slowest.took < CONNECT_TIMEOUT + 2
    # Logged once each, in one line: no traceback per failed request.
    assert server_log.count("database unavailable, answered 503") == len(unavailable)
    assert "Traceback" not in server_log, server_log[:3000]

    # After it: requests succeed again, for every client, with the same granian (checked above).
    assert {a.client for a in after} == set(range(RESIDENTS + MEMBERS + 1)), "every client succeeded after"

    # Nothing accepted is lost and nothing is doubled.
    assert supports == book.accepted["support"]
    assert votes == book.accepted["vote"] | book.ambiguous
    assert not book.accepted["vote"] & book.ambiguous
    assert rows["support_counts"] == {str(p): per_proposal.get(p, 0) for p in plan["proposals"]}
    assert rows["audit_broken_at"] is None, "the audit log's hash chain holds"
    assert time.monotonic() - began < TEST_BUDGET
