"""Django admin for the fate of recommendations: a read-only window for superusers. Answers,
forwardings, extensions, progress, escalations and timeline steps are civic acts written only by the
audited services (the inbox pages and the API), so nothing here can be added, edited or deleted.
"""

from __future__ import annotations

from django.contrib import admin

from kenes.accountability.models import Answer, Escalation, ProgressPhoto, ProgressReport, RecommendationEvent
from kenes.core.admin import LargeTableMixin, ReadOnlyMixin


@admin.register(Answer)
class AnswerAdmin(LargeTableMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "recommendation", "kind", "answered_on", "answered_by", "new_due_on", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("recommendation__council__okrug__kato", "text", "reason", "forwarded_to_name")
    list_select_related = ("recommendation__council__okrug", "answered_by")
    raw_id_fields = ("recommendation", "answered_by", "unsatisfactory_by")


class ProgressPhotoInline(ReadOnlyMixin, admin.TabularInline):
    model = ProgressPhoto
    extra = 0
    fields = ("image", "thumbnail", "width", "height")
    readonly_fields = fields


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "recommendation", "percent", "reported_on", "reported_by", "is_demo")
    list_filter = ("is_demo",)
    search_fields = ("recommendation__council__okrug__kato", "text")
    list_select_related = ("recommendation__council__okrug", "reported_by")
    raw_id_fields = ("recommendation", "reported_by")
    inlines = (ProgressPhotoInline,)


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "recommendation", "due_on", "escalated_on")
    search_fields = ("recommendation__council__okrug__kato",)
    list_select_related = ("recommendation__council__okrug",)
    raw_id_fields = ("recommendation", "recipients")
    date_hierarchy = "escalated_on"


@admin.register(RecommendationEvent)
class RecommendationEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "recommendation", "kind", "happened_on", "actor")
    list_filter = ("kind",)
    search_fields = ("recommendation__council__okrug__kato", "note")
    list_select_related = ("recommendation__council__okrug", "actor")
    raw_id_fields = ("recommendation", "actor", "answer", "progress")
