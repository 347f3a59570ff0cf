"""Votes cast at the same moment: every member's vote counts once and only once. PostgreSQL only
(SQLite serialises writers, so there is nothing to race)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import pytest
from django.db import connection

from kenes.core.tests.threads import run_together
from kenes.meetings import services
from kenes.meetings.models import AgendaItem, BallotCast, Choice, Recommendation, SecretTally, Vote
from kenes.meetings.tests.factories import sitting_with_members

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHOICES = [Choice.FOR, Choice.AGAINST, Choice.ABSTAIN]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")


def race(calls: Sequence[Callable[[], object]]) -> tuple[list[object], list[str], list[BaseException]]:
    """Runs the calls in threads released together; returns results, refusal codes and errors."""
    together = run_together(calls)
    return together.results, together.refused, together.errors


def test_twenty_members_voting_at_once_make_twenty_votes():
    sitting = sitting_with_members(20)
    item = sitting.item()
    services.open_vote(actor=sitting.secretary, item=item)
    calls = [
        partial(services.cast_vote, actor=member.user, item=item, choice=CHOICES[n % 3])
        for n, member in enumerate(sitting.members)
    ]
    done, refused, errors = race(calls)
    assert (errors, refused, len(done)) == ([], [], 20)
    assert Vote.objects.filter(item=item).count() == 20
    closed = services.close_vote(actor=sitting.secretary, item=item)
    assert (closed.votes_for, closed.votes_against, closed.votes_abstain) == (7, 7, 6)


def test_one_member_voting_from_ten_threads_votes_once():
    sitting = sitting_with_members(5)
    item = sitting.item()
    services.open_vote(actor=sitting.secretary, item=item)
    voter = sitting.members[3].user
    calls = [partial(services.cast_vote, actor=voter, item=item, choice=CHOICES[n % 3]) for n in range(10)]
    done, refused, errors = race(calls)
    assert errors == []
    assert len(done) == 1
    assert refused == ["already_voted"] * 9
    assert Vote.objects.filter(item=item).count() == 1


def test_twenty_secret_ballots_at_once_are_all_counted():
    sitting = sitting_with_members(20, charter={"secret_ballot_allowed": True})
    item = sitting.item(vote_method=AgendaItem.VoteMethod.SECRET)
    services.open_vote(actor=sitting.secretary, item=item)
    calls = [
        partial(services.cast_vote, actor=member.user, item=item, choice=CHOICES[n % 3])
        for n, member in enumerate(sitting.members)
    ]
    done, refused, errors = race(calls)
    assert (errors, refused, len(done)) == ([], [], 20)
    assert BallotCast.objects.filter(item=item).count() == 20
    tally = dict(SecretTally.objects.filter(item=item).values_list("choice", "count"))
    assert sum(tally.values()) == 20
    assert tally == {Choice.FOR: 7, Choice.AGAINST: 7, Choice.ABSTAIN: 6}


def test_recommendations_adopted_at_once_get_distinct_numbers():
    sitting = sitting_with_members(3)
    items: list[AgendaItem] = []
    for _ in range(6):
        item = sitting.item()
        services.open_vote(actor=sitting.secretary, item=item)
        for member in sitting.members:
            services.cast_vote(actor=member.user, item=item, choice=Choice.FOR)
        items.append(item)
    calls = [partial(services.close_vote, actor=sitting.secretary, item=item) for item in items]
    done, refused, errors = race(calls)
    assert (errors, refused, len(done)) == ([], [], 6)
    numbers = sorted(Recommendation.objects.filter(council=sitting.council).values_list("sequence", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
