from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kenes.accounts.models import ResidentProfile, Role, RoleAssignment, User
from kenes.accounts.permissions import can_assign_role
from kenes.accounts.services import assign_role, revoke_role
from kenes.core.admin import LargeTableMixin


class KenesUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "email")


class KenesUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(LargeTableMixin, DjangoUserAdmin):
    form = KenesUserChangeForm
    add_form = KenesUserCreationForm
    list_display = ("username", "full_name", "email", "is_staff", "is_demo")
    list_filter = ("is_staff", "is_superuser", "is_active", "is_demo")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email", "is_demo")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")}),
    )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name_kk", "name_ru", "name_en")
    search_fields = ("code", "name_kk", "name_ru", "name_en")


class RoleAssignmentForm(forms.ModelForm):
    actor: Any = None  # set per request by RoleAssignmentAdmin.get_form

    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "region", "district", "okrug")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = [cleaned[name] for name in ("region", "district", "okrug") if cleaned.get(name) is not None]
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose exactly one territory: a region, a district or an okrug."))
        role = cleaned.get("role")
        if role is not None and not can_assign_role(self.actor, role.code, chosen[0]):
            raise forms.ValidationError(_("You may not assign this role in this territory."))
        return cleaned


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(LargeTableMixin, admin.ModelAdmin):
    """Assignments go through the services, so the admin is held to the same rules and audit."""

    form = RoleAssignmentForm
    list_display = ("user", "role", "region", "district", "okrug", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "role", "region", "district", "okrug")
    search_fields = ("user__username", "user__full_name")
    raw_id_fields = ("user", "region", "district", "okrug")

    def get_readonly_fields(self, request: HttpRequest, obj: RoleAssignment | None = None) -> Any:
        # An assignment is revoked and assigned anew, never edited in place.
        return ("user", "role", "region", "district", "okrug") if obj is not None else ()

    def get_form(
        self, request: HttpRequest, obj: RoleAssignment | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool) -> None:
        if change:
            return
        saved = assign_role(actor=request.user, user=obj.user, role_code=obj.role.code, territory=obj.scope)  # type: ignore[arg-type]
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        revoke_role(actor=request.user, user=obj.user, role_code=obj.role.code, territory=obj.scope)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset.select_related("user", "role", "region", "district", "okrug"):
            self.delete_model(request, assignment)


@admin.register(ResidentProfile)
class ResidentProfileAdmin(LargeTableMixin, admin.ModelAdmin):
    """Residency is declared through the profile page (or by akimat staff on a resident's behalf);
    here it is only looked at and marked as checked. The IIN digest is never shown."""

    list_display = ("user", "iin_masked", "settlement", "verified_at")
    list_select_related = ("user", "settlement")
    search_fields = ("user__username", "user__full_name", "settlement__kato")
    fields = ("user", "iin_masked", "birth_date", "settlement", "verified_at", "created_at", "updated_at")
    readonly_fields = ("user", "iin_masked", "birth_date", "settlement", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
