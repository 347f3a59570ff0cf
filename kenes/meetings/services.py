"""Every write about sittings: keyword-only, atomic, audited, permission-checked.

Secret ballots: `cast_vote` writes a `BallotCast(item, member)` (who took part) and adds one to the
`SecretTally` counter of the choice with an F() update; the choice is never written anywhere else,
not in the audit log and not in any log.

Proposals follow their item: put on the agenda when added, back to ready when removed, recommended
or declined (with the council's reason) when the vote closes. Those steps are taken here through the
proposals' own transition code, under this app's permission (the secretary runs the sitting, while
the proposals services let only the coordinator move a proposal).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kenes.core.audit import record_audit
from kenes.core.calendar import add_working_days
from kenes.core.errors import DomainError
from kenes.core.events import publish
from kenes.councils.models import Council, Member
from kenes.meetings import rules
from kenes.meetings.models import (
    AgendaItem,
    Attendance,
    BallotCast,
    Choice,
    Guest,
    Meeting,
    Recommendation,
    SecretTally,
    Vote,
)
from kenes.meetings.permissions import can_run_council_meetings, can_run_meeting
from kenes.meetings.selectors import active_members, present_members, quorum_of
from kenes.proposals import services as proposals_services
from kenes.proposals.models import Proposal, Status

TITLE_MAX = 300
TEXT_MAX = 20_000
REASON_MAX = 2_000


def _forbidden() -> DomainError:
    return DomainError(_("You may not do this."), code="forbidden", status=403)


def _invalid(message: Any, code: str, *, status: int = 422) -> DomainError:
    return DomainError(message, code=code, status=status)


def _actor_may_run(actor: Any, meeting: Meeting) -> None:
    if not can_run_meeting(actor, meeting):
        raise _forbidden()


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("council__charter", "council__okrug")
        .get(pk=meeting.pk)
    )


def _locked_item(item: AgendaItem) -> AgendaItem:
    return (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__council__charter", "meeting__council__okrug", "proposal")
        .get(pk=item.pk)
    )


def _copy(target: Any, source: Any, fields: tuple[str, ...]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


def _meeting_facts(meeting: Meeting) -> dict[str, Any]:
    return {
        "council": meeting.council_id,
        "kind": meeting.kind,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "online_link": meeting.online_link,
        "status": meeting.status,
        "late_notice_reason": meeting.late_notice_reason,
    }


def _item_facts(item: AgendaItem) -> dict[str, Any]:
    return {
        "meeting": item.meeting_id,
        "position": item.position,
        "proposal": item.proposal_id,
        "title": item.title,
        "vote_method": item.vote_method,
        "vote_state": item.vote_state,
        "votes_for": item.votes_for,
        "votes_against": item.votes_against,
        "votes_abstain": item.votes_abstain,
        "present_at_close": item.present_at_close,
        "members_at_close": item.members_at_close,
        "outcome": item.outcome,
    }


def _text(value: str, *, limit: int, code: str, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _invalid(_("This field is required."), f"{code}_required")
    if len(text) > limit:
        raise _invalid(_("The text is too long."), f"{code}_too_long")
    return text


def _require_status(meeting: Meeting, *allowed: str) -> None:
    if meeting.status not in allowed:
        if meeting.status in (Meeting.Status.CLOSED, Meeting.Status.CANCELLED):
            raise _invalid(_("This sitting is over."), "meeting_over", status=409)
        raise _invalid(_("This cannot be done at this stage of the sitting."), "wrong_meeting_status", status=409)


# Proposals follow their items --------------------------------------------------------------------


def _move_proposal(*, actor: Any, proposal: Proposal, target: str, note: str = "") -> None:
    """Moves the proposal through the proposals app's own services (timeline and audit there);
    the caller has already checked that the actor runs this sitting."""
    if target == Status.ON_AGENDA:
        proposals_services.put_on_agenda(actor=actor, proposal=proposal, sitting_checked=True)
    elif target == Status.READY:
        proposals_services.take_off_agenda(actor=actor, proposal=proposal, sitting_checked=True)
    else:
        proposals_services.record_council_decision(
            actor=actor,
            proposal=proposal,
            recommended=target == Status.RECOMMENDED,
            reason=note,
            sitting_checked=True,
        )


# Sittings ----------------------------------------------------------------------------------------


@transaction.atomic
def schedule_meeting(
    *,
    actor: Any,
    council: Council,
    starts_at: datetime.datetime,
    kind: str = Meeting.Kind.REGULAR,
    place: str = "",
    online_link: str = "",
    is_demo: bool = False,
) -> Meeting:
    if not can_run_council_meetings(actor, council):
        raise _forbidden()
    if council.status == Council.Status.DISSOLVED:
        raise _invalid(_("This council is dissolved."), "council_dissolved", status=409)
    if kind not in Meeting.Kind.values:
        raise _invalid(_("Choose the kind of sitting."), "invalid_kind")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    place = _text(place, limit=300, code="place")
    online_link = _text(online_link, limit=200, code="online_link")
    if online_link and not online_link.startswith(("https://", "http://")):
        raise _invalid(_("The online link must start with https://."), "invalid_link")
    if not place and not online_link:
        raise _invalid(_("Give the place of the sitting or an online link."), "place_or_link_required")
    meeting = Meeting.objects.create(
        council=council, kind=kind, starts_at=starts_at, place=place, online_link=online_link, is_demo=is_demo
    )
    record_audit(actor=actor, action="meeting.scheduled", target=meeting, after=_meeting_facts(meeting))
    return meeting


@transaction.atomic
def update_meeting(
    *,
    actor: Any,
    meeting: Meeting,
    starts_at: datetime.datetime,
    kind: str,
    place: str = "",
    online_link: str = "",
    reason: str = "",
) -> Meeting:
    """Changes the date, place or kind of a sitting not started yet.

    While it is being prepared nobody has been told, so nothing more is needed. Once announced, the
    change needs a stated reason, the new time must be in the future, something must actually change,
    and everyone who was told hears of it ("sitting.changed"); the public page shows the reason."""
    current = _locked_meeting(meeting)
    _actor_may_run(actor, current)
    _require_status(current, Meeting.Status.DRAFT, Meeting.Status.PUBLISHED)
    before = _meeting_facts(current)
    if kind not in Meeting.Kind.values:
        raise _invalid(_("Choose the kind of sitting."), "invalid_kind")
    moment = timezone.make_aware(starts_at) if timezone.is_naive(starts_at) else starts_at
    place = _text(place, limit=300, code="place")
    online_link = _text(online_link, limit=200, code="online_link")
    if not place and not online_link:
        raise _invalid(_("Give the place of the sitting or an online link."), "place_or_link_required")
    announced = current.status == Meeting.Status.PUBLISHED
    fields = ["starts_at", "kind", "place", "online_link"]
    if announced:
        reason = _text(reason, limit=500, code="reason")
        if (moment, kind, place, online_link) == (current.starts_at, current.kind, current.place, current.online_link):
            raise _invalid(_("Nothing is changed: give a new date, place or kind."), "nothing_changed")
        if moment <= timezone.now():
            raise _invalid(_("An announced sitting can only be moved to a time still to come."), "starts_in_past")
        if not reason:
            raise _invalid(
                _("The sitting is already announced: say why it changes; residents will see it."),
                "change_needs_reason",
            )
        current.changed_at = timezone.now()
        current.change_reason = reason
        current.revision += 1
        fields += ["changed_at", "change_reason", "revision"]
    current.starts_at, current.kind, current.place, current.online_link = moment, kind, place, online_link
    current.save(update_fields=fields)
    after = _meeting_facts(current)
    if announced:
        after["change_reason"] = current.change_reason
    record_audit(actor=actor, action="meeting.updated", target=current, before=before, after=after)
    if announced:
        publish("sitting.changed", meeting_id=current.pk, revision=current.revision)
    _copy(meeting, current, tuple(fields))
    return current


@transaction.atomic
def add_agenda_item(
    *,
    actor: Any,
    meeting: Meeting,
    proposal: Proposal | None = None,
    title: str = "",
    text: str = "",
    vote_method: str = AgendaItem.VoteMethod.OPEN,
) -> AgendaItem:
    """Adds a proposal ready for the agenda (it moves to "on the agenda"), or another question."""
    current = _locked_meeting(meeting)
    _actor_may_run(actor, current)
    _require_status(current, Meeting.Status.DRAFT, Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS)
    if vote_method not in AgendaItem.VoteMethod.values:
        raise _invalid(_("Choose how the item is voted."), "invalid_vote_method")
    if vote_method == AgendaItem.VoteMethod.SECRET and not current.council.charter.secret_ballot_allowed:
        raise _invalid(_("The charter of this council does not allow secret ballots."), "secret_not_allowed")
    if proposal is not None:
        if proposal.council_id != current.council_id:
            raise _invalid(_("This proposal was made to another council."), "proposal_other_council")
        if proposal.status != Status.READY:
            raise _invalid(_("Only a proposal ready for the agenda can be added."), "proposal_not_ready", status=409)
        title = title.strip() or proposal.title
        text = text.strip() or proposal.body
    title = _text(title, limit=TITLE_MAX, code="title", required=True)
    text = _text(text, limit=TEXT_MAX, code="text")
    position = (AgendaItem.objects.filter(meeting=current).aggregate(top=Max("position"))["top"] or 0) + 1
    item = AgendaItem.objects.create(
        meeting=current, position=position, proposal=proposal, title=title, text=text, vote_method=vote_method
    )
    if proposal is not None:
        _move_proposal(
            actor=actor,
            proposal=proposal,
            target=Status.ON_AGENDA,
        )
    record_audit(actor=actor, action="meeting.item_added", target=item, after=_item_facts(item))
    return item


@transaction.atomic
def remove_agenda_item(*, actor: Any, item: AgendaItem) -> None:
    """Takes an item not voted yet off the agenda (its proposal goes back to ready); renumbers."""
    current = _locked_item(item)
    meeting = _locked_meeting(current.meeting)
    _actor_may_run(actor, meeting)
    _require_status(meeting, Meeting.Status.DRAFT, Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS)
    if current.vote_state != AgendaItem.VoteState.NOT_OPENED:
        raise _invalid(_("An item that was put to the vote stays on the agenda."), "item_voted", status=409)
    facts = _item_facts(current)
    if current.proposal is not None:
        _move_proposal(
            actor=actor,
            proposal=current.proposal,
            target=Status.READY,
        )
    record_audit(actor=actor, action="meeting.item_removed", target=current, before=facts)
    removed_position = current.position
    current.delete()
    for later in AgendaItem.objects.filter(meeting=meeting, position__gt=removed_position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])


@transaction.atomic
def publish_agenda(*, actor: Any, meeting: Meeting, late_notice_reason: str = "") -> Meeting:
    """Announces the sitting. Less than the charter's notice days before it needs a stated reason."""
    current = _locked_meeting(meeting)
    _actor_may_run(actor, current)
    _require_status(current, Meeting.Status.DRAFT)
    if not AgendaItem.objects.filter(meeting=current).exists():
        raise _invalid(_("Add at least one item to the agenda first."), "agenda_empty")
    now = timezone.now()
    reason = _text(late_notice_reason, limit=500, code="late_notice_reason")
    notice_days = current.council.charter.notice_days
    is_late = current.starts_at - now < datetime.timedelta(days=notice_days)
    if is_late and not reason:
        raise _invalid(
            _("The sitting is less than %(days)s days away: give the reason for the late notice.")
            % {"days": notice_days},
            "late_notice_needs_reason",
        )
    before = _meeting_facts(current)
    current.status = Meeting.Status.PUBLISHED
    current.published_at = now
    current.late_notice_reason = reason if is_late else ""
    current.save(update_fields=["status", "published_at", "late_notice_reason"])
    record_audit(actor=actor, action="meeting.published", target=current, before=before, after=_meeting_facts(current))
    publish("sitting.announced", meeting_id=current.pk)
    _copy(meeting, current, ("status", "published_at", "late_notice_reason"))
    return current


