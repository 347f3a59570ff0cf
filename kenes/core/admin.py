from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

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
