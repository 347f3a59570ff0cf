"""Supports written in groups (decision 0013): every ask of a group gets the outcome it would get
alone, a group costs the same statements whatever its size, counts and audit stay exact; and on
PostgreSQL the writer thread, under many API callers at once, and when its group fails."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kenes.accounts.models import ApiToken
from kenes.accounts.selectors import api_token_digest
from kenes.accounts.services import ensure_standard_roles, issue_api_token
from kenes.core import grouped_writes
from kenes.core.audit import verify_audit_chain
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.core.tests.threads import run_together
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals import services
from kenes.proposals.models import Proposal, Status, Support, TimelineEvent
from kenes.proposals.services import SupportAsk, SupportDone
from kenes.proposals.tests.factories import ProposalFactory, resident_of


@pytest.fixture
def council():
    council = CouncilFactory.create()
    council.charter.support_threshold = 50
    council.charter.save(update_fields=["support_threshold"])
    return council


def token_of(person: Any) -> str:
    return issue_api_token(actor=person, user=person, name="test")[1]


def by_person(proposal: Proposal, person: Any, request_id: str = "") -> SupportAsk:
    return SupportAsk(proposal_id=proposal.pk, user_id=person.pk, request_id=request_id)


def by_token(proposal: Proposal, secret: str) -> SupportAsk:
    return SupportAsk(proposal_id=proposal.pk, token_digest=api_token_digest(secret))


def count_of(proposal: Proposal) -> int:
    return Proposal.objects.values_list("support_count", flat=True).get(pk=proposal.pk)


@pytest.mark.django_db
def test_each_ask_of_a_group_gets_the_outcome_it_would_get_alone(council):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    other = ProposalFactory.create(council=council, status=Status.COLLECTING)
    draft = ProposalFactory.create(council=council, status=Status.DRAFT)
    first, second, third = (resident_of(council.okrug) for _ in range(3))
    outsider = resident_of(CouncilFactory.create().okrug)
    revoked = token_of(third)
    ApiToken.objects.filter(user=third).update(revoked_at=proposal.created_at)

    outcomes = services.apply_supports(
        [
            by_person(proposal, first, "request-1"),
            by_token(proposal, token_of(second)),
            by_person(proposal, first),  # the same person again, in the same group
            by_token(proposal, "not-a-token"),
            by_token(proposal, revoked),
            by_person(proposal, proposal.author),
            by_person(proposal, outsider),
            by_person(draft, third),
            by_person(other, third),
        ]
    )

    done = [outcome for outcome in outcomes if isinstance(outcome, SupportDone)]
    assert [(item.proposal_id, item.created) for item in done] == [
        (proposal.pk, True),
        (proposal.pk, True),
        (proposal.pk, False),
        (other.pk, True),
    ]
    assert {item.support_count for item in done if item.proposal_id == proposal.pk} == {2}
    codes = [getattr(outcome, "code", type(outcome).__name__) for outcome in outcomes[3:8]]
    assert codes == ["invalid_token", "invalid_token", "own_proposal", "not_resident", "Http404"]
    assert isinstance(outcomes[7], Http404)
    assert [outcomes[3].status, outcomes[6].status] == [401, 403]  # type: ignore[union-attr]
    assert (count_of(proposal), count_of(other), count_of(draft)) == (2, 1, 0)
    assert set(Support.objects.filter(proposal=proposal).values_list("resident_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    entries = list(AuditEntry.objects.filter(action="proposal.supported").order_by("id"))
    assert [(entry.actor_id, entry.target_id, entry.after) for entry in entries] == [
        (first.pk, str(proposal.pk), {"support_count": 1}),
        (second.pk, str(proposal.pk), {"support_count": 2}),
        (third.pk, str(other.pk), {"support_count": 1}),
    ]
    assert entries[0].request_id == "request-1"
    assert entries[0].actor_label == str(first)
    assert len({entry.chain for entry in entries}) == 1  # one chain head locked per group
    assert verify_audit_chain() is None


@pytest.mark.django_db
def test_an_id_no_proposal_can_have_is_not_found_and_the_rest_of_the_group_is_written(council):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    person = resident_of(council.okrug)

    too_big, negative, fine = services.apply_supports(
        [
            SupportAsk(proposal_id=10**30, user_id=person.pk),
            SupportAsk(proposal_id=-1, user_id=person.pk),
            by_person(proposal, person),
        ]
    )

    assert isinstance(too_big, Http404)
    assert isinstance(negative, Http404)
    assert isinstance(fine, SupportDone)
    assert count_of(proposal) == 1


@pytest.mark.django_db
def test_a_group_costs_the_same_statements_whatever_its_size(council):
    proposals = [ProposalFactory.create(council=council, status=Status.COLLECTING) for _ in range(5)]
    residents = [resident_of(council.okrug) for _ in range(22)]
    services.apply_supports([by_person(proposals[0], residents[0])])  # the audit chain's head exists now

    def statements(people: list[Any]) -> int:
        with CaptureQueriesContext(connection) as queries:
            outcomes = services.apply_supports(
                [by_person(proposals[index % 5], person) for index, person in enumerate(people)]
            )
        assert all(isinstance(outcome, SupportDone) and outcome.created for outcome in outcomes)
        return len(queries.captured_queries)

    small, large = statements(residents[1:2]), statements(residents[2:22])

    # Callers, proposals locked, supports inserted with their counts, the chain's head locked,
    # entries with the head's new hash; SAVEPOINT and RELEASE inside the test's transaction. Not on
    # PostgreSQL, the counts and the head's new hash are statements of their own.
    assert small == large <= (7 if connection.vendor == "postgresql" else 9)
    assert sum(count_of(proposal) for proposal in proposals) == 22


@pytest.mark.django_db
def test_whoever_supported_before_keeps_it_when_they_could_not_support_now(council):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    early, late = resident_of(council.okrug), resident_of(council.okrug)
    services.support_proposal(actor=early, proposal=proposal)
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.ON_AGENDA)

    again, refused = services.apply_supports([by_person(proposal, early), by_person(proposal, late)])

    assert isinstance(again, SupportDone)
    assert (again.created, again.support_count, again.status) == (False, 1, Status.ON_AGENDA)
    assert isinstance(refused, DomainError)
    assert refused.code == "not_collecting"
    assert count_of(proposal) == 1


@pytest.mark.django_db
def test_reaching_the_threshold_inside_a_group_makes_the_proposal_ready_once(council):
    council.charter.support_threshold = 3
    council.charter.save(update_fields=["support_threshold"])
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)

    outcomes = services.apply_supports([by_person(proposal, resident_of(council.okrug)) for _ in range(4)])

    assert {(outcome.support_count, outcome.status) for outcome in outcomes} == {(4, Status.READY)}  # type: ignore[union-attr]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.support_count) == (Status.READY, 4)
    assert TimelineEvent.objects.filter(proposal=proposal, kind=TimelineEvent.Kind.READY).count() == 1
    assert AuditEntry.objects.filter(action="proposal.ready").count() == 1
    assert verify_audit_chain() is None


@pytest.mark.django_db
def test_a_token_used_for_a_support_is_marked_used_once_the_group_commits(council, django_capture_on_commit_callbacks):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    person = resident_of(council.okrug)
    secret = token_of(person)
    assert ApiToken.objects.get(user=person).last_used_at is None

    with django_capture_on_commit_callbacks(execute=True):
        services.apply_supports([by_token(proposal, secret)])

    assert ApiToken.objects.get(user=person).last_used_at is not None


# --- the writer thread, on PostgreSQL -------------------------------------------------------------

CALLERS = 40


@pytest.fixture
def writer_on(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the writer thread's own connection needs PostgreSQL (row locks, concurrent writers)")
    settings.KENES_GROUPED_WRITES = True
    services.supports.largest_group = 0
    yield services.supports
    services.supports.stop()  # closes its connection, so the test database can be dropped


def post_support(client: Client, proposal_id: int, secret: str) -> int:
    return client.post(f"/api/v1/proposals/{proposal_id}/support", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_api_callers_at_once_are_written_in_groups_and_counted_exactly(writer_on):
    ensure_standard_roles()
    council = CouncilFactory.create()
    council.charter.support_threshold = 1000
    council.charter.save(update_fields=["support_threshold"])
    proposals = [ProposalFactory.create(council=council, status=Status.COLLECTING) for _ in range(3)]
    secrets = [token_of(resident_of(council.okrug)) for _ in range(CALLERS)]

    def caller(secret: str) -> list[int]:
        client = Client()
        answers = [post_support(client, proposal.pk, secret) for proposal in proposals]
        return [*answers, post_support(client, proposals[0].pk, secret)]  # again: changes nothing

    together = run_together([partial(caller, secret) for secret in secrets])

    assert together.errors == []
    answers = [answer for one_caller in together.results for answer in one_caller]
    assert answers == [200] * (CALLERS * 4)
    assert [count_of(proposal) for proposal in proposals] == [CALLERS] * 3
    assert Support.objects.count() == CALLERS * 3
    assert AuditEntry.objects.filter(action="proposal.supported").count() == CALLERS * 3
    assert verify_audit_chain() is None
    assert writer_on.largest_group > 1  # they were written together, not one by one


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_when_a_group_fails_its_callers_get_a_503_nothing_is_written_and_the_next_works(writer_on, monkeypatch):
    ensure_standard_roles()
    council = CouncilFactory.create()
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    secret = token_of(resident_of(council.okrug))

    def database_gone(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patched:
        patched.setattr(services, "_insert_supports", database_gone)
        refused = Client().post(f"/api/v1/proposals/{proposal.pk}/support", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert refused.status_code == 503
    assert (count_of(proposal), Support.objects.count()) == (0, 0)
    assert post_support(Client(), proposal.pk, secret) == 200
    assert (count_of(proposal), Support.objects.count()) == (1, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_groups_close_together_skip_the_health_check_and_one_after_a_pause_does_not(writer_on, monkeypatch):
    ensure_standard_roles()
    council = CouncilFactory.create()
    proposals = [ProposalFactory.create(council=council, status=Status.COLLECTING) for _ in range(3)]
    secret = token_of(resident_of(council.okrug))
    checks: list[str] = []
    wrapper = type(connections["default"])
    usable = wrapper.is_usable

    def counted(self: Any) -> bool:
        checks.append(self.alias)
        return usable(self)

    monkeypatch.setattr(wrapper, "is_usable", counted)
    monkeypatch.setattr(grouped_writes, "TRUSTED_SECONDS", 5.0)
    assert post_support(Client(), proposals[0].pk, secret) == 200  # the writer's first connection
    assert post_support(Client(), proposals[1].pk, secret) == 200  # a moment later: taken as it is
    assert checks == []

    monkeypatch.setattr(grouped_writes, "TRUSTED_SECONDS", 0.0)  # as if after a pause
    assert post_support(Client(), proposals[2].pk, secret) == 200
    assert checks == ["default"]
    assert [count_of(proposal) for proposal in proposals] == [1, 1, 1]