@transaction.atomic
def open_meeting(*, actor: Any, meeting: Meeting) -> Meeting:
    """The sitting starts: the council's serving chair and secretary are recorded."""
    current = _locked_meeting(meeting)
    _actor_may_run(actor, current)
    _require_status(current, Meeting.Status.PUBLISHED)
    officers = Member.objects.filter(
        council=current.council, status=Member.Status.ACTIVE, role__in=(Member.Role.CHAIR, Member.Role.SECRETARY)
    )
    by_role = {member.role: member for member in officers}
    before = _meeting_facts(current)
    current.status = Meeting.Status.IN_PROGRESS
    current.opened_at = timezone.now()
    current.chair = by_role.get(Member.Role.CHAIR)
    current.secretary = by_role.get(Member.Role.SECRETARY)
    current.save(update_fields=["status", "opened_at", "chair", "secretary"])
    record_audit(actor=actor, action="meeting.opened", target=current, before=before, after=_meeting_facts(current))
    _copy(meeting, current, ("status", "opened_at", "chair", "secretary"))
    return current


@transaction.atomic
def close_meeting(*, actor: Any, meeting: Meeting) -> Meeting:
    current = _locked_meeting(meeting)
    _actor_may_run(actor, current)
    _require_status(current, Meeting.Status.IN_PROGRESS)
    if AgendaItem.objects.filter(meeting=current, vote_state=AgendaItem.VoteState.OPEN).exists():
        raise _invalid(_("Close the open votes first."), "votes_open", status=409)
    before = _meeting_facts(current)
    current.status = Meeting.Status.CLOSED
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at"])
    record_audit(actor=actor, action="meeting.closed", target=current, before=before, after=_meeting_facts(current))
    _copy(meeting, current, ("status", "closed_at"))
    return current


