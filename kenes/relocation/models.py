"""From City to Village (Қаладан ауылға): offers in villages, the people and families who may move
there, their applications, the moves, and whether they stay.

Applicants' personal data is visible only to programme staff and, once they apply, to the owner of
that offer (selectors enforce it; pages answer 404 for anything else).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kenes.core.models import TimeStampedModel
from kenes.territory.models import District, Okrug, Settlement


class MciRate(models.Model):
    """The monthly calculation index (АЕК / МРП) of a year, in tenge: a dated table, never a constant."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    tenge = models.DecimalField(_("tenge"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=Q(tenge__gt=0), name="mci_rate_positive")]

    def __str__(self) -> str:
        return f"{self.year}: {self.tenge} ₸"


class Profession(models.Model):
    """A profession from a short catalogue, so a vacancy and a person's profession can be matched."""

    code = models.SlugField(max_length=60, unique=True)
    name_kk = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        language = get_language() or "kk"
        return {"ru": self.name_ru, "en": self.name_en}.get(language, self.name_kk)


class Employer(TimeStampedModel):
    """A registered employer (a farm, a school, a clinic...) whose people may publish vacancies."""

    name = models.CharField(_("name"), max_length=300)
    bin = models.CharField(_("BIN"), max_length=12, unique=True)  # business identification number
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="employers")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="employers")
    verified_at = models.DateTimeField(null=True, blank=True)  # checked by programme staff
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(bin__regex=r"^[0-9]{12}$"), name="employer_bin_format")]

    def __str__(self) -> str:
        return self.name


