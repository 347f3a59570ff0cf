"""Voting at a sitting: quorum, who may vote, the majority rules, paper tallies, hidden results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from kenes.accounts.tests.factories import UserFactory
from kenes.core.errors import DomainError
from kenes.councils.models import Member
from kenes.councils.tests.factories import MemberFactory
from kenes.meetings import selectors, services
from kenes.meetings.models import AgendaItem, Attendance, Choice, Vote
from kenes.meetings.tests.factories import sitting_with_members

pytestmark = pytest.mark.django_db


def refused(code: str, call, **kwargs) -> None:
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    assert error.value.code == code


def extra(item: AgendaItem, name: str) -> Any:
    """An attribute a selector sets on the items it returns."""
    return item.__dict__[name]


def open_item(sitting, **fields) -> AgendaItem:
    item = sitting.item(**fields)
    services.open_vote(actor=sitting.secretary, item=item)
    return item


def vote_all(item: AgendaItem, members: Sequence[Member], choices: Sequence[str]) -> None:
    for member, choice in zip(members, choices, strict=True):
        services.cast_vote(actor=member.user, item=item, choice=choice)


def test_exactly_half_present_with_a_fifty_percent_quorum_is_a_quorum():
    sitting = sitting_with_members(10, charter={"quorum_percent": 50})
    Attendance.objects.filter(member__in=sitting.members[5:]).update(present=False)
    quorum = selectors.quorum_of(sitting.meeting)
    assert (quorum.present, quorum.active, quorum.required, quorum.reached) == (5, 10, 5, True)
    item = open_item(sitting)
    services.cast_vote(actor=sitting.members[0].user, item=item, choice=Choice.FOR)
    assert Vote.objects.filter(item=item).count() == 1


def test_one_less_than_half_present_is_no_quorum_and_the_vote_is_refused():
    sitting = sitting_with_members(10, charter={"quorum_percent": 50})
    Attendance.objects.filter(member__in=sitting.members[4:]).update(present=False)
    assert not selectors.quorum_of(sitting.meeting).reached
    refused("no_quorum", services.open_vote, actor=sitting.secretary, item=sitting.item())


def test_members_leaving_mid_sitting_drop_the_count_and_voting_is_then_refused():
    sitting = sitting_with_members(6, charter={"quorum_percent": 50})
    item = open_item(sitting)
    services.cast_vote(actor=sitting.members[0].user, item=item, choice=Choice.FOR)
    for member in sitting.members[3:5]:
        services.mark_left(actor=sitting.secretary, meeting=sitting.meeting, member=member)
    quorum = selectors.quorum_of(sitting.meeting)
    assert (quorum.present, quorum.reached) == (4, True)
    services.mark_left(actor=sitting.secretary, meeting=sitting.meeting, member=sitting.members[5])
    assert selectors.quorum_of(sitting.meeting).present == 3
    assert selectors.quorum_of(sitting.meeting).reached  # 3 of 6 is still half
    services.mark_left(actor=sitting.secretary, meeting=sitting.meeting, member=sitting.members[2])
    assert not selectors.quorum_of(sitting.meeting).reached
    refused("no_quorum", services.cast_vote, actor=sitting.members[1].user, item=item, choice=Choice.FOR)
    refused("not_present", services.cast_vote, actor=sitting.members[2].user, item=item, choice=Choice.FOR)


def test_a_vote_closed_without_quorum_is_not_adopted():
    sitting = sitting_with_members(4)
    item = open_item(sitting)
    vote_all(item, sitting.members[:2], [Choice.FOR, Choice.FOR])
    services.mark_left(actor=sitting.secretary, meeting=sitting.meeting, member=sitting.members[3])
    services.mark_left(actor=sitting.secretary, meeting=sitting.meeting, member=sitting.members[2])
    services.mark_left(actor=sitting.secretary, meeting=sitting.meeting, member=sitting.members[0])
    closed = services.close_vote(actor=sitting.secretary, item=item)
    assert (closed.outcome, closed.votes_for, closed.present_at_close) == (AgendaItem.Outcome.REJECTED, 2, 1)


def test_a_member_who_left_and_came_back_may_vote_again():
    sitting = sitting_with_members(3)
    member = sitting.members[2]
    services.mark_left(actor=sitting.secretary, meeting=sitting.meeting, member=member)
    services.record_attendance(actor=sitting.secretary, meeting=sitting.meeting, member=member, present=True)
    item = open_item(sitting)
    services.cast_vote(actor=member.user, item=item, choice=Choice.AGAINST)
    assert Vote.objects.get(item=item).member == member


def test_a_majority_of_those_present_adopts_and_a_tie_does_not():
    sitting = sitting_with_members(8, charter={"majority_rule": "of_present"})
    Attendance.objects.filter(member__in=sitting.members[6:]).update(present=False)
    adopted = open_item(sitting)
    vote_all(adopted, sitting.members[:6], [Choice.FOR] * 4 + [Choice.AGAINST, Choice.ABSTAIN])
    assert services.close_vote(actor=sitting.secretary, item=adopted).outcome == AgendaItem.Outcome.ADOPTED
    tie = open_item(sitting)
    vote_all(tie, sitting.members[:6], [Choice.FOR] * 3 + [Choice.AGAINST] * 3)
    closed = services.close_vote(actor=sitting.secretary, item=tie)
    assert (closed.outcome, closed.votes_for, closed.votes_against) == (AgendaItem.Outcome.REJECTED, 3, 3)


def test_a_majority_of_all_members_counts_the_absent_too():
    sitting = sitting_with_members(10, charter={"majority_rule": "of_all_members"})
    Attendance.objects.filter(member__in=sitting.members[7:]).update(present=False)
    five = open_item(sitting)
    vote_all(five, sitting.members[:7], [Choice.FOR] * 5 + [Choice.AGAINST] * 2)
    closed = services.close_vote(actor=sitting.secretary, item=five)
    assert (closed.outcome, closed.present_at_close, closed.members_at_close) == (AgendaItem.Outcome.REJECTED, 7, 10)
    six = open_item(sitting)
    vote_all(six, sitting.members[:7], [Choice.FOR] * 6 + [Choice.ABSTAIN])
    assert services.close_vote(actor=sitting.secretary, item=six).outcome == AgendaItem.Outcome.ADOPTED


def test_it_refuses_a_vote_from_someone_who_is_not_a_member():
    sitting = sitting_with_members(3)
    item = open_item(sitting)
    refused("not_member", services.cast_vote, actor=UserFactory.create(), item=item, choice=Choice.FOR)


def test_it_refuses_a_vote_from_a_former_member():
    sitting = sitting_with_members(4)
    member = sitting.members[3]
    Member.objects.filter(pk=member.pk).update(status=Member.Status.RESIGNED, ended_on=member.term_start)
    item = open_item(sitting)
    refused("not_member", services.cast_vote, actor=member.user, item=item, choice=Choice.FOR)


def test_it_refuses_a_vote_from_an_absent_member():
    sitting = sitting_with_members(5)
    absent = MemberFactory.create(council=sitting.council, user=UserFactory.create())
    item = open_item(sitting)
    refused("not_present", services.cast_vote, actor=absent.user, item=item, choice=Choice.FOR)
    services.record_attendance(actor=sitting.secretary, meeting=sitting.meeting, member=absent, present=False)
    refused("not_present", services.cast_vote, actor=absent.user, item=item, choice=Choice.FOR)


def test_it_refuses_a_vote_before_the_vote_is_open():
    sitting = sitting_with_members(3)
    refused("vote_not_open", services.cast_vote, actor=sitting.members[0].user, item=sitting.item(), choice="for")


def test_it_refuses_a_vote_after_the_vote_is_closed_and_the_result_stays():
    sitting = sitting_with_members(3)
    item = open_item(sitting)
    vote_all(item, sitting.members[:2], [Choice.FOR, Choice.FOR])
    services.close_vote(actor=sitting.secretary, item=item)
    refused("vote_closed", services.cast_vote, actor=sitting.members[2].user, item=item, choice=Choice.AGAINST)
    refused("vote_closed", services.close_vote, actor=sitting.secretary, item=item)
    refused("vote_closed", services.open_vote, actor=sitting.secretary, item=item)
    item.refresh_from_db()
    assert (item.votes_for, item.votes_against, item.outcome) == (2, 0, AgendaItem.Outcome.ADOPTED)
    assert Vote.objects.filter(item=item).count() == 2


def test_it_refuses_a_second_vote_by_the_same_member():
    sitting = sitting_with_members(3)
    item = open_item(sitting)
    services.cast_vote(actor=sitting.members[0].user, item=item, choice=Choice.FOR)
    refused("already_voted", services.cast_vote, actor=sitting.members[0].user, item=item, choice=Choice.AGAINST)
    assert list(Vote.objects.filter(item=item).values_list("choice", flat=True)) == [Choice.FOR]


def test_it_refuses_a_choice_that_does_not_exist():
    sitting = sitting_with_members(3)
    item = open_item(sitting)
    refused("invalid_choice", services.cast_vote, actor=sitting.members[0].user, item=item, choice="maybe")


def test_a_member_who_is_not_an_officer_may_not_open_a_vote():
    sitting = sitting_with_members(3)
    refused("forbidden", services.open_vote, actor=sitting.members[2].user, item=sitting.item())


def test_a_paper_tally_is_entered_by_the_secretary_and_decides_the_item():
    sitting = sitting_with_members(5)
    item = open_item(sitting, vote_method=AgendaItem.VoteMethod.PAPER)
    refused("paper_vote", services.cast_vote, actor=sitting.members[0].user, item=item, choice=Choice.FOR)
    refused("tally_missing", services.close_vote, actor=sitting.secretary, item=item)
    services.record_paper_tally(actor=sitting.secretary, item=item, votes_for=3, votes_against=1, votes_abstain=1)
    closed = services.close_vote(actor=sitting.secretary, item=item)
    assert (closed.votes_for, closed.votes_against, closed.votes_abstain) == (3, 1, 1)
    assert closed.outcome == AgendaItem.Outcome.ADOPTED


def test_a_paper_tally_with_more_votes_than_members_present_is_refused():
    sitting = sitting_with_members(5)
    Attendance.objects.filter(member=sitting.members[4]).update(present=False)
    item = open_item(sitting, vote_method=AgendaItem.VoteMethod.PAPER)
    refused(
        "tally_exceeds_present",
        services.record_paper_tally,
        actor=sitting.secretary,
        item=item,
        votes_for=3,
        votes_against=1,
        votes_abstain=1,
    )
    refused(
        "tally_exceeds_present",
        services.record_paper_tally,
        actor=sitting.secretary,
        item=item,
        votes_for=-1,
        votes_against=0,
        votes_abstain=0,
    )
    item.refresh_from_db()
    assert item.votes_for is None


def test_results_are_hidden_until_the_vote_closes():
    sitting = sitting_with_members(3)
    item = open_item(sitting)
    paper = open_item(sitting, vote_method=AgendaItem.VoteMethod.PAPER)
    services.record_paper_tally(actor=sitting.secretary, item=paper, votes_for=2, votes_against=0, votes_abstain=0)
    vote_all(item, sitting.members[:2], [Choice.FOR, Choice.AGAINST])
    assert selectors.vote_result(item) is None
    agenda = selectors.agenda_of(sitting.meeting)
    assert [extra(entry, "result") for entry in agenda] == [None, None]
    assert agenda[1].votes_for is None  # the paper tally is not shown before the close
    services.close_vote(actor=sitting.secretary, item=item)
    result = selectors.vote_result(AgendaItem.objects.get(pk=item.pk))
    assert result is not None
    assert (result.votes_for, result.votes_against, result.present, result.members) == (1, 1, 3, 3)
    assert sorted(vote.choice for vote in result.named) == [Choice.AGAINST, Choice.FOR]
    assert {vote.member_id for vote in result.named} == {m.pk for m in sitting.members[:2]}


def test_the_agenda_with_results_is_read_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    sitting = sitting_with_members(4)
    for _ in range(4):
        item = open_item(sitting)
        vote_all(item, sitting.members, [Choice.FOR] * 4)
        services.close_vote(actor=sitting.secretary, item=item)
    with django_assert_max_num_queries(4):
        agenda = selectors.agenda_of(sitting.meeting)
        assert all(len(extra(entry, "result").named) == 4 for entry in agenda)
        assert all(extra(entry, "recommendation_or_none") is not None for entry in agenda)


def test_a_secret_ballot_is_refused_when_the_charter_does_not_allow_it():
    sitting = sitting_with_members(3, charter={"secret_ballot_allowed": False})
    refused(
        "secret_not_allowed",
        services.add_agenda_item,
        actor=sitting.secretary,
        meeting=sitting.meeting,
        title="Төрағаны сайлау",
        vote_method=AgendaItem.VoteMethod.SECRET,
    )
    item = sitting.item(vote_method=AgendaItem.VoteMethod.SECRET)  # arranged past the service
    refused("secret_not_allowed", services.open_vote, actor=sitting.secretary, item=item)


def test_open_votes_for_a_member_show_what_they_may_still_vote():
    sitting = sitting_with_members(3)
    first = open_item(sitting)
    open_item(sitting)
    sitting.item()
    services.cast_vote(actor=sitting.members[0].user, item=first, choice=Choice.FOR)
    items = selectors.open_votes_for(sitting.members[0].user, sitting.meeting)
    assert [(entry.pk == first.pk, extra(entry, "already_voted")) for entry in items] == [
        (True, True),
        (False, False),
    ]
    assert selectors.open_votes_for(UserFactory.create(), sitting.meeting) == []