@transaction.atomic
def cancel_meeting(*, actor: Any, meeting: Meeting, reason: str = "") -> Meeting:
    """Calls off a sitting that has not started; its proposals go back to ready."""
    current = _locked_meeting(meeting)
    _actor_may_run(actor, current)
    _require_status(current, Meeting.Status.DRAFT, Meeting.Status.PUBLISHED)
    before = _meeting_facts(current)
    for item in AgendaItem.objects.filter(meeting=current, proposal__isnull=False).select_related("proposal"):
        assert item.proposal is not None
        if item.proposal.status == Status.ON_AGENDA:
            _move_proposal(
                actor=actor,
                proposal=item.proposal,
                target=Status.READY,
            )
    current.status = Meeting.Status.CANCELLED
    current.save(update_fields=["status"])
    after = _meeting_facts(current)
    after["reason"] = _text(reason, limit=REASON_MAX, code="reason")
    record_audit(actor=actor, action="meeting.cancelled", target=current, before=before, after=after)
    publish("sitting.cancelled", meeting_id=current.pk)
    _copy(meeting, current, ("status",))
    return current


REMINDER_WINDOW = datetime.timedelta(hours=24)


@transaction.atomic
def remind_upcoming_sittings(
    *, now: datetime.datetime | None = None, within: datetime.timedelta = REMINDER_WINDOW
) -> int:
    """Publishes "sitting.soon" for every announced sitting starting within `within` from now; returns
    how many. Run it as often as you like: the notifications app tells people about a sitting once
    (it keeps the marker, this app keeps no reminder state). The rows are locked so two runs at once
    take turns (on PostgreSQL the second skips the sittings the first is reminding of)."""
    moment = now or timezone.now()
    rows = Meeting.objects.filter(
        status=Meeting.Status.PUBLISHED, starts_at__gt=moment, starts_at__lte=moment + within
    ).order_by("starts_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(of=("self",), skip_locked=True)
    reminded = 0
    for meeting in rows:
        publish("sitting.soon", meeting_id=meeting.pk)
        reminded += 1
    return reminded


# Attendance --------------------------------------------------------------------------------------


def _council_member(meeting: Meeting, member: Member) -> None:
    if member.council_id != meeting.council_id or member.status != Member.Status.ACTIVE:
        raise _invalid(_("This person is not a serving member of the council."), "not_member", status=403)


@transaction.atomic
def record_attendance(*, actor: Any, meeting: Meeting, member: Member, present: bool) -> Attendance:
    """Marks a member present (again, if they had left) or absent."""
    current = _locked_meeting(meeting)
    _actor_may_run(actor, current)
    _require_status(current, Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS)
    _council_member(current, member)
    now = timezone.now()
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        meeting=current, member=member, defaults={"present": present, "arrived_at": now if present else None}
    )
    attendance.present = present
    attendance.left_at = None
    if present and attendance.arrived_at is None:
        attendance.arrived_at = now
    attendance.save()
    record_audit(
        actor=actor,
        action="meeting.attendance",
        target=current,
        after={"member": member.pk, "present": present},
    )
    return attendance


