"""Sitting pages: a council's sittings and their iCal feed, the public sitting page residents follow
live, scheduling, the secretary's console and the member's voting page.

Every write is a plain POST through the services and a redirect; a refused service call shows its
message. The console and scheduling are reachable only by those who may run the council's sittings
(404 for others, as for a missing sitting). The sitting page polls its live fragment with htmx and
offers a plain "Refresh" link, so it works without JavaScript.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kenes.core.errors import DomainError
from kenes.core.page_cache import public_page
from kenes.councils import selectors as council_selectors
from kenes.councils.models import Council, Member
from kenes.meetings import permissions, selectors, services
from kenes.meetings.forms import (
    AddProposalForm,
    AddQuestionForm,
    BallotForm,
    ChangeForm,
    CloseVoteForm,
    GuestForm,
    PaperTallyForm,
    PublishForm,
    RecommendationForm,
    ScheduleForm,
)
from kenes.meetings.models import AgendaItem, Meeting, Recommendation
from kenes.proposals.models import Proposal, Status

LIVE_STATUSES = frozenset({Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS})


def _council_or_404(kato: str) -> Council:
    council = council_selectors.find_council(kato)
    if council is None:
        raise Http404("No council in this okrug.")
    return council


def _refuse(form: forms.BaseForm, error: DomainError, field: str | None = None) -> None:
    form.add_error(field, ValidationError(str(error.message), code=error.code))


def _may_run_council(user: Any, council: Council) -> bool:
    return permissions.can_run_council_meetings(user, council)


# A council's sittings


@public_page
@require_safe
def council_meetings(request: HttpRequest, kato: str) -> HttpResponse:
    council = _council_or_404(kato)
    may_schedule = _may_run_council(request.user, council)

    context = {
        "council": council,
        "okrug": council.okrug,
        "upcoming": list(selectors.list_meetings(council=council, upcoming=True, include_drafts=may_schedule)),
        "past": list(selectors.list_meetings(council=council, upcoming=False, include_drafts=may_schedule)),
        "may_schedule": may_schedule,
    }
    return render(request, "meetings/council.html", context)


def _ical_text(value: str) -> str:
    """Escapes a TEXT value (RFC 5545, 3.3.11): backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Folds a content line at 75 octets (RFC 5545, 3.1), never inside a UTF-8 character."""
    parts: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = char
            limit = 74  # the continuation's leading space counts
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: Any) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _calendar(*, council: Council, meetings: list[Meeting], url_of: Any, host: str) -> str:
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Kenes//Sittings//KK",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ical_text(str(council))}",
    ]
    for meeting in meetings:
        summary = f"{meeting.get_kind_display()}: {council}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{meeting.revision}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(meeting.starts_at + datetime.timedelta(hours=2))}",
            f"SUMMARY:{_ical_text(summary)}",
        ]
        if meeting.place:
            lines.append(f"LOCATION:{_ical_text(meeting.place)}")
        lines.append(f"URL:{url_of(meeting)}")
        if meeting.status == Meeting.Status.CANCELLED:
            lines.append("STATUS:CANCELLED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


@require_safe
def ical(request: HttpRequest, kato: str) -> HttpResponse:
    council = _council_or_404(kato)
    meetings = list(selectors.list_meetings(council=council))
    body = _calendar(
        council=council,
        meetings=meetings,
        url_of=lambda meeting: request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk])),
        host=request.get_host().split(":")[0] or "kenes",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="sittings-{council.okrug.kato}.ics"'
    return response


@login_required
def schedule(request: HttpRequest, kato: str) -> HttpResponse:
    council = _council_or_404(kato)
    if not _may_run_council(request.user, council):
        raise Http404("Not allowed to run this council's sittings.")
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(actor=request.user, council=council, **form.values())
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The sitting is scheduled: now prepare its agenda."))
            return redirect("meetings:console", pk=meeting.pk)
    context = {"council": council, "okrug": council.okrug, "form": form}
    return render(request, "meetings/schedule.html", context, status=400 if form.errors else 200)


# The public sitting page


def _recommendations_in(items: list[AgendaItem]) -> list[Recommendation]:
    return [item.recommendation_or_none for item in items if item.recommendation_or_none is not None]  # type: ignore[attr-defined]


def _live_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    items = selectors.agenda_of(meeting)
    attendance = [row for row in selectors.attendance_of(meeting) if row.present]
    return {
        "meeting": meeting,
        "council": meeting.council,
        "items": items,
        "quorum": selectors.quorum_of(meeting),
        "present": [a for a in attendance if a.left_at is None],
        "left": [a for a in attendance if a.left_at is not None],
        "guests": list(meeting.guests.all()),
        "recommendations": _recommendations_in(items),
        "live": meeting.status in LIVE_STATUSES,
        "checked_at": timezone.now(),
    }


@public_page
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_public_meeting(pk)
    context = _live_context(request, meeting)
    context["may_run"] = permissions.can_run_meeting(request.user, meeting)
    context["may_vote"] = (
        meeting.status == Meeting.Status.IN_PROGRESS and permissions.seat_of(request.user, meeting.council) is not None
    )
    return render(request, "meetings/detail.html", context)


@require_safe
def live(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_public_meeting(pk)
    return render(request, "meetings/_live.html", _live_context(request, meeting))


@require_safe
def agenda_pdf(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    meeting = selectors.get_public_meeting(int(pk))
    # Imported here: the PDF engine is heavy and only these views need it.
    from kenes.meetings.documents import render_agenda_pdf

    response = HttpResponse(render_agenda_pdf(meeting=meeting, language=language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agenda-{meeting.pk}-{language}.pdf"'
    return response


@require_safe
def minutes_pdf(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    meeting = selectors.get_public_meeting(int(pk))
    if meeting.status != Meeting.Status.CLOSED:
        raise Http404("The minutes exist once the sitting is closed.")
    from kenes.meetings.documents import render_minutes_pdf

    response = HttpResponse(render_minutes_pdf(meeting=meeting, language=language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}-{language}.pdf"'
    return response


@require_safe
def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    # The page moved to the accountability app, which shows the recommendation's whole fate; old
    # links keep working. Reached by its URL name only: this app does not import that one.
    return redirect("accountability:recommendation", pk=pk, permanent=True)


# The secretary's console


def _ready_proposals(meeting: Meeting) -> Any:
    return Proposal.objects.filter(council=meeting.council, status=Status.READY).order_by("title", "id")


def _active_members(meeting: Meeting) -> list[Member]:
    return list(Member.objects.filter(council=meeting.council, status=Member.Status.ACTIVE).order_by("full_name", "id"))


def _late_notice_needed(meeting: Meeting) -> bool:
    notice_days = meeting.council.charter.notice_days
    return (meeting.starts_at - timezone.now()).total_seconds() < notice_days * 86400


def _console_page(request: HttpRequest, meeting: Meeting, *, status: int = 200, **bound: Any) -> HttpResponse:
    items = selectors.agenda_of(meeting)
    for item in items:
        item.tally_form = bound.get(f"tally-{item.pk}") or PaperTallyForm(auto_id=f"tally-{item.pk}-%s")  # type: ignore[attr-defined]
        item.close_form = bound.get(f"close-{item.pk}") or CloseVoteForm(auto_id=f"close-{item.pk}-%s")  # type: ignore[attr-defined]
    attendance = {row.member_id: row for row in selectors.attendance_of(meeting)}
    members = _active_members(meeting)
    for member in members:
        row = attendance.get(member.pk)
        member.is_present = bool(row and row.present and row.left_at is None)  # type: ignore[attr-defined]
        member.has_left = bool(row and row.left_at is not None)  # type: ignore[attr-defined]
    recommendations = _recommendations_in(items)
    for found in recommendations:
        found.form = bound.get(f"recommendation-{found.pk}") or RecommendationForm(  # type: ignore[attr-defined]
            initial={
                "text_kk": found.text_kk,
                "text_ru": found.text_ru,
                "addressee_kind": found.addressee_kind,
                "addressee_name": found.addressee_name,
            },
            auto_id=f"recommendation-{found.pk}-%s",
        )
    draft = meeting.status == Meeting.Status.DRAFT
    context = {
        "meeting": meeting,
        "council": meeting.council,
        "items": items,
        "members": members,
        "guests": list(meeting.guests.all()),
        "quorum": selectors.quorum_of(meeting),
        "recommendations": recommendations,
        "proposal_form": bound.get("proposal") or AddProposalForm(proposals=_ready_proposals(meeting)),
        "question_form": bound.get("question") or AddQuestionForm(),
        "publish_form": bound.get("publish") or PublishForm(),
        "change_form": bound.get("change") or _change_form(meeting),
        "changeable": meeting.status in (Meeting.Status.DRAFT, Meeting.Status.PUBLISHED),
        "guest_form": bound.get("guest") or GuestForm(),
        "late_notice_needed": draft and _late_notice_needed(meeting),
        "editable": draft,
        "in_progress": meeting.status == Meeting.Status.IN_PROGRESS,
        "error": bound.get("error", ""),
    }
    return render(request, "meetings/console.html", context, status=status)


def _item_of(meeting: Meeting, request: HttpRequest) -> AgendaItem:
    try:
        return meeting.items.get(pk=int(request.POST.get("item", "")))
    except (ValueError, AgendaItem.DoesNotExist):
        raise Http404("No such item on this sitting's agenda.") from None


def _member_in(meeting: Meeting, request: HttpRequest) -> Member:
    try:
        return Member.objects.get(council=meeting.council, pk=int(request.POST.get("member", "")))
    except (ValueError, Member.DoesNotExist):
        raise Http404("No such member of this council.") from None


def _recommendation_of(meeting: Meeting, request: HttpRequest) -> Recommendation:
    try:
        return Recommendation.objects.get(item__meeting=meeting, pk=int(request.POST.get("recommendation", "")))
    except (ValueError, Recommendation.DoesNotExist):
        raise Http404("No such recommendation of this sitting.") from None


@login_required
def console(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.access_meeting_for_running(user=request.user, pk=pk)
    if request.method != "POST":
        return _console_page(request, meeting)
    action = request.POST.get("action", "")
    handler = _ACTIONS.get(action)
    if handler is None:
        return _console_page(request, meeting, status=400, error=_("Unknown action."))
    try:
        outcome = handler(request, meeting)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("meetings:console", pk=meeting.pk)
    if isinstance(outcome, dict):  # an invalid form, shown again with its errors
        return _console_page(request, meeting, status=400, **outcome)
    messages.success(request, outcome)
    return redirect("meetings:console", pk=meeting.pk)


Outcome = str | dict[str, Any]


def _add_proposal(request: HttpRequest, meeting: Meeting) -> Outcome:
    form = AddProposalForm(request.POST, proposals=_ready_proposals(meeting))
    if not form.is_valid():
        return {"proposal": form}
    data = form.cleaned_data
    services.add_agenda_item(
        actor=request.user, meeting=meeting, proposal=data["proposal"], vote_method=data["vote_method"]
    )
    return _("The proposal is on the agenda.")


def _add_question(request: HttpRequest, meeting: Meeting) -> Outcome:
    form = AddQuestionForm(request.POST)
    if not form.is_valid():
        return {"question": form}
    data = form.cleaned_data
    services.add_agenda_item(
        actor=request.user, meeting=meeting, title=data["title"], text=data["text"], vote_method=data["vote_method"]
    )
    return _("The question is on the agenda.")


def _remove_item(request: HttpRequest, meeting: Meeting) -> Outcome:
    services.remove_agenda_item(actor=request.user, item=_item_of(meeting, request))
    return _("The item is taken off the agenda.")


def _publish(request: HttpRequest, meeting: Meeting) -> Outcome:
    form = PublishForm(request.POST)
    if not form.is_valid():
        return {"publish": form}
    try:
        services.publish_agenda(
            actor=request.user, meeting=meeting, late_notice_reason=form.cleaned_data["late_notice_reason"]
        )
    except DomainError as error:
        _refuse(form, error, "late_notice_reason" if error.code == "late_notice_needs_reason" else None)
        return {"publish": form}
    return _("The agenda is published: residents can see it.")


def _change_form(meeting: Meeting, data: Any = None) -> ChangeForm:
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at).replace(tzinfo=None),
        "kind": meeting.kind,
        "place": meeting.place,
        "online_link": meeting.online_link,
    }
    return ChangeForm(data, initial=initial, announced=meeting.status == Meeting.Status.PUBLISHED)


def _change(request: HttpRequest, meeting: Meeting) -> Outcome:
    form = _change_form(meeting, request.POST)
    if not form.is_valid():
        return {"change": form}
    try:
        services.update_meeting(actor=request.user, meeting=meeting, **form.values())
    except DomainError as error:
        field = {"change_needs_reason": "reason", "starts_in_past": "starts_at"}.get(error.code)
        _refuse(form, error, field)
        return {"change": form}
    if meeting.status == Meeting.Status.PUBLISHED:
        return _("The sitting is changed: members and residents are told.")
    return _("The date and place are saved.")


def _open(request: HttpRequest, meeting: Meeting) -> Outcome:
    services.open_meeting(actor=request.user, meeting=meeting)
    return _("The sitting is open: record who is present.")


def _attendance(request: HttpRequest, meeting: Meeting) -> Outcome:
    present = set(request.POST.getlist("present"))
    rows = {row.member_id: row for row in selectors.attendance_of(meeting)}
    for member in _active_members(meeting):
        row = rows.get(member.pk)
        is_present = str(member.pk) in present
        was_present = bool(row and row.present)
        if row is None and not is_present:
            continue
        if row is not None and row.left_at is not None:
            continue  # who left is marked by "left", not by the checkbox
        if was_present != is_present or row is None:
            services.record_attendance(actor=request.user, meeting=meeting, member=member, present=is_present)
    return _("The attendance is saved.")


def _left(request: HttpRequest, meeting: Meeting) -> Outcome:
    member = _member_in(meeting, request)
    services.mark_left(actor=request.user, meeting=meeting, member=member)
    return _("%(name)s is recorded as having left.") % {"name": member.full_name}


def _guest(request: HttpRequest, meeting: Meeting) -> Outcome:
    form = GuestForm(request.POST)
    if not form.is_valid():
        return {"guest": form}
    services.add_guest(actor=request.user, meeting=meeting, **form.cleaned_data)
    return _("The guest is added.")


def _open_vote(request: HttpRequest, meeting: Meeting) -> Outcome:
    services.open_vote(actor=request.user, item=_item_of(meeting, request))
    return _("The vote is open: members vote on their phones.")


def _paper_tally(request: HttpRequest, meeting: Meeting) -> Outcome:
    item = _item_of(meeting, request)
    form = PaperTallyForm(request.POST, auto_id=f"tally-{item.pk}-%s")
    if not form.is_valid():
        return {f"tally-{item.pk}": form}
    services.record_paper_tally(actor=request.user, item=item, **form.cleaned_data)
    return _("The paper tally is recorded.")


def _close_vote(request: HttpRequest, meeting: Meeting) -> Outcome:
    item = _item_of(meeting, request)
    form = CloseVoteForm(request.POST, auto_id=f"close-{item.pk}-%s")
    if not form.is_valid():
        return {f"close-{item.pk}": form}
    closed = services.close_vote(actor=request.user, item=item, decision_reason=form.cleaned_data["decision_reason"])
    return _("The vote is closed: %(outcome)s.") % {"outcome": closed.get_outcome_display()}


def _save_recommendation(request: HttpRequest, meeting: Meeting) -> Outcome:
    found = _recommendation_of(meeting, request)
    form = RecommendationForm(request.POST, auto_id=f"recommendation-{found.pk}-%s")
    if not form.is_valid():
        return {f"recommendation-{found.pk}": form}
    services.update_recommendation(actor=request.user, recommendation=found, **form.cleaned_data)
    return _("The recommendation is saved.")


def _send_recommendation(request: HttpRequest, meeting: Meeting) -> Outcome:
    found = services.send_recommendation(actor=request.user, recommendation=_recommendation_of(meeting, request))
    return _("Recommendation %(number)s is sent.") % {"number": found.number}


def _close(request: HttpRequest, meeting: Meeting) -> Outcome:
    services.close_meeting(actor=request.user, meeting=meeting)
    return _("The sitting is closed: the minutes are ready.")


def _cancel(request: HttpRequest, meeting: Meeting) -> Outcome:
    services.cancel_meeting(actor=request.user, meeting=meeting)
    return _("The sitting is cancelled.")


_ACTIONS = {
    "add_proposal": _add_proposal,
    "add_question": _add_question,
    "remove_item": _remove_item,
    "publish": _publish,
    "change": _change,
    "open": _open,
    "attendance": _attendance,
    "left": _left,
    "guest": _guest,
    "open_vote": _open_vote,
    "paper_tally": _paper_tally,
    "close_vote": _close_vote,
    "save_recommendation": _save_recommendation,
    "send_recommendation": _send_recommendation,
    "close": _close,
    "cancel": _cancel,
}


# The member's voting page


@login_required
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_public_meeting(pk)
    member = permissions.seat_of(request.user, meeting.council)
    if member is None:
        raise Http404("Not a member of this council.")
    if request.method == "POST":
        form = BallotForm(request.POST)
        if form.is_valid():
            try:
                item = meeting.items.get(pk=form.cleaned_data["item"])
            except AgendaItem.DoesNotExist:
                raise Http404("No such item on this sitting's agenda.") from None
            try:
                services.cast_vote(actor=request.user, item=item, choice=form.cleaned_data["choice"])
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Your vote is counted."))
        else:
            messages.error(request, _("Choose For, Against or Abstain."))
        return redirect("meetings:vote", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "council": meeting.council,
        "member": member,
        "items": selectors.open_votes_for(request.user, meeting),
        "is_present": permissions.is_present(member, meeting),
        "in_progress": meeting.status == Meeting.Status.IN_PROGRESS,
    }
    return render(request, "meetings/vote.html", context)
