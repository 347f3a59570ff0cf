"""Keyset pagination for lists too big to count or skip through: "newer" and "older" links that carry
the last row's sort key, so every page is one index range scan however deep it is.

A page number with OFFSET makes the database read and throw away every earlier row, and "Page 3 of
23,000" needs a COUNT over them all; with half a million proposals that alone exceeds the time a page
may take. Here a page costs the same at the start and at the end. The ordering is descending on
every key and ends with the primary key, so it is total.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Field, Model, Q, QuerySet


@dataclass(frozen=True)
class KeysetPage:
    object_list: list[Any]
    next_cursor: str | None  # older rows: the link "Next"
    previous_cursor: str | None  # newer rows: the link "Previous"

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _encode(values: Sequence[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, datetime.datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, keys: Sequence[str], model: type[Model]) -> list[Any] | None:
    """The key values in a cursor, or None when it is not one of ours (a bad link shows the first page)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(raw, list) or len(raw) != len(keys):
        return None
    values = []
    for key, value in zip(keys, raw, strict=True):
        field = model._meta.get_field(key)
        if not isinstance(field, Field):
            return None
        try:
            values.append(field.to_python(value))
        except Exception:
            return None
    return values


def _beyond(keys: Sequence[str], values: Sequence[Any], *, older: bool) -> Q:
    """Rows after (older=True: smaller in the descending order) or before the row with these keys."""
    lookup = "lt" if older else "gt"
    condition = Q()
    for index in range(len(keys)):
        equal = {keys[earlier]: values[earlier] for earlier in range(index)}
        condition |= Q(**equal, **{f"{keys[index]}__{lookup}": values[index]})
    return condition


def keyset_page(
    queryset: QuerySet[Any], *, keys: Sequence[str], per_page: int, after: str = "", before: str = ""
) -> KeysetPage:
    """One page of `queryset` ordered by `keys` descending (the last key unique, e.g. "id").
    `after` gives the rows older than a cursor, `before` the newer ones; neither, the first page.
    Keys must not be NULL in the rows listed (filter them out first)."""
    model = queryset.model
    descending = [f"-{key}" for key in keys]
    ascending = list(keys)
    newer = _decode(before, keys, model) if before else None
    older = _decode(after, keys, model) if after and newer is None else None
    if newer is not None:
        rows = list(queryset.filter(_beyond(keys, newer, older=False)).order_by(*ascending)[: per_page + 1])
        more_newer = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        has_older = True
        has_newer = more_newer
    else:
        base = queryset.filter(_beyond(keys, older, older=True)) if older is not None else queryset
        rows = list(base.order_by(*descending)[: per_page + 1])
        has_older = len(rows) > per_page
        rows = rows[:per_page]
        has_newer = older is not None
    if not rows:
        return KeysetPage(object_list=[], next_cursor=None, previous_cursor=None)

    def cursor(row: Any) -> str:
        return _encode([getattr(row, key) for key in keys])

    return KeysetPage(
        object_list=rows,
        next_cursor=cursor(rows[-1]) if has_older else None,
        previous_cursor=cursor(rows[0]) if has_newer else None,
    )
