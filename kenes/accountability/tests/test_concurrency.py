"""Acts at the same moment stay single: two people of the office answering one recommendation give
one final answer (the other is told it is already answered), and two deadline checks running at once
escalate once. PostgreSQL only (SQLite serialises writers, so there is nothing to prove there)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection

from kenes.accountability import services
from kenes.accountability.models import Answer, Escalation, RecommendationEvent
from kenes.accountability.tests.factories import akimat_user, district_user, sent_recommendation
from kenes.accounts.services import ensure_standard_roles
from kenes.core.audit import verify_audit_chain
from kenes.core.models import AuditEntry
from kenes.core.tests.threads import run_together
from kenes.meetings.models import Recommendation
from kenes.proposals.models import TimelineEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = datetime.date


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    # A transactional test starts from flushed tables: the seeded roles are put back first.
    ensure_standard_roles()


def in_threads(jobs: Sequence[Callable[[], Any]]) -> tuple[list[Any], list[str], list[BaseException]]:
    """Runs every job in its own thread, all released together; returns results, refusal codes, errors."""
    together = run_together(jobs, timeout=60)
    return together.results, together.refused, together.errors


def test_two_people_answering_at_once_give_one_final_answer():
    recommendation = sent_recommendation(sent_on=D(2026, 3, 19), proposals=2)
    first = akimat_user(recommendation.council.okrug)
    second = akimat_user(recommendation.council.okrug)

    def answer(actor: Any, kind: str) -> Callable[[], Answer]:
        return lambda: services.answer_recommendation(
            actor=actor,
            recommendation=recommendation,
            kind=kind,
            text="Шамдар орнатылады" if kind == "accepted" else "",
            reason="Қаражат жоқ" if kind == "declined" else "",
            on=D(2026, 4, 1),
        )

    results, refused, errors = in_threads([answer(first, "accepted"), answer(second, "declined")])

    assert errors == []
    assert refused == ["already_answered"]
    assert len(results) == 1
    final = Answer.objects.get(recommendation=recommendation)
    assert final == results[0]
    current = Recommendation.objects.get(pk=recommendation.pk)
    assert (current.status, current.answer_kind) == ("answered", final.kind)
    assert RecommendationEvent.objects.filter(recommendation=recommendation, kind="answered").count() == 1
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.ANSWERED).count() == 2  # one per proposal
    assert AuditEntry.objects.filter(action="recommendation.answered").count() == 1
    assert verify_audit_chain() is None


def test_two_deadline_checks_at_once_mark_and_escalate_once():
    recommendations = [sent_recommendation(sent_on=D(2026, 3, 2), charter={"answer_working_days": 1}) for _ in range(5)]
    for recommendation in recommendations:
        district_user(recommendation.council.okrug.district)

    def check() -> services.DeadlineRun:
        return services.check_deadlines(today=D(2026, 3, 10))

    results, refused, errors = in_threads([check, check, check])

    assert errors == []
    assert refused == []
    assert sum(run.marked for run in results) == 5
    assert sum(run.escalated for run in results) == 5
    assert Escalation.objects.count() == 5
    assert RecommendationEvent.objects.filter(kind="overdue").count() == 5
    assert RecommendationEvent.objects.filter(kind="escalated").count() == 5
    assert all(escalation.recipients.count() == 1 for escalation in Escalation.objects.all())
    assert verify_audit_chain() is None
