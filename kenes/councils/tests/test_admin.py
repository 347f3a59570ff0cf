"""The councils admin: every model is listed; a charter in use and the membership rows are read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kenes.accounts.tests.factories import SuperuserFactory
from kenes.councils.tests.factories import SCRIPT, CharterFactory, PilotFactory, complete_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(SuperuserFactory.create())
    return client


@pytest.mark.parametrize("model", ["charter", "pilot", "council", "member", "coordinator"])
def test_every_councils_model_has_an_admin_list_and_page(admin_client, model):
    council = complete_council()
    objects = {
        "charter": council.charter,
        "pilot": PilotFactory.create(),
        "council": council,
        "member": council.members.earliest("id"),
        "coordinator": council.coordinators.get(),
    }

    listing = admin_client.get(reverse(f"admin:councils_{model}_changelist"))
    page = admin_client.get(reverse(f"admin:councils_{model}_change", args=[objects[model].pk]))

    assert listing.status_code == page.status_code == 200
    assert SCRIPT not in listing.content.decode() + page.content.decode()


def test_an_unused_charter_is_edited_with_its_rules(admin_client):
    charter = CharterFactory.create()

    page = admin_client.get(reverse("admin:councils_charter_change", args=[charter.pk])).content.decode()

    assert 'name="quorum_percent"' in page
    assert 'name="seat_rules-0-min_seats"' in page


def test_a_charter_in_use_is_read_only_in_the_admin(admin_client):
    charter = complete_council().charter

    page = admin_client.get(reverse("admin:councils_charter_change", args=[charter.pk])).content.decode()

    assert 'name="quorum_percent"' not in page
    assert 'name="seat_rules-0-min_seats"' not in page
    assert admin_client.post(reverse("admin:councils_charter_delete", args=[charter.pk])).status_code == 403


def test_members_are_not_added_or_deleted_in_the_admin(admin_client):
    member = complete_council().members.earliest("id")

    assert admin_client.get(reverse("admin:councils_member_add")).status_code == 403
    assert admin_client.post(reverse("admin:councils_member_delete", args=[member.pk])).status_code == 403
