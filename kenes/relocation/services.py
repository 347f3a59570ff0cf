"""Every write of From City to Village: offers (written, published, closed, expired), applicants and
their households (registered with consent, updated, consent withdrawn), applications and their
steps, moves and the retention checks at 6 and 12 months.

Each service checks who may act (permissions), keeps the row's state and its timeline
(`ApplicationEvent`) current and audits the act ("relocation.*"). Audit rows carry ids, statuses and
counts, never a person's name or phone. One application per offer and one move per application are
database constraints; the services' checks only give them a readable refusal.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.core.audit import record_audit
from kenes.core.calendar import add_months
from kenes.core.errors import DomainError
from kenes.core.events import publish as publish_event  # `create_offer` has a `publish` flag
from kenes.relocation.models import (
    Applicant,
    Application,
    ApplicationEvent,
    Employer,
    HouseholdMember,
    Move,
    Offer,
    Profession,
    RetentionCheck,
)
from kenes.relocation.permissions import (
    can_manage_offer,
    can_publish_offer,
    can_record_retention,
    is_open,
    is_programme_staff,
    is_staff_for,
    verified_employers_of,
    works_for,
)
from kenes.territory.models import District, Settlement

TITLE_MAX = 200
EMPLOYER_NAME_MAX = 300
TEXT_MAX = 20_000
SHORT_MAX = 200
REASON_MAX = 500
SKILLS_MAX = 500
MAX_MEMBERS = 20
RETENTION_MARKS = (6, 12)
# DecimalField(max_digits=9, decimal_places=2): seven digits before the point.
DECIMAL_LIMIT = Decimal("10000000")

__all__ = [
    "MemberData",
    "OfferData",
    "advance_application",
    "apply_to_offer",
    "close_offer",
    "create_offer",
    "expire_offers",
    "publish_offer",
    "record_move",
    "record_retention",
    "register_applicant",
    "register_employer",
    "update_applicant",
    "update_offer",
    "verify_employer",
    "withdraw_consent",
]


def _forbidden() -> DomainError:
    return DomainError(_("You may not do this."), code="forbidden", status=403)


def _invalid(message: Any, code: str, *, status: int = 422) -> DomainError:
    return DomainError(message, code=code, status=status)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _text(value: str | None, *, limit: int, required_code: str = "", message: Any = None) -> str:
    text = (value or "").strip()
    if required_code and not text:
        raise _invalid(message or _("This field is required."), required_code)
    if len(text) > limit:
        raise _invalid(_("The text is too long."), "text_too_long")
    return text


def _choice(value: str, choices: Any, *, required_code: str, message: Any) -> str:
    if not value:
        raise _invalid(message, required_code)
    if value not in choices.values:
        raise _invalid(_("Choose one of the options."), "invalid_choice")
    return str(value)


def _count(value: int | None, *, code: str, message: Any, minimum: int = 1, maximum: int = 32767) -> int:
    if value is None or isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _invalid(message, code)
    return value


def _optional_count(value: int | None, *, code: str, message: Any, maximum: int = 32767) -> int | None:
    if value is None:
        return None
    return _count(value, code=code, message=message, minimum=1, maximum=maximum)


def _positive_decimal(value: Decimal | int | str | None, *, code: str, message: Any) -> Decimal:
    try:
        amount = Decimal(str(value)) if value is not None and value != "" else Decimal("NaN")
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0 or amount >= DECIMAL_LIMIT:
        raise _invalid(message, code)
    return amount.quantize(Decimal("0.01"))


# Offers -------------------------------------------------------------------------------------------


@dataclass
class OfferData:
    """The editable fields of an offer; only those of its kind are kept."""

    kind: str
    title: str
    description: str = ""
    expires_on: datetime.date | None = None
    # Vacancy
    position: str = ""
    profession: Profession | None = None
    salary_tenge: int | None = None
    requirements: str = ""
    positions: int | None = None
    # Housing
    housing_type: str = ""
    rooms: int | None = None
    condition: str = ""
    tenure: str = ""
    available_from: datetime.date | None = None
    # Land
    area_hectares: Decimal | None = None
    land_purpose: str = ""
    # Support
    measure: str = ""
    amount_mci: Decimal | None = None


KIND_FIELDS = {
    Offer.Kind.VACANCY: ("position", "profession", "salary_tenge", "requirements", "positions"),
    Offer.Kind.HOUSING: ("housing_type", "rooms", "condition", "tenure", "available_from"),
    Offer.Kind.LAND: ("area_hectares", "land_purpose"),
    Offer.Kind.SUPPORT: ("measure", "amount_mci"),
}
EMPTY: dict[str, Any] = {
    "position": "",
    "profession": None,
    "salary_tenge": None,
    "requirements": "",
    "positions": None,
    "housing_type": "",
    "rooms": None,
    "condition": "",
    "tenure": "",
    "available_from": None,
    "area_hectares": None,
    "land_purpose": "",
    "measure": "",
    "amount_mci": None,
}


def _kind_values(data: OfferData) -> dict[str, Any]:
    """The kind's fields, checked; every other kind's field emptied."""
    values = dict(EMPTY)
    if data.kind == Offer.Kind.VACANCY:
        values["position"] = _text(
            data.position, limit=SHORT_MAX, required_code="position_required", message=_("Name the position.")
        )
        if data.profession is None:
            raise _invalid(_("Choose the profession."), "profession_required")
        values["profession"] = data.profession
        values["positions"] = _count(
            data.positions, code="positions_required", message=_("Give how many people are needed.")
        )
        if data.salary_tenge is not None:
            values["salary_tenge"] = _count(
                data.salary_tenge, code="invalid_salary", message=_("Give the salary in tenge."), maximum=2_000_000_000
            )
        values["requirements"] = _text(data.requirements, limit=TEXT_MAX)
    elif data.kind == Offer.Kind.HOUSING:
        values["housing_type"] = _choice(
            data.housing_type,
            Offer.HousingType,
            required_code="housing_type_required",
            message=_("Choose the type of housing."),
        )
        values["rooms"] = _count(data.rooms, code="rooms_required", message=_("Give the number of rooms."), maximum=100)
        values["tenure"] = _choice(
            data.tenure,
            Offer.Tenure,
            required_code="tenure_required",
            message=_("Say whether it is free, rented or service housing."),
        )
        if data.condition:
            values["condition"] = _choice(data.condition, Offer.HousingCondition, required_code="", message="")
        values["available_from"] = data.available_from
    elif data.kind == Offer.Kind.LAND:
        values["area_hectares"] = _positive_decimal(
            data.area_hectares, code="area_required", message=_("Give the area in hectares.")
        )
        values["land_purpose"] = _choice(
            data.land_purpose,
            Offer.LandPurpose,
            required_code="land_purpose_required",
            message=_("Choose what the land is for."),
        )
    elif data.kind == Offer.Kind.SUPPORT:
        values["measure"] = _choice(
            data.measure, Offer.Measure, required_code="measure_required", message=_("Choose the support measure.")
        )
        values["amount_mci"] = _positive_decimal(
            data.amount_mci, code="amount_required", message=_("Give the amount in MCI.")
        )
    else:
        raise _invalid(_("Choose what is offered: a vacancy, housing, land or a support measure."), "invalid_kind")
    return values


def _offer_values(data: OfferData) -> dict[str, Any]:
    values = _kind_values(data)
    values["kind"] = data.kind
    values["title"] = _text(data.title, limit=TITLE_MAX, required_code="title_required", message=_("Give a title."))
    values["description"] = _text(data.description, limit=TEXT_MAX)
    if data.expires_on is not None and data.expires_on < timezone.localdate():
        raise _invalid(_("The last day of the offer is in the past."), "expires_in_past")
    values["expires_on"] = data.expires_on
    return values


def _offer_facts(offer: Offer) -> dict[str, Any]:
    return {
        "kind": offer.kind,
        "status": offer.status,
        "title": offer.title,
        "settlement": offer.settlement_id,
        "employer": offer.employer_id,
        "expires_on": offer.expires_on,
        "position": offer.position,
        "profession": offer.profession_id,
        "positions": offer.positions,
        "salary_tenge": offer.salary_tenge,
        "housing_type": offer.housing_type,
        "rooms": offer.rooms,
        "tenure": offer.tenure,
        "area_hectares": offer.area_hectares,
        "land_purpose": offer.land_purpose,
        "measure": offer.measure,
        "amount_mci": offer.amount_mci,
        "closed_reason": offer.closed_reason,
    }


def _locked_offer(offer: Offer) -> Offer:
    return Offer.objects.select_for_update(of=("self",)).select_related("settlement", "employer").get(pk=offer.pk)


def _copy_back(target: Any, source: Any) -> None:
    for model_field in source._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))


def _employer_for(actor: Any, settlement: Settlement, kind: str, employer: Employer | None) -> Employer | None:
    """The employer the offer is published for: the one named (the actor works for it, or is staff of
    the place), or else, for someone who is not staff there, the actor's verified employer."""
    staff = is_staff_for(actor, settlement)
    if employer is not None:
        if not staff and not works_for(actor, employer):
            raise _forbidden()
        if employer.verified_at is None:
            raise _invalid(_("The employer has not been verified yet."), "employer_not_verified", status=403)
        return employer
    if staff:
        return None
    employers = verified_employers_of(actor)
    if not employers:
        raise _forbidden()
    return employers[0]


