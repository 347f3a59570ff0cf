"""Plain statements for the few hot paths where building a query cost more than running it.

A group of supports (decision 0013) runs a handful of statements for up to hundreds of rows. Through
the ORM, compiling them and making a model instance per row took longer than PostgreSQL took to do
the work. These helpers write the SQL directly and keep its text the same whatever the number of
rows on PostgreSQL (one array per column, `= ANY(%s)`), so neither psycopg nor the server parses
and plans hundreds of placeholders; on SQLite they spell the rows out. Values go in as parameters,
prepared by their model field (`get_db_prep_save`) here, never into the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


def is_any(connection: BaseDatabaseWrapper, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`column` is one of `values` (not empty): the condition's text and its parameters."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def insert_rows(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    suffix: str = "",
) -> tuple[str, list[Any]]:
    """An INSERT of `rows` (not empty) into the fields `names` (attnames) of `model`'s table, each
    value prepared by its field as the ORM would; `suffix` follows it (ON CONFLICT ..., RETURNING ...)."""
    fields = [cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in names]
    rows = [
        [field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)] for row in rows
    ]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(str(field.column)) for field in fields)})"
    if connection.vendor == "postgresql":
        # The type without its length (varchar, not varchar(200)): the column still checks that.
        types = [str(field.db_type(connection)).split("(")[0] for field in fields]
        arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
        sql = f"{head} SELECT * FROM unnest({arrays}) {suffix}"  # noqa: S608 - names and types from the model
        return sql, [list(column) for column in zip(*rows, strict=True)]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"{head} VALUES {', '.join([row] * len(rows))} {suffix}"
    return sql, [value for values in rows for value in values]
