from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The audit log's chains side by side (kenes.core.audit); an entry's chain is below this.
AUDIT_CHAINS = 16


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk edits and deletes are refused too: the only way in is `record_audit`."""

    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("Audit entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One civic or administrative act. Rows are only ever appended; each carries the hash of the
    row before it, so an edit made behind the application's back is found by `verify_audit`."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    chain = models.PositiveSmallIntegerField(default=0)  # which of the side-by-side chains (kenes.core.audit)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(chain__lt=AUDIT_CHAINS), name="audit_chain_in_range")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Audit entries are append-only.")


class AuditChainHead(models.Model):
    """The end of one audit chain (pk = chain + 1), locked while an entry is appended to it, so
    concurrent writers to that chain form one sequence."""

    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.last_hash


class SiteFlag(models.Model):
    """Small site-wide facts other apps set and every page reads (e.g. that demo data is loaded)."""

    DEMO_DATA = "demo_data"

    key = models.SlugField(max_length=50, unique=True)
    value = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class CalendarOverride(models.Model):
    """A day the government's calendar treats differently from the `holidays` package: a late
    transfer of a day off (a Saturday made a working day, a weekday made a day off)."""

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {'+' if self.is_working_day else '-'}"


class ContentVersion(models.Model):
    """The content version of the anonymous page cache on SQLite (`kenes.core.page_cache`): one row,
    advanced by every write. PostgreSQL keeps it in the sequence `kenes_content_version` instead."""

    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="content_version_single_row")]

    def __str__(self) -> str:
        return str(self.n)
