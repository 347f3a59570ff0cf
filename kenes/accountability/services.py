"""Every write about a recommendation once it is sent: the addressee's answer, forwarding and
extension, progress reports, the council's judgement, and the daily deadline check.

Each service locks the recommendation's row, checks who may act, writes the act, keeps the
recommendation's state current (status, addressee, due date, progress: docs/decisions/0006), puts a
public step on its timeline (`RecommendationEvent`) and on the timeline of every proposal it covers
(through the proposals app's own services), and audits it. The one-final-answer and one-extension
rules are database constraints; the services' checks only give them a readable refusal.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kenes.accountability.models import (
    FINAL_KINDS,
    Answer,
    Escalation,
    ProgressPhoto,
    ProgressReport,
    RecommendationEvent,
)
from kenes.accountability.permissions import PROGRESS_KINDS, staffs_office
from kenes.accountability.selectors import (
    FORWARD_WORKING_DAYS,
    escalation_recipients,
    extension_limit,
    forward_deadline,
)
from kenes.core.audit import record_audit
from kenes.core.calendar import add_working_days
from kenes.core.errors import DomainError
from kenes.core.events import publish
from kenes.meetings.models import Recommendation
from kenes.meetings.permissions import can_run_council_meetings
from kenes.proposals import services as proposals_services
from kenes.proposals.models import Status, TimelineEvent
from kenes.proposals.photos import CleanPhoto, clean_photo

TEXT_MAX = 20_000
REASON_MAX = 5_000
NAME_MAX = 300
MAX_PHOTOS = 5
BUDGET_YEARS = (2000, 2100)
# DecimalField(max_digits=15, decimal_places=2): 13 digits before the point.
AMOUNT_LIMIT = Decimal("10000000000000")

__all__ = [
    "FORWARD_WORKING_DAYS",
    "MAX_PHOTOS",
    "DeadlineRun",
    "answer_recommendation",
    "check_deadlines",
    "extend_deadline",
    "forward_recommendation",
    "mark_unsatisfactory",
    "report_progress",
]


def _forbidden() -> DomainError:
    return DomainError(_("You may not do this."), code="forbidden", status=403)


def _invalid(message: Any, code: str, *, status: int = 422) -> DomainError:
    return DomainError(message, code=code, status=status)


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _locked(recommendation: Recommendation) -> Recommendation:
    """The recommendation's current row, locked until the transaction ends (its row only)."""
    return (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("council__charter", "council__okrug__district", "item__meeting")
        .get(pk=recommendation.pk)
    )


