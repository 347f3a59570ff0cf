"""Accountability test factories and personas. Texts, names and answers carry `<script>`, so every
page showing them is also an escaping test. Rows are written straight to the database (for arranging
a test; the services are tested on their own).

- `sent_recommendation(sent_on=None, charter=None, proposals=1, addressee_kind="okrug_akim",
  council=None, **fields)` → a recommendation sent on `sent_on` (default today): an active council
  (`charter` is a `Charter` or a dict of charter fields, used when no `council` is given), a closed
  sitting two days before with an adopted agenda item, `proposals` proposals of the council in status
  "recommended" (each by a verified resident) linked to it, `received_on = sent_on` and
  `due_on = add_working_days(sent_on, charter.answer_working_days)`, as `send_recommendation` does.
  `fields` override the recommendation's (`adopted_on`, `due_on`, `addressee_name`, `is_demo`, ...).
- `adopted_recommendation(council=None, charter=None, proposals=1, **fields)` → one adopted at a
  closed sitting (on `adopted_on`, default today), not sent yet.
- `answered_recommendation(kind="accepted", answered_on=None, **sent)` → a sent recommendation with a
  final `Answer` (by `akimat_user` of its okrug) and its state (status "answered", `answered_on`,
  `answer_kind`); `sent` goes to `sent_recommendation`.
- `AnswerFactory(recommendation=..., kind=...)` an answer with the fields its kind needs (measures,
  budget year and amount; a reason; the competent body and the new due date). A final answer also
  sets the recommendation's state, unless `sync_recommendation=False`.
- `ProgressReportFactory(recommendation=..., percent=...)` a report on an answered recommendation;
  it sets the recommendation's `progress_percent` (100 % → implemented), unless
  `sync_recommendation=False`.
- Personas: `akimat_user(okrug)` (akimat staff of the okrug), `district_user(district,
  role="district_admin")` (a role held at the district: "district_admin" or "akimat_staff"),
  `council_officer(council)` (the council's serving secretary, who runs its sittings).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from kenes.accountability.models import FINAL_KINDS, Answer, ProgressReport
from kenes.accounts.models import Role, User
from kenes.accounts.tests.factories import UserFactory, grant
from kenes.core.calendar import add_working_days
from kenes.councils.models import Charter, Council, Member
from kenes.councils.tests.factories import CharterFactory, CouncilFactory, MemberFactory
from kenes.meetings.models import AgendaItem, Meeting, Recommendation
from kenes.meetings.services import next_sequence
from kenes.meetings.tests.factories import AgendaItemFactory, MeetingFactory
from kenes.proposals.models import Proposal, Status
from kenes.proposals.tests.factories import ProposalFactory
from kenes.territory.models import District, Okrug

SCRIPT = "<script>alert(1)</script>"


# Personas ----------------------------------------------------------------------------------------


def akimat_user(okrug: Okrug, **user: Any) -> User:
    """Staff of the okrug's akim's office (akimat_staff held at the okrug)."""
    person = UserFactory.create(**user)
    grant(person, Role.AKIMAT_STAFF, okrug)
    return person


def district_user(district: District, role: str = Role.DISTRICT_ADMIN, **user: Any) -> User:
    """A person holding `role` (district_admin or akimat_staff) at the district."""
    person = UserFactory.create(**user)
    grant(person, role, district)
    return person


def council_officer(council: Council, **user: Any) -> User:
    """The council's serving secretary: runs its sittings and judges the akim's answers."""
    person = UserFactory.create(**user)
    MemberFactory.create(council=council, user=person, role=Member.Role.SECRETARY)
    return person


# Recommendations ---------------------------------------------------------------------------------


def _council(council: Council | None, charter: Charter | dict[str, Any] | None) -> Council:
    if council is not None:
        return council
    if isinstance(charter, dict):
        charter = CharterFactory.create(locked_at=timezone.now(), **charter)
    made = CouncilFactory.create(**({"charter": charter} if charter is not None else {}))
    made.status = Council.Status.ACTIVE
    made.save(update_fields=["status"])
    return made


def default_addressee_name(kind: str, council: Council) -> str:
    if kind == Recommendation.Addressee.DISTRICT_DEPARTMENT:
        return f"Аудан әкімдігінің тұрғын үй-коммуналдық шаруашылық бөлімі {SCRIPT}"
    if kind == Recommendation.Addressee.MASLIKHAT:
        return f"Аудандық мәслихат {SCRIPT}"
    return f"{council.okrug.name_kk} әкімі {SCRIPT}"


def _adopted_item(council: Council, adopted_on: datetime.date, proposal: Proposal | None) -> AgendaItem:
    starts_at = timezone.make_aware(datetime.datetime.combine(adopted_on, datetime.time(15, 0)))
    meeting = MeetingFactory.create(council=council, status=Meeting.Status.CLOSED, starts_at=starts_at)
    return AgendaItemFactory.create(
        meeting=meeting,
        proposal=proposal,
        vote_state=AgendaItem.VoteState.CLOSED,
        outcome=AgendaItem.Outcome.ADOPTED,
        votes_for=5,
        votes_against=0,
        votes_abstain=0,
        present_at_close=5,
        members_at_close=7,
        closed_at=starts_at + datetime.timedelta(hours=1),
    )


def _recommendation(
    *, council: Council, proposals: int, adopted_on: datetime.date, addressee_kind: str, fields: dict[str, Any]
) -> Recommendation:
    linked = [ProposalFactory.create(council=council, status=Status.RECOMMENDED) for _ in range(proposals)]
    item = _adopted_item(council, adopted_on, linked[0] if linked else None)
    values: dict[str, Any] = {
        "council": council,
        "item": item,
        "year": adopted_on.year,
        "sequence": next_sequence(council=council, year=adopted_on.year),
        "text_kk": f"Орталық көшеге шам орнатуды ұсынамыз {SCRIPT}",
        "text_ru": f"Рекомендуем установить освещение на центральной улице {SCRIPT}",
        "addressee_kind": addressee_kind,
        "addressee_name": default_addressee_name(addressee_kind, council),
        "adopted_on": adopted_on,
    }
    values.update(fields)
    recommendation = Recommendation.objects.create(**values)
    if linked:
        recommendation.proposals.add(*linked)
    return recommendation


def adopted_recommendation(
    *,
    council: Council | None = None,
    charter: Charter | dict[str, Any] | None = None,
    proposals: int = 1,
    **fields: Any,
) -> Recommendation:
    """Adopted at a closed sitting, not sent yet."""
    made = _council(council, charter)
    adopted_on = fields.pop("adopted_on", None) or timezone.localdate()
    return _recommendation(
        council=made,
        proposals=proposals,
        adopted_on=adopted_on,
        addressee_kind=fields.pop("addressee_kind", Recommendation.Addressee.OKRUG_AKIM),
        fields=fields,
    )


def sent_recommendation(
    *,
    sent_on: datetime.date | None = None,
    charter: Charter | dict[str, Any] | None = None,
    proposals: int = 1,
    addressee_kind: str = Recommendation.Addressee.OKRUG_AKIM,
    council: Council | None = None,
    **fields: Any,
) -> Recommendation:
    """Sent on `sent_on` (today by default), due the charter's working days later."""
    made = _council(council, charter)
    day = sent_on or timezone.localdate()
    adopted_on = fields.pop("adopted_on", None) or day - datetime.timedelta(days=2)
    values: dict[str, Any] = {
        "status": Recommendation.Status.SENT,
        "sent_at": timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0))),
        "received_on": day,
        "due_on": add_working_days(day, made.charter.answer_working_days),
    }
    values.update(fields)
    return _recommendation(
        council=made, proposals=proposals, adopted_on=adopted_on, addressee_kind=addressee_kind, fields=values
    )


