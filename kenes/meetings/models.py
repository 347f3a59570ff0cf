"""Sittings of a council: the agenda, who attended, the votes and the recommendations adopted.

Secret ballots keep who voted (`BallotCast`) apart from what was chosen (`SecretTally`, counts
only): no row anywhere links a member to a secret choice, so nobody, administrators included,
can recover it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.councils.models import Council, Member
from kenes.proposals.models import Proposal


class Meeting(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular sitting")
        EXTRAORDINARY = "extraordinary", _("Extraordinary sitting")
        HEARING = "hearing", _("Public hearing")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        PUBLISHED = "published", _("Announced")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Filled when the agenda is published later than the charter's notice days allow.
    late_notice_reason = models.CharField(_("reason for late notice"), max_length=500, blank=True)
    # Set when an announced sitting's date, place or kind is changed: when, why, and how many times
    # (the calendar feed's SEQUENCE, so calendars replace the old entry).
    changed_at = models.DateTimeField(null=True, blank=True)
    change_reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    revision = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    chair = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    secretary = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_link=""), name="meeting_has_place_or_link"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="cancelled") | Q(published_at__isnull=False),
                name="meeting_published_has_time",
            ),
            models.CheckConstraint(
                condition=(Q(changed_at__isnull=True) & Q(change_reason="") & Q(revision=0))
                | (Q(changed_at__isnull=False) & ~Q(change_reason="") & Q(revision__gt=0)),
                name="meeting_change_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council} · {self.starts_at:%Y-%m-%d}"


class AgendaItem(models.Model):
    class VoteMethod(models.TextChoices):
        OPEN = "open", _("Open named vote")
        SECRET = "secret", _("Secret ballot")
        PAPER = "paper", _("Paper vote, tally entered by the secretary")

    class VoteState(models.TextChoices):
        NOT_OPENED = "not_opened", _("Not voted yet")
        OPEN = "open", _("Voting")
        CLOSED = "closed", _("Voted")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Not adopted")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items")
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    vote_method = models.CharField(max_length=8, choices=VoteMethod.choices, default=VoteMethod.OPEN)
    vote_state = models.CharField(max_length=12, choices=VoteState.choices, default=VoteState.NOT_OPENED)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Totals fixed when the vote closes (for every method), with the members present then.
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(null=True, blank=True)
    present_at_close = models.PositiveSmallIntegerField(null=True, blank=True)
    members_at_close = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    decision_reason = models.TextField(_("the council's reason"), blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_item_position_unique"),
            models.UniqueConstraint(fields=["meeting", "proposal"], name="agenda_item_proposal_once"),
            models.CheckConstraint(
                condition=~Q(vote_state="closed") | (~Q(outcome="") & Q(votes_for__isnull=False)),
                name="agenda_item_closed_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Attendance(models.Model):
    """A member at a sitting: present from `arrived_at`, until `left_at` if they left early."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    present = models.BooleanField(default=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "member__full_name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")]

    def __str__(self) -> str:
        return f"{self.member} at {self.meeting_id}"


class Guest(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    full_name = models.CharField(_("full name"), max_length=200)
    affiliation = models.CharField(_("organisation or role"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "full_name"]

    def __str__(self) -> str:
        return self.full_name


class Choice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class Vote(models.Model):
    """An open, named vote."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "member__full_name"]
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="vote_once_per_member")]

    def __str__(self) -> str:
        return f"{self.member} {self.choice}"


class BallotCast(models.Model):
    """That a member took part in a secret ballot, and nothing about the choice (no time either)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="ballots_cast")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="ballot_once_per_member")]

    def __str__(self) -> str:
        return f"ballot {self.item_id}"


class SecretTally(models.Model):
    """The running count of one choice in a secret ballot: counts only, never rows per voter."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="secret_tallies")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "choice"], name="secret_tally_one_per_choice")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.choice}"


class Recommendation(models.Model):
    """What the council adopted (ұсыным), numbered council / year / sequence, sent to an addressee
    who must answer by `due_on` (working days from the charter)."""

    class Addressee(models.TextChoices):
        OKRUG_AKIM = "okrug_akim", _("The akim of the okrug")
        DISTRICT_DEPARTMENT = "district_department", _("A department of the district akimat")
        MASLIKHAT = "maslikhat", _("The maslikhat")

    class Status(models.TextChoices):
        ADOPTED = "adopted", _("Adopted, not sent yet")
        SENT = "sent", _("Sent, waiting for the answer")
        ANSWERED = "answered", _("Answered")
        IMPLEMENTED = "implemented", _("Implemented")
        UNSATISFACTORY = "unsatisfactory", _("Answer found unsatisfactory")

    class AnswerKind(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        PARTIALLY_ACCEPTED = "partially_accepted", _("Partially accepted")
        DECLINED = "declined", _("Declined")

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="recommendations")
    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="recommendation")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    text_kk = models.TextField(_("text in Kazakh"))
    text_ru = models.TextField(_("text in Russian"))
    addressee_kind = models.CharField(max_length=24, choices=Addressee.choices)
    addressee_name = models.CharField(_("addressee"), max_length=300)
    proposals = models.ManyToManyField(Proposal, blank=True, related_name="recommendations")
    adopted_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ADOPTED)
    # Where the answer stands, kept current by the accountability app (the only writer once the
    # recommendation is sent, see docs/decisions/0006): every page that shows a recommendation reads
    # its fate here, without knowing about answers.
    received_on = models.DateField(null=True, blank=True)  # the day the current addressee got it
    overdue_since = models.DateField(null=True, blank=True)  # the first day past `due_on` unanswered
    answered_on = models.DateField(null=True, blank=True)
    answer_kind = models.CharField(max_length=20, choices=AnswerKind.choices, blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    implemented_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    WAITING_STATUSES = frozenset({Status.SENT})
    ANSWERED_STATUSES = frozenset({Status.ANSWERED, Status.IMPLEMENTED, Status.UNSATISFACTORY})

    class Meta:
        ordering = ["council", "-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["council", "year", "sequence"], name="recommendation_number_unique"),
            models.CheckConstraint(
                condition=Q(status="adopted") | (Q(sent_at__isnull=False) & Q(due_on__isnull=False)),
                name="recommendation_sent_has_due_date",
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="recommendation_sequence_positive"),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=F("adopted_on")),
                name="recommendation_due_after_adoption",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["adopted", "sent"]) | (Q(answered_on__isnull=False) & ~Q(answer_kind="")),
                name="recommendation_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(status="implemented") | Q(implemented_on__isnull=False, progress_percent=100),
                name="recommendation_implemented_has_date",
            ),
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="recommendation_progress_percent"),
            models.CheckConstraint(
                condition=Q(status="adopted") | Q(received_on__isnull=False),
                name="recommendation_sent_has_received_on",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="recommendation_status_due_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.council.okrug.kato}/{self.year}/{self.sequence}"

    @property
    def is_overdue(self) -> bool:
        """Waiting past its due date: true from the first calendar day after `due_on`, whether or not
        the daily deadline task has marked it yet, so no page shows a stale status."""
        if self.status != self.Status.SENT or self.due_on is None:
            return False
        return self.overdue_since is not None or self.due_on < timezone.localdate()

    @property
    def answered_late(self) -> bool:
        return self.answered_on is not None and self.due_on is not None and self.answered_on > self.due_on
