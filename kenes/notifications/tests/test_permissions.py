"""Who may see the outbox and send a failed message again: a matrix of personas × predicates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.notifications.models import OutboxMessage
from kenes.notifications.permissions import can_retry_message, can_see_outbox
from kenes.notifications.tests.factories import OutboxMessageFactory
from kenes.territory.models import District, Okrug, Region
from kenes.territory.tests.factories import OkrugFactory

pytestmark = pytest.mark.django_db


def holding(role: str, level: str) -> Callable[[], Any]:
    def make() -> Any:
        okrug = OkrugFactory.create()
        territories: dict[str, Region | District | Okrug] = {
            "okrug": okrug,
            "district": okrug.district,
            "region": okrug.district.region,
        }
        territory = territories[level]
        user = UserFactory.create()
        grant(user, role, territory)
        user.region = okrug.district.region  # type: ignore[attr-defined]  # where their messages would be
        return user

    return make


PERSONAS: dict[str, tuple[Callable[[], Any], bool]] = {
    "visitor": (AnonymousUser, False),
    "resident": (lambda: UserFactory.create(), False),
    "council member": (holding(Role.COUNCIL_MEMBER, "okrug"), False),
    "akimat staff": (holding(Role.AKIMAT_STAFF, "okrug"), False),
    "district administrator": (holding(Role.DISTRICT_ADMIN, "district"), False),
    "programme staff": (holding(Role.PROGRAMME_STAFF, "region"), False),
    "oblast administrator": (holding(Role.OBLAST_ADMIN, "region"), True),
    "superuser": (lambda: SuperuserFactory.create(), True),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_oblast_administrators_and_superusers_see_the_outbox(persona: str) -> None:
    make, allowed = PERSONAS[persona]

    assert can_see_outbox(make()) is allowed


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_they_send_a_failed_message_again(persona: str) -> None:
    make, allowed = PERSONAS[persona]
    user = make()
    dead = OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD, region=getattr(user, "region", None))

    assert can_retry_message(user, dead) is allowed


def test_an_oblast_administrator_sends_again_only_a_message_of_their_oblast() -> None:
    admin = holding(Role.OBLAST_ADMIN, "region")()
    elsewhere = OkrugFactory.create().district.region

    assert can_retry_message(admin, OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD, region=admin.region))
    assert not can_retry_message(admin, OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD, region=elsewhere))
    assert not can_retry_message(admin, OutboxMessageFactory.create(status=OutboxMessage.Status.DEAD, region=None))


@pytest.mark.parametrize(
    "status",
    [
        OutboxMessage.Status.PENDING,
        OutboxMessage.Status.SENDING,
        OutboxMessage.Status.SENT,
        OutboxMessage.Status.CANCELLED,  # cancelled by the person (unsubscribed, unlinked): never overruled
    ],
)
def test_a_message_that_did_not_fail_is_not_sent_again_by_anyone(status: str) -> None:
    message = OutboxMessageFactory.build(status=status)

    assert not can_retry_message(SuperuserFactory.create(), message)
