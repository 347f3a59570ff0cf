"""Shared by the HTTP load benchmarks (bench/http_load.py, bench/supports_load.py): Django set up in
the benchmark's own process against the database under test, granian serving Kenes on a free port
of 127.0.0.1 in a process group of its own, wrk runs, and a guard on the shared PostgreSQL server's
connections. Nothing here changes the application."""

from __future__ import annotations

import atexit
import gzip
import http.client
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_SECRET_KEY = "bench-only-key-not-secret-0123456789-abcdefghijklmnop"  # noqa: S105 - loopback only
WRK_TIMEOUT = "10s"


def default_blocking_threads() -> int:
    """granian's threads per worker as scripts/serve.sh starts it (WEB_THREADS, default 4)."""
    return int(os.environ.get("WEB_THREADS", "4"))


def server_connections(workers: int, blocking_threads: int, clients: int) -> int:
    """Database connections the server may hold at once: one per busy thread (CONN_MAX_AGE keeps them),
    and each worker's content version listener."""
    return (min(clients, workers * blocking_threads) if blocking_threads else clients) + workers


class BenchError(Exception):
    """Stops a benchmark: its figures would be worth nothing (`fail` prints it, exit status 2)."""


def fail(error: BenchError) -> int:
    print(f"\n*** BENCHMARK FAILED: {error}\n*** Nothing was written.", file=sys.stderr, flush=True)
    return 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, var_dir: str) -> dict[str, str]:
    """The environment granian and the benchmark's own Django share: production settings (DEBUG off)."""
    env = {key: value for key, value in os.environ.items() if key not in ("SQLITE_PATH",)}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": BENCH_SECRET_KEY,
            "KENES_VAR_DIR": var_dir,
            "ALLOWED_HOSTS": "127.0.0.1",
            "KENES_WORKER": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def setup_django(database_url: str) -> None:
    """Django in this process, on the database under test (to choose pages, make sessions, check counts)."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise BenchError("give a PostgreSQL --database-url (or DATABASE_URL): the load benchmarks need PostgreSQL")
    var_dir = tempfile.mkdtemp(prefix="kenes-bench-django-")
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    os.makedirs(os.path.join(var_dir, "static"))  # whitenoise warns about a missing folder
    os.environ.update(server_env(database_url, var_dir))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def close_django_connections() -> None:
    """So this process holds no idle connection while the server is under load."""
    from django.db import connections

    connections.close_all()


def connection_headroom() -> int:
    """Connections the PostgreSQL server can still give (it is shared: never take them all)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
            " - (SELECT count(*) FROM pg_stat_activity)"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def check_headroom(needed: int) -> None:
    free = connection_headroom()
    if free < needed + 5:
        raise BenchError(
            f"the PostgreSQL server has {free} free connections and this run may open {needed}: "
            "lower --connections/--clients or --blocking-threads, or wait for others to finish"
        )


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10).stdout.split(" [")[0]
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu or 'unknown CPU'}), "
        f"Python {platform.python_version()}, {wrk.strip()}"
    )


def database_facts() -> dict[str, Any]:
    from django.db import connection

    from kenes.councils.models import Council
    from kenes.meetings.models import Meeting, Recommendation
    from kenes.proposals.models import Proposal, Support

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_setting('server_version')")
        name, version = cursor.fetchone() or ("?", "?")
    return {
        "database": name,
        "postgresql": version.split(" ")[0],
        "councils": Council.objects.count(),
        "proposals": Proposal.objects.count(),
        "supports": Support.objects.count(),
        "sittings": Meeting.objects.count(),
        "recommendations": Recommendation.objects.count(),
    }


def busiest_council(kato: str) -> Any:
    """The council of okrug `kato`, or else the one with the most public proposals."""
    from django.db.models import Count, Q

    from kenes.councils.models import Council
    from kenes.proposals.lifecycle import PUBLIC_STATUSES

    councils = Council.objects.select_related("okrug__district__region")
    if kato:
        found = councils.filter(okrug__kato=kato).first()
        if found is None:
            raise BenchError(f"no council for the okrug {kato}")
        return found
    found = (
        councils.annotate(public=Count("proposals", filter=Q(proposals__status__in=PUBLIC_STATUSES)))
        .order_by("-public", "okrug__kato")
        .first()
    )
    if found is None:
        raise BenchError("no council in this database: load it first (load_demo or generate_scale_data)")
    return found


