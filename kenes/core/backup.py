"""Backup and restore of the whole database, with a manifest of row counts to prove the round trip.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists --single-transaction` (the
connection settings go through PG* environment variables, never the command line). SQLite: the online
backup API, which copies a consistent snapshot while the site keeps running. Beside each backup file
a `<file>.json` manifest records the engine, the time, the applied migrations and every table's row
count; `restore` refuses a file whose manifest is missing or does not match what was restored.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

TIMEOUT_SECONDS = 3600


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    migrations: int
    counts: dict[str, int]

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=1, sort_keys=True)


def table_counts() -> dict[str, int]:
    """Rows in every table of the database (Django's and the apps'), by table name."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a table name from the catalogue, quoted
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _manifest() -> Manifest:
    counts = table_counts()
    return Manifest(
        engine=connection.vendor,
        created_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        migrations=counts.get("django_migrations", 0),
        counts=counts,
    )


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _pg_env() -> dict[str, str]:
    database: dict[str, Any] = dict(settings.DATABASES["default"])
    env = {**os.environ, "PGDATABASE": str(database["NAME"])}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[name] = str(database[key])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")


def _run(command: list[str]) -> None:
    done = subprocess.run(  # noqa: S603 - fixed tools, arguments we build
        command, env=_pg_env(), capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[:2000]}")


def _sqlite_file() -> Path:
    return Path(str(settings.DATABASES["default"]["NAME"]))


def backup(path: Path) -> Manifest:
    """Writes the database to `path` and its manifest beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = _manifest()
    if connection.vendor == "postgresql":
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"])
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"No backup for the {connection.vendor} engine.")
    manifest_path(path).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def read_manifest(path: Path) -> Manifest:
    try:
        data: dict[str, Any] = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        return Manifest(**data)
    except (OSError, ValueError, TypeError) as error:
        raise BackupError(f"No readable manifest beside {path} ({manifest_path(path).name}).") from error


def has_rows() -> bool:
    """Whether the database holds anything beyond the migration records."""
    return any(rows for table, rows in table_counts().items() if table != "django_migrations")


def restore(path: Path) -> Manifest:
    """Replaces the database with the backup at `path`; raises BackupError when the restored row
    counts differ from the manifest's."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    manifest = read_manifest(path)
    if manifest.engine != connection.vendor:
        raise BackupError(f"The backup is of a {manifest.engine} database; this one is {connection.vendor}.")
    if connection.vendor == "postgresql":
        connections.close_all()
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(path),
            ]
        )
    else:
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not a readable SQLite database: {error}") from error
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (SQLite integrity check failed).")
            connections.close_all()
            target = sqlite3.connect(_sqlite_file())
            try:
                source.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not a readable SQLite database: {error}") from error
        finally:
            source.close()
    restored = table_counts()
    if restored != manifest.counts:
        different = sorted(
            table for table in set(restored) | set(manifest.counts) if restored.get(table) != manifest.counts.get(table)
        )
        raise BackupError(f"The restored row counts differ from the manifest in: {', '.join(different[:10])}.")
    return manifest