@transaction.atomic
def create_offer(
    *, actor: Any, settlement: Settlement, data: OfferData, employer: Employer | None = None, publish: bool = True
) -> Offer:
    """A new offer in the settlement (okrug and district copied from it), published now or kept as a
    draft. Staff of the place publish any kind; a verified employer's people vacancies and housing."""
    if not can_publish_offer(actor, settlement, data.kind, employer):
        raise _forbidden()
    values = _offer_values(data)
    owner = _employer_for(actor, settlement, data.kind, employer)
    now = timezone.now()
    offer = Offer.objects.create(
        settlement=settlement,
        okrug_id=settlement.okrug_id,
        district_id=settlement.district_id,
        employer=owner,
        published_by=actor,
        status=Offer.Status.PUBLISHED if publish else Offer.Status.DRAFT,
        published_at=now if publish else None,
        **values,
    )
    record_audit(actor=actor, action="relocation.offer_created", target=offer, after=_offer_facts(offer))
    if publish:
        publish_event("offer.published", offer_id=offer.pk)
    return offer


@transaction.atomic
def update_offer(*, actor: Any, offer: Offer, data: OfferData) -> Offer:
    """Edits a draft or published offer (a closed one stays as it was)."""
    current = _locked_offer(offer)
    if not can_manage_offer(actor, current):
        raise _forbidden()
    if current.status == Offer.Status.CLOSED:
        raise _invalid(_("This offer is closed."), "offer_closed", status=409)
    if data.kind != current.kind and not can_publish_offer(actor, current.settlement, data.kind, current.employer):
        raise _forbidden()
    values = _offer_values(data)
    before = _offer_facts(current)
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    record_audit(
        actor=actor, action="relocation.offer_updated", target=current, before=before, after=_offer_facts(current)
    )
    _copy_back(offer, current)
    return current


