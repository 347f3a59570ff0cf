"""What each event says to a person: one function per event kind, called by `services.announce` inside
the recipient's language (`translation.override`), so `gettext` here returns their words.

The title is also the SMS text: it stays short (one SMS holds 70 Cyrillic letters) and names no
user-written title; the proposal's, sitting's or offer's own words go in the body (email, Telegram,
the notice on the site). The url is the page the message is about, a path on the site.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kenes.meetings.models import AgendaItem, Meeting, Recommendation
from kenes.notifications.services import Message
from kenes.proposals.lifecycle import status_label
from kenes.proposals.models import Proposal
from kenes.relocation.models import Offer


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _when(moment: datetime.datetime) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {"date": _day(local.date()), "time": date_format(local, "TIME_FORMAT")}


def _lines(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


# Proposals ----------------------------------------------------------------------------------------


def proposal_status(proposal: Proposal, *, status: str, is_author: bool) -> Message:
    """The proposal's new status, to its author ("Your proposal: …") or a supporter."""
    values = {"status": status_label(status)}
    title = _("Your proposal: %(status)s") % values if is_author else _("A proposal you support: %(status)s") % values
    body = _("“%(title)s” — %(status)s.") % {"title": proposal.title, "status": values["status"]}
    return Message(title=title, body=body, url=reverse("proposals:detail", args=[proposal.pk]))


# Sittings -----------------------------------------------------------------------------------------


def _sitting_body(meeting: Meeting, headline: str) -> str:
    where = _("Place: %(place)s") % {"place": meeting.place} if meeting.place else ""
    online = _("Online: %(link)s") % {"link": meeting.online_link} if meeting.online_link else ""
    council = _("Council of %(okrug)s") % {"okrug": meeting.council.okrug}
    return _lines(council, headline, "\n".join(part for part in (where, online) if part))


def _sitting_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def sitting_announced(meeting: Meeting) -> Message:
    title = _("Sitting on %(date)s at %(time)s") % _when(meeting.starts_at)
    headline = _("The council announced its sitting and the agenda: %(kind)s.") % {"kind": meeting.get_kind_display()}
    return Message(title=title, body=_sitting_body(meeting, headline), url=_sitting_url(meeting))


def sitting_changed(meeting: Meeting) -> Message:
    title = _("Sitting changed: %(date)s at %(time)s") % _when(meeting.starts_at)
    headline = _lines(
        _("The time or place of the sitting has changed."),
        _("Reason: %(reason)s") % {"reason": meeting.change_reason} if meeting.change_reason else "",
    )
    return Message(title=title, body=_sitting_body(meeting, headline), url=_sitting_url(meeting))


def sitting_cancelled(meeting: Meeting) -> Message:
    title = _("Sitting of %(date)s cancelled") % _when(meeting.starts_at)
    headline = _("The sitting of %(date)s at %(time)s will not take place.") % _when(meeting.starts_at)
    return Message(title=title, body=_sitting_body(meeting, headline), url=_sitting_url(meeting))


def sitting_soon(meeting: Meeting) -> Message:
    title = _("Reminder: sitting %(date)s at %(time)s") % _when(meeting.starts_at)
    headline = _("The sitting starts soon.")
    return Message(title=title, body=_sitting_body(meeting, headline), url=_sitting_url(meeting))


def vote_opened(item: AgendaItem) -> Message:
    title = _("Vote open: agenda item %(position)s") % {"position": item.position}
    body = _lines(f"{item.position}. {item.title}", _("Vote on your phone now."))
    return Message(title=title, body=body, url=reverse("meetings:vote", args=[item.meeting_id]))


# Recommendations ----------------------------------------------------------------------------------


def _recommendation_text(recommendation: Recommendation) -> str:
    # Official texts exist in Kazakh and Russian; an English reader gets the Russian one.
    return recommendation.text_kk if get_language() == "kk" else recommendation.text_ru


def _recommendation_url(recommendation: Recommendation) -> str:
    return reverse("accountability:recommendation", args=[recommendation.pk])


def _recommendation_message(recommendation: Recommendation, *, title: str, headline: str) -> Message:
    body = _lines(headline, _recommendation_text(recommendation))
    return Message(title=title, body=body, url=_recommendation_url(recommendation))


def _due(recommendation: Recommendation) -> str:
    return _day(recommendation.due_on) if recommendation.due_on else "—"


def recommendation_answered(recommendation: Recommendation) -> Message:
    return _recommendation_message(
        recommendation,
        title=_("Recommendation %(number)s answered") % {"number": recommendation.number},
        headline=_("%(addressee)s answered: %(answer)s.")
        % {"addressee": recommendation.addressee_name, "answer": recommendation.get_answer_kind_display()},
    )


def recommendation_forwarded(recommendation: Recommendation) -> Message:
    return _recommendation_message(
        recommendation,
        title=_("Recommendation %(number)s forwarded") % {"number": recommendation.number},
        headline=_("Forwarded to %(addressee)s; the answer is due by %(date)s.")
        % {"addressee": recommendation.addressee_name, "date": _due(recommendation)},
    )


def recommendation_extended(recommendation: Recommendation) -> Message:
    return _recommendation_message(
        recommendation,
        title=_("Recommendation %(number)s: deadline extended") % {"number": recommendation.number},
        headline=_("%(addressee)s extended the answer deadline to %(date)s.")
        % {"addressee": recommendation.addressee_name, "date": _due(recommendation)},
    )


def recommendation_overdue(recommendation: Recommendation) -> Message:
    return _recommendation_message(
        recommendation,
        title=_("Answer overdue: recommendation %(number)s") % {"number": recommendation.number},
        headline=_("%(addressee)s has not answered by %(date)s.")
        % {"addressee": recommendation.addressee_name, "date": _due(recommendation)},
    )


# From City to Village -----------------------------------------------------------------------------


def offer_match(offer: Offer, *, reasons: list[str]) -> Message:
    """A new offer that suits the household, with why (the matching's reasons, already in the
    recipient's language: the handler ranks under their language too)."""
    title = _("New offer for your family: %(kind)s") % {"kind": offer.get_kind_display()}
    place = _("%(settlement)s, %(district)s") % {
        "settlement": offer.settlement.short_name,
        "district": offer.district.short_name,
    }
    body = _lines(offer.title, place, "; ".join(reasons))
    return Message(title=title, body=body, url=reverse("relocation:offer", args=[offer.pk]))
