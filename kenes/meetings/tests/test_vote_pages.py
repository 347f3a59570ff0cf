"""The member's voting page on a phone, through the HTTP client: big buttons per open item, "you
have voted" afterwards, no results before the vote closes, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accounts.tests.factories import UserFactory
from kenes.councils.tests.factories import MemberFactory
from kenes.meetings.models import AgendaItem, Attendance, BallotCast, Choice, SecretTally, Vote
from kenes.meetings.tests.factories import sitting_with_members
from kenes.proposals.tests.pages import assert_escaped, page, signed_in

pytestmark = pytest.mark.django_db


def vote_url(sitting: Any) -> str:
    return reverse("meetings:vote", args=[sitting.meeting.pk])


def cast(client: Client, sitting: Any, item: AgendaItem, choice: str) -> Any:
    return client.post(vote_url(sitting), {"item": item.pk, "choice": choice}, follow=True)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_present_member_votes_with_one_of_three_buttons_and_then_sees_that_they_voted(language: str) -> None:
    sitting = sitting_with_members(3)
    item = sitting.item(vote_state=AgendaItem.VoteState.OPEN)
    member = sitting.members[2]
    client = signed_in(member.user, language)

    html = page(client.get(vote_url(sitting)))
    assert f'<html lang="{language}">' in html
    assert_escaped(html)
    assert escape(item.title) in html
    for choice in ("for", "against", "abstain"):
        assert f'name="choice" value="{choice}"' in html

    html = page(cast(client, sitting, item, "against"))

    assert Vote.objects.get(item=item, member=member).choice == Choice.AGAINST
    assert 'name="choice"' not in html
    assert 'class="voted"' in html
    # No result while the vote is open, neither on the phone nor on the public page.
    public = page(Client().get(reverse("meetings:detail", args=[sitting.meeting.pk])))
    assert "result-" not in public.split(f'id="item-{item.pk}"')[1]


def test_a_second_vote_on_the_same_item_is_refused_with_a_message() -> None:
    sitting = sitting_with_members(3)
    item = sitting.item(vote_state=AgendaItem.VoteState.OPEN)
    client = signed_in(sitting.members[2].user)
    cast(client, sitting, item, "for")

    response = cast(client, sitting, item, "against")

    assert [str(m) for m in response.context["messages"]]
    assert Vote.objects.get(item=item, member=sitting.members[2]).choice == Choice.FOR


def test_a_member_marked_absent_sees_why_and_cannot_vote() -> None:
    sitting = sitting_with_members(3)
    item = sitting.item(vote_state=AgendaItem.VoteState.OPEN)
    member = sitting.members[2]
    Attendance.objects.filter(meeting=sitting.meeting, member=member).update(present=False)
    client = signed_in(member.user)

    html = page(client.get(vote_url(sitting)))
    assert 'name="choice"' not in html

    cast(client, sitting, item, "for")
    assert not Vote.objects.filter(item=item).exists()


def test_a_member_who_left_cannot_vote() -> None:
    sitting = sitting_with_members(3)
    item = sitting.item(vote_state=AgendaItem.VoteState.OPEN)
    member = sitting.members[2]
    Attendance.objects.filter(meeting=sitting.meeting, member=member).update(left_at=timezone.now())

    cast(signed_in(member.user), sitting, item, "for")

    assert not Vote.objects.filter(item=item).exists()


def test_a_vote_not_open_or_closed_is_refused() -> None:
    sitting = sitting_with_members(3)
    waiting = sitting.item()
    client = signed_in(sitting.members[2].user)

    assert escape(waiting.title) not in page(client.get(vote_url(sitting)))
    response = cast(client, sitting, waiting, "for")

    assert [str(m) for m in response.context["messages"]]
    assert not Vote.objects.filter(item=waiting).exists()


def test_the_voting_page_is_not_found_for_someone_not_on_the_council_and_asks_the_anonymous_to_log_in(
    client: Client,
) -> None:
    sitting = sitting_with_members(3)
    item = sitting.item(vote_state=AgendaItem.VoteState.OPEN)
    other_council_member = MemberFactory.create(user=UserFactory.create())

    assert signed_in(UserFactory.create()).get(vote_url(sitting)).status_code == 404
    response = signed_in(other_council_member.user).post(vote_url(sitting), {"item": item.pk, "choice": "for"})
    assert response.status_code == 404
    response = client.get(vote_url(sitting))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Vote.objects.filter(item=item).exists()


def test_an_item_of_another_sitting_is_not_found_and_a_bad_choice_is_refused() -> None:
    sitting = sitting_with_members(3)
    elsewhere = sitting_with_members(3).item(vote_state=AgendaItem.VoteState.OPEN)
    item = sitting.item(vote_state=AgendaItem.VoteState.OPEN)
    client = signed_in(sitting.members[2].user)

    assert client.post(vote_url(sitting), {"item": elsewhere.pk, "choice": "for"}).status_code == 404
    response = cast(client, sitting, item, "maybe")
    assert [str(m) for m in response.context["messages"]]
    assert not Vote.objects.exists()


def test_a_secret_ballot_records_who_voted_but_not_with_what() -> None:
    sitting = sitting_with_members(3, {"secret_ballot_allowed": True})
    item = sitting.item(vote_method=AgendaItem.VoteMethod.SECRET, vote_state=AgendaItem.VoteState.OPEN)
    member = sitting.members[2]
    client = signed_in(member.user)

    html = page(cast(client, sitting, item, "for"))

    assert BallotCast.objects.filter(item=item, member=member).exists()
    assert not Vote.objects.filter(item=item).exists()
    assert SecretTally.objects.get(item=item, choice=Choice.FOR).count == 1
    assert 'class="voted"' in html


def test_a_paper_vote_is_not_offered_on_the_phone() -> None:
    sitting = sitting_with_members(3)
    item = sitting.item(vote_method=AgendaItem.VoteMethod.PAPER, vote_state=AgendaItem.VoteState.OPEN)

    html = page(signed_in(sitting.members[2].user).get(vote_url(sitting)))

    assert escape(item.title) not in html
