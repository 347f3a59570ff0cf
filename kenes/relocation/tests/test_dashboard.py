"""The programme dashboard: arithmetic on a hand-computed programme, its query budget, the page and the CSV.

The programme (as of TODAY = 1 March 2026):
- district A (okrugs A1, A2), district B (okrug B1);
- four moves: 4 people (2 children, 1 employed) to A1 on 10 Jan 2025, still there at 6 months, not
  checked at 12 though due; 3 (1, 2) to A1 on 5 Feb 2025, left at 6 months; 5 (3, 2) to B1 on
  20 Feb 2025, there at 6 and 12 months; 2 (0, 1) to B1 on 1 Dec 2025, its 6 months not come.
  → families 4, people 14, children 6, employed 6; at 6 months 2 of 3 still there = 66.7 %, none due
  unchecked; at 12 months 1 of 1 = 100.0 %, one due unchecked (the first family).
- open vacancies: veterinarian 2 + 3 positions in A1, teacher 1 in A2, veterinarian 4 in B1; an
  expired (10), a closed (7) and a draft (9) veterinarian do not count → A: veterinarian 5,
  teacher 1; B: veterinarian 4; 10 positions open.
- housing in A1 and the 2-position veterinarian have an applicant → 3 offers without applicants.
- programme settlements: A1's village (on the border: 3 offers open) and B1's (1 open).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kenes.core.calendar import add_months
from kenes.relocation.dashboard import programme_dashboard
from kenes.relocation.models import Application, Move, Offer, ProgrammeSettlement, RetentionCheck
from kenes.relocation.tests.factories import (
    ApplicantFactory,
    MoveFactory,
    housing_offer,
    vacancy_offer,
)
from kenes.territory.models import District, Settlement
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

TODAY = datetime.date(2026, 3, 1)


@dataclass
class Programme:
    district_a: District
    district_b: District
    village_a1: Settlement
    village_a2: Settlement
    village_b1: Settlement
    moves: list[Move]
    offers: dict[str, Offer]


def _move(village: Settlement, moved_on: datetime.date, size: int, children: int, employed: int) -> Move:
    return MoveFactory.create(
        application=None,
        applicant=ApplicantFactory.create(),
        settlement=village,
        moved_on=moved_on,
        household_size=size,
        children=children,
        employed=employed,
    )


def _check(move: Move, months: int, *, still_there: bool) -> None:
    checked_on = add_months(move.moved_on, months)
    RetentionCheck.objects.create(
        move=move, months=months, checked_on=checked_on, still_there=still_there, checked_by=move.recorded_by
    )
    if not still_there:
        Move.objects.filter(pk=move.pk).update(status=Move.Status.LEFT, left_on=checked_on, left_reason="жұмыс жоқ")


def make_programme() -> Programme:
    region = RegionFactory.create()
    district_a = DistrictFactory.create(region=region)
    district_b = DistrictFactory.create(region=region)
    a1, a2 = OkrugFactory.create(district=district_a), OkrugFactory.create(district=district_a)
    b1 = OkrugFactory.create(district=district_b)
    village_a1, village_a2, village_b1 = (SettlementFactory.create(okrug=okrug) for okrug in (a1, a2, b1))

    first = _move(village_a1, datetime.date(2025, 1, 10), 4, 2, 1)
    second = _move(village_a1, datetime.date(2025, 2, 5), 3, 1, 2)
    third = _move(village_b1, datetime.date(2025, 2, 20), 5, 3, 2)
    fourth = _move(village_b1, datetime.date(2025, 12, 1), 2, 0, 1)
    _check(first, 6, still_there=True)
    _check(second, 6, still_there=False)
    _check(third, 6, still_there=True)
    _check(third, 12, still_there=True)

    offers = {
        "vet_a1_2": vacancy_offer("veterinarian", positions=2, settlement=village_a1),
        "vet_a1_3": vacancy_offer("veterinarian", positions=3, settlement=village_a1),
        "teacher_a2": vacancy_offer("teacher", positions=1, settlement=village_a2),
        "vet_b1": vacancy_offer("veterinarian", positions=4, settlement=village_b1),
        "housing_a1": housing_offer(settlement=village_a1),
        "expired": vacancy_offer(
            "veterinarian",
            positions=10,
            settlement=village_a1,
            expires_on=TODAY.replace(day=1) - datetime.timedelta(days=1),
        ),
        "closed": vacancy_offer("veterinarian", positions=7, settlement=village_b1, status=Offer.Status.CLOSED),
        "draft": vacancy_offer("veterinarian", positions=9, settlement=village_b1, status=Offer.Status.DRAFT),
    }
    for key in ("vet_a1_2", "housing_a1"):
        Application.objects.create(applicant=ApplicantFactory.create(), offer=offers[key])
    ProgrammeSettlement.objects.create(settlement=village_a1, joined_on=datetime.date(2024, 3, 1), is_border=True)
    ProgrammeSettlement.objects.create(settlement=village_b1, joined_on=datetime.date(2024, 6, 1))
    return Programme(
        district_a=district_a,
        district_b=district_b,
        village_a1=village_a1,
        village_a2=village_a2,
        village_b1=village_b1,
        moves=[first, second, third, fourth],
        offers=offers,
    )


@pytest.fixture
def programme(db: None) -> Programme:
    return make_programme()


def _vacancies(rows: list[Any]) -> set[tuple[str, str, int, int]]:
    return {(row.kato, row.profession_code, row.vacancies, row.positions) for row in rows}


# The arithmetic -----------------------------------------------------------------------------------


def test_it_counts_families_people_children_and_the_employed(programme):
    figures = programme_dashboard(today=TODAY)

    assert (figures.families, figures.people, figures.children, figures.employed) == (4, 14, 6, 6)


def test_retention_is_the_share_still_there_among_the_checked_at_each_mark(programme):
    figures = programme_dashboard(today=TODAY)

    six, twelve = figures.retention_at(6), figures.retention_at(12)
    assert (six.checked, six.still_there, six.left, six.percent, six.due_unchecked) == (3, 2, 1, 66.7, 0)
    assert (twelve.checked, twelve.still_there, twelve.percent, twelve.due_unchecked) == (1, 1, 100.0, 1)


def test_a_mark_not_yet_come_is_not_due(programme):
    figures = programme_dashboard(today=datetime.date(2025, 7, 1))

    # The first family's 6 months end on 10 July; the others are checked or not there yet.
    assert figures.retention_at(12).due_unchecked == 0
    assert figures.retention_at(6).due_unchecked == 0


def test_retention_has_no_percent_before_any_check(db):
    figures = programme_dashboard(today=TODAY)

    assert figures.retention_at(6).percent is None
    assert figures.families == 0


def test_open_vacancies_sum_positions_by_profession_per_district_and_per_okrug(programme):
    figures = programme_dashboard(today=TODAY)

    a, b = programme.district_a.kato, programme.district_b.kato
    assert _vacancies(figures.vacancies_by_district) == {
        (a, "veterinarian", 2, 5),
        (a, "teacher", 1, 1),
        (b, "veterinarian", 1, 4),
    }
    a1, a2, b1 = (village.okrug.kato for village in (programme.village_a1, programme.village_a2, programme.village_b1))
    assert _vacancies(figures.vacancies_by_okrug) == {
        (a1, "veterinarian", 2, 5),
        (a2, "teacher", 1, 1),
        (b1, "veterinarian", 1, 4),
    }
    assert figures.open_positions == 10


def test_the_largest_row_has_the_full_bar(programme):
    figures = programme_dashboard(today=TODAY)

    bars = {(row.profession_code, row.positions): row.bar for row in figures.vacancies_by_district}
    assert bars == {("veterinarian", 5): 100, ("teacher", 1): 20, ("veterinarian", 4): 80}


def test_offers_without_applicants_leave_out_those_applied_to_and_those_not_open(programme):
    figures = programme_dashboard(today=TODAY)

    expected = {programme.offers[key].pk for key in ("vet_a1_3", "teacher_a2", "vet_b1")}
    assert {offer.id for offer in figures.offers_without_applicants} == expected


def test_moves_are_counted_by_district_and_by_month(programme):
    figures = programme_dashboard(today=TODAY)

    assert [(row.kato, row.families, row.people) for row in figures.moves_by_district] == sorted(
        [(programme.district_a.kato, 2, 7), (programme.district_b.kato, 2, 7)]
    )
    assert [(row.territory, row.families, row.people, row.children) for row in figures.moves_by_month] == [
        ("2025-01", 1, 4, 2),
        ("2025-02", 2, 8, 4),
        ("2025-12", 1, 2, 0),
    ]


def test_the_settlement_list_counts_the_offers_open_in_each(programme):
    figures = programme_dashboard(today=TODAY)

    assert [(row.kato, row.is_border, row.open_offers) for row in figures.settlements] == sorted(
        [(programme.village_a1.kato, True, 3), (programme.village_b1.kato, False, 1)]
    )
    assert figures.border_settlements == 1


def test_a_year_counts_only_the_moves_of_that_year(programme):
    figures = programme_dashboard(year=2026, today=TODAY)

    assert (figures.families, figures.people) == (0, 0)
    assert figures.open_positions == 10  # vacancies are open now, whatever the year


def test_a_district_narrows_every_figure(programme):
    figures = programme_dashboard(district=programme.district_b, today=TODAY)

    assert (figures.families, figures.people, figures.children) == (2, 7, 3)
    assert figures.open_positions == 4
    assert [row.kato for row in figures.settlements] == [programme.village_b1.kato]
    assert {offer.id for offer in figures.offers_without_applicants} == {programme.offers["vet_b1"].pk}


def test_a_region_narrows_to_its_districts(programme):
    elsewhere = programme_dashboard(region=RegionFactory.create(), today=TODAY)

    assert (elsewhere.families, elsewhere.open_positions, elsewhere.settlements) == (0, 0, [])


def test_it_is_demo_when_any_row_is(programme):
    assert programme_dashboard(today=TODAY).is_demo is False

    Move.objects.filter(pk=programme.moves[0].pk).update(is_demo=True)

    assert programme_dashboard(today=TODAY).is_demo is True


def test_the_query_count_does_not_grow_with_the_rows(programme, django_assert_num_queries):
    with django_assert_num_queries(5):
        programme_dashboard(today=TODAY)
    make_programme()
    with django_assert_num_queries(5):
        figures = programme_dashboard(today=TODAY)
    assert figures.families == 8


def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month():
    assert add_months(datetime.date(2025, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2025, 1, 10), 12) == datetime.date(2026, 1, 10)


# The page and the CSV -----------------------------------------------------------------------------


@pytest.fixture
def client(client: Client) -> Client:
    """The pages in English, so the assertions read the English labels."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_page_speaks_kazakh_first(programme):
    response = Client().get(reverse("relocation:dashboard"))

    assert "66,7" in response.content.decode()


