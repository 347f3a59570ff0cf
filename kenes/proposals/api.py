"""Proposals API, mounted at /api/v1/proposals/.

Reads are public: the proposals residents have submitted (never drafts), filtered by okrug,
district, area, status and settlement, searched, sorted by new or most supported and paginated
(`limit` up to 100, `offset`); one proposal with its photos and its public timeline. A draft (or a
returned proposal being reworked) is shown only to its author.

Writes need a caller: an API token in the `Authorization: Bearer <token>` header, or the site's
session cookie with its CSRF token (the `X-CSRFToken` header), as the site's own forms do. Without
either the answer is 401 `not_authenticated`. A proposal the caller may not act on answers 404
`not_found`, exactly like one that does not exist. A broken rule (supporting your own proposal,
an illegal transition, ...) is a 400 with the service's `code`; a malformed request is a 422 with
the list of field errors. Every error is `{"detail", "code"}`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.responses import Status

from kenes.accounts.api_auth import PendingToken, token_checked_by_write, token_or_session
from kenes.accounts.selectors import user_for_api_token
from kenes.core.api import READ_ERRORS, ErrorOut
from kenes.core.errors import DomainError
from kenes.councils.selectors import find_council
from kenes.proposals import selectors, services
from kenes.proposals.models import Proposal
from kenes.territory import selectors as territory
from kenes.territory.models import KATO_RE, Settlement

router = Router(tags=["proposals"])

AreaCode = Literal["development", "infrastructure", "housing_utilities", "household_farming", "social", "other"]
LanguageCode = Literal["kk", "ru"]
StatusCode = Literal[
    "draft",
    "submitted",
    "returned",
    "collecting",
    "merged",
    "forwarded",
    "ready",
    "on_agenda",
    "recommended",
    "declined",
]
# What the list may be filtered by: every status but the draft, which only its author sees.
PublicStatusCode = Literal[
    "submitted",
    "returned",
    "collecting",
    "merged",
    "forwarded",
    "ready",
    "on_agenda",
    "recommended",
    "declined",
]
ChannelCode = Literal["online", "in_person", "phone"]
TimelineKind = Literal[
    "created",
    "submitted",
    "returned",
    "accepted",
    "merged",
    "merged_in",
    "forwarded",
    "ready",
    "on_agenda",
    "off_agenda",
    "recommended",
    "declined",
    "answered",
    "answer_forwarded",
    "extended",
    "overdue",
    "progress",
    "implemented",
    "unsatisfactory",
]
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
AREA_QUERY = Query(None, description="Only proposals in this area")
STATUS_QUERY = Query(None, description="Only proposals in this status")


# Schemas --------------------------------------------------------------------------------------


class ProposalItemOut(Schema):
    id: int
    title: str
    area: AreaCode
    area_label: str = Field(description="The area's name in the request's language")
    status: StatusCode
    status_label: str = Field(description="The status in plain words, in the request's language")
    language: LanguageCode = Field(description="The language the proposal is written in")
    okrug: str = Field(description="KATO code of the okrug", pattern=KATO_RE)
    okrug_name_kk: str
    okrug_name_ru: str
    settlement: str = Field(description="KATO code of the settlement", pattern=KATO_RE)
    settlement_name_kk: str
    settlement_name_ru: str
    support_count: int = Field(description="Residents of the okrug who support it now")
    photo_count: int
    submitted_at: datetime.datetime | None = Field(description="null: a draft, never submitted")
    assisted: bool = Field(description="Entered by akimat staff for a resident who came in person or called")
    url: str = Field(description="The proposal's page on the site")


class ProposalPageOut(Schema):
    count: int = Field(description="Proposals matching the filters, on every page together")
    limit: int
    offset: int
    items: list[ProposalItemOut]


class PhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    width: int
    height: int


class TimelineEventOut(Schema):
    kind: TimelineKind
    label: str = Field(description="The step in plain words, in the request's language")
    note: str = Field(description="The reason or addressee given with the step; empty when none")
    related: int | None = Field(description="Id of the other proposal of a merge")
    at: datetime.datetime


class ProposalOut(ProposalItemOut):
    body: str
    estimated_cost: int | None = Field(description="Estimated cost in tenge; null: not given")
    channel: ChannelCode = Field(description="How the proposal came in")
    support_threshold: int = Field(description="Supports the council's charter asks for before the agenda")
    screening_due_on: datetime.date | None = Field(description="The coordinator screens it by this working day")
    merged_into: int | None = Field(description="Id of the proposal it was merged into as a duplicate")
    forwarded_to: str = Field(description="The competent body it was forwarded to; empty when not forwarded")
    is_mine: bool = Field(description="The caller is its author (or the akimat staff who entered it)")
    supported_by_me: bool = Field(description="The caller supports it")
    photos: list[PhotoOut]
    timeline: list[TimelineEventOut] = Field(description="Public steps, oldest first")


class SupportOut(Schema):
    proposal: int
    supported: bool = Field(description="Whether the caller supports it now")
    support_count: int
    status: StatusCode = Field(description="`ready` once the supports reached the charter's threshold")


class ProposalIn(Schema):
    okrug: str = Field(pattern=KATO_RE, description="KATO code of the okrug whose council it goes to")
    settlement: str = Field(pattern=KATO_RE, description="KATO code of a settlement of that okrug")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=10_000)
    language: LanguageCode
    area: AreaCode
    estimated_cost: int | None = Field(None, ge=0, le=10**15, description="Estimated cost in tenge")
    submit: bool = Field(False, description="Submit at once; false keeps a draft")


class ReturnIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, description="What the author should change; public")


class MergeIn(Schema):
    into: int = Field(ge=1, description="Id of the proposal of the same okrug it duplicates")
    reason: str = Field("", max_length=2000)


class ForwardIn(Schema):
    addressee: str = Field(min_length=1, max_length=300, description="The competent body it goes to")
    reason: str = Field("", max_length=2000)


WRITES = (
    "Needs an API token (`Authorization: Bearer <token>`) or a signed-in session with its CSRF token "
    "(`X-CSRFToken`). 401 `not_authenticated` or `invalid_token` without either; 403 `csrf_failed` for a "
    "session without its CSRF token, and 403 when the caller may not do this at all (`forbidden`: not a "
    "verified resident of the okrug; `not_resident`: supporting another okrug's proposal); 404 `not_found` "
    "for a proposal the caller may not act on, as for one that does not exist; 400 with the rule's code when "
    "a rule is broken (`illegal_transition`, `own_proposal`, ...); 422 with field errors for a bad value."
)
SCREENING = "For the council's coordinator deputies. " + WRITES + " A proposal outside the caller's councils is 404."
# Service codes that refuse one field's value, reported as that field's error.
DRAFT_FIELDS = {
    "title_required": "title",
    "title_too_long": "title",
    "body_required": "body",
    "body_too_long": "body",
    "settlement_outside_okrug": "settlement",
    "bad_language": "language",
    "bad_area": "area",
    "bad_cost": "estimated_cost",
}
REASON_FIELDS = {"reason_required": "reason", "reason_too_long": "reason"}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# Helpers --------------------------------------------------------------------------------------


@contextmanager
def _field_errors(fields: dict[str, str]) -> Iterator[None]:
    """A service's refusal of one field's value (a 422 `DomainError` whose code is in `fields`)
    becomes a field error, shaped like the ones for a malformed request."""
    try:
        yield
    except DomainError as error:
        field = fields.get(error.code)
        if error.status != 422 or field is None:
            raise
        raise _field_error(field, error.message, error.code) from error


def _field_error(field: str, message: Any, code: str) -> ValidationError:
    return ValidationError([{"loc": ["body", "payload", field], "msg": str(message), "type": code}])


def _not_found(message: Any = None) -> DomainError:
    return DomainError(message or _("There is no such proposal."), code="not_found", status=404)


def _kato_query(description: str) -> Any:
    return Query(None, pattern=KATO_RE, description=description, examples=["274430000"])


def _proposal_path() -> Any:
    return Path(..., ge=1, description="Id of the proposal")


def _actor(request: HttpRequest) -> Any:
    """Who made an authenticated request (ninja's auth sets it)."""
    return request.auth  # type: ignore[attr-defined]


def _viewer(request: HttpRequest) -> Any:
    """The caller of a public read: the owner of a Bearer token when one is sent, else the session's
    user; None for an anonymous visitor. A bad token on a read is simply anonymous."""
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return user_for_api_token(secret.strip())
    user = request.user
    return user if user.is_authenticated else None


def _public(proposal_id: int) -> Proposal:
    try:
        return selectors.get_public_proposal(proposal_id)
    except Http404 as missing:
        raise _not_found() from missing


def _public_ref(proposal_id: int) -> Proposal:
    try:
        return selectors.public_proposal_ref(proposal_id)
    except Http404 as missing:
        raise _not_found() from missing


def _for_screening(request: HttpRequest, proposal_id: int) -> Proposal:
    try:
        return selectors.access_proposal_for_screening(user=_actor(request), pk=proposal_id)
    except Http404 as missing:
        raise _not_found(_("No proposal you may screen has this id.")) from missing


def item_out(proposal: Proposal) -> dict[str, Any]:
    photo_count = getattr(proposal, "photo_count", None)
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "area": proposal.area,
        "area_label": str(proposal.get_area_display()),
        "status": proposal.status,
        "status_label": str(proposal.get_status_display()),
        "language": proposal.language,
        "okrug": proposal.okrug.kato,
        "okrug_name_kk": proposal.okrug.name_kk,
        "okrug_name_ru": proposal.okrug.name_ru,
        "settlement": proposal.settlement.kato,
        "settlement_name_kk": proposal.settlement.name_kk,
        "settlement_name_ru": proposal.settlement.name_ru,
        "support_count": proposal.support_count,
        "photo_count": photo_count if photo_count is not None else proposal.photos.count(),
        "submitted_at": proposal.submitted_at,
        "assisted": proposal.is_assisted,
        "url": reverse("proposals:detail", kwargs={"pk": proposal.pk}),
    }


