"""The whole story of a proposal: nine stages with dates and public names, "not yet" for what is
ahead, and a stop where a proposal was returned, merged, forwarded or declined."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accountability import services
from kenes.accountability.story import DONE, NOT_YET, SKIPPED, STOPPED, WAITING, story_of
from kenes.accountability.tests.factories import (
    ProgressReportFactory,
    answered_recommendation,
    council_officer,
    sent_recommendation,
)
from kenes.accounts.models import ResidentProfile
from kenes.meetings.models import AgendaItem, Meeting
from kenes.meetings.tests.factories import AgendaItemFactory, MeetingFactory
from kenes.proposals.models import Proposal, Status, TimelineEvent
from kenes.proposals.tests.factories import ProposalFactory, coordinator_of
from kenes.proposals.tests.pages import assert_escaped, page, speaking

pytestmark = pytest.mark.django_db


def story_url(proposal: Proposal) -> str:
    return reverse("accountability:story", args=[proposal.pk])


def stage_html(html: str, key: str) -> str:
    return html.split(f'id="stage-{key}"')[1].split("</li>")[0]


def states(proposal: Proposal) -> dict[str, str]:
    return {stage.key: stage.state for stage in story_of(proposal).stages}


def screened_by(proposal: Proposal, kind: str = TimelineEvent.Kind.ACCEPTED, note: str = "") -> Any:
    coordinator = coordinator_of(proposal.council)
    TimelineEvent.objects.create(proposal=proposal, kind=kind, actor=coordinator, note=note)
    return coordinator


def test_a_draft_or_a_missing_proposal_has_no_story(client: Client) -> None:
    draft = ProposalFactory.create()

    assert client.get(story_url(draft)).status_code == 404
    assert client.get(reverse("accountability:story", args=[987654])).status_code == 404


def test_a_proposal_just_submitted_waits_for_screening_and_the_rest_is_not_yet(client: Client) -> None:
    proposal = ProposalFactory.create(status=Status.SUBMITTED, screening_due_on=timezone.localdate())

    html = page(speaking(client, "en").get(story_url(proposal)))

    assert_escaped(html)
    assert escape(proposal.title) in html
    submitted = stage_html(html, "submitted")
    assert escape(str(proposal.author)) in submitted
    assert f'datetime="{timezone.localdate(proposal.submitted_at):%Y-%m-%d}"' in submitted
    assert "story-waiting" in html.split('id="stage-screened"')[0].rsplit("<li", 1)[1]
    for key in ("on_agenda", "voted", "recommended", "answered", "progress", "done"):
        assert "not yet" in stage_html(html, key)
    assert states(proposal)["screened"] == WAITING


def test_the_whole_story_of_an_implemented_proposal_has_every_stage_with_its_date_and_who_acted(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    recommendation = answered_recommendation()
    proposal = recommendation.proposals.get()
    coordinator = screened_by(proposal)
    TimelineEvent.objects.create(proposal=proposal, kind=TimelineEvent.Kind.READY, actor=None)
    ProgressReportFactory.create(recommendation=recommendation, percent=100)
    client = speaking(client, "en")

    # The proposal, its timeline, agenda items, final answer, latest report, the demo flag.
    with django_assert_max_num_queries(6):
        html = page(client.get(story_url(proposal)))

    assert_escaped(html)
    assert states(proposal) == dict.fromkeys(
        ("submitted", "supported", "screened", "on_agenda", "voted", "recommended", "answered", "progress", "done"),
        DONE,
    )
    assert "not yet" not in html
    assert escape(str(coordinator)) in stage_html(html, "screened")
    council = escape(f"The council of {proposal.okrug}")
    for key in ("on_agenda", "voted", "recommended"):
        assert council in stage_html(html, key)
    assert "for 5, against 0, abstained 0" in stage_html(html, "voted")
    assert recommendation.number in stage_html(html, "recommended")
    assert reverse("accountability:recommendation", args=[recommendation.pk]) in stage_html(html, "recommended")
    for key in ("answered", "progress", "done"):
        assert escape(recommendation.addressee_name) in stage_html(html, key)
    assert "100 % done" in stage_html(html, "progress")
    assert f'datetime="{recommendation.answered_on:%Y-%m-%d}"' in stage_html(html, "answered")
    # Public names only: never the author's IIN, not even masked.
    profile = ResidentProfile.objects.get(user=proposal.author)
    assert profile.iin_masked not in html
    assert re.search(r"\b\d{12}\b", html) is None


def test_a_proposal_collecting_support_shows_the_count_against_the_threshold(client: Client) -> None:
    proposal = ProposalFactory.create(status=Status.COLLECTING, support_count=3)
    screened_by(proposal)

    html = page(speaking(client, "en").get(story_url(proposal)))

    threshold = proposal.council.charter.support_threshold
    assert f"3 of {threshold} supports" in stage_html(html, "supported")
    assert states(proposal)["supported"] == WAITING
    assert states(proposal)["screened"] == DONE


def test_a_returned_proposal_stops_at_screening_and_says_why(client: Client) -> None:
    proposal = ProposalFactory.create(status=Status.RETURNED)
    screened_by(proposal, TimelineEvent.Kind.RETURNED, note="Мекенжайын көрсетіңіз <script>alert(1)</script>")

    html = page(speaking(client, "en").get(story_url(proposal)))

    assert_escaped(html)
    screened = stage_html(html, "screened")
    assert "Returned to the author" in screened
    assert escape("Мекенжайын көрсетіңіз <script>alert(1)</script>") in screened
    found = states(proposal)
    assert found["screened"] == STOPPED
    assert all(found[key] == SKIPPED for key in ("on_agenda", "voted", "recommended", "answered", "progress", "done"))
    assert "not yet" not in stage_html(html, "done")


def test_a_merged_proposal_stops_and_points_to_the_story_it_joined(client: Client) -> None:
    proposal = ProposalFactory.create(status=Status.MERGED)
    screened_by(proposal, TimelineEvent.Kind.MERGED)
    assert proposal.merged_into is not None

    html = page(speaking(client, "en").get(story_url(proposal)))

    assert story_url(proposal.merged_into) in stage_html(html, "screened")
    assert states(proposal)["screened"] == STOPPED


def test_a_forwarded_proposal_stops_and_names_the_body(client: Client) -> None:
    proposal = ProposalFactory.create(status=Status.FORWARDED)
    screened_by(proposal, TimelineEvent.Kind.FORWARDED)

    html = page(speaking(client, "en").get(story_url(proposal)))

    assert escape(proposal.forwarded_to) in stage_html(html, "screened")
    assert states(proposal)["screened"] == STOPPED
    assert states(proposal)["recommended"] == SKIPPED


def test_a_proposal_the_council_declined_stops_at_the_vote(client: Client) -> None:
    proposal = ProposalFactory.create(status=Status.DECLINED)
    screened_by(proposal)
    meeting = MeetingFactory.create(council=proposal.council, status=Meeting.Status.CLOSED, starts_at=timezone.now())
    AgendaItemFactory.create(
        meeting=meeting,
        proposal=proposal,
        vote_state=AgendaItem.VoteState.CLOSED,
        outcome=AgendaItem.Outcome.REJECTED,
        votes_for=1,
        votes_against=4,
        votes_abstain=2,
        closed_at=timezone.now(),
        decision_reason="Бюджет жоқ",
    )

    html = page(speaking(client, "en").get(story_url(proposal)))

    voted = stage_html(html, "voted")
    assert "did not adopt" in voted
    assert "for 1, against 4, abstained 2" in voted
    assert "Бюджет жоқ" in voted
    assert states(proposal)["voted"] == STOPPED
    assert states(proposal)["answered"] == SKIPPED


def test_a_proposal_on_the_agenda_of_a_draft_sitting_shows_no_private_sitting() -> None:
    proposal = ProposalFactory.create(status=Status.ON_AGENDA)
    screened_by(proposal)
    draft = MeetingFactory.create(council=proposal.council)
    AgendaItemFactory.create(meeting=draft, proposal=proposal)

    story = story_of(proposal)

    on_agenda = story.stages[3]
    assert on_agenda.state == WAITING
    assert on_agenda.url == ""


def test_an_overdue_answer_waits_with_the_overdue_badge(client: Client) -> None:
    recommendation = sent_recommendation(sent_on=timezone.localdate() - datetime.timedelta(days=60))
    proposal = recommendation.proposals.get()

    html = page(speaking(client, "en").get(story_url(proposal)))

    answered = stage_html(html, "answered")
    assert "badge-overdue" in answered
    assert states(proposal)["answered"] == WAITING
    assert states(proposal)["progress"] == NOT_YET


def test_a_proposal_the_akim_declined_stops_at_the_answer_with_the_reason(client: Client) -> None:
    recommendation = answered_recommendation(kind="declined")
    proposal = recommendation.proposals.get()

    html = page(speaking(client, "en").get(story_url(proposal)))

    answered = stage_html(html, "answered")
    assert "declined" in answered
    assert "Бюджетте қаражат қарастырылмаған" in answered
    assert states(proposal)["answered"] == STOPPED
    assert states(proposal)["done"] == SKIPPED


def test_after_an_unsatisfactory_answer_the_story_follows_the_new_round(client: Client) -> None:
    recommendation = answered_recommendation()
    proposal = recommendation.proposals.get()
    services.mark_unsatisfactory(
        actor=council_officer(recommendation.council), recommendation=recommendation, reason="Аз"
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.READY

    html = page(speaking(client, "en").get(story_url(proposal)))

    assert "unsatisfactory" in stage_html(html, "on_agenda")
    assert reverse("accountability:recommendation", args=[recommendation.pk]) in html
    found = states(proposal)
    assert found["on_agenda"] == WAITING
    assert found["recommended"] == NOT_YET
    assert found["answered"] == NOT_YET