class Offer(TimeStampedModel):
    """What a village offers: a job vacancy, housing, land for household farming or a support measure."""

    class Kind(models.TextChoices):
        VACANCY = "vacancy", _("Job vacancy")
        HOUSING = "housing", _("Housing")
        LAND = "land", _("Land for household farming")
        SUPPORT = "support", _("Support measure")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    class HousingType(models.TextChoices):
        HOUSE = "house", _("House")
        APARTMENT = "apartment", _("Apartment")
        ROOM = "room", _("Room")

    class HousingCondition(models.TextChoices):
        NEW = "new", _("New")
        GOOD = "good", _("Good")
        NEEDS_REPAIR = "needs_repair", _("Needs repair")

    class Tenure(models.TextChoices):
        FREE = "free", _("Free of charge")
        RENT = "rent", _("For rent")
        SERVICE = "service", _("Service housing")

    class LandPurpose(models.TextChoices):
        HOUSEHOLD_FARMING = "household_farming", _("Private household farming")
        HOUSE_BUILDING = "house_building", _("Building a house")
        PASTURE = "pasture", _("Pasture")

    class Measure(models.TextChoices):
        LIFTING_ALLOWANCE = "lifting_allowance", _("Lifting allowance")
        HOUSING_LOAN = "housing_loan", _("Housing loan")
        MICROCREDIT = "microcredit", _("Microcredit «Ауыл аманаты»")
        RESETTLEMENT = "resettlement", _("Resettlement payment")
        RENT_SUBSIDY = "rent_subsidy", _("Rent subsidy")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="offers")
    # Copied from the settlement when the offer is written, for filtering by okrug and district.
    okrug = models.ForeignKey(Okrug, null=True, blank=True, on_delete=models.PROTECT, related_name="offers")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="offers")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.PROTECT, related_name="offers")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offers")
    published_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(_("open until"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)
    # Vacancy
    position = models.CharField(_("position"), max_length=200, blank=True)
    profession = models.ForeignKey(Profession, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    salary_tenge = models.PositiveIntegerField(_("monthly salary, tenge"), null=True, blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    positions = models.PositiveSmallIntegerField(_("number of positions"), null=True, blank=True)
    # Housing
    housing_type = models.CharField(max_length=12, choices=HousingType.choices, blank=True)
    rooms = models.PositiveSmallIntegerField(_("rooms"), null=True, blank=True)
    condition = models.CharField(max_length=16, choices=HousingCondition.choices, blank=True)
    tenure = models.CharField(max_length=12, choices=Tenure.choices, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    # Land
    area_hectares = models.DecimalField(_("area, hectares"), max_digits=9, decimal_places=2, null=True, blank=True)
    land_purpose = models.CharField(max_length=20, choices=LandPurpose.choices, blank=True)
    # Support
    measure = models.CharField(max_length=20, choices=Measure.choices, blank=True)
    amount_mci = models.DecimalField(_("amount, MCI"), max_digits=9, decimal_places=2, null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "district", "kind"], name="offer_status_district_kind")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="vacancy") | (Q(profession__isnull=False) & ~Q(position="") & Q(positions__gte=1)),
                name="offer_vacancy_has_position",
            ),
            models.CheckConstraint(
                condition=~Q(kind="housing") | (~Q(housing_type="") & Q(rooms__gte=1) & ~Q(tenure="")),
                name="offer_housing_has_type_rooms_tenure",
            ),
            models.CheckConstraint(
                condition=~Q(kind="land") | (Q(area_hectares__gt=0) & ~Q(land_purpose="")),
                name="offer_land_has_area_and_purpose",
            ),
            models.CheckConstraint(
                condition=~Q(kind="support") | (~Q(measure="") & Q(amount_mci__gt=0)),
                name="offer_support_has_measure_and_amount",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="offer_published_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="offer_closed_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Applicant(TimeStampedModel):
    """A person or a family thinking of moving to a village. Personal data: programme staff see it;
    an offer's owner sees it only after the applicant applied to that offer."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applicant")
    current_city = models.CharField(_("where you live now"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    wished_districts = models.ManyToManyField(District, blank=True, related_name="+")
    max_distance_km = models.PositiveSmallIntegerField(_("how far from the district centre, km"), null=True, blank=True)
    rooms_needed = models.PositiveSmallIntegerField(_("rooms needed"), null=True, blank=True)
    wants_land = models.BooleanField(_("wants land for household farming"), default=False)
    notes = models.TextField(_("about us"), blank=True)
    # Found by offer owners only if they opted in.
    open_to_offers = models.BooleanField(_("employers and akimats may find us"), default=False)
    consent_given_at = models.DateTimeField(_("consent to processing personal data"))
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"applicant {self.pk}"


class HouseholdMember(models.Model):
    """One person of the household (the applicant themself included)."""

    class Relation(models.TextChoices):
        SELF = "self", _("Applicant")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        OTHER = "other", _("Other relative")

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="members")
    relation = models.CharField(max_length=8, choices=Relation.choices)
    full_name = models.CharField(_("full name"), max_length=200)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    profession = models.ForeignKey(Profession, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    skills = models.CharField(_("skills"), max_length=500, blank=True)
    seeks_work = models.BooleanField(_("looking for work"), default=False)

    class Meta:
        ordering = ["applicant", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(birth_year__gte=1900, birth_year__lte=2100), name="member_birth_year"),
            models.UniqueConstraint(fields=["applicant"], condition=Q(relation="self"), name="member_one_self"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Application(TimeStampedModel):
    """An applicant's application to one offer: applied → in talks → accepted → moved, or declined /
    withdrawn on the way."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        IN_TALKS = "in_talks", _("In talks")
        ACCEPTED = "accepted", _("Accepted")
        MOVED = "moved", _("Moved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="applications")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED)
    message = models.TextField(_("message"), blank=True)
    decided_reason = models.CharField(max_length=500, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "offer"], name="application_once_per_offer"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decided_reason=""), name="application_declined_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id} → {self.offer_id}"


class ApplicationEvent(models.Model):
    """A step of an application, for the applicant's and the owner's timeline (the audit keeps all)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=Application.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.status}"


class Move(TimeStampedModel):
    """A household that moved to a village, and from then on the retention checks."""

    class Status(models.TextChoices):
        STAYING = "staying", _("Living there")
        LEFT = "left", _("Left")

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="moves")
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="move"
    )
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="moves")
    okrug = models.ForeignKey(Okrug, null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="moves")
    moved_on = models.DateField(_("moved on"))
    household_size = models.PositiveSmallIntegerField(_("people in the household"))
    children = models.PositiveSmallIntegerField(_("children under 18"), default=0)
    employed = models.PositiveSmallIntegerField(_("people employed"), default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.STAYING)
    left_on = models.DateField(null=True, blank=True)
    left_reason = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-moved_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(household_size__gte=1), name="move_household_at_least_one"),
            models.CheckConstraint(condition=Q(children__lte=F("household_size")), name="move_children_in_household"),
            models.CheckConstraint(condition=Q(employed__lte=F("household_size")), name="move_employed_in_household"),
            models.CheckConstraint(
                condition=Q(status="staying") | (Q(left_on__isnull=False) & ~Q(left_reason="")),
                name="move_left_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("moved_on")), name="move_left_after_moving"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id} → {self.settlement_id} {self.moved_on}"


class RetentionCheck(models.Model):
    """Whether a household still lives in the village 6 and 12 months after the move (one per mark)."""

    move = models.ForeignKey(Move, on_delete=models.CASCADE, related_name="checks")
    months = models.PositiveSmallIntegerField()
    checked_on = models.DateField()
    still_there = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["move", "months"]
        constraints = [
            models.UniqueConstraint(fields=["move", "months"], name="retention_once_per_mark"),
            models.CheckConstraint(condition=Q(months__in=[6, 12]), name="retention_marks_6_or_12"),
        ]

    def __str__(self) -> str:
        return f"{self.move_id} at {self.months} months: {self.still_there}"


class ProgrammeSettlement(models.Model):
    """A village taking part in the programme (the oblast's list: 96 settlements, 51 on the border)."""

    settlement = models.OneToOneField(Settlement, on_delete=models.PROTECT, related_name="programme_entry")
    joined_on = models.DateField(_("in the programme since"))
    is_border = models.BooleanField(_("on the border"), default=False)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["settlement__district__kato", "settlement__kato"]

    def __str__(self) -> str:
        return str(self.settlement)
