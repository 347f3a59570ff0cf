"""Django admin for proposals: a read-only window for superusers. Every change to a proposal, a
support or a comment is a civic act that goes through the audited services (pages and API), so
nothing here can be added, edited or deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kenes.core.admin import LargeTableMixin
from kenes.proposals.models import Comment, CommentReport, Photo, Proposal, Support, TimelineEvent


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PhotoInline(ReadOnlyMixin, admin.TabularInline):
    model = Photo
    extra = 0
    fields = ("image", "thumbnail", "width", "height", "size_bytes", "uploaded_at")
    readonly_fields = fields


class TimelineInline(ReadOnlyMixin, admin.TabularInline):
    model = TimelineEvent
    fk_name = "proposal"
    extra = 0
    fields = ("created_at", "kind", "actor", "note", "related")
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(LargeTableMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "title", "okrug", "status", "area", "support_count", "channel", "submitted_at")
    list_filter = ("status", "area", "channel", "language", "is_demo")
    search_fields = ("title", "okrug__kato", "author__username")
    list_select_related = ("okrug",)
    raw_id_fields = ("council", "okrug", "settlement", "author", "entered_by", "merged_into")
    inlines = (PhotoInline, TimelineInline)


@admin.register(Support)
class SupportAdmin(LargeTableMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("proposal", "resident", "moved_from", "created_at")
    list_select_related = ("proposal", "resident", "moved_from")
    raw_id_fields = ("proposal", "resident", "moved_from")
    search_fields = ("proposal__title", "resident__username")


@admin.register(Comment)
class CommentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "proposal", "author", "created_at", "edited_at", "hidden_at")
    list_filter = ("hidden_at",)
    list_select_related = ("proposal", "author")
    raw_id_fields = ("proposal", "author", "parent", "hidden_by")
    search_fields = ("body", "author__username")


@admin.register(CommentReport)
class CommentReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("comment", "reporter", "reason", "created_at", "resolved_at")
    list_select_related = ("comment", "reporter")
    raw_id_fields = ("comment", "reporter")
