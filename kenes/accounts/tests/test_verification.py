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


def test_akimat_staff_see_and_verify_the_residents_waiting_in_their_okrug(client, territory: Territory) -> None:
    waiting = make_resident(settlement=territory.settlement)
    waiting.user.full_name = "Айгүл <script>x</script>"
    waiting.user.save()
    staff = UserFactory.create()
    grant(staff, Role.AKIMAT_STAFF, territory.okrug)
    client.force_login(staff)

    page = client.get("/accounts/residents/verification/").content.decode()
    assert "Айгүл &lt;script&gt;x&lt;/script&gt;" in page
    assert waiting.iin_masked in page

    response = client.post("/accounts/residents/verification/", {"profile": waiting.pk})

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.verified_at is not None
    assert waiting.iin_masked not in client.get("/accounts/residents/verification/").content.decode()


def test_staff_of_another_okrug_neither_see_nor_verify_a_resident(client, territory: Territory) -> None:
    waiting = make_resident(settlement=territory.settlement)
    staff = UserFactory.create()
    grant(staff, Role.AKIMAT_STAFF, territory.far_okrug)
    client.force_login(staff)

    assert waiting.iin_masked not in client.get("/accounts/residents/verification/").content.decode()
    assert client.post("/accounts/residents/verification/", {"profile": waiting.pk}).status_code == 404
    waiting.refresh_from_db()
    assert waiting.verified_at is None


def test_the_verification_queue_needs_a_login(client) -> None:
    response = client.get("/accounts/residents/verification/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_verification_queue_runs_a_fixed_number_of_queries(
    client, territory: Territory, django_assert_max_num_queries
) -> None:
    staff = UserFactory.create()
    grant(staff, Role.AKIMAT_STAFF, territory.okrug)
    make_resident(settlement=territory.settlement)
    make_resident(settlement=territory.settlement, iin="050615600011")
    make_resident(settlement=territory.settlement, iin="900101300811")
    client.force_login(staff)

    # One more for the menu's unread notices count (kenes.notifications).
    with django_assert_max_num_queries(7):
        client.get("/accounts/residents/verification/")


def test_the_profile_of_akimat_staff_links_to_the_verification_queue(client, territory: Territory) -> None:
    staff = UserFactory.create()
    grant(staff, Role.AKIMAT_STAFF, territory.okrug)
    client.force_login(staff)

    assert 'href="/accounts/residents/verification/"' in client.get("/accounts/profile/").content.decode()


def test_a_malformed_choice_is_not_found(client) -> None:
    client.force_login(SuperuserFactory.create())

    assert client.post("/accounts/residents/verification/", {"profile": "1; drop"}).status_code == 404