@transaction.atomic
def mark_left(*, actor: Any, meeting: Meeting, member: Member) -> Attendance:
    """A member present leaves before the end: no longer counted for quorum nor able to vote."""
    current = _locked_meeting(meeting)
    _actor_may_run(actor, current)
    _require_status(current, Meeting.Status.IN_PROGRESS)
    attendance = (
        Attendance.objects.select_for_update()
        .filter(meeting=current, member=member, present=True, left_at__isnull=True)
        .first()
    )
    if attendance is None:
        raise _invalid(_("This member is not marked present."), "not_present", status=409)
    attendance.left_at = timezone.now()
    attendance.save(update_fields=["left_at"])
    record_audit(actor=actor, action="meeting.member_left", target=current, after={"member": member.pk})
    return attendance


@transaction.atomic
def add_guest(*, actor: Any, meeting: Meeting, full_name: str, affiliation: str = "") -> Guest:
    current = _locked_meeting(meeting)
    _actor_may_run(actor, current)
    _require_status(current, Meeting.Status.DRAFT, Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS)
    guest = Guest.objects.create(
        meeting=current,
        full_name=_text(full_name, limit=200, code="full_name", required=True),
        affiliation=_text(affiliation, limit=200, code="affiliation"),
    )
    record_audit(
        actor=actor,
        action="meeting.guest_added",
        target=current,
        after={"guest": guest.full_name, "affiliation": guest.affiliation},
    )
    return guest


