"""The KATO importer on small files: levels, names, idempotency, retirement, XLSX, errors, command."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from kenes.core.models import AuditEntry
from kenes.territory.importers import KatoFileError, level_of, okrug_kind
from kenes.territory.models import District, Okrug, Region, Settlement, TerritorySource
from kenes.territory.normalise import clean_unit_names
from kenes.territory.services import import_default_kato, import_kato
from kenes.territory.sources import SAMPLE_KATO_PATH, resolve_kato_source

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "kato_small.csv"
HEADER = "kato,kato_version,level,type_code,name_ru,name_kk"
SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "kato" / "kato.csv"

pytestmark = pytest.mark.django_db


def small_lines() -> list[str]:
    return SMALL.read_text(encoding="utf-8").splitlines()


def write(tmp_path: Path, lines: list[str], name: str = "kato.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def without(lines: list[str], *codes: str) -> list[str]:
    return [line for line in lines if line.split(",")[0] not in codes]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Everything the importer may write, for "nothing changed" assertions."""
    fields = ("kato", "name_kk", "name_ru", "short_name_kk", "short_name_ru", "search_text", "retired_at")
    return {
        model.__name__: list(model.objects.order_by("kato").values_list(*fields))
        for model in (Region, District, Okrug, Settlement)
    } | {
        "sources": list(TerritorySource.objects.values_list("id", flat=True)),
        "audit": list(AuditEntry.objects.values_list("id", flat=True)),
    }


def test_it_places_every_row_on_its_level_under_its_parent():
    result = import_kato(path=SMALL)

    assert (result.regions, result.districts, result.okrugs, result.settlements) == (4, 6, 5, 6)
    beyterek = District.objects.get(kato="274400000")
    assert beyterek.region.kato == "270000000"
    assert not beyterek.is_city
    oral = District.objects.get(kato="271000000")
    assert oral.is_city
    village = Settlement.objects.select_related("okrug", "district").get(kato="274430100")
    assert village.okrug is not None
    assert (village.okrug.kato, village.district.kato) == ("274430000", "274400000")
    assert village.is_main
    assert village.area == Settlement.Area.RURAL
    assert not Settlement.objects.get(kato="274430209").is_main
    assert Settlement.objects.get(kato="271010100").area == Settlement.Area.URBAN


def test_a_settlement_with_no_okrug_code_sits_directly_under_its_district():
    import_kato(path=SMALL)

    settlement = Settlement.objects.get(kato="631000200")
    assert settlement.okrug is None
    assert settlement.district.kato == "631000000"


def test_the_city_districts_of_astana_become_districts_of_the_city():
    import_kato(path=SMALL)

    almaty_district = District.objects.get(kato="711110000")
    assert almaty_district.region.kato == "710000000"
    assert almaty_district.short_name_ru == "Алматы"
    assert not Okrug.objects.filter(kato="711110000").exists()


def test_each_okrug_gets_its_kind():
    import_kato(path=SMALL)

    kinds = dict(Okrug.objects.values_list("kato", "kind"))
    assert kinds == {
        "104430000": Okrug.Kind.RURAL_OKRUG,
        "271010000": Okrug.Kind.CITY,
        "271033000": Okrug.Kind.SETTLEMENT_ADMINISTRATION,
        "274430000": Okrug.Kind.RURAL_OKRUG,
        "274431000": Okrug.Kind.RURAL_OKRUG,
    }


@pytest.mark.parametrize(
    ("name_ru", "name_kk", "type_code", "kind"),
    [
        ("Деркульская п.а.", "Дерқұл к.ә.", 3, Okrug.Kind.SETTLEMENT_ADMINISTRATION),
        ("Аксайская г.а.", "Ақсай қ.ә.", 1, Okrug.Kind.TOWN_ADMINISTRATION),
        ("г.а.Алтай", "Алтай қ.ә.", 3, Okrug.Kind.TOWN_ADMINISTRATION),
        ("г.Уральск", "Орал қ.", 1, Okrug.Kind.CITY),
        ("Чапаевский с.о.", "Чапаев а.о.", 2, Okrug.Kind.RURAL_OKRUG),
        ("с.а.Тайтобе", "Тайтөбе а.ә.", 2, Okrug.Kind.RURAL_OKRUG),
        ("Әлихан Бөкейхан р.а.", "Әлихан Бөкейхан а.ә.", 3, Okrug.Kind.SETTLEMENT_ADMINISTRATION),
    ],
)
def test_the_okrug_kind_follows_its_abbreviation_then_its_type(name_ru, name_kk, type_code, kind):
    names = clean_unit_names(name_kk=name_kk, name_ru=name_ru, level="okrug")
    assert okrug_kind(names, type_code=type_code) == kind


