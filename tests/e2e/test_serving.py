"""`make demo` serves through scripts/serve.sh; Ctrl-C must stop it cleanly.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group, and `make` may pass it on
again, so the script gets it more than once; granian itself sits in its own session and must be
asked to stop exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, LiveSite, _free_port, _wait_until_up

pytestmark = pytest.mark.e2e


def _granian_running(port: int) -> bool:
    found = subprocess.run(["pgrep", "-f", f"granian.*--port {port}"], capture_output=True, check=False)
    return found.returncode == 0


def test_the_demo_server_stops_within_seconds_of_a_ctrl_c(live_site: LiveSite, tmp_path: Path) -> None:
    port = _free_port()
    env = {**live_site.env, "HOST": "127.0.0.1", "PORT": str(port), "SITE_URL": f"http://127.0.0.1:{port}"}
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        script = subprocess.Popen(
            ["bash", "scripts/serve.sh"], cwd=REPO, env=env, stdout=output, stderr=output, start_new_session=True
        )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/", script, log)
        os.killpg(script.pid, signal.SIGINT)  # the terminal's Ctrl-C, to the whole group
        os.kill(script.pid, signal.SIGINT)  # and once more, passed on by make
        started = time.monotonic()
        script.wait(timeout=20)

        assert time.monotonic() - started < 20
        deadline = time.monotonic() + 5
        while _granian_running(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _granian_running(port), "granian outlived the script"
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
            script.wait()
        subprocess.run(["pkill", "-KILL", "-f", f"granian.*--port {port}"], check=False)
