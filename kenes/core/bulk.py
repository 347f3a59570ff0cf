"""Fast bulk loading of rows the caller builds in memory: PostgreSQL's COPY, executemany elsewhere.

For synthetic data sets of millions of rows (`generate_scale_data`): the ORM's bulk_create costs a
model instance per row, and COPY is an order of magnitude faster again. The caller gives every row
its id (so rows of other tables can point at it before anything is written), `BulkTable` fills the
model's defaults for the fields not given, and `reset_sequences` moves each table's id sequence past
the ids used. The database still checks every constraint and foreign key: nothing here bypasses them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from kenes.core.page_cache import bump_content_version

FLUSH_ROWS = 50_000


class BulkTable:
    """The rows waiting to be written into one model's table, in the table's column order."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.names = [field.attname for field in self.fields]
        self.columns = [str(field.column) for field in self.fields]
        self._position = {name: index for index, name in enumerate(self.names)}
        self._template = [_default(field) for field in self.fields]
        self._required = [
            index
            for index, field in enumerate(self.fields)
            if self._template[index] is _MISSING and field.attname != "id"
        ]
        self.next_id = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.rows: list[list[Any]] = []
        self.written = 0

    def add(self, **values: Any) -> int:
        """Queues one row and returns its id (the next free one unless `id` is given)."""
        row = list(self._template)
        row_id = values.pop("id", None)
        if row_id is None:
            row_id = self.next_id
            self.next_id += 1
        row[self._position["id"]] = row_id
        for name, value in values.items():
            row[self._position[name]] = value
        for index in self._required:
            if row[index] is _MISSING:
                raise ValueError(f"{self.table}: no value for {self.names[index]}")
        self.rows.append(row)
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()
        return row_id

    def flush(self) -> None:
        if not self.rows:
            return
        now = timezone.now()
        for row in self.rows:
            for index, value in enumerate(row):
                if value is _NOW:
                    row[index] = now
        if connection.vendor == "postgresql":
            _copy(self.table, self.columns, self.rows)
        else:
            _insert(self.table, self.fields, self.rows)
        self.written += len(self.rows)
        self.rows = []


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_MISSING = _Marker("MISSING")
_NOW = _Marker("NOW")


def _default(field: models.Field[Any, Any]) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _NOW
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed and field.blank:
        return ""
    return _MISSING


def _copy(table: str, columns: list[str], rows: list[list[Any]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    bump_content_version()  # COPY passes by the execute wrapper that does it for every other write


def _insert(table: str, fields: list[models.Field[Any, Any]], rows: list[list[Any]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    prepared = [
        [field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)] for row in rows
    ]
    with connection.cursor() as cursor:
        # Table and column names come from the models, quoted; the values are parameters.
        statement = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(statement, prepared)


def flush_all(tables: Iterable[BulkTable]) -> None:
    for table in tables:
        table.flush()


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    """After rows were written with explicit ids, the next id the database gives is past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
