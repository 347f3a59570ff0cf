from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kenes.accounts.models import Role, RoleAssignment
from kenes.accounts.tests.conftest import Territory
from kenes.accounts.tests.factories import SCRIPT, SuperuserFactory, UserFactory, grant, make_resident
from kenes.core.models import AuditEntry

IIN = "900101300017"


@pytest.fixture
def admin_client(client: Client, db: None) -> Client:
    client.force_login(SuperuserFactory.create())
    return client


@pytest.mark.parametrize("model", ["user", "role", "roleassignment", "residentprofile"])
def test_every_accounts_model_has_an_admin_list(admin_client: Client, territory: Territory, model: str) -> None:
    make_resident(iin=IIN, settlement=territory.settlement)
    response = admin_client.get(reverse(f"admin:accounts_{model}_changelist"))
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()


def test_the_resident_profile_admin_shows_the_mask_and_never_the_digest(
    admin_client: Client, territory: Territory
) -> None:
    profile = make_resident(iin=IIN, settlement=territory.settlement)

    page = admin_client.get(reverse("admin:accounts_residentprofile_change", args=[profile.pk])).content.decode()

    assert "9001********" in page
    assert profile.iin_digest not in page
    assert IIN not in page
    assert 'name="iin_digest"' not in page
    assert 'name="iin_masked"' not in page  # read-only


def test_resident_profiles_are_not_added_in_the_admin(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:accounts_residentprofile_add")).status_code == 403


def test_the_user_admin_adds_a_user_with_an_argon2_password(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "akimat-clerk",
            "full_name": "Clerk",
            "email": "clerk@example.org",
            "password1": "Kenes-admin-made-password-1",
            "password2": "Kenes-admin-made-password-1",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    from kenes.accounts.models import User

    assert User.objects.get(username="akimat-clerk").password.startswith("argon2")


def test_a_role_assigned_in_the_admin_goes_through_the_service_and_is_audited(
    admin_client: Client, territory: Territory
) -> None:
    member = UserFactory.create()
    role = Role.objects.get(code=Role.COORDINATOR)

    response = admin_client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": member.pk, "role": role.pk, "okrug": territory.okrug.pk},
    )

    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=member, role=role, okrug=territory.okrug).exists()
    assert AuditEntry.objects.filter(action="role.assigned").count() == 1


def test_the_admin_refuses_an_assignment_in_two_territories(admin_client: Client, territory: Territory) -> None:
    member = UserFactory.create()
    role = Role.objects.get(code=Role.COORDINATOR)
    response = admin_client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": member.pk, "role": role.pk, "okrug": territory.okrug.pk, "district": territory.district.pk},
    )
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=member).exists()


def test_a_role_deleted_in_the_admin_is_revoked_through_the_service(admin_client: Client, territory: Territory) -> None:
    assignment = grant(UserFactory.create(), Role.COORDINATOR, territory.okrug)
    response = admin_client.post(reverse("admin:accounts_roleassignment_delete", args=[assignment.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEntry.objects.filter(action="role.revoked").count() == 1


def test_a_filtered_admin_list_counts_up_to_the_cap_and_says_at_least(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kenes.core import admin as core_admin

    monkeypatch.setattr(core_admin, "COUNT_UP_TO", 3)
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    UserFactory.create_batch(4, is_demo=True)
    url = reverse("admin:accounts_user_changelist")

    capped = admin_client.get(url, {"is_demo__exact": "1"})
    searched = admin_client.get(url, {"q": "demo", "is_demo__exact": "1"})
    exact = admin_client.get(url, {"is_demo__exact": "0"})  # the superuser alone

    assert capped.context["cl"].paginator.capped
    assert "at least 3 users" in " ".join(capped.content.decode().split())
    assert not exact.context["cl"].paginator.capped
    assert "1 user" in " ".join(exact.content.decode().split())
    assert searched.status_code == 200


@pytest.mark.postgres
def test_an_unfiltered_big_admin_list_shows_the_planners_estimate(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from kenes.core import admin as core_admin

    if connection.vendor != "postgresql":
        pytest.skip("the estimate is PostgreSQL's pg_class.reltuples")
    monkeypatch.setattr(core_admin, "ESTIMATE_ABOVE", 2)
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    UserFactory.create_batch(4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")

    response = admin_client.get(reverse("admin:accounts_user_changelist"))

    assert response.context["cl"].paginator.approximate
    assert "about 5 users" in " ".join(response.content.decode().split())
