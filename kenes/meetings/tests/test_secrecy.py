"""A secret ballot keeps who voted apart from what was chosen: no model, field or log links them."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.db.models import ForeignKey, ManyToManyField, OneToOneField

from kenes.core.models import AuditEntry
from kenes.councils.models import Member
from kenes.meetings import selectors, services
from kenes.meetings.models import AgendaItem, BallotCast, Choice, SecretTally, Vote
from kenes.meetings.tests.factories import sitting_with_members

pytestmark = pytest.mark.django_db

CHOICES = [Choice.FOR, Choice.AGAINST, Choice.FOR, Choice.ABSTAIN, Choice.FOR]


@pytest.fixture
def secret_ballot():
    sitting = sitting_with_members(5, charter={"secret_ballot_allowed": True})
    item = sitting.item(vote_method=AgendaItem.VoteMethod.SECRET, title="Төрағаның орынбасарын сайлау <script>")
    services.open_vote(actor=sitting.secretary, item=item)
    for member, choice in zip(sitting.members, CHOICES, strict=True):
        services.cast_vote(actor=member.user, item=item, choice=choice)
    return sitting, item


def _field_names(model) -> set[str]:
    return {field.name for field in model._meta.get_fields()}


def _related_models(model) -> set[type]:
    return {field.related_model for field in model._meta.get_fields() if field.related_model is not None}


def test_no_field_of_a_ballot_or_a_tally_links_a_member_to_a_choice(secret_ballot):
    assert _field_names(BallotCast) == {"id", "item", "member"}  # no choice, no time
    assert _field_names(SecretTally) == {"id", "item", "choice", "count"}  # no member, no time
    assert Member not in _related_models(SecretTally)
    assert BallotCast not in _related_models(SecretTally)
    assert SecretTally not in _related_models(BallotCast)
    # The only model both reach is the agenda item, which holds no per-voter data.
    assert _related_models(BallotCast) & _related_models(SecretTally) == {AgendaItem}
    for field in AgendaItem._meta.get_fields():
        if isinstance(field, ForeignKey | OneToOneField | ManyToManyField):
            assert field.related_model is not Member


def _reachable_from(start: type, *, avoiding: type) -> set[type]:
    """Every model a query can reach from `start` over relations (both ways), not crossing `avoiding`."""
    reachable = {start}
    frontier = [start]
    while frontier:
        model = frontier.pop()
        for related in _related_models(model):
            if related in reachable or related is avoiding:
                continue
            reachable.add(related)
            frontier.append(related)
    return reachable


def test_no_path_from_a_member_or_a_ballot_reaches_a_secret_tally(secret_ballot):
    # The agenda item is shared by design (the ballot and the counters belong to it) and carries no
    # per-voter data; every other path is checked.
    assert SecretTally not in _reachable_from(Member, avoiding=AgendaItem)
    assert SecretTally not in _reachable_from(BallotCast, avoiding=AgendaItem)
    from_tally = _reachable_from(SecretTally, avoiding=AgendaItem)
    assert Member not in from_tally
    assert BallotCast not in from_tally


def test_the_tally_equals_the_choices_made_and_each_member_took_part_once(secret_ballot):
    sitting, item = secret_ballot
    tally = dict(SecretTally.objects.filter(item=item).values_list("choice", "count"))
    assert tally == dict(Counter(CHOICES)) | {Choice.AGAINST: 1, Choice.ABSTAIN: 1}
    assert sorted(BallotCast.objects.filter(item=item).values_list("member_id", flat=True)) == sorted(
        m.pk for m in sitting.members
    )
    assert not Vote.objects.filter(item=item).exists()
    closed = services.close_vote(actor=sitting.secretary, item=item)
    assert (closed.votes_for, closed.votes_against, closed.votes_abstain) == (3, 1, 1)


def test_the_audit_log_of_a_secret_ballot_holds_no_choice(secret_ballot):
    _sitting, item = secret_ballot
    rows = AuditEntry.objects.filter(action="meeting.ballot_cast", target_id=str(item.pk))
    assert rows.count() == 5
    for row in rows:
        text = json.dumps([row.before, row.after, row.target_label], ensure_ascii=False)
        for choice in Choice.values:
            assert choice not in text
        assert set(row.after or {}) == {"member"}


def test_a_closed_secret_ballot_shows_totals_and_no_names(secret_ballot):
    sitting, item = secret_ballot
    assert selectors.vote_result(item) is None
    services.close_vote(actor=sitting.secretary, item=item)
    result = selectors.vote_result(AgendaItem.objects.get(pk=item.pk))
    assert result is not None
    assert (result.votes_for, result.votes_against, result.votes_abstain, result.named) == (3, 1, 1, [])


def test_a_second_secret_ballot_by_the_same_member_changes_nothing(secret_ballot):
    sitting, item = secret_ballot
    from kenes.core.errors import DomainError

    with pytest.raises(DomainError) as error:
        services.cast_vote(actor=sitting.members[1].user, item=item, choice=Choice.FOR)
    assert error.value.code == "already_voted"
    assert sum(SecretTally.objects.filter(item=item).values_list("count", flat=True)) == 5


def test_the_admin_never_shows_who_took_part_in_a_secret_ballot():
    from django.contrib import admin

    from kenes.meetings.admin import AgendaItemAdmin

    assert BallotCast not in admin.site._registry
    for model_admin in admin.site._registry.values():
        inline_models = {inline.model for inline in getattr(model_admin, "inlines", ())}
        assert BallotCast not in inline_models
    assert SecretTally not in admin.site._registry
    assert {inline.model for inline in AgendaItemAdmin.inlines} == {Vote, SecretTally}
