"""`manage.py backup` / `restore` round-trip a database filled by `load_demo` with identical counts in every
table, on SQLite and on PostgreSQL, through real processes as an operator runs them; a damaged backup, one
that disagrees with its manifest or one without a manifest is refused and leaves the database as it was.

The counts the tests compare are taken straight from the database files and servers, not through the code
under test. Every subprocess has a timeout; PostgreSQL is reached on loopback only."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[3]
SAMPLE_KATO = ROOT / "kenes" / "territory" / "data" / "sample_kato.csv"
TIMEOUT = 300
# Variables of the developer's shell that would point a subprocess at another database or folder.
DROPPED_VARIABLES = ("DATABASE_", "SQLITE_PATH", "STATIC_ROOT", "MEDIA_ROOT", "KENES_KATO_FILE", "KENES_VAR_DIR")


def environment(folder: Path, database_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(DROPPED_VARIABLES)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "KENES_VAR_DIR": str(folder / "var"),
            "DEBUG": "false",
            "SECRET_KEY": "backup-test-key-not-secret-0123456789",
        }
    )
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    if check and done.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def populate(env: dict[str, str]) -> None:
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "import_kato", str(SAMPLE_KATO))
    manage(env, "load_demo")


def backup_path(said: str) -> Path:
    found = re.search(r"^Backup: (.+)$", said, re.MULTILINE)
    assert found, said
    return Path(found.group(1))


def manifest_of(dump: Path) -> Path:
    return dump.with_name(dump.name + ".json")


# SQLite -------------------------------------------------------------------------------------------------


def sqlite_counts(database: Path) -> dict[str, int]:
    """Rows in every table of the file, sqlite_sequence included."""
    with closing(sqlite3.connect(database)) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


def sqlite_copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


def delete_supports(database: Path) -> None:
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("DELETE FROM proposals_support")


def copy_backup(dump: Path, folder: Path) -> Path:
    copied = folder / dump.name
    shutil.copyfile(dump, copied)
    shutil.copyfile(manifest_of(dump), manifest_of(copied))
    return copied


@dataclass(frozen=True)
class DemoBackup:
    database: Path
    dump: Path
    said: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Site:
    env: dict[str, str]
    database: Path
    dump: Path
    counts: dict[str, int]


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory: pytest.TempPathFactory) -> DemoBackup:
    """A SQLite file migrated and filled by load_demo, and its backup to the default path; made once."""
    folder = tmp_path_factory.mktemp("demo")
    database = folder / "kenes.sqlite3"
    env = environment(folder, f"sqlite:///{database}")
    populate(env)
    said = manage(env, "backup").stdout
    return DemoBackup(database=database, dump=backup_path(said), said=said, counts=sqlite_counts(database))


@pytest.fixture
def site(tmp_path: Path, demo_backup: DemoBackup) -> Site:
    """A private copy of the demo database and of its backup."""
    database = tmp_path / "kenes.sqlite3"
    sqlite_copy(demo_backup.database, database)
    env = environment(tmp_path, f"sqlite:///{database}")
    return Site(env=env, database=database, dump=copy_backup(demo_backup.dump, tmp_path), counts=demo_backup.counts)


def test_backup_writes_one_file_and_a_manifest_of_every_tables_count(demo_backup: DemoBackup) -> None:
    manifest = json.loads(manifest_of(demo_backup.dump).read_text())
    django_tables = {table: rows for table, rows in demo_backup.counts.items() if table != "sqlite_sequence"}

    assert demo_backup.dump.parent == demo_backup.database.parent / "var" / "backups"
    assert re.fullmatch(r"kenes-\d{8}T\d{6}Z\.sqlite3", demo_backup.dump.name)
    assert manifest["engine"] == "sqlite"
    assert manifest["counts"] == django_tables
    assert manifest["sha256"] == hashlib.sha256(demo_backup.dump.read_bytes()).hexdigest()
    assert manifest["migration_heads"]["proposals"]
    assert demo_backup.counts["proposals_support"] > 0
    assert sum(1 for rows in django_tables.values() if rows) >= 40
    assert f"Size: {demo_backup.dump.stat().st_size:,} bytes" in demo_backup.said
    for table, rows in django_tables.items():
        assert re.search(rf"^  {table} +{rows:,}$", demo_backup.said, re.MULTILINE), table


def test_restore_needs_yes_over_data_and_then_brings_back_every_tables_count(site: Site) -> None:
    delete_supports(site.database)
    emptied = sqlite_counts(site.database)

    refused = manage(site.env, "restore", str(site.dump), check=False)
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    assert sqlite_counts(site.database) == emptied

    said = manage(site.env, "restore", str(site.dump), "--yes").stdout
    assert "every count as the manifest recorded" in said
    assert sqlite_counts(site.database) == site.counts
    assert "Audit log intact" in manage(site.env, "verify_audit").stdout


def test_restore_into_a_deleted_database_file_brings_back_every_tables_count(site: Site) -> None:
    for companion in ("", "-wal", "-shm"):
        Path(f"{site.database}{companion}").unlink(missing_ok=True)

    manage(site.env, "restore", str(site.dump))

    assert sqlite_counts(site.database) == site.counts


def test_a_truncated_backup_is_refused_and_the_database_keeps_its_rows(site: Site) -> None:
    delete_supports(site.database)
    before = sqlite_counts(site.database)
    site.dump.write_bytes(site.dump.read_bytes()[:8192])

    refused = manage(site.env, "restore", str(site.dump), "--yes", check=False)

    assert refused.returncode != 0
    assert "damaged or truncated" in refused.stderr
    assert sqlite_counts(site.database) == before


def test_a_truncated_backup_with_a_rewritten_checksum_fails_the_sqlite_check(site: Site) -> None:
    delete_supports(site.database)
    before = sqlite_counts(site.database)
    truncated = site.dump.read_bytes()[: site.dump.stat().st_size // 2]
    site.dump.write_bytes(truncated)
    manifest = json.loads(manifest_of(site.dump).read_text())
    manifest.update(size=len(truncated), sha256=hashlib.sha256(truncated).hexdigest())
    manifest_of(site.dump).write_text(json.dumps(manifest))

    refused = manage(site.env, "restore", str(site.dump), "--yes", check=False)

    assert refused.returncode != 0
    assert "not a readable SQLite database" in refused.stderr or "damaged" in refused.stderr
    assert sqlite_counts(site.database) == before


def test_a_backup_whose_counts_differ_from_its_manifest_is_refused_before_the_database_is_touched(
    site: Site,
) -> None:
    delete_supports(site.database)
    before = sqlite_counts(site.database)
    manifest = json.loads(manifest_of(site.dump).read_text())
    manifest["counts"]["proposals_proposal"] += 1
    manifest_of(site.dump).write_text(json.dumps(manifest))

    refused = manage(site.env, "restore", str(site.dump), "--yes", check=False)

    assert refused.returncode != 0
    assert "differ from the manifest" in refused.stderr
    assert "proposals_proposal" in refused.stderr
    assert sqlite_counts(site.database) == before


def test_a_backup_without_its_manifest_is_refused(site: Site) -> None:
    manifest_of(site.dump).unlink()

    refused = manage(site.env, "restore", str(site.dump), "--yes", check=False)

    assert refused.returncode != 0
    assert "No readable manifest" in refused.stderr
    assert sqlite_counts(site.database) == site.counts


# PostgreSQL ---------------------------------------------------------------------------------------------

PROPOSAL_CHECKSUM = (
    "SELECT md5(string_agg(id::text || ':' || support_count::text, ',' ORDER BY id)) FROM proposals_proposal"
)


@dataclass(frozen=True)
class Server:
    host: str
    port: str
    user: str
    password: str

    def connect(self, database: str) -> Any:
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=database,
            autocommit=True,
            connect_timeout=3,
        )

    def url(self, database: str) -> str:
        credentials = quote(self.user, safe="") + (f":{quote(self.password, safe='')}" if self.password else "")
        return f"postgres://{credentials}@{self.host}:{self.port}/{database}"


def postgres_server() -> Server:
    """The server of the suite's DATABASE_URL when it is PostgreSQL, else the one scripts/test.sh tries."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return Server(host="127.0.0.1", port="5432", user="postgres", password="")
    return Server(
        host=str(database.get("HOST") or "127.0.0.1"),
        port=str(database.get("PORT") or "5432"),
        user=str(database.get("USER") or "postgres"),
        password=str(database.get("PASSWORD") or ""),
    )


