"""Django admin for sittings: a read-only window for superusers. Every change is a civic act that
goes through the audited services (pages and API), so nothing here can be added, edited or deleted.

Secret ballots: `BallotCast` (who took part) is not registered at all, and the secret counters are
shown only as totals on their agenda item; no admin page shows both, nor anything linking them.
"""

from __future__ import annotations

from django.contrib import admin

from kenes.core.admin import LargeTableMixin, ReadOnlyMixin, RecentYearFilter
from kenes.meetings.models import AgendaItem, Attendance, Guest, Meeting, Recommendation, SecretTally, Vote


class AgendaItemInline(ReadOnlyMixin, admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ("position", "title", "proposal", "vote_method", "vote_state", "outcome")
    readonly_fields = fields
    show_change_link = True


class AttendanceInline(ReadOnlyMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ("member", "present", "arrived_at", "left_at")
    readonly_fields = fields


class GuestInline(ReadOnlyMixin, admin.TabularInline):
    model = Guest
    extra = 0
    fields = ("full_name", "affiliation")
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(LargeTableMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "council", "starts_at", "kind", "status", "is_demo")
    list_filter = ("status", "kind", "is_demo")
    search_fields = ("council__okrug__kato", "place")
    list_select_related = ("council__okrug",)
    raw_id_fields = ("council", "chair", "secretary")
    inlines = (AgendaItemInline, AttendanceInline, GuestInline)


class VoteInline(ReadOnlyMixin, admin.TabularInline):
    """Open, named votes: public once the vote is closed."""

    model = Vote
    extra = 0
    fields = ("member", "choice", "cast_at")
    readonly_fields = fields


class SecretTallyInline(ReadOnlyMixin, admin.TabularInline):
    """The counters of a secret ballot: counts only, no voter."""

    model = SecretTally
    extra = 0
    fields = ("choice", "count")
    readonly_fields = fields


@admin.register(AgendaItem)
class AgendaItemAdmin(LargeTableMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "meeting", "position", "title", "vote_method", "vote_state", "outcome")
    list_filter = ("vote_method", "vote_state", "outcome")
    search_fields = ("title",)
    list_select_related = ("meeting__council__okrug",)
    raw_id_fields = ("meeting", "proposal")
    inlines = (VoteInline, SecretTallyInline)


@admin.register(Recommendation)
class RecommendationAdmin(LargeTableMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "council", "adopted_on", "addressee_kind", "status", "due_on", "is_demo")
    list_filter = ("status", "addressee_kind", RecentYearFilter, "is_demo")
    search_fields = ("council__okrug__kato", "text_kk", "text_ru", "addressee_name")
    list_select_related = ("council__okrug",)
    raw_id_fields = ("council", "item", "proposals")
