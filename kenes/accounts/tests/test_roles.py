from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from kenes.accounts.models import Role, RoleAssignment
from kenes.accounts.permissions import can_assign_role, can_revoke_role
from kenes.accounts.roles import STANDARD_ROLES
from kenes.accounts.selectors import roles_of, user_has_role
from kenes.accounts.services import assign_role, ensure_standard_roles, revoke_role
from kenes.accounts.tests.conftest import Territory
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry


def test_the_seven_standard_roles_are_seeded_with_names_in_three_languages(db: None) -> None:
    roles = {role.code: role for role in Role.objects.all()}
    assert set(roles) == {
        "resident",
        "council_member",
        "coordinator",
        "akimat_staff",
        "district_admin",
        "oblast_admin",
        "programme_staff",
    }
    assert (roles["coordinator"].name_kk, roles["coordinator"].name_ru) == (
        "Үйлестіруші депутат",
        "Депутат-координатор",
    )
    assert all(role.name_kk and role.name_ru and role.name_en for role in roles.values())


def test_ensuring_the_standard_roles_twice_creates_no_duplicates(db: None) -> None:
    Role.objects.filter(code="programme_staff").delete()
    ensure_standard_roles()
    ensure_standard_roles()
    assert Role.objects.count() == len(STANDARD_ROLES)


def test_a_role_shows_its_name_in_the_active_language(db: None) -> None:
    from django.utils import translation

    role = Role.objects.get(code=Role.RESIDENT)
    with translation.override("kk"):
        assert str(role) == "Тұрғын"
    with translation.override("ru"):
        assert str(role) == "Житель"
    with translation.override("en"):
        assert str(role) == "Resident"


# --- coverage: a role held higher up covers the territory below -------------------------------------


@pytest.mark.parametrize(
    ("held_in", "asked_about", "expected"),
    [
        ("region", "region", True),
        ("region", "district", True),
        ("region", "okrug", True),
        ("region", "settlement", True),
        ("region", "far_okrug", False),
        ("district", "region", False),
        ("district", "district", True),
        ("district", "okrug", True),
        ("district", "settlement", True),
        ("district", "other_district", False),
        ("okrug", "district", False),
        ("okrug", "okrug", True),
        ("okrug", "settlement", True),
        ("okrug", "other_okrug", False),
        ("other_district", "settlement_without_okrug", True),
    ],
)
def test_a_role_covers_the_territory_inside_the_one_it_is_held_in(
    territory: Territory, held_in: str, asked_about: str, expected: bool
) -> None:
    user = UserFactory.create()
    grant(user, Role.COORDINATOR, getattr(territory, held_in))
    assert user_has_role(user, Role.COORDINATOR, getattr(territory, asked_about)) is expected


def test_holding_one_role_is_not_holding_another(territory: Territory) -> None:
    user = UserFactory.create()
    grant(user, Role.COORDINATOR, territory.region)
    assert not user_has_role(user, Role.AKIMAT_STAFF, territory.okrug)


def test_an_anonymous_visitor_holds_no_role(territory: Territory) -> None:
    assert not user_has_role(AnonymousUser(), Role.RESIDENT, territory.okrug)
    assert list(roles_of(AnonymousUser())) == []


# --- who may assign a role where: a matrix of actors, roles and territories ---------------------------

ACTORS = ["superuser", "oblast_admin", "district_admin", "okrug_akimat_staff", "plain_user", "anonymous"]


def _actor(kind: str, territory: Territory) -> Any:
    if kind == "superuser":
        return SuperuserFactory.create()
    if kind == "anonymous":
        return AnonymousUser()
    user = UserFactory.create()
    if kind == "oblast_admin":
        grant(user, Role.OBLAST_ADMIN, territory.region)
    elif kind == "district_admin":
        grant(user, Role.DISTRICT_ADMIN, territory.district)
    elif kind == "okrug_akimat_staff":
        grant(user, Role.AKIMAT_STAFF, territory.okrug)
    return user


# (actor, role to assign, territory) → allowed
MATRIX = [
    ("superuser", Role.OBLAST_ADMIN, "other_region", True),
    ("superuser", Role.RESIDENT, "far_okrug", True),
    ("oblast_admin", Role.OBLAST_ADMIN, "region", True),
    ("oblast_admin", Role.DISTRICT_ADMIN, "district", True),
    ("oblast_admin", Role.DISTRICT_ADMIN, "other_district", True),
    ("oblast_admin", Role.COORDINATOR, "okrug", True),
    ("oblast_admin", Role.COORDINATOR, "far_okrug", False),
    ("oblast_admin", Role.OBLAST_ADMIN, "other_region", False),
    ("district_admin", Role.COUNCIL_MEMBER, "okrug", True),
    ("district_admin", Role.AKIMAT_STAFF, "district", True),
    ("district_admin", Role.PROGRAMME_STAFF, "other_okrug", True),
    ("district_admin", Role.DISTRICT_ADMIN, "district", False),
    ("district_admin", Role.DISTRICT_ADMIN, "okrug", False),
    ("district_admin", Role.OBLAST_ADMIN, "okrug", False),
    ("district_admin", Role.COORDINATOR, "other_district", False),
    ("district_admin", Role.COORDINATOR, "region", False),
    ("district_admin", Role.COORDINATOR, "far_okrug", False),
    ("okrug_akimat_staff", Role.COUNCIL_MEMBER, "okrug", False),
    ("plain_user", Role.RESIDENT, "okrug", False),
    ("anonymous", Role.RESIDENT, "okrug", False),
]


