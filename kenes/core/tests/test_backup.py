"""`manage.py backup` / `restore` round-trip a populated database with identical counts, on SQLite
and on PostgreSQL, through real processes (as an operator runs them); a damaged file or one without
its manifest is refused and leaves the database as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 600
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    if check and done.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def environment(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SQLITE_PATH"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "KENES_VAR_DIR": str(tmp_path / "var"),
            "DEBUG": "false",
            "SECRET_KEY": "backup-test-key-not-secret-0123456789",
        }
    )
    return env


def populate(env: dict[str, str]) -> None:
    manage(env, "migrate", "-v", "0")
    manage(env, "import_kato", "--region", "27")
    manage(env, "generate_scale_data", "--okrugs", "2", "--no-indicators", "--as-of", "2026-12-01")


def counts(env: dict[str, str]) -> dict[str, int]:
    code = "import json; from kenes.core.backup import table_counts; print(json.dumps(table_counts()))"
    return dict(json.loads(manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1]))


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="run once, in the SQLite suite")
def test_sqlite_round_trip_keeps_every_count_and_refuses_what_it_cannot_trust(tmp_path: Path) -> None:
    env = environment(tmp_path, f"sqlite:///{tmp_path / 'kenes.sqlite3'}")
    populate(env)
    before = counts(env)
    assert before["proposals_proposal"] > 300
    assert before["proposals_support"] > 1000
    dump = tmp_path / "kenes.backup"

    said = manage(env, "backup", "--output", str(dump)).stdout
    assert "Backed up" in said
    assert json.loads((tmp_path / "kenes.backup.json").read_text())["counts"] == before

    # Restoring over a database with rows needs --yes; then everything is as it was.
    manage(env, "shell", "-c", "from kenes.proposals.models import Support; Support.objects.all().delete()")
    refused = manage(env, "restore", str(dump), check=False)
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    manage(env, "restore", str(dump), "--yes")
    assert counts(env) == before

    # A damaged file is refused and the database keeps its rows.
    broken = tmp_path / "broken.backup"
    broken.write_bytes(dump.read_bytes()[:4096])
    (tmp_path / "broken.backup.json").write_text((tmp_path / "kenes.backup.json").read_text())
    damaged = manage(env, "restore", str(broken), "--yes", check=False)
    assert damaged.returncode != 0
    assert counts(env) == before
    # So is a file without its manifest.
    lonely = tmp_path / "lonely.backup"
    lonely.write_bytes(dump.read_bytes())
    missing = manage(env, "restore", str(lonely), "--yes", check=False)
    assert missing.returncode != 0
    assert "manifest" in missing.stderr


@pytest.fixture
def scratch_databases() -> Iterator[tuple[str, str]]:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
    names = [f"kenes_backup_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        yield names[0], names[1]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_postgresql_round_trip_into_a_new_database_keeps_every_count(
    tmp_path: Path, scratch_databases: tuple[str, str]
) -> None:
    source, target = scratch_databases
    env = environment(tmp_path, f"postgres://postgres@127.0.0.1:5432/{source}")
    populate(env)
    before = counts(env)
    dump = tmp_path / "kenes.dump"
    manage(env, "backup", "--output", str(dump))

    restored_env = environment(tmp_path, f"postgres://postgres@127.0.0.1:5432/{target}")
    said = manage(restored_env, "restore", str(dump)).stdout

    assert "counts as recorded" in said
    assert counts(restored_env) == before
    code = (
        "from django.db.models import Sum; from kenes.proposals.models import Proposal; "
        "print(Proposal.objects.aggregate(s=Sum('support_count'))['s'], Proposal.objects.order_by('-pk').first().pk)"
    )
    assert manage(restored_env, "shell", "-c", code).stdout == manage(env, "shell", "-c", code).stdout
