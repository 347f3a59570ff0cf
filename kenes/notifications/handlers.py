"""Who is told what when something happens: one handler per published event, subscribed in
`NotificationsConfig.ready()`. Each finds the recipients through the other apps' models and selectors
(reading only) and calls `services.announce` with the message in each recipient's language
(`messages.py`). They run inside the publishing service's transaction, so the notices and the outbox
commit or roll back with the change they announce.

Each handler costs a fixed number of queries (the object, one or two for the recipients, then
announce's own), however many people it tells.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from kenes.accountability.selectors import escalation_recipients
from kenes.accounts.models import User
from kenes.core.events import Event, subscribe
from kenes.councils.models import Coordinator, Council, Member
from kenes.meetings.models import AgendaItem, Meeting, Recommendation
from kenes.meetings.permissions import OFFICER_ROLES
from kenes.meetings.selectors import active_members, present_members
from kenes.notifications import messages
from kenes.notifications.models import EventType
from kenes.notifications.services import Message, announce
from kenes.proposals.models import Proposal, Status, Support
from kenes.relocation.matching import facts_of, rank_offers
from kenes.relocation.models import Applicant, HouseholdMember, Offer
from kenes.relocation.permissions import is_open
from kenes.relocation.selectors import OFFER_RELATED

# The author's own steps: nobody else is there to tell, and the author just did it.
SILENT_PROPOSAL_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED})


def _users(ids: Any) -> list[User]:
    """The users whose ids the subquery gives, oldest account first (one query)."""
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


# Proposals ----------------------------------------------------------------------------------------


def on_proposal_status_changed(event: Event) -> None:
    """To the proposal's author and everyone who supports it (a merged duplicate's supports have moved
    to the proposal it was merged into by now, so only its author hears of the merge)."""
    status = event.payload["status"]
    if status in SILENT_PROPOSAL_STATUSES:
        return
    proposal = Proposal.objects.select_related("author", "council__okrug__district").get(
        pk=event.payload["proposal_id"]
    )
    supporters = _users(Support.objects.filter(proposal_id=proposal.pk).values("resident_id"))

    def message_for(user: Any) -> Message:
        return messages.proposal_status(proposal, status=status, is_author=user.pk == proposal.author_id)

    announce(
        kind=event.kind,
        event_type=EventType.PROPOSAL_STATUS,
        recipients=[proposal.author, *supporters],
        message_for=message_for,
        payload=event.payload,
        is_demo=proposal.is_demo,
        region_id=_region(proposal.council),
    )


# Sittings -----------------------------------------------------------------------------------------


def _region(council: Council) -> int:
    """The oblast of a council (its okrug's district loaded)."""
    return council.okrug.district.region_id


def _meeting(event: Event) -> Meeting:
    return Meeting.objects.select_related("council__okrug__district").get(pk=event.payload["meeting_id"])


def _council_and_okrug(council: Council) -> list[User]:
    """The council's serving members first, then the okrug's residents with a verified residency."""
    members = _users(active_members(council).filter(user__isnull=False).values("user_id"))
    residents = User.objects.filter(
        resident_profile__settlement__okrug_id=council.okrug_id, resident_profile__verified_at__isnull=False
    ).order_by("pk")
    return [*members, *residents]


def _announce_sitting(
    event: Event,
    meeting: Meeting,
    event_type: str,
    message: Callable[[Meeting], Message],
    *,
    once_key: str | None = None,
) -> None:
    announce(
        kind=event.kind,
        event_type=event_type,
        recipients=_council_and_okrug(meeting.council),
        message_for=lambda _user: message(meeting),
        payload=event.payload,
        is_demo=meeting.is_demo,
        once_key=once_key,
        region_id=_region(meeting.council),
    )


def on_sitting_announced(event: Event) -> None:
    _announce_sitting(event, _meeting(event), EventType.SITTING_ANNOUNCED, messages.sitting_announced)


def on_sitting_changed(event: Event) -> None:
    _announce_sitting(event, _meeting(event), EventType.SITTING_ANNOUNCED, messages.sitting_changed)


def on_sitting_cancelled(event: Event) -> None:
    meeting = _meeting(event)
    if meeting.published_at is None:
        return  # a draft called off: nobody was told of it
    _announce_sitting(event, meeting, EventType.SITTING_ANNOUNCED, messages.sitting_cancelled)


def on_sitting_soon(event: Event) -> None:
    """Once per sitting and time, however often the reminder runs: the event's unique once_key sees to
    it; a sitting moved after its reminder (a new revision) is reminded of again."""
    meeting = _meeting(event)
    if meeting.status != Meeting.Status.PUBLISHED:
        return
    _announce_sitting(
        event,
        meeting,
        EventType.SITTING_SOON,
        messages.sitting_soon,
        once_key=f"sitting.soon:{meeting.pk}:{meeting.revision}",
    )


def on_vote_opened(event: Event) -> None:
    """To the members present at the sitting (not for a paper vote: that one is cast in the room)."""
    item = AgendaItem.objects.select_related("meeting__council__okrug__district").get(pk=event.payload["item_id"])
    if item.vote_method == AgendaItem.VoteMethod.PAPER:
        return
    announce(
        kind=event.kind,
        event_type=EventType.VOTE_OPEN,
        recipients=_users(present_members(item.meeting).filter(user__isnull=False).values("user_id")),
        message_for=lambda _user: messages.vote_opened(item),
        payload=event.payload,
        is_demo=item.meeting.is_demo,
        region_id=_region(item.meeting.council),
    )


# Recommendations ----------------------------------------------------------------------------------


def _recommendation(event: Event) -> Recommendation:
    return Recommendation.objects.select_related("council__okrug__district").get(pk=event.payload["recommendation_id"])


def _council_people(council: Council) -> Q:
    """Those who run the council's sittings and judge the akim's answers (see
    `meetings.permissions.can_run_council_meetings`): its serving chair and secretary and its
    coordinator deputies, as a filter on users. The district's administrators hear of overdue
    answers through the escalation instead."""
    officers = Member.objects.filter(
        council=council, status=Member.Status.ACTIVE, role__in=OFFICER_ROLES, user__isnull=False
    ).values("user_id")
    coordinators = Coordinator.objects.filter(council=council, ended_on__isnull=True, user__isnull=False).values(
        "user_id"
    )
    return Q(pk__in=officers) | Q(pk__in=coordinators)


def _authors_behind(recommendation: Recommendation) -> Q:
    return Q(pk__in=recommendation.proposals.values("author_id"))


def _announce_recommendation(
    event: Event,
    recommendation: Recommendation,
    *,
    event_type: str,
    others: Q,
    message: Callable[[Recommendation], Message],
) -> None:
    people = User.objects.filter(_council_people(recommendation.council) | others).order_by("pk")
    announce(
        kind=event.kind,
        event_type=event_type,
        recipients=people,
        message_for=lambda _user: message(recommendation),
        payload=event.payload,
        is_demo=recommendation.is_demo,
        region_id=_region(recommendation.council),
    )


def _answer_step(event: Event, message: Callable[[Recommendation], Message]) -> None:
    """To the council's chair, secretary and coordinators, and the authors of its proposals."""
    recommendation = _recommendation(event)
    _announce_recommendation(
        event,
        recommendation,
        event_type=EventType.RECOMMENDATION_ANSWERED,
        others=_authors_behind(recommendation),
        message=message,
    )


def on_recommendation_answered(event: Event) -> None:
    _answer_step(event, messages.recommendation_answered)


def on_recommendation_forwarded(event: Event) -> None:
    _answer_step(event, messages.recommendation_forwarded)


def on_recommendation_extended(event: Event) -> None:
    _answer_step(event, messages.recommendation_extended)


def on_recommendation_overdue(event: Event) -> None:
    """To the council's chair, secretary and coordinators, and to whom the daily check escalated it
    (the district's administrators and akimat staff)."""
    recommendation = _recommendation(event)
    escalated = escalation_recipients(recommendation.council.okrug).values("pk")
    _announce_recommendation(
        event,
        recommendation,
        event_type=EventType.RECOMMENDATION_OVERDUE,
        others=Q(pk__in=escalated),
        message=messages.recommendation_overdue,
    )


# From City to Village -----------------------------------------------------------------------------


def _findable_applicants(offer: Offer) -> list[Applicant]:
    """Households that opted in to be found and whose consent stands, not yet applied to the offer,
    with what matching reads (three queries, whatever their number)."""
    members = Prefetch("members", queryset=HouseholdMember.objects.select_related("profession").order_by("id"))
    return list(
        Applicant.objects.filter(open_to_offers=True, consent_withdrawn_at__isnull=True)
        .exclude(applications__offer_id=offer.pk)
        .select_related("user")
        .prefetch_related(members, "wished_districts")
        .order_by("pk")
    )


def on_offer_published(event: Event) -> None:
    """To each findable household the offer suits by the programme's matching rules (`rank_offers`
    over this one offer: the same points the household's own list of matches gives it, except that a
    support measure away from their wished districts does not count as a match on its own)."""
    offer = Offer.objects.select_related(*OFFER_RELATED).get(pk=event.payload["offer_id"])
    today = timezone.localdate()
    if not is_open(offer, today):
        return
    suited = {
        applicant.user_id: applicant
        for applicant in _findable_applicants(offer)
        if rank_offers(facts_of(applicant, today=today), [offer], today=today)
    }

    def message_for(user: Any) -> Message:
        # Ranked again in the recipient's language, so the reasons read in it (no queries).
        found = rank_offers(facts_of(suited[user.pk], today=today), [offer], today=today)
        return messages.offer_match(offer, reasons=found[0].reasons if found else [])

    announce(
        kind=event.kind,
        event_type=EventType.OFFER_MATCH,
        recipients=[applicant.user for applicant in suited.values()],
        message_for=message_for,
        payload=event.payload,
        is_demo=offer.is_demo,
        region_id=offer.district.region_id,
    )


HANDLERS: dict[str, Callable[[Event], None]] = {
    "proposal.status_changed": on_proposal_status_changed,
    "sitting.announced": on_sitting_announced,
    "sitting.changed": on_sitting_changed,
    "sitting.cancelled": on_sitting_cancelled,
    "sitting.soon": on_sitting_soon,
    "vote.opened": on_vote_opened,
    "recommendation.answered": on_recommendation_answered,
    "recommendation.forwarded": on_recommendation_forwarded,
    "recommendation.extended": on_recommendation_extended,
    "recommendation.overdue": on_recommendation_overdue,
    "offer.published": on_offer_published,
}


def register() -> None:
    """Subscribes every handler of this module to its event (kenes.core.events)."""
    for kind, handler in HANDLERS.items():
        subscribe(kind, handler)