def _copy_back(target: Recommendation, source: Recommendation, fields: Sequence[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


def _facts(recommendation: Recommendation) -> dict[str, Any]:
    return {
        "status": recommendation.status,
        "addressee_kind": recommendation.addressee_kind,
        "addressee_name": recommendation.addressee_name,
        "received_on": recommendation.received_on,
        "due_on": recommendation.due_on,
        "overdue_since": recommendation.overdue_since,
        "answered_on": recommendation.answered_on,
        "answer_kind": recommendation.answer_kind,
        "progress_percent": recommendation.progress_percent,
        "implemented_on": recommendation.implemented_on,
    }


def _text(value: str | None, *, limit: int, required_code: str = "", message: Any = None) -> str:
    text = (value or "").strip()
    if required_code and not text:
        raise _invalid(message or _("This field is required."), required_code)
    if len(text) > limit:
        raise _invalid(_("The text is too long."), "text_too_long")
    return text


def _require_office(actor: Any, current: Recommendation) -> None:
    if not staffs_office(actor, current):
        raise _forbidden()


def _require_waiting(current: Recommendation) -> None:
    """Only a recommendation waiting for its answer can be answered, forwarded or extended."""
    if current.status == Recommendation.Status.ADOPTED:
        raise _invalid(_("This recommendation has not been sent yet."), "not_sent", status=409)
    if current.status != Recommendation.Status.SENT:
        raise _already_answered()


def _already_answered() -> DomainError:
    return _invalid(_("This recommendation has already been answered."), "already_answered", status=409)


def _acting_day(on: datetime.date | None, current: Recommendation) -> datetime.date:
    day = on or timezone.localdate()
    if current.received_on is not None and day < current.received_on:
        raise _invalid(_("The date is before the addressee received the recommendation."), "date_before_received")
    return day


def _event(
    *,
    current: Recommendation,
    kind: str,
    actor: Any,
    on: datetime.date,
    note: str = "",
    answer: Answer | None = None,
    progress: ProgressReport | None = None,
    proposal_kind: str | None = None,
) -> RecommendationEvent:
    """The public step on the recommendation's timeline and, when it has one, on its proposals'."""
    event = RecommendationEvent.objects.create(
        recommendation=current,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        answer=answer,
        progress=progress,
        happened_on=on,
    )
    if proposal_kind is not None:
        for proposal in current.proposals.all().order_by("pk"):
            proposals_services.note_answer_step(actor=actor, proposal=proposal, kind=proposal_kind, note=note)
    return event


def _joined(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


# The final answer ---------------------------------------------------------------------------------


def _budget_year(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not BUDGET_YEARS[0] <= value <= BUDGET_YEARS[1]:
        raise _invalid(
            _("The budget year must be between %(first)s and %(last)s.")
            % {"first": BUDGET_YEARS[0], "last": BUDGET_YEARS[1]},
            "invalid_budget_year",
        )
    return value


def _amount(value: Decimal | int | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount >= AMOUNT_LIMIT:
        raise _invalid(_("The amount must be a sum in tenge, zero or more."), "invalid_amount")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def answer_recommendation(
    *,
    actor: Any,
    recommendation: Recommendation,
    kind: str,
    text: str = "",
    reason: str = "",
    budget_year: int | None = None,
    amount_tenge: Decimal | None = None,
    on: datetime.date | None = None,
) -> Answer:
    """The addressee's final answer: accepted (the planned measures, budget year, amount in tenge),
    partially accepted (the measures, and what is not done and why) or declined (why). An answer
    after the due date is taken, and counts as late."""
    current = _locked(recommendation)
    _require_office(actor, current)
    _require_waiting(current)
    if kind not in FINAL_KINDS:
        raise _invalid(_("Choose accepted, partially accepted or declined."), "invalid_answer_kind")
    day = _acting_day(on, current)
    takes_measures = kind in (Answer.Kind.ACCEPTED, Answer.Kind.PARTIALLY_ACCEPTED)
    measures = _text(
        text,
        limit=TEXT_MAX,
        required_code="measures_required" if takes_measures else "",
        message=_("Describe the planned measures."),
    )
    why = _text(
        reason,
        limit=REASON_MAX,
        required_code="reason_required" if kind != Answer.Kind.ACCEPTED else "",
        message=_("Give the reason."),
    )
    year = _budget_year(budget_year) if takes_measures else None
    amount = _amount(amount_tenge) if takes_measures else None
    before = _facts(current)
    try:
        with transaction.atomic():
            answer = Answer.objects.create(
                recommendation=current,
                kind=kind,
                text=measures,
                reason=why,
                budget_year=year,
                amount_tenge=amount,
                answered_on=day,
                answered_by=actor,
                on_behalf_of=current.addressee_name,
                is_demo=current.is_demo,
            )
    except IntegrityError:
        raise _already_answered() from None
    current.status = Recommendation.Status.ANSWERED
    current.answered_on = day
    current.answer_kind = kind
    current.save(update_fields=["status", "answered_on", "answer_kind"])
    note = _joined(measures, why)
    _event(
        current=current,
        kind=RecommendationEvent.Kind.ANSWERED,
        actor=actor,
        on=day,
        note=note,
        answer=answer,
        proposal_kind=TimelineEvent.Kind.ANSWERED,
    )
    record_audit(
        actor=actor,
        action="recommendation.answered",
        target=current,
        before=before,
        after={
            **_facts(current),
            "answer": answer.pk,
            "budget_year": year,
            "amount_tenge": amount,
            "late": current.answered_late,
        },
    )
    publish("recommendation.answered", recommendation_id=current.pk)
    _copy_back(recommendation, current, ("status", "answered_on", "answer_kind"))
    return answer


# Forwarding and extension -------------------------------------------------------------------------


@transaction.atomic
def forward_recommendation(
    *,
    actor: Any,
    recommendation: Recommendation,
    to_kind: str,
    to_name: str,
    reason: str = "",
    on: datetime.date | None = None,
) -> Answer:
    """Passes it to the competent body within FORWARD_WORKING_DAYS working days of receiving it;
    the answer is then due the charter's working days after the day it is forwarded."""
    current = _locked(recommendation)
    _require_office(actor, current)
    _require_waiting(current)
    day = _acting_day(on, current)
    last_day = forward_deadline(current)
    if day > last_day:
        raise _invalid(
            _(
                "A recommendation can be forwarded only within %(days)s working days of receiving it: "
                "the last day was %(date)s."
            )
            % {"days": FORWARD_WORKING_DAYS, "date": _day(last_day)},
            "forward_window_closed",
            status=409,
        )
    if to_kind not in Recommendation.Addressee.values:
        raise _invalid(_("Choose the competent body."), "invalid_addressee")
    name = _text(to_name, limit=NAME_MAX, required_code="addressee_required", message=_("Name the competent body."))
    why = _text(reason, limit=REASON_MAX)
    if to_kind == current.addressee_kind and name.casefold() == current.addressee_name.strip().casefold():
        raise _invalid(_("The recommendation is already addressed to this body."), "same_addressee")
    before = _facts(current)
    previous_name = current.addressee_name
    previous_due_on = current.due_on
    current.addressee_kind = to_kind
    current.addressee_name = name
    current.received_on = day
    current.due_on = add_working_days(day, current.council.charter.answer_working_days)
    current.overdue_since = None
    current.save(update_fields=["addressee_kind", "addressee_name", "received_on", "due_on", "overdue_since"])
    answer = Answer.objects.create(
        recommendation=current,
        kind=Answer.Kind.FORWARDED,
        reason=why,
        forwarded_to_kind=to_kind,
        forwarded_to_name=name,
        previous_due_on=previous_due_on,
        new_due_on=current.due_on,
        answered_on=day,
        answered_by=actor,
        on_behalf_of=previous_name,
        is_demo=current.is_demo,
    )
    _event(
        current=current,
        kind=RecommendationEvent.Kind.FORWARDED,
        actor=actor,
        on=day,
        note=_joined(f"{name} · {current.due_on:%d.%m.%Y}", why),
        answer=answer,
        proposal_kind=TimelineEvent.Kind.ANSWER_FORWARDED,
    )
    record_audit(
        actor=actor,
        action="recommendation.forwarded",
        target=current,
        before=before,
        after={**_facts(current), "answer": answer.pk, "reason": why},
    )
    publish("recommendation.forwarded", recommendation_id=current.pk)
    _copy_back(recommendation, current, ("addressee_kind", "addressee_name", "received_on", "due_on", "overdue_since"))
    return answer


def _already_extended() -> DomainError:
    return _invalid(
        _("The deadline of this recommendation has already been extended once."), "already_extended", status=409
    )


@transaction.atomic
def extend_deadline(
    *,
    actor: Any,
    recommendation: Recommendation,
    new_due_on: datetime.date,
    reason: str,
    on: datetime.date | None = None,
) -> Answer:
    """Moves the due date once, before it passes, with a reason residents are told, no later than
    the charter's months after the addressee received the recommendation."""
    current = _locked(recommendation)
    _require_office(actor, current)
    _require_waiting(current)
    assert current.due_on is not None
    if Answer.objects.filter(recommendation=current, kind=Answer.Kind.EXTENDED).exists():
        raise _already_extended()
    day = _acting_day(on, current)
    if day > current.due_on:
        raise _invalid(
            _("The deadline (%(date)s) has passed: it can no longer be extended.") % {"date": _day(current.due_on)},
            "deadline_passed",
            status=409,
        )
    why = _text(reason, limit=REASON_MAX, required_code="reason_required", message=_("Give the reason."))
    if new_due_on <= current.due_on:
        raise _invalid(
            _("The new deadline must be later than the current one (%(date)s).") % {"date": _day(current.due_on)},
            "extension_not_later",
        )
    limit = extension_limit(current)
    if new_due_on > limit:
        raise _invalid(
            _("The charter allows extending the deadline to %(date)s at the latest.") % {"date": _day(limit)},
            "extension_too_long",
        )
    before = _facts(current)
    previous_due_on = current.due_on
    try:
        with transaction.atomic():
            answer = Answer.objects.create(
                recommendation=current,
                kind=Answer.Kind.EXTENDED,
                reason=why,
                previous_due_on=previous_due_on,
                new_due_on=new_due_on,
                answered_on=day,
                answered_by=actor,
                on_behalf_of=current.addressee_name,
                is_demo=current.is_demo,
            )
    except IntegrityError:
        raise _already_extended() from None
    current.due_on = new_due_on
    current.save(update_fields=["due_on"])
    _event(
        current=current,
        kind=RecommendationEvent.Kind.EXTENDED,
        actor=actor,
        on=day,
        # Residents are told the new date and why, in the words of the office.
        note=f"{previous_due_on:%d.%m.%Y} → {new_due_on:%d.%m.%Y}\n\n{why}",
        answer=answer,
        proposal_kind=TimelineEvent.Kind.EXTENDED,
    )
    record_audit(
        actor=actor,
        action="recommendation.extended",
        target=current,
        before=before,
        after={**_facts(current), "answer": answer.pk, "reason": why},
    )
    publish("recommendation.extended", recommendation_id=current.pk)
    _copy_back(recommendation, current, ("due_on",))
    return answer


# Progress -----------------------------------------------------------------------------------------


def _percent(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise _invalid(_("Progress is a percentage from 0 to 100."), "invalid_percent")
    return value


def _cleaned_photos(photos: Sequence[IO[bytes]]) -> list[CleanPhoto]:
    if len(photos) > MAX_PHOTOS:
        raise _invalid(
            ngettext(
                "A progress report may have at most %(count)d photo.",
                "A progress report may have at most %(count)d photos.",
                MAX_PHOTOS,
            )
            % {"count": MAX_PHOTOS},
            "too_many_photos",
        )
    return [clean_photo(upload) for upload in photos]


def _store_photo(report: ProgressReport, clean: CleanPhoto, written: list[str]) -> ProgressPhoto:
    stem = uuid.uuid4().hex
    photo = ProgressPhoto(report=report)
    photo.image.save(f"{stem}.{clean.extension}", ContentFile(clean.content), save=False)
    written.append(photo.image.name or "")
    photo.thumbnail.save(f"{stem}.{clean.thumbnail_extension}", ContentFile(clean.thumbnail), save=False)
    written.append(photo.thumbnail.name or "")
    # Assigning the files resets the dimension fields (a ContentFile has none): set them last.
    photo.width, photo.height = clean.width, clean.height
    photo.save()
    return photo


@transaction.atomic
def report_progress(
    *,
    actor: Any,
    recommendation: Recommendation,
    percent: int,
    text: str,
    photos: Sequence[IO[bytes]] = (),
    on: datetime.date | None = None,
) -> ProgressReport:
    """How far the accepted measures are (never less than reported before), what was done, up to
    MAX_PHOTOS photos (checked and stripped of metadata). 100 % means implemented."""
    current = _locked(recommendation)
    _require_office(actor, current)
    if current.status == Recommendation.Status.IMPLEMENTED:
        raise _invalid(_("This recommendation is already implemented."), "already_implemented", status=409)
    if current.status != Recommendation.Status.ANSWERED:
        raise _invalid(_("Progress is reported on an answered recommendation."), "not_answered", status=409)
    if current.answer_kind not in PROGRESS_KINDS:
        raise _invalid(
            _("The recommendation was declined: there are no measures to report on."), "answer_declined", status=409
        )
    day = _acting_day(on, current)
    value = _percent(percent)
    if value < current.progress_percent:
        raise _invalid(
            _("Progress cannot go back: %(percent)s %% was already reported.") % {"percent": current.progress_percent},
            "progress_backwards",
        )
    words = _text(text, limit=TEXT_MAX, required_code="text_required", message=_("Describe what was done."))
    cleaned = _cleaned_photos(photos)
    before = _facts(current)
    written: list[str] = []
    try:
        report = ProgressReport.objects.create(
            recommendation=current,
            percent=value,
            text=words,
            reported_on=day,
            reported_by=actor,
            is_demo=current.is_demo,
        )
        stored = [_store_photo(report, clean, written) for clean in cleaned]
    except Exception:
        # The rows are not written, so the files would be orphans.
        for name in written:
            if name:
                default_storage.delete(name)
        raise
    current.progress_percent = value
    fields = ["progress_percent"]
    done = value == 100
    if done:
        current.status = Recommendation.Status.IMPLEMENTED
        current.implemented_on = day
        fields += ["status", "implemented_on"]
    current.save(update_fields=fields)
    _event(
        current=current,
        kind=RecommendationEvent.Kind.IMPLEMENTED if done else RecommendationEvent.Kind.PROGRESS,
        actor=actor,
        on=day,
        note=f"{value} % · {words}",
        progress=report,
        proposal_kind=TimelineEvent.Kind.IMPLEMENTED if done else TimelineEvent.Kind.PROGRESS,
    )
    record_audit(
        actor=actor,
        action="recommendation.progress",
        target=current,
        before=before,
        after={**_facts(current), "report": report.pk, "photos": [photo.pk for photo in stored]},
    )
    _copy_back(recommendation, current, fields)
    return report


# The council's judgement --------------------------------------------------------------------------


@transaction.atomic
def mark_unsatisfactory(*, actor: Any, recommendation: Recommendation, reason: str) -> Recommendation:
    """The council finds the answer unsatisfactory: its proposals still "recommended" are ready for
    a sitting's agenda again."""
    current = _locked(recommendation)
    if not can_run_council_meetings(actor, current.council):
        raise _forbidden()
    if current.status == Recommendation.Status.UNSATISFACTORY:
        raise _invalid(_("The answer was already found unsatisfactory."), "already_unsatisfactory", status=409)
    if current.status != Recommendation.Status.ANSWERED:
        raise _invalid(_("Only an answered recommendation can be judged."), "not_answered", status=409)
    why = _text(reason, limit=REASON_MAX, required_code="reason_required", message=_("Give the reason."))
    answer = Answer.objects.select_for_update().get(recommendation=current, kind__in=FINAL_KINDS)
    before = _facts(current)
    now = timezone.now()
    answer.unsatisfactory_at = now
    answer.unsatisfactory_by = actor
    answer.unsatisfactory_reason = why
    answer.save(update_fields=["unsatisfactory_at", "unsatisfactory_by", "unsatisfactory_reason"])
    current.status = Recommendation.Status.UNSATISFACTORY
    current.save(update_fields=["status"])
    _event(
        current=current,
        kind=RecommendationEvent.Kind.UNSATISFACTORY,
        actor=actor,
        on=timezone.localdate(now),
        note=why,
        answer=answer,
    )
    reopened = []
    for proposal in current.proposals.filter(status=Status.RECOMMENDED).order_by("pk"):
        proposals_services.reopen_for_agenda(actor=actor, proposal=proposal, reason=why)
        reopened.append(proposal.pk)
    record_audit(
        actor=actor,
        action="recommendation.unsatisfactory",
        target=current,
        before=before,
        after={**_facts(current), "answer": answer.pk, "reason": why, "reopened_proposals": reopened},
    )
    _copy_back(recommendation, current, ("status",))
    return current


# The daily deadline check -------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRun:
    marked: int
    escalated: int


@transaction.atomic
def check_deadlines(*, today: datetime.date | None = None) -> DeadlineRun:
    """Marks every recommendation still waiting after its due date as overdue (from the day after
    it) and escalates it, once per missed due date, to the administrators and akimat staff of its
    district. Running it again marks and escalates nothing new; on PostgreSQL two runs at once skip
    each other's locked rows, so no row is handled twice."""
    day = today or timezone.localdate()
    rows = (
        Recommendation.objects.filter(status=Recommendation.Status.SENT, due_on__lt=day)
        .select_related("council__okrug__district")
        .order_by("due_on", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(of=("self",), skip_locked=True)
    marked = escalated = 0
    for current in rows:
        assert current.due_on is not None
        if current.overdue_since is None:
            _mark_overdue(current)
            marked += 1
        escalation, created = Escalation.objects.get_or_create(
            recommendation=current, due_on=current.due_on, defaults={"escalated_on": day}
        )
        if created:
            _escalate(current, escalation, day)
            publish("recommendation.overdue", recommendation_id=current.pk)
            escalated += 1
    return DeadlineRun(marked=marked, escalated=escalated)


def _mark_overdue(current: Recommendation) -> None:
    assert current.due_on is not None
    before = _facts(current)
    current.overdue_since = current.due_on + datetime.timedelta(days=1)
    current.save(update_fields=["overdue_since"])
    _event(
        current=current,
        kind=RecommendationEvent.Kind.OVERDUE,
        actor=None,
        on=current.overdue_since,
        note=f"{current.due_on:%d.%m.%Y}",
        proposal_kind=TimelineEvent.Kind.OVERDUE,
    )
    record_audit(actor=None, action="recommendation.overdue", target=current, before=before, after=_facts(current))


def _escalate(current: Recommendation, escalation: Escalation, day: datetime.date) -> None:
    recipients = list(escalation_recipients(current.council.okrug))
    escalation.recipients.set(recipients)
    _event(current=current, kind=RecommendationEvent.Kind.ESCALATED, actor=None, on=day)
    record_audit(
        actor=None,
        action="recommendation.escalated",
        target=current,
        after={
            "due_on": escalation.due_on,
            "escalation": escalation.pk,
            "recipients": [user.pk for user in recipients],
        },
    )