class Server:
    """granian serving Kenes (WSGI, DEBUG off) on a free port of 127.0.0.1, in its own process group."""

    def __init__(self, database_url: str, *, workers: int, blocking_threads: int = 0) -> None:
        """blocking_threads 0: granian's own default (for WSGI, half its backpressure: hundreds)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.var_dir = tempfile.mkdtemp(prefix="kenes-bench-http-")
        self.log_path = Path(self.var_dir) / "granian.log"
        env = server_env(database_url, self.var_dir)
        collect = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if collect.returncode != 0:
            raise BenchError(f"collectstatic failed:\n{collect.stderr[-2000:]}")
        self.command = [
            str(ROOT / ".venv/bin/granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            *(["--blocking-threads", str(blocking_threads)] if blocking_threads else []),
            "--log-level",
            "warning",
            "config.wsgi:application",
        ]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if get(self.url + "/-/ping", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        tail = self.log_tail()
        self.stop()
        raise BenchError(f"granian did not answer /-/ping within 60 s:\n{tail}")

    def log_tail(self, size: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except OSError:
            return ""

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        self._log.close()
        shutil.rmtree(self.var_dir, ignore_errors=True)


def get(url: str, *, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """One GET on a new connection, redirects not followed (a redirect to the login page is a failure);
    the body unzipped when it came gzipped."""
    rest = url.removeprefix("http://")
    host, _slash, path = rest.partition("/")
    name, _colon, port = host.partition(":")
    connection = http.client.HTTPConnection(name, int(port or 80), timeout=timeout)
    try:
        connection.request("GET", "/" + path, headers=headers or {})
        answer = connection.getresponse()
        body = answer.read()
        if answer.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return answer.status, body
    finally:
        connection.close()


def warm(url: str, headers: dict[str, str], *, times: int = 4, server: Server | None = None) -> None:
    """Asks a page a few times on new connections (each worker compiles templates, opens its
    connection) before it is measured; any answer but 2xx stops the benchmark."""
    for _ in range(times):
        status, body = get(url, headers=headers)
        if not 200 <= status <= 299:
            log = f"\ngranian's log ends:\n{server.log_tail(2000)}" if server is not None else ""
            raise BenchError(
                f"{url} answered {status} while warming up: a benchmark of an error page is worth nothing\n"
                f"{body[:600].decode(errors='replace')}{log}"
            )


def header_options(headers: dict[str, str]) -> list[str]:
    options: list[str] = []
    for name, value in headers.items():
        options += ["-H", f"{name}: {value}"]
    return options


def run_wrk(
    url: str,
    *,
    script: str,
    threads: int,
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    script_args: list[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Runs wrk once (bounded by a timeout) and returns the JSON line its script printed, and the command."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{int(seconds)}s",
        "--timeout",
        WRK_TIMEOUT,
        "--latency",
        *header_options(headers or {}),
        "-s",
        str(ROOT / "bench" / script),
        url,
    ]
    if script_args:
        command += ["--", *script_args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    line = next((row for row in reversed(done.stdout.splitlines()) if row.startswith("{")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk gave no report for {url} (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(line)), command


def shown_command(script: str) -> str:
    """This benchmark's command line as given, with a password in a database URL hidden."""
    shown = [f".venv/bin/python bench/{script}"]
    for argument in sys.argv[1:]:
        if "://" in argument and "@" in argument:
            scheme, rest = argument.split("://", 1)
            credentials, _at, host = rest.rpartition("@")
            argument = f"{scheme}://{credentials.split(':')[0]}@{host}"
        shown.append(argument)
    return " ".join(shown)


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: apt-get install -y wrk")
