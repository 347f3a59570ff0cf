"""Django admin for councils: a window for superusers. Membership changes belong to the management
pages (audited services), so members and coordinators are shown here read-only, and a charter a
council uses is read-only too (a change makes a new version)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from kenes.core.admin import LargeTableMixin, ReadOnlyMixin
from kenes.councils.models import Charter, CharterSeatRule, CharterSizeBand, Coordinator, Council, Member, Pilot


def _all_fields(model: type[Model]) -> list[str]:
    return [field.name for field in model._meta.fields]


class LockedCharterInline(admin.TabularInline):
    """Editable while the charter is unused; read-only once a council uses it."""

    extra = 0

    def _locked(self, obj: Charter | None) -> bool:
        return obj is not None and obj.is_locked

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class SeatRuleInline(LockedCharterInline):
    model = CharterSeatRule


class SizeBandInline(LockedCharterInline):
    model = CharterSizeBand


@admin.register(Charter)
class CharterAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "region", "term_years", "quorum_percent", "locked_at")
    list_filter = ("region",)
    search_fields = ("name",)
    inlines = (SeatRuleInline, SizeBandInline)
    readonly_fields = ("locked_at", "previous")

    def get_readonly_fields(self, request: HttpRequest, obj: Charter | None = None) -> list[str] | tuple[str, ...]:
        if obj is not None and obj.is_locked:
            return _all_fields(Charter)
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Charter | None = None) -> bool:
        return not (obj is not None and obj.is_locked) and super().has_delete_permission(request, obj)


@admin.register(Pilot)
class PilotAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "charter", "starts_on", "ends_on", "is_demo")
    list_filter = ("is_demo",)
    search_fields = ("name",)
    raw_id_fields = ("district",)
    filter_horizontal = ("okrugs", "comparison_districts")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(ReadOnlyInline):
    model = Member
    fk_name = "council"
    fields = ("full_name", "seat_group", "settlement", "role", "term_start", "term_end", "status", "ended_on")


class CoordinatorInline(ReadOnlyInline):
    model = Coordinator
    fields = ("full_name", "maslikhat", "constituency", "started_on", "ended_on")


@admin.register(Council)
class CouncilAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ("okrug", "charter", "pilot", "status", "established_on", "population", "is_demo")
    list_filter = ("status", "is_demo", "pilot")
    search_fields = ("okrug__name_kk", "okrug__name_ru", "okrug__kato")
    list_select_related = ("okrug", "charter", "pilot")
    readonly_fields = ("okrug", "charter", "pilot", "established_on")
    inlines = (MemberInline, CoordinatorInline)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows written only by the audited services; never deleted, so their history stays public."""


@admin.register(Member)
class MemberAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ("full_name", "council", "seat_group", "role", "term_start", "term_end", "status")
    list_filter = ("status", "seat_group", "role", "is_demo")
    search_fields = ("full_name", "organisation", "council__okrug__name_kk", "council__okrug__kato")
    list_select_related = ("council__okrug",)


@admin.register(Coordinator)
class CoordinatorAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ("full_name", "council", "maslikhat", "started_on", "ended_on")
    list_filter = ("is_demo",)
    search_fields = ("full_name", "maslikhat", "council__okrug__name_kk", "council__okrug__kato")
    list_select_related = ("council__okrug",)