@transaction.atomic
def publish_offer(*, actor: Any, offer: Offer) -> Offer:
    """Publishes a draft."""
    current = _locked_offer(offer)
    if not can_manage_offer(actor, current):
        raise _forbidden()
    if current.status == Offer.Status.PUBLISHED:
        raise _invalid(_("This offer is already published."), "already_published", status=409)
    if current.status == Offer.Status.CLOSED:
        raise _invalid(_("This offer is closed."), "offer_closed", status=409)
    if current.expires_on is not None and current.expires_on < timezone.localdate():
        raise _invalid(_("The last day of the offer is in the past."), "expires_in_past")
    before = _offer_facts(current)
    current.status = Offer.Status.PUBLISHED
    current.published_at = timezone.now()
    current.save(update_fields=["status", "published_at", "updated_at"])
    record_audit(
        actor=actor, action="relocation.offer_published", target=current, before=before, after=_offer_facts(current)
    )
    publish_event("offer.published", offer_id=current.pk)
    _copy_back(offer, current)
    return current


def _close(current: Offer, reason: str) -> None:
    current.status = Offer.Status.CLOSED
    current.closed_at = timezone.now()
    current.closed_reason = reason
    current.save(update_fields=["status", "closed_at", "closed_reason", "updated_at"])


@transaction.atomic
def close_offer(*, actor: Any, offer: Offer, reason: str) -> Offer:
    """Closes a published offer (filled, withdrawn...); its applications stay as they are."""
    current = _locked_offer(offer)
    if not can_manage_offer(actor, current):
        raise _forbidden()
    if current.status == Offer.Status.CLOSED:
        raise _invalid(_("This offer is closed."), "offer_closed", status=409)
    if current.status == Offer.Status.DRAFT:
        raise _invalid(_("This offer has not been published."), "not_published", status=409)
    why = _text(reason, limit=300, required_code="reason_required", message=_("Give the reason."))
    before = _offer_facts(current)
    _close(current, why)
    record_audit(
        actor=actor, action="relocation.offer_closed", target=current, before=before, after=_offer_facts(current)
    )
    _copy_back(offer, current)
    return current


