"""Perspective villages: reading a status list (row errors for everything wrong in it), loading it
atomically and idempotently, correcting it, the share of rural people living in perspective villages
on a hand-computed district, the public page (query budget, escaping, demo label) and the command.
Settlement and district names carry `<script>`: every page read here is also an escaping test."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from kenes.core.models import AuditEntry
from kenes.core.tests.pages import assert_escaped, page, speaking
from kenes.indicators.importer import stored_errors
from kenes.indicators.models import ImportBatch, PerspectiveVillage
from kenes.indicators.perspective import STATUS_WORDS, import_perspective_villages
from kenes.indicators.perspective_selectors import perspective_share, perspective_villages_of
from kenes.territory.models import District, Settlement
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, SettlementFactory

pytestmark = pytest.mark.django_db

PERSPECTIVE = PerspectiveVillage.Status.PERSPECTIVE
OTHER = PerspectiveVillage.Status.NOT_PERSPECTIVE


def village(population: int | None = None, **fields: Any) -> Settlement:
    year = None if population is None else 2024
    return SettlementFactory.create(population=population, population_year=year, **fields)


def load(text: str, *, apply: bool = True, source: str = "Акимат облысы", name: str = "villages.csv") -> ImportBatch:
    return import_perspective_villages(
        actor=None, file=text.encode("utf-8"), file_name=name, source=source, apply=apply
    )


def status_of(settlement: Settlement) -> str:
    return PerspectiveVillage.objects.get(settlement=settlement).status


def errors_of(batch: ImportBatch) -> list[tuple[int, str, str]]:
    with translation.override("en"):
        return [(error.row, error.column, str(error.message)) for error in stored_errors(batch.errors)]


def give_status(settlement: Settlement, status: str, *, is_demo: bool = False) -> PerspectiveVillage:
    return PerspectiveVillage.objects.create(
        settlement=settlement,
        status=status,
        source="Список <script>alert(1)</script>",
        loaded_at=timezone.now(),
        is_demo=is_demo,
    )


# Reading the file --------------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "status"), sorted(STATUS_WORDS.items()))
def test_every_accepted_status_word_is_read(word: str, status: str) -> None:
    settlement = village()
    batch = load(f"kato,status\n{settlement.kato},{word.upper() if word.isascii() else word}\n")
    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    assert status_of(settlement) == status


def test_the_kazakh_and_russian_words_mean_what_they_say() -> None:
    assert STATUS_WORDS["перспективалы"] == PERSPECTIVE
    assert STATUS_WORDS["иә"] == PERSPECTIVE
    assert STATUS_WORDS["жоқ"] == OTHER
    assert STATUS_WORDS["нет"] == OTHER


def test_a_broken_file_reports_every_row_error_and_writes_nothing() -> None:
    good, retired = village(), village()
    Settlement.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    okrug, district = good.okrug, good.district
    assert okrug is not None
    not_a_settlement = "is a district or an okrug, not a settlement: only settlements have a status."
    text = "\n".join(
        [
            "kato,status,source",
            f"{okrug.kato},perspective,",
            f"{district.kato},perspective,",
            "999999999,perspective,",
            f"{retired.kato},other,",
            f"{good.kato},maybe,",
            f"{good.kato},1,",
            "12ab,1,",
            f"{good.kato},,",
        ]
    )
    batch = load(text)
    assert batch.status == ImportBatch.Status.REFUSED
    assert errors_of(batch) == [
        (
            2,
            "kato",
            f"The KATO code {okrug.kato} {not_a_settlement}",
        ),
        (
            3,
            "kato",
            f"The KATO code {district.kato} {not_a_settlement}",
        ),
        (4, "kato", "Unknown KATO code 999999999: no district, okrug or settlement has it."),
        (5, "kato", f"The KATO code {retired.kato} belongs to a retired territorial unit."),
        (6, "status", "“maybe” is not a status: write perspective or other (1 or 0)."),
        (7, "kato", f"Row 7 repeats row 6: the same KATO code {good.kato}."),
        (8, "kato", "The KATO code “12ab” is not 9 digits."),
        (9, "status", "The status is empty: write perspective or other (1 or 0)."),
        (9, "kato", f"Row 9 repeats row 6: the same KATO code {good.kato}."),
    ]
    assert batch.error_count == 9
    assert PerspectiveVillage.objects.count() == 0
    assert not AuditEntry.objects.filter(action="indicators.perspective_imported").exists()


def test_one_bad_row_keeps_the_good_rows_out_too() -> None:
    first, second = village(), village()
    batch = load(f"kato,status\n{first.kato},perspective\n{second.kato},perhaps\n")
    assert batch.status == ImportBatch.Status.REFUSED
    assert PerspectiveVillage.objects.count() == 0


def test_a_header_without_the_status_column_is_refused() -> None:
    settlement = village()
    batch = load(f"kato,value\n{settlement.kato},1\n")
    assert errors_of(batch) == [(1, "status", "The header lacks the column “status”.")]


def test_an_empty_file_is_refused_with_the_reason() -> None:
    with translation.override("en"):  # a whole-file error is stored as said, in the loader's language
        batch = load("")
    assert batch.status == ImportBatch.Status.REFUSED
    assert errors_of(batch) == [(1, "", "The file is empty.")]


def test_an_xlsx_list_is_read_like_a_csv_one() -> None:
    settlement = village()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["KATO", "Status", "Source"])
    sheet.append([int(settlement.kato), "Перспективное", "Постановление акимата"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = import_perspective_villages(actor=None, file=buffer.getvalue(), file_name="list.xlsx", apply=True)
    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    stored = PerspectiveVillage.objects.get(settlement=settlement)
    assert (stored.status, stored.source) == (PERSPECTIVE, "Постановление акимата")


# Loading -----------------------------------------------------------------------------------------


def test_a_preview_counts_and_writes_no_status() -> None:
    settlement = village()
    batch = load(f"kato,status\n{settlement.kato},1\n", apply=False)
    assert (batch.status, batch.created) == (ImportBatch.Status.PREVIEWED, 1)
    assert PerspectiveVillage.objects.count() == 0


def test_a_load_stores_each_status_with_its_source_and_is_audited() -> None:
    first, second = village(), village()
    batch = load(f"kato,status,source\n{first.kato},perspective,Row source\n{second.kato},other,\n")
    assert (batch.status, batch.rows, batch.created, batch.updated, batch.unchanged) == ("applied", 2, 2, 0, 0)
    stored = {item.settlement_id: item for item in PerspectiveVillage.objects.all()}
    assert (stored[first.pk].status, stored[first.pk].source) == (PERSPECTIVE, "Row source")
    assert (stored[second.pk].status, stored[second.pk].source) == (OTHER, "Акимат облысы")
    assert stored[first.pk].batch == batch
    entry = AuditEntry.objects.get(action="indicators.perspective_imported")
    assert entry.after is not None
    assert entry.after["created"] == 2


def test_loading_the_same_file_twice_changes_nothing() -> None:
    first, second = village(), village()
    text = f"kato,status\n{first.kato},perspective\n{second.kato},other\n"
    load(text)
    before = list(PerspectiveVillage.objects.values_list("settlement_id", "status", "source", "batch_id", "loaded_at"))
    again = load(text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    after = list(PerspectiveVillage.objects.values_list("settlement_id", "status", "source", "batch_id", "loaded_at"))
    assert after == before


def test_a_corrected_file_updates_the_status_it_changes() -> None:
    first, second = village(), village()
    load(f"kato,status\n{first.kato},perspective\n{second.kato},other\n")
    corrected = load(f"kato,status\n{first.kato},perspective\n{second.kato},да\n")
    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 1)
    assert status_of(second) == PERSPECTIVE
    assert PerspectiveVillage.objects.get(settlement=second).batch == corrected
    entry = AuditEntry.objects.filter(action="indicators.perspective_imported").order_by("-id").first()
    assert entry is not None
    assert entry.before == {"changed": {str(second.pk): [OTHER, "Акимат облысы"]}}


# The share ---------------------------------------------------------------------------------------


@pytest.fixture
def district() -> District:
    """Hand-computed: rural settlements A..F of one district; G is urban and H retired (left out).

    settlement  population  status        counted
    A           1000        perspective   yes
    B            500        other         yes
    C            300        perspective   yes
    E           unknown     perspective   yes, population unknown
    F            200        (none)        yes, no status
    G           5000        perspective   no: urban
    H            900        perspective   no: retired
    → 5 settlements, 3 perspective, 2000 people known, 1300 in perspective villages: 65.0 %.
    """
    home = DistrictFactory.create()
    one, two = OkrugFactory.create(district=home), OkrugFactory.create(district=home)
    give_status(village(1000, okrug=one), PERSPECTIVE)
    give_status(village(500, okrug=one), OTHER)
    give_status(village(300, okrug=two), PERSPECTIVE)
    give_status(village(None, okrug=two), PERSPECTIVE)
    village(200, okrug=two)
    give_status(village(5000, okrug=one, area=Settlement.Area.URBAN), PERSPECTIVE)
    retired = village(900, okrug=one)
    Settlement.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    give_status(retired, PERSPECTIVE)
    return home


def test_the_share_counts_rural_settlements_and_their_people_by_hand(district: District) -> None:
    share = perspective_share(district=district)
    assert (share.settlements, share.perspective) == (5, 3)
    assert (share.rural_population, share.population_in_perspective) == (2000, 1300)
    assert share.percent == Decimal("65.0")
    assert (share.unknown_population, share.unknown_population_perspective, share.without_status) == (1, 1, 1)
    assert share.is_demo is False


def test_the_share_of_a_region_adds_its_districts(district: District) -> None:
    neighbour = OkrugFactory.create(district=DistrictFactory.create(region=district.region))
    give_status(village(2000, okrug=neighbour), PERSPECTIVE)
    give_status(village(7000), PERSPECTIVE)  # another region
    share = perspective_share(region=district.region)
    assert (share.rural_population, share.population_in_perspective) == (4000, 3300)
    assert share.percent == Decimal("82.5")


def test_the_share_is_unknown_without_any_known_population() -> None:
    lonely = village(None)
    give_status(lonely, PERSPECTIVE, is_demo=True)
    share = perspective_share(district=lonely.district)
    assert (share.settlements, share.perspective, share.percent, share.is_demo) == (1, 1, None, True)


def test_the_district_list_gives_every_rural_settlement_its_status(district: District) -> None:
    statuses = [getattr(item, "perspective_status") for item in perspective_villages_of(district)]  # noqa: B009
    assert sorted(statuses, key=str) == sorted([PERSPECTIVE, OTHER, PERSPECTIVE, PERSPECTIVE, None], key=str)


# The page ----------------------------------------------------------------------------------------


def english() -> Client:
    return speaking(Client(), "en")


def test_the_page_lists_the_district_with_its_share_in_a_query_budget(
    district: District, django_assert_max_num_queries: Any
) -> None:
    url = reverse("indicators:perspective", args=[district.kato])
    with django_assert_max_num_queries(6):
        html = page(english().get(url))
    assert_escaped(html)
    assert 'data-figure="percent">65.0 %' in html
    assert 'data-figure="population-in-perspective">1,300' in html
    assert html.count('<th scope="row">') >= 5 + 5  # five settlements and five figures
    assert "<caption>" in html
    assert "The population of 1 rural settlement is unknown" in html
    assert "1 rural settlement has no status loaded yet" in html
    assert "DEMO DATA" not in html
    assert "&lt;script&gt;" in html


def test_the_page_says_demo_when_a_status_is_demo() -> None:
    settlement = village(100)
    give_status(settlement, PERSPECTIVE, is_demo=True)
    html = page(english().get(reverse("indicators:perspective", args=[settlement.district.kato])))
    assert "DEMO DATA" in html
    assert 'class="badge badge-demo"' in html


def test_an_unknown_district_is_not_found() -> None:
    assert english().get(reverse("indicators:perspective", args=["999999999"])).status_code == 404


def test_the_pilot_link_opens_the_pilot_district(settings: Any, district: District) -> None:
    settings.KENES_PILOT_DISTRICT = district.kato
    response = english().get(reverse("indicators:perspective_pilot"))
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:perspective", args=[district.kato])


def test_without_the_pilot_the_link_opens_the_first_district_with_a_list(settings: Any) -> None:
    settings.KENES_PILOT_DISTRICT = "000000000"
    DistrictFactory.create()
    settlement = village(100)
    give_status(settlement, OTHER)
    response = english().get(reverse("indicators:perspective_pilot"))
    assert response["Location"] == reverse("indicators:perspective", args=[settlement.district.kato])


def test_with_no_list_at_all_the_link_says_so(settings: Any) -> None:
    settings.KENES_PILOT_DISTRICT = "000000000"
    html = page(english().get(reverse("indicators:perspective_pilot")))
    assert "No perspective village list has been loaded yet." in html


def test_the_catalogue_links_to_the_perspective_villages() -> None:
    html = page(english().get(reverse("indicators:catalogue")))
    assert reverse("indicators:perspective_pilot") in html


# The command -------------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_perspective_villages", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_loads_a_list_and_prints_the_counts(tmp_path: Path) -> None:
    settlement = village()
    path = tmp_path / "villages.csv"
    path.write_text(f"kato;status\n{settlement.kato};иә\n", encoding="utf-8")
    out, _err = run(str(path), "--source", "Concept list")
    assert "Rows: 1; created 1, updated 0, unchanged 0." in out
    assert PerspectiveVillage.objects.get().source == "Concept list"
    out, _err = run(str(path), "--source", "Concept list")
    assert "Rows: 1; created 0, updated 0, unchanged 1." in out


def test_the_command_dry_run_writes_nothing(tmp_path: Path) -> None:
    settlement = village()
    path = tmp_path / "villages.csv"
    path.write_text(f"kato,status\n{settlement.kato},0\n", encoding="utf-8")
    out, _err = run(str(path), "--dry-run")
    assert "Dry run, nothing written. Rows: 1; would create 1" in out
    assert PerspectiveVillage.objects.count() == 0


def test_the_command_prints_row_errors_and_exits_with_one(tmp_path: Path) -> None:
    settlement = village()
    path = tmp_path / "villages.csv"
    path.write_text(f"kato,status\n{settlement.district.kato},1\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        run(str(path))
    assert raised.value.returncode == 1
    assert PerspectiveVillage.objects.count() == 0
