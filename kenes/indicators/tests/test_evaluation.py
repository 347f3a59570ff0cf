"""The pilot's collapsed difference-in-differences (`evaluation.py`): a hand-computed example, missing
years and units, the cases with too little to estimate, the confidence level, the plain-language
readings, and by property (hypothesis) that shifting every value or every "after" value by a constant
never moves the estimate. Pure: no database."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.indicators.evaluation import Estimate, UnitSeries, estimate_did, read_estimate

START = 2023
UNIT = "per 1,000 residents"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def unit(name: str, values: Mapping[int, float | None], *, treated: bool = False) -> UnitSeries:
    return UnitSeries(name=name, kato="", treated=treated, values=values)


def years(pre: tuple[float | None, float | None], post: tuple[float | None, float | None]) -> dict[int, float | None]:
    return {2021: pre[0], 2022: pre[1], 2023: post[0], 2024: post[1]}


# The hand-computed example. Start year 2023: 2021–2022 are "before", 2023–2024 "after".
#   pilot P:        before 10, 12 → mean 11;  after 15, 17 → mean 16;  Δ_P = 5
#   comparison A:   before  8, 10 → mean  9;  after 10, 12 → mean 11;  Δ_A = 2
#   comparison B:   before 20, 20 → mean 20;  after 23, 23 → mean 23;  Δ_B = 3
#   comparison C:   before  5,  7 → mean  6;  after  7,  7 → mean  7;  Δ_C = 1
# Mean Δ of the comparisons = (2 + 3 + 1) / 3 = 2, so the effect = 5 − 2 = 3.
# OLS of Δ on a constant and the pilot dummy fits the pilot exactly (residual 0) and the comparisons at
# their mean 2: residuals 0, +1, −1. s² = (0² + 1² + 1²) / (4 units − 2) = 1, s = 1.
# SE of the dummy = s · √(1/1 + 1/3) (one pilot unit, three comparison units) = √(4/3) = 1.1547005.
# df = 4 − 2 = 2; t(0.975, 2) = 4.3026527; 4.3026527 × 1.1547005 = 4.9682754.
# 95 % interval = 3 ± 4.9682754 = (−1.9682754, 7.9682754): it includes zero.
# At 90 %: t(0.95, 2) = 2.9199856; 2.9199856 × 1.1547005 = 3.3717089 → (−0.3717089, 6.3717089).
HAND = [
    unit("P", years((10, 12), (15, 17)), treated=True),
    unit("A", years((8, 10), (10, 12))),
    unit("B", years((20, 20), (23, 23))),
    unit("C", years((5, 7), (7, 7))),
]

# The same pilot against comparisons that agree more: Δ 2, 2.5, 1.5 (mean 2, residuals 0, +0.5, −0.5),
# s² = 0.5 / 2 = 0.25, SE = 0.5 · √(4/3) = 0.5773503, 95 % interval = 3 ± 2.4841377 = (0.5158623, 5.4841377).
TIGHT = [
    unit("P", years((10, 12), (15, 17)), treated=True),
    unit("A", years((8, 10), (10, 12))),
    unit("B", years((20, 20), (22.5, 22.5))),
    unit("C", years((5, 7), (7.5, 7.5))),
]


def test_the_hand_computed_example_gives_the_effect_and_its_interval():
    estimate = estimate_did(units=HAND, start_year=START)

    assert estimate.status == "estimated"
    assert estimate.reason == ""
    assert estimate.effect == pytest.approx(3, abs=1e-4)
    assert estimate.treated_change == pytest.approx(5, abs=1e-4)
    assert estimate.comparison_change == pytest.approx(2, abs=1e-4)
    assert estimate.std_error == pytest.approx(1.1547005, abs=1e-4)
    assert estimate.df == 2
    assert estimate.low == pytest.approx(-1.9682754, abs=1e-4)
    assert estimate.high == pytest.approx(7.9682754, abs=1e-4)
    assert estimate.pre_years == (2021, 2022)
    assert estimate.post_years == (2023, 2024)
    assert estimate.units_used == ("P", "A", "B", "C")
    assert estimate.units_left_out == ()


def width(estimate: Estimate) -> float:
    assert estimate.low is not None
    assert estimate.high is not None
    return estimate.high - estimate.low


def test_a_90_percent_level_gives_a_narrower_interval():
    at_95 = estimate_did(units=HAND, start_year=START)
    at_90 = estimate_did(units=HAND, start_year=START, level=0.9)

    assert at_90.effect == pytest.approx(at_95.effect)
    assert at_90.low == pytest.approx(-0.3717089, abs=1e-4)
    assert at_90.high == pytest.approx(6.3717089, abs=1e-4)
    assert width(at_90) < width(at_95)


def test_missing_years_are_ignored_in_the_means():
    # B misses 2022 and 2024: its means are 20 and 23, its Δ still 3, so nothing changes.
    units = [*HAND[:2], unit("B", {2021: 20, 2022: None, 2023: 23}), HAND[3]]

    estimate = estimate_did(units=units, start_year=START)

    assert estimate.effect == pytest.approx(3, abs=1e-4)
    assert estimate.low == pytest.approx(-1.9682754, abs=1e-4)
    assert estimate.high == pytest.approx(7.9682754, abs=1e-4)


def test_nan_and_infinity_are_missing_years_not_numbers():
    units = [*HAND[:2], unit("B", {2021: 20, 2022: math.nan, 2023: 23, 2024: math.inf}), HAND[3]]

    estimate = estimate_did(units=units, start_year=START)

    assert estimate.effect == pytest.approx(3, abs=1e-4)
    assert estimate.high == pytest.approx(7.9682754, abs=1e-4)


def test_a_unit_with_no_figures_before_the_start_is_left_out_and_named():
    newcomer = unit("D <script>", {2021: None, 2023: 40, 2024: 50})

    estimate = estimate_did(units=[*HAND, newcomer], start_year=START)

    assert estimate.status == "estimated"
    assert estimate.units_left_out == ("D <script>",)
    assert estimate.units_used == ("P", "A", "B", "C")
    assert estimate.effect == pytest.approx(3, abs=1e-4)
    assert estimate.df == 2


def test_a_pilot_with_no_figures_before_the_start_is_too_few_periods():
    pilot = unit("P", {2023: 15, 2024: 17}, treated=True)

    estimate = estimate_did(units=[pilot, *HAND[1:]], start_year=START)

    assert estimate.status == "too_few_periods"
    assert estimate.effect is None
    assert estimate.low is None
    assert estimate.high is None
    assert estimate.units_left_out == ("P",)
    assert estimate.reason == (
        "Too few periods to tell: there are no figures for the pilot district before the pilot began."
    )


def test_a_pilot_with_no_figures_after_the_start_is_too_few_periods():
    pilot = unit("P", {2021: 10, 2022: 12, 2023: None}, treated=True)

    estimate = estimate_did(units=[pilot, *HAND[1:]], start_year=START)

    assert estimate.status == "too_few_periods"
    assert "from the year the pilot began" in estimate.reason


def test_no_comparison_unit_with_both_periods_is_too_few_periods():
    comparisons = [unit("A", {2021: 8}), unit("B", {2024: 23})]

    estimate = estimate_did(units=[HAND[0], *comparisons], start_year=START)

    assert estimate.status == "too_few_periods"
    assert estimate.reason == (
        "Too few periods to tell: no comparison district has figures both before and after the pilot began."
    )
    assert estimate.units_left_out == ("A", "B")


def test_one_comparison_unit_is_too_few_units():
    estimate = estimate_did(units=HAND[:2], start_year=START)

    assert estimate.status == "too_few_units"
    assert estimate.effect is None
    assert estimate.df is None
    assert estimate.treated_change == pytest.approx(5)
    assert estimate.comparison_change == pytest.approx(2)
    assert "needs at least two" in estimate.reason


def test_two_comparison_units_are_enough():
    estimate = estimate_did(units=HAND[:3], start_year=START)

    assert estimate.status == "estimated"
    assert estimate.df == 1
    assert estimate.effect == pytest.approx(5 - 2.5)


def test_several_pilot_units_are_compared_by_their_mean_change():
    # Pilots with Δ 5 and 7 (mean 6) against comparisons with mean Δ 2: effect 4.
    second = unit("Q", years((0, 0), (7, 7)), treated=True)

    estimate = estimate_did(units=[*HAND, second], start_year=START)

    assert estimate.effect == pytest.approx(4)
    assert estimate.treated_change == pytest.approx(6)
    assert estimate.df == 3


def test_a_level_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError, match="level"):
        estimate_did(units=HAND, start_year=START, level=95)


def test_units_without_a_pilot_are_refused():
    with pytest.raises(ValueError, match="treated"):
        estimate_did(units=HAND[1:], start_year=START)


# Readings ----------------------------------------------------------------------------------------


def tight(*, pilot_after: tuple[float, float] = (15, 17)) -> Estimate:
    units = [unit("P", years((10, 12), pilot_after), treated=True), *TIGHT[1:]]
    return estimate_did(units=units, start_year=START)


def test_the_tight_example_gives_an_interval_that_excludes_zero():
    estimate = tight()

    assert estimate.std_error == pytest.approx(0.5773503, abs=1e-4)
    assert estimate.low == pytest.approx(0.5158623, abs=1e-4)
    assert estimate.high == pytest.approx(5.4841377, abs=1e-4)


def test_a_rise_where_higher_is_better_reads_better():
    reading = read_estimate(tight(), higher_is_better=True, unit=UNIT)

    assert reading.verdict == "better"
    assert reading.text == (
        "After the pilot began, the pilot district did better than the comparison districts: "
        "+3.0 per 1,000 residents (95 % confidence interval 0.5 to 5.5)."
    )


def test_a_rise_where_lower_is_better_reads_worse():
    reading = read_estimate(tight(), higher_is_better=False, unit=UNIT)

    assert reading.verdict == "worse"
    assert reading.text.startswith("After the pilot began, the pilot district did worse")


def test_a_fall_where_higher_is_better_reads_worse_with_a_real_minus_sign():
    # The pilot's before mean 11, after mean 10: Δ −1, effect −1 − 2 = −3, interval −3 ± 2.4841377.
    reading = read_estimate(tight(pilot_after=(9, 11)), higher_is_better=True, unit=UNIT)

    assert reading.verdict == "worse"
    assert reading.text == (
        "After the pilot began, the pilot district did worse than the comparison districts: "
        "\u22123.0 per 1,000 residents (95 % confidence interval \u22125.5 to \u22120.5)."
    )


def test_an_interval_including_zero_reads_no_clear_difference():
    reading = read_estimate(estimate_did(units=HAND, start_year=START), higher_is_better=True, unit=UNIT)

    assert reading.verdict == "no_clear_difference"
    assert reading.text == (
        "No clear difference: the estimate, +3.0 per 1,000 residents, could be chance "
        "(the 95 % interval, \u22122.0 to 8.0, includes zero)."
    )


def test_the_reading_names_the_level_it_was_computed_at():
    reading = read_estimate(estimate_did(units=HAND, start_year=START, level=0.9), higher_is_better=True, unit=UNIT)

    assert "(the 90 % interval, \u22120.4 to 6.4, includes zero)" in reading.text


def test_an_outcome_without_a_direction_reads_higher_or_lower():
    higher = read_estimate(tight(), higher_is_better=None, unit=UNIT)
    lower = read_estimate(tight(pilot_after=(9, 11)), higher_is_better=None, unit=UNIT)

    assert higher.verdict == "higher"
    assert "went higher" in higher.text
    assert "better" not in higher.text
    assert lower.verdict == "lower"
    assert "went lower" in lower.text


def test_an_estimate_that_was_not_made_reads_unknown_with_its_reason():
    estimate = estimate_did(units=HAND[:2], start_year=START)

    reading = read_estimate(estimate, higher_is_better=True, unit=UNIT)

    assert reading.verdict == "unknown"
    assert reading.text == estimate.reason


def test_a_custom_number_format_is_used_for_every_number():
    reading = read_estimate(tight(), higher_is_better=True, unit=UNIT, format_number=lambda x: f"{x:.2f}")

    assert "+3.00 per 1,000 residents (95 % confidence interval 0.52 to 5.48)" in reading.text


# Properties --------------------------------------------------------------------------------------

value = st.one_of(st.none(), st.floats(min_value=-1000, max_value=1000, allow_nan=False))
series = st.dictionaries(st.integers(min_value=2015, max_value=2030), value, min_size=2, max_size=16)
shift = st.floats(min_value=-1000, max_value=1000, allow_nan=False)


def random_units(pilot: dict[int, float | None], others: list[dict[int, float | None]]) -> list[UnitSeries]:
    return [unit("pilot", pilot, treated=True)] + [unit(f"unit {n}", values) for n, values in enumerate(others)]


def shifted(units: list[UnitSeries], constant: float, *, from_year: int) -> list[UnitSeries]:
    return [
        UnitSeries(
            name=item.name,
            kato=item.kato,
            treated=item.treated,
            values={
                year: (number + constant if number is not None and year >= from_year else number)
                for year, number in item.values.items()
            },
        )
        for item in units
    ]


@settings(deadline=None, max_examples=60)
@given(pilot=series, others=st.lists(series, min_size=2, max_size=6), constant=shift)
def test_adding_a_constant_to_every_value_never_changes_the_effect(pilot, others, constant):
    units = random_units(pilot, others)

    before = estimate_did(units=units, start_year=START)
    after = estimate_did(units=shifted(units, constant, from_year=-10_000), start_year=START)

    assert after.status == before.status
    assert after.units_used == before.units_used
    if before.effect is not None:
        assert after.effect == pytest.approx(before.effect, abs=1e-9)


@settings(deadline=None, max_examples=60)
@given(pilot=series, others=st.lists(series, min_size=2, max_size=6), constant=shift)
def test_adding_a_constant_to_every_value_after_the_start_never_changes_the_effect(pilot, others, constant):
    units = random_units(pilot, others)

    before = estimate_did(units=units, start_year=START)
    after = estimate_did(units=shifted(units, constant, from_year=START), start_year=START)

    assert after.status == before.status
    if before.effect is not None:
        assert after.effect == pytest.approx(before.effect, abs=1e-9)