@pytest.mark.parametrize(
    ("code", "level"),
    [("270000000", "region"), ("274400000", "district"), ("274430000", "okrug"), ("274430100", "settlement")],
)
def test_the_level_comes_from_the_code(code, level):
    assert level_of(code) == level


def test_names_are_cleaned_and_shortened_on_import():
    import_kato(path=SMALL)

    okrug = Okrug.objects.get(kato="274431000")
    assert (okrug.name_kk, okrug.name_ru) == ("Дария а.о.", "Дарьинский с.о.")
    assert (okrug.short_name_kk, okrug.short_name_ru) == ("Дария", "Дарьинский")
    assert okrug.search_text == "дария а.о. дарьинский с.о. дария дарьинский"
    kaztalov = District.objects.get(kato="274800000")
    assert (kaztalov.name_kk, kaztalov.short_name_kk) == ("Қазталов ауданы", "Қазталов")
    region = Region.objects.get(kato="270000000")
    assert (region.short_name_kk, region.short_name_ru) == ("Батыс Қазақстан", "Западно-Казахстанская область")


def test_a_second_identical_import_changes_nothing():
    first = import_kato(path=SMALL)
    before = snapshot()

    second = import_kato(path=SMALL)

    assert (first.created, first.updated, first.retired) == (21, 0, 0)
    assert (second.created, second.updated, second.retired) == (0, 0, 0)
    after = snapshot()
    assert {key: after[key] for key in ("Region", "District", "Okrug", "Settlement")} == {
        key: before[key] for key in ("Region", "District", "Okrug", "Settlement")
    }


def test_a_renamed_row_is_updated(tmp_path):
    import_kato(path=SMALL)
    lines = [line.replace("с.Переметное,Переметное а.", "с.Переметное-2,Переметное 2 а.") for line in small_lines()]

    result = import_kato(path=write(tmp_path, lines))

    assert (result.created, result.updated, result.retired) == (0, 1, 0)
    village = Settlement.objects.get(kato="274430100")
    assert (village.name_kk, village.short_name_kk, village.short_name_ru) == (
        "Переметное 2 а.",
        "Переметное 2",
        "Переметное-2",
    )
    assert "переметное-2" in village.search_text


def test_a_code_missing_from_the_file_is_retired_not_deleted_and_comes_back(tmp_path):
    import_kato(path=SMALL)

    removed = import_kato(path=write(tmp_path, without(small_lines(), "274430209")))
    village = Settlement.objects.get(kato="274430209")
    assert (removed.created, removed.updated, removed.retired) == (0, 0, 1)
    assert village.retired_at is not None

    returned = import_kato(path=SMALL)
    village.refresh_from_db()
    assert (returned.created, returned.updated, returned.retired, returned.restored) == (0, 1, 0, 1)
    assert village.retired_at is None


def test_with_a_region_only_that_region_is_read_and_retired(tmp_path):
    import_kato(path=SMALL)
    # Both a West Kazakhstan and an Abai village are missing from the new file.
    path = write(tmp_path, without(small_lines(), "274430209", "104430100"))

    result = import_kato(path=path, region="27")

    assert (result.regions, result.created, result.updated, result.retired) == (1, 0, 0, 1)
    assert Settlement.objects.get(kato="274430209").retired_at is not None
    assert Settlement.objects.get(kato="104430100").retired_at is None
    assert TerritorySource.objects.get(pk=result.source.pk).region_filter == "27"


def test_a_region_import_loads_only_that_oblast():
    result = import_kato(path=SMALL, region="27")

    assert result.rows == 12
    assert list(Region.objects.values_list("kato", flat=True)) == ["270000000"]
    for model in (District, Okrug, Settlement):
        assert all(code.startswith("27") for code in model.objects.values_list("kato", flat=True))