def postgres_counts(server: Server, database: str) -> dict[str, int]:
    from psycopg import sql

    with server.connect(database) as db:
        tables = [row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        count = sql.SQL("SELECT COUNT(*) FROM {}")
        return {table: db.execute(count.format(sql.Identifier(table))).fetchone()[0] for table in tables}


def postgres_value(server: Server, database: str, query: str) -> Any:
    with server.connect(database) as db:
        return db.execute(query).fetchone()[0]


@pytest.fixture
def scratch_databases() -> Iterator[tuple[Server, str, str]]:
    """Two new, empty databases on the server, dropped afterwards whatever happens."""
    psycopg = pytest.importorskip("psycopg")
    server = postgres_server()
    try:
        admin = server.connect("postgres")
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server at {server.host}:{server.port}: {error}")
    names = [f"kenes_backup_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        yield server, names[0], names[1]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_postgresql_round_trip_into_a_new_database_keeps_every_tables_count(
    tmp_path: Path, scratch_databases: tuple[Server, str, str]
) -> None:
    server, source, target = scratch_databases
    source_env = environment(tmp_path, server.url(source))
    target_env = environment(tmp_path, server.url(target))
    populate(source_env)
    before = postgres_counts(server, source)
    assert before["proposals_support"] > 0
    dump = tmp_path / "kenes.dump"

    manage(source_env, "backup", "--output", str(dump))
    said = manage(target_env, "restore", str(dump)).stdout

    assert "every count as the manifest recorded" in said
    assert postgres_counts(server, target) == before
    assert postgres_value(server, target, PROPOSAL_CHECKSUM) == postgres_value(server, source, PROPOSAL_CHECKSUM)
    assert "Audit log intact" in manage(target_env, "verify_audit").stdout
    refused = manage(target_env, "restore", str(dump), check=False)
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