# Answers and progress ----------------------------------------------------------------------------


def _default_text(kind: str) -> str:
    if kind in (Answer.Kind.ACCEPTED, Answer.Kind.PARTIALLY_ACCEPTED):
        return f"Келесі жылы 12 шам орнатылады {SCRIPT}"
    return ""


def _default_reason(kind: str) -> str:
    if kind in (Answer.Kind.DECLINED, Answer.Kind.PARTIALLY_ACCEPTED, Answer.Kind.EXTENDED):
        return f"Бюджетте қаражат қарастырылмаған {SCRIPT}"
    return ""


class AnswerFactory(DjangoModelFactory[Answer]):
    class Meta:
        model = Answer
        skip_postgeneration_save = True

    recommendation = factory.LazyFunction(sent_recommendation)
    kind = Answer.Kind.ACCEPTED
    text = factory.LazyAttribute(lambda o: _default_text(o.kind))
    reason = factory.LazyAttribute(lambda o: _default_reason(o.kind))
    budget_year = factory.LazyAttribute(lambda o: 2026 if o.kind in ("accepted", "partially_accepted") else None)
    amount_tenge = factory.LazyAttribute(
        lambda o: Decimal("4500000.00") if o.kind in ("accepted", "partially_accepted") else None
    )
    forwarded_to_kind = factory.LazyAttribute(
        lambda o: Recommendation.Addressee.DISTRICT_DEPARTMENT if o.kind == Answer.Kind.FORWARDED else ""
    )
    forwarded_to_name = factory.LazyAttribute(
        lambda o: default_addressee_name(o.forwarded_to_kind, o.recommendation.council) if o.forwarded_to_kind else ""
    )
    answered_on = factory.LazyFunction(timezone.localdate)
    previous_due_on = factory.LazyAttribute(
        lambda o: o.recommendation.due_on if o.kind in (Answer.Kind.FORWARDED, Answer.Kind.EXTENDED) else None
    )
    new_due_on = factory.LazyAttribute(
        lambda o: (
            add_working_days(o.previous_due_on or o.answered_on, 10)
            if o.kind in (Answer.Kind.FORWARDED, Answer.Kind.EXTENDED)
            else None
        )
    )
    answered_by = factory.LazyAttribute(lambda o: akimat_user(o.recommendation.council.okrug))

    @factory.post_generation
    def sync_recommendation(self: Answer, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """A final answer puts the recommendation in the answered state (pass False to leave it)."""
        if not create or extracted is False or self.kind not in FINAL_KINDS:
            return
        recommendation = self.recommendation
        recommendation.status = Recommendation.Status.ANSWERED
        recommendation.answered_on = self.answered_on
        recommendation.answer_kind = self.kind
        recommendation.save(update_fields=["status", "answered_on", "answer_kind"])


def answered_recommendation(
    *, kind: str = Answer.Kind.ACCEPTED, answered_on: datetime.date | None = None, **sent: Any
) -> Recommendation:
    """A sent recommendation with its final answer of `kind` (on `answered_on`, default: sent day)."""
    recommendation = sent_recommendation(**sent)
    assert recommendation.received_on is not None
    AnswerFactory.create(
        recommendation=recommendation, kind=kind, answered_on=answered_on or recommendation.received_on
    )
    recommendation.refresh_from_db()
    return recommendation


class ProgressReportFactory(DjangoModelFactory[ProgressReport]):
    class Meta:
        model = ProgressReport
        skip_postgeneration_save = True

    recommendation = factory.LazyFunction(answered_recommendation)
    percent = 40
    text = factory.Sequence(lambda n: f"Тіректер орнатылды, {n} шам қосылды {SCRIPT}")
    reported_on = factory.LazyFunction(timezone.localdate)
    reported_by = factory.LazyAttribute(lambda o: akimat_user(o.recommendation.council.okrug))

    @factory.post_generation
    def sync_recommendation(self: ProgressReport, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """The recommendation shows this report's percent; 100 % makes it implemented."""
        if not create or extracted is False:
            return
        recommendation = self.recommendation
        recommendation.progress_percent = self.percent
        fields = ["progress_percent"]
        if self.percent == 100:
            recommendation.status = Recommendation.Status.IMPLEMENTED
            recommendation.implemented_on = self.reported_on
            fields += ["status", "implemented_on"]
        recommendation.save(update_fields=fields)


__all__ = [
    "SCRIPT",
    "AnswerFactory",
    "ProgressReportFactory",
    "adopted_recommendation",
    "akimat_user",
    "answered_recommendation",
    "council_officer",
    "default_addressee_name",
    "district_user",
    "sent_recommendation",
]