def proposal_out(proposal: Proposal, viewer: Any) -> dict[str, Any]:
    photos = selectors.photos_of(proposal)
    proposal.photo_count = len(photos)  # type: ignore[attr-defined]
    is_mine = viewer is not None and viewer.pk in (proposal.author_id, proposal.entered_by_id)
    return {
        **item_out(proposal),
        "body": proposal.body,
        "estimated_cost": proposal.estimated_cost,
        "channel": proposal.channel,
        "support_threshold": proposal.council.charter.support_threshold,
        "screening_due_on": proposal.screening_due_on,
        "merged_into": proposal.merged_into_id,
        "forwarded_to": proposal.forwarded_to,
        "is_mine": is_mine,
        "supported_by_me": viewer is not None and selectors.has_supported(viewer, proposal),
        "photos": [
            {
                "id": photo.pk,
                "url": photo.image.url,
                "thumbnail_url": photo.thumbnail.url,
                "width": photo.width,
                "height": photo.height,
            }
            for photo in photos
        ],
        "timeline": [
            {
                "kind": event.kind,
                "label": str(event.get_kind_display()),
                "note": event.note,
                "related": event.related_id,
                "at": event.created_at,
            }
            for event in selectors.timeline_of(proposal)
        ],
    }


def _visible(proposal_id: int, viewer: Any) -> Proposal:
    """A public proposal, or a draft its author (or the staff who entered it) is looking at."""
    try:
        return selectors.get_public_proposal(proposal_id)
    except Http404:
        if viewer is None:
            raise _not_found() from None
    try:
        return selectors.access_draft_for_editing(user=viewer, pk=proposal_id)
    except Http404 as missing:
        raise _not_found() from missing


