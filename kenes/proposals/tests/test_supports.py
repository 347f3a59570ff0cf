"""Supports: one per resident, only residents of the okrug, an exact count, the threshold, withdrawal."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals import services
from kenes.proposals.models import Proposal, Status, Support, TimelineEvent
from kenes.proposals.tests.factories import ProposalFactory, add_supporters, coordinator_of, resident_of, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    council = CouncilFactory.create()
    council.charter.support_threshold = 3
    council.charter.save(update_fields=["support_threshold"])
    return council


@pytest.fixture
def proposal(council):
    return ProposalFactory.create(council=council, status=Status.COLLECTING)


def count_of(proposal):
    return Proposal.objects.values_list("support_count", flat=True).get(pk=proposal.pk)


def test_a_resident_supports_and_the_count_and_audit_follow(proposal):
    neighbour = resident_of(proposal.okrug, verified=False)

    done = services.support_proposal(actor=neighbour, proposal=proposal)

    assert done.created is True
    assert done.support_count == 1
    assert Support.objects.get(proposal=proposal).resident == neighbour
    assert count_of(proposal) == 1
    assert proposal.support_count == 1
    entry = AuditEntry.objects.filter(action="proposal.supported").latest("id")
    assert entry.actor_id == neighbour.pk
    assert entry.target_id == str(proposal.pk)


def test_supporting_twice_changes_nothing(proposal):
    neighbour = resident_of(proposal.okrug)
    first = services.support_proposal(actor=neighbour, proposal=proposal)
    second = services.support_proposal(actor=neighbour, proposal=proposal)
    assert (first.created, second.created) == (True, False)
    assert second.support_count == 1
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert count_of(proposal) == 1
    assert AuditEntry.objects.filter(action="proposal.supported").count() == 1


def test_the_database_refuses_a_second_support_row_whatever_the_code_does(proposal):
    neighbour = resident_of(proposal.okrug)
    Support.objects.create(proposal=proposal, resident=neighbour)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(proposal=proposal, resident=neighbour)


def test_the_database_refuses_a_negative_count(proposal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(support_count=-1)


@pytest.mark.parametrize(
    ("who", "code"),
    [("outsider", "not_resident"), ("staff", "not_resident"), ("author", "own_proposal")],
)
def test_only_residents_of_the_okrug_other_than_the_author_support(proposal, who, code):
    actor = {
        "outsider": resident_of(CouncilFactory.create().okrug),
        "staff": staff_of(proposal.okrug),
        "author": proposal.author,
    }[who]
    with pytest.raises(DomainError) as refusal:
        services.support_proposal(actor=actor, proposal=proposal)
    assert refusal.value.code == code
    assert count_of(proposal) == 0
    assert not Support.objects.exists()


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.RETURNED, Status.ON_AGENDA, Status.DECLINED])
def test_support_is_refused_outside_collecting_and_ready(council, status):
    proposal = ProposalFactory.create(council=council, status=status)
    with pytest.raises(DomainError) as refusal:
        services.support_proposal(actor=resident_of(council.okrug), proposal=proposal)
    assert refusal.value.code == "not_collecting"


def test_reaching_the_charter_threshold_makes_the_proposal_ready_by_itself(proposal):
    add_supporters(proposal, 2)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.COLLECTING

    add_supporters(proposal, 1)

    proposal.refresh_from_db()
    assert proposal.status == Status.READY
    assert proposal.support_count == 3
    event = TimelineEvent.objects.get(proposal=proposal, kind=TimelineEvent.Kind.READY)
    assert event.actor is None
    entry = AuditEntry.objects.get(action="proposal.ready")
    assert entry.actor_label == "system"


def test_a_ready_proposal_keeps_collecting_and_stays_ready_when_supports_go(proposal):
    people = add_supporters(proposal, 4)
    services.withdraw_support(actor=people[0], proposal=proposal)
    services.withdraw_support(actor=people[1], proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.support_count == 2
    assert proposal.status == Status.READY
    assert TimelineEvent.objects.filter(proposal=proposal, kind="ready").count() == 1


def test_withdrawing_takes_the_support_back_and_is_audited(proposal):
    neighbour = resident_of(proposal.okrug)
    services.support_proposal(actor=neighbour, proposal=proposal)

    services.withdraw_support(actor=neighbour, proposal=proposal)

    assert count_of(proposal) == 0
    assert not Support.objects.filter(proposal=proposal).exists()
    assert AuditEntry.objects.filter(action="proposal.support_withdrawn", actor=neighbour).count() == 1


def test_withdrawing_a_support_that_is_not_there_changes_nothing(proposal):
    add_supporters(proposal, 1)
    stranger = resident_of(proposal.okrug)
    services.withdraw_support(actor=stranger, proposal=proposal)
    services.withdraw_support(actor=stranger, proposal=proposal)
    assert count_of(proposal) == 1
    assert not AuditEntry.objects.filter(action="proposal.support_withdrawn").exists()


def test_supports_cannot_be_withdrawn_once_on_an_agenda(council, proposal):
    people = add_supporters(proposal, 3)
    services.put_on_agenda(actor=coordinator_of(council), proposal=proposal)
    with pytest.raises(DomainError) as refusal:
        services.withdraw_support(actor=people[0], proposal=proposal)
    assert refusal.value.code == "support_locked"
    assert count_of(proposal) == 3


def test_withdraw_then_support_again_counts_once(proposal):
    neighbour = resident_of(proposal.okrug)
    for _ in range(3):
        services.support_proposal(actor=neighbour, proposal=proposal)
        services.withdraw_support(actor=neighbour, proposal=proposal)
    services.support_proposal(actor=neighbour, proposal=proposal)
    assert count_of(proposal) == 1 == Support.objects.filter(proposal=proposal).count()
