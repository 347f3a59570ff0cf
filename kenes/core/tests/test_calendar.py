"""The working-day calendar: Kazakh public holidays and weekends, the package's transfers, and
overrides entered in the admin."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kenes.core.calendar import (
    WorkingCalendar,
    add_working_days,
    is_working_day,
    remove_calendar_override,
    set_calendar_override,
    working_days_between,
)
from kenes.core.models import AuditEntry, CalendarOverride

pytestmark = pytest.mark.django_db

D = datetime.date


def _superuser():
    return get_user_model().objects.create_superuser(username="root", email="root@example.org", password=None)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
@pytest.mark.parametrize("day", [21, 22, 23])
def test_nauryz_is_not_a_working_day(year, day):
    assert not is_working_day(D(year, 3, day))


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_independence_day_is_not_a_working_day(year):
    assert not is_working_day(D(year, 12, 16))


def test_a_saturday_and_a_sunday_are_not_working_days_and_an_ordinary_weekday_is():
    assert not is_working_day(D(2026, 11, 28))
    assert not is_working_day(D(2026, 11, 29))
    assert is_working_day(D(2026, 11, 27))


def test_the_packages_transfers_of_days_off_are_followed():
    # Government decree for 2024: Saturday 4 May worked, Wednesday 8 May off.
    assert is_working_day(D(2024, 5, 4))
    assert not is_working_day(D(2024, 5, 8))


def test_an_override_makes_a_saturday_a_working_day():
    saturday = D(2026, 11, 28)
    set_calendar_override(actor=None, day=saturday, is_working_day=True, note="Transfer <script>")

    assert is_working_day(saturday)
    assert add_working_days(D(2026, 11, 27), 1) == saturday


def test_an_override_makes_a_weekday_a_day_off():
    set_calendar_override(actor=None, day=D(2026, 11, 30), is_working_day=False)

    assert not is_working_day(D(2026, 11, 30))
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 12, 1)  # Friday → Tuesday


def test_removing_an_override_gives_the_day_back_to_the_package():
    override = set_calendar_override(actor=None, day=D(2026, 11, 28), is_working_day=True)

    remove_calendar_override(actor=None, override=override)

    assert not is_working_day(D(2026, 11, 28))
    assert not CalendarOverride.objects.exists()


def test_setting_an_override_twice_keeps_one_row_and_audits_both():
    set_calendar_override(actor=None, day=D(2026, 11, 28), is_working_day=True)
    set_calendar_override(actor=None, day=D(2026, 11, 28), is_working_day=False, note="changed")

    assert CalendarOverride.objects.get().is_working_day is False
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["calendar.override_set", "calendar.override_set"]


def test_adding_three_working_days_skips_a_weekend():
    assert add_working_days(D(2026, 11, 27), 3) == D(2026, 12, 2)  # Friday → Wednesday


def test_adding_three_working_days_skips_nauryz_and_its_observed_day():
    # 2024: 21–23 March holidays, 24 Sunday, 25 Monday the day off for the Saturday holiday.
    assert add_working_days(D(2024, 3, 20), 3) == D(2024, 3, 28)


def test_adding_zero_working_days_is_the_same_day_and_negative_goes_back():
    assert add_working_days(D(2026, 11, 28), 0) == D(2026, 11, 28)
    assert add_working_days(D(2026, 11, 30), -1) == D(2026, 11, 27)


def test_working_days_between_counts_forwards_and_backwards():
    friday, wednesday = D(2026, 11, 27), D(2026, 12, 2)

    assert working_days_between(friday, wednesday) == 3
    assert working_days_between(wednesday, friday) == -3
    assert working_days_between(friday, friday) == 0


def test_a_deadline_that_fell_on_friday_is_overdue_on_the_saturday():
    assert working_days_between(D(2026, 11, 28), D(2026, 11, 27)) == -1


def test_one_calendar_reads_each_years_overrides_once(django_assert_num_queries):
    calendar = WorkingCalendar()
    with django_assert_num_queries(2):
        calendar.working_days_between(D(2026, 1, 1), D(2027, 12, 31))
        calendar.add_working_days(D(2026, 6, 1), 40)


def test_the_admin_saves_an_override_through_the_audited_function(client: Client):
    client.force_login(_superuser())

    response = client.post(
        reverse("admin:core_calendaroverride_add"),
        {"day": "2026-11-28", "is_working_day": "on", "note": "Decree <script>"},
    )

    assert response.status_code == 302
    assert is_working_day(D(2026, 11, 28))
    assert AuditEntry.objects.filter(action="calendar.override_set").count() == 1
    listing = client.get(reverse("admin:core_calendaroverride_changelist")).content.decode()
    assert "Decree <script>" not in listing
    assert "Decree &lt;script&gt;" in listing


def test_the_admin_deletes_an_override_through_the_audited_function(client: Client):
    client.force_login(_superuser())
    override = set_calendar_override(actor=None, day=D(2026, 11, 28), is_working_day=True)

    response = client.post(reverse("admin:core_calendaroverride_delete", args=[override.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEntry.objects.filter(action="calendar.override_removed").count() == 1


_days = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=_days, n=st.integers(min_value=0, max_value=400))
def test_adding_working_days_and_counting_them_back_agree(start, n):
    result = add_working_days(start, n)

    assert working_days_between(start, result) == n
    assert result == start or is_working_day(result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=_days, n=st.integers(min_value=-400, max_value=-1))
def test_going_back_working_days_and_counting_them_agree(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


def _walked(calendar: WorkingCalendar, start: datetime.date, end: datetime.date) -> int:
    first, last, sign = (
        (start + datetime.timedelta(days=1), end, 1) if end >= start else (end, start - datetime.timedelta(days=1), -1)
    )
    count, day = 0, first
    while day <= last:
        count += calendar.is_working_day(day)
        day += datetime.timedelta(days=1)
    return sign * count


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=_days, end=_days)
def test_long_spans_counted_by_running_totals_equal_the_day_by_day_walk(start, end):
    set_calendar_override(actor=None, day=D(2026, 11, 14), is_working_day=True, note="a working Saturday")
    set_calendar_override(actor=None, day=D(2028, 3, 1), is_working_day=False, note="a day off")
    calendar = WorkingCalendar()

    assert calendar.working_days_between(start, end) == _walked(calendar, start, end)


def test_a_deadline_missed_by_years_is_counted_without_walking_every_day(django_assert_max_num_queries):
    calendar = WorkingCalendar()
    with django_assert_max_num_queries(12):  # one override query per year touched
        late = calendar.working_days_between(D(2036, 1, 1), D(2026, 1, 1))
    assert late == -_walked(WorkingCalendar(), D(2026, 1, 1), D(2036, 1, 1))
    assert -2600 < late < -2400