def test_the_public_page_shows_the_figures_within_its_query_budget(client, programme, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("relocation:dashboard"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "DEMO DATA" not in page
    assert "66.7" in page
    assert "<script>alert" not in page  # names carry <script>: escaped
    assert "&lt;script&gt;" in page
    assert response.context["figures"].people == 14


def test_the_page_and_the_csv_label_demo_figures(client, programme):
    Move.objects.filter(pk=programme.moves[0].pk).update(is_demo=True)

    page = client.get(reverse("relocation:dashboard"))
    export = client.get(reverse("relocation:dashboard"), {"format": "csv"})

    assert "DEMO DATA" in page.content.decode()
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("DEMO DATA:")
    assert rows[2:]
    assert all(row[-1] == "DEMO DATA" for row in rows[2:])


def test_the_csv_holds_the_same_figures(client, programme):
    response = client.get(reverse("relocation:dashboard"), {"format": "csv", "district": programme.district_a.kato})

    assert response["Content-Type"].startswith("text/csv")
    assert f"relocation-dashboard-{programme.district_a.kato}-all.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Item", "KATO code", "Measure", "Value", "DEMO DATA"]
    values = {(row[0], row[3]): row[4] for row in rows[1:] if row[0] == "Moves"}
    assert values[("Moves", "Families moved")] == "2"
    assert values[("Moves", "People moved")] == "7"
    vets = [row for row in rows if row[0] == "Open vacancies by district"]
    assert [(row[2], row[4]) for row in vets] == [(programme.district_a.kato, "5"), (programme.district_a.kato, "1")]


def test_a_filter_that_is_not_one_is_ignored_with_a_note(client, programme):
    response = client.get(reverse("relocation:dashboard"), {"year": "abc", "district": "999999999"})

    assert response.status_code == 200
    assert response.context["figures"].families == 4
    assert "not understood" in response.content.decode()


def test_the_page_needs_no_login_and_takes_no_post(client, db):
    assert client.get(reverse("relocation:dashboard")).status_code == 200
    assert client.post(reverse("relocation:dashboard")).status_code == 405
