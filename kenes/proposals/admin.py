"""Django admin for proposals: a read-only window for superusers. Every change to a proposal, a
support or a comment is a civic act that goes through the audited services (pages and API), so
nothing here can be added, edited or deleted."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kenes.core.admin import LargeTableMixin, ReadOnlyMixin
from kenes.proposals.models import Comment, CommentReport, Photo, Proposal, Support, TimelineEvent
from kenes.proposals.search import search_proposals


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
    search_help_text = _("Words of the title or text, a proposal number, the start of a KATO code, or a username.")
    list_select_related = ("okrug",)
    raw_id_fields = ("council", "okrug", "settlement", "author", "entered_by", "merged_into")
    inlines = (PhotoInline, TimelineInline)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Proposal], search_term: str
    ) -> tuple[QuerySet[Proposal], bool]:
        """Through the proposal search index, never a substring scan of every title (half a million at
        national scale): digits are a proposal number or the start of a KATO code; other words are
        matched like the public search, or taken as an author's exact username."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(Q(pk=int(term)) | Q(okrug__kato__startswith=term)), False
        found = search_proposals(queryset, term)
        # The author by a lookup of its own, so the list needs no join to every user.
        author = get_user_model().objects.filter(username=term).values_list("pk", flat=True).first()
        return (found | queryset.filter(author_id=author) if author is not None else found), False


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
