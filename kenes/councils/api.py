"""Councils API, mounted at /api/v1/councils/.

Reads are public: the councils (filtered by district, okrug or pilot) with their composition status,
one council with its serving members by seat group, its coordinator deputies and what its
composition lacks, and a charter with every rule.

Writes (appoint a member, end a member's seat, assign a coordinator deputy) need a signed-in
session and its CSRF token (the `X-CSRFToken` header), as the site's own forms do. A request with
no session is refused with 401 `not_authenticated`; a council the user may not manage answers 404
`not_found`, exactly like a council that does not exist, so the API never tells a stranger what
exists. A broken rule (a second chair, a settlement outside the okrug, ...) is a 400 with the
service's `code`. Every error is `{"detail", "code"}`.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status
from ninja.security import SessionAuth
from ninja.utils import check_csrf

from kenes.core.api import READ_ERRORS, ErrorOut
from kenes.core.errors import DomainError
from kenes.councils import selectors, services
from kenes.councils.composition import Problem
from kenes.councils.models import Charter, Coordinator, Council, Member
from kenes.territory import selectors as territory
from kenes.territory.models import KATO_RE, Settlement

router = Router(tags=["councils"])

SeatGroupCode = Literal["residents", "public_associations", "business", "youth", "veterans", "other"]
RoleCode = Literal["chair", "deputy_chair", "secretary", "member"]
MemberStatus = Literal["active", "resigned", "replaced", "term_ended"]
CouncilStatus = Literal["forming", "active", "dissolved"]


# Authentication -------------------------------------------------------------------------------


class StaffSession(SessionAuth):
    """The site's session cookie plus its CSRF token. Refusals come in the API's error shape:
    401 `not_authenticated` without a session, then 403 `csrf_failed` without a valid token."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            raise DomainError(_("Log in to do this."), code="not_authenticated", status=401)
        if check_csrf(request) is not None:
            raise DomainError(
                _("The security check failed: reload the page and try again."), code="csrf_failed", status=403
            )
        return request.user


staff = StaffSession()


# Schemas --------------------------------------------------------------------------------------


class ProblemOut(Schema):
    code: str = Field(description="Stable code, e.g. `group_below_minimum`, `settlement_without_member`")
    message: str = Field(description="What is wrong, in plain words, in the request's language")


class CouncilItemOut(Schema):
    okrug: str = Field(description="KATO code of the okrug", pattern=KATO_RE)
    okrug_name_kk: str
    okrug_name_ru: str
    district: str = Field(description="KATO code of the district", pattern=KATO_RE)
    status: CouncilStatus
    pilot: int | None = Field(description="Id of the pilot the council is part of")
    charter: int = Field(description="Id of the charter version the council runs under")
    active_member_count: int = Field(description="Members serving now")
    problem_count: int = Field(description="Composition problems; 0 when the composition check passes")


class MemberOut(Schema):
    id: int
    full_name: str
    seat_group: SeatGroupCode
    role: RoleCode
    settlement: str | None = Field(description="KATO code of the settlement the member represents")
    organisation: str
    term_start: datetime.date
    term_end: datetime.date
    status: MemberStatus
    ended_on: datetime.date | None
    end_reason: str


class SeatGroupOut(Schema):
    group: SeatGroupCode
    label: str = Field(description="The group's name in the request's language")
    members: list[MemberOut] = Field(description="Serving members, officers first")


class CoordinatorOut(Schema):
    id: int
    full_name: str
    maslikhat: str
    constituency: str
    started_on: datetime.date
    ended_on: datetime.date | None


class CouncilOut(CouncilItemOut):
    district_name_kk: str
    district_name_ru: str
    established_on: datetime.date
    population: int | None = Field(description="Population entered for the council (null: not entered)")
    population_year: int | None
    groups: list[SeatGroupOut] = Field(description="Every seat group, in order, even an empty one")
    coordinators: list[CoordinatorOut] = Field(description="Coordinator deputies serving now")
    problems: list[ProblemOut] = Field(description="What the composition lacks; empty when the check passes")


class SeatRuleOut(Schema):
    group: SeatGroupCode
    label: str
    min_seats: int
    max_seats: int | None = Field(description="null: no upper limit")


class SizeBandOut(Schema):
    population_from: int
    population_to: int | None = Field(description="Inclusive; null: no upper bound")
    min_members: int
    max_members: int


class RegulationLinks(Schema):
    kk: str = Field(description="The regulation printed from this charter, in Kazakh (PDF)")
    ru: str = Field(description="The regulation printed from this charter, in Russian (PDF)")


