"""From City to Village API, mounted at /api/v1/relocation/.

Public: the published offers (filtered by district, okrug, kind and profession; paginated, `limit`
up to 100, `offset`), one offer (a support measure with its amount in tenge at the MCI of its year),
and the programme dashboard's figures.

Personal data needs an API token (`Authorization: Bearer <token>`) or the site's session: the
applications the caller may see (their own as an applicant, those to the offers they manage, or all
for programme staff), and one applicant, seen only by the applicant, programme staff and the managers
of an offer the applicant applied to. Anyone else gets 404 `not_found`, exactly as for an id that does
not exist, so the API never tells who is registered. Applying to an offer needs the same. Every error
is `{"detail", "code"}`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from kenes.accounts.api_auth import token_or_session
from kenes.core.api import READ_ERRORS, ErrorOut
from kenes.core.errors import DomainError
from kenes.relocation import dashboard, money, selectors, services
from kenes.relocation.models import Applicant, Application, Offer, Profession
from kenes.territory import selectors as territory
from kenes.territory.models import KATO_RE

router = Router(tags=["relocation"])

KindCode = Literal["vacancy", "housing", "land", "support"]
OfferStatusCode = Literal["published", "closed"]
ApplicationStatusCode = Literal["applied", "in_talks", "accepted", "moved", "declined", "withdrawn"]
RelationCode = Literal["self", "spouse", "child", "parent", "other"]
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
PROFESSION_RE = r"^[-a-zA-Z0-9_]{1,60}$"


# Schemas --------------------------------------------------------------------------------------


class OfferOut(Schema):
    id: int
    kind: KindCode
    kind_label: str = Field(description="The kind in plain words, in the request's language")
    status: OfferStatusCode
    title: str
    description: str
    settlement: str = Field(description="KATO code of the settlement", pattern=KATO_RE)
    settlement_name: str
    okrug: str | None = Field(description="KATO code of the settlement's okrug; null for a settlement outside one")
    district: str = Field(description="KATO code of the district", pattern=KATO_RE)
    employer: str | None = Field(description="The employer's name; null for an offer of the akimat or programme")
    published_at: datetime.datetime | None
    expires_on: datetime.date | None = Field(description="Open until this day (inclusive); null: no end date")
    closed_at: datetime.datetime | None
    position: str = Field(description="Vacancy: the position; empty for other kinds")
    profession: str | None = Field(description="Vacancy: the profession's code")
    profession_name: str = Field(description="Vacancy: the profession in the request's language")
    salary_tenge: int | None = Field(description="Vacancy: monthly salary in tenge")
    requirements: str
    positions: int | None = Field(description="Vacancy: number of positions")
    housing_type: str = Field(description="Housing: house, apartment or room; empty for other kinds")
    rooms: int | None
    condition: str = Field(description="Housing: new, good or needs_repair")
    tenure: str = Field(description="Housing: free, rent or service")
    available_from: datetime.date | None
    area_hectares: str | None = Field(description="Land: area in hectares as a decimal string, e.g. '0.25'")
    land_purpose: str = Field(description="Land: household_farming, house_building or pasture")
    measure: str = Field(description="Support: lifting_allowance, housing_loan, microcredit, resettlement, ...")
    amount_mci: str | None = Field(description="Support: the amount in MCI as a decimal string")
    amount_tenge: str | None = Field(
        description="Support: the amount in whole tenge at the MCI of the year it was published; "
        "null for other kinds or when that year's MCI is not in the table"
    )
    mci_year: int | None = Field(description="Support: the year whose MCI prices the amount")
    url: str = Field(description="The offer's page on the site")


class OfferPageOut(Schema):
    count: int = Field(description="Offers matching the filters, on every page together")
    limit: int
    offset: int
    items: list[OfferOut]


class EventOut(Schema):
    status: ApplicationStatusCode
    status_label: str
    note: str
    at: datetime.datetime


class ApplicationOut(Schema):
    id: int
    offer: int = Field(description="Id of the offer")
    offer_title: str
    applicant: int = Field(description="Id of the applicant")
    status: ApplicationStatusCode
    status_label: str = Field(description="The status in plain words, in the request's language")
    message: str
    decided_reason: str = Field(description="Why it was declined; empty otherwise")
    created_at: datetime.datetime
    events: list[EventOut] = Field(description="Every step, oldest first")


class ApplicationPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ApplicationOut]


class HouseholdMemberOut(Schema):
    relation: RelationCode
    full_name: str
    birth_year: int
    profession: str | None = Field(description="The profession's code")
    profession_name: str
    skills: str
    seeks_work: bool


class ApplicantOut(Schema):
    id: int
    current_city: str
    phone: str
    wished_districts: list[str] = Field(description="KATO codes of the districts they would move to")
    max_distance_km: int | None
    rooms_needed: int | None
    wants_land: bool
    notes: str
    open_to_offers: bool = Field(description="They agreed that offer owners may find them (anonymised)")
    consent_given_at: datetime.datetime
    consent_withdrawn_at: datetime.datetime | None
    members: list[HouseholdMemberOut]


class ApplyIn(Schema):
    message: str = Field("", max_length=5_000, description="A few words to the offer's owner")


class RetentionOut(Schema):
    months: int = Field(description="The mark: 6 or 12 months after the move")
    checked: int = Field(description="Moves with a check at this mark")
    still_there: int
    percent: float | None = Field(description="still_there / checked × 100; null when none was checked")
    due_unchecked: int = Field(description="Families still there whose mark has come, not checked yet")


class VacancyRowOut(Schema):
    territory: str
    kato: str
    profession: str = Field(description="The profession in the request's language")
    profession_code: str
    vacancies: int = Field(description="Open vacancy offers")
    positions: int = Field(description="Their positions together")


class MoveRowOut(Schema):
    territory: str = Field(description="The district's name, or the month as YYYY-MM")
    kato: str = Field(description="The district's KATO code; empty for a month")
    families: int
    people: int
    children: int
    employed: int


class WaitingOfferOut(Schema):
    id: int
    title: str
    kind: KindCode
    settlement: str
    district: str
    published_on: datetime.date | None
    expires_on: datetime.date | None


class SettlementRowOut(Schema):
    settlement: str
    kato: str
    district: str
    okrug: str
    is_border: bool
    joined_on: datetime.date
    open_offers: int


class DashboardOut(Schema):
    year: int | None = Field(description="Moves of this year only; null: all years")
    families: int = Field(description="Families moved")
    people: int = Field(description="People moved (household sizes together)")
    children: int
    employed: int
    open_positions: int = Field(description="Positions of published, unexpired vacancies")
    retention: list[RetentionOut]
    vacancies_by_district: list[VacancyRowOut]
    vacancies_by_okrug: list[VacancyRowOut]
    offers_without_applicants: list[WaitingOfferOut]
    moves_by_district: list[MoveRowOut]
    moves_by_month: list[MoveRowOut]
    settlements: list[SettlementRowOut] = Field(description="The programme's settlements")
    is_demo: bool = Field(description="Some figures come from demo data")


AUTHORISED = (
    "Needs an API token (`Authorization: Bearer <token>`) or a signed-in session (with its CSRF token for "
    "writes). 401 without either."
)
AUTH_READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


KIND_QUERY = Query(None, description="Only offers of this kind")


# Helpers --------------------------------------------------------------------------------------


def _not_found(message: Any = None) -> DomainError:
    return DomainError(message or _("There is no such offer."), code="not_found", status=404)


def _decimal(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def _kato_query(description: str) -> Any:
    return Query(None, pattern=KATO_RE, description=description, examples=["274430000"])


def _page_query() -> tuple[Any, Any]:
    return (
        Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (at most 100)"),
        Query(0, ge=0, le=10**9, description="Items to skip"),
    )


LIMIT, OFFSET = _page_query()


def offer_out(offer: Offer, *, rates: dict[int, Decimal] | None = None) -> dict[str, Any]:
    is_support = offer.kind == Offer.Kind.SUPPORT
    return {
        "id": offer.pk,
        "kind": offer.kind,
        "kind_label": str(offer.get_kind_display()),
        "status": offer.status,
        "title": offer.title,
        "description": offer.description,
        "settlement": offer.settlement.kato,
        "settlement_name": offer.settlement.name,
        "okrug": offer.okrug.kato if offer.okrug is not None else None,
        "district": offer.district.kato,
        "employer": offer.employer.name if offer.employer is not None else None,
        "published_at": offer.published_at,
        "expires_on": offer.expires_on,
        "closed_at": offer.closed_at,
        "position": offer.position,
        "profession": offer.profession.code if offer.profession is not None else None,
        "profession_name": str(offer.profession) if offer.profession is not None else "",
        "salary_tenge": offer.salary_tenge,
        "requirements": offer.requirements,
        "positions": offer.positions,
        "housing_type": offer.housing_type,
        "rooms": offer.rooms,
        "condition": offer.condition,
        "tenure": offer.tenure,
        "available_from": offer.available_from,
        "area_hectares": _decimal(offer.area_hectares),
        "land_purpose": offer.land_purpose,
        "measure": offer.measure,
        "amount_mci": _decimal(offer.amount_mci),
        "amount_tenge": _decimal(money.offer_amount_tenge(offer, rates=rates)),
        "mci_year": money.offer_year(offer) if is_support else None,
        "url": reverse("relocation:offer", kwargs={"pk": offer.pk}),
    }


def application_out(application: Application) -> dict[str, Any]:
    return {
        "id": application.pk,
        "offer": application.offer_id,
        "offer_title": application.offer.title,
        "applicant": application.applicant_id,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "message": application.message,
        "decided_reason": application.decided_reason,
        "created_at": application.created_at,
        "events": [
            {
                "status": event.status,
                "status_label": str(event.get_status_display()),
                "note": event.note,
                "at": event.created_at,
            }
            for event in application.events.all()
        ],
    }


def applicant_out(applicant: Applicant) -> dict[str, Any]:
    return {
        "id": applicant.pk,
        "current_city": applicant.current_city,
        "phone": applicant.phone,
        "wished_districts": sorted(district.kato for district in applicant.wished_districts.all()),
        "max_distance_km": applicant.max_distance_km,
        "rooms_needed": applicant.rooms_needed,
        "wants_land": applicant.wants_land,
        "notes": applicant.notes,
        "open_to_offers": applicant.open_to_offers,
        "consent_given_at": applicant.consent_given_at,
        "consent_withdrawn_at": applicant.consent_withdrawn_at,
        "members": [
            {
                "relation": member.relation,
                "full_name": member.full_name,
                "birth_year": member.birth_year,
                "profession": member.profession.code if member.profession is not None else None,
                "profession_name": str(member.profession) if member.profession is not None else "",
                "skills": member.skills,
                "seeks_work": member.seeks_work,
            }
            for member in applicant.members.all()
        ],
    }


def dashboard_out(figures: dashboard.Dashboard) -> dict[str, Any]:
    def rows(items: list[Any], schema: type[Schema]) -> list[dict[str, Any]]:
        return [{name: getattr(item, name) for name in schema.model_fields} for item in items]

    return {
        "year": figures.year,
        "families": figures.families,
        "people": figures.people,
        "children": figures.children,
        "employed": figures.employed,
        "open_positions": figures.open_positions,
        "retention": rows(figures.retention, RetentionOut),
        "vacancies_by_district": rows(figures.vacancies_by_district, VacancyRowOut),
        "vacancies_by_okrug": rows(figures.vacancies_by_okrug, VacancyRowOut),
        "offers_without_applicants": rows(figures.offers_without_applicants, WaitingOfferOut),
        "moves_by_district": rows(figures.moves_by_district, MoveRowOut),
        "moves_by_month": rows(figures.moves_by_month, MoveRowOut),
        "settlements": rows(figures.settlements, SettlementRowOut),
        "is_demo": figures.is_demo,
    }


def _public_offer(offer_id: int) -> Offer:
    try:
        return selectors.get_public_offer(offer_id)
    except Http404 as missing:
        raise _not_found() from missing


# Public reads ---------------------------------------------------------------------------------


@router.get(
    "offers",
    response={200: OfferPageOut, **READ_ERRORS},
    summary="Published, unexpired offers in villages: filter by district, okrug, kind, profession; page",
)
def offers(
    request: HttpRequest,
    district: str | None = _kato_query("Only offers in this district (KATO code)"),
    okrug: str | None = _kato_query("Only offers in this rural okrug (KATO code)"),
    kind: KindCode | None = KIND_QUERY,
    profession: str | None = Query(
        None, pattern=PROFESSION_RE, description="Only vacancies for this profession (code)", examples=["teacher"]
    ),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> dict[str, Any]:
    in_district = territory.find_district(district) if district is not None else None
    if district is not None and in_district is None:
        raise _not_found(_("No district has this KATO code."))
    in_okrug = territory.find_okrug(okrug) if okrug is not None else None
    if okrug is not None and in_okrug is None:
        raise _not_found(_("No okrug has this KATO code."))
    of_profession = Profession.objects.filter(code=profession).first() if profession is not None else None
    if profession is not None and of_profession is None:
        raise _not_found(_("No profession has this code."))
    found = selectors.published_offers(district=in_district, okrug=in_okrug, kind=kind, profession=of_profession)
    rates = money.rates_by_year()
    return {
        "count": found.count(),
        "limit": limit,
        "offset": offset,
        "items": [offer_out(offer, rates=rates) for offer in found[offset : offset + limit]],
    }


@router.get(
    "offers/{offer_id}",
    response={200: OfferOut, **READ_ERRORS},
    summary="An offer: every field of its kind; a support measure with its amount in tenge",
)
def offer(request: HttpRequest, offer_id: int = Path(..., ge=1, description="Id of the offer")) -> dict[str, Any]:
    return offer_out(_public_offer(offer_id))


@router.get(
    "dashboard",
    response={200: DashboardOut, **READ_ERRORS},
    summary="The programme's figures: moves, retention at 6 and 12 months, open vacancies, settlements",
)
def programme_dashboard(
    request: HttpRequest,
    region: str | None = _kato_query("Only this region (KATO code)"),
    district: str | None = _kato_query("Only this district (KATO code)"),
    year: int | None = Query(None, ge=2000, le=2100, description="Count the moves of this year only"),
) -> dict[str, Any]:
    in_region = territory.find_region(region) if region is not None else None
    if region is not None and in_region is None:
        raise _not_found(_("No region has this KATO code."))
    in_district = territory.find_district(district) if district is not None else None
    if district is not None and in_district is None:
        raise _not_found(_("No district has this KATO code."))
    figures = dashboard.programme_dashboard(region=in_region, district=in_district, year=year)
    return dashboard_out(figures)


# Authorised -----------------------------------------------------------------------------------


@router.get(
    "applications",
    auth=token_or_session,
    response={200: ApplicationPageOut, **AUTH_READ_ERRORS},
    summary="Applications the caller may see: their own, those to offers they manage, or all (programme staff)",
    description=AUTHORISED,
)
def applications(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET) -> dict[str, Any]:
    found = selectors.applications_visible_to(request.user)
    return {
        "count": found.count(),
        "limit": limit,
        "offset": offset,
        "items": [application_out(application) for application in found[offset : offset + limit]],
    }


@router.get(
    "applicants/{applicant_id}",
    auth=token_or_session,
    response={200: ApplicantOut, **AUTH_READ_ERRORS},
    summary="An applicant and their household: for themself, programme staff and owners of an offer they applied to",
    description=AUTHORISED + " 404 `not_found` for anyone else, as for an id that does not exist.",
)
def applicant(
    request: HttpRequest, applicant_id: int = Path(..., ge=1, description="Id of the applicant")
) -> dict[str, Any]:
    try:
        found = selectors.access_applicant(user=request.user, pk=applicant_id)
    except Http404 as missing:
        raise _not_found(_("There is no such applicant.")) from missing
    return applicant_out(found)


@router.post(
    "offers/{offer_id}/apply",
    auth=token_or_session,
    response={201: ApplicationOut, **WRITE_ERRORS},
    summary="Apply to an offer (a registered applicant whose consent stands)",
    description=AUTHORISED + " 404 `not_found` for an unknown offer; 409 `already_applied` or `offer_closed`; 422 "
    "`no_applicant_profile` before the caller registered as an applicant.",
)
def apply(
    request: HttpRequest, payload: ApplyIn, offer_id: int = Path(..., ge=1, description="Id of the offer")
) -> Status[dict[str, Any]]:
    made = services.apply_to_offer(actor=request.user, offer=_public_offer(offer_id), message=payload.message)
    fresh = Application.objects.select_related("offer").prefetch_related("events").get(pk=made.pk)
    return Status(201, application_out(fresh))
