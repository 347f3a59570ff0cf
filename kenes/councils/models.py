"""Councils of rural okrugs and the charter (ереже) they run under.

A charter is versioned: once a council uses a version, that version is never edited again; a
change makes a new version. Membership rows are never deleted: a member who leaves gets an end
date and a status, so the council's history stays public.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kenes.core.models import TimeStampedModel
from kenes.territory.models import District, Okrug, Region, Settlement


class SeatGroup(models.TextChoices):
    """The social groups a council is made of (domain.md: population, public associations,
    business, youth, veterans and other social groups)."""

    RESIDENTS = "residents", _("Residents")
    PUBLIC_ASSOCIATIONS = "public_associations", _("Public associations")
    BUSINESS = "business", _("Business")
    YOUTH = "youth", _("Youth")
    VETERANS = "veterans", _("Veterans")
    OTHER = "other", _("Other social groups")


class MajorityRule(models.TextChoices):
    OF_PRESENT = "of_present", _("Majority of members present")
    OF_ALL_MEMBERS = "of_all_members", _("Majority of all members")


class Charter(TimeStampedModel):
    """The rules a pilot's councils run under. Defaults follow Order No. 295 (2017) as amended
    by Order No. 88 (2021) and the Administrative Procedural Code; every number is a parameter."""

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    # The oblast whose administrators may edit it; empty for a national model charter.
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    term_years = models.PositiveSmallIntegerField(_("term of office, years"), default=4)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum, % of members"), default=50)
    majority_rule = models.CharField(
        _("majority rule"), max_length=20, choices=MajorityRule.choices, default=MajorityRule.OF_PRESENT
    )
    notice_days = models.PositiveSmallIntegerField(_("notice of a sitting, days"), default=5)
    answer_working_days = models.PositiveSmallIntegerField(_("answer deadline, working days"), default=15)
    extension_limit_months = models.PositiveSmallIntegerField(_("longest extension, months"), default=2)
    secret_ballot_allowed = models.BooleanField(_("secret ballots allowed"), default=False)
    residents_may_submit = models.BooleanField(_("residents may submit proposals"), default=True)
    members_may_submit = models.BooleanField(_("council members may submit proposals"), default=True)
    coordinators_may_submit = models.BooleanField(_("coordinator deputies may submit proposals"), default=True)
    support_threshold = models.PositiveIntegerField(_("supports for a proposal to reach the agenda"), default=25)
    members_per_settlement = models.PositiveSmallIntegerField(_("members per settlement, at least"), default=1)
    youth_age_min = models.PositiveSmallIntegerField(_("youth: youngest age"), default=14)
    youth_age_max = models.PositiveSmallIntegerField(_("youth: oldest age"), default=35)
    # Set when the first council adopts this version; from then on it is read-only.
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="charter_version_unique"),
            models.CheckConstraint(condition=Q(quorum_percent__gte=1, quorum_percent__lte=100), name="charter_quorum"),
            models.CheckConstraint(condition=Q(term_years__gte=1, term_years__lte=10), name="charter_term"),
            models.CheckConstraint(condition=Q(answer_working_days__gte=1), name="charter_answer_days"),
            models.CheckConstraint(condition=Q(youth_age_min__lte=F("youth_age_max")), name="charter_youth_band"),
            models.CheckConstraint(condition=Q(support_threshold__gte=1), name="charter_support_threshold"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class CharterSeatRule(models.Model):
    """How many seats a social group has: at least `min_seats`, at most `max_seats` (no limit if empty)."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="seat_rules")
    group = models.CharField(max_length=32, choices=SeatGroup.choices)
    min_seats = models.PositiveSmallIntegerField(default=0)
    max_seats = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["charter", "id"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "group"], name="seat_rule_one_per_group"),
            models.CheckConstraint(
                condition=Q(max_seats__isnull=True) | Q(max_seats__gte=F("min_seats")), name="seat_rule_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()}: {self.min_seats}–{self.max_seats or '∞'}"


class CharterSizeBand(models.Model):
    """Council size by okrug population: from `population_from` up to `population_to` (inclusive;
    empty means no upper bound) the council has `min_members`–`max_members` members."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="size_bands")
    population_from = models.PositiveIntegerField(default=0)
    population_to = models.PositiveIntegerField(null=True, blank=True)
    min_members = models.PositiveSmallIntegerField()
    max_members = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["charter", "population_from"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "population_from"], name="size_band_unique_start"),
            models.CheckConstraint(condition=Q(max_members__gte=F("min_members")), name="size_band_min_le_max"),
            models.CheckConstraint(condition=Q(min_members__gte=1), name="size_band_min_positive"),
            models.CheckConstraint(
                condition=Q(population_to__isnull=True) | Q(population_to__gte=F("population_from")),
                name="size_band_from_le_to",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.population_from}–{self.population_to or '∞'}: {self.min_members}–{self.max_members}"


class Pilot(TimeStampedModel):
    """A named pilot: a district (or a list of okrugs) running councils under one charter, with
    comparison districts for the evaluation."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="pilots")
    okrugs = models.ManyToManyField(Okrug, blank=True, related_name="pilots")
    comparison_districts = models.ManyToManyField(District, blank=True, related_name="compared_in_pilots")
    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="pilots")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="pilot_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Council(TimeStampedModel):
    """The self-government council of one okrug."""

    class Status(models.TextChoices):
        FORMING = "forming", _("Being formed")
        ACTIVE = "active", _("Active")
        DISSOLVED = "dissolved", _("Dissolved")

    okrug = models.OneToOneField(Okrug, on_delete=models.PROTECT, related_name="council")
    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="councils")
    pilot = models.ForeignKey(Pilot, null=True, blank=True, on_delete=models.PROTECT, related_name="councils")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.FORMING)
    established_on = models.DateField(_("established on"))
    # The okrug's population, for the council size rule: entered here, or the sum of its
    # settlements' populations when this is empty.
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=200, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["okrug__kato"]
        constraints = [
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population_year__isnull=False),
                name="council_population_has_year",
            ),
        ]

    def __str__(self) -> str:
        return str(self.okrug)


