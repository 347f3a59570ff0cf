"""The whole story of a proposal, read for its public page: nine stages from submission to the
measures being done, each with its date and who acted, or "not yet".

Who acted is always a public name: the author as the proposal's page shows them, the coordinator
who screened it, the council, the office that answered. A proposal that was returned, merged,
forwarded or declined stops at that stage and says so; the stages after it are left out of the
count. After the council found an answer unsatisfactory the proposal goes back on the agenda, and
the story follows its latest round.

Four queries whatever the history, besides the proposal itself: the timeline, the agenda items
(with their sitting and recommendation), the final answer and the latest progress report.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kenes.accountability import selectors
from kenes.accountability.models import ProgressReport
from kenes.meetings.models import AgendaItem, Meeting, Recommendation
from kenes.proposals import selectors as proposal_selectors
from kenes.proposals.models import Proposal, Status, TimelineEvent

DONE = "done"  # it happened
WAITING = "waiting"  # this is where the proposal is now
NOT_YET = "not_yet"  # still ahead
STOPPED = "stopped"  # the story ends here, and the stage says why
SKIPPED = "skipped"  # after a stop, or passed over by it: nothing will happen here

SCREENING_KINDS = frozenset(
    {
        TimelineEvent.Kind.ACCEPTED,
        TimelineEvent.Kind.RETURNED,
        TimelineEvent.Kind.MERGED,
        TimelineEvent.Kind.FORWARDED,
    }
)
STOPPED_AT_SCREENING = frozenset({Status.RETURNED, Status.MERGED, Status.FORWARDED})
PUBLIC_MEETINGS = frozenset({Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS, Meeting.Status.CLOSED})
REOPENED = frozenset({Status.READY, Status.ON_AGENDA})
PROGRESS_KINDS = frozenset({Recommendation.AnswerKind.ACCEPTED, Recommendation.AnswerKind.PARTIALLY_ACCEPTED})


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    state: str
    on: datetime.date | None = None
    actor: str = ""  # a public name, never an IIN
    summary: str = ""
    note: str = ""  # words someone wrote (a reason, the measures): shown escaped, line breaks kept
    url: str = ""
    overdue: bool = False

    @property
    def happened(self) -> bool:
        return self.state in (DONE, STOPPED)


@dataclass(frozen=True)
class Story:
    proposal: Proposal
    stages: list[Stage]
    recommendation: Recommendation | None
    # The latest earlier recommendation whose answer the council found unsatisfactory.
    previous: Recommendation | None = None

    @property
    def stopped(self) -> Stage | None:
        return next((stage for stage in self.stages if stage.state == STOPPED), None)

    @property
    def current(self) -> Stage | None:
        return next((stage for stage in self.stages if stage.state == WAITING), None)


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _long(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _name(user: Any) -> str:
    return str(user) if user is not None else ""


def _council_name(proposal: Proposal) -> str:
    return _("The council of %(okrug)s") % {"okrug": proposal.okrug}


def _items_of(proposal: Proposal) -> list[AgendaItem]:
    """The proposal's items on public sittings, oldest sitting first, with their recommendation."""
    return list(
        AgendaItem.objects.filter(proposal=proposal, meeting__status__in=PUBLIC_MEETINGS)
        .select_related("meeting", "recommendation__council__okrug")
        .order_by("meeting__starts_at", "id")
    )


def _recommendation_of(item: AgendaItem | None) -> Recommendation | None:
    if item is None:
        return None
    return getattr(item, "recommendation", None)


def _latest_progress(recommendation: Recommendation) -> ProgressReport | None:
    return ProgressReport.objects.filter(recommendation=recommendation).order_by("-reported_on", "-id").first()


# The stages --------------------------------------------------------------------------------------