EXPIRED_REASON = "expired"


@transaction.atomic
def expire_offers(*, today: datetime.date | None = None) -> int:
    """Closes every published offer whose last day has passed (reason "expired"); returns how many.
    Running it again closes nothing new."""
    day = today or timezone.localdate()
    rows = (
        Offer.objects.select_for_update(of=("self",))
        .filter(status=Offer.Status.PUBLISHED, expires_on__lt=day)
        .order_by("pk")
    )
    closed = 0
    for current in rows:
        before = _offer_facts(current)
        _close(current, EXPIRED_REASON)
        record_audit(
            actor=None, action="relocation.offer_expired", target=current, before=before, after=_offer_facts(current)
        )
        closed += 1
    return closed


# Applicants ---------------------------------------------------------------------------------------


@dataclass
class MemberData:
    relation: str
    full_name: str
    birth_year: int
    profession: Profession | None = None
    skills: str = ""
    seeks_work: bool = False


def _members(members: Sequence[MemberData]) -> list[dict[str, Any]]:
    if not members:
        raise _invalid(_("Add at least one person: yourself."), "members_required")
    if len(members) > MAX_MEMBERS:
        raise _invalid(
            _("A household of more than %(count)s people cannot be registered here.") % {"count": MAX_MEMBERS},
            "too_many_members",
        )
    if sum(1 for member in members if member.relation == HouseholdMember.Relation.SELF) != 1:
        raise _invalid(_("Exactly one person must be the applicant themself."), "one_self_required")
    this_year = timezone.localdate().year
    rows = []
    for member in members:
        relation = _choice(
            member.relation,
            HouseholdMember.Relation,
            required_code="relation_required",
            message=_("Choose who the person is."),
        )
        name = _text(
            member.full_name, limit=SHORT_MAX, required_code="name_required", message=_("Give the person's full name.")
        )
        year = member.birth_year
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= this_year:
            raise _invalid(_("Give a year of birth between 1900 and this year."), "invalid_birth_year")
        rows.append(
            {
                "relation": relation,
                "full_name": name,
                "birth_year": year,
                "profession": member.profession,
                "skills": _text(member.skills, limit=SKILLS_MAX),
                "seeks_work": bool(member.seeks_work),
            }
        )
    return rows


def _applicant_values(
    *,
    current_city: str,
    phone: str,
    max_distance_km: int | None,
    rooms_needed: int | None,
    wants_land: bool,
    notes: str,
    open_to_offers: bool,
) -> dict[str, Any]:
    return {
        "current_city": _text(
            current_city, limit=SHORT_MAX, required_code="city_required", message=_("Say where you live now.")
        ),
        "phone": _text(phone, limit=32),
        "max_distance_km": _optional_count(
            max_distance_km, code="invalid_distance", message=_("Give the distance in whole kilometres."), maximum=2000
        ),
        "rooms_needed": _optional_count(
            rooms_needed, code="invalid_rooms", message=_("Give the number of rooms."), maximum=100
        ),
        "wants_land": bool(wants_land),
        "notes": _text(notes, limit=TEXT_MAX),
        "open_to_offers": bool(open_to_offers),
    }


