"""The sittings API: public reads (results only of closed votes, no names for a secret ballot) and
the writes of the secretary and the members, by API token."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kenes.accounts.services import issue_api_token
from kenes.accounts.tests.factories import UserFactory
from kenes.meetings import services
from kenes.meetings.models import AgendaItem, Attendance, Meeting, Recommendation
from kenes.meetings.tests.factories import MeetingFactory, Sitting, sitting_with_members

pytestmark = pytest.mark.django_db

API = "/api/v1/meetings/"


def bearer(user: Any) -> dict[str, str]:
    _token, secret = issue_api_token(actor=user, user=user, name="tests")
    return {"Authorization": f"Bearer {secret}"}


def post(client: Client, path: str, user: Any | None = None, body: dict[str, Any] | None = None) -> Any:
    headers = bearer(user) if user is not None else {}
    return client.post(API + path, body or {}, content_type="application/json", headers=headers)


@pytest.fixture
def sitting() -> Sitting:
    return sitting_with_members(5, {"quorum_percent": 50, "secret_ballot_allowed": True})


def test_it_lists_a_councils_announced_sittings_but_not_its_drafts(client, sitting, django_assert_max_num_queries):
    MeetingFactory.create(council=sitting.council, status=Meeting.Status.DRAFT)
    kato = sitting.council.okrug.kato

    with django_assert_max_num_queries(4):
        response = client.get(API, {"council": kato})

    assert response.status_code == 200
    assert [found["id"] for found in response.json()] == [sitting.meeting.pk]
    assert response.json()[0]["status"] == "in_progress"


def test_it_answers_404_for_an_okrug_without_a_council_and_for_a_draft_sitting(client, sitting):
    draft = MeetingFactory.create(council=sitting.council, status=Meeting.Status.DRAFT)

    assert client.get(API, {"council": "999999999"}).json()["code"] == "not_found"
    assert client.get(f"{API}{draft.pk}").status_code == 404


def test_the_sitting_shows_its_agenda_attendance_and_quorum_but_no_result_before_the_vote_closes(client, sitting):
    item = sitting.item()
    services.open_vote(actor=sitting.secretary, item=item)
    services.cast_vote(actor=sitting.members[2].user, item=item, choice="for")

    body = client.get(f"{API}{sitting.meeting.pk}").json()

    assert body["agenda"][0]["title"] == item.title
    assert body["agenda"][0]["vote_state"] == "open"
    assert body["agenda"][0]["result"] is None
    assert body["attendance"] == {"present": 5, "absent": 0, "left": 0, "guests": 0}
    assert body["quorum"] == {"present": 5, "active": 5, "required": 3, "reached": True}


def test_a_member_votes_by_token_and_cannot_vote_twice(client, sitting):
    item = sitting.item()
    services.open_vote(actor=sitting.secretary, item=item)
    voter = sitting.members[3].user

    first = post(client, f"items/{item.pk}/vote", voter, {"choice": "against"})
    second = post(client, f"items/{item.pk}/vote", voter, {"choice": "for"})

    assert first.status_code == 200
    assert first.json() == {"item": item.pk, "recorded": True}
    assert second.status_code == 409
    assert second.json()["code"] == "already_voted"
    assert item.votes.get().choice == "against"


def test_it_refuses_the_vote_of_an_outsider_of_an_absent_member_and_without_a_caller(client, sitting):
    item = sitting.item()
    services.open_vote(actor=sitting.secretary, item=item)
    absent = sitting.members[4]
    Attendance.objects.filter(meeting=sitting.meeting, member=absent).update(present=False)

    outsider = post(client, f"items/{item.pk}/vote", UserFactory.create(), {"choice": "for"})
    away = post(client, f"items/{item.pk}/vote", absent.user, {"choice": "for"})
    anonymous = post(client, f"items/{item.pk}/vote", None, {"choice": "for"})
    bad_choice = post(client, f"items/{item.pk}/vote", sitting.members[2].user, {"choice": "maybe"})

    assert (outsider.status_code, outsider.json()["code"]) == (403, "not_member")
    assert (away.status_code, away.json()["code"]) == (403, "not_present")
    assert anonymous.status_code == 401
    assert bad_choice.status_code == 422
    assert not item.votes.exists()


def test_a_vote_on_an_item_of_a_draft_sitting_is_404(client, sitting):
    draft = MeetingFactory.create(council=sitting.council, status=Meeting.Status.DRAFT)
    item = AgendaItem.objects.create(meeting=draft, position=1, title="Жоба")

    response = post(client, f"items/{item.pk}/vote", sitting.members[2].user, {"choice": "for"})

    assert response.status_code == 404


def test_the_secretary_opens_and_closes_an_open_vote_and_the_result_names_the_voters(client, sitting):
    item = sitting.item()

    opened = post(client, f"items/{item.pk}/open", sitting.secretary)
    for member in sitting.members[:3]:
        assert post(client, f"items/{item.pk}/vote", member.user, {"choice": "for"}).status_code == 200
    closed = post(client, f"items/{item.pk}/close", sitting.secretary, {"decision_reason": "Көпшілік қолдады"})

    assert opened.json() == {"id": item.pk, "vote_state": "open", "result": None}
    result = closed.json()["result"]
    assert (result["votes_for"], result["votes_against"], result["outcome"]) == (3, 0, "adopted")
    assert sorted(vote["full_name"] for vote in result["named"]) == sorted(m.full_name for m in sitting.members[:3])
    detail = client.get(f"{API}{sitting.meeting.pk}").json()
    assert detail["agenda"][0]["decision_reason"] == "Көпшілік қолдады"
    assert detail["recommendations"][0]["number"] == Recommendation.objects.get(item=item).number


def test_a_secret_ballot_result_never_names_a_member(client, sitting):
    item = sitting.item(vote_method=AgendaItem.VoteMethod.SECRET)
    post(client, f"items/{item.pk}/open", sitting.secretary)
    for member, choice in zip(sitting.members, ["for", "for", "against", "abstain", "for"], strict=True):
        assert post(client, f"items/{item.pk}/vote", member.user, {"choice": choice}).status_code == 200

    closed = post(client, f"items/{item.pk}/close", sitting.secretary)
    detail = client.get(f"{API}{sitting.meeting.pk}")

    result = closed.json()["result"]
    assert (result["votes_for"], result["votes_against"], result["votes_abstain"]) == (3, 1, 1)
    assert result["named"] == []
    assert detail.json()["agenda"][0]["result"]["named"] == []
    for member in sitting.members:
        assert member.full_name not in closed.content.decode()
        assert member.full_name not in detail.content.decode()


def test_only_those_who_run_the_sitting_may_open_or_close_votes_and_record_attendance(client, sitting):
    item = sitting.item()
    member = sitting.members[3].user

    assert post(client, f"items/{item.pk}/open", member).status_code == 404
    assert post(client, f"items/{item.pk}/close", member).status_code == 404
    refused = post(client, f"{sitting.meeting.pk}/attendance", member, {"member": sitting.members[4].pk})
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    assert post(client, f"items/{item.pk}/open", None).status_code == 401
    item.refresh_from_db()
    assert item.vote_state == AgendaItem.VoteState.NOT_OPENED


def test_the_secretary_records_attendance_and_the_quorum_follows(client, sitting):
    response = post(
        client,
        f"{sitting.meeting.pk}/attendance",
        sitting.secretary,
        {"member": sitting.members[4].pk, "present": False},
    )
    stranger = post(client, f"{sitting.meeting.pk}/attendance", sitting.secretary, {"member": 10**6, "present": True})

    assert response.status_code == 200
    assert response.json()["quorum"] == {"present": 4, "active": 5, "required": 3, "reached": True}
    assert Attendance.objects.get(meeting=sitting.meeting, member=sitting.members[4]).present is False
    assert stranger.status_code == 422


def test_voting_without_quorum_is_refused(client, sitting):
    item = sitting.item()
    services.open_vote(actor=sitting.secretary, item=item)
    Attendance.objects.filter(meeting=sitting.meeting, member__in=sitting.members[2:]).update(present=False)

    response = post(client, f"items/{item.pk}/vote", sitting.members[0].user, {"choice": "for"})

    assert (response.status_code, response.json()["code"]) == (409, "no_quorum")


def test_it_lists_a_councils_recommendations(client, sitting):
    item = sitting.item()
    services.open_vote(actor=sitting.secretary, item=item)
    for member in sitting.members:
        services.cast_vote(actor=member.user, item=item, choice="for")
    services.close_vote(actor=sitting.secretary, item=item)
    recommendation = Recommendation.objects.get(item=item)

    body = client.get(f"{API}recommendations/", {"council": sitting.council.okrug.kato}).json()

    assert [found["number"] for found in body] == [recommendation.number]
    assert body[0]["status"] == "adopted"
    assert body[0]["due_on"] is None
    assert body[0]["adopted_on"] == str(datetime.date.fromisoformat(body[0]["adopted_on"]))


def test_the_secretary_moves_an_announced_sitting_by_api_and_the_reason_is_public(client, sitting):
    announced = MeetingFactory.create(
        council=sitting.council,
        status=Meeting.Status.PUBLISHED,
        published_at=datetime.datetime.now(datetime.UTC),
        starts_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=10),
    )
    body = {
        "starts_at": (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=20)).isoformat(),
        "kind": "extraordinary",
        "place": "Мәдениет үйі",
    }

    no_reason = post(client, f"{announced.pk}/change", sitting.secretary, body)
    member = post(client, f"{announced.pk}/change", sitting.members[3].user, {**body, "reason": "Бөтен"})
    moved = post(client, f"{announced.pk}/change", sitting.secretary, {**body, "reason": "Жөндеу"})
    running = post(client, f"{sitting.meeting.pk}/change", sitting.secretary, {**body, "reason": "Кеш"})

    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "change_needs_reason")
    assert member.status_code == 404
    assert moved.status_code == 200
    assert (moved.json()["kind"], moved.json()["change_reason"]) == ("extraordinary", "Жөндеу")
    assert moved.json()["changed_at"] is not None
    assert (running.status_code, running.json()["code"]) == (409, "wrong_meeting_status")
    public = client.get(f"{API}{announced.pk}").json()
    assert (public["place"], public["change_reason"]) == ("Мәдениет үйі", "Жөндеу")
