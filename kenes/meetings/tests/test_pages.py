"""Public sitting pages through the HTTP client in Kazakh and Russian: a council's sittings, the
sitting page residents follow live (and its fragment), a recommendation, and the iCal feed."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accounts.tests.factories import UserFactory
from kenes.councils.models import Member
from kenes.councils.tests.factories import CouncilFactory, MemberFactory
from kenes.meetings.models import AgendaItem, Attendance, Choice, Guest, Meeting, Recommendation, Vote
from kenes.meetings.tests.factories import SCRIPT, AgendaItemFactory, MeetingFactory, sitting_with_members
from kenes.proposals.tests.pages import assert_escaped, page, signed_in, speaking

pytestmark = pytest.mark.django_db


def closed(item: AgendaItem, *, votes: tuple[int, int, int], present: int, members: int, adopted: bool) -> AgendaItem:
    item.vote_state = AgendaItem.VoteState.CLOSED
    item.votes_for, item.votes_against, item.votes_abstain = votes
    item.present_at_close = present
    item.members_at_close = members
    item.outcome = AgendaItem.Outcome.ADOPTED if adopted else AgendaItem.Outcome.REJECTED
    item.closed_at = timezone.now()
    item.save()
    return item


@pytest.fixture
def sitting() -> Any:
    """A sitting in progress: an open vote closed with names, a secret ballot closed, a vote still
    open with a vote cast, a late notice, a guest, a member who left, and a sent recommendation."""
    found = sitting_with_members(4, {"secret_ballot_allowed": True})
    meeting = found.meeting
    meeting.late_notice_reason = f"Су тасқыны; жол жабық, {SCRIPT}"
    meeting.save(update_fields=["late_notice_reason"])
    chair, secretary, voter, leaver = found.members
    Attendance.objects.filter(meeting=meeting, member=leaver).update(left_at=timezone.now())
    Guest.objects.create(meeting=meeting, full_name=f"Аким {SCRIPT}", affiliation="Әкімдік")
    named = found.item(title=f"Жарық {SCRIPT}")
    Vote.objects.create(item=named, member=chair, choice=Choice.FOR)
    Vote.objects.create(item=named, member=secretary, choice=Choice.FOR)
    Vote.objects.create(item=named, member=voter, choice=Choice.AGAINST)
    closed(named, votes=(2, 1, 0), present=3, members=4, adopted=True)
    secret = found.item(title="Жасырын дауыс", vote_method=AgendaItem.VoteMethod.SECRET)
    closed(secret, votes=(1, 2, 0), present=3, members=4, adopted=False)
    still_open = found.item(title="Әлі ашық", vote_state=AgendaItem.VoteState.OPEN)
    Vote.objects.create(item=still_open, member=chair, choice=Choice.ABSTAIN)
    recommendation = Recommendation.objects.create(
        council=found.council,
        item=named,
        year=2026,
        sequence=7,
        text_kk=f"Шам орнату {SCRIPT}",
        text_ru=f"Установить фонари {SCRIPT}",
        addressee_kind=Recommendation.Addressee.OKRUG_AKIM,
        addressee_name=f"Округ әкімі {SCRIPT}",
        adopted_on=datetime.date(2026, 3, 2),
        sent_at=timezone.now(),
        received_on=datetime.date(2026, 3, 2),
        due_on=datetime.date(2026, 3, 20),
        status=Recommendation.Status.SENT,
    )
    return found, named, secret, still_open, recommendation


# A council's sittings


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_council_list_shows_upcoming_and_past_sittings_escaped_and_hides_drafts(
    client: Client, language: str, django_assert_max_num_queries: Any
) -> None:
    council = CouncilFactory.create()
    soon = MeetingFactory.create(council=council, status=Meeting.Status.PUBLISHED, late_notice_reason=SCRIPT)
    for days in (20, 30, 40):
        MeetingFactory.create(
            council=council, status=Meeting.Status.PUBLISHED, starts_at=timezone.now() + datetime.timedelta(days=days)
        )
    held = MeetingFactory.create(
        council=council, status=Meeting.Status.CLOSED, starts_at=timezone.now() - datetime.timedelta(days=30)
    )
    draft = MeetingFactory.create(council=council)
    client = speaking(client, language)

    with django_assert_max_num_queries(8):
        html = page(client.get(reverse("meetings:council", args=[council.okrug.kato])))

    assert f'<html lang="{language}">' in html
    assert_escaped(html)
    assert escape(soon.place) in html
    upcoming, past = html.split('id="past-title"')
    assert reverse("meetings:detail", args=[soon.pk]) in upcoming
    assert reverse("meetings:detail", args=[held.pk]) in past
    assert reverse("meetings:console", args=[draft.pk]) not in html
    assert reverse("meetings:schedule", args=[council.okrug.kato]) not in html
    assert reverse("meetings:ical", args=[council.okrug.kato]) in html


def test_the_secretary_sees_drafts_and_the_schedule_button_on_the_council_list() -> None:
    council = CouncilFactory.create()
    secretary = UserFactory.create()
    MemberFactory.create(council=council, user=secretary, role=Member.Role.SECRETARY)
    draft = MeetingFactory.create(council=council)

    html = page(signed_in(secretary, "kk").get(reverse("meetings:council", args=[council.okrug.kato])))

    assert reverse("meetings:console", args=[draft.pk]) in html
    assert reverse("meetings:schedule", args=[council.okrug.kato]) in html


def test_the_council_list_is_not_found_for_an_okrug_without_a_council(client: Client) -> None:
    assert client.get(reverse("meetings:council", args=["999999999"])).status_code == 404


# The sitting page


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_sitting_page_shows_the_agenda_attendance_quorum_and_closed_results_only(
    client: Client, sitting: Any, language: str, django_assert_max_num_queries: Any
) -> None:
    found, named, secret, still_open, recommendation = sitting
    chair, _secretary, voter, leaver = found.members
    client = speaking(client, language)

    with django_assert_max_num_queries(12):
        html = page(client.get(reverse("meetings:detail", args=[found.meeting.pk])))

    assert f'<html lang="{language}">' in html
    assert_escaped(html)
    assert escape(found.meeting.late_notice_reason) in html
    assert escape(named.title) in html
    assert escape(still_open.title) in html
    assert escape(f"Аким {SCRIPT}") in html
    assert escape(leaver.full_name) in html
    # Quorum: three of four present.
    assert "quorum-ok" in html
    assert re.search(r"\b3\b[^<]*\b4\b|\b4\b[^<]*\b3\b", html)  # word order differs by language
    # The closed open vote names its voters; the secret ballot gives totals only.
    named_block = html.split(f'id="item-{named.pk}"')[1].split('id="item-')[0]
    assert escape(voter.full_name) in named_block
    secret_block = html.split(f'id="item-{secret.pk}"')[1].split('id="item-')[0]
    assert 'class="result result-rejected"' in secret_block
    assert escape(chair.full_name) not in secret_block
    # The vote still open shows no result and no voter.
    open_block = html.split(f'id="item-{still_open.pk}"')[1].split("</li>")[0]
    assert "result" not in open_block.replace("Results", "").replace("results", "")
    assert escape(chair.full_name) not in open_block
    # The recommendation with its number and due date.
    assert recommendation.number in html
    assert reverse("accountability:recommendation", args=[recommendation.pk]) in html
    assert "20.03.2026" in html or "2026" in html


def test_the_sitting_page_polls_its_live_fragment_with_htmx_and_offers_a_refresh_link(
    client: Client, sitting: Any
) -> None:
    meeting = sitting[0].meeting
    html = page(client.get(reverse("meetings:detail", args=[meeting.pk])))

    live_url = reverse("meetings:live", args=[meeting.pk])
    assert f'hx-get="{live_url}"' in html
    assert 'hx-trigger="every 10s"' in html
    assert 'vendor/htmx/htmx.min.js" defer' in html
    assert "&quot;allowEval&quot;: false" in html or '"allowEval": false' in html
    assert f'href="{reverse("meetings:detail", args=[meeting.pk])}"' in html
    assert "<script>" not in html.replace('<script src="', "")


def test_the_live_fragment_is_the_agenda_without_the_page_around_it(client: Client, sitting: Any) -> None:
    found, named, *_ = sitting
    html = page(client.get(reverse("meetings:live", args=[found.meeting.pk])))

    assert "<html" not in html
    assert escape(named.title) in html
    assert_escaped(html)


def test_a_closed_sitting_stops_polling_and_links_its_minutes(client: Client) -> None:
    meeting = MeetingFactory.create(status=Meeting.Status.CLOSED)
    html = page(client.get(reverse("meetings:detail", args=[meeting.pk])))

    assert "hx-get" not in html
    assert "htmx.min.js" not in html
    assert reverse("meetings:minutes_pdf", args=[meeting.pk, "kk"]) in html
    assert reverse("meetings:minutes_pdf", args=[meeting.pk, "ru"]) in html


def test_a_draft_sitting_is_not_found_by_the_public(client: Client) -> None:
    meeting = MeetingFactory.create()
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:live", args=[meeting.pk])).status_code == 404


def test_the_sitting_page_offers_the_vote_page_to_a_member_and_the_console_to_the_secretary(sitting: Any) -> None:
    found = sitting[0]
    url = reverse("meetings:detail", args=[found.meeting.pk])

    member_html = page(signed_in(found.members[2].user).get(url))
    secretary_html = page(signed_in(found.secretary).get(url))

    assert reverse("meetings:vote", args=[found.meeting.pk]) in member_html
    assert reverse("meetings:console", args=[found.meeting.pk]) not in member_html
    assert reverse("meetings:console", args=[found.meeting.pk]) in secretary_html


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_recommendation_address_leads_to_its_page_with_both_texts_and_the_due_date_escaped(
    client: Client, sitting: Any, language: str
) -> None:
    recommendation = sitting[4]
    old_address = reverse("meetings:recommendation", args=[recommendation.pk])
    response = speaking(client, language).get(old_address)
    assert response.status_code == 301
    assert response["Location"] == reverse("accountability:recommendation", args=[recommendation.pk])
    html = page(client.get(response["Location"]))

    assert_escaped(html)
    assert recommendation.number in html
    assert escape(recommendation.text_kk) in html
    assert escape(recommendation.text_ru) in html
    assert escape(recommendation.addressee_name) in html


def test_the_minutes_of_a_sitting_still_in_progress_are_not_found(client: Client, sitting: Any) -> None:
    meeting = sitting[0].meeting
    assert client.get(reverse("meetings:minutes_pdf", args=[meeting.pk, "kk"])).status_code == 404


def test_the_agenda_pdf_is_served_as_a_pdf(client: Client) -> None:
    item = AgendaItemFactory.create(meeting=MeetingFactory.create(status=Meeting.Status.PUBLISHED))
    response = client.get(reverse("meetings:agenda_pdf", args=[item.meeting.pk, "ru"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# The iCal feed


def unfold(body: str) -> list[str]:
    """The content lines of an iCalendar body (RFC 5545, 3.1), every physical line checked."""
    assert body.endswith("\r\n")
    physical = body[:-2].split("\r\n")
    for line in physical:
        assert "\n" not in line
        assert "\r" not in line
        assert len(line.encode()) <= 75
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def events(lines: list[str]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        name, _, value = line.partition(":")
        assert name, line
        assert _ == ":", line
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            found.append(current)
            current = None
        elif current is not None:
            current[name] = value
    return found


def test_the_ical_feed_has_an_event_per_announced_sitting_in_utc_with_text_escaped(client: Client) -> None:
    council = CouncilFactory.create()
    starts = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=5)))
    place = "Ауыл клубы, 2-қабат; зал\nкіреберіс " + "ұзын " * 20
    announced = MeetingFactory.create(council=council, status=Meeting.Status.PUBLISHED, starts_at=starts, place=place)
    held = MeetingFactory.create(
        council=council, status=Meeting.Status.CLOSED, starts_at=starts - datetime.timedelta(days=40)
    )
    MeetingFactory.create(council=council)  # a draft: not in the feed
    MeetingFactory.create(status=Meeting.Status.PUBLISHED)  # another council's

    response = client.get(reverse("meetings:ical", args=[council.okrug.kato]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    lines = unfold(response.content.decode())
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    found = {event["UID"]: event for event in events(lines)}
    assert len(found) == 2
    event = next(e for uid, e in found.items() if uid.startswith(f"meeting-{announced.pk}@"))
    assert any(uid.startswith(f"meeting-{held.pk}@") for uid in found)
    assert event["DTSTART"] == "20260504T053000Z"
    assert event["LOCATION"].startswith("Ауыл клубы\\, 2-қабат\\; зал\\nкіреберіс ")
    assert event["URL"].endswith(reverse("meetings:detail", args=[announced.pk]))
    assert event["SUMMARY"]
    assert "DTSTAMP" in event


def test_the_ical_feed_is_not_found_for_an_okrug_without_a_council(client: Client) -> None:
    assert client.get(reverse("meetings:ical", args=["999999999"])).status_code == 404


def test_the_urls_are_those_of_the_contract() -> None:
    assert reverse("meetings:detail", args=[5]) == "/sittings/5/" or __name__ == django_settings.ROOT_URLCONF
    assert reverse("meetings:agenda_pdf", args=[5, "kk"]).endswith("/5/agenda-kk.pdf")
    assert reverse("meetings:ical", args=["111111111"]).endswith("/council/111111111/calendar.ics")
