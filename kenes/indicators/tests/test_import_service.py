"""Loading indicator files: preview, apply, idempotence, history on correction, atomicity."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from kenes.accounts.tests.factories import UserFactory
from kenes.core.models import AuditEntry
from kenes.indicators.models import ImportBatch, Indicator, IndicatorRevision, IndicatorValue
from kenes.indicators.services import import_indicator_file
from kenes.indicators.tests.factories import IndicatorValueFactory
from kenes.territory.models import Settlement
from kenes.territory.tests.factories import SettlementFactory

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status


@pytest.fixture
def village() -> Settlement:
    return SettlementFactory.create()


def long_file(village: Settlement, population: str = "1200", gas: str = "45,5") -> bytes:
    return (
        f"code;kato;period;value\npopulation;{village.kato};2023;{population}\n"
        f"gas;{village.kato};2023;{gas}\nschool;{village.kato};2024-Q1;1\n"
    ).encode()


def load(data: bytes, *, apply: bool = True, **extra: Any) -> ImportBatch:
    options: dict[str, Any] = {"actor": None, "file_name": "values.csv", "source": "Акимат (отчёт)"} | extra
    return import_indicator_file(file=data, apply=apply, **options)


def counts(batch: ImportBatch) -> tuple[str, int, int, int, int]:
    return batch.status, batch.rows, batch.created, batch.updated, batch.unchanged


def test_a_preview_counts_what_would_be_created_and_writes_no_value(village: Settlement) -> None:
    batch = load(long_file(village), apply=False)
    assert counts(batch) == (Status.PREVIEWED, 3, 3, 0, 0)
    assert batch.layout == "long"
    assert len(batch.sha256) == 64
    assert IndicatorValue.objects.count() == 0
    assert not AuditEntry.objects.filter(action="indicators.imported").exists()


def test_applying_creates_the_values_with_their_batch_source_and_audit(village: Settlement) -> None:
    actor = UserFactory()
    batch = load(long_file(village), actor=actor)
    assert counts(batch) == (Status.APPLIED, 3, 3, 0, 0)
    assert batch.loaded_by == actor
    gas = IndicatorValue.objects.get(indicator__code="gas")
    assert (gas.settlement_id, gas.value, gas.source, gas.batch_id) == (
        village.pk,
        Decimal("45.5"),
        "Акимат (отчёт)",
        batch.pk,
    )
    assert gas.loaded_at is not None
    entry = AuditEntry.objects.get(action="indicators.imported")
    assert entry.target_id == str(batch.pk)
    assert entry.after is not None
    assert entry.after["created"] == 3


def test_importing_the_same_file_twice_changes_nothing(village: Settlement) -> None:
    load(long_file(village))
    again = load(long_file(village))
    assert counts(again) == (Status.APPLIED, 3, 0, 0, 3)
    assert IndicatorValue.objects.count() == 3
    assert IndicatorRevision.objects.count() == 0


def test_a_corrected_file_updates_the_value_and_keeps_the_old_one(village: Settlement) -> None:
    first = load(long_file(village, population="1200"))
    preview = load(long_file(village, population="1150"), apply=False)
    assert counts(preview) == (Status.PREVIEWED, 3, 0, 1, 2)
    assert IndicatorValue.objects.get(indicator__code="population").value == Decimal("1200")

    corrected = load(long_file(village, population="1150"), source="Бюро национальной статистики АСПиР РК")
    assert counts(corrected) == (Status.APPLIED, 3, 0, 3, 0)  # the new source counts as a change too
    population = IndicatorValue.objects.get(indicator__code="population")
    assert (population.value, population.batch_id) == (Decimal("1150"), corrected.pk)
    revision = IndicatorRevision.objects.get(value=population)
    assert (revision.old_value, revision.new_value, revision.old_source, revision.batch_id) == (
        Decimal("1200"),
        Decimal("1150"),
        "Акимат (отчёт)",
        corrected.pk,
    )
    assert first.pk != corrected.pk


def test_only_changed_values_are_updated(village: Settlement) -> None:
    load(long_file(village, gas="40"))
    batch = load(long_file(village, gas="41"))
    assert counts(batch) == (Status.APPLIED, 3, 0, 1, 2)
    assert list(IndicatorRevision.objects.values_list("old_value", "new_value")) == [(Decimal("40"), Decimal("41"))]


def test_values_stored_before_by_other_means_are_matched_by_territory_and_period(village: Settlement) -> None:
    IndicatorValueFactory(
        indicator=Indicator.objects.get(code="population"), settlement=village, value=Decimal("7"), source="x"
    )
    batch = load(f"code,kato,period,value\npopulation,{village.kato},2024,7\n".encode(), source="x")
    assert counts(batch) == (Status.APPLIED, 1, 0, 0, 1)


def test_a_file_with_an_error_anywhere_is_refused_and_writes_no_value(village: Settlement) -> None:
    data = long_file(village) + f"population;{village.kato};2023;999\n".encode()
    batch = load(data)
    assert batch.status == Status.REFUSED
    assert batch.error_count == 1
    assert batch.errors[0]["row"] == 5
    assert batch.errors[0]["column"] == "period"
    assert (batch.created, batch.updated) == (0, 0)
    assert IndicatorValue.objects.count() == 0
    assert not AuditEntry.objects.filter(action="indicators.imported").exists()


def test_a_refused_correction_leaves_the_stored_values_alone(village: Settlement) -> None:
    load(long_file(village, population="1200"))
    batch = load(long_file(village, population="1150") + b"wells;271000000;2023;1\n")
    assert batch.status == Status.REFUSED
    assert IndicatorValue.objects.get(indicator__code="population").value == Decimal("1200")
    assert IndicatorRevision.objects.count() == 0


def test_a_failure_while_writing_rolls_the_whole_load_back(
    village: Settlement, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_audit(**_kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr("kenes.indicators.services.record_audit", broken_audit)
    with pytest.raises(RuntimeError):
        load(long_file(village))
    assert IndicatorValue.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_only_the_first_two_hundred_errors_are_stored_but_all_are_counted(village: Settlement) -> None:
    lines = "".join(f"wells,{village.kato},{2000 + n % 50}-{n % 12 + 1:02d},1\n" for n in range(250))
    batch = load(f"code,kato,period,value\n{lines}".encode())
    assert (batch.status, batch.error_count, len(batch.errors)) == (Status.REFUSED, 250, 200)


def test_an_unreadable_file_is_refused_with_one_error() -> None:
    batch = load(b"\xff\xfe\x00\x01", file_name="values.csv")
    assert (batch.status, batch.error_count, batch.errors[0]["row"]) == (Status.REFUSED, 1, 1)


def test_a_wide_xlsx_is_loaded_and_marked_as_demo_when_asked(village: Settlement) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["code", "kato", "название", "2022", "2023", "2024"])
    sheet.append(["road_condition", village.kato, "Село", 40, None, 55.25])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = load(buffer.getvalue(), file_name="roads.xlsx", is_demo=True)
    assert counts(batch) == (Status.APPLIED, 1, 2, 0, 0)
    assert batch.layout == "wide"
    assert batch.is_demo
    assert sorted(IndicatorValue.objects.values_list("value", "is_demo")) == [
        (Decimal("40"), True),
        (Decimal("55.25"), True),
    ]


def test_a_long_file_costs_no_query_per_row(django_assert_max_num_queries: Any) -> None:
    villages = SettlementFactory.create_batch(20)
    codes = ["population", "births", "deaths", "arrivals", "departures"]
    lines = "".join(
        f"{code},{v.kato},{year},{n}\n" for n, v in enumerate(villages) for code in codes for year in (2023, 2024)
    )
    data = f"code,kato,period,value\n{lines}".encode()
    with django_assert_max_num_queries(25):
        batch = load(data)
    assert batch.created == 200
    with django_assert_max_num_queries(15):
        again = load(data)
    assert again.unchanged == 200
