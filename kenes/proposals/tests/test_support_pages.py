"""The support button on a proposal's page: with htmx it swaps itself, without JavaScript it is a
plain form that posts and comes back to the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals.models import Proposal, Status, Support
from kenes.proposals.tests.factories import ProposalFactory, resident_of
from kenes.proposals.tests.pages import assert_escaped, page, signed_in, speaking
from kenes.territory.tests.factories import OkrugFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def proposal() -> Proposal:
    return ProposalFactory.create(council=CouncilFactory.create(), status=Status.COLLECTING)


@pytest.fixture
def neighbour(proposal: Proposal) -> Any:
    # Declared residency is enough to support: verification is for authorship.
    return resident_of(proposal.okrug, verified=False)


def count(proposal: Proposal) -> int:
    proposal.refresh_from_db()
    return proposal.support_count


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_neighbour_sees_the_support_button_as_a_form_with_htmx_attributes(
    proposal: Proposal, neighbour: Any, language: str
) -> None:
    html = page(signed_in(neighbour, language).get(reverse("proposals:detail", args=[proposal.pk])))

    support = reverse("proposals:support", args=[proposal.pk])
    assert (
        f'<form method="post" action="{support}" hx-post="{support}" hx-target="#support" hx-swap="outerHTML">' in html
    )
    assert '<div id="support"' in html
    assert_escaped(html)


def test_supporting_without_javascript_redirects_back_with_the_count(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)

    response = client.post(reverse("proposals:support", args=[proposal.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk]) + "#support"
    assert count(proposal) == 1
    html = page(client.get(response["Location"]))
    assert "Your support is counted." in html
    assert "<strong>1</strong> resident supports this proposal" in html
    assert reverse("proposals:withdraw", args=[proposal.pk]) in html


def test_supporting_with_htmx_returns_only_the_fragment(proposal: Proposal, neighbour: Any) -> None:
    response = signed_in(neighbour).post(reverse("proposals:support", args=[proposal.pk]), headers=HTMX)

    html = page(response)
    assert html.startswith('<div id="support"')
    assert "<html" not in html
    assert "<strong>1</strong>" in html
    assert f'hx-post="{reverse("proposals:withdraw", args=[proposal.pk])}"' in html
    assert count(proposal) == 1


def test_supporting_twice_counts_once(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)

    client.post(reverse("proposals:support", args=[proposal.pk]))
    client.post(reverse("proposals:support", args=[proposal.pk]), headers=HTMX)

    assert count(proposal) == 1
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_withdrawing_with_and_without_htmx(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)
    client.post(reverse("proposals:support", args=[proposal.pk]))

    fragment = page(client.post(reverse("proposals:withdraw", args=[proposal.pk]), headers=HTMX))
    assert count(proposal) == 0
    assert "<strong>0</strong>" in fragment
    assert f'hx-post="{reverse("proposals:support", args=[proposal.pk])}"' in fragment

    client.post(reverse("proposals:support", args=[proposal.pk]))
    response = client.post(reverse("proposals:withdraw", args=[proposal.pk]))
    assert response.status_code == 302
    assert count(proposal) == 0
    assert "Your support is withdrawn." in page(client.get(response["Location"]))


def test_supports_stay_once_the_proposal_is_on_an_agenda(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)
    client.post(reverse("proposals:support", args=[proposal.pk]))
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.ON_AGENDA)

    html = page(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert reverse("proposals:withdraw", args=[proposal.pk]) not in html
    assert "supports stay as they are" in html

    fragment = page(client.post(reverse("proposals:withdraw", args=[proposal.pk]), headers=HTMX))
    assert 'class="error"' in fragment
    assert count(proposal) == 1


def test_a_resident_of_another_okrug_is_refused_with_the_reason(proposal: Proposal) -> None:
    client = signed_in(resident_of(OkrugFactory.create()))

    html = page(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert reverse("proposals:support", args=[proposal.pk]) not in html
    assert "Only residents of this okrug can support its proposals" in html

    fragment = page(client.post(reverse("proposals:support", args=[proposal.pk]), headers=HTMX))
    assert 'role="alert"' in fragment
    response = client.post(reverse("proposals:support", args=[proposal.pk]))
    assert response.status_code == 302
    assert count(proposal) == 0


def test_the_author_cannot_support_their_own_proposal(proposal: Proposal) -> None:
    client = signed_in(proposal.author)

    html = page(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert "This is your proposal" in html

    client.post(reverse("proposals:support", args=[proposal.pk]))
    assert count(proposal) == 0


def test_a_visitor_is_asked_to_log_in_and_cannot_post(client: Client, proposal: Proposal) -> None:
    html = page(speaking(client, "en").get(reverse("proposals:detail", args=[proposal.pk])))
    assert "Log in to support this proposal" in html

    response = client.post(reverse("proposals:support", args=[proposal.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert count(proposal) == 0


def test_support_is_posted_never_fetched(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)

    assert client.get(reverse("proposals:support", args=[proposal.pk])).status_code == 405
    assert client.get(reverse("proposals:withdraw", args=[proposal.pk])).status_code == 405


def test_a_proposal_waiting_for_screening_does_not_collect_support(neighbour: Any, proposal: Proposal) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.SUBMITTED)

    html = page(signed_in(neighbour).get(reverse("proposals:detail", args=[proposal.pk])))

    assert "does not collect support now" in html
    assert reverse("proposals:support", args=[proposal.pk]) not in html


def test_the_count_reaching_the_threshold_makes_the_proposal_ready(proposal: Proposal) -> None:
    charter = proposal.council.charter
    type(charter).objects.filter(pk=charter.pk).update(support_threshold=1)

    client = signed_in(resident_of(proposal.okrug))

    client.post(reverse("proposals:support", args=[proposal.pk]), headers=HTMX)

    proposal.refresh_from_db()
    assert proposal.status == Status.READY
    html = page(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert '<span class="status status-ready">Ready for the agenda</span>' in html