def _submitted(proposal: Proposal) -> Stage:
    note = ""
    if proposal.is_assisted:
        note = _("entered by the akimat on behalf of the resident") + f": {proposal.get_channel_display()}"
    return Stage(
        key="submitted",
        title=_("Submitted"),
        state=DONE,
        on=_day(proposal.submitted_at),
        actor=_name(proposal.author),
        summary=proposal.get_area_display(),
        note=note,
    )


def _supported(proposal: Proposal, events: list[TimelineEvent]) -> Stage:
    threshold = proposal.council.charter.support_threshold
    title = _("Supported")
    supporters = _("Residents of the okrug")
    ready = next((event for event in events if event.kind == TimelineEvent.Kind.READY), None)
    counted = _("%(count)s of %(threshold)s supports the charter asks for") % {
        "count": proposal.support_count,
        "threshold": threshold,
    }
    if proposal.status == Status.MERGED:
        return Stage(
            key="supported", title=title, state=SKIPPED, summary=_("Its supports moved to the proposal it joined.")
        )
    if ready is not None and ready.actor is None:
        return Stage(
            key="supported",
            title=title,
            state=DONE,
            on=_day(ready.created_at),
            actor=supporters,
            summary=_("The threshold of %(threshold)s supports was reached; %(count)s supports now.")
            % {"threshold": threshold, "count": proposal.support_count},
        )
    if ready is not None:
        return Stage(
            key="supported",
            title=title,
            state=DONE,
            on=_day(ready.created_at),
            actor=_name(ready.actor),
            summary=_("Put on the list for the agenda by the coordinator before the threshold was reached.")
            + " "
            + counted,
        )
    if proposal.status == Status.COLLECTING:
        return Stage(key="supported", title=title, state=WAITING, actor=supporters, summary=counted)
    if proposal.status in STOPPED_AT_SCREENING:
        return Stage(key="supported", title=title, state=SKIPPED)
    if proposal.status == Status.SUBMITTED:
        return Stage(key="supported", title=title, state=NOT_YET, summary=counted)
    # Ready or later without a "ready" step on record (entered before the timeline existed).
    return Stage(key="supported", title=title, state=DONE, actor=supporters, summary=counted)


def _screened(proposal: Proposal, events: list[TimelineEvent]) -> Stage:
    title = _("Screened")
    screening = [event for event in events if event.kind in SCREENING_KINDS]
    last = screening[-1] if screening else None
    if proposal.status == Status.SUBMITTED:
        summary = _("Waiting for the coordinator's screening.")
        if proposal.screening_due_on is not None:
            summary += " " + _("Due by %(date)s.") % {"date": _long(proposal.screening_due_on)}
        return Stage(key="screened", title=title, state=WAITING, summary=summary)
    on = _day(last.created_at) if last is not None else _day(proposal.screened_at)
    actor = _name(last.actor) if last is not None else ""
    note = last.note if last is not None else ""
    if proposal.status == Status.RETURNED:
        return Stage(
            key="screened",
            title=title,
            state=STOPPED,
            on=on,
            actor=actor,
            summary=_("Returned to the author for changes: the story stops here until it is submitted again."),
            note=note,
        )
    if proposal.status == Status.MERGED and proposal.merged_into is not None:
        target = proposal.merged_into
        return Stage(
            key="screened",
            title=title,
            state=STOPPED,
            on=on,
            actor=actor,
            summary=_("Merged as a duplicate into proposal No. %(number)s, “%(title)s”: its story goes on there.")
            % {"number": target.pk, "title": target.title},
            note=note,
            url=reverse("accountability:story", args=[target.pk]),
        )
    if proposal.status == Status.FORWARDED:
        return Stage(
            key="screened",
            title=title,
            state=STOPPED,
            on=on,
            actor=actor,
            summary=_("Outside the council's competence: forwarded to %(addressee)s.")
            % {"addressee": proposal.forwarded_to},
            note=note,
        )
    return Stage(
        key="screened",
        title=title,
        state=DONE,
        on=on,
        actor=actor,
        summary=str(TimelineEvent.Kind.ACCEPTED.label),
        note=note,
    )


