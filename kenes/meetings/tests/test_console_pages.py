"""The secretary's console and the scheduling form through the HTTP client: the whole sitting from
scheduling to a sent recommendation, refusals shown as messages, and who may reach the console."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accounts.tests.factories import UserFactory
from kenes.meetings.models import AgendaItem, Attendance, Meeting, Recommendation
from kenes.meetings.tests.factories import SCRIPT, AgendaItemFactory, MeetingFactory, sitting_with_members
from kenes.proposals.models import Status
from kenes.proposals.tests.factories import ProposalFactory
from kenes.proposals.tests.pages import assert_escaped, page, signed_in

pytestmark = pytest.mark.django_db


def local_input(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def post(client: Client, meeting: Meeting, action: str, **data: Any) -> Any:
    return client.post(reverse("meetings:console", args=[meeting.pk]), {"action": action, **data})


def messages_of(response: Any) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_secretary_runs_a_sitting_from_scheduling_to_a_sent_recommendation(language: str) -> None:
    existing = sitting_with_members(3)
    council, (chair, secretary_member, member) = existing.council, existing.members
    secretary = signed_in(existing.secretary, language)
    proposal = ProposalFactory.create(council=council, status=Status.READY)

    # Schedule.
    response = secretary.post(
        reverse("meetings:schedule", args=[council.okrug.kato]),
        {
            # Today, so that the recommendation can be sent today (not before the day it is adopted).
            "starts_at": local_input(timezone.now()),
            "kind": Meeting.Kind.REGULAR,
            "place": f"Клуб {SCRIPT}",
        },
    )
    meeting = Meeting.objects.exclude(pk=existing.meeting.pk).get(council=council)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:console", args=[meeting.pk])
    html = page(secretary.get(response["Location"]))
    assert_escaped(html)
    assert escape(proposal.title) in html

    # Agenda: the ready proposal and a question.
    assert (
        post(
            secretary, meeting, "add_proposal", **{"proposal-proposal": proposal.pk, "proposal-vote_method": "open"}
        ).status_code
        == 302
    )
    assert (
        post(
            secretary,
            meeting,
            "add_question",
            **{"question-title": f"Бюджет {SCRIPT}", "question-text": "Мәтін", "question-vote_method": "open"},
        ).status_code
        == 302
    )
    items = list(meeting.items.order_by("position"))
    assert [item.proposal_id for item in items] == [proposal.pk, None]
    proposal.refresh_from_db()
    assert proposal.status == Status.ON_AGENDA

    # Publish (late: the reason is needed) and open.
    assert post(secretary, meeting, "publish").status_code == 400
    assert post(secretary, meeting, "publish", late_notice_reason="Шұғыл").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.late_notice_reason == "Шұғыл"
    assert post(secretary, meeting, "open").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.IN_PROGRESS

    # Attendance: all three present, a guest.
    present = [str(m.pk) for m in (chair, secretary_member, member)]
    assert post(secretary, meeting, "attendance", present=present).status_code == 302
    assert Attendance.objects.filter(meeting=meeting, present=True, left_at__isnull=True).count() == 3
    post(secretary, meeting, "guest", **{"guest-full_name": f"Қонақ {SCRIPT}", "guest-affiliation": ""})
    assert meeting.guests.count() == 1

    # The vote on the proposal: opened, the members vote on their phones, closed.
    item = items[0]
    assert post(secretary, meeting, "open_vote", item=item.pk).status_code == 302
    for voter in (chair, secretary_member, member):
        response = signed_in(voter.user, language).post(
            reverse("meetings:vote", args=[meeting.pk]), {"item": item.pk, "choice": "for"}
        )
        assert response.status_code == 302
    console = page(secretary.get(reverse("meetings:console", args=[meeting.pk])))
    assert "result-adopted" not in console  # nothing shown before the vote closes
    response = post(secretary, meeting, "close_vote", item=item.pk, decision_reason="")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.vote_state == AgendaItem.VoteState.CLOSED
    assert item.outcome == AgendaItem.Outcome.ADOPTED
    assert item.votes_for == 3

    # The recommendation appears; the secretary edits and sends it.
    recommendation = Recommendation.objects.get(item=item)
    console = page(secretary.get(reverse("meetings:console", args=[meeting.pk])))
    assert recommendation.number in console
    assert_escaped(console)
    response = post(
        secretary,
        meeting,
        "save_recommendation",
        recommendation=recommendation.pk,
        text_kk=f"Шам орнату {SCRIPT}",
        text_ru=f"Установить фонари {SCRIPT}",
        addressee_kind=Recommendation.Addressee.OKRUG_AKIM,
        addressee_name="Округ әкімі",
    )
    assert response.status_code == 302
    assert post(secretary, meeting, "send_recommendation", recommendation=recommendation.pk).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.SENT
    assert recommendation.due_on is not None
    assert recommendation.text_ru == f"Установить фонари {SCRIPT}"

    # The question stays unvoted; the sitting closes.
    assert post(secretary, meeting, "close").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CLOSED

    public = page(Client().get(reverse("meetings:detail", args=[meeting.pk])))
    assert recommendation.number in public
    assert reverse("meetings:minutes_pdf", args=[meeting.pk, "kk"]) in public
    assert_escaped(public)


def test_publishing_late_without_a_reason_is_refused_then_the_reason_is_shown() -> None:
    existing = sitting_with_members(3)
    secretary = signed_in(existing.secretary)
    meeting = MeetingFactory.create(council=existing.council, starts_at=timezone.now() + datetime.timedelta(days=1))
    AgendaItemFactory.create(meeting=meeting)

    console = page(secretary.get(reverse("meetings:console", args=[meeting.pk])))
    assert 'name="late_notice_reason"' in console

    response = post(secretary, meeting, "publish")
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT

    post(secretary, meeting, "publish", late_notice_reason=f"Су тасқыны {SCRIPT}")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    public = page(Client().get(reverse("meetings:detail", args=[meeting.pk])))
    assert escape(f"Су тасқыны {SCRIPT}") in public


def test_a_refused_action_shows_the_service_message() -> None:
    existing = sitting_with_members(4)
    secretary = signed_in(existing.secretary)
    Attendance.objects.filter(meeting=existing.meeting).exclude(member=existing.members[0]).update(present=False)
    item = existing.item()

    response = post(secretary, existing.meeting, "open_vote", item=item.pk)

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.vote_state == AgendaItem.VoteState.NOT_OPENED
    followed = secretary.get(response["Location"])
    assert messages_of(followed)
    assert "quorum-no" in followed.content.decode()


def test_the_secretary_records_a_paper_tally_and_marks_a_member_who_left() -> None:
    existing = sitting_with_members(4)
    secretary = signed_in(existing.secretary)
    item = existing.item(vote_method=AgendaItem.VoteMethod.PAPER, vote_state=AgendaItem.VoteState.OPEN)

    post(secretary, existing.meeting, "left", member=existing.members[3].pk)
    post(secretary, existing.meeting, "paper_tally", item=item.pk, votes_for=1, votes_against=2, votes_abstain=0)
    post(secretary, existing.meeting, "close_vote", item=item.pk, decision_reason=f"Қаражат жоқ {SCRIPT}")

    item.refresh_from_db()
    assert Attendance.objects.get(meeting=existing.meeting, member=existing.members[3]).left_at is not None
    assert (item.votes_for, item.votes_against, item.outcome) == (1, 2, AgendaItem.Outcome.REJECTED)
    html = page(Client().get(reverse("meetings:detail", args=[existing.meeting.pk])))
    assert escape(f"Қаражат жоқ {SCRIPT}") in html


def test_an_invalid_paper_tally_shows_the_form_errors_by_the_item() -> None:
    existing = sitting_with_members(3)
    item = existing.item(vote_method=AgendaItem.VoteMethod.PAPER, vote_state=AgendaItem.VoteState.OPEN)

    response = post(signed_in(existing.secretary), existing.meeting, "paper_tally", item=item.pk, votes_for="x")

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="tally-{item.pk}-votes_for"' in html
    assert "errorlist" in html


def test_the_console_is_not_found_for_a_member_or_a_stranger_and_asks_the_anonymous_to_log_in(client: Client) -> None:
    existing = sitting_with_members(3)
    url = reverse("meetings:console", args=[existing.meeting.pk])

    assert signed_in(existing.members[2].user).get(url).status_code == 404
    assert signed_in(UserFactory.create()).post(url, {"action": "close"}).status_code == 404
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    existing.meeting.refresh_from_db()
    assert existing.meeting.status == Meeting.Status.IN_PROGRESS


def test_scheduling_is_not_found_for_a_member_and_refuses_a_sitting_without_place_or_link() -> None:
    existing = sitting_with_members(3)
    url = reverse("meetings:schedule", args=[existing.council.okrug.kato])

    assert signed_in(existing.members[2].user).get(url).status_code == 404
    response = signed_in(existing.secretary).post(
        url, {"starts_at": local_input(timezone.now() + datetime.timedelta(days=9)), "kind": "regular"}
    )
    assert response.status_code == 400
    assert Meeting.objects.filter(council=existing.council).count() == 1


def test_an_unknown_item_or_action_is_refused() -> None:
    existing = sitting_with_members(3)
    other = AgendaItemFactory.create()
    secretary = signed_in(existing.secretary)

    assert post(secretary, existing.meeting, "open_vote", item=other.pk).status_code == 404
    assert post(secretary, existing.meeting, "launch").status_code == 400


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_secretary_moves_an_announced_sitting_and_the_public_page_gives_the_reason(language: str) -> None:
    existing = sitting_with_members(3)
    secretary = signed_in(existing.secretary, language)
    meeting = MeetingFactory.create(
        council=existing.council,
        status=Meeting.Status.PUBLISHED,
        published_at=timezone.now(),
        starts_at=timezone.now() + datetime.timedelta(days=10),
    )
    new_start = timezone.now() + datetime.timedelta(days=15)
    form = {"change-starts_at": local_input(new_start), "change-kind": "regular", "change-place": "Мәдениет үйі"}

    console = page(secretary.get(reverse("meetings:console", args=[meeting.pk])))
    assert 'name="change-reason"' in console
    assert 'name="change-starts_at"' in console

    refused = post(secretary, meeting, "change", **form)
    assert refused.status_code == 400
    assert "errorlist" in refused.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).revision == 0

    moved = post(secretary, meeting, "change", **form, **{"change-reason": f"Жөндеу {SCRIPT}"})
    assert moved.status_code == 302
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.place, stored.revision, local_input(stored.starts_at)) == ("Мәдениет үйі", 1, local_input(new_start))
    public = page(Client().get(reverse("meetings:detail", args=[meeting.pk])))
    assert escape(f"Жөндеу {SCRIPT}") in public
    assert_escaped(public)
    listing = page(Client().get(reverse("meetings:council", args=[existing.council.okrug.kato])))
    assert escape(f"Жөндеу {SCRIPT}") in listing
    calendar = Client().get(reverse("meetings:ical", args=[existing.council.okrug.kato])).content.decode()
    assert "SEQUENCE:1" in calendar


def test_a_draft_is_changed_without_a_reason_field() -> None:
    existing = sitting_with_members(3)
    secretary = signed_in(existing.secretary)
    meeting = MeetingFactory.create(council=existing.council, starts_at=timezone.now() + datetime.timedelta(days=9))
    console = page(secretary.get(reverse("meetings:console", args=[meeting.pk])))
    assert 'name="change-reason"' not in console

    response = post(
        secretary,
        meeting,
        "change",
        **{
            "change-starts_at": local_input(meeting.starts_at),
            "change-kind": "hearing",
            "change-place": "",
            "change-online_link": "https://meet.example.kz/a",
        },
    )

    assert response.status_code == 302
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.kind, stored.online_link, stored.revision) == ("hearing", "https://meet.example.kz/a", 0)
