from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kenes.accounts.iin import iin_digest
from kenes.accounts.models import ResidentProfile, Role, RoleAssignment
from kenes.accounts.selectors import find_resident_by_iin, user_has_role
from kenes.accounts.services import IIN_TAKEN_MESSAGE, set_residency
from kenes.accounts.tests.conftest import Territory
from kenes.accounts.tests.factories import SCRIPT, UserFactory, grant, make_resident
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry

IIN = "900101300017"
OTHER_IIN = "050615600011"


def _declare(client: Client, iin: str, kato: str) -> Any:
    return client.post(reverse("accounts:profile"), {"iin": iin, "settlement": kato})


def test_the_profile_page_asks_to_log_in_first(client: Client, db: None) -> None:
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_declaring_residency_stores_the_digest_and_the_mask_never_the_number(
    client: Client, territory: Territory
) -> None:
    user = UserFactory.create()
    client.force_login(user)

    response = _declare(client, IIN, territory.settlement.kato)

    assert response.status_code == 302
    profile = ResidentProfile.objects.get(user=user)
    assert profile.iin_digest == iin_digest(IIN)
    assert profile.iin_masked == "9001********"
    assert profile.birth_date == datetime.date(1990, 1, 1)
    assert profile.settlement == territory.settlement
    row = ResidentProfile.objects.filter(pk=profile.pk).values().get()
    assert all(IIN not in str(value) for value in row.values())
    assert all(IIN not in str(value) for value in model_to_dict(profile).values())


def test_the_profile_page_shows_the_masked_iin_and_never_the_number(client: Client, territory: Territory) -> None:
    user = UserFactory.create()
    client.force_login(user)
    _declare(client, IIN, territory.settlement.kato)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "9001********" in page
    assert IIN not in page
    assert territory.settlement.kato in page
    assert SCRIPT not in page  # the full name is escaped


def test_a_form_error_does_not_echo_the_iin_back(client: Client, territory: Territory) -> None:
    client.force_login(UserFactory.create())

    response = _declare(client, IIN, "999999999")  # a valid IIN, an unknown settlement

    assert response.status_code == 200
    assert response.context["form"].has_error("settlement", code="unknown_settlement")
    assert IIN not in response.content.decode()
    assert not ResidentProfile.objects.exists()


def test_a_wrong_iin_is_refused_with_the_reason_and_is_not_echoed(client: Client, territory: Territory) -> None:
    client.force_login(UserFactory.create())

    response = _declare(client, "900101300018", territory.settlement.kato)

    assert response.context["form"].has_error("iin", code="invalid_iin")
    assert "900101300018" not in response.content.decode()
    assert not ResidentProfile.objects.exists()


@pytest.mark.parametrize("kato", ["27403310", "27403310a", "2740331000"])
def test_a_malformed_kato_code_is_refused(client: Client, territory: Territory, kato: str) -> None:
    client.force_login(UserFactory.create())
    response = _declare(client, IIN, kato)
    assert response.context["form"].has_error("settlement", code="invalid_kato")


def test_a_retired_settlement_cannot_be_chosen(client: Client, territory: Territory) -> None:
    territory.settlement.retired_at = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    territory.settlement.save()
    client.force_login(UserFactory.create())
    response = _declare(client, IIN, territory.settlement.kato)
    assert response.context["form"].has_error("settlement", code="unknown_settlement")


def test_spaces_inside_the_iin_are_ignored(client: Client, territory: Territory) -> None:
    user = UserFactory.create()
    client.force_login(user)
    _declare(client, "900101 300017", territory.settlement.kato)
    assert ResidentProfile.objects.get(user=user).iin_digest == iin_digest(IIN)


def test_an_iin_already_registered_to_another_account_is_refused_with_a_clear_message(
    client: Client, territory: Territory
) -> None:
    make_resident(iin=IIN, settlement=territory.settlement)
    second = UserFactory.create()
    client.force_login(second)

    response = _declare(client, IIN, territory.settlement.kato)

    assert response.status_code == 200
    assert response.context["form"].has_error("iin", code="iin_taken")
    with translation.override("kk"):
        assert escape(str(IIN_TAKEN_MESSAGE)) in response.content.decode()
    assert IIN not in response.content.decode()
    assert not ResidentProfile.objects.filter(user=second).exists()


def test_the_service_refuses_a_duplicate_iin_with_its_code(territory: Territory) -> None:
    make_resident(iin=IIN, settlement=territory.settlement)
    second = UserFactory.create()
    with pytest.raises(DomainError) as caught:
        set_residency(actor=second, user=second, iin=IIN, settlement=territory.settlement)
    assert caught.value.code == "iin_taken"