def _on_agenda(proposal: Proposal, item: AgendaItem | None, again: bool) -> Stage:
    title = _("On the agenda")
    if item is None:
        if proposal.status == Status.READY:
            summary = _("Ready for a sitting's agenda.")
        elif proposal.status == Status.ON_AGENDA:
            summary = _("On the agenda of a sitting being prepared.")
        else:
            return Stage(key="on_agenda", title=title, state=NOT_YET)
        if again:
            summary += " " + _("Again, after the council found the akim's answer unsatisfactory.")
        return Stage(key="on_agenda", title=title, state=WAITING, summary=summary)
    meeting = item.meeting
    day = timezone.localdate(meeting.starts_at)
    summary = f"{meeting.get_kind_display()}, {_long(day)}"
    if again:
        summary += ". " + _("Again, after the council found the akim's answer unsatisfactory.")
    return Stage(
        key="on_agenda",
        title=title,
        state=DONE,
        on=day,
        actor=_council_name(proposal),
        summary=summary,
        url=reverse("meetings:detail", args=[meeting.pk]),
    )


def _voted(proposal: Proposal, item: AgendaItem | None) -> Stage:
    title = _("Voted")
    if item is None or item.vote_state != AgendaItem.VoteState.CLOSED:
        state = WAITING if item is not None and item.vote_state == AgendaItem.VoteState.OPEN else NOT_YET
        summary = _("The vote is open.") if state == WAITING else ""
        return Stage(key="voted", title=title, state=state, summary=summary)
    tally = _("for %(votes_for)s, against %(votes_against)s, abstained %(votes_abstain)s") % {
        "votes_for": item.votes_for or 0,
        "votes_against": item.votes_against or 0,
        "votes_abstain": item.votes_abstain or 0,
    }
    adopted = item.outcome == AgendaItem.Outcome.ADOPTED and proposal.status != Status.DECLINED
    if not adopted:
        return Stage(
            key="voted",
            title=title,
            state=STOPPED,
            on=_day(item.closed_at),
            actor=_council_name(proposal),
            summary=_("The council did not adopt it (%(tally)s): the story stops here.") % {"tally": tally},
            note=item.decision_reason,
        )
    return Stage(
        key="voted",
        title=title,
        state=DONE,
        on=_day(item.closed_at),
        actor=_council_name(proposal),
        summary=f"{item.get_outcome_display()}: {tally}",
        note=item.decision_reason,
    )


def _recommended(proposal: Proposal, recommendation: Recommendation | None) -> Stage:
    title = _("Recommended")
    if recommendation is None:
        return Stage(key="recommended", title=title, state=NOT_YET)
    summary = _("Recommendation No. %(number)s") % {"number": recommendation.number}
    if recommendation.sent_at is not None:
        summary += ", " + _("sent to %(addressee)s on %(date)s") % {
            "addressee": recommendation.addressee_name,
            "date": _long(timezone.localdate(recommendation.sent_at)),
        }
    else:
        summary += ", " + _("not sent yet")
    return Stage(
        key="recommended",
        title=title,
        state=DONE,
        on=recommendation.adopted_on,
        actor=_council_name(proposal),
        summary=summary,
        url=reverse("accountability:recommendation", args=[recommendation.pk]),
    )


