"""The public scorecard pages and their CSV and XLSX exports."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kenes.accountability.tests.factories import SCRIPT, sent_recommendation
from kenes.councils.models import Council
from kenes.councils.tests.factories import CouncilFactory, PilotFactory
from kenes.meetings.models import Recommendation
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def speaking(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def en(client: Client) -> Client:
    return speaking(client, "en")


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert SCRIPT not in html
    assert "<script>alert(" not in html
    return html


def half_on_time(council: Council | None = None, *, took: int = 0, **fields) -> Council:
    """Two recommendations sent 40 days ago (their 15 working days are over): one answered `took`
    calendar days after it was sent (within its deadline), one still waiting, so overdue. On time:
    1 of 2 = 50.0 %."""
    sent_on = timezone.localdate() - datetime.timedelta(days=40)
    answered = sent_recommendation(council=council, sent_on=sent_on, **fields)
    council = answered.council
    Recommendation.objects.filter(pk=answered.pk).update(
        status="answered", answered_on=sent_on + datetime.timedelta(days=took), answer_kind="accepted"
    )
    sent_recommendation(council=council, sent_on=sent_on, **fields)
    return council


def okrug_url(council: Council, **query: str) -> str:
    url = reverse("accountability:okrug_scorecard", args=[council.okrug.kato])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


# The index ---------------------------------------------------------------------------------------


def test_the_index_links_pilots_and_the_districts_that_have_councils(en: Client):
    council = CouncilFactory.create()
    pilot = PilotFactory.create()
    empty = DistrictFactory.create()

    html = page(en.get(reverse("accountability:scorecards")))

    assert reverse("accountability:district_scorecard", args=[council.okrug.district.kato]) in html
    assert reverse("accountability:pilot_scorecard", args=[pilot.pk]) in html
    assert reverse("accountability:district_scorecard", args=[empty.kato]) not in html


def test_the_index_needs_no_login(client: Client):
    assert client.get(reverse("accountability:scorecards")).status_code == 200


# The okrug page ----------------------------------------------------------------------------------


def test_the_okrug_page_shows_the_figures_in_a_table_screen_readers_can_follow(en: Client):
    council = half_on_time()

    html = page(en.get(okrug_url(council)))

    assert "<caption>" in html
    assert '<th scope="row">Answered on time</th>' in html
    assert "50.0&nbsp;%" in html
    assert "(1 of 2)" in html
    assert "How these are counted" in html
    assert 'aria-current="page"' in html  # breadcrumbs
    assert reverse("accountability:district_scorecard", args=[council.okrug.district.kato]) in html


def test_figures_follow_the_kazakh_number_format(client: Client):
    council = half_on_time()
    Council.objects.filter(pk=council.pk).update(population=12400, population_year=2025)

    html = page(speaking(client, "kk").get(okrug_url(council)))

    assert "50,0&nbsp;%" in html  # decimal comma
    assert "12\xa0400" in html  # thousands grouped with a no-break space


def test_an_unknown_okrug_or_one_without_a_council_is_not_found(client: Client):
    assert client.get(reverse("accountability:okrug_scorecard", args=["999999999"])).status_code == 404
    assert client.get(reverse("accountability:okrug_scorecard", args=[OkrugFactory.create().kato])).status_code == 404


def test_the_year_filter_counts_only_recommendations_sent_that_year(en: Client):
    council = CouncilFactory.create(established_on=datetime.date(THIS_YEAR - 2, 3, 1))
    sent_recommendation(council=council, sent_on=datetime.date(THIS_YEAR - 1, 6, 1), proposals=0)
    sent_recommendation(council=council, sent_on=datetime.date(THIS_YEAR - 1, 6, 2), proposals=0)
    sent_recommendation(council=council, sent_on=datetime.date(THIS_YEAR, 1, 5), proposals=0)

    every_year = page(en.get(okrug_url(council)))
    last_year = page(en.get(okrug_url(council, year=str(THIS_YEAR - 1))))

    assert '<th scope="row">Recommendations sent</th><td class="num">3</td>' in every_year
    assert '<th scope="row">Recommendations sent</th><td class="num">2</td>' in last_year
    assert f'<option value="{THIS_YEAR - 1}" selected>' in last_year
    assert f'<option value="{THIS_YEAR - 2}">' in last_year  # from the year the council was established


@pytest.mark.parametrize("bad", ["abc", "99999", "1999"])
def test_a_year_that_is_not_one_is_ignored_with_a_note(en: Client, bad: str):
    council = CouncilFactory.create()
    sent_recommendation(council=council, sent_on=datetime.date(THIS_YEAR - 1, 6, 1), proposals=0)
    sent_recommendation(council=council, proposals=0)

    html = page(en.get(okrug_url(council, year=bad)))

    assert "is not a year between 2000 and 2100, so all years are shown." in html
    assert '<th scope="row">Recommendations sent</th><td class="num">2</td>' in html


def test_the_year_note_escapes_what_was_typed(en: Client):
    council = CouncilFactory.create()

    html = page(en.get(okrug_url(council), {"year": "<script>alert(1)</script>"}))

    assert "&lt;script&gt;" in html


# Exports -----------------------------------------------------------------------------------------


def test_the_okrug_scorecard_downloads_as_csv(client: Client):
    council = half_on_time()

    response = client.get(okrug_url(council, year=str(THIS_YEAR), format="csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    expected = f'attachment; filename="scorecard-okrug-{council.okrug.kato}-{THIS_YEAR}.csv"'
    assert response["Content-Disposition"] == expected
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][0] == council.okrug.name
    assert rows[1][1] == council.okrug.kato


def test_the_csv_has_machine_readable_numbers_in_every_language(client: Client):
    council = half_on_time()

    response = speaking(client, "kk").get(okrug_url(council, format="csv"))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = rows[1]
    assert response["Content-Disposition"].endswith(f'scorecard-okrug-{council.okrug.kato}-all.csv"')
    assert "50.0" in values  # on time, %: a dot, whatever the page language
    assert "2" in values  # sent
    assert values[-1] == ""  # not demo data


def test_the_okrug_scorecard_downloads_as_xlsx(en: Client):
    council = half_on_time()

    response = en.get(okrug_url(council, format="xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="scorecard-okrug-{council.okrug.kato}-all.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in rows if row and row[0] == "Territory")
    data = rows[rows.index(header) + 1]
    assert data[header.index("Recommendations sent")] == 2
    assert data[header.index("Answered on time, %")] == 50.0
    assert data[header.index("Median working days to answer")] == 0.0
    assert not any(row and row[0] and "DEMO DATA" in str(row[0]) for row in rows)


def test_an_unknown_format_shows_the_page(client: Client):
    council = CouncilFactory.create()

    response = client.get(okrug_url(council, format="pdf"))

    assert response["Content-Type"].startswith("text/html")


# Demo data ---------------------------------------------------------------------------------------


def test_figures_from_demo_data_carry_the_label_on_the_page_and_in_the_exports(en: Client):
    council = half_on_time(is_demo=True)

    html = page(en.get(okrug_url(council)))
    csv_rows = list(csv.reader(io.StringIO(en.get(okrug_url(council, format="csv")).content.decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(en.get(okrug_url(council, format="xlsx")).content)).active
    assert workbook is not None
    first_column = [row[0] for row in workbook.iter_rows(values_only=True)]

    assert 'class="demo-note"' in html
    assert csv_rows[0][-1] == "DEMO DATA"
    assert csv_rows[1][-1] == "DEMO DATA"
    assert any(isinstance(value, str) and value.startswith("DEMO DATA") for value in first_column)


def test_real_figures_carry_no_demo_label(en: Client):
    council = half_on_time()

    assert 'class="demo-note"' not in page(en.get(okrug_url(council)))


def test_a_demo_council_marks_its_district_page(en: Client):
    council = CouncilFactory.create(is_demo=True)

    html = page(en.get(reverse("accountability:district_scorecard", args=[council.okrug.district.kato])))

    assert 'class="demo-note"' in html


# The district page -------------------------------------------------------------------------------


def test_the_district_page_has_a_total_and_a_row_per_okrug(en: Client):
    district = DistrictFactory.create()
    first = half_on_time(CouncilFactory.create(okrug=OkrugFactory.create(district=district)))
    second = CouncilFactory.create(okrug=OkrugFactory.create(district=district))
    sent_recommendation(council=second, proposals=0)

    html = page(en.get(reverse("accountability:district_scorecard", args=[district.kato])))

    assert reverse("accountability:okrug_scorecard", args=[first.okrug.kato]) in html
    assert reverse("accountability:okrug_scorecard", args=[second.okrug.kato]) in html
    assert "<tfoot>" in html
    assert '<th scope="row">Recommendations sent</th><td class="num">3</td>' in html  # the total


def test_the_district_page_reads_a_fixed_number_of_queries(client: Client, django_assert_max_num_queries):
    """5 okrugs × 4 recommendations: the queries do not grow with the rows. (The working-day
    calendar reads its overrides once per calendar year the answers span: one or two here.)"""
    district = DistrictFactory.create()
    for _ in range(5):
        council = CouncilFactory.create(okrug=OkrugFactory.create(district=district))
        for took in (3, 10):
            half_on_time(council, took=took)
    url = reverse("accountability:district_scorecard", args=[district.kato])

    with django_assert_max_num_queries(8):
        page(client.get(url))
    with django_assert_max_num_queries(8):
        assert client.get(url + "?format=xlsx").status_code == 200


def test_a_district_without_councils_says_there_is_nothing_to_count(en: Client):
    html = page(en.get(reverse("accountability:district_scorecard", args=[DistrictFactory.create().kato])))

    assert "No councils in this district yet" in html


def test_an_unknown_district_is_not_found(client: Client):
    assert client.get(reverse("accountability:district_scorecard", args=["999900000"])).status_code == 404


def test_the_district_downloads_with_its_total_first(client: Client):
    district = DistrictFactory.create()
    council = half_on_time(CouncilFactory.create(okrug=OkrugFactory.create(district=district)))

    response = client.get(reverse("accountability:district_scorecard", args=[district.kato]) + "?format=csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [district.kato, council.okrug.kato]
    assert response["Content-Disposition"] == f'attachment; filename="scorecard-district-{district.kato}-all.csv"'


# The pilot page ----------------------------------------------------------------------------------


def test_the_pilot_page_puts_the_pilot_district_beside_the_comparison_districts(en: Client):
    pilot = PilotFactory.create()
    compared = DistrictFactory.create()
    pilot.comparison_districts.add(compared)
    half_on_time(CouncilFactory.create(okrug=OkrugFactory.create(district=pilot.district)))

    html = page(en.get(reverse("accountability:pilot_scorecard", args=[pilot.pk])))

    assert pilot.district is not None
    pilot_link = reverse("accountability:district_scorecard", args=[pilot.district.kato])
    compared_link = reverse("accountability:district_scorecard", args=[compared.kato])
    assert pilot_link in html
    assert compared_link in html
    assert html.index(pilot_link) < html.index(compared_link)
    assert '<th scope="row">Councils</th><td class="num">1</td><td class="num">0</td>' in html


def test_the_pilot_page_reads_a_fixed_number_of_queries(client: Client, django_assert_max_num_queries):
    pilot = PilotFactory.create()
    for _ in range(3):
        district = DistrictFactory.create()
        pilot.comparison_districts.add(district)
        half_on_time(CouncilFactory.create(okrug=OkrugFactory.create(district=district)), took=5)
    for _ in range(3):
        half_on_time(CouncilFactory.create(okrug=OkrugFactory.create(district=pilot.district)), took=5)

    with django_assert_max_num_queries(10):
        page(client.get(reverse("accountability:pilot_scorecard", args=[pilot.pk])))


def test_a_demo_pilot_is_labelled(en: Client):
    pilot = PilotFactory.create(is_demo=True)

    html = page(en.get(reverse("accountability:pilot_scorecard", args=[pilot.pk])))

    assert 'class="demo-note"' in html


def test_an_unknown_pilot_is_not_found(client: Client):
    assert client.get(reverse("accountability:pilot_scorecard", args=[987654])).status_code == 404


def test_the_pilot_downloads_as_xlsx(client: Client):
    pilot = PilotFactory.create()

    response = client.get(reverse("accountability:pilot_scorecard", args=[pilot.pk]) + f"?year={THIS_YEAR}&format=xlsx")

    assert response["Content-Disposition"] == f'attachment; filename="scorecard-pilot-{pilot.pk}-{THIS_YEAR}.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).active is not None
