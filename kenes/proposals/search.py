"""Finding proposals by the words of their title and text.

`Proposal.search_text` holds `fold(title + " " + body)` (the services fill it). A query is folded
the same way and cut into words; a proposal matches when every word begins one of its words
(Kazakh is agglutinative: "жол" finds "жолды", "жолдың"). Only letters and digits of the query are
used, each word quoted, so quotes, `*`, `-`, `NEAR`, `OR` and the like typed by a person are plain
text and never reach the database as syntax.

- SQLite: the FTS5 table `proposals_proposal_fts` (external content over `proposals_proposal`,
  tokenizer `unicode61 remove_diacritics 0`), kept in step by triggers; made by migration
  `0002_search`. Django rebuilds a SQLite table to alter it, which drops its triggers, so
  `ensure_search_index` puts back whatever is missing after every `migrate`.
- PostgreSQL: `to_tsvector('simple', search_text) @@ to_tsquery('simple', 'word':* & ...)` as a
  condition of the query itself (`TextMatches`), with a GIN index on that expression (same migration).
- Any other database: every word as a substring of `search_text` (correct, unindexed).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL

from kenes.proposals.models import Proposal
from kenes.territory.normalise import search_key

# Letters and digits only (no underscore): what FTS5's unicode61 and PostgreSQL's parser call words.
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12
MAX_WORD_LENGTH = 60

FTS_TABLE = "proposals_proposal_fts"
GIN_INDEX = "proposal_search_gin"
SEARCH_MIGRATION = ("proposals", "0002_search")

# The same statements as migration 0002_search (which keeps its own copy, as migrations must).
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS proposals_proposal_fts USING fts5(search_text, "
    "content='proposals_proposal', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS proposals_proposal_fts_ai AFTER INSERT ON proposals_proposal BEGIN "
    "INSERT INTO proposals_proposal_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS proposals_proposal_fts_ad AFTER DELETE ON proposals_proposal BEGIN "
    "INSERT INTO proposals_proposal_fts(proposals_proposal_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS proposals_proposal_fts_au AFTER UPDATE OF search_text ON proposals_proposal BEGIN "
    "INSERT INTO proposals_proposal_fts(proposals_proposal_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO proposals_proposal_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_REBUILD = "INSERT INTO proposals_proposal_fts(proposals_proposal_fts) VALUES ('rebuild')"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS proposals_proposal_fts_au",
    "DROP TRIGGER IF EXISTS proposals_proposal_fts_ad",
    "DROP TRIGGER IF EXISTS proposals_proposal_fts_ai",
    "DROP TABLE IF EXISTS proposals_proposal_fts",
]
SQLITE_OBJECTS = {FTS_TABLE, f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au"}
SQLITE_MATCHING = "SELECT rowid FROM proposals_proposal_fts WHERE proposals_proposal_fts MATCH %s"

POSTGRES_CREATE = [
    f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON proposals_proposal USING gin (to_tsvector('simple', search_text))"
]
POSTGRES_DROP = [f"DROP INDEX IF EXISTS {GIN_INDEX}"]


def fold(text: str) -> str:
    """Case folded (every Kazakh and Russian letter), ё read as е, spaces collapsed."""
    return search_key(text)


def query_words(query: str) -> list[str]:
    """The folded words of a query, letters and digits only, each once, in order."""
    words: list[str] = []
    for word in _WORD.findall(fold(query)):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _fts5_match(words: list[str]) -> str:
    # A quoted string is never an operator; `"..."*` is a prefix query. Words hold no quotes.
    return " ".join(f'"{word}"*' for word in words)


def _tsquery(words: list[str]) -> str:
    # Quoted lexemes with the prefix mark; words hold no quotes or backslashes.
    return " & ".join(f"'{word}':*" for word in words)


class TextMatches(Func):
    """`to_tsvector('simple', <search_text>) @@ to_tsquery('simple', %s)`: the GIN index's own
    expression, on the proposal table's search_text however the query aliases it (Django relabels
    the column inside subqueries and joins). As a plain condition of the query, the planner may read
    a common word's matches newest first along the primary key and stop at the page's end, or take
    a rare word's few rows from the index, whichever is cheaper."""

    output_field = BooleanField()

    def __init__(self, column: F, *, tsquery: str) -> None:
        super().__init__(column)
        self.tsquery = tsquery

    def as_sql(
        self,
        compiler: Any,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.source_expressions[0])
        return f"to_tsvector('simple', {column}) @@ to_tsquery('simple', %s)", (*params, self.tsquery)


def search_proposals(queryset: QuerySet[Proposal], query: str) -> QuerySet[Proposal]:
    """The proposals of `queryset` whose text has every word of `query` as the start of a word.
    An empty query (or one without letters or digits) leaves the queryset as it is."""
    words = query_words(query)
    if not words:
        return queryset
    vendor = connections[queryset.db].vendor
    # The words are always a bound parameter. SQLite: constant SQL in a self-contained subquery that
    # holds however the outer query is aliased or joined (settlements have a search_text column too).
    if vendor == "sqlite":
        matching = RawSQL(SQLITE_MATCHING, (_fts5_match(words),))  # noqa: S611
        return queryset.filter(id__in=matching)
    if vendor == "postgresql":
        return queryset.filter(TextMatches(F("search_text"), tsquery=_tsquery(words)))
    every_word = Q()
    for word in words:
        every_word &= Q(search_text__startswith=word) | Q(search_text__contains=f" {word}")
    return queryset.filter(every_word)


# The index: created and dropped by migration 0002_search, repaired after every migrate.


def create_search_index(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in SQLITE_CREATE:
                cursor.execute(statement)
            cursor.execute(SQLITE_REBUILD)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in POSTGRES_CREATE:
                cursor.execute(statement)


def drop_search_index(connection: BaseDatabaseWrapper) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _sqlite_objects_present(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN (%s, %s, %s, %s)",
            sorted(SQLITE_OBJECTS),
        )
        return {row[0] for row in cursor.fetchall()}


def ensure_search_index(connection: BaseDatabaseWrapper) -> bool:
    """Puts back the SQLite search table and triggers when a table rebuild dropped them (and
    reindexes); on PostgreSQL, the index. Does nothing before `0002_search` is applied or after it
    is reversed. Returns whether anything was repaired."""
    from django.db.migrations.recorder import MigrationRecorder

    if connection.vendor not in {"sqlite", "postgresql"}:
        return False
    if SEARCH_MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return False
    if connection.vendor == "sqlite":
        if _sqlite_objects_present(connection) == SQLITE_OBJECTS:
            return False
        create_search_index(connection)
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [GIN_INDEX])
        if cursor.fetchone() is not None:
            return False
    create_search_index(connection)
    return True


def repair_search_index_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """A `post_migrate` receiver: `post_migrate.connect(repair_search_index_after_migrate, sender=app_config)`."""
    ensure_search_index(connections[using])
