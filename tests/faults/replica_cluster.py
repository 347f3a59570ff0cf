"""A private PostgreSQL primary with a streaming replica, the demo data, Kenes served by granian
against them, and a small cookie-keeping HTTP client. Shared by tests/faults/test_replica.py and
bench/scale_out.py; nothing here touches another PostgreSQL server.

The clusters live in a temporary folder (initdb as the postgres user when run as root), listen only on
127.0.0.1 on free ports, run with fsync off (they are thrown away) and are stopped and deleted on exit.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), Path("/nonexistent"))
DATABASE = "kenes"
SECRET_KEY = "replica-test-key-not-secret-0123456789"


def postgres_available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_basebackup").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def _run(command: list[str], timeout: float = 120) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


@dataclass
class Cluster:
    name: str
    folder: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.folder / self.name

    def url(self, application: str = "") -> str:
        query = f"?application_name={application}" if application else ""
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}{query}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(
            _as_postgres(
                str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / f"{self.name}.log"),
                "-o", options, "-w", "-t", "60", "start",
            ),
            timeout=90,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop"),
            capture_output=True,
            timeout=60,
        )

    def sql(self, query: str, *params: Any, database: str = DATABASE) -> list[tuple[Any, ...]]:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True, connect_timeout=5
        ) as connection:
            cursor = connection.execute(query, params or None)
            return cursor.fetchall() if cursor.description else []


@dataclass
class Pair:
    primary: Cluster
    replica: Cluster | None = None

    def add_replica(self) -> Cluster:
        """pg_basebackup -R: a copy of the primary that follows it by streaming replication."""
        replica = Cluster("replica", self.primary.folder)
        _run(
            _as_postgres(
                str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
                "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast",
            ),
            timeout=300,
        )  # fmt: skip
        replica.start()
        self.replica = replica
        return replica

    def wait_for_replay(self, timeout: float = 30) -> float:
        """Seconds until the replica has replayed everything the primary has written so far."""
        assert self.replica is not None
        started = time.monotonic()
        (target,) = self.primary.sql("SELECT pg_current_wal_lsn()::text")[0]
        while time.monotonic() - started < timeout:
            (done,) = self.replica.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", target)[0]
            if done:
                return time.monotonic() - started
            time.sleep(0.02)
        raise TimeoutError(f"the replica did not replay {target} within {timeout} s")

    def pause_replay(self) -> None:
        assert self.replica is not None
        self.replica.sql("SELECT pg_wal_replay_pause()")
        for _ in range(200):
            if self.replica.sql("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused":
                return
            time.sleep(0.02)
        raise TimeoutError("replay did not pause")

    def resume_replay(self) -> None:
        assert self.replica is not None
        self.replica.sql("SELECT pg_wal_replay_resume()")


@contextmanager
def primary_cluster() -> Iterator[Pair]:
    """A fresh primary with an empty `kenes` database; a replica can be added; all gone on exit."""
    folder = Path(tempfile.mkdtemp(prefix="kenes-replica-pg-"))
    os.chmod(folder, 0o777)  # noqa: S103 - a throwaway folder the postgres user must write to
    pair = Pair(Cluster("primary", folder))
    try:
        _run(
            _as_postgres(str(PG_BIN / "initdb"), "-D", str(pair.primary.data), "-A", "trust", "-U", "postgres", "-N"),
            timeout=120,
        )
        pair.primary.start()
        pair.primary.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        yield pair
    finally:
        if pair.replica is not None:
            pair.replica.stop()
        pair.primary.stop()
        shutil.rmtree(folder, ignore_errors=True)


def kenes_env(var_dir: Path, database_url: str, replica_url: str = "", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "SQLITE_PATH", "KENES_REPLICA"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "KENES_VAR_DIR": str(var_dir),
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "AXES_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    if replica_url:
        env["DATABASE_REPLICA_URL"] = replica_url
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def load_demo(env: dict[str, str]) -> None:
    """What `make demo` loads (scripts/demo.sh), without the indicator series: the pilot's oblast."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "import_kato", "--region", "27")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput", "-v", "0")


# Verified demo residents, each with proposals collecting support in their okrug that they have not
# supported and did not write.
_PAIRS = """
import json
from kenes.accounts.models import User
from kenes.proposals.models import Proposal
pairs = []
for user in User.objects.filter(username__startswith="demo-resident", resident_profile__verified_at__isnull=False):
    okrug = user.resident_profile.settlement.okrug_id
    for found in (Proposal.objects.filter(status="collecting", okrug_id=okrug).exclude(author=user)
                  .exclude(supports__resident=user).order_by("pk")):
        pairs.append([user.username, found.pk])
print(json.dumps(sorted(pairs)))
"""


def residents_and_proposals(env: dict[str, str]) -> list[tuple[str, int]]:
    """(username, proposal id) pairs of the demo data a resident may support; password demo12345."""
    found = json.loads(manage(env, "shell", "-c", _PAIRS).strip().splitlines()[-1])
    return [(str(username), int(proposal)) for username, proposal in found]


class Server:
    """granian serving Kenes (WSGI) on a free port; stopped with its whole process group."""

    def __init__(self, env: dict[str, str], *, workers: int = 1, threads: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/granian"),
                "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(self.port),
                "--workers", str(workers), "--blocking-threads", str(threads),
                "--log-level", "error", "config.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"granian exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if Browser(self.url).get("/-/ping").status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("granian did not answer within 60 s")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@dataclass
class Answer:
    status: int
    body: str
    headers: http.client.HTTPMessage

    def cookie_names(self) -> set[str]:
        return {SimpleCookie(value).popitem()[0] for value in self.headers.get_all("Set-Cookie") or []}


@dataclass
class Browser:
    """Keeps cookies like a browser does (Secure ones too: 127.0.0.1 is a secure context to browsers)
    and follows no redirects, so each answer's cookies are seen."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        parts = urllib.parse.urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.read().decode("utf-8", "replace"), response.headers)
        finally:
            connection.close()
        for value in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Answer:
        return self.request("POST", path, {"csrfmiddlewaretoken": self.csrf_token(), **form})

    def csrf_token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def log_in(self, username: str, password: str) -> Answer:
        page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token is not None, "the login page has a CSRF token"
        return self.request(
            "POST", "/accounts/login/", {"csrfmiddlewaretoken": token[1], "username": username, "password": password}
        )


def support_count(browser: Browser, proposal: int) -> int:
    answer = browser.get(f"/api/v1/proposals/{proposal}")
    assert answer.status == 200, answer.status
    return int(json.loads(answer.body)["support_count"])


def supports_it(page: str, proposal: int) -> bool:
    """The proposal page offers its viewer to withdraw a support only when they have supported it."""
    return f'action="/proposals/{proposal}/withdraw/"' in page


def signed_in(page: str) -> bool:
    return 'action="/accounts/logout/"' in page
