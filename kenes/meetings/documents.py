"""The agenda (күн тәртібі / повестка) and the minutes (хаттама / протокол) of a sitting as PDF,
in Kazakh or Russian.

The text is the templates `meetings/agenda_pdf.html` and `meetings/minutes_pdf.html`, translated
like any page; the facts come from the sitting. Secret and paper votes print totals only: the
names of who took part in a secret ballot are never joined to a choice (there is nothing to join).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kenes.core.pdf import render_pdf
from kenes.councils.models import Member
from kenes.meetings import rules
from kenes.meetings.models import AgendaItem, Attendance, Choice, Meeting, Recommendation, Vote

# Official documents of a council exist in Kazakh and Russian (domain.md, Languages).
DOCUMENT_LANGUAGES = ("kk", "ru")


@dataclass(frozen=True)
class Quorum:
    present: int
    active: int
    required: int

    @property
    def reached(self) -> bool:
        return self.active > 0 and self.present >= self.required


@dataclass(frozen=True)
class NamedChoice:
    label: str
    names: list[str]


@dataclass(frozen=True)
class ItemResult:
    votes_for: int
    votes_against: int
    votes_abstain: int
    present: int | None
    # Filled for open votes only; secret and paper votes have totals and nothing else.
    by_choice: list[NamedChoice] = field(default_factory=list)


@dataclass(frozen=True)
class ItemLine:
    item: AgendaItem
    result: ItemResult | None
    recommendation: Recommendation | None


@dataclass(frozen=True)
class AttendanceLine:
    name: str
    left_at: str


def _check_language(language: str) -> None:
    if language not in DOCUMENT_LANGUAGES:
        raise ValueError(f"Sitting documents are printed in {', '.join(DOCUMENT_LANGUAGES)}, not {language!r}.")


def _members_at(meeting: Meeting) -> list[Member]:
    """The members whose seat covered the day of the sitting (a member who left since still counts)."""
    day = timezone.localdate(meeting.starts_at)
    return list(
        Member.objects.filter(council_id=meeting.council_id, term_start__lte=day, term_end__gte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .order_by("full_name", "id")
    )


def _quorum(meeting: Meeting, present: int, active: int) -> Quorum:
    return Quorum(
        present=present,
        active=active,
        required=rules.required_for_quorum(active=active, quorum_percent=meeting.council.charter.quorum_percent),
    )


def _result(item: AgendaItem, open_votes: list[Vote]) -> ItemResult | None:
    if item.vote_state != AgendaItem.VoteState.CLOSED:
        return None
    by_choice: list[NamedChoice] = []
    if item.vote_method == AgendaItem.VoteMethod.OPEN:
        for choice in Choice:
            names = [vote.member.full_name for vote in open_votes if vote.choice == choice]
            by_choice.append(NamedChoice(label=str(choice.label), names=names))
    return ItemResult(
        votes_for=item.votes_for or 0,
        votes_against=item.votes_against or 0,
        votes_abstain=item.votes_abstain or 0,
        present=item.present_at_close,
        by_choice=by_choice,
    )


def _item_lines(meeting: Meeting) -> list[ItemLine]:
    items = list(meeting.items.select_related("proposal", "recommendation__council__okrug").order_by("position"))
    open_ids = [
        item.pk
        for item in items
        if item.vote_method == AgendaItem.VoteMethod.OPEN and item.vote_state == AgendaItem.VoteState.CLOSED
    ]
    votes: dict[int, list[Vote]] = {}
    for vote in Vote.objects.filter(item_id__in=open_ids).select_related("member").order_by("member__full_name"):
        votes.setdefault(vote.item_id, []).append(vote)
    lines = []
    for item in items:
        try:
            recommendation: Recommendation | None = item.recommendation
        except Recommendation.DoesNotExist:
            recommendation = None
        lines.append(ItemLine(item=item, result=_result(item, votes.get(item.pk, [])), recommendation=recommendation))
    return lines


def _officer(meeting: Meeting, member: Member | None, role: str) -> str:
    if member is not None:
        return member.full_name
    officer = Member.objects.filter(council_id=meeting.council_id, role=role, status=Member.Status.ACTIVE).first()
    return officer.full_name if officer else ""


def _meeting(meeting_id: int) -> Meeting:
    return Meeting.objects.select_related(
        "council__okrug__district__region", "council__charter", "chair", "secretary"
    ).get(pk=meeting_id)


def _sitting_day(meeting: Meeting) -> date:
    return timezone.localdate(meeting.starts_at)


def agenda_html(*, meeting: Meeting) -> str:
    """The agenda as HTML, in the active language."""
    meeting = _meeting(meeting.pk)
    context = {
        "meeting": meeting,
        "council": meeting.council,
        "okrug": meeting.council.okrug,
        "starts_at": timezone.localtime(meeting.starts_at),
        "published_on": timezone.localdate(meeting.published_at) if meeting.published_at else None,
        "items": list(meeting.items.select_related("proposal").order_by("position")),
    }
    return render_to_string("meetings/agenda_pdf.html", context)


def minutes_html(*, meeting: Meeting, language: str) -> str:
    """The minutes as HTML, in the active language; recommendation texts in `language`."""
    meeting = _meeting(meeting.pk)
    members = _members_at(meeting)
    attendance = {
        row.member_id: row
        for row in Attendance.objects.filter(meeting=meeting).select_related("member").order_by("member__full_name")
    }
    present = [
        AttendanceLine(
            name=row.member.full_name,
            left_at=f"{timezone.localtime(row.left_at):%H:%M}" if row.left_at else "",
        )
        for row in attendance.values()
        if row.present
    ]
    absent = [
        member.full_name for member in members if member.pk not in attendance or not attendance[member.pk].present
    ]
    lines = _item_lines(meeting)
    context = {
        "meeting": meeting,
        "council": meeting.council,
        "okrug": meeting.council.okrug,
        "starts_at": timezone.localtime(meeting.starts_at),
        "present": present,
        "absent": absent,
        "guests": list(meeting.guests.order_by("full_name")),
        "quorum": _quorum(meeting, present=len(present), active=len(members)),
        "lines": lines,
        "recommendations": [
            (line.recommendation, line.recommendation.text_ru if language == "ru" else line.recommendation.text_kk)
            for line in lines
            if line.recommendation is not None
        ],
        "chair": _officer(meeting, meeting.chair, Member.Role.CHAIR),
        "secretary": _officer(meeting, meeting.secretary, Member.Role.SECRETARY),
    }
    return render_to_string("meetings/minutes_pdf.html", context)


def render_agenda_pdf(*, meeting: Meeting, language: str) -> bytes:
    """The agenda of `meeting` as a PDF in Kazakh (`kk`) or Russian (`ru`)."""
    _check_language(language)
    with translation.override(language):
        html = agenda_html(meeting=meeting)
        stylesheet = render_to_string("meetings/documents.css")
    return render_pdf(html=html, stylesheets=[stylesheet])


def render_minutes_pdf(*, meeting: Meeting, language: str) -> bytes:
    """The minutes of `meeting` as a PDF in Kazakh (`kk`) or Russian (`ru`)."""
    _check_language(language)
    with translation.override(language):
        html = minutes_html(meeting=meeting, language=language)
        stylesheet = render_to_string("meetings/documents.css")
    return render_pdf(html=html, stylesheets=[stylesheet])
