"""python manage.py import_indicators: counts on success, row errors and exit code 1 on a bad file."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kenes.indicators.models import ImportBatch, IndicatorValue
from kenes.territory.models import Settlement
from kenes.territory.tests.factories import SettlementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def village() -> Settlement:
    return SettlementFactory.create()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "values.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_indicators", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_loads_a_file_and_prints_the_counts(tmp_path: Path, village: Settlement) -> None:
    path = write(tmp_path, f"code,kato,period,value\npopulation,{village.kato},2024,1200\ngas,{village.kato},2024,50\n")
    out, _err = run(str(path), "--source", "Акимат (отчёт)")
    assert "Rows: 2; created 2, updated 0, unchanged 0." in out
    assert IndicatorValue.objects.get(indicator__code="population").value == Decimal("1200")
    assert ImportBatch.objects.get().source == "Акимат (отчёт)"

    out, _err = run(str(path), "--source", "Акимат (отчёт)")
    assert "Rows: 2; created 0, updated 0, unchanged 2." in out


def test_a_dry_run_prints_what_it_would_do_and_writes_no_value(tmp_path: Path, village: Settlement) -> None:
    path = write(tmp_path, f"code,kato,period,value\npopulation,{village.kato},2024,1200\n")
    out, _err = run(str(path), "--dry-run")
    assert "Dry run, nothing written. Rows: 1; would create 1, update 0, leave 0 unchanged." in out
    assert IndicatorValue.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportBatch.Status.PREVIEWED


def test_a_bad_file_prints_its_row_errors_and_exits_with_one(tmp_path: Path, village: Settlement) -> None:
    path = write(
        tmp_path,
        f"code,kato,period,value\npopulation,{village.kato},2024,1200\nwells,{village.kato},2024,1\n"
        f"population,{village.kato},2024,x\n",
    )
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("import_indicators", str(path), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert "(errors: 2); nothing was written" in str(raised.value)
    assert err.getvalue().splitlines() == [
        "row 3, column code: Unknown indicator code “wells”.",
        "row 4, column value: “x” is not a number.",
    ]
    assert IndicatorValue.objects.count() == 0


def test_a_missing_file_exits_with_one(tmp_path: Path) -> None:
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("import_indicators", str(tmp_path / "nothing.csv"))
    assert raised.value.returncode == 1
    assert "cannot be read" in str(raised.value)
