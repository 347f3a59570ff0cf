"""Meetings test factories. Titles and texts carry `<script>`, so every page showing them is also an
escaping test.

- `MeetingFactory(status=...)` a sitting straight in the database (published ones get
  `published_at`, sittings in progress `opened_at`); `AgendaItemFactory` numbers items per sitting.
- `sitting_with_members(n, charter=...)` → `Sitting(council, meeting, members)`: a council with `n`
  serving members who each have a user (the first is the chair, the second the secretary), a
  sitting in progress with an announced agenda, and everyone marked present. `charter` is a
  `Charter` or a dict of charter fields (`{"quorum_percent": 50, "secret_ballot_allowed": True}`).
  `sitting.secretary` / `sitting.chair` are their users; `sitting.item(...)` adds an agenda item.
"""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

import factory
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from kenes.accounts.models import User
from kenes.accounts.tests.factories import UserFactory
from kenes.councils.models import Charter, Council, Member
from kenes.councils.tests.factories import CharterFactory, CouncilFactory, MemberFactory
from kenes.meetings.models import AgendaItem, Attendance, Meeting

SCRIPT = "<script>alert(1)</script>"


class MeetingFactory(DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    council = factory.SubFactory(CouncilFactory)
    kind = Meeting.Kind.REGULAR
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    place = f"Ауылдық клуб, мәжіліс залы {SCRIPT}"
    online_link = ""
    status = Meeting.Status.DRAFT
    published_at = factory.LazyAttribute(
        lambda o: None if o.status in (Meeting.Status.DRAFT, Meeting.Status.CANCELLED) else timezone.now()
    )
    opened_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in (Meeting.Status.IN_PROGRESS, Meeting.Status.CLOSED) else None
    )
    closed_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == Meeting.Status.CLOSED else None)


def _next_position(meeting: Meeting) -> int:
    return (AgendaItem.objects.filter(meeting=meeting).aggregate(top=Max("position"))["top"] or 0) + 1


class AgendaItemFactory(DjangoModelFactory[AgendaItem]):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.LazyAttribute(lambda o: _next_position(o.meeting))
    proposal = None
    title = factory.Sequence(lambda n: f"Көше жарығы туралы мәселе {n} {SCRIPT}")
    text = factory.Sequence(lambda n: f"Орталық көшеге шам орнату. {n} {SCRIPT}")
    vote_method = AgendaItem.VoteMethod.OPEN


class Sitting(NamedTuple):
    council: Council
    meeting: Meeting
    members: list[Member]

    @property
    def chair(self) -> User:
        return _officer(self.members, Member.Role.CHAIR)

    @property
    def secretary(self) -> User:
        return _officer(self.members, Member.Role.SECRETARY)

    def item(self, **fields: Any) -> AgendaItem:
        return AgendaItemFactory.create(meeting=self.meeting, **fields)


def _officer(members: list[Member], role: str) -> User:
    for member in members:
        if member.role == role and member.user is not None:
            return member.user
    raise LookupError(f"no {role} in this sitting")


def sitting_with_members(
    n: int,
    charter: Charter | dict[str, Any] | None = None,
    *,
    present: bool = True,
    starts_at: datetime.datetime | None = None,
) -> Sitting:
    """A sitting in progress of a council of `n` serving members with users, all present."""
    if isinstance(charter, dict):
        charter = CharterFactory.create(locked_at=timezone.now(), **charter)
    council = CouncilFactory.create(**({"charter": charter} if charter is not None else {}))
    council.status = Council.Status.ACTIVE
    council.save(update_fields=["status"])
    roles = [Member.Role.CHAIR, Member.Role.SECRETARY]
    members = [
        MemberFactory.create(
            council=council,
            user=UserFactory.create(),
            role=roles[index] if index < len(roles) else Member.Role.MEMBER,
        )
        for index in range(n)
    ]
    by_role = {member.role: member for member in members}
    meeting = MeetingFactory.create(
        council=council,
        status=Meeting.Status.IN_PROGRESS,
        starts_at=starts_at or timezone.now(),
        chair=by_role.get(Member.Role.CHAIR),
        secretary=by_role.get(Member.Role.SECRETARY),
    )
    now = timezone.now()
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member=member, present=present, arrived_at=now if present else None)
        for member in members
    )
    return Sitting(council=council, meeting=meeting, members=members)