class CharterOut(Schema):
    id: int
    name: str
    version: int
    previous: int | None = Field(description="Id of the version this one replaced")
    next: int | None = Field(description="Id of the version that replaced this one")
    locked: bool = Field(description="In use by a council: never edited again; a change makes a new version")
    locked_at: datetime.datetime | None
    region: str | None = Field(description="KATO code of the oblast whose administrators edit it; null: national")
    council_count: int
    term_years: int
    quorum_percent: int
    majority_rule: Literal["of_present", "of_all_members"]
    notice_days: int
    answer_working_days: int
    extension_limit_months: int
    secret_ballot_allowed: bool
    residents_may_submit: bool
    members_may_submit: bool
    coordinators_may_submit: bool
    support_threshold: int
    members_per_settlement: int
    youth_age_min: int
    youth_age_max: int
    seat_rules: list[SeatRuleOut]
    size_bands: list[SizeBandOut]
    regulation: RegulationLinks


class MemberIn(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    seat_group: SeatGroupCode
    role: RoleCode = "member"
    settlement: str | None = Field(
        None, pattern=KATO_RE, description="KATO code of a settlement of the okrug; required for a residents seat"
    )
    birth_date: datetime.date | None = None
    organisation: str = Field("", max_length=200)
    term_start: datetime.date
    term_end: datetime.date | None = Field(None, description="Defaults to the charter's term from term_start")


class MemberEndIn(Schema):
    on: datetime.date = Field(description="The seat's last day: today or earlier")
    reason: str = Field("", max_length=300)


class CoordinatorIn(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    maslikhat: str = Field(min_length=1, max_length=200)
    constituency: str = Field("", max_length=200)
    started_on: datetime.date


WRITES = (
    "Needs a signed-in session (the `sessionid` cookie) and its CSRF token in the `X-CSRFToken` header. "
    "401 `not_authenticated` without a session; 403 `csrf_failed` without a valid token; 404 `not_found` "
    "for a council or member the user may not manage, as for one that does not exist; 400 with the "
    "rule's code when a rule of the council is broken."
)
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# Helpers --------------------------------------------------------------------------------------


def _not_found(message: Any = None) -> DomainError:
    return DomainError(message or _("Nothing was found here."), code="not_found", status=404)


def _kato_query(description: str) -> Any:
    return Query(None, pattern=KATO_RE, description=description, examples=["274400000"])


def _okrug_path() -> Any:
    return Path(..., pattern=KATO_RE, description="KATO code of the okrug", examples=["274430000"])


def _managed_council(request: HttpRequest, okrug_kato: str) -> Council:
    try:
        return selectors.access_council_for_management(user=request.user, okrug_kato=okrug_kato)
    except Http404 as missing:
        raise _not_found(_("No council you manage is in this okrug.")) from missing


def _settlement_of(council: Council, kato: str | None) -> Settlement | None:
    if kato is None:
        return None
    found = territory.list_settlements(okrug=council.okrug).filter(kato=kato).first()
    if found is None:
        raise DomainError(_("This settlement is not in the council's okrug."), code="settlement_outside_okrug")
    return found


def council_item_out(council: Council, problems: list[Problem]) -> dict[str, Any]:
    return {
        "okrug": council.okrug.kato,
        "okrug_name_kk": council.okrug.name_kk,
        "okrug_name_ru": council.okrug.name_ru,
        "district": council.okrug.district.kato,
        "status": council.status,
        "pilot": council.pilot_id,
        "charter": council.charter_id,
        "active_member_count": council.active_member_count,  # type: ignore[attr-defined]
        "problem_count": len(problems),
    }


def member_out(member: Member) -> dict[str, Any]:
    return {
        "id": member.pk,
        "full_name": member.full_name,
        "seat_group": member.seat_group,
        "role": member.role,
        "settlement": member.settlement.kato if member.settlement is not None else None,
        "organisation": member.organisation,
        "term_start": member.term_start,
        "term_end": member.term_end,
        "status": member.status,
        "ended_on": member.ended_on,
        "end_reason": member.end_reason,
    }


def coordinator_out(coordinator: Coordinator) -> dict[str, Any]:
    return {
        "id": coordinator.pk,
        "full_name": coordinator.full_name,
        "maslikhat": coordinator.maslikhat,
        "constituency": coordinator.constituency,
        "started_on": coordinator.started_on,
        "ended_on": coordinator.ended_on,
    }


# Reads ----------------------------------------------------------------------------------------


@router.get("", response={200: list[CouncilItemOut], **READ_ERRORS}, summary="Councils, with their composition status")
def councils(
    request: HttpRequest,
    district: str | None = _kato_query("Only councils of the okrugs of this district (KATO code)"),
    okrug: str | None = _kato_query("Only the council of this okrug (KATO code)"),
    pilot: int | None = Query(None, ge=1, description="Only councils of this pilot (id)"),
) -> list[dict[str, Any]]:
    in_district = territory.find_district(district) if district is not None else None
    if district is not None and in_district is None:
        raise _not_found(_("No district has this KATO code."))
    in_okrug = territory.find_okrug(okrug) if okrug is not None else None
    if okrug is not None and in_okrug is None:
        raise _not_found(_("No okrug has this KATO code."))
    in_pilot = None
    if pilot is not None:
        try:
            in_pilot = selectors.get_pilot(pilot)
        except Http404 as missing:
            raise _not_found(_("There is no such pilot.")) from missing
    found = list(selectors.list_councils(district=in_district, okrug=in_okrug, pilot=in_pilot))
    problems = selectors.compositions_of(found)
    return [council_item_out(council, problems[council.pk]) for council in found]


@router.get("charters/{charter_id}", response={200: CharterOut, **READ_ERRORS}, summary="A charter with every rule")
def charter(request: HttpRequest, charter_id: int = Path(..., ge=1, description="Id of the charter")) -> dict[str, Any]:
    found: Charter | None = selectors.list_charters().filter(pk=charter_id).first()
    if found is None:
        raise _not_found(_("There is no such charter."))
    following = selectors.next_version_of(found)
    next_id = following.pk if following is not None else None
    values = {name: getattr(found, name) for name in services.CHARTER_FIELDS}
    return {
        **values,
        "id": found.pk,
        "version": found.version,
        "previous": found.previous_id,
        "next": next_id,
        "locked": found.is_locked,
        "locked_at": found.locked_at,
        "region": found.region.kato if found.region is not None else None,
        "council_count": found.council_count,  # type: ignore[attr-defined]
        "seat_rules": [
            {
                "group": rule.group,
                "label": str(rule.get_group_display()),
                "min_seats": rule.min_seats,
                "max_seats": rule.max_seats,
            }
            for rule in selectors.charter_seat_rules(found)
        ],
        "size_bands": [
            {
                "population_from": band.population_from,
                "population_to": band.population_to,
                "min_members": band.min_members,
                "max_members": band.max_members,
            }
            for band in selectors.charter_size_bands(found)
        ],
        "regulation": {
            language: reverse("councils:charter_pdf", kwargs={"charter_id": found.pk, "language": language})
            for language in ("kk", "ru")
        },
    }


@router.get(
    "{okrug_kato}",
    response={200: CouncilOut, **READ_ERRORS},
    summary="A council: members by seat group, coordinator deputies, composition problems",
)
def council(request: HttpRequest, okrug_kato: str = _okrug_path()) -> dict[str, Any]:
    found = selectors.list_councils().filter(okrug__kato=okrug_kato).first()
    if found is None:
        raise _not_found(_("This okrug has no council."))
    problems = selectors.composition_of(found)
    return {
        **council_item_out(found, problems),
        "district_name_kk": found.okrug.district.name_kk,
        "district_name_ru": found.okrug.district.name_ru,
        "established_on": found.established_on,
        "population": found.population,
        "population_year": found.population_year,
        "groups": [
            {"group": group.value, "label": str(group.label), "members": [member_out(member) for member in members]}
            for group, members in selectors.active_members_by_group(found)
        ],
        "coordinators": [coordinator_out(coordinator) for coordinator in selectors.active_coordinators(found)],
        "problems": [{"code": problem.code, "message": str(problem.message)} for problem in problems],
    }


# Writes ---------------------------------------------------------------------------------------


@router.post(
    "{okrug_kato}/members",
    auth=staff,
    response={201: MemberOut, **WRITE_ERRORS},
    summary="Appoint a member (staff who manage the council)",
    description=WRITES,
)
def appoint_member(request: HttpRequest, payload: MemberIn, okrug_kato: str = _okrug_path()) -> Status[dict[str, Any]]:
    found = _managed_council(request, okrug_kato)
    member = services.appoint_member(
        actor=request.user,
        council=found,
        full_name=payload.full_name,
        seat_group=payload.seat_group,
        role=payload.role,
        settlement=_settlement_of(found, payload.settlement),
        birth_date=payload.birth_date,
        organisation=payload.organisation,
        term_start=payload.term_start,
        term_end=payload.term_end,
    )
    return Status(201, member_out(member))


@router.post(
    "members/{member_id}/end",
    auth=staff,
    response={200: MemberOut, **WRITE_ERRORS},
    summary="End a member's seat: they resign (staff who manage the council)",
    description=WRITES,
)
def end_member(
    request: HttpRequest, payload: MemberEndIn, member_id: int = Path(..., ge=1, description="Id of the member")
) -> dict[str, Any]:
    try:
        member = selectors.access_member_for_management(user=request.user, member_id=member_id)
    except Http404 as missing:
        raise _not_found(_("No member of a council you manage has this id.")) from missing
    ended = services.resign_member(actor=request.user, member=member, on=payload.on, reason=payload.reason)
    return member_out(ended)


@router.post(
    "{okrug_kato}/coordinators",
    auth=staff,
    response={201: CoordinatorOut, **WRITE_ERRORS},
    summary="Assign a coordinator deputy (staff who manage the council)",
    description=WRITES,
)
def assign_coordinator(
    request: HttpRequest, payload: CoordinatorIn, okrug_kato: str = _okrug_path()
) -> Status[dict[str, Any]]:
    found = _managed_council(request, okrug_kato)
    coordinator = services.assign_coordinator(
        actor=request.user,
        council=found,
        full_name=payload.full_name,
        maslikhat=payload.maslikhat,
        constituency=payload.constituency,
        started_on=payload.started_on,
    )
    return Status(201, coordinator_out(coordinator))
