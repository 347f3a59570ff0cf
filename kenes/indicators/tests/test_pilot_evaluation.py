"""The pilot's evaluation read from the database: the yearly series gathered for each outcome, the
estimate on them, the page, its downloads and the API."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import override

from kenes.core.tests.pages import assert_escaped, page, speaking
from kenes.councils.tests.factories import CouncilFactory, PilotFactory
from kenes.indicators.pilot_evaluation import evaluate_pilot, parse_level
from kenes.indicators.tests.factories import catalogue_indicator, yearly_value
from kenes.proposals.models import Status
from kenes.proposals.tests.factories import ProposalFactory
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 6)

# Net migration per 1,000 residents by year (population 1,000 everywhere, so the rate is the count):
# the worked example of test_evaluation.py. The pilot starts in 2025: 2023–2024 before, 2025–2026 after.
#   pilot P: before 10, 12 (mean 11), after 15, 17 (mean 16): change +5
#   A: 8, 10 → 10, 12: +2;  B: 20, 20 → 23, 23: +3;  C: 5, 7 → 7, 7: +1;  comparison mean +2
#   estimate 5 − 2 = 3; s² = (0² + 1² + 1²) / (4 − 2) = 1; SE = √(1 + 1/3) = 1.1547; t(0.975, 2) = 4.3027
#   95 % interval 3 ± 4.9683 = (−1.9683, 7.9683): it includes zero, so "no clear difference".
MIGRATION = {
    "P": [10, 12, 15, 17],
    "A": [8, 10, 10, 12],
    "B": [20, 20, 23, 23],
    "C": [5, 7, 7, 7],
}
YEARS = [2023, 2024, 2025, 2026]


@pytest.fixture
def pilot():
    net_migration = catalogue_indicator("net_migration")
    population = catalogue_indicator("population")
    districts = {}
    for name, values in MIGRATION.items():
        district = DistrictFactory.create()
        districts[name] = district
        for year, value in zip(YEARS, values, strict=True):
            yearly_value(district, net_migration, year, value)
            yearly_value(district, population, year, 1000)
    made = PilotFactory.create(district=districts["P"], starts_on=datetime.date(2025, 4, 1))
    made.comparison_districts.set([districts["A"], districts["B"], districts["C"]])
    return made


def test_net_migration_per_1000_is_gathered_by_year_for_the_pilot_and_each_comparison_district(pilot):
    result = evaluate_pilot(pilot, today=TODAY)

    outcome = result.outcome("net_migration")
    assert outcome.years == YEARS
    assert [unit.treated for unit in outcome.units] == [True, False, False, False]
    assert [outcome.units[0].values[year] for year in YEARS] == [10.0, 12.0, 15.0, 17.0]
    assert sorted(tuple(unit.values[year] for year in YEARS) for unit in outcome.units[1:]) == sorted(
        tuple(float(value) for value in values) for name, values in MIGRATION.items() if name != "P"
    )


def test_the_estimate_on_the_gathered_series_is_the_hand_computed_one(pilot):
    with override("en"):
        result = evaluate_pilot(pilot, today=TODAY)

    estimate = result.outcome("net_migration").estimate
    assert estimate.status == "estimated"
    assert estimate.effect == pytest.approx(3.0)
    assert estimate.low == pytest.approx(-1.9683, abs=1e-4)
    assert estimate.high == pytest.approx(7.9683, abs=1e-4)
    assert estimate.pre_years == (2023, 2024)
    assert estimate.post_years == (2025, 2026)
    reading = result.outcome("net_migration").reading
    assert reading.verdict == "no_clear_difference"
    assert "could be chance" in reading.text


def test_a_rate_needs_the_population_of_the_same_year(pilot):
    population = catalogue_indicator("population")
    population.values.filter(district=pilot.district, period_start=datetime.date(2023, 1, 1)).delete()

    outcome = evaluate_pilot(pilot, today=TODAY).outcome("net_migration")

    assert outcome.units[0].values[2023] is None
    assert outcome.estimate.pre_years == (2023, 2024)  # the comparison districts still have 2023


def test_council_outcomes_have_no_figure_before_the_first_council_so_there_are_too_few_periods(pilot):
    okrug = OkrugFactory.create(district=pilot.district)
    council = CouncilFactory.create(
        okrug=okrug, pilot=pilot, population=2000, population_year=2025, established_on=datetime.date(2025, 4, 1)
    )
    for _ in range(3):
        ProposalFactory.create(
            council=council,
            status=Status.COLLECTING,
            submitted_at=timezone.make_aware(datetime.datetime(2025, 6, 1, 12)),
        )

    with override("en"):
        result = evaluate_pilot(pilot, today=TODAY)

    participation = result.outcome("participation")
    assert participation.years == [2025, 2026]
    assert participation.units[0].values == {2025: 1.5, 2026: 0.0}  # 3 proposals / 2,000 residents × 1,000
    assert participation.units[1].values == {2025: None, 2026: None}  # no council in the comparison district
    assert participation.estimate.status == "too_few_periods"
    assert participation.reading.verdict == "unknown"
    assert participation.reading.text.startswith("Too few periods to tell")


def test_without_any_council_the_council_outcomes_say_there_are_too_few_periods(pilot):
    result = evaluate_pilot(pilot, today=TODAY)

    for code in ("participation", "on_time", "implemented"):
        outcome = result.outcome(code)
        assert outcome.years == []
        assert outcome.estimate.status == "too_few_periods"


def test_a_pilot_with_one_comparison_district_has_too_few_districts(pilot):
    pilot.comparison_districts.set(list(pilot.comparison_districts.order_by("kato"))[:1])

    estimate = evaluate_pilot(pilot, today=TODAY).outcome("net_migration").estimate

    assert estimate.status == "too_few_units"
    assert estimate.effect is None


def test_demo_figures_make_the_evaluation_demo(pilot):
    assert not evaluate_pilot(pilot, today=TODAY).is_demo
    catalogue_indicator("net_migration").values.filter(district=pilot.district).update(is_demo=True)

    assert evaluate_pilot(pilot, today=TODAY).is_demo


@pytest.mark.parametrize(("text", "level"), [("90", 0.9), ("95", 0.95), ("99", 0.99), ("80", 0.95), ("x", 0.95)])
def test_only_the_offered_confidence_levels_are_taken_from_the_address(text, level):
    assert parse_level(text) == level


# The page, its downloads, the API ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_evaluation_page_shows_each_outcome_with_its_reading_chart_and_table(client, pilot, language):
    response = speaking(client, language).get(f"/indicators/evaluation/{pilot.pk}/")

    html = page(response)
    assert response.status_code == 200
    for code in ("net_migration", "participation", "on_time", "implemented"):
        assert f'id="outcome-{code}"' in html
        assert f"/indicators/evaluation/{pilot.pk}/{code}.png" in html
    assert 'data-verdict="no_clear_difference"' in html
    assert html.count("<svg") == 4
    assert_escaped(html)


def test_the_evaluation_page_keeps_its_query_count_whatever_the_number_of_years(
    client, pilot, django_assert_max_num_queries
):
    net_migration, population = catalogue_indicator("net_migration"), catalogue_indicator("population")
    for district in [pilot.district, *pilot.comparison_districts.all()]:
        for year in range(2010, 2023):
            yearly_value(district, net_migration, year, 3)
            yearly_value(district, population, year, 1000)

    # The pilot, its comparison districts (twice: migration and councils), the migration values,
    # the first council's year, and the session/user reads of every page.
    with django_assert_max_num_queries(9):
        response = speaking(client, "en").get(f"/indicators/evaluation/{pilot.pk}/")
    assert response.status_code == 200


def test_the_level_changes_the_interval_on_the_page(client, pilot):
    wide = page(speaking(client, "en").get(f"/indicators/evaluation/{pilot.pk}/?level=99"))
    narrow = page(speaking(client, "en").get(f"/indicators/evaluation/{pilot.pk}/?level=90"))

    assert "99 % confidence interval" in wide
    assert "90 % confidence interval" in narrow


def test_the_evaluation_downloads_as_csv_with_the_series_and_the_estimates(client, pilot):
    response = speaking(client, "en").get(f"/indicators/evaluation/{pilot.pk}/?format=csv")

    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "Net migration per 1,000 residents" in text
    assert ",2023,before,10.0," in text
    assert ",2026,after,17.0," in text
    assert "Estimate" in text


def test_the_evaluation_chart_downloads_as_svg_and_png(client, pilot):
    svg = client.get(f"/indicators/evaluation/{pilot.pk}/net_migration.svg")
    png = client.get(f"/indicators/evaluation/{pilot.pk}/net_migration.png")
    missing = client.get(f"/indicators/evaluation/{pilot.pk}/nothing.svg")

    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    assert png.content.startswith(b"\x89PNG")
    assert missing.status_code == 404


def test_an_unknown_pilot_is_404(client):
    assert client.get("/indicators/evaluation/999999/").status_code == 404
    assert client.get("/api/v1/indicators/evaluation/999999").json()["code"] == "not_found"


def test_the_one_pilot_index_leads_straight_to_its_evaluation(client, pilot):
    response = client.get("/indicators/evaluation/")

    assert response.status_code == 302
    assert response["Location"] == f"/indicators/evaluation/{pilot.pk}/"


def test_the_api_gives_every_outcome_with_its_estimate_series_and_reading(client, pilot):
    response = client.get(f"/api/v1/indicators/evaluation/{pilot.pk}?level=95", HTTP_ACCEPT_LANGUAGE="en")

    body = response.json()
    assert response.status_code == 200
    assert body["start_year"] == 2025
    assert body["level"] == 0.95
    outcomes = {outcome["code"]: outcome for outcome in body["outcomes"]}
    assert set(outcomes) == {"net_migration", "participation", "on_time", "implemented"}
    migration = outcomes["net_migration"]
    assert migration["status"] == "estimated"
    assert migration["effect"] == pytest.approx(3.0)
    assert migration["low"] == pytest.approx(-1.9683, abs=1e-4)
    assert migration["df"] == 2
    assert migration["reading"]["verdict"] == "no_clear_difference"
    assert migration["series"][0]["treated"] is True
    assert migration["series"][0]["values"][0] == {"year": 2023, "value": 10.0}
    assert outcomes["on_time"]["status"] == "too_few_periods"
    assert outcomes["on_time"]["reason"]


def test_the_api_lists_the_pilots(client, pilot):
    body = client.get("/api/v1/indicators/evaluation").json()

    assert [item["id"] for item in body] == [pilot.pk]
    assert body[0]["district"]["kato"] == pilot.district.kato


def test_the_api_refuses_a_level_out_of_range(client, pilot):
    assert client.get(f"/api/v1/indicators/evaluation/{pilot.pk}?level=100").status_code == 422
