"""The permission matrix: every role, in its own territory and in another, against every predicate;
the services refuse whom the predicates refuse; the access functions answer 404 for a forbidden
object exactly as for a missing one."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.councils import selectors, services
from kenes.councils.models import Charter, Coordinator, Council, Member, Pilot, SeatGroup
from kenes.councils.permissions import (
    can_create_pilot,
    can_edit_charter,
    can_establish_council,
    can_manage_council,
    can_manage_pilot,
)
from kenes.councils.tests.factories import (
    CharterFactory,
    CoordinatorFactory,
    MemberFactory,
    PilotFactory,
    World,
    build_world,
)

pytestmark = pytest.mark.django_db

PEOPLE = [
    "anonymous",
    "resident",
    "council_member",
    "coordinator",
    "coordinator_elsewhere",
    "akimat_staff",
    "district_admin",
    "district_admin_elsewhere",
    "oblast_admin",
    "oblast_admin_elsewhere",
    "programme_staff",
    "superuser",
]

# Who may do what, for the council of the world's okrug, its district and its oblast.
MANAGE_COUNCIL = {"coordinator", "district_admin", "oblast_admin", "superuser"}
ESTABLISH_COUNCIL = {"district_admin", "oblast_admin", "superuser"}
EDIT_REGIONAL_CHARTER = {"oblast_admin", "superuser"}
EDIT_NATIONAL_CHARTER = {"superuser"}
MANAGE_PILOT = {"oblast_admin", "superuser"}


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_manage_the_council(world, person):
    assert can_manage_council(world.people[person], world.council) == (person in MANAGE_COUNCIL)


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_manage_a_council_of_the_other_district(world, person):
    other = CharterFactory.create(region=world.region)
    council = Council.objects.create(
        okrug=world.okrug_in_other_district, charter=other, established_on=datetime.date(2025, 4, 1)
    )
    managers = {"district_admin_elsewhere", "oblast_admin", "superuser"}

    assert can_manage_council(world.people[person], council) == (person in managers)


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_establish_a_council_in_the_okrug(world, person):
    assert can_establish_council(world.people[person], world.other_okrug) == (person in ESTABLISH_COUNCIL)


@pytest.mark.parametrize("person", PEOPLE)
def test_only_that_oblast_establishes_a_council_in_another_oblast(world, person):
    allowed = {"oblast_admin_elsewhere", "superuser"}

    assert can_establish_council(world.people[person], world.far_okrug) == (person in allowed)


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_edit_the_oblast_charter(world, person):
    assert can_edit_charter(world.people[person], world.council.charter) == (person in EDIT_REGIONAL_CHARTER)


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_edit_the_national_model_charter(world, person):
    national = CharterFactory.create(region=None)

    assert can_edit_charter(world.people[person], national) == (person in EDIT_NATIONAL_CHARTER)


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_manage_a_pilot_of_the_district(world, person):
    pilot = PilotFactory.create(district=world.district)

    assert can_manage_pilot(world.people[person], pilot) == (person in MANAGE_PILOT)


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_manage_a_pilot_of_listed_okrugs(world, person):
    pilot = PilotFactory.create(district=None, charter=CharterFactory.create(region=world.region))
    pilot.okrugs.set([world.okrug, world.okrug_in_other_district])

    assert can_manage_pilot(world.people[person], pilot) == (person in MANAGE_PILOT)


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_create_a_pilot_in_the_oblast(world, person):
    assert can_create_pilot(world.people[person], world.region) == (person in MANAGE_PILOT)


def test_a_pilot_with_no_territory_yet_is_managed_by_superusers_only(world):
    pilot = Pilot(name="Бос", charter=world.council.charter, starts_on=datetime.date(2025, 1, 1))

    assert not can_manage_pilot(world.people["oblast_admin"], pilot)
    assert can_manage_pilot(world.people["superuser"], pilot)


def test_a_district_administrator_role_held_for_the_oblast_covers_its_councils(world):
    from kenes.accounts.tests.factories import UserFactory, grant

    user = UserFactory.create()
    grant(user, "district_admin", world.region)

    assert can_manage_council(user, world.council)
    assert can_establish_council(user, world.okrug_in_other_district)
    assert not can_edit_charter(user, world.council.charter)


# The services refuse whom the predicates refuse ------------------------------------------------


def _member(world: World) -> Member:
    return MemberFactory.create(council=world.council)


def _coordinator(world: World) -> Coordinator:
    return CoordinatorFactory.create(council=world.council)


TODAY = timezone.localdate()

COUNCIL_ACTIONS: dict[str, Callable[[World, Any], Any]] = {
    "appoint_member": lambda w, actor: services.appoint_member(
        actor=actor, council=w.council, full_name="Жаңа", seat_group=SeatGroup.BUSINESS, term_start=TODAY
    ),
    "change_member_role": lambda w, actor: services.change_member_role(
        actor=actor, member=_member(w), role="secretary"
    ),
    "resign_member": lambda w, actor: services.resign_member(actor=actor, member=_member(w), on=TODAY, reason="—"),
    "replace_member": lambda w, actor: services.replace_member(
        actor=actor,
        member=_member(w),
        on=TODAY,
        reason="—",
        full_name="Жаңа",
        seat_group=SeatGroup.BUSINESS,
    ),
    "end_expired_terms": lambda w, actor: services.end_expired_terms(actor=actor, council=w.council, today=TODAY),
    "set_council_population": lambda w, actor: services.set_council_population(
        actor=actor, council=w.council, population=3000, year=2025
    ),
    "assign_coordinator": lambda w, actor: services.assign_coordinator(
        actor=actor, council=w.council, full_name="Депутат", maslikhat="Мәслихат", started_on=TODAY
    ),
    "end_coordination": lambda w, actor: services.end_coordination(actor=actor, coordinator=_coordinator(w), on=TODAY),
}

ADMIN_ACTIONS: dict[str, tuple[set[str], Callable[[World, Any], Any]]] = {
    "establish_council": (
        ESTABLISH_COUNCIL,
        lambda w, actor: services.establish_council(
            actor=actor, okrug=w.other_okrug, established_on=TODAY, charter=w.council.charter
        ),
    ),
    "create_charter": (
        EDIT_REGIONAL_CHARTER,
        lambda w, actor: services.create_charter(actor=actor, name="Жаңа ереже", region=w.region),
    ),
    "update_charter": (
        EDIT_REGIONAL_CHARTER,
        lambda w, actor: services.update_charter(
            actor=actor, charter=CharterFactory.create(region=w.region), values={"notice_days": 7}
        ),
    ),
    "create_charter_version": (
        EDIT_REGIONAL_CHARTER,
        lambda w, actor: services.create_charter_version(actor=actor, charter=w.council.charter),
    ),
    "create_pilot": (
        MANAGE_PILOT,
        lambda w, actor: services.create_pilot(
            actor=actor, name="Пилот", charter=w.council.charter, starts_on=TODAY, district=w.district
        ),
    ),
}


def _refused(action: Callable[[World, Any], Any], world: World, actor: Any) -> None:
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refusal:
        action(world, actor)
    assert (refusal.value.code, refusal.value.status) == ("forbidden", 403)
    assert AuditEntry.objects.count() == audit_rows


@pytest.mark.parametrize("action", COUNCIL_ACTIONS)
@pytest.mark.parametrize("person", sorted(set(PEOPLE) - MANAGE_COUNCIL))
def test_council_services_refuse_whoever_may_not_manage_the_council(world, action, person):
    _refused(COUNCIL_ACTIONS[action], world, world.people[person])


@pytest.mark.parametrize("action", COUNCIL_ACTIONS)
@pytest.mark.parametrize("person", sorted(MANAGE_COUNCIL))
def test_council_services_let_the_council_managers_act(world, action, person):
    audit_rows = AuditEntry.objects.count()

    COUNCIL_ACTIONS[action](world, world.people[person])

    if action != "end_expired_terms":  # nothing had expired, so nothing was written
        assert AuditEntry.objects.count() > audit_rows


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
@pytest.mark.parametrize("person", PEOPLE)
def test_administrative_services_follow_the_matrix(world, action, person):
    allowed, call = ADMIN_ACTIONS[action]
    if person in allowed:
        call(world, world.people[person])
    else:
        _refused(call, world, world.people[person])


# Access functions: 404 for missing and forbidden alike -----------------------------------------


@pytest.mark.parametrize("person", PEOPLE)
def test_the_council_is_reached_for_management_only_by_its_managers(world, person):
    user = world.people[person]
    if person in MANAGE_COUNCIL:
        assert selectors.access_council_for_management(user=user, okrug_kato=world.okrug.kato) == world.council
    else:
        with pytest.raises(Http404):
            selectors.access_council_for_management(user=user, okrug_kato=world.okrug.kato)
    with pytest.raises(Http404):
        selectors.access_council_for_management(user=user, okrug_kato="999999999")
    with pytest.raises(Http404):  # an okrug with no council
        selectors.access_council_for_management(user=user, okrug_kato=world.other_okrug.kato)


@pytest.mark.parametrize("person", PEOPLE)
def test_members_and_coordinators_are_reached_only_by_the_council_managers(world, person):
    user = world.people[person]
    member = MemberFactory.create(council=world.council)
    coordinator = CoordinatorFactory.create(council=world.council)
    if person in MANAGE_COUNCIL:
        assert selectors.access_member_for_management(user=user, member_id=member.pk) == member
        assert selectors.access_coordinator_for_management(user=user, coordinator_id=coordinator.pk) == coordinator
    else:
        with pytest.raises(Http404):
            selectors.access_member_for_management(user=user, member_id=member.pk)
        with pytest.raises(Http404):
            selectors.access_coordinator_for_management(user=user, coordinator_id=coordinator.pk)
    with pytest.raises(Http404):
        selectors.access_member_for_management(user=user, member_id=member.pk + 1000)
    with pytest.raises(Http404):
        selectors.access_coordinator_for_management(user=user, coordinator_id=coordinator.pk + 1000)


@pytest.mark.parametrize("person", PEOPLE)
def test_the_charter_is_reached_for_editing_only_by_its_editors(world, person):
    user = world.people[person]
    charter: Charter = world.council.charter
    if person in EDIT_REGIONAL_CHARTER:
        assert selectors.access_charter_for_editing(user=user, charter_id=charter.pk) == charter
    else:
        with pytest.raises(Http404):
            selectors.access_charter_for_editing(user=user, charter_id=charter.pk)
    with pytest.raises(Http404):
        selectors.access_charter_for_editing(user=user, charter_id=charter.pk + 1000)


@pytest.mark.parametrize("person", PEOPLE)
def test_an_okrug_is_reached_for_establishing_only_by_those_who_may(world, person):
    user = world.people[person]
    if person in ESTABLISH_COUNCIL:
        assert (
            selectors.access_okrug_for_establishing(user=user, okrug_kato=world.other_okrug.kato) == world.other_okrug
        )
    else:
        with pytest.raises(Http404):
            selectors.access_okrug_for_establishing(user=user, okrug_kato=world.other_okrug.kato)
    with pytest.raises(Http404):
        selectors.access_okrug_for_establishing(user=user, okrug_kato="999999999")