@pytest.mark.skipif(not SHARED.is_file(), reason=f"the shared national classifier is not at {SHARED}")
def test_region_27_of_the_national_file_loads_only_west_kazakhstan():
    result = import_kato(path=SHARED, region="27")

    assert (result.regions, result.districts, result.okrugs, result.settlements) == (1, 13, 152, 1833)
    assert Region.objects.get().short_name_kk == "Батыс Қазақстан"
    assert Okrug.objects.filter(kind=Okrug.Kind.RURAL_OKRUG).count() == 147
    assert not Settlement.objects.exclude(kato__startswith="27").exists()


def test_each_import_is_recorded_as_a_source_and_an_audit_row():
    result = import_kato(path=SMALL)

    source = TerritorySource.objects.get()
    assert source == result.source
    assert (source.kind, source.created, source.updated, source.retired) == ("file", 21, 0, 0)
    assert source.label == "KATO NK RK 11-2025 · kato_small.csv"
    assert len(source.sha256) == 64
    entry = AuditEntry.objects.get(action="territory.imported")
    assert entry.actor is None
    assert entry.target_id == str(source.pk)
    assert entry.after is not None
    assert (entry.after["created"], entry.after["settlements"]) == (21, 6)


def xlsx_from_csv(tmp_path: Path, lines: list[str]) -> Path:
    """The official workbook's shape: te, ab, cd, ef, hij, k, kaz_name, rus_name, nn; numbers as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["te", "ab", "cd", "ef", "hij", "k", "kaz_name", "rus_name", "nn"])
    for record in csv.DictReader(io.StringIO("\n".join(lines))):
        code = record["kato"]
        sheet.append(
            [int(code), code[:2], code[2:4], code[4:6], code[6:], int(record["type_code"]), record["name_kk"],
             record["name_ru"], None]
        )  # fmt: skip
    path = tmp_path / "kato.xlsx"
    workbook.save(path)
    return path


def test_the_xlsx_workbook_gives_the_same_rows_as_the_csv(tmp_path):
    from_xlsx = import_kato(path=xlsx_from_csv(tmp_path, small_lines()))
    rows = snapshot()

    from_csv = import_kato(path=SMALL)

    assert (from_xlsx.created, from_xlsx.rows) == (21, 21)
    assert (from_csv.created, from_csv.updated, from_csv.retired) == (0, 0, 0)
    assert snapshot()["Okrug"] == rows["Okrug"]
    assert Okrug.objects.get(kato="274431000").name_kk == "Дария а.о."


MALFORMED_CSV = [
    # (case, how the lines are changed, the row the error must name, the error code)
    ("bad code", lambda ls: [*ls[:3], ls[3].replace("104430000", "10443000X"), *ls[4:]], 4, "kato_bad_code"),
    ("missing column", lambda ls: [ls[0].replace(",name_kk", ""), *[ln.rsplit(",", 1)[0] for ln in ls[1:]]], 1,
     "kato_missing_column"),
    ("settlement without its district", lambda ls: [*ls, "274900100,NK RK 11-2025,settlement,2,с.Тест,Тест а."], 23,
     "kato_parent_missing"),
    ("wrong number of columns", lambda ls: [*ls[:5], ls[5] + ",extra", *ls[6:]], 6, "kato_column_count"),
    ("duplicate code", lambda ls: [*ls, ls[12]], 23, "kato_duplicate_code"),
    ("bad type code", lambda ls: [*ls[:2], ls[2].replace(",2,", ",two,"), *ls[3:]], 3, "kato_bad_type_code"),
    ("empty name", lambda ls: [*ls[:4], ls[4].replace("Көкпекті а.", " "), *ls[5:]], 5, "kato_empty_name"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "change", "row", "code"), MALFORMED_CSV, ids=[c[0] for c in MALFORMED_CSV])
def test_a_malformed_csv_names_the_row_and_changes_nothing(tmp_path, case, change, row, code):
    import_kato(path=SMALL)
    before = snapshot()
    path = write(tmp_path, change(small_lines()))

    with translation.override("en"), pytest.raises(KatoFileError) as raised:
        import_kato(path=path)

    assert (raised.value.row, raised.value.code) == (row, code)
    assert f"Row {row}:" in str(raised.value)
    assert snapshot() == before


def test_a_malformed_xlsx_names_the_row_and_changes_nothing(tmp_path):
    import_kato(path=SMALL)
    before = snapshot()
    path = xlsx_from_csv(tmp_path, small_lines())
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    sheet["D7"] = "99"  # row 7's ef part no longer matches its code
    workbook.save(path)

    with translation.override("en"), pytest.raises(KatoFileError) as raised:
        import_kato(path=path)

    assert (raised.value.row, raised.value.code) == (7, "kato_code_parts_mismatch")
    assert snapshot() == before


def test_an_xlsx_without_the_code_column_is_refused(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ab", "k", "kaz_name", "rus_name"])
    sheet.append(["27", 0, "Батыс Қазақстан облысы", "Западно-Казахстанская область"])
    path = tmp_path / "kato.xlsx"
    workbook.save(path)

    with pytest.raises(KatoFileError) as raised:
        import_kato(path=path)

    assert (raised.value.row, raised.value.code) == (1, "kato_missing_column")
    assert not Region.objects.exists()


def test_a_missing_file_or_a_bad_region_is_refused(tmp_path):
    with pytest.raises(KatoFileError) as missing:
        import_kato(path=tmp_path / "absent.csv")
    with pytest.raises(KatoFileError) as bad_region:
        import_kato(path=SMALL, region="2")
    with pytest.raises(KatoFileError) as empty_region:
        import_kato(path=SMALL, region="55")

    assert (missing.value.code, bad_region.value.code, empty_region.value.code) == (
        "kato_file_missing",
        "kato_bad_region",
        "kato_region_empty",
    )
    assert not TerritorySource.objects.exists()


def test_the_command_prints_the_counts():
    out = io.StringIO()

    with translation.override("en"):
        call_command("import_kato", str(SMALL), "--region", "27", stdout=out)

    assert out.getvalue().splitlines() == [
        "Source: KATO NK RK 11-2025 · kato_small.csv. Rows: 12 (regions 1, districts 3, okrugs 4, settlements 4).",
        "Created: 12, updated: 0, retired: 0.",
    ]


def test_the_command_fails_with_the_row_of_a_malformed_file(tmp_path):
    path = write(tmp_path, [HEADER, "27000000,NK RK 11-2025,oblast,0,Западно-Казахстанская область,Батыс"])

    with translation.override("en"), pytest.raises(CommandError, match=r"Row 2: the KATO code “27000000”"):
        call_command("import_kato", str(path), stdout=io.StringIO())

    assert not Region.objects.exists()


def test_the_default_source_is_the_setting_then_the_shared_file_then_the_sample(settings, tmp_path):
    settings.KENES_KATO_FILE = str(SMALL)
    assert (resolve_kato_source().kind, resolve_kato_source().path) == ("file", SMALL)

    settings.KENES_KATO_FILE = ""
    settings.KENES_SHARED_DATA = tmp_path
    (tmp_path / "kato").mkdir()
    (tmp_path / "kato" / "kato.csv").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    assert resolve_kato_source().kind == "shared"
    assert "Serzhan Akhmetov" in resolve_kato_source().label

    settings.KENES_SHARED_DATA = tmp_path / "nowhere"
    assert (resolve_kato_source().kind, resolve_kato_source().path) == ("sample", SAMPLE_KATO_PATH)


def test_the_bundled_sample_holds_two_west_kazakhstan_districts(settings, tmp_path):
    settings.KENES_KATO_FILE = ""
    settings.KENES_SHARED_DATA = tmp_path

    result = import_default_kato()

    assert result.source.kind == "sample"
    assert (result.regions, result.districts, result.okrugs, result.settlements) == (1, 2, 40, 113)
    assert set(District.objects.values_list("short_name_kk", flat=True)) == {"Бәйтерек", "Ақжайық"}
    assert not Settlement.objects.filter(is_main=False).exists()
    assert not Settlement.objects.filter(okrug__isnull=True).exists()


def test_the_command_without_a_path_uses_the_default_source(settings, tmp_path):
    settings.KENES_KATO_FILE = ""
    settings.KENES_SHARED_DATA = tmp_path

    call_command("import_kato", stdout=io.StringIO())

    assert TerritorySource.objects.get().kind == "sample"
    assert District.objects.count() == 2