class Member(TimeStampedModel):
    """A seat held by a person for a term. Leaving ends the row; it is never deleted."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        DEPUTY_CHAIR = "deputy_chair", _("Deputy chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Serving")
        RESIGNED = "resigned", _("Resigned")
        REPLACED = "replaced", _("Replaced")
        TERM_ENDED = "term_ended", _("Term ended")

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="council_seats"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    seat_group = models.CharField(_("seat group"), max_length=32, choices=SeatGroup.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    settlement = models.ForeignKey(
        Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="council_members"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["council", "seat_group", "full_name"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gt=F("term_start")), name="member_term_in_order"),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True) | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="member_ended_iff_not_active",
            ),
            models.CheckConstraint(
                condition=~Q(seat_group="residents") | Q(settlement__isnull=False),
                name="member_resident_seat_has_settlement",
            ),
            models.UniqueConstraint(
                fields=["council"], condition=Q(status="active", role="chair"), name="member_one_active_chair"
            ),
            models.UniqueConstraint(
                fields=["council"],
                condition=Q(status="active", role="deputy_chair"),
                name="member_one_active_deputy_chair",
            ),
            models.UniqueConstraint(
                fields=["council"], condition=Q(status="active", role="secretary"), name="member_one_active_secretary"
            ),
            models.UniqueConstraint(
                fields=["council", "user"],
                condition=Q(status="active", user__isnull=False),
                name="member_one_active_seat_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Coordinator(TimeStampedModel):
    """A maslikhat deputy who coordinates the council (domain.md: the link between residents
    and the authorities)."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="coordinators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="coordinations"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    maslikhat = models.CharField(_("maslikhat"), max_length=200)
    constituency = models.CharField(_("constituency"), max_length=200, blank=True)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["council", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="coordinator_dates_in_order",
            ),
            models.UniqueConstraint(
                fields=["council", "user"],
                condition=Q(ended_on__isnull=True, user__isnull=False),
                name="coordinator_one_active_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.ended_on is None
