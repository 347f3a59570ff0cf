"""What happens to a recommendation once it is sent: the addressee's answers (a final answer, a
forwarding to the competent body, one extension), progress on accepted measures, the daily
deadline check's escalations, and the public timeline of it all.

The recommendation's current state (status, due date, addressee, overdue, progress) is kept on
`meetings.Recommendation` itself so every page that shows one shows its fate; this app is the one
writer of that state once the recommendation is sent (docs/decisions/0006).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kenes.meetings.models import Recommendation

FINAL_KINDS = ("accepted", "partially_accepted", "declined")


class Answer(models.Model):
    """One act of the addressee: a final answer (accepted, partially accepted, declined), a
    forwarding to the competent body, or the one extension of the deadline."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        PARTIALLY_ACCEPTED = "partially_accepted", _("Partially accepted")
        DECLINED = "declined", _("Declined")
        FORWARDED = "forwarded", _("Forwarded to the competent body")
        EXTENDED = "extended", _("Deadline extended")

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="answers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Accepted / partially accepted: the planned measures; any kind: the reply in the addressee's words.
    text = models.TextField(_("answer"), blank=True)
    # Declined, partially accepted (what is not done and why), extended: why.
    reason = models.TextField(_("reason"), blank=True)
    budget_year = models.PositiveSmallIntegerField(_("budget year"), null=True, blank=True)
    amount_tenge = models.DecimalField(_("amount, tenge"), max_digits=15, decimal_places=2, null=True, blank=True)
    # Forwarded: the competent body.
    forwarded_to_kind = models.CharField(max_length=24, choices=Recommendation.Addressee.choices, blank=True)
    forwarded_to_name = models.CharField(_("competent body"), max_length=300, blank=True)
    # The deadline before and after this act (forwarding restarts it, an extension moves it).
    previous_due_on = models.DateField(null=True, blank=True)
    new_due_on = models.DateField(null=True, blank=True)
    answered_on = models.DateField(_("answered on"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.CharField(_("on behalf of"), max_length=300, blank=True)  # the office, as written
    # The council's judgement of a final answer.
    unsatisfactory_at = models.DateTimeField(null=True, blank=True)
    unsatisfactory_reason = models.TextField(blank=True)
    unsatisfactory_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["recommendation", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation"], condition=Q(kind__in=FINAL_KINDS), name="answer_one_final_per_recommendation"
            ),
            models.UniqueConstraint(
                fields=["recommendation"], condition=Q(kind="extended"), name="answer_one_extension_per_recommendation"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["declined", "partially_accepted", "extended"]) | ~Q(reason=""),
                name="answer_reason_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["accepted", "partially_accepted"]) | ~Q(text=""),
                name="answer_measures_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind="forwarded") | (~Q(forwarded_to_name="") & Q(new_due_on__isnull=False)),
                name="answer_forwarded_has_body",
            ),
            models.CheckConstraint(
                condition=~Q(kind="extended") | Q(new_due_on__gt=models.F("previous_due_on")),
                name="answer_extension_moves_deadline_later",
            ),
            models.CheckConstraint(
                condition=Q(amount_tenge__isnull=True) | Q(amount_tenge__gte=0), name="answer_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(budget_year__isnull=True) | Q(budget_year__gte=2000, budget_year__lte=2100),
                name="answer_budget_year_range",
            ),
            models.CheckConstraint(
                condition=Q(unsatisfactory_at__isnull=True) | (Q(kind__in=FINAL_KINDS) & ~Q(unsatisfactory_reason="")),
                name="answer_unsatisfactory_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.kind}"

    @property
    def is_final(self) -> bool:
        return self.kind in FINAL_KINDS


class ProgressReport(models.Model):
    """How far the accepted measures are: 0–100 %, what was done, photos. 100 % means done."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="progress_reports")
    percent = models.PositiveSmallIntegerField(_("progress, %"))
    text = models.TextField(_("what was done"))
    reported_on = models.DateField(_("reported on"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["recommendation", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_at_most_100"),
            models.CheckConstraint(condition=~Q(text=""), name="progress_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.percent} %"


class ProgressPhoto(models.Model):
    """A photo of the work, cleaned by `kenes.proposals.photos` (no EXIF, no GPS)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="progress/%Y/%m/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="progress/%Y/%m/thumbs/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.image.name or ""


class Escalation(models.Model):
    """An overdue recommendation raised to the district maslikhat and akimat: one per due date, so
    running the daily check again escalates nothing twice (the constraint, not the code, holds it)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="escalations")
    due_on = models.DateField()  # the deadline that was missed
    escalated_on = models.DateField()
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="escalations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-escalated_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "due_on"], name="escalation_once_per_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} overdue since {self.due_on}"


class RecommendationEvent(models.Model):
    """A public step in a recommendation's life after it was sent, shown on its timeline (the audit
    log keeps the full record; adoption and sending are read from the recommendation itself)."""

    class Kind(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        FORWARDED = "forwarded", _("Forwarded to the competent body")
        EXTENDED = "extended", _("Deadline extended")
        OVERDUE = "overdue", _("Answer overdue")
        ESCALATED = "escalated", _("Escalated to the district")
        PROGRESS = "progress", _("Progress reported")
        IMPLEMENTED = "implemented", _("Implemented")
        UNSATISFACTORY = "unsatisfactory", _("Answer found unsatisfactory")

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    progress = models.ForeignKey(ProgressReport, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    happened_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recommendation", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.kind}"
