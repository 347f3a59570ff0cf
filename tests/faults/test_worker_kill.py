"""The task worker killed mid-batch (issue: reliability under faults): after a restart every task
completes, and every effect happens exactly once (decision 0010).

A scratch PostgreSQL database (`kenes_worker_<random>` on 127.0.0.1:5432, migrated, dropped at the
end) holds a batch of 200 test-only tasks (`worker_tasks.record_effect`, each a short pause and one
effect row keyed by the task) with real Kenes work in the middle of it: 40 SMS in the outbox and the
delivery task, sending to a fake gateway on 127.0.0.1 that honours `Idempotency-Key` (decision 0009).
The gateway takes SMS number 12 and holds its answer; the worker (`manage.py db_worker`, its own
process group) is SIGKILLed while it waits, inside the delivery task. Then, as scripts/serve.sh does,
`recover_tasks --older-than 0` and a new worker. The test asserts: the killed worker's task was
RUNNING at the kill and was recovered and finished by the new worker; no task is left running or
waiting to run; every effect row and every SMS exists exactly once, and no other task ran twice.

The message in flight at the kill keeps its claim's 60 s lease (kenes.notifications.delivery): the
test moves that lease into the past rather than wait a minute, enqueues the delivery task, and checks
that the repeated request (same key) got the gateway's first answer and sent nothing new.

Bounded: each wait has its deadline; the whole test takes 40–90 s on two busy cores, half of it `migrate`.
Run with `-m faults` (excluded by default).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, LiteralString

import psycopg
import pytest
from psycopg import sql

from kenes.notifications.tests.fakes import Answer, FakeSmsGateway
from tests.faults.worker_tasks import effect_key, message_key

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("KENES_FAULTS_POSTGRES", "postgres://postgres@127.0.0.1:5432")
EFFECTS_BEFORE, EFFECTS_AFTER = 80, 120
MESSAGES = 40
HELD = 12  # the SMS whose answer the gateway holds until the worker is killed
PAUSE = 0.02  # seconds each record_effect task takes: 200 of them keep a worker busy for a few seconds
COMMAND_TIMEOUT = 120.0  # one manage.py command (migrate is the long one)
REACH_TIMEOUT = 60.0  # the first worker starts and works up to the held SMS
DRAIN_TIMEOUT = 50.0  # the second worker empties the queue (bounded under a minute)
STOP_TIMEOUT = 10.0
# Tasks a worker would take now: RUNNING, or READY and due (no run_after, or one that has passed).
UNFINISHED_TASKS = (
    "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
    " OR (status = 'READY' AND (run_after <= now() OR run_after >= '9999-01-01 00:00:00+00'))"
)


class HoldingGateway(FakeSmsGateway):
    """The fake gateway, counting requests per Idempotency-Key, that records SMS `held_key` and then
    holds its first answer until `release` (or a minute): the worker is killed while it waits."""

    def __init__(self, *, held_key: str) -> None:
        super().__init__()
        self.held_key = held_key
        self.holding = threading.Event()
        self.release = threading.Event()
        self.requests_by_key: Counter[str] = Counter()
        self._count_lock = threading.Lock()

    def answer(self, path: str, headers: Message, raw: bytes) -> Answer:
        key = headers.get("Idempotency-Key") or ""
        result = super().answer(path, headers, raw)
        with self._count_lock:
            self.requests_by_key[key] += 1
            hold = key == self.held_key and not self.holding.is_set()
            if hold:
                self.holding.set()
        if hold:
            self.release.wait(60)
        return result


@dataclass
class Scratch:
    url: str

    def rows(self, query: LiteralString, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as db:
            return db.execute(query, params).fetchall()

    def value(self, query: LiteralString, *params: Any) -> Any:
        return self.rows(query, *params)[0][0]


@pytest.fixture
def scratch() -> Iterator[Scratch]:
    name = f"kenes_worker_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable at {SERVER}: {error}")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield Scratch(url=f"{SERVER}/{name}")
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _env(scratch: Scratch, var_dir: Path, gateway: FakeSmsGateway) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=scratch.url,
        KENES_VAR_DIR=str(var_dir),
        DEBUG="false",
        SECRET_KEY="fault-test-key-not-secret-0123456789",
        KENES_SMS_URL=gateway.url,
        KENES_SMS_TOKEN=gateway.token,
        KENES_NOTIFY_TIMEOUT_SECONDS="120",  # the held answer must outlast the kill, not time out first
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@contextlib.contextmanager
def _worker(env: dict[str, str], worker_id: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`manage.py db_worker` in a process group of its own; the group is killed when the block ends."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                worker_id,
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT)


def _wait_until(condition: Callable[[], bool], *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:.0f} s; worker log:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.1)


def test_a_worker_killed_mid_batch_leaves_every_task_done_once_after_a_restart(
    scratch: Scratch, tmp_path: Path
) -> None:
    held_key = message_key(HELD)
    all_messages = {message_key(index) for index in range(MESSAGES)}
    all_effects = {effect_key(index) for index in range(EFFECTS_BEFORE + EFFECTS_AFTER)}
    gateway = HoldingGateway(held_key=held_key).start()
    try:
        env = _env(scratch, tmp_path / "var", gateway)
        _manage(env, "migrate", "-v", "0")
        batch = f"effects_before={EFFECTS_BEFORE}, effects_after={EFFECTS_AFTER}, messages={MESSAGES}, pause={PAUSE}"
        output = _manage(
            env, "shell", "-c", f"from tests.faults.worker_tasks import enqueue_batch; enqueue_batch({batch})"
        )
        ids = json.loads(output.strip().splitlines()[-1])
        [delivery_task] = ids["delivery"]
        assert len(ids["effects"]) == len(all_effects)

        # 1. The first worker runs the batch up to the held SMS and is killed while it waits for the answer.
        log_a = tmp_path / "worker-a.log"
        with _worker(env, "worker-a", log_a) as worker_a:
            _wait_until(gateway.holding.is_set, timeout=REACH_TIMEOUT, what="worker-a never reached SMS 12", log=log_a)
            os.killpg(worker_a.pid, signal.SIGKILL)
            assert worker_a.wait(STOP_TIMEOUT) == -signal.SIGKILL
        gateway.release.set()

        running = scratch.rows(
            "SELECT id::text, task_path, worker_ids FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
        )
        assert running == [(delivery_task, "kenes.notifications.tasks.deliver_notifications_task", ["worker-a"])]
        done_before_kill = scratch.value("SELECT count(*) FROM fault_task_effect")
        assert 0 < done_before_kill < len(all_effects)  # mid-batch: some done, not all
        assert scratch.rows(
            "SELECT status, attempts FROM notifications_outboxmessage WHERE idempotency_key = %s", held_key
        ) == [("sending", 1)]
        assert [d.idempotency_key for d in gateway.delivered] == [message_key(i) for i in range(HELD + 1)]

        # 2. Restart as scripts/serve.sh does: recover, then a new worker, which drains the queue.
        recovered = _manage(env, "recover_tasks", "--older-than", "0")
        assert "Put 1 orphaned task(s) back in the queue, gave up 0." in recovered
        log_b = tmp_path / "worker-b.log"
        with _worker(env, "worker-b", log_b) as worker_b:

            def drained() -> bool:
                waiting = scratch.value(UNFINISHED_TASKS)
                return waiting == 0 and scratch.value("SELECT count(*) FROM fault_task_effect") == len(all_effects)

            _wait_until(drained, timeout=DRAIN_TIMEOUT, what="worker-b did not drain the queue", log=log_b)

            tasks = scratch.rows("SELECT id::text, status, worker_ids FROM django_tasks_database_dbtaskresult")
            by_id = {task_id: (status, workers) for task_id, status, workers in tasks}
            batch_ids = {delivery_task, *ids["effects"]}
            assert {by_id[task_id][0] for task_id in batch_ids} == {"SUCCESSFUL"}
            assert by_id[delivery_task][1] == ["worker-a", "worker-b"]  # killed on worker-a, finished on worker-b
            assert {status for task_id, (status, _workers) in by_id.items() if task_id not in batch_ids} <= {"READY"}
            effect_workers = Counter(tuple(by_id[task_id][1]) for task_id in ids["effects"])
            assert effect_workers == {
                ("worker-a",): done_before_kill,
                ("worker-b",): len(all_effects) - done_before_kill,
            }

            # Every effect once; and no record_effect task ran twice (only the killed task did).
            effects = scratch.rows("SELECT key FROM fault_task_effect")
            assert sorted(key for (key,) in effects) == sorted(all_effects)
            attempts = Counter(key for (key,) in scratch.rows("SELECT key FROM fault_task_attempt"))
            assert set(attempts) == all_effects
            assert set(attempts.values()) == {1}

            # Every SMS went out once. The one in flight at the kill was delivered by the gateway and
            # still holds worker-a's claim (its 60 s lease), so the rerun left it alone.
            outbox = dict(scratch.rows("SELECT idempotency_key, status FROM notifications_outboxmessage"))
            assert outbox == {key: ("sending" if key == held_key else "sent") for key in all_messages}
            assert sorted(d.idempotency_key for d in gateway.delivered) == sorted(all_messages)
            assert set(gateway.requests_by_key.values()) == {1}

            # 3. Once the lease has passed, the next delivery run sends it again with the same key: the
            # gateway answers with its first result and sends nothing new.
            _manage(
                env,
                "shell",
                "-c",
                f"from tests.faults.worker_tasks import let_the_lease_pass as f; f(key={held_key!r})",
            )

            def held_message_sent() -> bool:
                status = scratch.value(
                    "SELECT status FROM notifications_outboxmessage WHERE idempotency_key = %s", held_key
                )
                return bool(status == "sent")

            _wait_until(held_message_sent, timeout=DRAIN_TIMEOUT, what="the held SMS was not marked sent", log=log_b)
            worker_b.send_signal(signal.SIGTERM)  # graceful: it finishes a task in hand, then exits 0
            assert worker_b.wait(STOP_TIMEOUT) == 0

        first_answer = next(d.reference for d in gateway.delivered if d.idempotency_key == held_key)
        assert scratch.rows(
            "SELECT status, attempts, provider_reference FROM notifications_outboxmessage WHERE idempotency_key = %s",
            held_key,
        ) == [("sent", 2, first_answer)]
        assert gateway.requests_by_key[held_key] == 2
        assert len(gateway.delivered) == MESSAGES
        assert sorted(d.idempotency_key for d in gateway.delivered) == sorted(all_messages)
        assert scratch.value(UNFINISHED_TASKS) == 0
        assert scratch.value("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'") == 0
    finally:
        gateway.release.set()
        gateway.stop()
