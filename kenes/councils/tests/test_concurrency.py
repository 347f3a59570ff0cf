"""Twenty requests appoint a chair of the same council at the same moment: the database lets one
through, and every other gets the same clear refusal. PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from kenes.accounts.tests.factories import SuperuserFactory
from kenes.core.errors import DomainError
from kenes.councils.models import Member
from kenes.councils.services import appoint_member
from kenes.councils.tests.factories import CouncilFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_twenty_simultaneous_chairs_one_is_appointed():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    actor = SuperuserFactory.create()
    council = CouncilFactory.create()
    writers = 20
    barrier = threading.Barrier(writers)
    appointed: list[Member] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def appoint(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            appointed.append(
                appoint_member(
                    actor=actor,
                    council=council,
                    full_name=f"Төраға {number} <script>",
                    seat_group="other",
                    term_start=timezone.localdate(),
                    role="chair",
                )
            )
        except DomainError as refusal:
            refused.append(refusal.code)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=appoint, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(appointed) == 1
    assert refused == ["role_taken"] * (writers - 1)
    assert list(Member.objects.filter(council=council, role="chair", status="active")) == appointed
