"""Cleaning classifier names, and the key the name search matches against."""

from __future__ import annotations


def search_key(text: str) -> str:
    """Case-insensitive for Kazakh and Russian Cyrillic (ә ғ қ ң ө ұ ү һ і), ё read as е.

    Python's casefold knows every Cyrillic letter, unlike SQLite's LOWER(), so names are
    folded once on import and queries are folded the same way.
    """
    return " ".join(text.casefold().replace("ё", "е").split())
