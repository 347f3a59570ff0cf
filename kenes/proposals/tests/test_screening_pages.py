"""The coordinator's queue and screening page: accept, return, merge, forward, mark ready."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accounts.tests.factories import SuperuserFactory
from kenes.core.calendar import add_working_days
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals.models import Proposal, Status, Support
from kenes.proposals.tests.factories import SCRIPT, ProposalFactory, coordinator_of, resident_of, staff_of
from kenes.proposals.tests.pages import assert_escaped, page, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def council() -> Any:
    return CouncilFactory.create()


@pytest.fixture
def coordinator(council: Any) -> Client:
    return signed_in(coordinator_of(council))


def submitted(council: Any, *, days_ago: int = 0, **fields: Any) -> Proposal:
    today = timezone.localdate()
    return ProposalFactory.create(
        council=council,
        status=Status.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
        screening_due_on=add_working_days(today - datetime.timedelta(days=days_ago), 3),
        **fields,
    )


def screen(client: Client, proposal: Proposal, **data: str) -> Any:
    return client.post(reverse("proposals:screen", args=[proposal.pk]), data)


def reload(proposal: Proposal) -> Proposal:
    proposal.refresh_from_db()
    return proposal


# The queue


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_queue_lists_submitted_proposals_oldest_first_with_the_days_left(council: Any, language: str) -> None:
    late = submitted(council, days_ago=20, title=f"Кешіккен {SCRIPT}")
    fresh = submitted(council, title="Жаңа келген")
    ProposalFactory.create(council=council, status=Status.COLLECTING, title="Қабылданған")
    elsewhere = submitted(CouncilFactory.create(), title="Басқа округ")

    html = page(signed_in(coordinator_of(council), language).get(reverse("proposals:queue")))

    assert f'<html lang="{language}">' in html
    assert html.index(escape(late.title)) < html.index(fresh.title)
    assert "Қабылданған" not in html
    assert elsewhere.title not in html
    assert 'class="days-left overdue"' in html
    assert reverse("proposals:screen", args=[late.pk]) in html
    assert_escaped(html)


def test_the_queue_shows_red_days_and_working_days_in_words(council: Any, coordinator: Client) -> None:
    submitted(council, days_ago=20)

    html = page(coordinator.get(reverse("proposals:queue")))

    assert "overdue by" in html


@pytest.mark.parametrize("count", [1, 30])
def test_the_queue_runs_in_a_fixed_number_of_queries(
    council: Any, coordinator: Client, count: int, django_assert_max_num_queries: Any
) -> None:
    for _ in range(count):
        submitted(council)

    # Signed in: one query more for the menu's inbox link (kenes.accountability).
    # One more for the menu's unread notices count (kenes.notifications), and three for the councils
    # coordinated: the user's coordinator rows and roles, then the councils' ids (read first, so the
    # queue query uses each council's index; the scope from the user's own rows, so that read does not
    # go through every council of the country).
    with django_assert_max_num_queries(10):
        page(coordinator.get(reverse("proposals:queue")))


def test_someone_who_coordinates_nothing_sees_an_empty_queue(council: Any) -> None:
    submitted(council)

    html = page(signed_in(resident_of(council.okrug)).get(reverse("proposals:queue")))

    assert "Nothing is waiting for screening." in html


def test_the_queue_needs_signing_in(client: Client) -> None:
    response = client.get(reverse("proposals:queue"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# The screening page


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_screening_page_renders_in_kazakh_and_russian(council: Any, language: str) -> None:
    proposal = submitted(council)
    similar = ProposalFactory.create(council=council, status=Status.COLLECTING, title=proposal.title + " 2")

    html = page(signed_in(coordinator_of(council), language).get(reverse("proposals:screen", args=[proposal.pk])))

    assert f'<html lang="{language}">' in html
    for action in ("accept", "return", "forward", "merge"):
        assert f'name="action" value="{action}"' in html
    assert f'<option value="{similar.pk}">' in html
    assert_escaped(html)


def test_the_screening_page_is_not_found_for_anyone_but_the_coordinator(council: Any) -> None:
    proposal = submitted(council)
    url = reverse("proposals:screen", args=[proposal.pk])

    assert signed_in(resident_of(council.okrug)).get(url).status_code == 404
    assert signed_in(coordinator_of(CouncilFactory.create())).get(url).status_code == 404
    assert signed_in(staff_of(council.okrug)).get(url).status_code == 404
    assert signed_in(SuperuserFactory.create()).get(url).status_code == 200
    assert Client().get(url).status_code == 302


def test_a_draft_cannot_be_screened(council: Any, coordinator: Client) -> None:
    draft = ProposalFactory.create(council=council)

    assert coordinator.get(reverse("proposals:screen", args=[draft.pk])).status_code == 404


def test_accepting_opens_the_proposal_for_support(council: Any, coordinator: Client) -> None:
    proposal = submitted(council)

    response = screen(coordinator, proposal, action="accept")

    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])
    assert reload(proposal).status == Status.COLLECTING
    html = page(coordinator.get(response["Location"]))
    assert "residents can support it now" in html
    assert "Accepted for support" in html


def test_returning_needs_a_reason_which_the_author_then_reads(council: Any, coordinator: Client) -> None:
    proposal = submitted(council)

    refused = screen(coordinator, proposal, action="return", **{"return-reason": "  "})
    assert refused.status_code == 400
    assert reload(proposal).status == Status.SUBMITTED

    screen(coordinator, proposal, action="return", **{"return-reason": f"Сметаны қосыңыз {SCRIPT}"})

    assert reload(proposal).status == Status.RETURNED
    author = signed_in(proposal.author)
    for url in (reverse("proposals:mine"), reverse("proposals:edit", args=[proposal.pk])):
        html = page(author.get(url))
        assert escape(f"Сметаны қосыңыз {SCRIPT}") in html
        assert_escaped(html)


def test_merging_moves_the_supports_to_the_chosen_proposal(council: Any, coordinator: Client) -> None:
    target = ProposalFactory.create(council=council, status=Status.COLLECTING)
    duplicate = submitted(council)
    Support.objects.create(proposal=duplicate, resident=resident_of(council.okrug))
    Proposal.objects.filter(pk=duplicate.pk).update(support_count=1)

    response = screen(coordinator, duplicate, action="merge", **{"merge-into": str(target.pk), "merge-reason": ""})

    assert response.status_code == 302
    assert reload(duplicate).status == Status.MERGED
    assert reload(target).support_count == 1
    html = page(coordinator.get(reverse("proposals:detail", args=[duplicate.pk])))
    assert reverse("proposals:detail", args=[target.pk]) in html


def test_a_proposal_of_another_okrug_is_not_a_merge_target(council: Any, coordinator: Client) -> None:
    duplicate = submitted(council)
    foreign = ProposalFactory.create(council=CouncilFactory.create(), status=Status.COLLECTING)

    response = screen(coordinator, duplicate, action="merge", **{"merge-into": str(foreign.pk)})

    assert response.status_code == 400
    assert reload(duplicate).status == Status.SUBMITTED


def test_forwarding_names_the_addressee_on_the_public_page(council: Any, coordinator: Client) -> None:
    proposal = submitted(council)

    screen(coordinator, proposal, action="forward", **{"forward-addressee": f"Аудандық білім бөлімі {SCRIPT}"})

    assert reload(proposal).status == Status.FORWARDED
    html = page(Client().get(reverse("proposals:detail", args=[proposal.pk])))
    assert escape(f"Аудандық білім бөлімі {SCRIPT}") in html
    assert_escaped(html)


def test_the_coordinator_marks_a_collecting_proposal_ready(council: Any, coordinator: Client) -> None:
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)

    html = page(coordinator.get(reverse("proposals:screen", args=[proposal.pk])))
    assert 'value="ready"' in html
    assert 'value="accept"' not in html

    screen(coordinator, proposal, action="ready")

    assert reload(proposal).status == Status.READY


def test_a_refused_transition_is_shown_by_the_form(council: Any, coordinator: Client) -> None:
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)

    response = screen(coordinator, proposal, action="accept")

    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()
    assert reload(proposal).status == Status.COLLECTING