def test_declaring_residency_makes_the_person_a_resident_of_the_okrug(territory: Territory) -> None:
    profile = make_resident(iin=IIN, settlement=territory.settlement)

    assignment = RoleAssignment.objects.get(user=profile.user)
    assert (assignment.role.code, assignment.okrug) == (Role.RESIDENT, territory.okrug)
    assert user_has_role(profile.user, Role.RESIDENT, territory.settlement)
    assert not user_has_role(profile.user, Role.RESIDENT, territory.other_okrug)


def test_a_settlement_outside_any_okrug_makes_a_resident_of_its_district(territory: Territory) -> None:
    profile = make_resident(iin=IIN, settlement=territory.settlement_without_okrug)
    assignment = RoleAssignment.objects.get(user=profile.user)
    assert (assignment.role.code, assignment.district) == (Role.RESIDENT, territory.other_district)


def test_moving_to_another_okrug_moves_the_resident_role(territory: Territory) -> None:
    profile = make_resident(iin=IIN, settlement=territory.settlement)
    profile.verified_at = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    profile.save()

    moved = set_residency(actor=profile.user, user=profile.user, iin=IIN, settlement=territory.settlement_without_okrug)

    assert moved.pk == profile.pk
    assert moved.verified_at is None  # the check was of the old address
    scopes = [a.scope for a in RoleAssignment.objects.filter(user=profile.user)]
    assert scopes == [territory.other_district]
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions[-3:] == ["role.revoked", "role.assigned", "residency.changed"]


def test_declaring_the_same_residency_again_changes_nothing_but_is_recorded(territory: Territory) -> None:
    profile = make_resident(iin=IIN, settlement=territory.settlement)
    set_residency(actor=profile.user, user=profile.user, iin=IIN, settlement=territory.settlement)
    assert ResidentProfile.objects.count() == 1
    assert RoleAssignment.objects.filter(user=profile.user).count() == 1


def test_residency_is_audited_with_the_mask_only(territory: Territory) -> None:
    profile = make_resident(iin=IIN, settlement=territory.settlement)

    entry = AuditEntry.objects.get(action="residency.declared")
    assert entry.actor_id == profile.user_id
    assert entry.after == {
        "user": profile.user_id,
        "iin_masked": "9001********",
        "settlement": territory.settlement.kato,
        "verified": False,
    }
    stored = " ".join(str(v) for v in AuditEntry.objects.values_list("before", "after", "target_label"))
    assert IIN not in stored
    assert profile.iin_digest not in stored


def test_akimat_staff_of_the_okrug_may_enter_residency_for_a_resident(territory: Territory) -> None:
    staff = UserFactory.create()
    grant(staff, Role.AKIMAT_STAFF, territory.okrug)
    resident = UserFactory.create()

    set_residency(actor=staff, user=resident, iin=IIN, settlement=territory.settlement)

    entry = AuditEntry.objects.get(action="residency.declared")
    assert entry.actor_id == staff.pk
    assert entry.after is not None
    assert entry.after["user"] == resident.pk


def test_someone_else_may_not_declare_residency_for_a_person(territory: Territory) -> None:
    stranger = UserFactory.create()
    grant(stranger, Role.AKIMAT_STAFF, territory.other_okrug)
    with pytest.raises(DomainError) as caught:
        set_residency(actor=stranger, user=UserFactory.create(), iin=IIN, settlement=territory.settlement)
    assert caught.value.code == "forbidden"
    assert not ResidentProfile.objects.exists()


def test_a_resident_is_found_by_the_number_they_give(territory: Territory) -> None:
    profile = make_resident(iin=OTHER_IIN, settlement=territory.settlement)
    assert find_resident_by_iin(OTHER_IIN) == profile
    assert find_resident_by_iin(IIN) is None


def test_the_profile_page_stays_within_its_query_budget(
    client: Client, territory: Territory, django_assert_max_num_queries: object
) -> None:
    profile = make_resident(iin=IIN, settlement=territory.settlement)
    for scope in (territory.region, territory.district, territory.other_okrug):
        grant(profile.user, Role.COUNCIL_MEMBER, scope)
    client.force_login(profile.user)

    # Session, user, resident profile, roles with their territories, API tokens, the demo flag,
    # whether the menu shows the inbox link (one look at the staff roles) and the menu's unread
    # notices count (kenes.notifications).
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        page = client.get(reverse("accounts:profile")).content.decode()

    assert page.count("<li>") >= 4
    assert territory.okrug.name_kk in page
