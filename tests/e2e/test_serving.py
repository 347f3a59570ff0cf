"""`make demo` serves with the granian command in scripts/demo.sh; Ctrl-C must stop it cleanly.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group, and `make` forwards it
once more: the server gets it twice. (A granian option once made it hang exactly then.)
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, LiveSite, _free_port, _granian, _wait_until_up

pytestmark = pytest.mark.e2e


def _demo_server_command(port: int) -> list[str]:
    script = (REPO / "scripts" / "demo.sh").read_text(encoding="utf-8")
    line = next(line for line in script.splitlines() if line.startswith("exec .venv/bin/granian"))
    line = line.removeprefix("exec ").replace('"$HOST"', "127.0.0.1").replace('"$PORT"', str(port))
    line = re.sub(r'"\$\{(\w+):-([^}]*)\}"', lambda match: os.environ.get(match.group(1), match.group(2)), line)
    command = shlex.split(line)
    command[0] = _granian()
    return command


def test_the_demo_server_stops_within_seconds_of_a_ctrl_c(live_site: LiveSite, tmp_path: Path) -> None:
    port = _free_port()
    env = {**live_site.env, "SITE_URL": f"http://127.0.0.1:{port}"}
    log = tmp_path / "granian.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            _demo_server_command(port), cwd=REPO, env=env, stdout=output, stderr=output, start_new_session=True
        )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/", server, log)
        os.killpg(server.pid, signal.SIGINT)  # the terminal's Ctrl-C, to the whole group
        os.kill(server.pid, signal.SIGINT)  # and make forwarding it again
        started = time.monotonic()
        server.wait(timeout=15)
        assert time.monotonic() - started < 15
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
