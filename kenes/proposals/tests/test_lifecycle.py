"""The state machine: every allowed step is taken through its service and shows on the timeline; every
other is refused with `illegal_transition`. Property tests drive random sequences of actions."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals import services
from kenes.proposals.lifecycle import ALLOWED, FINAL_STATUSES, can_transition, check_transition
from kenes.proposals.models import Proposal, Status, Support, TimelineEvent
from kenes.proposals.tests.factories import ProposalFactory, coordinator_of, resident_of

# Pure ---------------------------------------------------------------------------------------------


def test_every_status_has_an_entry_in_the_table():
    assert set(ALLOWED) == set(Status.values)
    for targets in ALLOWED.values():
        assert targets <= set(Status.values)


def test_the_decided_and_closed_states_lead_nowhere():
    assert {Status.MERGED, Status.FORWARDED, Status.DECLINED} == FINAL_STATUSES


def test_a_recommended_proposal_can_only_go_back_to_ready_when_the_answer_is_found_unsatisfactory():
    assert ALLOWED[Status.RECOMMENDED] == {Status.READY}


def test_a_proposal_can_be_taken_off_the_agenda_back_to_ready():
    assert can_transition(Status.ON_AGENDA, Status.READY)
    assert not can_transition(Status.READY, Status.COLLECTING)


@given(source=st.sampled_from(Status.values), target=st.sampled_from(Status.values))
def test_check_transition_agrees_with_the_table(source: str, target: str):
    if target in ALLOWED[source]:
        check_transition(source, target)
    else:
        with pytest.raises(DomainError) as refusal:
            check_transition(source, target)
        assert refusal.value.code == "illegal_transition"


def test_the_refusal_names_both_states_in_plain_words():
    with translation.override("en"), pytest.raises(DomainError) as refusal:
        check_transition(Status.DRAFT, Status.RECOMMENDED)
    assert str(refusal.value) == "A proposal that is “Draft” cannot become “Recommended by the council”."


# Through the services -----------------------------------------------------------------------------


@pytest.fixture
def council():
    return CouncilFactory.create()


@pytest.fixture
def coordinator(council):
    return coordinator_of(council)


def _run(action: str, proposal: Proposal, *, coordinator: Any, target: Any = None) -> None:
    """Takes one step by name, as its actor would."""
    steps: dict[str, Callable[[], Any]] = {
        "submit": lambda: services.submit_proposal(actor=proposal.author, proposal=proposal),
        "accept": lambda: services.accept_proposal(actor=coordinator, proposal=proposal),
        "return": lambda: services.return_proposal(actor=coordinator, proposal=proposal, reason="Толығырақ <script>"),
        "merge": lambda: services.merge_proposal(actor=coordinator, proposal=proposal, into=target),
        "forward": lambda: services.forward_proposal(actor=coordinator, proposal=proposal, addressee="Аудан әкімдігі"),
        "mark_ready": lambda: services.mark_ready(actor=coordinator, proposal=proposal),
        "put_on_agenda": lambda: services.put_on_agenda(actor=coordinator, proposal=proposal),
        "take_off_agenda": lambda: services.take_off_agenda(actor=coordinator, proposal=proposal),
        "recommend": lambda: services.record_council_decision(actor=coordinator, proposal=proposal, recommended=True),
        "decline": lambda: services.record_council_decision(actor=coordinator, proposal=proposal, recommended=False),
        "reopen": lambda: services.reopen_for_agenda(actor=coordinator, proposal=proposal, reason="Жауап толық емес"),
    }
    steps[action]()


# Which status each action leads to (from wherever it is allowed).
ACTION_TARGETS = {
    "submit": Status.SUBMITTED,
    "accept": Status.COLLECTING,
    "return": Status.RETURNED,
    "merge": Status.MERGED,
    "forward": Status.FORWARDED,
    "mark_ready": Status.READY,
    "put_on_agenda": Status.ON_AGENDA,
    "take_off_agenda": Status.READY,
    "recommend": Status.RECOMMENDED,
    "decline": Status.DECLINED,
    "reopen": Status.READY,
}
# The one action that leaves each status for each target (the table read the other way round).
STEP_FOR = {
    (Status.DRAFT, Status.SUBMITTED): "submit",
    (Status.RETURNED, Status.SUBMITTED): "submit",
    (Status.SUBMITTED, Status.COLLECTING): "accept",
    (Status.SUBMITTED, Status.RETURNED): "return",
    (Status.SUBMITTED, Status.MERGED): "merge",
    (Status.SUBMITTED, Status.FORWARDED): "forward",
    (Status.COLLECTING, Status.READY): "mark_ready",
    (Status.COLLECTING, Status.MERGED): "merge",
    (Status.READY, Status.ON_AGENDA): "put_on_agenda",
    (Status.READY, Status.MERGED): "merge",
    (Status.ON_AGENDA, Status.RECOMMENDED): "recommend",
    (Status.ON_AGENDA, Status.DECLINED): "decline",
    (Status.ON_AGENDA, Status.READY): "take_off_agenda",
    (Status.RECOMMENDED, Status.READY): "reopen",
}


def test_every_allowed_step_has_a_service():
    assert set(STEP_FOR) == {(source, target) for source, targets in ALLOWED.items() for target in targets}


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), sorted(STEP_FOR))
def test_an_allowed_step_is_taken_audited_and_shown_on_the_timeline(source, target, council, coordinator):
    proposal = ProposalFactory.create(council=council, status=source)
    into = ProposalFactory.create(council=council, status=Status.COLLECTING)
    audit_before = AuditEntry.objects.count()

    _run(STEP_FOR[(source, target)], proposal, coordinator=coordinator, target=into)

    proposal.refresh_from_db()
    assert proposal.status == target
    event = TimelineEvent.objects.filter(proposal=proposal).latest("id")
    assert event.actor_id in (proposal.author_id, coordinator.pk)
    assert AuditEntry.objects.count() > audit_before
    assert AuditEntry.objects.filter(target_id=str(proposal.pk), target_type="proposals.proposal").exists()


ILLEGAL = [
    (source, action)
    for source, action in itertools.product(Status.values, ACTION_TARGETS)
    if ACTION_TARGETS[action] not in ALLOWED[source]
]


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "action"), ILLEGAL)
def test_an_illegal_step_is_refused_and_changes_nothing(source, action, council, coordinator):
    extra: dict[str, Any] = {}
    if source == Status.MERGED:
        extra["merged_into"] = ProposalFactory.create(council=council, status=Status.COLLECTING)
    if source == Status.FORWARDED:
        extra["forwarded_to"] = "Аудан әкімдігі"
    proposal = ProposalFactory.create(council=council, status=source, **extra)
    into = ProposalFactory.create(council=council, status=Status.COLLECTING)
    events = TimelineEvent.objects.count()

    with pytest.raises(DomainError) as refusal:
        _run(action, proposal, coordinator=coordinator, target=into)

    # The author's edit rights end at submission, so for them "forbidden" is the refusal they get.
    assert refusal.value.code in ({"illegal_transition", "forbidden"} if action == "submit" else {"illegal_transition"})
    proposal.refresh_from_db()
    assert proposal.status == source
    assert TimelineEvent.objects.count() == events


# Property: random sequences of actions ------------------------------------------------------------

ACTIONS = [*ACTION_TARGETS, "support", "withdraw"]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=3)),
        max_size=30,
    )
)
def test_random_actions_never_leave_the_state_machine_or_break_the_count(steps, council, coordinator, db):
    supporters = _supporters(council)
    council.charter.support_threshold = 3
    with transaction.atomic():
        council.charter.save(update_fields=["support_threshold"])
        proposal = ProposalFactory.create(council=council, status=Status.DRAFT)
        into = ProposalFactory.create(council=council, status=Status.COLLECTING)
        seen = [proposal.status]
        for action, who in steps:
            before = Proposal.objects.get(pk=proposal.pk).status
            try:
                if action == "support":
                    services.support_proposal(actor=supporters[who], proposal=proposal)
                elif action == "withdraw":
                    services.withdraw_support(actor=supporters[who], proposal=proposal)
                else:
                    _run(action, proposal, coordinator=coordinator, target=into)
            except (DomainError, Http404):  # a draft is not there to be supported
                pass
            current = Proposal.objects.get(pk=proposal.pk)
            assert current.status == before or current.status in ALLOWED[before]
            assert current.support_count >= 0
            assert current.support_count == Support.objects.filter(proposal=current).count()
            into.refresh_from_db()
            assert into.support_count == Support.objects.filter(proposal=into).count()
            seen.append(current.status)
        # Every status change is one timeline event (besides the draft's creation, there is none here).
        changes = sum(1 for first, second in itertools.pairwise(seen) if first != second)
        assert TimelineEvent.objects.filter(proposal=proposal).count() == changes
        transaction.set_rollback(True)


def _supporters(council: Any) -> list[Any]:
    """Four residents, made once per test: hypothesis runs many examples against one fixture, and
    each example's own writes are rolled back."""
    if not hasattr(council, "test_supporters"):
        council.test_supporters = [resident_of(council.okrug) for _ in range(4)]
    return council.test_supporters
