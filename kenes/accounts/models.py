"""People: the user account, the roles it holds in a territory, and the resident profile."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from kenes.core.models import TimeStampedModel
from kenes.territory.models import District, Okrug, Region, Settlement


class User(AbstractUser):
    """Custom from the first migration, so later fields never need a swap."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_demo = models.BooleanField(default=False, help_text="Created by the demo loader: demo data.")

    class Meta(AbstractUser.Meta):
        constraints = [
            # One account per email address (any letter case), so a password reset reaches one person.
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.Model):
    """A role as data, so pilots can add their own without a migration."""

    RESIDENT = "resident"
    COUNCIL_MEMBER = "council_member"
    COORDINATOR = "coordinator"
    AKIMAT_STAFF = "akimat_staff"
    DISTRICT_ADMIN = "district_admin"
    OBLAST_ADMIN = "oblast_admin"
    PROGRAMME_STAFF = "programme_staff"

    code = models.SlugField(max_length=40, unique=True)
    name_kk = models.CharField(max_length=100)
    name_ru = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        language = get_language() or "kk"
        return {"ru": self.name_ru, "en": self.name_en}.get(language, self.name_kk)


class RoleAssignment(TimeStampedModel):
    """A user holds a role within one territory (a region, a district or an okrug)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    okrug = models.ForeignKey(Okrug, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="role_assignment_one_scope",
                condition=(
                    Q(region__isnull=False, district__isnull=True, okrug__isnull=True)
                    | Q(region__isnull=True, district__isnull=False, okrug__isnull=True)
                    | Q(region__isnull=True, district__isnull=True, okrug__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"], condition=Q(region__isnull=False), name="role_unique_in_region"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "district"], condition=Q(district__isnull=False), name="role_unique_in_district"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "okrug"], condition=Q(okrug__isnull=False), name="role_unique_in_okrug"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.scope}"

    @property
    def scope(self) -> Region | District | Okrug:
        scope = self.okrug or self.district or self.region
        assert scope is not None
        return scope


class ResidentProfile(TimeStampedModel):
    """A resident's IIN (kept as a keyed digest and a mask, never in full) and residency."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="resident_profile")
    iin_digest = models.CharField(max_length=64, unique=True)
    iin_masked = models.CharField(max_length=12)
    birth_date = models.DateField()
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="residents")
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(iin_masked__regex=r"^[0-9]{4}\*{8}$"), name="resident_iin_masked"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.iin_masked})"


class ApiToken(models.Model):
    """A key a person's own program uses for the API in their name (`Authorization: Bearer ...`).

    Only the SHA-256 digest of the secret is kept, so a copy of the database opens nothing; the
    secret is shown once, when the token is made. `prefix` (its first characters) tells tokens apart.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()