def _answered(recommendation: Recommendation | None) -> Stage:
    title = _("Answered")
    if recommendation is None or recommendation.status == Recommendation.Status.ADOPTED:
        return Stage(key="answered", title=title, state=NOT_YET)
    office = recommendation.addressee_name
    url = reverse("accountability:recommendation", args=[recommendation.pk])
    if recommendation.status == Recommendation.Status.SENT:
        assert recommendation.due_on is not None
        return Stage(
            key="answered",
            title=title,
            state=WAITING,
            actor=office,
            summary=_("Waiting for the answer, due by %(date)s.") % {"date": _long(recommendation.due_on)},
            url=url,
            overdue=recommendation.is_overdue,
        )
    answer = selectors.final_answer_of(recommendation)
    actor = (answer.on_behalf_of if answer is not None else "") or office
    summary = recommendation.get_answer_kind_display()
    if recommendation.answered_late:
        summary += " " + _("(answered after the deadline)")
    note = ""
    if answer is not None:
        note = "\n\n".join(part for part in (answer.text, answer.reason) if part)
    if recommendation.answer_kind == Recommendation.AnswerKind.DECLINED:
        return Stage(
            key="answered",
            title=title,
            state=STOPPED,
            on=recommendation.answered_on,
            actor=actor,
            summary=_("The akim declined the recommendation: the story stops here."),
            note=note,
            url=url,
        )
    if recommendation.status == Recommendation.Status.UNSATISFACTORY:
        summary += ". " + _("The council found this answer unsatisfactory.")
    return Stage(
        key="answered",
        title=title,
        state=DONE,
        on=recommendation.answered_on,
        actor=actor,
        summary=summary,
        note=note,
        url=url,
    )


def _progress(recommendation: Recommendation | None) -> Stage:
    title = _("Progress")
    if recommendation is None or recommendation.answer_kind not in PROGRESS_KINDS:
        return Stage(key="progress", title=title, state=NOT_YET)
    if recommendation.status == Recommendation.Status.UNSATISFACTORY:
        return Stage(key="progress", title=title, state=SKIPPED)
    latest = _latest_progress(recommendation)
    if latest is None:
        return Stage(
            key="progress",
            title=title,
            state=WAITING,
            actor=recommendation.addressee_name,
            summary=_("No progress reported yet."),
        )
    return Stage(
        key="progress",
        title=title,
        state=DONE if latest.percent == 100 else WAITING,
        on=latest.reported_on,
        actor=recommendation.addressee_name,
        summary=_("%(percent)s %% done") % {"percent": latest.percent},
        note=latest.text,
    )


def _done(recommendation: Recommendation | None) -> Stage:
    title = _("Done")
    if recommendation is None or recommendation.status != Recommendation.Status.IMPLEMENTED:
        return Stage(key="done", title=title, state=NOT_YET)
    return Stage(
        key="done",
        title=title,
        state=DONE,
        on=recommendation.implemented_on,
        actor=recommendation.addressee_name,
        summary=_("The measures are implemented."),
    )


def _after_stop(stages: list[Stage]) -> list[Stage]:
    """Nothing happens after a stop: the later stages say so instead of "not yet"."""
    result: list[Stage] = []
    stopped = False
    for stage in stages:
        if stopped and stage.state in (NOT_YET, WAITING):
            stage = Stage(key=stage.key, title=stage.title, state=SKIPPED)
        result.append(stage)
        stopped = stopped or stage.state == STOPPED
    return result


def story_of(proposal: Proposal) -> Story:
    """The nine stages of a public (non-draft) proposal's story, following its latest round."""
    events = list(proposal_selectors.timeline_of(proposal))
    items = _items_of(proposal)
    rounds = [found for found in (_recommendation_of(item) for item in items) if found is not None]
    sent_back = [found for found in rounds if found.status == Recommendation.Status.UNSATISFACTORY]
    item = items[-1] if items else None
    recommendation = _recommendation_of(item)
    if recommendation is not None and recommendation in sent_back and proposal.status in REOPENED:
        # The council sent the answer back: that round is over, the proposal waits for a sitting.
        item, recommendation = None, None
    previous = next((found for found in reversed(sent_back) if found != recommendation), None)
    stages = [
        _submitted(proposal),
        _supported(proposal, events),
        _screened(proposal, events),
        _on_agenda(proposal, item, again=previous is not None),
        _voted(proposal, item),
        _recommended(proposal, recommendation),
        _answered(recommendation),
        _progress(recommendation),
        _done(recommendation),
    ]
    return Story(proposal=proposal, stages=_after_stop(stages), recommendation=recommendation, previous=previous)
