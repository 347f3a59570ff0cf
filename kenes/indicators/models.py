"""Rural development indicators: a catalogue (what is measured, in what unit, which way is better,
from which source) and values per settlement, okrug or district per period, loaded from files.

A value is never overwritten silently: a corrected file that changes a value keeps the old one in
`IndicatorRevision`, and every load is an `ImportBatch` that says what it did.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kenes.territory.models import District, Okrug, Settlement


class Indicator(models.Model):
    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher_better", _("Higher is better")
        LOWER_IS_BETTER = "lower_better", _("Lower is better")
        NEUTRAL = "neutral", _("Neither: context")

    code = models.SlugField(max_length=60, unique=True)
    name_kk = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    unit_kk = models.CharField(max_length=40)
    unit_ru = models.CharField(max_length=40)
    unit_en = models.CharField(max_length=40)
    definition_kk = models.TextField()
    definition_ru = models.TextField()
    definition_en = models.TextField()
    direction = models.CharField(max_length=16, choices=Direction.choices)
    source = models.CharField(_("source"), max_length=300)
    # Shares are 0–100; counts are whole and not negative (net migration may be negative).
    is_percent = models.BooleanField(default=False)
    allows_negative = models.BooleanField(default=False)
    ordering_key = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordering_key", "code"]

    def __str__(self) -> str:
        return self.name

    def _localised(self, field: str) -> str:
        language = (get_language() or "kk")[:2]
        value: str = getattr(self, f"{field}_{language}", "") or getattr(self, f"{field}_kk")
        return value

    @property
    def name(self) -> str:
        return self._localised("name")

    @property
    def unit(self) -> str:
        return self._localised("unit")

    @property
    def definition(self) -> str:
        return self._localised("definition")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


class ImportBatch(models.Model):
    """One file loaded (or previewed): who, when, what it changed, and its row errors."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused: errors in the file")

    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    layout = models.CharField(max_length=8)  # "long" or "wide"
    source = models.CharField(_("source"), max_length=300)
    status = models.CharField(max_length=12, choices=Status.choices)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "message"}], first 200
    error_count = models.PositiveIntegerField(default=0)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class IndicatorValue(models.Model):
    """The value of one indicator for one territory (a settlement, an okrug or a district) in one
    period, which starts on `period_start` (1 January, the quarter's or the month's first day)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    okrug = models.ForeignKey(Okrug, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settlement = models.ForeignKey(Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4)
    source = models.CharField(_("source"), max_length=300)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="values")
    loaded_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.CheckConstraint(
                name="indicator_value_one_territory",
                condition=(
                    Q(district__isnull=False, okrug__isnull=True, settlement__isnull=True)
                    | Q(district__isnull=True, okrug__isnull=False, settlement__isnull=True)
                    | Q(district__isnull=True, okrug__isnull=True, settlement__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["indicator", "district", "period_kind", "period_start"],
                condition=Q(district__isnull=False),
                name="indicator_value_once_per_district_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "okrug", "period_kind", "period_start"],
                condition=Q(okrug__isnull=False),
                name="indicator_value_once_per_okrug_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "settlement", "period_kind", "period_start"],
                condition=Q(settlement__isnull=False),
                name="indicator_value_once_per_settlement_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_kind} {self.period_start}: {self.value}"


class IndicatorRevision(models.Model):
    """A value a later file changed: what it was, what it became, and which load changed it."""

    value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="revisions")
    old_value = models.DecimalField(max_digits=18, decimal_places=4)
    new_value = models.DecimalField(max_digits=18, decimal_places=4)
    old_source = models.CharField(max_length=300)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="revisions")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["value", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.value_id}: {self.old_value} → {self.new_value}"


class PerspectiveVillage(models.Model):
    """A settlement's status under the Concept of rural development 2023–2027: "perspective" villages
    (about 3,500, home to 90 % of rural people) are the ones to be modernised first."""

    class Status(models.TextChoices):
        PERSPECTIVE = "perspective", _("Perspective village")
        NOT_PERSPECTIVE = "other", _("Not on the perspective list")

    settlement = models.OneToOneField(Settlement, on_delete=models.PROTECT, related_name="perspective")
    status = models.CharField(max_length=12, choices=Status.choices)
    concept = models.CharField(max_length=40, default="2023–2027")
    source = models.CharField(_("source"), max_length=300)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["settlement__kato"]

    def __str__(self) -> str:
        return f"{self.settlement_id}: {self.status}"