# Votes -------------------------------------------------------------------------------------------


def _require_quorum(meeting: Meeting) -> None:
    if not quorum_of(meeting).reached:
        raise _invalid(_("There is no quorum: the council cannot vote."), "no_quorum", status=409)


@transaction.atomic
def open_vote(*, actor: Any, item: AgendaItem) -> AgendaItem:
    current = _locked_item(item)
    meeting = current.meeting
    _actor_may_run(actor, meeting)
    _require_status(meeting, Meeting.Status.IN_PROGRESS)
    if current.vote_state == AgendaItem.VoteState.CLOSED:
        raise _invalid(_("The vote on this item is closed."), "vote_closed", status=409)
    if current.vote_state == AgendaItem.VoteState.OPEN:
        raise _invalid(_("The vote on this item is already open."), "vote_already_open", status=409)
    if current.vote_method == AgendaItem.VoteMethod.SECRET and not meeting.council.charter.secret_ballot_allowed:
        raise _invalid(_("The charter of this council does not allow secret ballots."), "secret_not_allowed")
    _require_quorum(meeting)
    if current.vote_method == AgendaItem.VoteMethod.SECRET:
        SecretTally.objects.bulk_create(
            [SecretTally(item=current, choice=choice, count=0) for choice in Choice.values], ignore_conflicts=True
        )
    before = _item_facts(current)
    current.vote_state = AgendaItem.VoteState.OPEN
    current.opened_at = timezone.now()
    current.save(update_fields=["vote_state", "opened_at"])
    record_audit(actor=actor, action="meeting.vote_opened", target=current, before=before, after=_item_facts(current))
    publish("vote.opened", item_id=current.pk)
    _copy(item, current, ("vote_state", "opened_at"))
    return current