@pytest.mark.parametrize(("actor_kind", "role_code", "where", "allowed"), MATRIX)
def test_who_may_assign_and_revoke_which_role_where(
    territory: Territory, actor_kind: str, role_code: str, where: str, allowed: bool
) -> None:
    actor = _actor(actor_kind, territory)
    place = getattr(territory, where)
    assert can_assign_role(actor, role_code, place) is allowed
    assert can_revoke_role(actor, role_code, place) is allowed


# --- the services ------------------------------------------------------------------------------------


def test_assigning_a_role_writes_it_and_an_audit_row(territory: Territory) -> None:
    admin = _actor("district_admin", territory)
    member = UserFactory.create()

    assignment = assign_role(actor=admin, user=member, role_code=Role.COUNCIL_MEMBER, territory=territory.okrug)

    assert (assignment.user, assignment.role.code, assignment.okrug) == (member, Role.COUNCIL_MEMBER, territory.okrug)
    entry = AuditEntry.objects.get(action="role.assigned")
    assert entry.actor_id == admin.pk
    assert entry.after == {
        "user": member.pk,
        "role": Role.COUNCIL_MEMBER,
        "territory": territory.okrug.kato,
        "territory_level": "okrug",
    }


def test_assigning_a_role_already_held_changes_nothing(territory: Territory) -> None:
    admin = _actor("oblast_admin", territory)
    member = UserFactory.create()
    first = assign_role(actor=admin, user=member, role_code=Role.COORDINATOR, territory=territory.okrug)
    second = assign_role(actor=admin, user=member, role_code=Role.COORDINATOR, territory=territory.okrug)
    assert first == second
    assert AuditEntry.objects.filter(action="role.assigned").count() == 1


def test_assigning_without_permission_is_refused_and_writes_nothing(territory: Territory) -> None:
    admin = _actor("district_admin", territory)
    with pytest.raises(DomainError) as caught:
        assign_role(actor=admin, user=UserFactory.create(), role_code=Role.DISTRICT_ADMIN, territory=territory.district)
    assert (caught.value.code, caught.value.status) == ("forbidden", 403)
    assert not RoleAssignment.objects.filter(role__code=Role.DISTRICT_ADMIN).exclude(user=admin).exists()
    assert not AuditEntry.objects.filter(action="role.assigned").exists()


def test_an_unknown_role_is_refused(territory: Territory) -> None:
    with pytest.raises(DomainError) as caught:
        assign_role(
            actor=SuperuserFactory.create(), user=UserFactory.create(), role_code="emperor", territory=territory.okrug
        )
    assert caught.value.code == "unknown_role"


def test_a_role_cannot_be_held_in_a_settlement(territory: Territory) -> None:
    with pytest.raises(DomainError) as caught:
        assign_role(
            actor=SuperuserFactory.create(),
            user=UserFactory.create(),
            role_code=Role.COORDINATOR,
            territory=territory.settlement,  # type: ignore[arg-type]
        )
    assert caught.value.code == "invalid_territory"


def test_revoking_a_role_removes_it_and_is_audited(territory: Territory) -> None:
    admin = _actor("oblast_admin", territory)
    member = UserFactory.create()
    assign_role(actor=admin, user=member, role_code=Role.COORDINATOR, territory=territory.okrug)

    revoke_role(actor=admin, user=member, role_code=Role.COORDINATOR, territory=territory.okrug)

    assert not user_has_role(member, Role.COORDINATOR, territory.okrug)
    entry = AuditEntry.objects.get(action="role.revoked")
    assert entry.actor_id == admin.pk
    assert entry.before is not None
    assert entry.before["role"] == Role.COORDINATOR


def test_revoking_a_role_not_held_is_refused(territory: Territory) -> None:
    with pytest.raises(DomainError) as caught:
        revoke_role(
            actor=SuperuserFactory.create(),
            user=UserFactory.create(),
            role_code=Role.COORDINATOR,
            territory=territory.okrug,
        )
    assert caught.value.code == "role_not_held"


def test_revoking_without_permission_is_refused(territory: Territory) -> None:
    member = UserFactory.create()
    grant(member, Role.COORDINATOR, territory.okrug)
    with pytest.raises(DomainError):
        revoke_role(actor=UserFactory.create(), user=member, role_code=Role.COORDINATOR, territory=territory.okrug)
    assert user_has_role(member, Role.COORDINATOR, territory.okrug)


def test_roles_of_lists_every_assignment_with_its_territory_in_one_query(
    territory: Territory, django_assert_num_queries: Any
) -> None:
    user = UserFactory.create()
    grant(user, Role.OBLAST_ADMIN, territory.region)
    grant(user, Role.COUNCIL_MEMBER, territory.okrug)
    grant(user, Role.AKIMAT_STAFF, territory.district)

    with django_assert_num_queries(1):
        listed = [(a.role.code, a.scope.kato, a.okrug.district.region.kato if a.okrug else "") for a in roles_of(user)]

    assert sorted(listed) == [
        ("akimat_staff", territory.district.kato, ""),
        ("council_member", territory.okrug.kato, territory.region.kato),
        ("oblast_admin", territory.region.kato, ""),
    ]
