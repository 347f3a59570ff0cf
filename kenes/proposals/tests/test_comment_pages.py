"""The discussion under a proposal: comments, one level of replies, editing within the window,
reports, and the coordinator hiding a comment with a public reason."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals.models import Comment, CommentReport, Proposal, Status
from kenes.proposals.tests.factories import SCRIPT, CommentFactory, ProposalFactory, coordinator_of, resident_of
from kenes.proposals.tests.pages import assert_escaped, page, signed_in, speaking
from kenes.territory.tests.factories import OkrugFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal() -> Proposal:
    return ProposalFactory.create(council=CouncilFactory.create(), status=Status.COLLECTING)


@pytest.fixture
def neighbour(proposal: Proposal) -> Any:
    return resident_of(proposal.okrug)


def detail(proposal: Proposal) -> str:
    return reverse("proposals:detail", args=[proposal.pk])


def post_comment(client: Client, proposal: Proposal, body: str, parent: Comment | None = None) -> Any:
    data = {"body": body, "parent": str(parent.pk) if parent else ""}
    return client.post(reverse("proposals:comment", args=[proposal.pk]), data)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_discussion_renders_in_kazakh_and_russian_with_comments_escaped(proposal: Proposal, language: str) -> None:
    top = CommentFactory.create(proposal=proposal)
    CommentFactory.create(proposal=proposal, parent=top)

    html = page(signed_in(resident_of(proposal.okrug), language).get(detail(proposal)))

    assert f'<html lang="{language}">' in html
    assert escape(top.body).replace("\n", "") in html
    assert html.count('class="comment"') == 2
    assert '<ol class="replies">' in html
    assert_escaped(html)


def test_a_resident_comments_and_is_taken_to_the_comment(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)

    response = post_comment(client, proposal, f"Мен де қолдаймын {SCRIPT}")

    added = Comment.objects.get()
    assert response["Location"] == detail(proposal) + f"#comment-{added.pk}"
    html = page(client.get(detail(proposal)))
    assert "Your comment is published." in html
    assert escape(f"Мен де қолдаймын {SCRIPT}") in html
    assert_escaped(html)


def test_a_reply_sits_under_its_thread_and_a_reply_to_a_reply_is_refused(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)
    top = CommentFactory.create(proposal=proposal)

    post_comment(client, proposal, "Жауап", parent=top)
    reply = Comment.objects.get(parent=top)
    refused = post_comment(client, proposal, "Жауапқа жауап", parent=reply)

    assert refused.status_code == 400
    assert "replies have no replies" in refused.content.decode()
    assert "Жауапқа жауап" in refused.content.decode()
    assert Comment.objects.count() == 2


def test_an_empty_comment_is_shown_by_its_form(proposal: Proposal, neighbour: Any) -> None:
    response = post_comment(signed_in(neighbour), proposal, "   ")

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Comment.objects.exists()


def test_the_rate_limit_says_when_to_try_again(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)
    for number in range(5):
        post_comment(client, proposal, f"Пікір {number}")

    response = post_comment(client, proposal, "Алтыншы пікір")

    assert response.status_code == 400
    assert "try again in" in response.content.decode()
    assert "Алтыншы пікір" in response.content.decode()
    assert Comment.objects.count() == 5


def test_visitors_and_outsiders_are_told_who_takes_part(client: Client, proposal: Proposal) -> None:
    assert "Log in to take part in the discussion" in page(speaking(client, "en").get(detail(proposal)))

    outsider = signed_in(resident_of(OkrugFactory.create()))
    assert "Residents of this okrug, council members and the coordinator" in page(outsider.get(detail(proposal)))
    post_comment(outsider, proposal, "Сырттан")
    assert not Comment.objects.exists()


def test_commenting_needs_signing_in(client: Client, proposal: Proposal) -> None:
    response = post_comment(client, proposal, "Аноним")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("count", [1, 20])
def test_the_proposal_page_runs_in_a_fixed_number_of_queries(
    proposal: Proposal, neighbour: Any, count: int, django_assert_max_num_queries: Any
) -> None:
    for _ in range(count):
        CommentFactory.create(proposal=proposal, parent=CommentFactory.create(proposal=proposal))
    client = signed_in(neighbour)

    # Signed in: one query more for the menu's inbox link (kenes.accountability).
    # One more for the menu's unread notices count (kenes.notifications).
    with django_assert_max_num_queries(19):
        page(client.get(detail(proposal)))


# Editing


def test_the_author_edits_a_fresh_comment(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)
    mine = CommentFactory.create(proposal=proposal, author=neighbour)
    edit = reverse("proposals:comment_edit", args=[mine.pk])

    assert edit in page(client.get(detail(proposal)))
    assert escape(mine.body) in page(client.get(edit))

    response = client.post(edit, {"body": f"Түзетілген {SCRIPT}"})

    assert response["Location"] == detail(proposal) + f"#comment-{mine.pk}"
    mine.refresh_from_db()
    assert mine.body == f"Түзетілген {SCRIPT}"
    html = page(client.get(detail(proposal)))
    assert "edited" in html
    assert_escaped(html)


def test_editing_after_the_window_is_refused_with_the_reason(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)
    old = CommentFactory.create(proposal=proposal, author=neighbour)
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=16))

    assert reverse("proposals:comment_edit", args=[old.pk]) not in page(client.get(detail(proposal)))
    response = client.post(reverse("proposals:comment_edit", args=[old.pk]), {"body": "Кеш"})

    assert response.status_code == 400
    assert "first 15 minutes" in response.content.decode()
    old.refresh_from_db()
    assert old.body != "Кеш"


def test_nobody_edits_someone_elses_comment(proposal: Proposal, neighbour: Any) -> None:
    theirs = CommentFactory.create(proposal=proposal)
    client = signed_in(neighbour)

    assert reverse("proposals:comment_edit", args=[theirs.pk]) not in page(client.get(detail(proposal)))
    assert client.get(reverse("proposals:comment_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("proposals:comment_edit", args=[theirs.pk]), {"body": "x"}).status_code == 404


# Reports


def test_a_comment_is_reported_once(proposal: Proposal, neighbour: Any) -> None:
    client = signed_in(neighbour)
    rude = CommentFactory.create(proposal=proposal)
    report = reverse("proposals:comment_report", args=[rude.pk])
    assert report in page(client.get(detail(proposal)))

    first = client.post(report, {"reason": "Дөрекі сөз"}, follow=True)
    second = client.post(report, {"reason": "Тағы да"}, follow=True)

    assert "the coordinator will look at the comment" in first.content.decode()
    assert "You have already reported this comment." in second.content.decode()
    assert CommentReport.objects.filter(comment=rude).count() == 1
    assert report not in page(client.get(detail(proposal)))
    assert "1 report</span>" in page(signed_in(coordinator_of(proposal.council)).get(detail(proposal)))


def test_a_report_needs_a_reason(proposal: Proposal, neighbour: Any) -> None:
    rude = CommentFactory.create(proposal=proposal)

    response = signed_in(neighbour).post(
        reverse("proposals:comment_report", args=[rude.pk]), {"reason": ""}, follow=True
    )

    assert "Say what is wrong with the comment." in response.content.decode()
    assert not CommentReport.objects.exists()


# Moderation


def test_the_coordinator_hides_a_comment_with_a_public_reason(proposal: Proposal, neighbour: Any) -> None:
    rude = CommentFactory.create(proposal=proposal, body="Дөрекі мәтін")
    coordinator = signed_in(coordinator_of(proposal.council))

    response = coordinator.post(reverse("proposals:comment_hide", args=[rude.pk]), {"reason": f"Балағат {SCRIPT}"})

    assert response["Location"] == detail(proposal) + f"#comment-{rude.pk}"
    public = page(signed_in(neighbour).get(detail(proposal)))
    assert escape(f"Hidden by the coordinator: Балағат {SCRIPT}") in public
    assert "Дөрекі мәтін" not in public
    assert_escaped(public)
    moderated = page(coordinator.get(detail(proposal)))
    assert "Дөрекі мәтін" in moderated
    assert reverse("proposals:comment_unhide", args=[rude.pk]) in moderated


def test_the_coordinator_shows_a_hidden_comment_again(proposal: Proposal) -> None:
    hidden = CommentFactory.create(
        proposal=proposal, body="Қайта көрінеді", hidden_at=timezone.now(), hidden_reason="Тексеру"
    )
    coordinator = signed_in(coordinator_of(proposal.council))

    coordinator.post(reverse("proposals:comment_unhide", args=[hidden.pk]))

    assert "Қайта көрінеді" in page(Client().get(detail(proposal)))


def test_hiding_needs_a_reason(proposal: Proposal) -> None:
    rude = CommentFactory.create(proposal=proposal)
    coordinator = signed_in(coordinator_of(proposal.council))

    response = coordinator.post(reverse("proposals:comment_hide", args=[rude.pk]), {"reason": ""}, follow=True)

    assert "Give the public reason" in response.content.decode()
    rude.refresh_from_db()
    assert rude.hidden_at is None


def test_only_the_coordinator_hides_comments(proposal: Proposal, neighbour: Any) -> None:
    rude = CommentFactory.create(proposal=proposal)
    client = signed_in(neighbour)

    assert reverse("proposals:comment_hide", args=[rude.pk]) not in page(client.get(detail(proposal)))
    assert client.post(reverse("proposals:comment_hide", args=[rude.pk]), {"reason": "x"}).status_code == 404
    other = signed_in(coordinator_of(CouncilFactory.create()))
    assert other.post(reverse("proposals:comment_hide", args=[rude.pk]), {"reason": "x"}).status_code == 404
    assert other.post(reverse("proposals:comment_unhide", args=[rude.pk])).status_code == 404
    rude.refresh_from_db()
    assert rude.hidden_at is None