def _voting_member(actor: Any, item: AgendaItem) -> Member:
    """Checks every rule of who may vote now and returns the actor's seat."""
    meeting = item.meeting
    if item.vote_state == AgendaItem.VoteState.CLOSED:
        raise _invalid(_("The vote on this item is closed."), "vote_closed", status=409)
    if item.vote_state != AgendaItem.VoteState.OPEN or meeting.status != Meeting.Status.IN_PROGRESS:
        raise _invalid(_("The vote on this item is not open."), "vote_not_open", status=409)
    if item.vote_method == AgendaItem.VoteMethod.PAPER:
        raise _invalid(_("This item is voted on paper; the secretary enters the tally."), "paper_vote", status=409)
    member = None
    if getattr(actor, "is_authenticated", False):
        member = Member.objects.filter(council=meeting.council, user_id=actor.pk, status=Member.Status.ACTIVE).first()
    if member is None:
        raise _invalid(_("Only members of the council may vote."), "not_member", status=403)
    if not present_members(meeting).filter(pk=member.pk).exists():
        raise _invalid(_("Only members marked present at the sitting may vote."), "not_present", status=403)
    _require_quorum(meeting)
    return member


def _already_voted() -> DomainError:
    return _invalid(_("You have already voted on this item."), "already_voted", status=409)


@transaction.atomic
def cast_vote(*, actor: Any, item: AgendaItem, choice: str) -> None:
    """The actor (a member's user) votes. An open vote is a named `Vote` row; a secret ballot is a
    `BallotCast` row plus one more on the choice's counter, and the choice is recorded nowhere else."""
    if choice not in Choice.values:
        raise _invalid(_("Choose for, against or abstain."), "invalid_choice")
    # The item's row is locked so that the vote cannot close between the checks and the write.
    current = _locked_item(item)
    member = _voting_member(actor, current)
    if current.vote_method == AgendaItem.VoteMethod.SECRET:
        try:
            with transaction.atomic():
                BallotCast.objects.create(item=current, member=member)
        except IntegrityError:
            raise _already_voted() from None
        updated = SecretTally.objects.filter(item=current, choice=choice).update(count=F("count") + 1)
        if not updated:  # the counters are made when the vote opens; a missing one is made here
            SecretTally.objects.create(item=current, choice=choice, count=1)
        # Who took part, never what they chose.
        record_audit(actor=actor, action="meeting.ballot_cast", target=current, after={"member": member.pk})
        return
    try:
        with transaction.atomic():
            Vote.objects.create(item=current, member=member, choice=choice)
    except IntegrityError:
        raise _already_voted() from None
    record_audit(actor=actor, action="meeting.vote_cast", target=current, after={"member": member.pk, "choice": choice})


@transaction.atomic
def record_paper_tally(
    *, actor: Any, item: AgendaItem, votes_for: int, votes_against: int, votes_abstain: int
) -> AgendaItem:
    """The secretary enters the counts of a paper (or show of hands) vote; no more than present."""
    current = _locked_item(item)
    meeting = current.meeting
    _actor_may_run(actor, meeting)
    if current.vote_method != AgendaItem.VoteMethod.PAPER:
        raise _invalid(_("Only a paper vote takes a tally."), "not_paper_vote", status=409)
    if current.vote_state == AgendaItem.VoteState.CLOSED:
        raise _invalid(_("The vote on this item is closed."), "vote_closed", status=409)
    if current.vote_state != AgendaItem.VoteState.OPEN:
        raise _invalid(_("The vote on this item is not open."), "vote_not_open", status=409)
    _require_quorum(meeting)
    present = present_members(meeting).count()
    if not rules.tally_fits(
        votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain, present=present
    ):
        raise _invalid(
            _("The tally counts more votes than the %(present)s members present.") % {"present": present},
            "tally_exceeds_present",
        )
    before = _item_facts(current)
    current.votes_for, current.votes_against, current.votes_abstain = votes_for, votes_against, votes_abstain
    current.save(update_fields=["votes_for", "votes_against", "votes_abstain"])
    record_audit(actor=actor, action="meeting.paper_tally", target=current, before=before, after=_item_facts(current))
    _copy(item, current, ("votes_for", "votes_against", "votes_abstain"))
    return current


