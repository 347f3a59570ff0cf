"""The dashboards' arithmetic on small hand-made territories, every expected number worked out in a
comment: a unit's series over a shared range of years, a region's series from its districts (counts
added up, shares weighted by population), the overview tables, the map's bands, colours and rates
per 1,000, the share of rural people in perspective villages (with populations from loaded figures),
the demo perspective statuses, and the programme dashboard of one okrug."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.models import AuditEntry
from kenes.indicators.dashboards import (
    NO_FIGURE,
    PALETTE,
    class_breaks,
    district_overview,
    fill_class,
    indicator_map,
    rate_per_1000,
    region_overview,
    region_series,
    shade,
    unit_series,
)
from kenes.indicators.generator import DEMO_SOURCE, generate_demo_perspective
from kenes.indicators.models import Indicator, PeriodKind, PerspectiveVillage
from kenes.indicators.perspective_selectors import perspective_share, perspective_shares_by_district
from kenes.indicators.tests.factories import PerspectiveVillageFactory, catalogue_indicator, yearly_value
from kenes.relocation.dashboard import DASHBOARD_QUERIES, programme_dashboard
from kenes.relocation.models import ProgrammeSettlement
from kenes.relocation.tests.factories import ApplicantFactory, MoveFactory, vacancy_offer
from kenes.territory.models import District, Region, Settlement
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

pytestmark = pytest.mark.django_db

PERSPECTIVE = PerspectiveVillage.Status.PERSPECTIVE
OTHER = PerspectiveVillage.Status.NOT_PERSPECTIVE


def d(text: str) -> Decimal:
    return Decimal(text)


def series_of(found: list[Any], code: str) -> Any:
    return next(item for item in found if item.indicator.code == code)


def retire(unit: Any) -> None:
    type(unit).objects.filter(pk=unit.pk).update(retired_at=timezone.now())


# A unit's series -----------------------------------------------------------------------------------


def test_a_units_series_runs_over_every_year_between_its_first_and_last_with_none_in_a_gap(
    django_assert_num_queries: Any,
) -> None:
    population, births = catalogue_indicator("population"), catalogue_indicator("births")
    okrug = OkrugFactory.create()
    # 2021 and 2023 have figures, 2022 none at all: the range is still 2021–2023.
    yearly_value(okrug, population, 2021, 100)
    yearly_value(okrug, population, 2023, 120, source="Акимат <script>alert(1)</script>")
    yearly_value(okrug, births, 2023, 4)
    yearly_value(OkrugFactory.create(), population, 2019, 999)  # another okrug's figure stays out
    yearly_value(okrug, population, 2025, 500, period_kind=PeriodKind.QUARTER)  # only years count

    with django_assert_num_queries(2):
        found = unit_series(okrug)

    people = series_of(found, "population")
    assert people.years == [2021, 2022, 2023]
    assert people.values == [d("100"), None, d("120")]
    assert people.latest == (2023, d("120"))
    assert people.sources == sorted(["Бюро национальной статистики АСПиР РК", "Акимат <script>alert(1)</script>"])
    assert series_of(found, "births").values == [None, None, d("4")]
    # Every catalogue indicator is listed, in catalogue order, the ones without figures empty.
    assert [item.indicator.code for item in found] == list(
        Indicator.objects.order_by("ordering_key", "code").values_list("code", flat=True)
    )
    assert not series_of(found, "piped_water").has_values
    assert series_of(found, "piped_water").latest is None


def test_a_units_series_for_some_codes_spans_only_their_years_and_says_which_are_demo() -> None:
    population, births = catalogue_indicator("population"), catalogue_indicator("births")
    district = DistrictFactory.create()
    yearly_value(district, population, 2018, 1000)
    yearly_value(district, births, 2022, 10, is_demo=True)
    yearly_value(district, births, 2024, 12)

    found = unit_series(district, codes=["births"])

    assert [item.indicator.code for item in found] == ["births"]
    # 2018 belongs to population, which was not asked for.
    assert found[0].years == [2022, 2023, 2024]
    assert found[0].values == [d("10"), None, d("12")]
    assert found[0].is_demo
    assert found[0].reporting is None
    assert found[0].rows == [(2022, d("10"), None), (2023, None, None), (2024, d("12"), None)]
    assert not series_of(unit_series(district, codes=["population"]), "population").is_demo


def test_a_settlements_series_reads_its_own_figures() -> None:
    population = catalogue_indicator("population")
    okrug = OkrugFactory.create()
    village = SettlementFactory.create(okrug=okrug)
    yearly_value(village, population, 2024, 250)
    yearly_value(okrug, population, 2024, 9000)  # the okrug's own figure is not the village's

    assert series_of(unit_series(village), "population").values == [d("250")]


# A region's series ---------------------------------------------------------------------------------


def two_district_region() -> tuple[Region, District, District]:
    """District A: 1,000 people (2024), water 50 %; district B: 3,000 people, water 90 %.
    In 2023 only A reported: 1,000 people, water 60 %. In 2025 B has water (70 %) but no population,
    A has nothing."""
    population, water = catalogue_indicator("population"), catalogue_indicator("piped_water")
    region = RegionFactory.create()
    district_a, district_b = DistrictFactory.create(region=region), DistrictFactory.create(region=region)
    yearly_value(district_a, population, 2023, 1000)
    yearly_value(district_a, water, 2023, "60.0")
    yearly_value(district_a, population, 2024, 1000)
    yearly_value(district_a, water, 2024, "50.0")
    yearly_value(district_b, population, 2024, 3000)
    yearly_value(district_b, water, 2024, "90.0")
    yearly_value(district_b, water, 2025, "70.0")
    return region, district_a, district_b


def test_a_region_adds_up_its_districts_counts_and_says_how_many_reported(django_assert_num_queries: Any) -> None:
    region, _a, _b = two_district_region()
    yearly_value(DistrictFactory.create(), catalogue_indicator("population"), 2024, 77_777)  # another region

    with django_assert_num_queries(3):
        found = region_series(region)

    people = series_of(found, "population")
    assert people.years == [2023, 2024, 2025]
    # 2023: A alone = 1,000; 2024: 1,000 + 3,000 = 4,000; 2025: nobody reported the population.
    assert people.values == [d("1000"), d("4000"), None]
    assert people.reporting == [1, 2, 0]
    assert people.rows == [(2023, d("1000"), 1), (2024, d("4000"), 2), (2025, None, 0)]


def test_a_region_weighs_its_districts_shares_by_their_population() -> None:
    region, _a, _b = two_district_region()

    water = series_of(region_series(region, codes=["piped_water"]), "piped_water")

    assert [item.indicator.code for item in region_series(region, codes=["piped_water"])] == ["piped_water"]
    # 2023: A alone → 60.0.
    # 2024: (50 × 1,000 + 90 × 3,000) / (1,000 + 3,000) = 320,000 / 4,000 = 80.0 (not the plain mean 70).
    # 2025: B's 70 % has no population to weigh it by, so no district counts.
    assert water.values == [d("60.0"), d("80.0"), None]
    assert water.reporting == [1, 2, 0]


def test_a_region_leaves_out_a_retired_district() -> None:
    region, _a, district_b = two_district_region()
    retire(district_b)

    found = region_series(region, codes=["population", "piped_water"])

    assert series_of(found, "population").values == [d("1000"), d("1000")]  # 2025 was B's only
    assert series_of(found, "piped_water").values == [d("60.0"), d("50.0")]


def test_a_region_rounds_a_weighted_share_to_a_tenth() -> None:
    population, water = catalogue_indicator("population"), catalogue_indicator("piped_water")
    region = RegionFactory.create()
    first, second = DistrictFactory.create(region=region), DistrictFactory.create(region=region)
    yearly_value(first, population, 2024, 1)
    yearly_value(first, water, 2024, 10)
    yearly_value(second, population, 2024, 2)
    yearly_value(second, water, 2024, 20)

    # (10 × 1 + 20 × 2) / 3 = 50 / 3 = 16.666… → 16.7
    assert series_of(region_series(region), "piped_water").values == [d("16.7")]


# Overview tables -----------------------------------------------------------------------------------


def test_a_districts_overview_shows_the_latest_year_by_default_and_the_year_asked_when_it_has_figures(
    django_assert_num_queries: Any,
) -> None:
    population, water = catalogue_indicator("population"), catalogue_indicator("piped_water")
    district = DistrictFactory.create()
    first, second = OkrugFactory.create(district=district), OkrugFactory.create(district=district)
    retired = OkrugFactory.create(district=district)
    retire(retired)
    yearly_value(first, population, 2023, 900)
    yearly_value(first, population, 2024, 950)
    yearly_value(first, water, 2024, "75.5")
    yearly_value(second, population, 2024, 400)
    yearly_value(retired, population, 2025, 5)  # a retired okrug's year is not offered

    with django_assert_num_queries(4):  # columns, okrugs, years, values
        latest = district_overview(district)

    assert latest.year == 2024
    assert latest.years == [2024, 2023]
    assert [column.code for column in latest.columns] == [
        "population",
        "net_migration",
        "employed",
        "open_vacancies",
        "piped_water",
        "gas",
        "internet",
    ]
    assert [row.unit for row in latest.rows] == [first, second]
    assert latest.column_values("population") == [(first, d("950")), (second, d("400"))]
    assert latest.column_values("piped_water") == [(first, d("75.5")), (second, None)]
    assert latest.column_values("births") == []

    earlier = district_overview(district, year=2023)
    assert earlier.year == 2023
    assert earlier.column_values("population") == [(first, d("900")), (second, None)]

    assert district_overview(district, year=2019).year == 2024  # no figures in 2019: the latest instead


def test_an_overview_adds_the_indicator_asked_for_as_the_last_column() -> None:
    births = catalogue_indicator("births")
    district = DistrictFactory.create()
    okrug = OkrugFactory.create(district=district)
    yearly_value(okrug, births, 2024, 7)

    overview = district_overview(district, extra="births")

    assert overview.columns[-1].code == "births"
    assert overview.column_values("births") == [(okrug, d("7"))]
    assert [column.code for column in district_overview(district, extra="population").columns].count("population") == 1


def test_an_overview_is_demo_only_when_a_figure_of_the_year_shown_is() -> None:
    population = catalogue_indicator("population")
    district = DistrictFactory.create()
    okrug = OkrugFactory.create(district=district)
    yearly_value(okrug, population, 2023, 900, is_demo=True)
    yearly_value(okrug, population, 2024, 950)

    assert not district_overview(district).is_demo
    assert district_overview(district, year=2023).is_demo


def test_an_overview_without_figures_has_no_year_and_empty_cells() -> None:
    district = DistrictFactory.create()
    okrug = OkrugFactory.create(district=district)

    overview = district_overview(district)

    assert overview.year is None
    assert overview.year_text == ""
    assert overview.years == []
    assert overview.rows[0].unit == okrug
    assert set(overview.rows[0].cells) == {None}


def test_a_regions_overview_shows_its_districts() -> None:
    region, district_a, district_b = two_district_region()
    retired = DistrictFactory.create(region=region)
    retire(retired)

    overview = region_overview(region)

    # 2025 has B's water figure, so it is the latest year; A has nothing that year.
    assert overview.year == 2025
    assert overview.years == [2025, 2024, 2023]
    assert [row.kato for row in overview.rows] == [district_a.kato, district_b.kato]
    assert overview.column_values("piped_water") == [(district_a, None), (district_b, d("70.0"))]
    assert region_overview(region, year=2024).column_values("population") == [
        (district_a, d("1000")),
        (district_b, d("3000")),
    ]


# Map bands and colours -----------------------------------------------------------------------------


def test_fewer_distinct_values_than_colours_make_fewer_bands() -> None:
    assert class_breaks([]) == []
    assert class_breaks([d("5")]) == [(d("5"), d("5"))]
    # Five values but only three distinct ones: three bands.
    assert class_breaks([d("9"), d("5"), d("7"), d("5"), d("9")]) == [
        (d("5"), d("5")),
        (d("7"), d("7")),
        (d("9"), d("9")),
    ]


def test_quantile_bands_split_the_distinct_values_evenly() -> None:
    ten = [Decimal(n) for n in range(1, 11)]
    # 10 values, 5 bands: two each.
    assert class_breaks(ten) == [
        (d("1"), d("2")),
        (d("3"), d("4")),
        (d("5"), d("6")),
        (d("7"), d("8")),
        (d("9"), d("10")),
    ]
    # 7 values, 5 bands: cuts at 7×1//5 = 1, 7×2//5 = 2, 7×3//5 = 4, 7×4//5 = 5 → 1 | 2 | 3–4 | 5 | 6–7.
    seven = [Decimal(n) for n in range(1, 8)]
    assert class_breaks(seven) == [
        (d("1"), d("1")),
        (d("2"), d("2")),
        (d("3"), d("4")),
        (d("5"), d("5")),
        (d("6"), d("7")),
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-1000, max_value=100_000), min_size=1, max_size=60))
def test_quantile_bands_cover_every_value_once_in_rising_order(numbers: list[int]) -> None:
    values = [Decimal(number) / 10 for number in numbers]
    bands = class_breaks(values)

    assert len(bands) == min(len(PALETTE), len(set(values)))
    assert bands[0][0] == min(values)
    assert bands[-1][1] == max(values)
    for (_low, high), (next_low, _next_high) in itertools.pairwise(bands):
        assert high < next_low
    for value in values:
        assert sum(1 for low, high in bands if low <= value <= high) == 1


def test_a_district_without_a_figure_is_grey_and_the_others_run_from_light_to_dark() -> None:
    region = RegionFactory.create()
    low, missing, high = (DistrictFactory.create(region=region) for _ in range(3))

    areas, legend = shade([low, missing, high], {low.pk: d("3"), missing.pk: None, high.pk: d("8")})

    assert [(area.district, area.value, area.band, area.fill) for area in areas] == [
        (low, d("3"), 0, PALETTE[0]),
        (missing, None, None, NO_FIGURE),
        (high, d("8"), 1, PALETTE[-1]),
    ]
    assert NO_FIGURE == "#d9d9d9"
    assert [area.fill_class for area in areas] == ["fill-0", "fill-none", "fill-4"]
    assert [(band.low, band.high, band.fill) for band in legend] == [
        (d("3"), d("3"), PALETTE[0]),
        (d("8"), d("8"), PALETTE[-1]),
    ]


def test_one_value_takes_the_middle_colour_and_a_district_left_out_is_grey() -> None:
    only, absent = DistrictFactory.create(), DistrictFactory.create()

    areas, legend = shade([only, absent], {only.pk: d("42")})

    assert [area.fill for area in areas] == [PALETTE[2], NO_FIGURE]
    assert len(legend) == 1


def test_the_stylesheet_classes_follow_the_palette() -> None:
    assert [fill_class(colour) for colour in PALETTE] == ["fill-0", "fill-1", "fill-2", "fill-3", "fill-4"]
    assert fill_class(NO_FIGURE) == "fill-none"
    assert fill_class("#000000") == "fill-none"


# Rates per 1,000 and the map -----------------------------------------------------------------------


def test_a_rate_per_1000_divides_by_the_population_and_rounds_to_a_tenth() -> None:
    assert rate_per_1000(d("12"), d("800")) == d("15.0")  # 12 × 1,000 / 800
    assert rate_per_1000(d("1"), d("3")) == d("333.3")  # 333.33…
    assert rate_per_1000(d("1"), d("6")) == d("166.7")  # 166.66…
    assert rate_per_1000(None, d("800")) is None
    assert rate_per_1000(d("12"), None) is None
    assert rate_per_1000(d("12"), d("0")) is None


def births_region() -> tuple[Region, District, District, District]:
    """Births 12 in a district of 800 people, 30 in one of 1,500, 5 in one without a population (2024);
    in 2023 the first had 9 births and 900 people."""
    population, births = catalogue_indicator("population"), catalogue_indicator("births")
    region = RegionFactory.create()
    small, large, unknown = (DistrictFactory.create(region=region) for _ in range(3))
    yearly_value(small, population, 2024, 800)
    yearly_value(small, births, 2024, 12)
    yearly_value(large, population, 2024, 1500)
    yearly_value(large, births, 2024, 30)
    yearly_value(unknown, births, 2024, 5)
    yearly_value(small, population, 2023, 900)
    yearly_value(small, births, 2023, 9)
    return region, small, large, unknown


def test_the_map_shows_a_count_per_1000_residents_of_the_same_district_and_year(django_assert_num_queries: Any) -> None:
    region, small, large, unknown = births_region()
    births = Indicator.objects.get(code="births")

    with django_assert_num_queries(3):  # districts, the population indicator, values
        choropleth = indicator_map(region, indicator=births, year=None, per_1000=True)

    assert choropleth.per_1000
    assert choropleth.year == 2024
    assert choropleth.years == [2024, 2023]
    # 12 × 1,000 / 800 = 15.0; 30 × 1,000 / 1,500 = 20.0; no population → no rate.
    assert [(area.district, area.value) for area in choropleth.areas] == [
        (small, d("15.0")),
        (large, d("20.0")),
        (unknown, None),
    ]
    assert [area.fill for area in choropleth.areas] == [PALETTE[0], PALETTE[-1], NO_FIGURE]
    assert choropleth.missing == 1

    earlier = indicator_map(region, indicator=births, year=2023, per_1000=True)
    assert earlier.year == 2023
    assert [area.value for area in earlier.areas] == [d("10.0"), None, None]  # 9 × 1,000 / 900


def test_the_map_shows_totals_when_asked() -> None:
    region, _small, _large, _unknown = births_region()

    choropleth = indicator_map(region, indicator=Indicator.objects.get(code="births"), year=2024, per_1000=False)

    assert not choropleth.per_1000
    assert [area.value for area in choropleth.areas] == [d("12"), d("30"), d("5")]
    assert choropleth.missing == 0


def test_a_count_outside_the_rate_codes_is_never_divided() -> None:
    region, _small, _large, _unknown = births_region()

    choropleth = indicator_map(region, indicator=Indicator.objects.get(code="population"), year=None, per_1000=True)

    assert not choropleth.per_1000
    assert [area.value for area in choropleth.areas] == [d("800"), d("1500"), None]


def test_a_share_on_the_map_is_never_divided() -> None:
    region, _a, _b = two_district_region()

    choropleth = indicator_map(region, indicator=Indicator.objects.get(code="piped_water"), year=2024, per_1000=True)

    assert not choropleth.per_1000
    assert [area.value for area in choropleth.areas] == [d("50.0"), d("90.0")]


def test_the_map_is_demo_only_when_a_figure_of_its_year_is() -> None:
    population = catalogue_indicator("population")
    district = DistrictFactory.create()
    yearly_value(district, population, 2023, 700, is_demo=True)
    yearly_value(district, population, 2024, 800)

    assert indicator_map(district.region, indicator=population, year=2023, per_1000=False).is_demo
    assert not indicator_map(district.region, indicator=population, year=2024, per_1000=False).is_demo


def test_a_rate_drawn_from_a_demo_population_is_demo_and_the_total_is_not() -> None:
    population, births = catalogue_indicator("population"), catalogue_indicator("births")
    district = DistrictFactory.create()
    yearly_value(district, population, 2024, 800, is_demo=True)
    yearly_value(district, births, 2024, 12)

    assert indicator_map(district.region, indicator=births, year=2024, per_1000=True).is_demo
    assert not indicator_map(district.region, indicator=births, year=2024, per_1000=False).is_demo


# Perspective villages ------------------------------------------------------------------------------


def village(district: District, population: int | None = None, **fields: Any) -> Settlement:
    okrug = OkrugFactory.create(district=district)
    year = None if population is None else 2024
    return SettlementFactory.create(okrug=okrug, population=population, population_year=year, **fields)


def test_a_settlements_population_falls_back_to_its_latest_loaded_figure(django_assert_num_queries: Any) -> None:
    population = catalogue_indicator("population")
    district = DistrictFactory.create()
    from_figures = village(district)  # Settlement.population empty; figures 200 (2022) and 250 (2024)
    yearly_value(from_figures, population, 2022, 200)
    yearly_value(from_figures, population, 2024, 250)
    yearly_value(from_figures, population, 2025, 999, period_kind=PeriodKind.QUARTER)  # not a yearly figure
    classified = village(district, population=750)  # its own population wins over a figure
    yearly_value(classified, population, 2024, 5000)
    unknown = village(district)  # no population at all
    PerspectiveVillageFactory.create(settlement=from_figures, status=PERSPECTIVE)
    PerspectiveVillageFactory.create(settlement=classified, status=OTHER)
    PerspectiveVillageFactory.create(settlement=unknown, status=PERSPECTIVE)

    with django_assert_num_queries(1):
        share = perspective_share(district=district)

    # Known: 250 (from figures, perspective) + 750 (other) = 1,000; in perspective villages 250 → 25.0 %.
    assert share.settlements == 3
    assert share.perspective == 2
    assert share.rural_population == 1000
    assert share.population_in_perspective == 250
    assert share.percent == d("25.0")
    assert share.population_from_figures == 1
    assert share.unknown_population == 1
    assert share.unknown_population_perspective == 1
    assert share.without_status == 0
    assert not share.is_demo


def test_a_demo_population_figure_makes_the_share_demo() -> None:
    population = catalogue_indicator("population")
    district = DistrictFactory.create()
    settlement = village(district)
    yearly_value(settlement, population, 2024, 250, is_demo=True)

    share = perspective_share(district=district)

    assert share.population_from_figures == 1
    assert share.rural_population == 250
    assert share.without_status == 1
    assert share.is_demo


def test_only_the_latest_figures_demo_mark_counts() -> None:
    population = catalogue_indicator("population")
    district = DistrictFactory.create()
    settlement = village(district)
    yearly_value(settlement, population, 2022, 240, is_demo=True)
    yearly_value(settlement, population, 2024, 250)

    share = perspective_share(district=district)

    assert share.rural_population == 250
    assert not share.is_demo


def test_a_demo_figure_is_not_used_when_the_settlement_knows_its_population() -> None:
    population = catalogue_indicator("population")
    district = DistrictFactory.create()
    settlement = village(district, population=300)
    yearly_value(settlement, population, 2024, 250, is_demo=True)

    share = perspective_share(district=district)

    assert share.rural_population == 300
    assert share.population_from_figures == 0
    assert not share.is_demo


def test_a_regions_shares_are_listed_by_district(django_assert_num_queries: Any) -> None:
    population = catalogue_indicator("population")
    region = RegionFactory.create()
    first, second, empty = (DistrictFactory.create(region=region) for _ in range(3))
    # First district: 400 (perspective, from a figure) and 600 (other) → 40.0 %.
    counted = village(first)
    yearly_value(counted, population, 2024, 400)
    PerspectiveVillageFactory.create(settlement=counted, status=PERSPECTIVE)
    PerspectiveVillageFactory.create(settlement=village(first, population=600), status=OTHER)
    # Second district: 100, perspective, demo → 100.0 %; an urban settlement does not count.
    PerspectiveVillageFactory.create(settlement=village(second, population=100), status=PERSPECTIVE, is_demo=True)
    village(second, population=9000, area=Settlement.Area.URBAN)
    village(DistrictFactory.create(), population=50)  # another region

    with django_assert_num_queries(1):
        shares = perspective_shares_by_district(region)

    assert set(shares) == {first.pk, second.pk}  # a district with no rural settlement is left out
    assert empty.pk not in shares
    assert (shares[first.pk].percent, shares[first.pk].population_from_figures, shares[first.pk].is_demo) == (
        d("40.0"),
        1,
        False,
    )
    assert (shares[second.pk].percent, shares[second.pk].settlements, shares[second.pk].is_demo) == (
        d("100.0"),
        1,
        True,
    )
    # The region: (400 + 100) × 100 / (400 + 600 + 100) = 500 × 100 / 1,100 = 45.45… → 45.5.
    assert perspective_share(region=region).percent == d("45.5")


# Demo perspective statuses -------------------------------------------------------------------------


def test_demo_statuses_go_only_to_rural_settlements_without_one() -> None:
    region = RegionFactory.create()
    okrug = OkrugFactory.create(district=DistrictFactory.create(region=region))
    main = SettlementFactory.create(okrug=okrug, is_main=True)
    other = SettlementFactory.create(okrug=okrug)
    real = SettlementFactory.create(okrug=OkrugFactory.create(district=okrug.district), is_main=True)
    real_status = PerspectiveVillageFactory.create(settlement=real, status=OTHER)
    urban = SettlementFactory.create(okrug=okrug, area=Settlement.Area.URBAN)
    retired = SettlementFactory.create(okrug=okrug)
    retire(retired)

    result = generate_demo_perspective(actor=None)

    assert result.created == 2
    assert result.kept == 1
    created = PerspectiveVillage.objects.filter(is_demo=True)
    assert sorted((row.settlement_id, row.status, row.source) for row in created) == sorted(
        [(main.pk, PERSPECTIVE, DEMO_SOURCE), (other.pk, OTHER, DEMO_SOURCE)]
    )
    real_status.refresh_from_db()
    # The real list said "other" for a main village: it stays so, and stays real.
    assert (real_status.status, real_status.is_demo, real_status.source) == (
        OTHER,
        False,
        "Акимат облысы <script>alert(1)</script>",
    )
    assert not PerspectiveVillage.objects.filter(settlement__in=[urban, retired]).exists()
    assert AuditEntry.objects.filter(action="indicators.demo_perspective_generated").count() == 1


def test_a_second_demo_run_creates_nothing() -> None:
    SettlementFactory.create(is_main=True)
    SettlementFactory.create()
    first = generate_demo_perspective(actor=None)
    statuses = list(PerspectiveVillage.objects.order_by("pk").values_list("pk", "status", "loaded_at"))

    second = generate_demo_perspective(actor=None)

    assert first.created == 2
    assert second.created == 0
    assert second.kept == 2
    assert list(PerspectiveVillage.objects.order_by("pk").values_list("pk", "status", "loaded_at")) == statuses
    assert AuditEntry.objects.filter(action="indicators.demo_perspective_generated").count() == 1


def test_demo_statuses_for_one_region_leave_the_others_alone() -> None:
    here = SettlementFactory.create(okrug=OkrugFactory.create(district=DistrictFactory.create()))
    elsewhere = SettlementFactory.create(okrug=OkrugFactory.create(district=DistrictFactory.create()))
    assert here.kato[:2] != elsewhere.kato[:2]

    result = generate_demo_perspective(actor=None, region=here.kato[:2])

    assert result.created == 1
    assert list(PerspectiveVillage.objects.values_list("settlement_id", flat=True)) == [here.pk]


# The programme dashboard of one okrug ----------------------------------------------------------------


def test_an_okrugs_programme_dashboard_counts_only_that_okrugs_moves_offers_and_villages(
    django_assert_num_queries: Any,
) -> None:
    district = DistrictFactory.create()
    okrug, neighbour = OkrugFactory.create(district=district), OkrugFactory.create(district=district)
    here, there = SettlementFactory.create(okrug=okrug), SettlementFactory.create(okrug=neighbour)
    moved_on = datetime.date(2025, 6, 1)
    for settlement, size, children, employed in [(here, 4, 2, 1), (here, 3, 1, 2), (there, 5, 3, 2)]:
        MoveFactory.create(
            application=None,
            applicant=ApplicantFactory.create(),
            settlement=settlement,
            moved_on=moved_on,
            household_size=size,
            children=children,
            employed=employed,
        )
    vacancy_offer("veterinarian", positions=2, settlement=here)
    vacancy_offer("teacher", positions=3, settlement=there)
    ProgrammeSettlement.objects.create(settlement=here, joined_on=datetime.date(2024, 3, 1))
    ProgrammeSettlement.objects.create(settlement=there, joined_on=datetime.date(2024, 3, 1))

    with django_assert_num_queries(DASHBOARD_QUERIES):
        dashboard = programme_dashboard(okrug=okrug, today=datetime.date(2026, 3, 1))

    # Here: 2 families, 4 + 3 = 7 people, 2 + 1 = 3 children, 1 + 2 = 3 employed; 2 positions open.
    assert (dashboard.families, dashboard.people, dashboard.children, dashboard.employed) == (2, 7, 3, 3)
    assert dashboard.open_positions == 2
    assert [row.kato for row in dashboard.settlements] == [here.kato]
    assert [row.kato for row in dashboard.moves_by_district] == [district.kato]
    # The whole district: 3 families, 12 people, 5 positions.
    whole = programme_dashboard(district=district, today=datetime.date(2026, 3, 1))
    assert (whole.families, whole.people, whole.open_positions) == (3, 12, 5)
