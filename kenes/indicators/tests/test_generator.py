"""The demo generator: seeded and reproducible, idempotent, plausible, labelled as demo, and it never
touches values loaded from real files."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from kenes.core.models import AuditEntry
from kenes.indicators.generator import CODES, DEMO_SOURCE, generate_demo_indicators, parse_years
from kenes.indicators.models import ImportBatch, Indicator, IndicatorRevision, IndicatorValue, PeriodKind
from kenes.indicators.tests.factories import IndicatorValueFactory
from kenes.territory.models import District, Okrug, Settlement
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

pytestmark = pytest.mark.django_db

YEARS = (2022, 2025)


@pytest.fixture
def territory() -> dict[str, object]:
    region = RegionFactory.create(kato="270000000")
    district = DistrictFactory.create(region=region, kato="274400000")
    okrug = OkrugFactory.create(district=district, kato="274430000")
    main = SettlementFactory.create(okrug=okrug, kato="274430100", is_main=True, population=1200, population_year=2024)
    other = SettlementFactory.create(okrug=okrug, kato="274430200")
    loose = SettlementFactory.create(okrug=None, district=district, kato="274400100")
    return {"district": district, "okrug": okrug, "settlements": [main, other, loose]}


def snapshot() -> dict[tuple[object, ...], Decimal]:
    rows = IndicatorValue.objects.values_list(
        "indicator__code",
        "district__kato",
        "okrug__kato",
        "settlement__kato",
        "period_start",
        "value",
    )
    return {row[:5]: row[5] for row in rows}


def series(code: str, **territory: object) -> list[Decimal]:
    return list(
        IndicatorValue.objects.filter(indicator__code=code, **territory)
        .order_by("period_start")
        .values_list("value", flat=True)
    )


def test_every_rural_settlement_okrug_and_district_gets_every_indicator_for_every_year(territory):
    result = generate_demo_indicators(actor=None, seed=1, years=YEARS)

    units = 3 + 1 + 1
    assert (result.settlements, result.okrugs, result.districts) == (3, 1, 1)
    assert result.created == units * len(CODES) * 4
    assert IndicatorValue.objects.count() == result.created
    assert set(IndicatorValue.objects.values_list("period_kind", flat=True)) == {PeriodKind.YEAR}
    assert IndicatorValue.objects.filter(okrug=territory["okrug"], indicator__code="gas").count() == 4


def test_every_value_is_demo_with_the_demo_source_and_the_run_is_audited(territory):
    result = generate_demo_indicators(actor=None, seed=1, years=YEARS)

    assert not IndicatorValue.objects.exclude(is_demo=True).exists()
    assert set(IndicatorValue.objects.values_list("source", flat=True)) == {DEMO_SOURCE}
    assert result.batch is not None
    assert result.batch.is_demo
    assert AuditEntry.objects.filter(action="indicators.demo_generated").count() == 1


def test_the_same_seed_gives_the_same_values(territory):
    generate_demo_indicators(actor=None, seed=42, years=YEARS)
    first = snapshot()
    IndicatorValue.objects.all().delete()

    generate_demo_indicators(actor=None, seed=42, years=YEARS)

    assert snapshot() == first


def test_another_seed_gives_other_values_and_keeps_the_old_ones_as_revisions(territory):
    generate_demo_indicators(actor=None, seed=42, years=YEARS)
    first = snapshot()

    result = generate_demo_indicators(actor=None, seed=43, years=YEARS)

    assert snapshot() != first
    assert result.updated > 0
    assert IndicatorRevision.objects.count() == result.updated


def test_a_second_run_with_the_same_seed_changes_nothing(territory):
    generate_demo_indicators(actor=None, seed=7, years=YEARS)
    before = list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "loaded_at", "batch_id"))
    batches = ImportBatch.objects.count()

    again = generate_demo_indicators(actor=None, seed=7, years=YEARS)

    assert (again.created, again.updated, again.unchanged) == (0, 0, len(before))
    assert list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "loaded_at", "batch_id")) == before
    assert ImportBatch.objects.count() == batches
    assert AuditEntry.objects.filter(action="indicators.demo_generated").count() == 1


def test_a_value_loaded_from_a_real_file_is_never_touched(territory):
    okrug = territory["okrug"]
    real = IndicatorValueFactory.create(
        indicator=Indicator.objects.get(code="population"), settlement=None, okrug=okrug, value=Decimal("9999")
    )

    result = generate_demo_indicators(actor=None, seed=1, years=YEARS)

    real.refresh_from_db()
    assert (real.value, real.is_demo) == (Decimal("9999"), False)
    assert result.kept_real == 1


def test_the_series_are_plausible_and_add_up(territory):
    generate_demo_indicators(actor=None, seed=5, years=(2019, 2026))
    main, other, loose = territory["settlements"]

    population = series("population", settlement=main)
    assert population[5] == 1200  # the classifier's figure, in its year (2024)
    for earlier, later in itertools.pairwise(population):
        assert later <= earlier
        assert later >= earlier * Decimal("0.979")
    births, deaths = series("births", settlement=main), series("deaths", settlement=main)
    arrivals, departures = series("arrivals", settlement=main), series("departures", settlement=main)
    net = series("net_migration", settlement=main)
    for year in range(7):
        assert net[year] == arrivals[year] - departures[year]
        assert population[year + 1] == population[year] + births[year] - deaths[year] + net[year]
        assert 5 <= births[year] * 1000 / population[year] <= 30
    employed = series("employed", settlement=main)
    assert all(Decimal("0.35") <= e / p <= Decimal("0.45") for e, p in zip(employed, population, strict=True))
    water = series("piped_water", settlement=main)
    assert water == sorted(water)
    assert all(0 <= share <= 100 for share in water)
    assert all(0 <= count <= 2 for count in series("school", settlement=other) + series("clinic", settlement=loose))

    okrug_people = series("population", okrug=territory["okrug"])
    assert okrug_people == [a + b for a, b in zip(population, series("population", settlement=other), strict=True)]
    district_people = series("population", district=territory["district"])
    assert district_people == [a + b for a, b in zip(okrug_people, series("population", settlement=loose), strict=True)]


def test_urban_and_retired_settlements_get_no_demo_values(territory):
    town = SettlementFactory.create(okrug=territory["okrug"], area=Settlement.Area.URBAN)
    gone = SettlementFactory.create(okrug=territory["okrug"], retired_at=timezone.now())

    generate_demo_indicators(actor=None, seed=1, years=YEARS)

    assert not IndicatorValue.objects.filter(settlement__in=[town, gone]).exists()


def test_the_region_filter_leaves_other_regions_alone(territory):
    elsewhere = OkrugFactory.create(district=DistrictFactory.create(region=RegionFactory.create(kato="230000000")))

    result = generate_demo_indicators(actor=None, seed=1, years=YEARS, region="27")

    assert result.okrugs == 1
    assert not IndicatorValue.objects.filter(okrug=elsewhere).exists()
    assert IndicatorValue.objects.filter(okrug=territory["okrug"]).exists()


def test_an_okrug_without_villages_gets_a_series_of_its_own(territory):
    empty = OkrugFactory.create(district=territory["district"])

    generate_demo_indicators(actor=None, seed=1, years=YEARS)

    assert len(series("population", okrug=empty)) == 4
    assert Okrug.objects.count() == 2
    assert District.objects.count() == 1


def test_years_are_read_as_a_range_or_a_single_year():
    assert parse_years("2019-2026") == (2019, 2026)
    assert parse_years("2024") == (2024, 2024)
    for bad in ("2026-2019", "abc", "1990-1995"):
        with pytest.raises(ValueError, match=bad):
            parse_years(bad)


def run(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("generate_indicator_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_prints_the_counts_and_a_second_run_changes_nothing(territory):
    out = run("--seed", "3", "--years", "2024-2025", "--region", "27")
    assert "3 settlements, 1 okrugs, 1 districts; created 150, updated 0, unchanged 0" in out

    out = run("--seed", "3", "--years", "2024-2025")
    assert "created 0, updated 0, unchanged 150" in out


def test_the_command_refuses_bad_years_and_an_unknown_region(territory):
    with pytest.raises(CommandError, match="2019-2026"):
        run("--years", "2026-2019")
    with pytest.raises(CommandError, match="No region"):
        run("--region", "99")
