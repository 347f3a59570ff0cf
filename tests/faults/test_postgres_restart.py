"""PostgreSQL restarted in the middle of a support load (issue 10): while it is down every request fails
fast with the 503 "briefly unavailable" answer, Kenes recovers by itself when it is back (granian is
not restarted), and no accepted support is lost or doubled.

A private PostgreSQL cluster (initdb into a temporary folder, its own port on 127.0.0.1) is made for
the test, so restarting it disturbs nothing else; granian serves Kenes against it; 12 clients post
supports through the API, each retrying a failed request until it is accepted (the service answers an
existing support with 200, so a retry after a lost answer is safe). The cluster is stopped 3 s into
the load and started again 4 s later. Bounded: the whole test stays under 2 minutes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), Path("/nonexistent"))
CLIENTS = 12
PAIRS_PER_CLIENT = 60
OUTAGE_AFTER = 3.0
OUTAGE_FOR = 4.0
DEADLINE = 90.0
CONNECT_TIMEOUT = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/kenes"

    def ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-w", "-t", "30", *args),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-l", str(self.folder / "log"), "-o", options, "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL server binaries are not installed")
    folder = Path(tempfile.mkdtemp(prefix="kenes-fault-pg-"))
    os.chmod(folder, 0o777)  # noqa: S103 - a throwaway folder the postgres user must write to
    found = Cluster(folder=folder, port=_free_port())
    subprocess.run(
        _as_postgres(str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres"),
        check=True,
        capture_output=True,
        timeout=120,
    )
    found.start()
    try:
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(found.port), "-U", "postgres", "kenes"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield found
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            found.ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def _env(cluster: Cluster, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SQLITE_PATH"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": cluster.url,
            "DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            "KENES_VAR_DIR": str(var_dir),
            "DEBUG": "false",
            "SECRET_KEY": "fault-test-key-not-secret-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


PREPARE = """
import json
from kenes.accounts.models import User
from kenes.accounts.services import issue_api_token
from kenes.proposals.models import Proposal
proposals = list(Proposal.objects.filter(status__in=["collecting", "ready"]).select_related("okrug").order_by("pk"))
residents = list(User.objects.filter(resident_profile__isnull=False).select_related("resident_profile__settlement")
                 .order_by("pk")[:%(clients)d])
out = []
for user in residents:
    _token, secret = issue_api_token(actor=user, user=user, name="fault test")
    okrug = user.resident_profile.settlement.okrug_id
    mine = [p.pk for p in proposals if p.okrug_id == okrug and p.author_id != user.pk
            and not p.supports.filter(resident=user).exists()][:%(pairs)d]
    out.append({"token": secret, "proposals": mine})
print(json.dumps(out))
"""


@dataclass
class Tally:
    accepted: set[tuple[int, int]] = field(default_factory=set)
    unavailable: list[float] = field(default_factory=list)  # seconds each 503 took
    other: list[str] = field(default_factory=list)
    shapes: set[tuple[str, str]] = field(default_factory=set)  # (Retry-After, code) of the 503 answers
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client(base: str, token: str, user_index: int, proposals: list[int], tally: Tally, stop_at: float) -> None:
    for proposal in proposals:
        while time.monotonic() < stop_at:
            request = urllib.request.Request(
                f"{base}/api/v1/proposals/{proposal}/support",
                data=b"{}",
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            started = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=15) as answer:
                    body = json.loads(answer.read())
                    assert body["supported"] is True
                with tally.lock:
                    tally.accepted.add((user_index, proposal))
                break
            except urllib.error.HTTPError as error:
                with tally.lock:
                    if error.code == 503:
                        tally.unavailable.append(time.monotonic() - started)
                        tally.shapes.add((error.headers["Retry-After"], json.loads(error.read())["code"]))
                    else:
                        tally.other.append(f"{error.code}: {error.read()[:200]!r}")
                time.sleep(0.2)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                with tally.lock:
                    tally.other.append(f"connection: {error}")
                time.sleep(0.2)


def test_a_postgres_restart_mid_load_gives_fast_503s_then_recovers_and_keeps_every_support(
    cluster: Cluster, tmp_path: Path
) -> None:
    started = time.monotonic()
    env = _env(cluster, tmp_path / "var")
    _manage(env, "migrate", "-v", "0")
    _manage(env, "import_kato", "--region", "27")
    _manage(env, "generate_scale_data", "--okrugs", "1", "--no-indicators", "--as-of", "2026-12-01")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    plan = json.loads(_manage(env, "shell", "-c", PREPARE % {"clients": CLIENTS, "pairs": PAIRS_PER_CLIENT}).strip())
    assert len(plan) == CLIENTS
    assert all(len(entry["proposals"]) >= 20 for entry in plan)
    before = json.loads(
        _manage(env, "shell", "-c", "from kenes.proposals.models import Support; print(Support.objects.count())")
    )

    port = _free_port()
    server = subprocess.Popen(
        [
            *(str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", "2", "--blocking-threads", "4", "--log-level", "error", "config.wsgi:application"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    tally = Tally()
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/ping", timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        stop_at = time.monotonic() + DEADLINE
        threads = [
            threading.Thread(
                target=_client, args=(base, entry["token"], index, entry["proposals"], tally, stop_at), daemon=True
            )
            for index, entry in enumerate(plan)
        ]
        for thread in threads:
            thread.start()
        time.sleep(OUTAGE_AFTER)
        accepted_before_outage = len(tally.accepted)
        cluster.stop()
        time.sleep(OUTAGE_FOR)
        cluster.start()
        for thread in threads:
            thread.join(timeout=max(1.0, stop_at - time.monotonic()))
        assert server.poll() is None, "granian kept running through the outage"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    expected = {(index, proposal) for index, entry in enumerate(plan) for proposal in entry["proposals"]}
    assert accepted_before_outage > 0, "the load was running when the server went down"
    assert tally.accepted == expected, "every support was accepted in the end (after retries)"
    assert tally.unavailable, "requests during the outage answered 503"
    assert max(tally.unavailable) < CONNECT_TIMEOUT + 3, "and they answered fast"
    assert tally.shapes == {("10", "unavailable")}
    assert not [entry for entry in tally.other if not entry.startswith("connection")], tally.other[:5]

    check = (
        "from django.db.models import Count, F; from kenes.proposals.models import Proposal, Support; "
        "print(Support.objects.count(), "
        "Proposal.objects.annotate(n=Count('supports')).exclude(n=F('support_count')).count())"
    )
    rows, mismatched = map(int, _manage(env, "shell", "-c", check).split())
    assert rows == before + len(expected), "no accepted support lost, none doubled"
    assert mismatched == 0, "each proposal's counter equals its support rows"
    print(
        f"\n{len(expected)} supports accepted, {len(tally.unavailable)} answers 503 during a {OUTAGE_FOR:.0f} s "
        f"outage (slowest {max(tally.unavailable):.2f} s), {len(tally.other)} connection errors, "
        f"{time.monotonic() - started:.0f} s in all"
    )
