"""Backup and restore of the whole database, with a manifest that proves the round trip.

PostgreSQL: `pg_dump --format=custom --no-owner --no-privileges` inside a snapshot exported by the
transaction that counts the rows, so the manifest's counts are exactly the dump's; `pg_restore --clean
--if-exists --no-owner --no-privileges --single-transaction`. Connection settings reach the tools through
PG* environment variables, so a password never appears on a command line. SQLite: the online backup API (a
consistent copy while the site keeps running), counted from the copy itself; a restore copies back into the
live file after closing Django's connections.

Beside each backup, `<file>.json` records the engine, the time, the newest applied migration of each app,
every table's row count and the file's size and SHA-256. A restore refuses a file whose manifest is missing
or does not match it, and fails when the restored counts differ from the manifest. On SQLite every check
runs on the backup before the live file is touched; on PostgreSQL a damaged archive makes pg_restore roll
its one transaction back, but a count mismatch can only be found after the restore has committed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from kenes.core.page_cache import advance_content_version_past, content_version

TIMEOUT_SECONDS = 3600
SHOWN_DIFFERENCES = 10
# Django's OPTIONS for PostgreSQL that libpq also reads from the environment.
PG_OPTION_VARIABLES = {"sslmode": "PGSSLMODE", "connect_timeout": "PGCONNECT_TIMEOUT"}


class BackupError(Exception):
    """A backup or restore that could not be done or could not be trusted; the message says why."""


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    migration_heads: dict[str, str]
    counts: dict[str, int]
    size: int
    sha256: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(
            engine=str(data["engine"]),
            created_at=str(data["created_at"]),
            migration_heads={str(app): str(name) for app, name in data["migration_heads"].items()},
            counts={str(table): int(rows) for table, rows in data["counts"].items()},
            size=int(data["size"]),
            sha256=str(data["sha256"]),
        )


# Counting -----------------------------------------------------------------------------------------------


def count_rows(cursor: Any, tables: Iterable[str]) -> dict[str, int]:
    """Rows in each of `tables`, by table name, through any DB-API cursor of the current engine."""
    counts: dict[str, int] = {}
    for table in sorted(tables):
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a table name from the catalogue, quoted
        counts[table] = int(cursor.fetchone()[0])
    return counts


def newest_migrations(cursor: Any, tables: Iterable[str]) -> dict[str, str]:
    """The most recently applied migration of each app, in the order django_migrations recorded them."""
    if "django_migrations" not in set(tables):
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return {str(app): str(name) for app, name in cursor.fetchall()}


def database_state() -> tuple[dict[str, int], dict[str, str]]:
    """Every table's row count and the newest migration of each app, in the Django database."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return count_rows(cursor, tables), newest_migrations(cursor, tables)


def table_counts() -> dict[str, int]:
    """Rows in every table of the Django database (Django's and the apps'), by table name."""
    return database_state()[0]


def tables_with_rows() -> list[str]:
    """Tables holding rows, apart from the record of applied migrations."""
    return [table for table, rows in table_counts().items() if rows and table != "django_migrations"]


def unapplied_migrations() -> int:
    """How many of the code's migrations the database has not applied (after restoring an older backup)."""
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def format_counts(counts: dict[str, int]) -> list[str]:
    """One aligned line per table: its name and its row count."""
    width = max((len(table) for table in counts), default=0)
    return [f"  {table.ljust(width)}  {rows:>12,}" for table, rows in sorted(counts.items())]


def _sqlite_state(database: sqlite3.Connection) -> tuple[dict[str, int], dict[str, str]]:
    # The same tables Django's SQLite introspection lists (sqlite_sequence is SQLite's own).
    cursor = database.cursor()
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")
    tables = [str(row[0]) for row in cursor.fetchall()]
    return count_rows(cursor, tables), newest_migrations(cursor, tables)


