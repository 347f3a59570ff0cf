"""Django admin for From City to Village. Reference tables (the MCI of each year, the professions,
the programme's villages) and employers are kept here by superusers, every save audited; offers,
applicants, applications, moves and retention checks are civic acts written only by the audited
services (pages and API), so they are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kenes.core.audit import record_audit
from kenes.relocation import services
from kenes.relocation.models import (
    Applicant,
    Application,
    ApplicationEvent,
    Employer,
    HouseholdMember,
    MciRate,
    Move,
    Offer,
    Profession,
    ProgrammeSettlement,
    RetentionCheck,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Saves write an audit row (`relocation.<model>_saved`) with the changed fields; rows other
    records point to are never deleted here."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        changed = [name for name in form.changed_data if name in form.cleaned_data]
        before = {name: str(form.initial.get(name)) for name in changed} if change else None
        super().save_model(request, obj, form, change)
        after = {name: str(form.cleaned_data[name]) for name in changed}
        action = f"relocation.{obj._meta.model_name}_saved"
        record_audit(actor=request.user, action=action, target=obj, before=before, after=after)


@admin.register(MciRate)
class MciRateAdmin(AuditedAdmin):
    list_display = ("year", "tenge")


@admin.register(Profession)
class ProfessionAdmin(AuditedAdmin):
    list_display = ("code", "name_kk", "name_ru", "name_en")
    search_fields = ("code", "name_kk", "name_ru", "name_en")


@admin.register(ProgrammeSettlement)
class ProgrammeSettlementAdmin(AuditedAdmin):
    list_display = ("settlement", "joined_on", "is_border", "is_demo")
    list_filter = ("is_border", "is_demo")
    list_select_related = ("settlement",)
    raw_id_fields = ("settlement",)
    search_fields = ("settlement__kato", "settlement__name_kk", "settlement__name_ru")


@admin.register(Employer)
class EmployerAdmin(AuditedAdmin):
    list_display = ("name", "bin", "district", "verified_at", "is_demo")
    list_filter = ("is_demo",)
    list_select_related = ("district",)
    raw_id_fields = ("district", "users")
    search_fields = ("name", "bin")
    readonly_fields = ("verified_at",)
    actions = ("verify",)

    @admin.action(description=_("Mark the selected employers as verified"))
    def verify(self, request: HttpRequest, queryset: QuerySet[Employer]) -> None:
        for employer in queryset.filter(verified_at__isnull=True):
            services.verify_employer(actor=request.user, employer=employer)


@admin.register(Offer)
class OfferAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "title", "kind", "status", "settlement", "employer", "published_at", "expires_on", "is_demo")
    list_filter = ("kind", "status", "is_demo")
    search_fields = ("title", "settlement__kato", "district__kato")
    list_select_related = ("settlement", "employer")
    raw_id_fields = ("settlement", "okrug", "district", "employer", "published_by", "profession")
    date_hierarchy = "created_at"


class HouseholdMemberInline(ReadOnlyMixin, admin.TabularInline):
    model = HouseholdMember
    extra = 0
    fields = ("relation", "full_name", "birth_year", "profession", "skills", "seeks_work")
    readonly_fields = fields


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "user", "current_city", "open_to_offers", "consent_given_at", "consent_withdrawn_at")
    list_filter = ("open_to_offers", "is_demo")
    list_select_related = ("user",)
    raw_id_fields = ("user", "wished_districts")
    search_fields = ("user__username", "current_city")
    inlines = (HouseholdMemberInline,)


class ApplicationEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ("created_at", "status", "actor", "note")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "applicant", "offer", "status", "created_at", "is_demo")
    list_filter = ("status", "is_demo")
    list_select_related = ("applicant", "offer")
    raw_id_fields = ("applicant", "offer")
    search_fields = ("offer__title", "applicant__user__username")
    inlines = (ApplicationEventInline,)


class RetentionCheckInline(ReadOnlyMixin, admin.TabularInline):
    model = RetentionCheck
    extra = 0
    fields = ("months", "checked_on", "still_there", "note", "checked_by")
    readonly_fields = fields


@admin.register(Move)
class MoveAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "settlement", "moved_on", "household_size", "children", "employed", "status", "is_demo")
    list_filter = ("status", "is_demo")
    list_select_related = ("settlement",)
    raw_id_fields = ("applicant", "application", "settlement", "okrug", "district", "recorded_by")
    search_fields = ("settlement__kato", "district__kato")
    date_hierarchy = "moved_on"
    inlines = (RetentionCheckInline,)