def _totals(item: AgendaItem) -> tuple[int, int, int]:
    if item.vote_method == AgendaItem.VoteMethod.SECRET:
        counts = dict(SecretTally.objects.filter(item=item).values_list("choice", "count"))
    elif item.vote_method == AgendaItem.VoteMethod.OPEN:
        counts = dict.fromkeys(Choice.values, 0)
        for choice in Vote.objects.filter(item=item).values_list("choice", flat=True):
            counts[choice] += 1
    else:
        if item.votes_for is None:
            raise _invalid(_("Enter the tally of the paper vote first."), "tally_missing", status=409)
        return item.votes_for, item.votes_against or 0, item.votes_abstain or 0
    return counts.get(Choice.FOR, 0), counts.get(Choice.AGAINST, 0), counts.get(Choice.ABSTAIN, 0)


@transaction.atomic
def close_vote(*, actor: Any, item: AgendaItem, decision_reason: str = "") -> AgendaItem:
    """Fixes the totals and the members present and serving, and the outcome by the charter's
    majority rule (without quorum at this moment the item is not adopted). An adopted item gets
    its recommendation draft; the item's proposal is recommended or declined with the reason."""
    current = _locked_item(item)
    meeting = current.meeting
    _actor_may_run(actor, meeting)
    if current.vote_state == AgendaItem.VoteState.CLOSED:
        raise _invalid(_("The vote on this item is closed."), "vote_closed", status=409)
    if current.vote_state != AgendaItem.VoteState.OPEN:
        raise _invalid(_("The vote on this item is not open."), "vote_not_open", status=409)
    reason = _text(decision_reason, limit=REASON_MAX, code="decision_reason")
    votes_for, votes_against, votes_abstain = _totals(current)
    quorum = quorum_of(meeting)
    charter = meeting.council.charter
    adopted = quorum.reached and rules.is_adopted(
        votes_for=votes_for, present=quorum.present, active=quorum.active, rule=charter.majority_rule
    )
    before = _item_facts(current)
    current.votes_for, current.votes_against, current.votes_abstain = votes_for, votes_against, votes_abstain
    current.present_at_close = quorum.present
    current.members_at_close = quorum.active
    current.outcome = AgendaItem.Outcome.ADOPTED if adopted else AgendaItem.Outcome.REJECTED
    current.vote_state = AgendaItem.VoteState.CLOSED
    current.closed_at = timezone.now()
    current.decision_reason = reason
    current.save()
    record_audit(actor=actor, action="meeting.vote_closed", target=current, before=before, after=_item_facts(current))
    if adopted:
        _create_recommendation(actor=actor, item=current)
    if current.proposal is not None and current.proposal.status == Status.ON_AGENDA:
        _move_proposal(
            actor=actor,
            proposal=current.proposal,
            target=Status.RECOMMENDED if adopted else Status.DECLINED,
            note=reason,
        )
    _copy(
        item,
        current,
        (
            "votes_for",
            "votes_against",
            "votes_abstain",
            "present_at_close",
            "members_at_close",
            "outcome",
            "vote_state",
            "closed_at",
            "decision_reason",
        ),
    )
    return current


# Recommendations ---------------------------------------------------------------------------------


def _recommendation_facts(recommendation: Recommendation) -> dict[str, Any]:
    return {
        "number": f"{recommendation.year}/{recommendation.sequence}",
        "item": recommendation.item_id,
        "text_kk": recommendation.text_kk,
        "text_ru": recommendation.text_ru,
        "addressee_kind": recommendation.addressee_kind,
        "addressee_name": recommendation.addressee_name,
        "status": recommendation.status,
        "due_on": recommendation.due_on,
    }


def next_sequence(*, council: Council, year: int) -> int:
    """The next number of the council's year; call inside a transaction holding the council's lock."""
    top = Recommendation.objects.filter(council=council, year=year).aggregate(top=Max("sequence"))["top"]
    return (top or 0) + 1


