"""Files kept for previews nobody loaded are deleted after a few days; loaded and recent ones stay."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from kenes.indicators.models import ImportBatch
from kenes.indicators.tests.factories import ImportBatchFactory
from kenes.indicators.uploads import discard_stale_previews, kept_name

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 12, 6, 9, 0))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _preview(*, days_ago: float, status: str = ImportBatch.Status.PREVIEWED, sha256: str = "a" * 64) -> str:
    batch = ImportBatchFactory.create(status=status, sha256=sha256, file_name="values.csv")
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=NOW - datetime.timedelta(days=days_ago))
    name = kept_name(batch, sha256)
    default_storage.save(name, ContentFile(b"code,kato,period,value\n"))
    return name


def test_a_preview_older_than_two_days_loses_its_kept_file():
    old = _preview(days_ago=3)
    recent = _preview(days_ago=1, sha256="b" * 64)

    assert discard_stale_previews(now=NOW) == 1

    assert not default_storage.exists(old)
    assert default_storage.exists(recent)


def test_only_previews_are_cleared_and_a_second_run_deletes_nothing():
    applied = _preview(days_ago=30, status=ImportBatch.Status.APPLIED, sha256="c" * 64)
    _preview(days_ago=30)

    assert discard_stale_previews(now=NOW) == 1
    assert discard_stale_previews(now=NOW) == 0
    assert default_storage.exists(applied)


def test_the_command_takes_the_number_of_days(capsys):
    stale = _preview(days_ago=400)

    call_command("clear_indicator_previews", "--days", "7")

    assert not default_storage.exists(stale)
    assert "1" in capsys.readouterr().out
