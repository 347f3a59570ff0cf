"""The support count stays exact when many residents act at the same moment: no lost and no double
counts. PostgreSQL only (SQLite serialises writers, so there is nothing to prove there).

PostgreSQL allows 100 connections by default, so 50 threads (one connection each, plus the test's
own) act for 120 residents: every thread holds 2–3 of them and all threads start together at a
barrier."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection

from kenes.accounts.services import ensure_standard_roles
from kenes.core.audit import verify_audit_chain
from kenes.core.models import AuditEntry
from kenes.core.tests.threads import run_together
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals import services
from kenes.proposals.models import Proposal, Status, Support, TimelineEvent
from kenes.proposals.tests.factories import ProposalFactory, coordinator_of, resident_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50
RESIDENTS = 120


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")


def in_threads(jobs: Sequence[Callable[[], Any]]) -> tuple[list[str], list[BaseException]]:
    """Runs every job in its own thread, all released together; returns refusal codes and errors."""
    together = run_together(jobs)
    return together.refused, together.errors


def for_each(people: Sequence[Any], step: Callable[[Any], Any]) -> list[Callable[[], Any]]:
    """One job per thread, each taking its share of the people in turn."""

    def job(share: Sequence[Any]) -> Callable[[], Any]:
        return lambda: [step(person) for person in share]

    return [job(people[index::THREADS]) for index in range(THREADS)]


def exact(proposal: Proposal) -> tuple[int, int]:
    count = Proposal.objects.values_list("support_count", flat=True).get(pk=proposal.pk)
    return count, Support.objects.filter(proposal=proposal).count()


@pytest.fixture
def setting() -> tuple[Proposal, list[Any]]:
    # A transactional test starts from flushed tables: the seeded roles are put back first.
    ensure_standard_roles()
    council = CouncilFactory.create()
    council.charter.support_threshold = 60
    council.charter.save(update_fields=["support_threshold"])
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    residents = [resident_of(council.okrug) for _ in range(RESIDENTS)]
    return proposal, residents


def test_max_connections_leave_room_for_the_threads():
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        (limit,) = cursor.fetchone()
    assert int(limit) > THREADS + 5


def test_a_hundred_and_twenty_residents_supporting_at_once_are_all_counted_once(setting):
    proposal, residents = setting

    refused, errors = in_threads(
        for_each(residents, lambda person: services.support_proposal(actor=person, proposal=proposal))
    )

    assert errors == []
    assert refused == []
    assert exact(proposal) == (RESIDENTS, RESIDENTS)
    proposal.refresh_from_db()
    # The threshold (60) was crossed once, by exactly one of the supports.
    assert proposal.status == Status.READY
    assert TimelineEvent.objects.filter(proposal=proposal, kind="ready").count() == 1
    assert AuditEntry.objects.filter(action="proposal.supported").count() == RESIDENTS
    assert verify_audit_chain() is None


def test_a_hundred_and_twenty_withdrawals_at_once_bring_the_count_to_zero_and_never_below(setting):
    proposal, residents = setting
    for person in residents:
        services.support_proposal(actor=person, proposal=proposal)
    assert exact(proposal) == (RESIDENTS, RESIDENTS)

    def withdraw_twice(person: Any) -> None:
        services.withdraw_support(actor=person, proposal=proposal)
        services.withdraw_support(actor=person, proposal=proposal)

    refused, errors = in_threads(for_each(residents, withdraw_twice))

    assert errors == []
    assert refused == []
    assert exact(proposal) == (0, 0)
    assert AuditEntry.objects.filter(action="proposal.support_withdrawn").count() == RESIDENTS


def test_a_mix_of_supports_withdrawals_and_repeats_ends_exact(setting):
    proposal, residents = setting
    # The first half supported already; at once, they withdraw and support again (twice), while
    # the second half support twice and the last ten of them withdraw.
    first, second = residents[: RESIDENTS // 2], residents[RESIDENTS // 2 :]
    for person in first:
        services.support_proposal(actor=person, proposal=proposal)
    leaving = {person.pk for person in second[-10:]}

    def act(person: Any) -> None:
        if person in first:
            services.withdraw_support(actor=person, proposal=proposal)
            services.support_proposal(actor=person, proposal=proposal)
            services.support_proposal(actor=person, proposal=proposal)
        else:
            services.support_proposal(actor=person, proposal=proposal)
            services.support_proposal(actor=person, proposal=proposal)
            if person.pk in leaving:
                services.withdraw_support(actor=person, proposal=proposal)

    refused, errors = in_threads(for_each(residents, act))

    assert errors == []
    assert refused == []
    assert exact(proposal) == (RESIDENTS - 10, RESIDENTS - 10)
    supporters = set(Support.objects.filter(proposal=proposal).values_list("resident_id", flat=True))
    assert supporters == {person.pk for person in residents} - leaving


def test_one_resident_supporting_from_ten_places_at_once_counts_once():
    ensure_standard_roles()
    proposal = ProposalFactory.create(status=Status.COLLECTING)
    person = resident_of(proposal.okrug)

    refused, errors = in_threads([lambda: services.support_proposal(actor=person, proposal=proposal)] * 10)

    assert errors == []
    assert refused == []
    assert exact(proposal) == (1, 1)
    assert AuditEntry.objects.filter(action="proposal.supported").count() == 1


def test_supports_racing_a_merge_are_neither_lost_nor_doubled(setting):
    proposal, residents = setting
    council = proposal.council
    duplicate = ProposalFactory.create(council=council, status=Status.COLLECTING)
    coordinator = coordinator_of(council)
    half = residents[: RESIDENTS // 2]
    for person in half[:30]:
        services.support_proposal(actor=person, proposal=duplicate)

    jobs = for_each(half, lambda person: services.support_proposal(actor=person, proposal=proposal))
    jobs[0] = lambda: services.merge_proposal(actor=coordinator, proposal=duplicate, into=proposal)

    refused, errors = in_threads(jobs)

    assert errors == []
    assert refused == []
    # The first thread merged instead of supporting: its share supported only if it was in the
    # duplicate (the first 30) and so moved over.
    skipped = {person.pk for person in half[0::THREADS]} - {person.pk for person in half[:30]}
    expected = {person.pk for person in half} - skipped
    assert set(Support.objects.filter(proposal=proposal).values_list("resident_id", flat=True)) == expected
    assert exact(proposal) == (len(expected), len(expected))
    assert exact(duplicate) == (0, 0)