def _applicant_facts(applicant: Applicant) -> dict[str, Any]:
    """What the audit keeps of an applicant: no names, no phone, no birth years."""
    members = list(applicant.members.all())
    return {
        "members": len(members),
        "relations": sorted(member.relation for member in members),
        "seeking_work": sum(1 for member in members if member.seeks_work),
        "wished_districts": sorted(district.pk for district in applicant.wished_districts.all()),
        "rooms_needed": applicant.rooms_needed,
        "wants_land": applicant.wants_land,
        "open_to_offers": applicant.open_to_offers,
        "consent_given_at": applicant.consent_given_at,
        "consent_withdrawn_at": applicant.consent_withdrawn_at,
    }


def _require_consent(consent: bool) -> None:
    if consent is not True:
        raise _invalid(_("Consent to processing your personal data is required."), "consent_required")


@transaction.atomic
def register_applicant(
    *,
    actor: Any,
    current_city: str,
    phone: str = "",
    members: Sequence[MemberData],
    wished_districts: Iterable[District] = (),
    max_distance_km: int | None = None,
    rooms_needed: int | None = None,
    wants_land: bool = False,
    notes: str = "",
    open_to_offers: bool = False,
    consent: bool,
) -> Applicant:
    """The signed-in person registers themself (and their household) as thinking of moving; consent
    to processing the personal data is required and its date kept."""
    if not _signed_in(actor):
        raise _forbidden()
    _require_consent(consent)
    values = _applicant_values(
        current_city=current_city,
        phone=phone,
        max_distance_km=max_distance_km,
        rooms_needed=rooms_needed,
        wants_land=wants_land,
        notes=notes,
        open_to_offers=open_to_offers,
    )
    rows = _members(members)
    if Applicant.objects.filter(user_id=actor.pk).exists():
        raise _invalid(_("You are already registered."), "already_registered", status=409)
    try:
        with transaction.atomic():
            applicant = Applicant.objects.create(user=actor, consent_given_at=timezone.now(), **values)
    except IntegrityError:
        raise _invalid(_("You are already registered."), "already_registered", status=409) from None
    HouseholdMember.objects.bulk_create(HouseholdMember(applicant=applicant, **row) for row in rows)
    applicant.wished_districts.set(list(wished_districts))
    record_audit(
        actor=actor, action="relocation.applicant_registered", target=applicant, after=_applicant_facts(applicant)
    )
    return applicant


def _locked_applicant(applicant: Applicant) -> Applicant:
    return Applicant.objects.select_for_update(of=("self",)).get(pk=applicant.pk)


def _may_edit_applicant(actor: Any, applicant: Applicant) -> bool:
    if not _signed_in(actor):
        return False
    return applicant.user_id == actor.pk or is_programme_staff(actor)


@transaction.atomic
def update_applicant(
    *,
    actor: Any,
    applicant: Applicant,
    current_city: str,
    phone: str = "",
    members: Sequence[MemberData],
    wished_districts: Iterable[District] = (),
    max_distance_km: int | None = None,
    rooms_needed: int | None = None,
    wants_land: bool = False,
    notes: str = "",
    open_to_offers: bool = False,
    consent: bool,
) -> Applicant:
    """The applicant (or programme staff helping them) rewrites the profile; the household members are
    replaced. Consent is required again; giving it after a withdrawal renews it with today's date."""
    current = _locked_applicant(applicant)
    if not _may_edit_applicant(actor, current):
        raise _forbidden()
    _require_consent(consent)
    values = _applicant_values(
        current_city=current_city,
        phone=phone,
        max_distance_km=max_distance_km,
        rooms_needed=rooms_needed,
        wants_land=wants_land,
        notes=notes,
        open_to_offers=open_to_offers,
    )
    rows = _members(members)
    before = _applicant_facts(current)
    for name, value in values.items():
        setattr(current, name, value)
    if current.consent_withdrawn_at is not None:
        current.consent_given_at = timezone.now()
        current.consent_withdrawn_at = None
    current.save()
    current.members.all().delete()
    HouseholdMember.objects.bulk_create(HouseholdMember(applicant=current, **row) for row in rows)
    current.wished_districts.set(list(wished_districts))
    record_audit(
        actor=actor,
        action="relocation.applicant_updated",
        target=current,
        before=before,
        after=_applicant_facts(current),
    )
    _copy_back(applicant, current)
    return current


