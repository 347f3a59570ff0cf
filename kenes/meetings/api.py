"""Sittings API, mounted at /api/v1/meetings/.

Reads are public: a council's announced sittings (never drafts), one sitting with its agenda, the
attendance counts, the quorum, the results of the votes already closed (names for open votes, totals
only for secret ballots and paper tallies) and the recommendations adopted; the council's
recommendations.

Writes need an API token (`Authorization: Bearer <token>`) or the site's session with its CSRF
token: the secretary (and whoever may run the sitting) records attendance and opens and closes
votes; a member present votes. A sitting or item the caller may not run answers 404 `not_found`,
like one that does not exist. Every error is `{"detail", "code"}`.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema

from kenes.accounts.api_auth import token_or_session
from kenes.core.api import READ_ERRORS, ErrorOut
from kenes.core.errors import DomainError
from kenes.councils.models import Council, Member
from kenes.councils.selectors import find_council
from kenes.meetings import selectors, services
from kenes.meetings.models import AgendaItem, Attendance, Guest, Meeting, Recommendation
from kenes.territory.models import KATO_RE

router = Router(tags=["meetings"])

KindCode = Literal["regular", "extraordinary", "hearing"]
# Drafts are never shown by the API.
StatusCode = Literal["published", "in_progress", "closed", "cancelled"]
MethodCode = Literal["open", "secret", "paper"]
VoteStateCode = Literal["not_opened", "open", "closed"]
OutcomeCode = Literal["adopted", "rejected"]
ChoiceCode = Literal["for", "against", "abstain"]
AddresseeCode = Literal["okrug_akim", "district_department", "maslikhat"]
RecommendationStatusCode = Literal["adopted", "sent", "answered", "implemented", "unsatisfactory"]


# Schemas --------------------------------------------------------------------------------------


class MeetingItemOut(Schema):
    id: int
    council: str = Field(description="KATO code of the council's okrug", pattern=KATO_RE)
    kind: KindCode
    kind_label: str = Field(description="The kind of sitting in the request's language")
    status: StatusCode
    starts_at: datetime.datetime
    place: str
    online_link: str
    late_notice_reason: str = Field(description="Why the agenda was announced late; empty when on time")
    changed_at: datetime.datetime | None = Field(description="When the announced date, place or kind last changed")
    change_reason: str = Field(description="Why it changed; empty when it never did")


class NamedVoteOut(Schema):
    full_name: str
    choice: ChoiceCode


class ResultOut(Schema):
    method: MethodCode
    votes_for: int
    votes_against: int
    votes_abstain: int
    present: int = Field(description="Members present when the vote closed")
    members: int = Field(description="Serving members when the vote closed")
    outcome: OutcomeCode
    named: list[NamedVoteOut] = Field(description="Who chose what, for an open vote only; empty otherwise")


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    text: str
    proposal: int | None = Field(description="Id of the residents' proposal the item is about")
    vote_method: MethodCode
    vote_state: VoteStateCode
    decision_reason: str
    result: ResultOut | None = Field(description="null until the vote is closed")


class QuorumOut(Schema):
    present: int = Field(description="Serving members present now (not gone)")
    active: int = Field(description="Serving members of the council")
    required: int = Field(description="Members present that make a quorum")
    reached: bool


class AttendanceCountsOut(Schema):
    present: int
    absent: int
    left: int = Field(description="Members who were present and left before the end")
    guests: int


class RecommendationOut(Schema):
    id: int
    number: str = Field(description="council (okrug KATO) / year / sequence")
    meeting: int
    item: int
    text_kk: str
    text_ru: str
    addressee_kind: AddresseeCode
    addressee_name: str
    status: RecommendationStatusCode
    adopted_on: datetime.date
    sent_at: datetime.datetime | None
    due_on: datetime.date | None = Field(description="The answer is due by this day once sent")
    is_overdue: bool = Field(description="Sent, unanswered, and past its due date")
    proposals: list[int]


class MeetingOut(MeetingItemOut):
    agenda: list[AgendaItemOut]
    attendance: AttendanceCountsOut
    quorum: QuorumOut
    recommendations: list[RecommendationOut]


class AttendanceIn(Schema):
    member: int = Field(ge=1, description="Id of a serving member of the council")
    present: bool = True


class AttendanceOut(Schema):
    meeting: int
    member: int
    present: bool
    quorum: QuorumOut


class ChangeIn(Schema):
    starts_at: datetime.datetime = Field(description="New start, with its UTC offset (local time if none)")
    kind: KindCode
    place: str = Field("", max_length=300)
    online_link: str = Field("", max_length=200)
    reason: str = Field("", max_length=500, description="Required once the sitting is announced; shown publicly")


class CloseIn(Schema):
    decision_reason: str = Field("", max_length=5000, description="The council's reason, printed in the minutes")


class VoteIn(Schema):
    choice: ChoiceCode


class VoteStateOut(Schema):
    id: int
    vote_state: VoteStateCode
    result: ResultOut | None = Field(description="null until the vote is closed")


class VoteCastOut(Schema):
    item: int
    recorded: bool = Field(description="The vote is counted; the result is shown when the vote closes")


WRITES = (
    "Needs an API token (`Authorization: Bearer <token>`) or a signed-in session with its CSRF token. "
    "401 without either; 404 `not_found` for a sitting or item the caller may not act on, as for one that "
    "does not exist; 403 or 409 with the rule's code when a rule is broken (`not_member`, `not_present`, "
    "`vote_not_open`, `vote_closed`, `already_voted`, `no_quorum`, ...); 422 for a bad value."
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
    return DomainError(message or _("There is no such sitting."), code="not_found", status=404)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _council(kato: str) -> Council:
    council = find_council(kato)
    if council is None:
        raise _not_found(_("This okrug has no council."))
    return council


def _council_query() -> Any:
    return Query(..., pattern=KATO_RE, description="KATO code of the council's okrug", examples=["274430000"])


def _public_meeting(meeting_id: int) -> Meeting:
    try:
        return selectors.get_public_meeting(meeting_id)
    except Http404 as missing:
        raise _not_found() from missing


def _running(request: HttpRequest, meeting_id: int) -> Meeting:
    try:
        return selectors.access_meeting_for_running(user=_actor(request), pk=meeting_id)
    except Http404 as missing:
        raise _not_found(_("No sitting you may run has this id.")) from missing


def _item(item_id: int) -> AgendaItem | None:
    return (
        AgendaItem.objects.select_related("meeting__council__charter", "meeting__council__okrug")
        .filter(pk=item_id)
        .first()
    )


def _item_for_running(request: HttpRequest, item_id: int) -> AgendaItem:
    item = _item(item_id)
    if item is None:
        raise _not_found(_("There is no such agenda item."))
    _running(request, item.meeting_id)
    return item


def _public_item(item_id: int) -> AgendaItem:
    item = _item(item_id)
    if item is None or item.meeting.status == Meeting.Status.DRAFT:
        raise _not_found(_("There is no such agenda item."))
    return item


def meeting_item_out(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "council": meeting.council.okrug.kato,
        "kind": meeting.kind,
        "kind_label": str(meeting.get_kind_display()),
        "status": meeting.status,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "online_link": meeting.online_link,
        "late_notice_reason": meeting.late_notice_reason,
        "changed_at": meeting.changed_at,
        "change_reason": meeting.change_reason,
    }


def result_out(result: selectors.Result | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "method": result.method,
        "votes_for": result.votes_for,
        "votes_against": result.votes_against,
        "votes_abstain": result.votes_abstain,
        "present": result.present,
        "members": result.members,
        "outcome": result.outcome,
        # The selector names voters for open votes only; secret and paper results carry none.
        "named": [{"full_name": vote.full_name, "choice": vote.choice} for vote in result.named]
        if result.method == AgendaItem.VoteMethod.OPEN
        else [],
    }


def recommendation_out(recommendation: Recommendation) -> dict[str, Any]:
    return {
        "id": recommendation.pk,
        "number": recommendation.number,
        "meeting": recommendation.item.meeting_id,
        "item": recommendation.item_id,
        "text_kk": recommendation.text_kk,
        "text_ru": recommendation.text_ru,
        "addressee_kind": recommendation.addressee_kind,
        "addressee_name": recommendation.addressee_name,
        "status": recommendation.status,
        "adopted_on": recommendation.adopted_on,
        "sent_at": recommendation.sent_at,
        "due_on": recommendation.due_on,
        "is_overdue": recommendation.is_overdue,
        "proposals": [proposal.pk for proposal in recommendation.proposals.all()],
    }


def quorum_out(meeting: Meeting) -> dict[str, Any]:
    quorum = selectors.quorum_of(meeting)
    return {"present": quorum.present, "active": quorum.active, "required": quorum.required, "reached": quorum.reached}


def _attendance_counts(meeting: Meeting) -> dict[str, int]:
    rows = list(Attendance.objects.filter(meeting=meeting).values_list("present", "left_at"))
    return {
        "present": sum(1 for present, left_at in rows if present and left_at is None),
        "absent": sum(1 for present, _left_at in rows if not present),
        "left": sum(1 for present, left_at in rows if present and left_at is not None),
        "guests": Guest.objects.filter(meeting=meeting).count(),
    }


def meeting_out(meeting: Meeting) -> dict[str, Any]:
    agenda = selectors.agenda_of(meeting)
    recommendations = [
        item.recommendation_or_none  # type: ignore[attr-defined]
        for item in agenda
        if getattr(item, "recommendation_or_none", None) is not None
    ]
    return {
        **meeting_item_out(meeting),
        "agenda": [
            {
                "id": item.pk,
                "position": item.position,
                "title": item.title,
                "text": item.text,
                "proposal": item.proposal_id,
                "vote_method": item.vote_method,
                "vote_state": item.vote_state,
                "decision_reason": item.decision_reason if item.vote_state == AgendaItem.VoteState.CLOSED else "",
                "result": result_out(item.result),  # type: ignore[attr-defined]
            }
            for item in agenda
        ],
        "attendance": _attendance_counts(meeting),
        "quorum": quorum_out(meeting),
        "recommendations": [recommendation_out(recommendation) for recommendation in recommendations],
    }


def _vote_state_out(item: AgendaItem) -> dict[str, Any]:
    item.refresh_from_db()
    return {"id": item.pk, "vote_state": item.vote_state, "result": result_out(selectors.vote_result(item))}


# Reads ----------------------------------------------------------------------------------------


@router.get("", response={200: list[MeetingItemOut], **READ_ERRORS}, summary="A council's announced sittings")
def meetings(request: HttpRequest, council: str = _council_query()) -> list[dict[str, Any]]:
    found = selectors.list_meetings(council=_council(council))
    return [meeting_item_out(meeting) for meeting in found]


@router.get(
    "recommendations/",
    response={200: list[RecommendationOut], **READ_ERRORS},
    summary="The recommendations a council adopted, newest first",
)
def recommendations(request: HttpRequest, council: str = _council_query()) -> list[dict[str, Any]]:
    return [recommendation_out(found) for found in selectors.recommendations_of(_council(council))]


@router.get(
    "{meeting_id}",
    response={200: MeetingOut, **READ_ERRORS},
    summary="A sitting: agenda, attendance, quorum, results of closed votes, recommendations",
    description="Results appear only once a vote is closed; a secret ballot or paper tally gives totals only.",
)
def meeting(request: HttpRequest, meeting_id: int = Path(..., ge=1, description="Id of the sitting")) -> dict[str, Any]:
    return meeting_out(_public_meeting(meeting_id))


# Writes ---------------------------------------------------------------------------------------


@router.post(
    "{meeting_id}/change",
    auth=token_or_session,
    response={200: MeetingItemOut, **WRITE_ERRORS},
    summary="Change the date, place or kind of a sitting not started yet (the secretary)",
    description=WRITES
    + " Once the sitting is announced a reason is required and members and residents are told of the change.",
)
def change(
    request: HttpRequest, payload: ChangeIn, meeting_id: int = Path(..., ge=1, description="Id of the sitting")
) -> dict[str, Any]:
    found = _running(request, meeting_id)
    services.update_meeting(actor=_actor(request), meeting=found, **payload.dict())
    return meeting_item_out(found)


@router.post(
    "{meeting_id}/attendance",
    auth=token_or_session,
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="Record a member present or absent (the secretary)",
    description=WRITES,
)
def attendance(
    request: HttpRequest, payload: AttendanceIn, meeting_id: int = Path(..., ge=1, description="Id of the sitting")
) -> dict[str, Any]:
    found = _running(request, meeting_id)
    member = Member.objects.filter(pk=payload.member, council_id=found.council_id).first()
    if member is None:
        raise DomainError(_("This person is not a member of the council."), code="not_member", status=422)
    services.record_attendance(actor=_actor(request), meeting=found, member=member, present=payload.present)
    return {"meeting": found.pk, "member": member.pk, "present": payload.present, "quorum": quorum_out(found)}


@router.post(
    "items/{item_id}/open",
    auth=token_or_session,
    response={200: VoteStateOut, **WRITE_ERRORS},
    summary="Open the vote on an agenda item (the secretary)",
    description=WRITES,
)
def open_vote(
    request: HttpRequest, item_id: int = Path(..., ge=1, description="Id of the agenda item")
) -> dict[str, Any]:
    item = _item_for_running(request, item_id)
    services.open_vote(actor=_actor(request), item=item)
    return _vote_state_out(item)


@router.post(
    "items/{item_id}/close",
    auth=token_or_session,
    response={200: VoteStateOut, **WRITE_ERRORS},
    summary="Close the vote on an agenda item: the totals and the outcome are fixed (the secretary)",
    description=WRITES,
)
def close_vote(
    request: HttpRequest, payload: CloseIn, item_id: int = Path(..., ge=1, description="Id of the agenda item")
) -> dict[str, Any]:
    item = _item_for_running(request, item_id)
    services.close_vote(actor=_actor(request), item=item, decision_reason=payload.decision_reason)
    return _vote_state_out(item)


@router.post(
    "items/{item_id}/vote",
    auth=token_or_session,
    response={200: VoteCastOut, **WRITE_ERRORS},
    summary="Vote on an open item (a member present): for, against or abstain",
    description=WRITES + " The choice in a secret ballot is counted and never stored with the voter.",
)
def vote(
    request: HttpRequest, payload: VoteIn, item_id: int = Path(..., ge=1, description="Id of the agenda item")
) -> dict[str, Any]:
    item = _public_item(item_id)
    services.cast_vote(actor=_actor(request), item=item, choice=payload.choice)
    return {"item": item.pk, "recorded": True}