# Files and manifests ------------------------------------------------------------------------------------


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def default_backup_path() -> Path:
    """var/backups/kenes-<UTC time>.dump (PostgreSQL) or .sqlite3 (SQLite)."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    extension = "dump" if connection.vendor == "postgresql" else "sqlite3"
    return Path(settings.VAR_DIR) / "backups" / f"kenes-{stamp}.{extension}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(path: Path) -> Manifest:
    try:
        return Manifest.from_json(manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise BackupError(f"No readable manifest beside {path} (expected {manifest_path(path).name}).") from error


def _compare(manifest: Manifest, counts: dict[str, int], heads: dict[str, str], *, where: str) -> None:
    tables = sorted(set(counts) | set(manifest.counts))
    different = [table for table in tables if counts.get(table) != manifest.counts.get(table)]
    if different:
        shown = ", ".join(
            f"{table} ({manifest.counts.get(table, 'absent')} recorded, {counts.get(table, 'absent')} found)"
            for table in different[:SHOWN_DIFFERENCES]
        )
        raise BackupError(f"Row counts {where} differ from the manifest in {len(different)} table(s): {shown}.")
    if heads != manifest.migration_heads:
        raise BackupError(f"The applied migrations {where} differ from the manifest's.")


# PostgreSQL tools ---------------------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    database: dict[str, Any] = dict(settings.DATABASES["default"])
    env = {**os.environ, "PGDATABASE": str(database["NAME"])}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[name] = str(database[key])
    for option, name in PG_OPTION_VARIABLES.items():
        if database.get("OPTIONS", {}).get(option) is not None:
            env[name] = str(database["OPTIONS"][option])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")


def _run(command: list[str]) -> None:
    tool = Path(command[0]).name
    try:
        done = subprocess.run(  # noqa: S603 - fixed tools, arguments we build
            command, env=_pg_env(), capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BackupError(f"{tool} did not finish within {TIMEOUT_SECONDS} s.") from error
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[:2000]}")


def _dump_postgresql(partial: Path) -> tuple[dict[str, int], dict[str, str]]:
    # pg_dump reads the snapshot this transaction exported, so it dumps exactly the rows counted here.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        state = database_state()
        options = ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        _run([_pg_tool("pg_dump"), *options, f"--file={partial}"])
    return state


def _restore_postgresql(path: Path) -> None:
    options = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    _run([_pg_tool("pg_restore"), *options, f"--dbname={settings.DATABASES['default']['NAME']}", str(path)])


# SQLite files -------------------------------------------------------------------------------------------


def _live_sqlite_file() -> Path:
    return Path(str(settings.DATABASES["default"]["NAME"]))


def _dump_sqlite(partial: Path) -> tuple[dict[str, int], dict[str, str]]:
    connection.ensure_connection()
    copy = sqlite3.connect(partial)
    try:
        connection.connection.backup(copy)
        # A backup is one self-contained file: no -wal/-shm companions.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_state(copy)
    finally:
        copy.close()


def _check_sqlite_backup(path: Path, manifest: Manifest) -> None:
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (the SQLite integrity check failed).")
            counts, heads = _sqlite_state(source)
        finally:
            source.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}.") from error
    _compare(manifest, counts, heads, where="in the backup file")


def _restore_sqlite(path: Path) -> None:
    live = _live_sqlite_file()
    live.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(live)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


# The two operations -------------------------------------------------------------------------------------


def backup(*, path: Path) -> Manifest:
    """Writes the whole database to `path` (a temporary name until it is complete) and its manifest beside it."""
    if connection.vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"No backup for the {connection.vendor} engine.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        dump = _dump_postgresql if connection.vendor == "postgresql" else _dump_sqlite
        counts, heads = dump(partial)
        manifest = Manifest(
            engine=connection.vendor,
            created_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            migration_heads=heads,
            counts=counts,
            size=partial.stat().st_size,
            sha256=file_sha256(partial),
        )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    manifest_path(path).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def check_backup(*, path: Path) -> Manifest:
    """Reads the manifest beside `path` and checks the file against it (engine, size, SHA-256) and that the
    file is readable: pg_restore can list the archive, or SQLite's integrity check passes and the file holds
    the recorded counts. Changes no database."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    manifest = read_manifest(path)
    if manifest.engine != connection.vendor:
        raise BackupError(f"{path} is a backup of a {manifest.engine} database; this one is {connection.vendor}.")
    if path.stat().st_size != manifest.size or file_sha256(path) != manifest.sha256:
        raise BackupError(f"{path} does not match its manifest (size or SHA-256 differs): it is damaged or truncated.")
    if connection.vendor == "postgresql":
        _run([_pg_tool("pg_restore"), "--list", str(path)])
    else:
        _check_sqlite_backup(path, manifest)
    return manifest


def restore(*, path: Path, manifest: Manifest) -> None:
    """Replaces the database with the backup at `path`, whose `manifest` check_backup returned, then raises
    BackupError if the restored row counts or migrations differ from the manifest's."""
    try:
        seen = content_version()
    except DatabaseError:  # a database not migrated yet has no version
        seen = 0
    connections.close_all()
    if connection.vendor == "postgresql":
        _restore_postgresql(path)
    else:
        _restore_sqlite(path)
    counts, heads = database_state()
    try:
        _compare(manifest, counts, heads, where="after the restore")
    finally:
        # After the comparison: on SQLite this may add the version's row the backup did not have.
        advance_content_version_past(seen)