def _detail(proposal_id: int, viewer: Any) -> dict[str, Any]:
    """Fetched again after a write, so the answer shows the counts and steps the write made."""
    return proposal_out(_visible(proposal_id, viewer), viewer)


def _support_out(proposal: Proposal, *, supported: bool) -> dict[str, Any]:
    # Read again: a support already there returns before the service copies the counts back.
    proposal.refresh_from_db(fields=["support_count", "status"])
    return {
        "proposal": proposal.pk,
        "supported": supported,
        "support_count": proposal.support_count,
        "status": proposal.status,
    }


# Reads ----------------------------------------------------------------------------------------


@router.get("", response={200: ProposalPageOut, **READ_ERRORS}, summary="Proposals: filter, search, sort, page")
def proposals(
    request: HttpRequest,
    okrug: str | None = _kato_query("Only proposals to the council of this okrug (KATO code)"),
    district: str | None = _kato_query("Only proposals of the okrugs of this district (KATO code)"),
    settlement: str | None = _kato_query("Only proposals about this settlement (KATO code)"),
    area: AreaCode | None = AREA_QUERY,
    status: PublicStatusCode | None = STATUS_QUERY,
    sort: Literal["new", "supported"] = Query("new", description="Newest first, or most supported first"),
    q: str = Query("", max_length=200, description="Words to find in the title and text (every word must match)"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (at most 100)"),
    offset: int = Query(0, ge=0, le=10**9, description="Items to skip"),
) -> dict[str, Any]:
    in_okrug = territory.find_okrug(okrug) if okrug is not None else None
    if okrug is not None and in_okrug is None:
        raise _not_found(_("No okrug has this KATO code."))
    in_district = territory.find_district(district) if district is not None else None
    if district is not None and in_district is None:
        raise _not_found(_("No district has this KATO code."))
    in_settlement = Settlement.objects.filter(kato=settlement).first() if settlement is not None else None
    if settlement is not None and in_settlement is None:
        raise _not_found(_("No settlement has this KATO code."))
    found = selectors.list_proposals(
        okrug=in_okrug,
        district=in_district,
        settlement=in_settlement,
        area=area,
        status=status,
        sort=sort,
        query=q,
    )
    return {
        "count": found.count(),
        "limit": limit,
        "offset": offset,
        "items": [item_out(proposal) for proposal in found[offset : offset + limit]],
    }


@router.get(
    "{proposal_id}",
    response={200: ProposalOut, **READ_ERRORS},
    summary="A proposal with its photos and public timeline",
    description="A draft is shown only to its author (token or session); to anyone else it is 404.",
)
def proposal(request: HttpRequest, proposal_id: int = _proposal_path()) -> dict[str, Any]:
    return _detail(proposal_id, _viewer(request))


# Writes ---------------------------------------------------------------------------------------


@router.post(
    "",
    auth=token_or_session,
    response={201: ProposalOut, **WRITE_ERRORS},
    summary="Create a proposal: keep it as a draft, or submit it at once",
    description=WRITES,
)
def create_proposal(request: HttpRequest, payload: ProposalIn) -> Status[dict[str, Any]]:
    council = find_council(payload.okrug)
    if council is None:
        raise _field_error("okrug", _("This okrug has no council to take proposals yet."), "no_council")
    in_okrug = territory.list_settlements(okrug=council.okrug).filter(kato=payload.settlement).first()
    if in_okrug is None:
        raise _field_error("settlement", _("Choose a settlement of this okrug."), "settlement_outside_okrug")
    with transaction.atomic(), _field_errors(DRAFT_FIELDS):
        created = services.create_draft(
            actor=_actor(request),
            council=council,
            settlement=in_okrug,
            title=payload.title,
            body=payload.body,
            language=payload.language,
            area=payload.area,
            estimated_cost=payload.estimated_cost,
        )
        if payload.submit:
            services.submit_proposal(actor=_actor(request), proposal=created)
    return Status(201, _detail(created.pk, _actor(request)))


@router.post(
    "{proposal_id}/support",
    auth=token_checked_by_write,
    response={200: SupportOut, **WRITE_ERRORS},
    summary="Support a proposal (residents of its okrug); supporting twice changes nothing",
    description=WRITES,
)
def support(request: HttpRequest, proposal_id: int = _proposal_path()) -> dict[str, Any]:
    return support_answer(proposal_id, request.auth)  # type: ignore[attr-defined]


def support_answer(proposal_id: int, caller: Any) -> dict[str, Any]:
    """The support operation's work and its 200 body, for ninja's route and for the support
    gateway (config/gateway.py), which calls it without ninja. `caller`: what the operation's auth
    gave (a PendingToken, or the signed-in person). Raises DomainError for every refusal."""
    try:
        if isinstance(caller, PendingToken):
            done = services.submit_support(proposal_id=proposal_id, token_digest=caller.digest)
        else:
            done = services.submit_support(proposal_id=proposal_id, actor=caller)
    except Http404 as missing:
        raise _not_found() from missing
    return {"proposal": done.proposal_id, "supported": True, "support_count": done.support_count, "status": done.status}


@router.delete(
    "{proposal_id}/support",
    auth=token_or_session,
    response={200: SupportOut, **WRITE_ERRORS},
    summary="Withdraw your support (until the proposal is on an agenda)",
    description=WRITES,
)
def withdraw(request: HttpRequest, proposal_id: int = _proposal_path()) -> dict[str, Any]:
    found = _public_ref(proposal_id)
    services.withdraw_support(actor=_actor(request), proposal=found)
    return _support_out(found, supported=False)


@router.post(
    "{proposal_id}/accept",
    auth=token_or_session,
    response={200: ProposalOut, **WRITE_ERRORS},
    summary="Accept a submitted proposal: it starts collecting support",
    description=SCREENING,
)
def accept(request: HttpRequest, proposal_id: int = _proposal_path()) -> dict[str, Any]:
    found = _for_screening(request, proposal_id)
    services.accept_proposal(actor=_actor(request), proposal=found)
    return _detail(found.pk, _actor(request))


@router.post(
    "{proposal_id}/return",
    auth=token_or_session,
    response={200: ProposalOut, **WRITE_ERRORS},
    summary="Return a submitted proposal to its author, with a public reason",
    description=SCREENING,
)
def return_to_author(request: HttpRequest, payload: ReturnIn, proposal_id: int = _proposal_path()) -> dict[str, Any]:
    found = _for_screening(request, proposal_id)
    with _field_errors(REASON_FIELDS):
        services.return_proposal(actor=_actor(request), proposal=found, reason=payload.reason)
    return _detail(found.pk, _actor(request))


@router.post(
    "{proposal_id}/merge",
    auth=token_or_session,
    response={200: ProposalOut, **WRITE_ERRORS},
    summary="Merge a proposal into the one it duplicates; its supports move without double counting",
    description=SCREENING,
)
def merge(request: HttpRequest, payload: MergeIn, proposal_id: int = _proposal_path()) -> dict[str, Any]:
    found = _for_screening(request, proposal_id)
    try:
        target = selectors.get_public_proposal(payload.into)
    except Http404:
        raise _field_error("into", _("There is no proposal with this id to merge into."), "bad_merge_target") from None
    with _field_errors({**REASON_FIELDS, "bad_merge_target": "into"}):
        services.merge_proposal(actor=_actor(request), proposal=found, into=target, reason=payload.reason)
    return _detail(found.pk, _actor(request))


@router.post(
    "{proposal_id}/forward",
    auth=token_or_session,
    response={200: ProposalOut, **WRITE_ERRORS},
    summary="Forward a proposal outside the council's competence to the body that can answer it",
    description=SCREENING,
)
def forward(request: HttpRequest, payload: ForwardIn, proposal_id: int = _proposal_path()) -> dict[str, Any]:
    found = _for_screening(request, proposal_id)
    with _field_errors({**REASON_FIELDS, "addressee_required": "addressee", "addressee_too_long": "addressee"}):
        services.forward_proposal(
            actor=_actor(request), proposal=found, addressee=payload.addressee, reason=payload.reason
        )
    return _detail(found.pk, _actor(request))


@router.post(
    "{proposal_id}/ready",
    auth=token_or_session,
    response={200: ProposalOut, **WRITE_ERRORS},
    summary="Put a proposal that is collecting support on the list ready for the agenda",
    description=SCREENING,
)
def ready(request: HttpRequest, proposal_id: int = _proposal_path()) -> dict[str, Any]:
    found = _for_screening(request, proposal_id)
    services.mark_ready(actor=_actor(request), proposal=found)
    return _detail(found.pk, _actor(request))