OPEN_STATUSES = (Application.Status.APPLIED, Application.Status.IN_TALKS, Application.Status.ACCEPTED)


@transaction.atomic
def withdraw_consent(*, actor: Any, applicant: Applicant) -> Applicant:
    """The applicant withdraws consent: nobody can find them any more, and their open applications are
    withdrawn."""
    current = _locked_applicant(applicant)
    if not _may_edit_applicant(actor, current):
        raise _forbidden()
    if current.consent_withdrawn_at is not None:
        raise _invalid(_("Consent has already been withdrawn."), "consent_already_withdrawn", status=409)
    before = _applicant_facts(current)
    current.consent_withdrawn_at = timezone.now()
    current.open_to_offers = False
    current.save(update_fields=["consent_withdrawn_at", "open_to_offers", "updated_at"])
    withdrawn = []
    for application in (
        Application.objects.select_for_update().filter(applicant=current, status__in=OPEN_STATUSES).order_by("pk")
    ):
        application.status = Application.Status.WITHDRAWN
        application.save(update_fields=["status", "updated_at"])
        ApplicationEvent.objects.create(
            application=application, status=application.status, actor=actor, note=str(_("Consent withdrawn."))
        )
        withdrawn.append(application.pk)
    record_audit(
        actor=actor,
        action="relocation.consent_withdrawn",
        target=current,
        before=before,
        after={**_applicant_facts(current), "withdrawn_applications": withdrawn},
    )
    _copy_back(applicant, current)
    return current


# Applications -------------------------------------------------------------------------------------


def _application_facts(application: Application) -> dict[str, Any]:
    return {
        "applicant": application.applicant_id,
        "offer": application.offer_id,
        "status": application.status,
        "decided_reason": application.decided_reason,
    }


@transaction.atomic
def apply_to_offer(*, actor: Any, offer: Offer, message: str = "") -> Application:
    """The signed-in applicant applies to an open offer, once."""
    if not _signed_in(actor):
        raise _forbidden()
    applicant = Applicant.objects.filter(user_id=actor.pk).first()
    if applicant is None:
        raise _invalid(_("Fill in your profile first."), "no_applicant_profile")
    if applicant.consent_withdrawn_at is not None:
        raise _invalid(_("You withdrew your consent to processing your personal data."), "consent_withdrawn")
    current = Offer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
    if not is_open(current):
        raise _invalid(_("This offer is closed."), "offer_closed", status=409)
    text = _text(message, limit=TEXT_MAX)
    if Application.objects.filter(applicant=applicant, offer=current).exists():
        raise _invalid(_("You have already applied to this offer."), "already_applied", status=409)
    try:
        with transaction.atomic():
            application = Application.objects.create(applicant=applicant, offer=current, message=text)
    except IntegrityError:
        raise _invalid(_("You have already applied to this offer."), "already_applied", status=409) from None
    ApplicationEvent.objects.create(application=application, status=application.status, actor=actor)
    record_audit(actor=actor, action="relocation.applied", target=application, after=_application_facts(application))
    return application


OWNER_STEPS: dict[str, tuple[str, ...]] = {
    Application.Status.APPLIED: (Application.Status.IN_TALKS, Application.Status.DECLINED),
    Application.Status.IN_TALKS: (Application.Status.ACCEPTED, Application.Status.DECLINED),
}
APPLICANT_STEPS: dict[str, tuple[str, ...]] = dict.fromkeys(OPEN_STATUSES, (Application.Status.WITHDRAWN,))


def allowed_steps(actor: Any, application: Application) -> tuple[str, ...]:
    """The statuses the actor may move the application to now (for showing the buttons)."""
    steps: list[str] = []
    if can_manage_offer(actor, application.offer):
        steps.extend(OWNER_STEPS.get(application.status, ()))
    if _signed_in(actor) and application.applicant.user_id == actor.pk:
        steps.extend(APPLICANT_STEPS.get(application.status, ()))
    return tuple(dict.fromkeys(steps))


def _locked_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant", "offer__settlement", "offer__employer")
        .get(pk=application.pk)
    )


