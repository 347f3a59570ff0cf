"""The pilot's evaluation, as arithmetic: a collapsed difference-in-differences. No database.

The pilot district (treated) is compared with comparison districts, before and after the pilot's
start year, for one outcome measured once a year in each unit (net migration per 1,000 residents,
proposals per 1,000 residents, % of answers on time, % of recommendations implemented).

The method, plainly:
1. For every unit, the mean of its yearly values before the start year (years < start_year) and the
   mean from the start year on (years >= start_year). A year with no value (None, NaN or infinite)
   is ignored, never counted as zero. The unit's change is Δ = post mean − pre mean.
2. A unit with no value before, or none from the start year on, has no Δ: it is left out, and named
   in `Estimate.units_left_out`.
3. Ordinary least squares (statsmodels) of Δ on a constant and a treated dummy (1 for the pilot).
   The dummy's coefficient is the estimate: Δ of the pilot − the mean Δ of the comparison units
   (with several pilot units, their mean Δ). Its confidence interval is the t interval with
   df = units − 2, so it is only as narrow as the comparison districts' changes agree with each
   other: how much districts move by chance is read from how much they differ among themselves.

Why collapse the years to one "before" and one "after" mean: with few units, yearly errors are
serially correlated and a year-by-year regression overstates its precision (Bertrand, Duflo &
Mullainathan 2004, "How much should we trust differences-in-differences estimates?", who recommend
exactly this when there are few units).

No estimate is given when the pilot has no figures before, or none from the start year on, or no
comparison unit has both (`too_few_periods`), or fewer than two comparison units have both
(`too_few_units`: an interval needs at least two to see how much districts vary by chance). The
reason is a translated plain sentence in `Estimate.reason`.

`read_estimate` turns an estimate into one plain sentence and a verdict; "better" or "worse" only
when the interval excludes zero and the outcome has a direction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _

Status = Literal["estimated", "too_few_periods", "too_few_units"]
Verdict = Literal["better", "worse", "higher", "lower", "no_clear_difference", "unknown"]

MINUS = "\u2212"  # the real minus sign, not a hyphen
MIN_COMPARISON_UNITS = 2


@dataclass(frozen=True)
class UnitSeries:
    name: str
    kato: str
    treated: bool
    values: Mapping[int, float | None]  # year → value; None (or NaN/inf) is a missing year


@dataclass(frozen=True)
class Estimate:
    """The result of `estimate_did`. `treated_change` and `comparison_change` are filled whenever they
    can be computed (also when there is too little for an interval), the rest only when estimated."""

    status: Status
    start_year: int
    level: float
    effect: float | None
    low: float | None
    high: float | None
    std_error: float | None
    df: int | None
    treated_change: float | None
    comparison_change: float | None
    pre_years: tuple[int, ...]
    post_years: tuple[int, ...]
    units_used: tuple[str, ...]
    units_left_out: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Reading:
    verdict: Verdict
    text: str


@dataclass(frozen=True)
class _Collapsed:
    unit: UnitSeries
    pre_years: tuple[int, ...]
    post_years: tuple[int, ...]
    pre_mean: float | None
    post_mean: float | None

    @property
    def change(self) -> float | None:
        if self.pre_mean is None or self.post_mean is None:
            return None
        return self.post_mean - self.pre_mean


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _collapse(unit: UnitSeries, *, start_year: int) -> _Collapsed:
    known = sorted((year, number) for year, value in unit.values.items() if (number := _finite(value)) is not None)
    pre = [(year, number) for year, number in known if year < start_year]
    post = [(year, number) for year, number in known if year >= start_year]
    return _Collapsed(
        unit=unit,
        pre_years=tuple(year for year, _number in pre),
        post_years=tuple(year for year, _number in post),
        pre_mean=_mean([number for _year, number in pre]),
        post_mean=_mean([number for _year, number in post]),
    )


def _treated_periods_reason(treated: Sequence[_Collapsed]) -> str:
    has_pre = any(unit.pre_mean is not None for unit in treated)
    has_post = any(unit.post_mean is not None for unit in treated)
    if not has_pre and not has_post:
        return _("Too few periods to tell: there are no figures for the pilot district.")
    if not has_pre:
        return _("Too few periods to tell: there are no figures for the pilot district before the pilot began.")
    if not has_post:
        return _("Too few periods to tell: there are no figures for the pilot district from the year the pilot began.")
    return _("Too few periods to tell: no pilot district has figures both before and after the pilot began.")


def estimate_did(*, units: Sequence[UnitSeries], start_year: int, level: float = 0.95) -> Estimate:
    """The collapsed difference-in-differences of the treated unit(s) against the others (module doc)."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1, e.g. 0.95")
    if not any(unit.treated for unit in units):
        raise ValueError("units must include the pilot (a unit with treated=True)")

    collapsed = [_collapse(unit, start_year=start_year) for unit in units]
    used = [unit for unit in collapsed if unit.change is not None]
    treated = [unit for unit in used if unit.unit.treated]
    comparison = [unit for unit in used if not unit.unit.treated]
    treated_change = _mean([unit.change for unit in treated if unit.change is not None])
    comparison_change = _mean([unit.change for unit in comparison if unit.change is not None])

    def result(
        status: Status,
        reason: str = "",
        *,
        effect: float | None = None,
        low: float | None = None,
        high: float | None = None,
        std_error: float | None = None,
        df: int | None = None,
    ) -> Estimate:
        return Estimate(
            status=status,
            start_year=start_year,
            level=level,
            effect=effect,
            low=low,
            high=high,
            std_error=std_error,
            df=df,
            treated_change=treated_change,
            comparison_change=comparison_change,
            pre_years=tuple(sorted({year for unit in used for year in unit.pre_years})),
            post_years=tuple(sorted({year for unit in used for year in unit.post_years})),
            units_used=tuple(unit.unit.name for unit in used),
            units_left_out=tuple(unit.unit.name for unit in collapsed if unit.change is None),
            reason=reason,
        )

    if not treated:
        return result("too_few_periods", _treated_periods_reason([unit for unit in collapsed if unit.unit.treated]))
    if all(unit.treated for unit in units):
        return result(
            "too_few_units",
            _(
                "Too few comparison districts to tell: there are none, and a confidence interval needs at "
                "least two to see how much districts vary by chance."
            ),
        )
    if not comparison:
        return result(
            "too_few_periods",
            _("Too few periods to tell: no comparison district has figures both before and after the pilot began."),
        )
    if len(comparison) < MIN_COMPARISON_UNITS:
        return result(
            "too_few_units",
            _(
                "Too few comparison districts to tell: only one has figures both before and after the pilot "
                "began, and a confidence interval needs at least two to see how much districts vary by chance."
            ),
        )

    import statsmodels.api as sm  # slow to import (~2 s): only when an estimate is asked for

    changes = [unit.change for unit in used]
    design = [[1.0, 1.0 if unit.unit.treated else 0.0] for unit in used]
    fit = sm.OLS(changes, design).fit()
    low, high = fit.conf_int(alpha=1 - level)[1]
    return result(
        "estimated",
        effect=float(fit.params[1]),
        low=float(low),
        high=float(high),
        std_error=float(fit.bse[1]),
        df=round(fit.df_resid),
    )


