from __future__ import annotations

import pytest

from kenes.accounts.models import Role
from kenes.accounts.services import verify_residency
from kenes.accounts.tests.conftest import Territory
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant, make_resident
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_akimat_staff_of_the_okrug_verify_a_residents_declared_residency(territory: Territory) -> None:
    profile = make_resident(settlement=territory.settlement)
    staff = UserFactory.create()
    grant(staff, Role.AKIMAT_STAFF, territory.okrug)

    verify_residency(actor=staff, user=profile.user)

    profile.refresh_from_db()
    assert profile.verified_at is not None
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor_id) == ("resident.verified", staff.pk)
    assert entry.after is not None
    assert entry.after["verified"] is True
    assert "iin_digest" not in entry.after


def test_verifying_twice_changes_nothing(territory: Territory) -> None:
    profile = make_resident(settlement=territory.settlement)
    admin = SuperuserFactory.create()
    verify_residency(actor=admin, user=profile.user)
    profile.refresh_from_db()
    first, rows = profile.verified_at, AuditEntry.objects.count()

    verify_residency(actor=admin, user=profile.user)

    profile.refresh_from_db()
    assert profile.verified_at == first
    assert AuditEntry.objects.count() == rows


@pytest.mark.parametrize("who", ["self", "staff_elsewhere", "resident_neighbour"])
def test_others_may_not_verify_a_residency(territory: Territory, who: str) -> None:
    profile = make_resident(settlement=territory.settlement)
    actor = profile.user
    if who == "staff_elsewhere":
        actor = UserFactory.create()
        grant(actor, Role.AKIMAT_STAFF, territory.far_okrug)
    elif who == "resident_neighbour":
        actor = make_resident(settlement=territory.settlement, iin="050615600011").user

    with pytest.raises(DomainError) as refused:
        verify_residency(actor=actor, user=profile.user)

    assert refused.value.code == "forbidden"
    profile.refresh_from_db()
    assert profile.verified_at is None


def test_a_person_without_a_declared_residency_cannot_be_verified() -> None:
    with pytest.raises(DomainError) as refused:
        verify_residency(actor=SuperuserFactory.create(), user=UserFactory.create())

    assert refused.value.code == "no_residency"
