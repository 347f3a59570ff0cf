"""Residents' proposals to their okrug's council, the supports they gather, their public timeline
and the discussion under them.

Nothing a resident did is ever deleted: a merged duplicate keeps its row (status `merged`) and its
timeline; a hidden comment keeps its text for the moderators and shows the public reason instead.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kenes.councils.models import Council
from kenes.territory.models import Okrug, Settlement


class Area(models.TextChoices):
    """The council's fields of work (domain.md), plus "other"."""

    DEVELOPMENT = "development", _("Okrug development")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    HOUSING_UTILITIES = "housing_utilities", _("Housing and communal services")
    HOUSEHOLD_FARMING = "household_farming", _("Private household farming")
    SOCIAL = "social", _("Social sphere")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for screening")
    RETURNED = "returned", _("Returned to the author")
    COLLECTING = "collecting", _("Collecting support")
    MERGED = "merged", _("Merged into another proposal")
    FORWARDED = "forwarded", _("Forwarded to the competent body")
    READY = "ready", _("Ready for the agenda")
    ON_AGENDA = "on_agenda", _("On a sitting's agenda")
    RECOMMENDED = "recommended", _("Recommended by the council")
    DECLINED = "declined", _("Declined by the council")


class EntryChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person at the akimat")
    PHONE = "phone", _("By phone")


class Proposal(models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="proposals")
    okrug = models.ForeignKey(Okrug, on_delete=models.PROTECT, related_name="proposals")
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    # Assisted entry: staff who typed it in for a resident who came in person or called.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals_entered"
    )
    channel = models.CharField(max_length=16, choices=EntryChannel.choices, default=EntryChannel.ONLINE)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    area = models.CharField(_("area"), max_length=32, choices=Area.choices)
    estimated_cost = models.PositiveBigIntegerField(_("estimated cost, tenge"), null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    support_count = models.PositiveIntegerField(default=0)
    # Folded (casefold, ё→е) title and text: what the search matches.
    search_text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    screening_due_on = models.DateField(null=True, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates")
    forwarded_to = models.CharField(_("addressee"), max_length=300, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["okrug", "status"], name="proposal_okrug_status_idx"),
            models.Index(fields=["council", "status", "submitted_at"], name="proposal_queue_idx"),
            # The lists' two orders, for keyset pages over every council's proposals; drafts (never
            # listed, no submission time) left out, or a descending scan would start with all of them.
            models.Index(
                fields=["-submitted_at", "-id"], name="proposal_newest_idx", condition=Q(submitted_at__isnull=False)
            ),
            models.Index(
                fields=["-support_count", "-submitted_at", "-id"],
                name="proposal_most_supported_idx",
                condition=Q(submitted_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="proposal_status_valid"),
            models.CheckConstraint(condition=Q(area__in=Area.values), name="proposal_area_valid"),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="proposal_language_valid"),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="proposal_merged_iff_target",
            ),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="proposal_not_merged_into_itself"),
            models.CheckConstraint(
                condition=~Q(status="forwarded") | ~Q(forwarded_to=""), name="proposal_forwarded_has_addressee"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="proposal_submitted_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_assisted(self) -> bool:
        return self.entered_by_id is not None


class Photo(models.Model):
    """A photo of the problem: re-encoded on upload (metadata stripped), with a thumbnail."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="proposals/%Y/%m/")
    thumbnail = models.ImageField(upload_to="proposals/%Y/%m/thumbs/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "id"]

    def __str__(self) -> str:
        return self.image.name or ""


class Support(models.Model):
    """One resident's support for one proposal: the database allows no second one."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="supports")
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supports")
    # Set when the support came over from a merged duplicate.
    moved_from = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="supports_moved_out"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "resident"], name="support_one_per_resident"),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} → {self.proposal_id}"


class TimelineEvent(models.Model):
    """A public step in a proposal's life, shown on its page (the audit log keeps the full record)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Draft created")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned to the author")
        ACCEPTED = "accepted", _("Accepted for support")
        MERGED = "merged", _("Merged as a duplicate")
        MERGED_IN = "merged_in", _("A duplicate was merged in")
        FORWARDED = "forwarded", _("Forwarded to the competent body")
        READY = "ready", _("Ready for the agenda")
        ON_AGENDA = "on_agenda", _("Put on a sitting's agenda")
        OFF_AGENDA = "off_agenda", _("Taken off the agenda")
        RECOMMENDED = "recommended", _("Recommended by the council")
        DECLINED = "declined", _("Declined by the council")
        # The recommendation's fate, written by the accountability app through `note_answer_step`.
        ANSWERED = "answered", _("The akim answered")
        ANSWER_FORWARDED = "answer_forwarded", _("Forwarded to the competent body")
        EXTENDED = "extended", _("The answer deadline was extended")
        OVERDUE = "overdue", _("The answer is overdue")
        PROGRESS = "progress", _("Progress reported")
        IMPLEMENTED = "implemented", _("Implemented")
        UNSATISFACTORY = "unsatisfactory", _("The council found the answer unsatisfactory")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    related = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="related_timeline_events"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.kind}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    # One level of replies: a reply's parent is a top-level comment (checked by the service).
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="comment_not_its_own_parent"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="comment_hidden_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["author", "created_at"], name="comment_author_time_idx")]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.proposal_id}"


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="comment_report_once")]

    def __str__(self) -> str:
        return f"report on {self.comment_id}"