@transaction.atomic
def advance_application(*, actor: Any, application: Application, status: str, reason: str = "") -> Application:
    """One step of an application: the offer's owner takes it into talks, accepts or declines it (with
    the reason); the applicant withdraws it. Anything else is refused ("illegal_transition")."""
    current = _locked_application(application)
    is_owner = can_manage_offer(actor, current.offer)
    is_applicant = _signed_in(actor) and current.applicant.user_id == actor.pk
    if not is_owner and not is_applicant:
        raise _forbidden()
    if status not in allowed_steps(actor, current):
        raise _invalid(
            _("An application cannot go from “%(from)s” to “%(to)s”.")
            % {"from": current.get_status_display(), "to": dict(Application.Status.choices).get(status, status)},
            "illegal_transition",
            status=409,
        )
    why = _text(
        reason,
        limit=REASON_MAX,
        required_code="reason_required" if status == Application.Status.DECLINED else "",
        message=_("Give the reason."),
    )
    before = _application_facts(current)
    current.status = status
    if status == Application.Status.DECLINED:
        current.decided_reason = why
    current.save(update_fields=["status", "decided_reason", "updated_at"])
    ApplicationEvent.objects.create(application=current, status=status, actor=actor, note=why)
    record_audit(
        actor=actor,
        action="relocation.application_advanced",
        target=current,
        before=before,
        after=_application_facts(current),
    )
    _copy_back(application, current)
    return current


# Moves and retention --------------------------------------------------------------------------------


def _move_facts(move: Move) -> dict[str, Any]:
    return {
        "applicant": move.applicant_id,
        "application": move.application_id,
        "settlement": move.settlement_id,
        "moved_on": move.moved_on,
        "household_size": move.household_size,
        "children": move.children,
        "employed": move.employed,
        "status": move.status,
        "left_on": move.left_on,
    }


@transaction.atomic
def record_move(
    *,
    actor: Any,
    application: Application,
    moved_on: datetime.date,
    household_size: int,
    children: int = 0,
    employed: int = 0,
) -> Move:
    """The household of an accepted application moved to the offer's settlement: the move is recorded
    by the offer's managers (or staff of the place) and the application becomes "moved"."""
    current = _locked_application(application)
    if not can_manage_offer(actor, current.offer):
        raise _forbidden()
    if Move.objects.filter(application=current).exists():
        raise _invalid(_("This move has already been recorded."), "already_moved", status=409)
    if current.status != Application.Status.ACCEPTED:
        raise _invalid(_("Only an accepted application can end in a move."), "not_accepted", status=409)
    if moved_on > timezone.localdate():
        raise _invalid(_("The date is in the future."), "date_in_future")
    size = _count(household_size, code="invalid_household_size", message=_("Give how many people moved."), maximum=100)
    kids = _count(
        children,
        code="invalid_children",
        message=_("Children cannot outnumber the household."),
        minimum=0,
        maximum=size,
    )
    workers = _count(
        employed,
        code="invalid_employed",
        message=_("Those employed cannot outnumber the household."),
        minimum=0,
        maximum=size,
    )
    settlement = current.offer.settlement
    try:
        with transaction.atomic():
            move = Move.objects.create(
                applicant=current.applicant,
                application=current,
                settlement=settlement,
                okrug_id=settlement.okrug_id,
                district_id=settlement.district_id,
                moved_on=moved_on,
                household_size=size,
                children=kids,
                employed=workers,
                recorded_by=actor,
            )
    except IntegrityError:
        raise _invalid(_("This move has already been recorded."), "already_moved", status=409) from None
    current.status = Application.Status.MOVED
    current.save(update_fields=["status", "updated_at"])
    ApplicationEvent.objects.create(application=current, status=current.status, actor=actor)
    record_audit(actor=actor, action="relocation.move_recorded", target=move, after=_move_facts(move))
    _copy_back(application, current)
    return move


def retention_due_on(move: Move, months: int) -> datetime.date:
    """The first day a check at the mark may be recorded."""
    return add_months(move.moved_on, months)