def one_decimal(number: float) -> str:
    return f"{number:.1f}"


def _signed(number: float, format_number: Callable[[float], str], *, plus: bool) -> str:
    """`format_number` of the size, with the real minus sign (and "+" if asked); none on a shown zero."""
    size = format_number(abs(number))
    if not any(digit in size for digit in "123456789"):
        return size
    if number < 0:
        return MINUS + size
    return "+" + size if plus else size


def _percent(level: float, format_number: Callable[[float], str]) -> str:
    percent = level * 100
    if abs(percent - round(percent)) < 1e-9:
        return str(round(percent))
    return format_number(percent)


def read_estimate(
    estimate: Estimate,
    *,
    higher_is_better: bool | None,
    unit: str,
    format_number: Callable[[float], str] = one_decimal,
) -> Reading:
    """One plain sentence about the estimate, in the active language.

    `unit` is how the effect reads, e.g. "per 1,000 residents" or, for a share, "percentage points".
    With `higher_is_better` None the outcome has no good direction: "higher"/"lower", never better/worse.
    """
    if estimate.status != "estimated" or estimate.effect is None or estimate.low is None or estimate.high is None:
        return Reading(verdict="unknown", text=estimate.reason)

    facts = {
        "effect": _signed(estimate.effect, format_number, plus=True),
        "unit": unit,
        "level": _percent(estimate.level, format_number),
        "low": _signed(estimate.low, format_number, plus=False),
        "high": _signed(estimate.high, format_number, plus=False),
    }
    if estimate.low <= 0 <= estimate.high:
        return Reading(
            verdict="no_clear_difference",
            text=_(
                "No clear difference: the estimate, %(effect)s %(unit)s, could be chance "
                "(the %(level)s %% interval, %(low)s to %(high)s, includes zero)."
            )
            % facts,
        )

    went_higher = estimate.effect > 0
    if higher_is_better is None:
        if went_higher:
            return Reading(
                verdict="higher",
                text=_(
                    "After the pilot began, the pilot district's figure went higher than the comparison "
                    "districts' did: %(effect)s %(unit)s (%(level)s %% confidence interval %(low)s to %(high)s)."
                )
                % facts,
            )
        return Reading(
            verdict="lower",
            text=_(
                "After the pilot began, the pilot district's figure went lower than the comparison "
                "districts' did: %(effect)s %(unit)s (%(level)s %% confidence interval %(low)s to %(high)s)."
            )
            % facts,
        )
    if went_higher == higher_is_better:
        return Reading(
            verdict="better",
            text=_(
                "After the pilot began, the pilot district did better than the comparison districts: "
                "%(effect)s %(unit)s (%(level)s %% confidence interval %(low)s to %(high)s)."
            )
            % facts,
        )
    return Reading(
        verdict="worse",
        text=_(
            "After the pilot began, the pilot district did worse than the comparison districts: "
            "%(effect)s %(unit)s (%(level)s %% confidence interval %(low)s to %(high)s)."
        )
        % facts,
    )
