"""Reads about recommendations after they are sent: the office's inbox, the deadlines (working days
left, the forwarding window, the extension limit), the answers, the progress, the public timeline,
the escalations, and lists for the API.

"Overdue" is always computed from `due_on` and today (status sent and `due_on` before today), never
only from the daily check's mark, so no page or filter shows a stale state.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from kenes.accountability.models import FINAL_KINDS, Answer, Escalation, ProgressReport, RecommendationEvent
from kenes.accountability.permissions import DISTRICT_BODIES
from kenes.accounts.models import Role, RoleAssignment, User
from kenes.core.calendar import WorkingCalendar, add_months
from kenes.meetings.models import Recommendation
from kenes.proposals.models import Proposal
from kenes.territory.models import District, Okrug, Region

# The addressee may pass a recommendation to the competent body within this many working days of
# receiving it (and the deadline restarts there).
FORWARD_WORKING_DAYS = 3

INBOX_STATES = ("waiting", "overdue", "answered", "all")
LIST_STATUSES = ("adopted", "sent", "overdue", "answered", "implemented", "unsatisfactory")
_INBOX_ALL = (
    Recommendation.Status.SENT,
    Recommendation.Status.ANSWERED,
    Recommendation.Status.IMPLEMENTED,
    Recommendation.Status.UNSATISFACTORY,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# The inbox ----------------------------------------------------------------------------------------


def _offices_staffed(user: Any) -> Q:
    """The recommendations whose office the user staffs, as a filter (see permissions.staffs_office):
    akimat staff of an okrug: its okrug akim's; of a district or region: every recommendation there;
    a district administrator: those addressed to district bodies of the district or region."""
    district_body = Q(addressee_kind__in=DISTRICT_BODIES)
    okrug_akim = Q(addressee_kind=Recommendation.Addressee.OKRUG_AKIM)
    scopes = Q(pk__in=[])
    assignments = RoleAssignment.objects.filter(
        user_id=user.pk, role__code__in=(Role.AKIMAT_STAFF, Role.DISTRICT_ADMIN)
    ).values_list("role__code", "region_id", "district_id", "okrug_id")
    for code, region_id, district_id, okrug_id in assignments:
        if region_id is not None:
            place = Q(council__okrug__district__region_id=region_id)
        elif district_id is not None:
            place = Q(council__okrug__district_id=district_id)
        else:
            place = Q(council__okrug_id=okrug_id)
        if code == Role.AKIMAT_STAFF:
            scopes |= (place & okrug_akim) if okrug_id is not None else place
        elif okrug_id is None:  # a district administrator answers for the district's bodies
            scopes |= place & district_body
    return scopes


def inbox_for(user: Any, *, state: str = "waiting", today: datetime.date | None = None) -> QuerySet[Recommendation]:
    """The recommendations of the offices the user staffs (a superuser: all), by state: waiting
    (sent, not answered), overdue (waiting past the due date), answered (answered, not yet
    implemented: progress can be reported), all (sent and after). Soonest due first."""
    rows = Recommendation.objects.select_related("council__okrug__district", "item__meeting")
    if not _signed_in(user):
        return rows.none()
    if not user.is_superuser:
        rows = rows.filter(_offices_staffed(user))
    if state == "overdue":
        rows = rows.filter(status=Recommendation.Status.SENT, due_on__lt=_today(today))
    elif state == "answered":
        rows = rows.filter(status=Recommendation.Status.ANSWERED)
    elif state == "all":
        rows = rows.filter(status__in=_INBOX_ALL)
    else:
        rows = rows.filter(status=Recommendation.Status.SENT)
    return rows.order_by("due_on", "id")


# Deadlines ----------------------------------------------------------------------------------------


def working_days_left(
    recommendation: Recommendation,
    *,
    today: datetime.date | None = None,
    working_calendar: WorkingCalendar | None = None,
) -> int | None:
    """Working days until the due date while it waits for the answer: 0 on the due day, negative
    when overdue; None once answered (or not sent). Pass one `working_calendar` for a whole list."""
    if recommendation.status != Recommendation.Status.SENT or recommendation.due_on is None:
        return None
    return (working_calendar or WorkingCalendar()).working_days_between(_today(today), recommendation.due_on)


def with_days_left(
    recommendations: Iterable[Recommendation], *, today: datetime.date | None = None
) -> list[Recommendation]:
    """The recommendations, each with `.days_left` (see `working_days_left`), the calendar's holidays
    read once for the whole list."""
    shared = WorkingCalendar()
    day = _today(today)
    rows = list(recommendations)
    for row in rows:
        row.days_left = working_days_left(row, today=day, working_calendar=shared)  # type: ignore[attr-defined]
    return rows


def forward_deadline(recommendation: Recommendation) -> datetime.date:
    """The last day the current addressee may forward it to the competent body."""
    assert recommendation.received_on is not None, "a recommendation not sent has no addressee yet"
    return WorkingCalendar().add_working_days(recommendation.received_on, FORWARD_WORKING_DAYS)


def extension_limit(recommendation: Recommendation) -> datetime.date:
    """The latest due date an extension may set: the charter's months after the current addressee
    received it."""
    assert recommendation.received_on is not None, "a recommendation not sent has no deadline"
    return add_months(recommendation.received_on, recommendation.council.charter.extension_limit_months)


# One recommendation -------------------------------------------------------------------------------


def get_public_recommendation(pk: int) -> Recommendation:
    """Any recommendation, whatever its status (all are public); 404 when missing."""
    rows = Recommendation.objects.select_related(
        "council__okrug__district", "council__charter", "item__meeting"
    ).prefetch_related(Prefetch("proposals", queryset=Proposal.objects.select_related("okrug").order_by("pk")))
    return get_object_or_404(rows, pk=pk)


def answers_of(recommendation: Recommendation) -> list[Answer]:
    """Every act of the addressee, in order: forwardings, the extension, the final answer."""
    return list(
        Answer.objects.filter(recommendation_id=recommendation.pk)
        .select_related("answered_by", "unsatisfactory_by")
        .order_by("created_at", "id")
    )


def final_answer_of(recommendation: Recommendation) -> Answer | None:
    return (
        Answer.objects.filter(recommendation_id=recommendation.pk, kind__in=FINAL_KINDS)
        .select_related("answered_by", "unsatisfactory_by")
        .first()
    )


def progress_of(recommendation: Recommendation) -> list[ProgressReport]:
    """The progress reports with their photos, the newest last."""
    return list(
        ProgressReport.objects.filter(recommendation_id=recommendation.pk)
        .select_related("reported_by")
        .prefetch_related("photos")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    label: str
    on: datetime.date
    actor_name: str
    note: str
    answer: Answer | None = None
    progress: ProgressReport | None = None


def _name_of(user: User | None) -> str:
    if user is None:
        return ""
    return user.full_name or user.get_full_name() or user.username


def timeline_of(recommendation: Recommendation) -> list[TimelineEntry]:
    """Adopted (at the sitting), sent, then every public step in the order it happened."""
    meeting = recommendation.item.meeting
    entries = [
        TimelineEntry(
            kind="adopted",
            label=gettext("Adopted by the council"),
            on=recommendation.adopted_on,
            actor_name="",
            note=gettext("At the sitting of %(date)s")
            % {"date": date_format(timezone.localdate(meeting.starts_at), "DATE_FORMAT")},
        )
    ]
    if recommendation.sent_at is not None:
        entries.append(
            TimelineEntry(
                kind="sent",
                label=gettext("Sent to the addressee"),
                on=timezone.localdate(recommendation.sent_at),
                actor_name="",
                note="",
            )
        )
    events = (
        RecommendationEvent.objects.filter(recommendation_id=recommendation.pk)
        .select_related("actor", "answer", "progress")
        .prefetch_related("progress__photos")
        .order_by("created_at", "id")
    )
    for event in events:
        entries.append(
            TimelineEntry(
                kind=event.kind,
                label=str(event.get_kind_display()),
                on=event.happened_on,
                actor_name=_name_of(event.actor),
                note=event.note,
                answer=event.answer,
                progress=event.progress,
            )
        )
    return entries


# Escalations and lists ----------------------------------------------------------------------------


def escalation_recipients(okrug: Okrug) -> QuerySet[User]:
    """Who an overdue recommendation of the okrug is raised to: the active district administrators
    and akimat staff assigned at the okrug's district."""
    holders = RoleAssignment.objects.filter(
        district_id=okrug.district_id, role__code__in=(Role.DISTRICT_ADMIN, Role.AKIMAT_STAFF)
    ).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders).order_by("pk")


def escalations_for(user: Any) -> QuerySet[Escalation]:
    """The escalations raised to the user (a superuser: all), newest first."""
    rows = Escalation.objects.select_related("recommendation__council__okrug").order_by("-escalated_on", "-id")
    if not _signed_in(user):
        return rows.none()
    if user.is_superuser:
        return rows
    return rows.filter(recipients=user)


def list_recommendations(
    *,
    status: str | None = None,
    okrug: Okrug | None = None,
    district: District | None = None,
    region: Region | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Recommendation]:
    """Recommendations by status (adopted, sent, overdue, answered, implemented, unsatisfactory; an
    unknown one matches none) and place, the newest adopted first."""
    rows = Recommendation.objects.select_related("council__okrug__district", "item__meeting")
    if status == "overdue":
        rows = rows.filter(status=Recommendation.Status.SENT, due_on__lt=_today(today))
    elif status:
        if status not in LIST_STATUSES:
            return rows.none()
        rows = rows.filter(status=status)
    if okrug is not None:
        rows = rows.filter(council__okrug=okrug)
    if district is not None:
        rows = rows.filter(council__okrug__district=district)
    if region is not None:
        rows = rows.filter(council__okrug__district__region=region)
    return rows.order_by("-adopted_on", "-id")
