"""Who may run a sitting and who may vote."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.councils.models import Member
from kenes.councils.tests.factories import CoordinatorFactory, MemberFactory
from kenes.meetings import services
from kenes.meetings.models import AgendaItem
from kenes.meetings.permissions import can_run_meeting, can_view_meeting, can_vote
from kenes.meetings.tests.factories import MeetingFactory, sitting_with_members

pytestmark = pytest.mark.django_db


def test_officers_coordinators_and_managers_may_run_a_sitting_and_no_one_else():
    sitting = sitting_with_members(4)
    meeting = sitting.meeting
    coordinator = UserFactory.create()
    CoordinatorFactory.create(council=sitting.council, user=coordinator)
    district_admin = UserFactory.create()
    grant(district_admin, Role.DISTRICT_ADMIN, sitting.council.okrug.district)
    elsewhere_admin = UserFactory.create()
    grant(elsewhere_admin, Role.DISTRICT_ADMIN, MeetingFactory.create().council.okrug.district)
    former_secretary = UserFactory.create()
    MemberFactory.create(
        council=sitting.council,
        user=former_secretary,
        role=Member.Role.SECRETARY,
        status=Member.Status.RESIGNED,
        ended_on=sitting.members[0].term_start,
    )
    allowed = {
        "chair": sitting.chair,
        "secretary": sitting.secretary,
        "coordinator": coordinator,
        "district admin": district_admin,
        "superuser": SuperuserFactory.create(),
    }
    refused = {
        "anonymous": AnonymousUser(),
        "plain member": sitting.members[2].user,
        "stranger": UserFactory.create(),
        "admin elsewhere": elsewhere_admin,
        "former secretary": former_secretary,
    }
    assert {name for name, user in allowed.items() if can_run_meeting(user, meeting)} == set(allowed)
    assert {name for name, user in refused.items() if can_run_meeting(user, meeting)} == set()


def test_a_draft_is_seen_only_by_those_who_run_it():
    sitting = sitting_with_members(3)
    draft = MeetingFactory.create(council=sitting.council)
    assert can_view_meeting(sitting.secretary, draft)
    assert not can_view_meeting(AnonymousUser(), draft)
    assert not can_view_meeting(sitting.members[2].user, draft)
    assert can_view_meeting(AnonymousUser(), sitting.meeting)


def test_only_a_present_member_who_has_not_voted_may_vote_on_an_open_electronic_vote():
    sitting = sitting_with_members(4)
    item = sitting.item()
    voter = sitting.members[2].user
    assert not can_vote(voter, item)  # not open yet
    services.open_vote(actor=sitting.secretary, item=item)
    assert can_vote(voter, item)
    assert not can_vote(UserFactory.create(), item)
    assert not can_vote(AnonymousUser(), item)
    services.mark_left(actor=sitting.secretary, meeting=sitting.meeting, member=sitting.members[3])
    assert not can_vote(sitting.members[3].user, item)
    services.cast_vote(actor=voter, item=item, choice="abstain")
    assert not can_vote(voter, item)
    paper = sitting.item(vote_method=AgendaItem.VoteMethod.PAPER)
    services.open_vote(actor=sitting.secretary, item=paper)
    assert not can_vote(sitting.members[0].user, paper)


def test_a_plain_member_may_not_schedule_or_run_anything():
    from kenes.core.errors import DomainError

    sitting = sitting_with_members(3)
    with pytest.raises(DomainError) as error:
        services.add_guest(actor=sitting.members[2].user, meeting=sitting.meeting, full_name="Қонақ")
    assert (error.value.code, error.value.status) == ("forbidden", 403)