def _create_recommendation(*, actor: Any, item: AgendaItem) -> Recommendation:
    meeting = item.meeting
    # The council's row is the lock that numbers its recommendations one at a time.
    council = Council.objects.select_for_update(of=("self",)).select_related("okrug").get(pk=meeting.council_id)
    adopted_on = timezone.localdate(meeting.starts_at)
    draft = "\n\n".join(part for part in (item.title, item.text) if part)
    recommendation = Recommendation.objects.create(
        council=council,
        item=item,
        year=adopted_on.year,
        sequence=next_sequence(council=council, year=adopted_on.year),
        text_kk=draft,
        text_ru=draft,
        addressee_kind=Recommendation.Addressee.OKRUG_AKIM,
        addressee_name=gettext("The akim of %(okrug)s") % {"okrug": council.okrug},
        adopted_on=adopted_on,
        is_demo=meeting.is_demo,
    )
    if item.proposal_id is not None:
        recommendation.proposals.add(item.proposal_id)
    record_audit(
        actor=actor,
        action="meeting.recommendation_adopted",
        target=recommendation,
        after=_recommendation_facts(recommendation),
    )
    return recommendation


def _locked_recommendation(recommendation: Recommendation) -> Recommendation:
    return (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("council__charter", "council__okrug", "item__meeting__council")
        .get(pk=recommendation.pk)
    )


@transaction.atomic
def update_recommendation(
    *,
    actor: Any,
    recommendation: Recommendation,
    text_kk: str,
    text_ru: str,
    addressee_kind: str,
    addressee_name: str,
) -> Recommendation:
    """The secretary edits the texts and the addressee before it is sent."""
    current = _locked_recommendation(recommendation)
    _actor_may_run(actor, current.item.meeting)
    if current.status != Recommendation.Status.ADOPTED:
        raise _invalid(_("A recommendation that was sent cannot be changed."), "recommendation_sent", status=409)
    if addressee_kind not in Recommendation.Addressee.values:
        raise _invalid(_("Choose the addressee."), "invalid_addressee")
    before = _recommendation_facts(current)
    current.text_kk = _text(text_kk, limit=TEXT_MAX, code="text_kk", required=True)
    current.text_ru = _text(text_ru, limit=TEXT_MAX, code="text_ru", required=True)
    current.addressee_kind = addressee_kind
    current.addressee_name = _text(addressee_name, limit=300, code="addressee_name", required=True)
    current.save(update_fields=["text_kk", "text_ru", "addressee_kind", "addressee_name"])
    record_audit(
        actor=actor,
        action="meeting.recommendation_updated",
        target=current,
        before=before,
        after=_recommendation_facts(current),
    )
    _copy(recommendation, current, ("text_kk", "text_ru", "addressee_kind", "addressee_name"))
    return current


@transaction.atomic
def send_recommendation(
    *, actor: Any, recommendation: Recommendation, sent_on: datetime.date | None = None
) -> Recommendation:
    """Sends it: the answer is due the charter's working days after the day it is sent."""
    current = _locked_recommendation(recommendation)
    _actor_may_run(actor, current.item.meeting)
    if current.status != Recommendation.Status.ADOPTED:
        raise _invalid(_("This recommendation was already sent."), "already_sent", status=409)
    now = timezone.now()
    day = sent_on or timezone.localdate(now)
    if day < current.adopted_on:
        raise _invalid(_("A recommendation cannot be sent before it was adopted."), "sent_before_adoption")
    before = _recommendation_facts(current)
    current.sent_at = (
        now
        if day == timezone.localdate(now)
        else timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
    )
    current.due_on = add_working_days(day, current.council.charter.answer_working_days)
    current.received_on = day
    current.status = Recommendation.Status.SENT
    current.save(update_fields=["sent_at", "due_on", "received_on", "status"])
    record_audit(
        actor=actor,
        action="meeting.recommendation_sent",
        target=current,
        before=before,
        after=_recommendation_facts(current),
    )
    _copy(recommendation, current, ("sent_at", "due_on", "received_on", "status"))
    return current


__all__ = [
    "active_members",
    "add_agenda_item",
    "add_guest",
    "cancel_meeting",
    "cast_vote",
    "close_meeting",
    "close_vote",
    "mark_left",
    "next_sequence",
    "open_meeting",
    "open_vote",
    "publish_agenda",
    "record_attendance",
    "record_paper_tally",
    "remind_upcoming_sittings",
    "remove_agenda_item",
    "schedule_meeting",
    "send_recommendation",
    "update_meeting",
    "update_recommendation",
]
