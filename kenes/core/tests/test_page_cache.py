"""The content version behind the anonymous page cache (kenes/core/page_cache.py): which writes move
it, when, and how a restore moves it past every version a running process may have seen."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from kenes.core.models import SiteFlag
from kenes.core.page_cache import advance_content_version_past, content_version

pytestmark = pytest.mark.django_db


def test_a_write_in_autocommit_moves_the_version_once_it_is_done() -> None:
    before = content_version()

    SiteFlag.objects.create(key="page-cache-test", value="1")

    assert content_version() == before + 1


def test_a_write_in_a_transaction_moves_it_at_once_and_again_after_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        SiteFlag.objects.create(key="first", value="1")
        SiteFlag.objects.create(key="second", value="2")
        during = content_version()

    # Inside a test's transaction (which never commits) each write moves it at once; in production
    # only the one bump after the commit does, so a page rendered before the commit is stale after it.
    assert during == before + 2
    assert len(callbacks) == 1
    assert content_version() == before + 3


def test_reads_do_not_move_it() -> None:
    before = content_version()

    list(SiteFlag.objects.all())
    SiteFlag.objects.filter(key="absent").exists()

    assert content_version() == before


def test_after_a_restore_it_is_past_what_any_process_has_seen() -> None:
    seen = content_version() + 50

    advance_content_version_past(seen)

    assert content_version() == seen + 1
    advance_content_version_past(0)  # never backwards
    assert content_version() == seen + 2


@pytest.mark.postgres
def test_a_bulk_copy_moves_it() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL")
    from kenes.core.bulk import BulkTable

    flags = BulkTable(SiteFlag)
    flags.add(key="copied", value="1")
    before = content_version()

    flags.flush()

    assert SiteFlag.objects.filter(key="copied").exists()
    assert content_version() > before


def test_the_database_keeps_the_version_to_one_row() -> None:
    from django.db import IntegrityError

    from kenes.core.models import ContentVersion

    with pytest.raises(IntegrityError), transaction.atomic():
        ContentVersion.objects.create(pk=2, n=5)
