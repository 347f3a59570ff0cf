"""Indicator pages through the HTTP client: the public catalogue, the staff's upload → preview →
"Load it" → result flow (the previewed file itself is loaded, then deleted), the row errors of a
broken file, and the list of loads. Names and sources carry `<script>`: every page read here is also
an escaping test."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from kenes.accounts.models import Role, User
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.core.tests.pages import SCRIPT, assert_escaped, page, signed_in
from kenes.indicators.models import ImportBatch, Indicator, IndicatorRevision, IndicatorValue
from kenes.indicators.tests.factories import ImportBatchFactory, IndicatorFactory
from kenes.territory.models import Settlement
from kenes.territory.tests.factories import SettlementFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("indicators:import")
IMPORTS = reverse("indicators:imports")
CATALOGUE = reverse("indicators:catalogue")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def kept_uploads(settings: Any) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "indicator-uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def staff(role: str = Role.DISTRICT_ADMIN) -> User:
    person = UserFactory.create()
    grant(person, role, SettlementFactory.create().district)
    return person


def csv_file(text: str, name: str = "values.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def village() -> Settlement:
    return SettlementFactory.create()


@pytest.fixture
def population() -> Indicator:
    return IndicatorFactory.create(code="pages_population")


def long_csv(village: Settlement, *values: str) -> str:
    lines = ["code,kato,period,value"]
    lines += [f"pages_population,{village.kato},{2020 + number},{value}" for number, value in enumerate(values)]
    return "\n".join(lines) + "\n"


def preview(client: Client, text: str, *, source: str = "Statistics 2024", name: str = "values.csv") -> Any:
    return client.post(IMPORT, {"file": csv_file(text, name), "source": source})


def load_it(client: Client, batch: ImportBatch, sha256: str | None = None) -> Any:
    return client.post(IMPORT, {"batch": batch.pk, "sha256": sha256 or batch.sha256})


# The catalogue -----------------------------------------------------------------------------------


def test_the_catalogue_is_public_and_shows_name_unit_direction_source_and_definition(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    IndicatorFactory.create(code="pages_population", source=f"Bureau {SCRIPT}")
    IndicatorFactory.create(
        code="pages_deaths", name_en="Deaths here", unit_en="per 1,000", direction=Indicator.Direction.LOWER_IS_BETTER
    )
    client.cookies["kenes_language"] = "en"

    # The catalogue, the session's user, and the pilot district (with its region) for the dashboard links.
    with django_assert_max_num_queries(4):
        html = page(client.get(CATALOGUE))

    assert "Indicator" in html
    assert "&lt;script&gt;alert(&#x27;en&#x27;)" in html
    assert "people" in html
    assert "Definition &lt;script&gt;" in html
    assert "Bureau &lt;script&gt;" in html
    assert "Higher is better" in html
    assert "Deaths here" in html
    assert "per 1,000" in html
    assert "Lower is better" in html
    assert "Net migration" in html  # the seeded catalogue
    assert_escaped(html)


def test_the_catalogue_speaks_kazakh_by_default(client: Client) -> None:
    IndicatorFactory.create(code="pages_population", name_kk="Халық саны (тест)", name_en="Population (test)")

    html = page(client.get(CATALOGUE))

    assert "Халық саны (тест)" in html
    assert "Population (test)" not in html


# Who may load ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [IMPORT, IMPORTS])
def test_a_visitor_is_sent_to_log_in(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("url", [IMPORT, IMPORTS])
@pytest.mark.parametrize("role", [None, Role.AKIMAT_STAFF, Role.COUNCIL_MEMBER])
def test_people_without_an_administrators_role_are_refused(url: str, role: str | None) -> None:
    person = UserFactory.create() if role is None else staff(role)

    response = signed_in(person).get(url)

    assert response.status_code == 403
    assert "programme" in response.content.decode()


def test_uploading_is_refused_to_akimat_staff_and_writes_nothing(village: Settlement, population: Indicator) -> None:
    response = preview(signed_in(staff(Role.AKIMAT_STAFF)), long_csv(village, "120"))

    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("role", [Role.OBLAST_ADMIN, Role.DISTRICT_ADMIN, Role.PROGRAMME_STAFF])
def test_administrators_and_programme_staff_see_the_upload_form(role: str) -> None:
    html = page(signed_in(staff(role)).get(IMPORT))

    assert 'enctype="multipart/form-data"' in html
    assert 'name="file"' in html
    assert 'name="source"' in html


# Upload → preview → load ---------------------------------------------------------------------------


def test_a_long_csv_is_previewed_then_loaded_from_the_kept_file(
    settings: Any, village: Settlement, population: Indicator
) -> None:
    client = signed_in(SuperuserFactory.create())

    response = preview(client, long_csv(village, "120", '"118,5"'), source=f"Census {SCRIPT}")

    html = page(response)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert 'data-count="created">2<' in html
    assert 'data-count="updated">0<' in html
    assert "Load it" in html
    assert f'value="{batch.sha256}"' in html
    assert village.kato in html  # the first rows of the file
    assert "Census &lt;script&gt;" in html
    assert_escaped(html)
    assert not IndicatorValue.objects.exists()
    assert [path.name for path in kept_uploads(settings)] == [f"{batch.pk}-{batch.sha256}.csv"]

    html = page(load_it(client, batch))

    applied = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert applied.status == ImportBatch.Status.APPLIED
    assert applied.file_name == "values.csv"
    assert "The file is loaded" in html
    assert 'data-count="created">2<' in html
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [Decimal("118.5"), Decimal("120")]
    assert set(IndicatorValue.objects.values_list("settlement_id", "source")) == {(village.pk, f"Census {SCRIPT}")}
    assert kept_uploads(settings) == []
    assert_escaped(html)


def test_loading_the_same_preview_twice_writes_nothing_more(village: Settlement, population: Indicator) -> None:
    client = signed_in(staff(Role.PROGRAMME_STAFF))
    preview(client, long_csv(village, "120"))
    batch = ImportBatch.objects.get()
    load_it(client, batch)

    response = load_it(client, batch)

    assert response.status_code == 409
    assert "upload it again" in response.content.decode()
    assert ImportBatch.objects.count() == 2
    assert IndicatorValue.objects.count() == 1


def test_a_corrected_file_previews_the_change_and_keeps_the_old_value_in_the_history(
    village: Settlement, population: Indicator
) -> None:
    client = signed_in(staff())
    preview(client, long_csv(village, "120", "118"))
    load_it(client, ImportBatch.objects.get())

    html = page(preview(client, long_csv(village, "120", "119")))

    corrected = ImportBatch.objects.filter(status=ImportBatch.Status.PREVIEWED).latest("id")
    assert 'data-count="updated">1<' in html
    assert 'data-count="unchanged">1<' in html
    page(load_it(client, corrected))
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [Decimal("119"), Decimal("120")]
    assert IndicatorRevision.objects.get().old_value == Decimal("118")


def test_a_preview_whose_fingerprint_does_not_match_is_not_loaded(
    settings: Any, village: Settlement, population: Indicator
) -> None:
    client = signed_in(staff())
    preview(client, long_csv(village, "120"))
    batch = ImportBatch.objects.get()

    response = load_it(client, batch, sha256="0" * 64)

    assert response.status_code == 409
    assert not IndicatorValue.objects.exists()
    assert len(kept_uploads(settings)) == 1  # the right fingerprint still loads it


def test_a_kept_file_changed_on_disk_is_not_loaded(settings: Any, village: Settlement, population: Indicator) -> None:
    client = signed_in(staff())
    preview(client, long_csv(village, "120"))
    batch = ImportBatch.objects.get()
    kept_uploads(settings)[0].write_text(long_csv(village, "999"), encoding="utf-8")

    response = load_it(client, batch)

    assert response.status_code == 409
    assert not IndicatorValue.objects.exists()


def test_someone_elses_preview_cannot_be_loaded(village: Settlement, population: Indicator) -> None:
    preview(signed_in(staff()), long_csv(village, "120"))
    batch = ImportBatch.objects.get()

    response = load_it(signed_in(staff()), batch)

    assert response.status_code == 404
    assert not IndicatorValue.objects.exists()


def test_a_wide_xlsx_is_previewed_with_its_first_rows_and_loaded(
    settings: Any, village: Settlement, population: Indicator
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["code", "kato", "name", "2023", "2024"])
    sheet.append(["pages_population", village.kato, SCRIPT, 120, 118])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("wide.xlsx", buffer.getvalue())
    client = signed_in(staff(Role.PROGRAMME_STAFF))

    html = page(client.post(IMPORT, {"file": upload, "source": "Akimat"}))

    batch = ImportBatch.objects.get()
    assert batch.layout == "wide"
    assert 'data-count="created">2<' in html
    assert '<th scope="col">2024</th>' in html
    assert village.kato in html
    assert_escaped(html)
    assert [path.suffix for path in kept_uploads(settings)] == [".xlsx"]

    page(load_it(client, batch))

    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [Decimal(118), Decimal(120)]
    assert kept_uploads(settings) == []


# A broken file -----------------------------------------------------------------------------------


def test_a_broken_file_shows_its_row_errors_and_writes_nothing(
    settings: Any, village: Settlement, population: Indicator
) -> None:
    text = "\n".join(
        [
            "code,kato,period,value",
            f"pages_population,{village.kato},2023,120",
            f"no-such-code,{village.kato},2023,5",
            "pages_population,999999999,2023,5",
            f"pages_population,{village.kato},2024,many",
        ]
    )

    response = preview(signed_in(staff()), text)

    html = response.content.decode()
    assert response.status_code == 422
    assert "nothing was written" in html
    rows = html.split('<table class="table import-error-table">', 1)[1].split("</table>", 1)[0]
    assert '<td class="num">3</td><td><code>code</code></td>' in rows
    assert '<td class="num">4</td><td><code>kato</code></td>' in rows
    assert '<td class="num">5</td><td><code>value</code></td>' in rows
    assert "Load it" not in html
    assert ImportBatch.objects.get().status == ImportBatch.Status.REFUSED
    assert not IndicatorValue.objects.exists()
    assert kept_uploads(settings) == []


def test_text_from_the_file_is_escaped_in_the_errors_and_the_first_rows(village: Settlement) -> None:
    text = f"code,kato,period,value\n{SCRIPT},{village.kato},2023,{SCRIPT}\n"

    response = preview(signed_in(staff()), text)

    assert response.status_code == 422
    assert_escaped(response.content.decode())
    assert "&lt;script&gt;" in response.content.decode()


def test_a_file_that_is_not_a_table_is_refused_with_one_error(village: Settlement) -> None:
    response = preview(signed_in(staff()), "", name="empty.csv")

    assert response.status_code in (400, 422)
    assert not IndicatorValue.objects.exists()


def test_only_csv_and_xlsx_files_are_accepted(village: Settlement, population: Indicator) -> None:
    response = preview(signed_in(staff()), long_csv(village, "120"), name="values.txt")

    assert response.status_code == 400
    assert "Upload a CSV or an XLSX file." in response.content.decode()
    assert not ImportBatch.objects.exists()


# The list of loads -------------------------------------------------------------------------------


def test_the_list_shows_every_load_with_its_counts_and_status(
    village: Settlement, population: Indicator, django_assert_max_num_queries: Any
) -> None:
    person = staff(Role.OBLAST_ADMIN)
    client = signed_in(person)
    preview(client, long_csv(village, "120", "118"))
    load_it(client, ImportBatch.objects.get())
    preview(client, "code,kato,period,value\nnope,123,2020,1\n", name="broken <script>.csv")
    ImportBatchFactory.create(file_name="old.csv", loaded_by=None)

    with django_assert_max_num_queries(8):
        html = page(client.get(IMPORTS))

    assert html.count('<tr id="batch-') == 4
    assert "Applied" in html
    assert "Previewed" in html
    assert "Refused: errors in the file" in html
    assert "broken &lt;script&gt;.csv" in html
    assert "<script>.csv" not in html
    assert "command line" in html
    assert_escaped(html)
