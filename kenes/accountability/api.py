"""Accountability API, mounted at /api/v1/accountability/.

Reads are public, as the recommendation pages are: the councils' recommendations with their fate
(filtered by status, `overdue` included, by okrug and by district; paginated, `limit` up to 100,
`offset`), one recommendation with its answers, progress reports (photo URLs), timeline, overdue
flag and working days left, and the scorecards of an okrug, a district and a pilot.

Writes need an API token (`Authorization: Bearer <token>`) or the site's session with its CSRF
token, and are for the staff of the addressed office: one endpoint takes every answer (`kind`
accepted, partially_accepted or declined is the final answer; forwarded sends it to the competent
body; extended moves the deadline once), another a progress report (JSON; photos only through the
page). 401 without a caller, 403 `forbidden` for anyone who does not staff the office, 404
`not_found` for an unknown id. Every error is `{"detail", "code"}`.
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

from kenes.accountability import scorecards, selectors, services
from kenes.accountability.models import FINAL_KINDS, Answer, ProgressReport
from kenes.accounts.api_auth import token_or_session
from kenes.core.api import READ_ERRORS, ErrorOut
from kenes.core.errors import DomainError
from kenes.councils.selectors import get_pilot
from kenes.meetings.models import Recommendation
from kenes.territory import selectors as territory
from kenes.territory.models import KATO_RE

router = Router(tags=["accountability"])

StatusCode = Literal["adopted", "sent", "answered", "implemented", "unsatisfactory"]
# What the list may be filtered by: every status, and `overdue` (sent, past its due date).
StatusFilter = Literal["adopted", "sent", "overdue", "answered", "implemented", "unsatisfactory"]
AddresseeCode = Literal["okrug_akim", "district_department", "maslikhat"]
FinalKindCode = Literal["accepted", "partially_accepted", "declined"]
AnswerKindCode = Literal["accepted", "partially_accepted", "declined", "forwarded", "extended"]
TimelineKind = Literal[
    "adopted",
    "sent",
    "answered",
    "forwarded",
    "extended",
    "overdue",
    "escalated",
    "progress",
    "implemented",
    "unsatisfactory",
]
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
STATUS_QUERY = Query(None, description="Only recommendations in this status; `overdue`: sent and past the due date")


# Schemas --------------------------------------------------------------------------------------


class RecommendationItemOut(Schema):
    id: int
    number: str = Field(description="council (okrug KATO) / year / sequence")
    council: str = Field(description="KATO code of the council's okrug", pattern=KATO_RE)
    district: str = Field(description="KATO code of the okrug's district", pattern=KATO_RE)
    meeting: int = Field(description="Id of the sitting that adopted it")
    text_kk: str
    text_ru: str
    addressee_kind: AddresseeCode = Field(description="The current addressee (forwarding changes it)")
    addressee_name: str
    status: StatusCode
    status_label: str = Field(description="The status in plain words, in the request's language")
    adopted_on: datetime.date
    sent_at: datetime.datetime | None
    received_on: datetime.date | None = Field(description="The day the current addressee got it")
    due_on: datetime.date | None = Field(description="The current deadline of the answer (working days)")
    is_overdue: bool = Field(description="Sent and still unanswered after its due date")
    overdue_since: datetime.date | None = Field(description="The first day past the due date, once the check ran")
    answered_on: datetime.date | None
    answer_kind: FinalKindCode | None = Field(description="The final answer's kind; null while unanswered")
    answered_late: bool = Field(description="The final answer came after the due date")
    progress_percent: int = Field(ge=0, le=100)
    implemented_on: datetime.date | None
    proposals: list[int] = Field(description="Ids of the residents' proposals it comes from")
    url: str = Field(description="The recommendation's page on the site")


class RecommendationPageOut(Schema):
    count: int = Field(description="Recommendations matching the filters, on every page together")
    limit: int
    offset: int
    items: list[RecommendationItemOut]


class AnswerOut(Schema):
    id: int
    kind: AnswerKindCode
    kind_label: str = Field(description="The kind in plain words, in the request's language")
    text: str = Field(description="The planned measures (accepted, partially accepted) or the reply")
    reason: str = Field(description="Why: declined, partially accepted, extended; empty otherwise")
    budget_year: int | None
    amount_tenge: str | None = Field(description="Amount in tenge as a decimal string, e.g. '4500000.00'")
    forwarded_to_kind: AddresseeCode | None = Field(description="Forwarded: the kind of the competent body")
    forwarded_to_name: str = Field(description="Forwarded: the competent body; empty otherwise")
    previous_due_on: datetime.date | None = Field(description="Forwarded or extended: the deadline before")
    new_due_on: datetime.date | None = Field(description="Forwarded or extended: the deadline after")
    answered_on: datetime.date
    answered_by: str = Field(description="The full name of the staff member who answered")
    on_behalf_of: str = Field(description="The office, as written; empty when not given")
    unsatisfactory: bool = Field(description="The council found this final answer unsatisfactory")
    unsatisfactory_reason: str


class ProgressPhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    width: int
    height: int


class ProgressOut(Schema):
    id: int
    percent: int = Field(ge=0, le=100)
    text: str
    reported_on: datetime.date
    reported_by: str = Field(description="The full name of the staff member who reported")
    photos: list[ProgressPhotoOut]


class TimelineEntryOut(Schema):
    kind: TimelineKind
    label: str = Field(description="The step in plain words, in the request's language")
    on: datetime.date
    actor_name: str = Field(description="Who acted; empty for the system (the daily deadline check)")
    note: str
    answer: int | None = Field(description="Id of the answer this step made")
    progress: int | None = Field(description="Id of the progress report this step made")


class RecommendationDetailOut(RecommendationItemOut):
    working_days_left: int | None = Field(
        description="Working days until the due date while waiting (0 on the day, negative when overdue)"
    )
    answers: list[AnswerOut] = Field(description="Every answer, forwarding and extension, oldest first")
    progress: list[ProgressOut] = Field(description="Progress reports, oldest first")
    timeline: list[TimelineEntryOut] = Field(description="Adopted, sent, then every public step, in order")


class AnswerIn(Schema):
    kind: AnswerKindCode = Field(
        description="accepted, partially_accepted or declined: the final answer; forwarded: to the competent "
        "body (within 3 working days of receipt; the deadline restarts); extended: the one extension"
    )
    text: str = Field("", max_length=10_000, description="The planned measures: accepted and partially_accepted")
    reason: str = Field("", max_length=5_000, description="Why: declined, partially_accepted, extended")
    budget_year: int | None = Field(None, ge=2000, le=2100, description="The budget year of the measures")
    amount_tenge: Decimal | None = Field(
        None, ge=0, max_digits=15, decimal_places=2, description="The amount of the measures in tenge"
    )
    to_kind: AddresseeCode | None = Field(None, description="forwarded: the kind of the competent body")
    to_name: str = Field("", max_length=300, description="forwarded: the competent body")
    new_due_on: datetime.date | None = Field(None, description="extended: the new deadline")


class ProgressIn(Schema):
    percent: int = Field(ge=0, le=100, description="How far the measures are; 100 means done")
    text: str = Field(min_length=1, max_length=10_000, description="What was done")


class ScorecardOut(Schema):
    label: str
    kato: str = Field(description="KATO code of the okrug or district; empty for a pilot of named okrugs")
    councils: int = Field(description="Councils the figures cover; 0: none, every figure is empty")
    population: int | None = Field(description="Residents of the councils whose population is known; null: none is")
    population_councils: int = Field(description="Councils whose population is known (counted per 1,000 residents)")
    proposals: int = Field(description="Proposals submitted in the period")
    supports_total: int
    supports_recommended: int = Field(description="Supports on proposals a recommendation covers")
    supports_recommended_percent: float | None
    sent: int = Field(description="Recommendations sent in the period")
    answered: int = Field(description="With a final answer")
    answered_on_time: int
    due: int = Field(description="Sent recommendations answered or past their due date")
    on_time_percent: float | None = Field(description="answered_on_time / due × 100; null when nothing is due")
    answered_late: int
    accepted: int
    partially_accepted: int
    declined: int
    overdue: int = Field(description="Waiting past the due date now")
    implemented: int
    implemented_percent: float | None = Field(description="implemented / (accepted + partially accepted) × 100")
    median_days_to_answer: float | None = Field(description="Median working days from sending to the answer")
    proposals_per_1000: float | None = Field(description="Proposals per 1,000 residents; null when unknown")
    is_demo: bool = Field(description="The figures come from demo data")


class DistrictScorecardOut(Schema):
    total: ScorecardOut
    okrugs: list[ScorecardOut]


class PilotScorecardOut(Schema):
    pilot_district: ScorecardOut
    comparison: list[ScorecardOut] = Field(description="The pilot's comparison districts")


WRITES = (
    "For the staff of the office the recommendation is addressed to (the okrug akim's office; the district "
    "for a district department or the maslikhat). Needs an API token (`Authorization: Bearer <token>`) or a "
    "signed-in session with its CSRF token. 401 without either; 403 `forbidden` when the caller does not "
    "staff the office or the step is not open; 404 `not_found` for an unknown recommendation; 409 or 422 "
    "with the rule's code when a rule is broken (`already_answered`, `forward_window_closed`, "
    "`already_extended`, `deadline_passed`, `progress_backwards`, `measures_required`, `reason_required`, ...)."
)
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


# Helpers --------------------------------------------------------------------------------------


def _not_found(message: Any = None) -> DomainError:
    return DomainError(message or _("There is no such recommendation."), code="not_found", status=404)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _kato_query(description: str) -> Any:
    return Query(None, pattern=KATO_RE, description=description, examples=["274430000"])


def _kato_path(description: str) -> Any:
    return Path(..., pattern=KATO_RE, description=description, examples=["274430000"])


def _recommendation_path() -> Any:
    return Path(..., ge=1, description="Id of the recommendation")


def _year_query() -> Any:
    return Query(None, ge=2000, le=2100, description="Only recommendations sent (proposals submitted) in this year")


def _public(recommendation_id: int) -> Recommendation:
    try:
        return selectors.get_public_recommendation(recommendation_id)
    except Http404 as missing:
        raise _not_found() from missing


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.full_name or user.get_full_name() or user.username)


def item_out(recommendation: Recommendation) -> dict[str, Any]:
    okrug = recommendation.council.okrug
    return {
        "id": recommendation.pk,
        "number": recommendation.number,
        "council": okrug.kato,
        "district": okrug.district.kato,
        "meeting": recommendation.item.meeting_id,
        "text_kk": recommendation.text_kk,
        "text_ru": recommendation.text_ru,
        "addressee_kind": recommendation.addressee_kind,
        "addressee_name": recommendation.addressee_name,
        "status": recommendation.status,
        "status_label": str(recommendation.get_status_display()),
        "adopted_on": recommendation.adopted_on,
        "sent_at": recommendation.sent_at,
        "received_on": recommendation.received_on,
        "due_on": recommendation.due_on,
        "is_overdue": recommendation.is_overdue,
        "overdue_since": recommendation.overdue_since,
        "answered_on": recommendation.answered_on,
        "answer_kind": recommendation.answer_kind or None,
        "answered_late": recommendation.answered_late,
        "progress_percent": recommendation.progress_percent,
        "implemented_on": recommendation.implemented_on,
        "proposals": [proposal.pk for proposal in recommendation.proposals.all()],
        "url": reverse("accountability:recommendation", kwargs={"pk": recommendation.pk}),
    }


def answer_out(answer: Answer) -> dict[str, Any]:
    return {
        "id": answer.pk,
        "kind": answer.kind,
        "kind_label": str(answer.get_kind_display()),
        "text": answer.text,
        "reason": answer.reason,
        "budget_year": answer.budget_year,
        "amount_tenge": f"{answer.amount_tenge:.2f}" if answer.amount_tenge is not None else None,
        "forwarded_to_kind": answer.forwarded_to_kind or None,
        "forwarded_to_name": answer.forwarded_to_name,
        "previous_due_on": answer.previous_due_on,
        "new_due_on": answer.new_due_on,
        "answered_on": answer.answered_on,
        "answered_by": _name(answer.answered_by),
        "on_behalf_of": answer.on_behalf_of,
        "unsatisfactory": answer.unsatisfactory_at is not None,
        "unsatisfactory_reason": answer.unsatisfactory_reason,
    }


def progress_out(report: ProgressReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "percent": report.percent,
        "text": report.text,
        "reported_on": report.reported_on,
        "reported_by": _name(report.reported_by),
        "photos": [
            {
                "id": photo.pk,
                "url": photo.image.url,
                "thumbnail_url": photo.thumbnail.url,
                "width": photo.width,
                "height": photo.height,
            }
            for photo in report.photos.all()
        ],
    }


def recommendation_out(recommendation: Recommendation) -> dict[str, Any]:
    return {
        **item_out(recommendation),
        "working_days_left": selectors.working_days_left(recommendation),
        "answers": [answer_out(answer) for answer in selectors.answers_of(recommendation)],
        "progress": [progress_out(report) for report in selectors.progress_of(recommendation)],
        "timeline": [
            {
                "kind": entry.kind,
                "label": str(entry.label),
                "on": entry.on,
                "actor_name": entry.actor_name,
                "note": entry.note,
                "answer": entry.answer.pk if entry.answer is not None else None,
                "progress": entry.progress.pk if entry.progress is not None else None,
            }
            for entry in selectors.timeline_of(recommendation)
        ],
    }


def scorecard_out(card: Any) -> dict[str, Any]:
    return {name: getattr(card, name) for name in ScorecardOut.model_fields}


# Reads ----------------------------------------------------------------------------------------


@router.get(
    "recommendations",
    response={200: RecommendationPageOut, **READ_ERRORS},
    summary="Recommendations with their fate: filter by status (overdue too), okrug, district; page",
)
def recommendations(
    request: HttpRequest,
    status: StatusFilter | None = STATUS_QUERY,
    okrug: str | None = _kato_query("Only recommendations of the council of this okrug (KATO code)"),
    district: str | None = _kato_query("Only recommendations of the councils of this district (KATO code)"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (at most 100)"),
    offset: int = Query(0, ge=0, le=10**9, description="Items to skip"),
) -> dict[str, Any]:
    in_okrug = territory.find_okrug(okrug) if okrug is not None else None
    if okrug is not None and in_okrug is None:
        raise _not_found(_("No okrug has this KATO code."))
    in_district = territory.find_district(district) if district is not None else None
    if district is not None and in_district is None:
        raise _not_found(_("No district has this KATO code."))
    found = selectors.list_recommendations(status=status, okrug=in_okrug, district=in_district)
    page = found.prefetch_related("proposals")
    return {
        "count": found.count(),
        "limit": limit,
        "offset": offset,
        "items": [item_out(recommendation) for recommendation in page[offset : offset + limit]],
    }


@router.get(
    "recommendations/{recommendation_id}",
    response={200: RecommendationDetailOut, **READ_ERRORS},
    summary="A recommendation: its fate, answers, progress with photos, timeline, working days left",
)
def recommendation(request: HttpRequest, recommendation_id: int = _recommendation_path()) -> dict[str, Any]:
    return recommendation_out(_public(recommendation_id))


@router.get(
    "recommendations/{recommendation_id}/answers",
    response={200: list[AnswerOut], **READ_ERRORS},
    summary="A recommendation's answers, forwardings and extension, oldest first",
)
def answers(request: HttpRequest, recommendation_id: int = _recommendation_path()) -> list[dict[str, Any]]:
    return [answer_out(answer) for answer in selectors.answers_of(_public(recommendation_id))]


@router.get(
    "recommendations/{recommendation_id}/progress",
    response={200: list[ProgressOut], **READ_ERRORS},
    summary="Progress reports on a recommendation's measures, oldest first, with photo URLs",
)
def progress(request: HttpRequest, recommendation_id: int = _recommendation_path()) -> list[dict[str, Any]]:
    return [progress_out(report) for report in selectors.progress_of(_public(recommendation_id))]


@router.get(
    "scorecards/okrug/{kato}",
    response={200: ScorecardOut, **READ_ERRORS},
    summary="An okrug's scorecard: answers on time, median working days, accepted, overdue, implemented",
)
def okrug_scorecard(
    request: HttpRequest,
    kato: str = _kato_path("KATO code of the okrug"),
    year: int | None = _year_query(),
) -> dict[str, Any]:
    okrug = territory.find_okrug(kato)
    if okrug is None:
        raise _not_found(_("No okrug has this KATO code."))
    return scorecard_out(scorecards.okrug_scorecard(okrug, year=year))


@router.get(
    "scorecards/district/{kato}",
    response={200: DistrictScorecardOut, **READ_ERRORS},
    summary="A district's scorecard: the district's total and each okrug's row",
)
def district_scorecard(
    request: HttpRequest,
    kato: str = _kato_path("KATO code of the district"),
    year: int | None = _year_query(),
) -> dict[str, Any]:
    district = territory.find_district(kato)
    if district is None:
        raise _not_found(_("No district has this KATO code."))
    card = scorecards.district_scorecard(district, year=year)
    return {"total": scorecard_out(card.total), "okrugs": [scorecard_out(row) for row in card.okrugs]}


@router.get(
    "scorecards/pilot/{pilot_id}",
    response={200: PilotScorecardOut, **READ_ERRORS},
    summary="A pilot's scorecard: the pilot district beside each comparison district",
)
def pilot_scorecard(
    request: HttpRequest,
    pilot_id: int = Path(..., ge=1, description="Id of the pilot"),
    year: int | None = _year_query(),
) -> dict[str, Any]:
    try:
        pilot = get_pilot(pilot_id)
    except Http404 as missing:
        raise _not_found(_("There is no such pilot.")) from missing
    card = scorecards.pilot_scorecard(pilot, year=year)
    return {
        "pilot_district": scorecard_out(card.pilot_district),
        "comparison": [scorecard_out(row) for row in card.comparison],
    }


# Writes ---------------------------------------------------------------------------------------


def _answer(actor: Any, recommendation: Recommendation, payload: AnswerIn) -> Answer:
    if payload.kind in FINAL_KINDS:
        return services.answer_recommendation(
            actor=actor,
            recommendation=recommendation,
            kind=payload.kind,
            text=payload.text,
            reason=payload.reason,
            budget_year=payload.budget_year,
            amount_tenge=payload.amount_tenge,
        )
    if payload.kind == Answer.Kind.FORWARDED:
        return services.forward_recommendation(
            actor=actor,
            recommendation=recommendation,
            to_kind=payload.to_kind or "",
            to_name=payload.to_name,
            reason=payload.reason,
        )
    if payload.new_due_on is None:
        raise DomainError(_("Give the new due date of the answer."), code="new_due_on_required", status=422)
    return services.extend_deadline(
        actor=actor, recommendation=recommendation, new_due_on=payload.new_due_on, reason=payload.reason
    )


@router.post(
    "recommendations/{recommendation_id}/answers",
    auth=token_or_session,
    response={201: AnswerOut, **WRITE_ERRORS},
    summary="Answer a recommendation, forward it to the competent body, or extend its deadline (its office)",
    description=WRITES,
)
def answer(
    request: HttpRequest, payload: AnswerIn, recommendation_id: int = _recommendation_path()
) -> Status[dict[str, Any]]:
    made = _answer(_actor(request), _public(recommendation_id), payload)
    return Status(201, answer_out(made))


@router.post(
    "recommendations/{recommendation_id}/progress",
    auth=token_or_session,
    response={201: ProgressOut, **WRITE_ERRORS},
    summary="Report progress on the accepted measures: percent and what was done (its office)",
    description=WRITES + " 100 % marks the recommendation implemented. Photos are added through the page.",
)
def report_progress(
    request: HttpRequest, payload: ProgressIn, recommendation_id: int = _recommendation_path()
) -> Status[dict[str, Any]]:
    made = services.report_progress(
        actor=_actor(request),
        recommendation=_public(recommendation_id),
        percent=payload.percent,
        text=payload.text,
    )
    return Status(201, progress_out(made))
