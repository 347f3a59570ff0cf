"""A sitting for API tests, in the council of `councils.py`, with the fixed id `RECORD_ID` (so the
contract tests reach the 200 of every read that takes a sitting id): in progress, everyone present,
an item `RECORD_ID` whose secret ballot is closed with a recommendation, and an open named vote; and
the council's secretary with an API token, so the writes can be called past their 401."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kenes.accounts.tests.factories import UserFactory
from kenes.councils.models import Member
from kenes.meetings import services
from kenes.meetings.models import AgendaItem, Attendance, Meeting
from kenes.meetings.tests.factories import AgendaItemFactory, MeetingFactory
from tests.api.councils import RECORD_ID
from tests.api.tokens import bearer_for


def create_meetings(council: dict[str, Any]) -> dict[str, Any]:
    found = council["council"]
    charter = found.charter
    charter.secret_ballot_allowed = True
    charter.save(update_fields=["secret_ballot_allowed"])
    members = list(Member.objects.filter(council=found, status=Member.Status.ACTIVE))
    secretary = next(member for member in members if member.role == Member.Role.SECRETARY)
    if secretary.user is None:
        secretary.user = UserFactory.create(username="api_secretary")
        secretary.save(update_fields=["user"])
    meeting = MeetingFactory.create(
        id=RECORD_ID, council=found, status=Meeting.Status.IN_PROGRESS, starts_at=timezone.now(), secretary=secretary
    )
    Attendance.objects.bulk_create(Attendance(meeting=meeting, member=member, present=True) for member in members)
    secret = AgendaItemFactory.create(id=RECORD_ID, meeting=meeting, vote_method=AgendaItem.VoteMethod.SECRET)
    services.open_vote(actor=secretary.user, item=secret)
    services.close_vote(actor=secretary.user, item=secret)
    named = AgendaItemFactory.create(meeting=meeting)
    services.open_vote(actor=secretary.user, item=named)
    return {
        "meeting": meeting,
        "secretary": secretary.user,
        "secretary_token": bearer_for(secretary.user),
    }
