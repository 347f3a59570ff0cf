"""Who may do what with proposals: a matrix of personas × places, and the charter's switches."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.councils.models import Council, Member
from kenes.councils.tests.factories import CoordinatorFactory, CouncilFactory, MemberFactory
from kenes.proposals.models import Status
from kenes.proposals.permissions import (
    can_comment,
    can_edit_comment,
    can_edit_draft,
    can_enter_on_behalf,
    can_moderate,
    can_report_comment,
    can_screen,
    can_submit,
    can_support,
    can_withdraw_support,
)
from kenes.proposals.tests.factories import (
    CommentFactory,
    ProposalFactory,
    coordinator_of,
    member_of,
    resident_of,
    staff_of,
)
from kenes.territory.tests.factories import OkrugFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council() -> Council:
    return CouncilFactory.create()


@pytest.fixture
def people(council: Council) -> dict[str, Any]:
    okrug = council.okrug
    elsewhere = OkrugFactory.create(district=okrug.district)
    other_council = CouncilFactory.create(okrug=elsewhere)
    role_coordinator = UserFactory.create()
    grant(role_coordinator, Role.COORDINATOR, okrug)
    district_coordinator = UserFactory.create()
    grant(district_coordinator, Role.COORDINATOR, okrug.district)
    former_member = UserFactory.create()
    MemberFactory.create(
        council=council,
        user=former_member,
        status=Member.Status.RESIGNED,
        ended_on=timezone.localdate(),
    )
    former_coordinator = UserFactory.create()
    CoordinatorFactory.create(
        council=council,
        user=former_coordinator,
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )
    return {
        "anonymous": AnonymousUser(),
        "verified_resident": resident_of(okrug),
        "declared_resident": resident_of(okrug, verified=False),
        "resident_elsewhere": resident_of(elsewhere),
        "member": member_of(council),
        "former_member": former_member,
        "coordinator": coordinator_of(council),
        "role_coordinator": role_coordinator,
        "district_coordinator": district_coordinator,
        "former_coordinator": former_coordinator,
        "coordinator_elsewhere": coordinator_of(other_council),
        "akimat_staff": staff_of(okrug),
        "akimat_staff_elsewhere": staff_of(OkrugFactory.create()),
        "stranger": UserFactory.create(),
        "superuser": SuperuserFactory.create(),
    }


SUBMIT = {
    "verified_resident": True,
    "declared_resident": False,
    "resident_elsewhere": False,
    "member": True,
    "former_member": False,
    "coordinator": True,
    "role_coordinator": True,
    "district_coordinator": True,
    "former_coordinator": False,
    "coordinator_elsewhere": False,
    "akimat_staff": False,
    "akimat_staff_elsewhere": False,
    "stranger": False,
    "superuser": False,
    "anonymous": False,
}


@pytest.mark.parametrize(("persona", "expected"), SUBMIT.items())
def test_who_may_submit_to_a_council(persona, expected, council, people):
    assert can_submit(people[persona], council) is expected


@pytest.mark.parametrize(
    ("switch", "persona"),
    [
        ("residents_may_submit", "verified_resident"),
        ("members_may_submit", "member"),
        ("coordinators_may_submit", "coordinator"),
    ],
)
def test_the_charter_can_close_submission_to_a_group(switch, persona, council, people):
    setattr(council.charter, switch, False)
    council.charter.save(update_fields=[switch])
    assert can_submit(people[persona], council) is False


def test_nobody_submits_to_a_dissolved_council(council, people):
    council.status = Council.Status.DISSOLVED
    council.save(update_fields=["status"])
    assert can_submit(people["verified_resident"], council) is False
    assert can_enter_on_behalf(people["akimat_staff"], council) is False


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("akimat_staff", True), ("akimat_staff_elsewhere", False), ("coordinator", False), ("verified_resident", False)],
)
def test_only_akimat_staff_of_the_place_enter_proposals_on_behalf(persona, expected, council, people):
    assert can_enter_on_behalf(people[persona], council) is expected


SUPPORT = {
    "verified_resident": True,
    "declared_resident": True,
    "resident_elsewhere": False,
    "member": False,
    "coordinator": False,
    "akimat_staff": False,
    "stranger": False,
    "superuser": False,
    "anonymous": False,
}


@pytest.mark.parametrize(("persona", "expected"), SUPPORT.items())
def test_only_residents_of_the_okrug_support_a_collecting_proposal(persona, expected, council, people):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    assert can_support(people[persona], proposal) is expected


@pytest.mark.parametrize("status", Status.values)
def test_support_is_open_only_while_collecting_or_ready(status, council, people):
    proposal = ProposalFactory.create(council=council, status=status)
    assert can_support(people["verified_resident"], proposal) is (status in {"collecting", "ready"})


def test_an_author_does_not_support_their_own_proposal(council):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    assert can_support(proposal.author, proposal) is False


@pytest.mark.parametrize("status", Status.values)
def test_withdrawing_closes_once_the_proposal_is_on_an_agenda(status, council, people):
    proposal = ProposalFactory.create(council=council, status=status)
    expected = status not in {"on_agenda", "recommended", "declined"}
    assert can_withdraw_support(people["verified_resident"], proposal) is expected


SCREEN = {
    "coordinator": True,
    "role_coordinator": True,
    "district_coordinator": True,
    "former_coordinator": False,
    "coordinator_elsewhere": False,
    "member": False,
    "verified_resident": False,
    "akimat_staff": False,
    "stranger": False,
    "superuser": True,
    "anonymous": False,
}


@pytest.mark.parametrize(("persona", "expected"), SCREEN.items())
def test_who_may_screen_and_moderate(persona, expected, council, people):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    assert can_screen(people[persona], proposal) is expected
    assert can_moderate(people[persona], proposal) is expected


@pytest.mark.parametrize("status", Status.values)
def test_the_author_edits_only_a_draft_or_a_returned_proposal(status, council):
    proposal = ProposalFactory.create(council=council, status=status)
    assert can_edit_draft(proposal.author, proposal) is (status in {"draft", "returned"})


def test_the_staff_who_entered_a_proposal_may_edit_it_and_nobody_else(council, people):
    proposal = ProposalFactory.create(council=council, entered_by=people["akimat_staff"], channel="phone")
    assert can_edit_draft(people["akimat_staff"], proposal) is True
    assert can_edit_draft(people["coordinator"], proposal) is False
    assert can_edit_draft(people["superuser"], proposal) is False
    assert can_edit_draft(people["anonymous"], proposal) is False


COMMENT = {
    "verified_resident": True,
    "declared_resident": True,
    "resident_elsewhere": False,
    "member": True,
    "coordinator": True,
    "role_coordinator": True,
    "akimat_staff": False,
    "stranger": False,
    "anonymous": False,
}


@pytest.mark.parametrize(("persona", "expected"), COMMENT.items())
def test_who_may_comment(persona, expected, council, people):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    assert can_comment(people[persona], proposal) is expected


def test_nobody_comments_on_a_draft(council, people):
    proposal = ProposalFactory.create(council=council, status=Status.DRAFT)
    assert can_comment(people["verified_resident"], proposal) is False


def test_a_comment_is_editable_by_its_author_for_fifteen_minutes(council, people):
    comment = CommentFactory.create(proposal=ProposalFactory.create(council=council, status=Status.COLLECTING))
    start = comment.created_at
    assert can_edit_comment(comment.author, comment, now=start + datetime.timedelta(minutes=15)) is True
    assert can_edit_comment(comment.author, comment, now=start + datetime.timedelta(minutes=15, seconds=1)) is False
    assert can_edit_comment(people["coordinator"], comment, now=start) is False


def test_a_hidden_comment_is_neither_edited_nor_reported(council, people):
    comment = CommentFactory.create(
        proposal=ProposalFactory.create(council=council, status=Status.COLLECTING),
        hidden_at=timezone.now(),
        hidden_reason="Дөрекі сөз",
    )
    assert can_edit_comment(comment.author, comment) is False
    assert can_report_comment(people["verified_resident"], comment) is False


def test_nobody_reports_their_own_comment(council, people):
    comment = CommentFactory.create(proposal=ProposalFactory.create(council=council, status=Status.COLLECTING))
    assert can_report_comment(comment.author, comment) is False
    assert can_report_comment(people["stranger"], comment) is True
    assert can_report_comment(people["anonymous"], comment) is False
