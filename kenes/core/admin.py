from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kenes.core.calendar import remove_calendar_override, set_calendar_override
from kenes.core.models import CalendarOverride


class ReadOnlyMixin:
    """For rows written only by the audited services: the admin shows them and changes nothing."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


ESTIMATE_ABOVE = 10_000
COUNT_UP_TO = 1_000


class EstimatedCountPaginator(Paginator):
    """Counts exactly only what stays small. An unfiltered list of a big PostgreSQL table shows the
    planner's own row estimate (pg_class.reltuples, kept by ANALYZE and autovacuum) instead of a
    COUNT(*) that would read half a million rows for every page of the admin (`approximate`). A
    filtered or searched list counts its rows up to COUNT_UP_TO and stops there (`capped`): "more
    than 1,000" costs the same with 150 councils as with every okrug of the country, and a person
    narrows the search rather than paging past the tenth page."""

    approximate = False
    capped = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        if not rows.query.where:
            connection = connections[rows.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [rows.model._meta.db_table]
                    )
                    found = cursor.fetchone()
                if found is not None and found[0] > ESTIMATE_ABOVE:
                    self.approximate = True
                    return int(found[0])
            return super().count
        counted = rows.order_by().values("pk")[: COUNT_UP_TO + 1].count()
        if counted > COUNT_UP_TO:
            self.capped = True
            return COUNT_UP_TO
        return counted


class RecentYearFilter(admin.SimpleListFilter):
    """A filter by a year column offering this year and the RECENT_YEARS before it, without the
    SELECT DISTINCT over the whole table that Django's own filter runs for its choices (40 ms over
    the 109,000 recommendations of the national data set, on every page of the list)."""

    title = _("year")
    parameter_name = "year"
    RECENT_YEARS = 10

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_year = timezone.localdate().year
        return [(str(year), str(year)) for year in range(this_year, this_year - self.RECENT_YEARS - 1, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{self.parameter_name: int(value)})
        return queryset


class LargeTableMixin(admin.ModelAdmin):
    """For tables that grow with the country (proposals, supports, sittings, people): newest first by
    the primary key's index, no exact total of the unfiltered table, filtered totals counted up to
    COUNT_UP_TO (the admin templates in kenes/templates/admin say "about" and "more than"), no date
    drill-down (it scans the whole table for its years)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ("-pk",)
    date_hierarchy = None


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Late government transfers of days off. Saved through the calendar's audited functions; the
    day of an existing override is fixed (remove it and add another)."""

    list_display = ("day", "is_working_day", "note")
    list_filter = ("is_working_day",)
    search_fields = ("note",)
    date_hierarchy = "day"

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarOverride | None = None) -> Any:
        return ("day",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        saved = set_calendar_override(actor=request.user, day=obj.day, is_working_day=obj.is_working_day, note=obj.note)
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        remove_calendar_override(actor=request.user, override=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        for override in queryset:
            remove_calendar_override(actor=request.user, override=override)