@transaction.atomic
def record_retention(
    *,
    actor: Any,
    move: Move,
    months: int,
    still_there: bool,
    checked_on: datetime.date | None = None,
    reason: str = "",
) -> RetentionCheck:
    """Staff record whether the household still lives there 6 or 12 months after the move; a household
    that left needs the reason, and the move becomes "left" on the day of the check."""
    current = Move.objects.select_for_update(of=("self",)).select_related("settlement").get(pk=move.pk)
    if not can_record_retention(actor, current):
        raise _forbidden()
    if months not in RETENTION_MARKS:
        raise _invalid(_("A check is made at 6 or 12 months."), "invalid_months")
    day = checked_on or timezone.localdate()
    if day > timezone.localdate():
        raise _invalid(_("The date is in the future."), "date_in_future")
    due = retention_due_on(current, months)
    if day < due:
        raise _invalid(_("This check can be made from %(day)s.") % {"day": f"{due:%d.%m.%Y}"}, "too_early")
    if RetentionCheck.objects.filter(move=current, months=months).exists():
        raise _invalid(_("This check has already been recorded."), "already_checked", status=409)
    if current.status == Move.Status.LEFT and still_there:
        raise _invalid(_("This household has already left."), "already_left", status=409)
    why = _text(
        reason,
        limit=REASON_MAX,
        required_code="reason_required" if not still_there and current.status != Move.Status.LEFT else "",
        message=_("Give the reason they left."),
    )
    before = _move_facts(current)
    check = RetentionCheck.objects.create(
        move=current, months=months, checked_on=day, still_there=still_there, note=why, checked_by=actor
    )
    if not still_there and current.status != Move.Status.LEFT:
        current.status = Move.Status.LEFT
        current.left_on = day
        current.left_reason = why
        current.save(update_fields=["status", "left_on", "left_reason", "updated_at"])
    record_audit(
        actor=actor,
        action="relocation.retention_recorded",
        target=current,
        before=before,
        after={**_move_facts(current), "months": months, "still_there": still_there, "checked_on": day},
    )
    _copy_back(move, current)
    return check


# Employers ---------------------------------------------------------------------------------------


def _employer_facts(employer: Employer) -> dict[str, Any]:
    # No BIN: an individual entrepreneur's BIN is their IIN, which the audit log never holds.
    return {"district": employer.district_id, "verified": employer.verified_at is not None}


@transaction.atomic
def register_employer(*, actor: Any, name: str, bin: str, district: District) -> Employer:
    """A signed-in person registers their organisation and becomes its first person. It publishes
    nothing until programme staff verify it; a BIN already registered is refused without saying
    whose it is (programme staff add colleagues to an organisation)."""
    if not _signed_in(actor):
        raise _forbidden()
    title = _text(
        name, limit=EMPLOYER_NAME_MAX, required_code="name_required", message=_("Give the organisation's name.")
    )
    number = (bin or "").strip()
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        raise _invalid(_("A BIN is 12 digits."), "invalid_bin")
    exists = DomainError(
        _("An organisation with this BIN is already registered. Ask the programme's staff to add you to it."),
        code="employer_exists",
        status=409,
    )
    if Employer.objects.filter(bin=number).exists():
        raise exists
    try:
        with transaction.atomic():
            employer = Employer.objects.create(name=title, bin=number, district=district)
    except IntegrityError:  # registered by someone else a moment ago
        raise exists from None
    employer.users.add(actor)
    record_audit(actor=actor, action="relocation.employer_registered", target=employer, after=_employer_facts(employer))
    return employer


@transaction.atomic
def verify_employer(*, actor: Any, employer: Employer) -> Employer:
    """Programme staff confirm the organisation is real; from then on its people publish vacancies
    and housing in its district."""
    if not is_programme_staff(actor):
        raise _forbidden()
    current = Employer.objects.select_for_update().get(pk=employer.pk)
    if current.verified_at is not None:
        raise _invalid(_("This organisation is already verified."), "already_verified", status=409)
    before = _employer_facts(current)
    current.verified_at = timezone.now()
    current.save(update_fields=["verified_at", "updated_at"])
    after = {**_employer_facts(current), "verified_at": current.verified_at.isoformat()}
    record_audit(actor=actor, action="relocation.employer_verified", target=current, before=before, after=after)
    _copy_back(employer, current)
    return current
