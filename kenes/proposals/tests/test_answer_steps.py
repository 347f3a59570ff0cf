"""After the council's recommendation, the akim's answer is told on the proposal's timeline (its status
stays "recommended"); when the council finds the answer unsatisfactory the proposal is ready for a
sitting's agenda again."""

from __future__ import annotations

import pytest

from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.proposals import services
from kenes.proposals.models import Status, TimelineEvent
from kenes.proposals.tests.factories import SCRIPT, ProposalFactory, coordinator_of, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommended():
    return ProposalFactory.create(status=Status.RECOMMENDED)


@pytest.mark.parametrize(
    "kind",
    [
        TimelineEvent.Kind.ANSWERED,
        TimelineEvent.Kind.ANSWER_FORWARDED,
        TimelineEvent.Kind.EXTENDED,
        TimelineEvent.Kind.OVERDUE,
        TimelineEvent.Kind.PROGRESS,
        TimelineEvent.Kind.IMPLEMENTED,
    ],
)
def test_each_answer_step_goes_on_the_timeline_and_the_status_stays(recommended, kind):
    staff = staff_of(recommended.okrug)

    event = services.note_answer_step(actor=staff, proposal=recommended, kind=kind, note=f"Шамдар {SCRIPT}")

    assert (event.proposal, event.kind, event.actor, event.note) == (recommended, kind, staff, f"Шамдар {SCRIPT}")
    recommended.refresh_from_db()
    assert recommended.status == Status.RECOMMENDED
    assert list(recommended.timeline.values_list("kind", flat=True)) == [kind]


def test_a_step_taken_by_the_system_has_no_actor(recommended):
    event = services.note_answer_step(actor=None, proposal=recommended, kind=TimelineEvent.Kind.OVERDUE)
    assert event.actor is None


@pytest.mark.parametrize("kind", [TimelineEvent.Kind.RECOMMENDED, TimelineEvent.Kind.UNSATISFACTORY, "escalated"])
def test_steps_that_are_not_the_answers_are_refused(recommended, kind):
    with pytest.raises(DomainError) as caught:
        services.note_answer_step(actor=None, proposal=recommended, kind=kind)
    assert caught.value.code == "invalid_timeline_kind"
    assert not recommended.timeline.exists()


def test_an_unsatisfactory_answer_makes_the_proposal_ready_again_with_the_reason(recommended):
    coordinator = coordinator_of(recommended.council)
    reason = f"Жауапта нақты мерзім жоқ {SCRIPT}"

    reopened = services.reopen_for_agenda(actor=coordinator, proposal=recommended, reason=reason)

    assert reopened.status == Status.READY
    assert recommended.status == Status.READY
    step = recommended.timeline.get()
    assert (step.kind, step.actor, step.note) == (TimelineEvent.Kind.UNSATISFACTORY, coordinator, reason)
    audit = AuditEntry.objects.get(action="proposal.reopened")
    assert audit.actor == coordinator
    assert audit.before is not None
    assert audit.after is not None
    assert (audit.before["status"], audit.after["status"]) == ("recommended", "ready")


def test_reopening_needs_a_reason(recommended):
    with pytest.raises(DomainError):
        services.reopen_for_agenda(actor=coordinator_of(recommended.council), proposal=recommended, reason=" ")
    recommended.refresh_from_db()
    assert recommended.status == Status.RECOMMENDED


@pytest.mark.parametrize(
    "status",
    [
        Status.COLLECTING,
        Status.DECLINED,
        Status.ON_AGENDA,
    ],
)
def test_only_a_recommended_proposal_is_reopened(status):
    proposal = ProposalFactory.create(status=status)
    with pytest.raises(DomainError) as caught:
        services.reopen_for_agenda(actor=coordinator_of(proposal.council), proposal=proposal, reason="Себеп")
    assert caught.value.code == "illegal_transition"
