"""Working days in Kazakhstan: deadlines counted the way the akimat counts them.

A day is a working day unless it is a Saturday, a Sunday or a public holiday, as the `holidays`
package knows them for "KZ": the public holidays (Nauryz 21–23 March, Independence Day 16 December,
...), the days off that replace a holiday falling on a weekend, and the government's yearly
transfers of days off (a Saturday made a working day, a weekday made a day off) as far as the
package has them (through 2025 in version 0.109). A transfer decided later, or one the package
lacks, is entered as a `CalendarOverride` in the admin; an override always wins.

Counting:
- `add_working_days(start, n)`: the n-th working day after `start` (before it, for negative n);
  `start` itself for 0, whatever kind of day it is.
- `working_days_between(start, end)`: the working days in (start, end] when end is on or after
  start; minus those in [end, start) when it is before. So `add_working_days(d, n)` and back gives
  `n` again, and a deadline that was yesterday (a working day) is -1 today.

Overrides are read from the database on every call (one small range query per calendar year
touched), so a change in the admin holds at once in every process. To count many deadlines at
once, make one `WorkingCalendar()` and call its methods: it reads each year's overrides once.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from typing import Any

import holidays
from django.db import transaction

from kenes.core.audit import record_audit
from kenes.core.models import CalendarOverride

COUNTRY = "KZ"
_ONE_DAY = datetime.timedelta(days=1)
# Up to this many days a count walks the days; longer spans use each year's running totals.
SHORT_SPAN_DAYS = 62


@functools.lru_cache(maxsize=64)
def _package_days_off(year: int) -> frozenset[datetime.date]:
    """Every day of the year the package treats as a day off (weekends, holidays, transfers)."""
    calendar = holidays.country_holidays(COUNTRY, years=year)
    day = datetime.date(year, 1, 1)
    days_off: set[datetime.date] = set()
    while day.year == year:
        if not calendar.is_working_day(day):
            days_off.add(day)
        day += _ONE_DAY
    return frozenset(days_off)


class WorkingCalendar:
    """The working-day calendar with each year's overrides read once (per instance)."""

    def __init__(self) -> None:
        self._overrides: dict[int, dict[datetime.date, bool]] = {}
        self._running: dict[int, list[int]] = {}

    def _overrides_of(self, year: int) -> dict[datetime.date, bool]:
        if year not in self._overrides:
            rows = CalendarOverride.objects.filter(
                day__gte=datetime.date(year, 1, 1), day__lte=datetime.date(year, 12, 31)
            ).values_list("day", "is_working_day")
            self._overrides[year] = dict(rows)
        return self._overrides[year]

    def is_working_day(self, day: datetime.date) -> bool:
        override = self._overrides_of(day.year).get(day)
        if override is not None:
            return override
        return day not in _package_days_off(day.year)

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        step = _ONE_DAY if days >= 0 else -_ONE_DAY
        remaining = abs(days)
        day = start
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        if end >= start:
            first, last, sign = start + _ONE_DAY, end, 1
        else:
            first, last, sign = end, start - _ONE_DAY, -1
        if (last - first).days <= SHORT_SPAN_DAYS:
            count = 0
            day = first
            while day <= last:
                if self.is_working_day(day):
                    count += 1
                day += _ONE_DAY
            return sign * count
        return sign * self._working_in(first, last)

    def _cumulative(self, year: int) -> list[int]:
        """Working days from 1 January through each day of the year (index: day of year - 1)."""
        if year not in self._running:
            counts, total, day = [], 0, datetime.date(year, 1, 1)
            while day.year == year:
                total += self.is_working_day(day)
                counts.append(total)
                day += _ONE_DAY
            self._running[year] = counts
        return self._running[year]

    def _through(self, day: datetime.date) -> int:
        """Working days from 1 January of its year through `day`."""
        return self._cumulative(day.year)[day.timetuple().tm_yday - 1]

    def _working_in(self, first: datetime.date, last: datetime.date) -> int:
        """Working days in [first, last], by each year's running totals: a deadline missed by years
        costs a few lookups, not a walk over every day."""
        before_first = self._through(first) - self.is_working_day(first)
        if first.year == last.year:
            return self._through(last) - before_first
        count = self._cumulative(first.year)[-1] - before_first
        for year in range(first.year + 1, last.year):
            count += self._cumulative(year)[-1]
        return count + self._through(last)


def is_working_day(day: datetime.date) -> bool:
    return WorkingCalendar().is_working_day(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (before it when negative); `start` for 0."""
    return WorkingCalendar().add_working_days(start, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]; negative (those in [end, start)) when end is before start."""
    return WorkingCalendar().working_days_between(start, end)


def _override_facts(override: CalendarOverride) -> dict[str, Any]:
    return {"day": override.day.isoformat(), "is_working_day": override.is_working_day, "note": override.note}


@transaction.atomic
def set_calendar_override(*, actor: Any, day: datetime.date, is_working_day: bool, note: str = "") -> CalendarOverride:
    """Makes `day` a working day or a day off whatever the package says; audited."""
    override = CalendarOverride.objects.select_for_update().filter(day=day).first()
    before = _override_facts(override) if override is not None else None
    if override is None:
        override = CalendarOverride(day=day)
    override.is_working_day = is_working_day
    override.note = note.strip()
    override.save()
    record_audit(
        actor=actor, action="calendar.override_set", target=override, before=before, after=_override_facts(override)
    )
    return override


@transaction.atomic
def remove_calendar_override(*, actor: Any, override: CalendarOverride) -> None:
    """The day goes back to what the package says; audited."""
    facts = _override_facts(override)
    record_audit(actor=actor, action="calendar.override_removed", target=override, before=facts)
    override.delete()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later, or the month's last day when it is shorter
    (31 August + 6 months = 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))
