"""Kazakhstan's territory by the official classifier (KATO): region → district → okrug → settlement.

Rows are never deleted once anything may reference them: a code that disappears from a new
classifier edition is marked retired.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

KATO_RE = r"^[0-9]{9}$"


class TerritoryUnit(models.Model):
    kato = models.CharField(_("KATO code"), max_length=9, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    # The clean display name without the "а.о." / "ауданы" suffix, for lists and maps.
    short_name_kk = models.CharField(max_length=200)
    short_name_ru = models.CharField(max_length=200)
    # Lower-cased, ё→е, both languages: the name search matches against this.
    search_text = models.CharField(max_length=500, db_index=True)
    type_code = models.PositiveSmallIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["kato"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ru if get_language() == "ru" else self.name_kk

    @property
    def short_name(self) -> str:
        return self.short_name_ru if get_language() == "ru" else self.short_name_kk

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Region(TerritoryUnit):
    """Oblast, or a city of republican significance (Astana, Almaty, Shymkent)."""

    class Meta(TerritoryUnit.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [models.CheckConstraint(condition=Q(kato__regex=KATO_RE), name="region_kato_format")]


class District(TerritoryUnit):
    """District (аудан) or a city administration (қ.ә.)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")
    is_city = models.BooleanField(default=False)

    class Meta(TerritoryUnit.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [models.CheckConstraint(condition=Q(kato__regex=KATO_RE), name="district_kato_format")]


class Okrug(TerritoryUnit):
    class Kind(models.TextChoices):
        RURAL_OKRUG = "rural_okrug", _("rural okrug")
        SETTLEMENT_ADMINISTRATION = "settlement_administration", _("settlement administration")
        TOWN_ADMINISTRATION = "town_administration", _("town administration")
        CITY = "city", _("city")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="okrugs")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.RURAL_OKRUG)

    class Meta(TerritoryUnit.Meta):
        verbose_name = _("okrug")
        verbose_name_plural = _("okrugs")
        constraints = [
            models.CheckConstraint(condition=Q(kato__regex=KATO_RE), name="okrug_kato_format"),
            models.CheckConstraint(
                condition=Q(kind__in=["rural_okrug", "settlement_administration", "town_administration", "city"]),
                name="okrug_kind_valid",
            ),
        ]


class Settlement(TerritoryUnit):
    class Area(models.TextChoices):
        URBAN = "urban", _("urban")
        RURAL = "rural", _("rural")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="settlements")
    # A few settlements sit directly under a district, with no okrug.
    okrug = models.ForeignKey(Okrug, null=True, blank=True, on_delete=models.PROTECT, related_name="settlements")
    area = models.CharField(max_length=8, choices=Area.choices, default=Area.RURAL)
    is_main = models.BooleanField(_("main settlement of its okrug"), default=False)
    population = models.PositiveIntegerField(null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    population_source = models.CharField(max_length=200, blank=True)

    class Meta(TerritoryUnit.Meta):
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.CheckConstraint(condition=Q(kato__regex=KATO_RE), name="settlement_kato_format"),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population_year__isnull=False),
                name="settlement_population_has_year",
            ),
        ]


class TerritorySource(models.Model):
    """Which classifier file the territory came from, shown on the pages (one row per import)."""

    class Kind(models.TextChoices):
        FILE = "file", _("classifier file")
        SHARED = "shared", _("shared national classifier")
        SAMPLE = "sample", _("bundled sample")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    path = models.CharField(max_length=500)
    label = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    region_filter = models.CharField(max_length=2, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.label
