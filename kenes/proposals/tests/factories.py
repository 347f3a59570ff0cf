"""Proposals test factories and personas. Titles, texts and comments carry `<script>`, so every page
showing them is also an escaping test.

- `ProposalFactory(status=...)` makes a proposal of a council's okrug straight in the database (for
  arranging a test; the services are tested on their own). Its author is a verified resident.
- `resident_of(okrug)` a user with a declared and verified residency in a settlement of the okrug
  (`verified=False` for a declared one only); `coordinator_of(council)`, `member_of(council)`,
  `staff_of(okrug)` (akimat staff of the okrug's district).
- `SupportFactory`, `CommentFactory`, `add_supporters(proposal, count)` (through the service).
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from kenes.accounts.models import ResidentProfile, Role, User
from kenes.accounts.tests.factories import UserFactory, grant, make_iin, make_resident
from kenes.councils.models import Council, Member
from kenes.councils.tests.factories import CoordinatorFactory, CouncilFactory, MemberFactory
from kenes.proposals.models import Area, Comment, Language, Proposal, Status, Support
from kenes.proposals.search import fold
from kenes.territory.models import Okrug, Settlement
from kenes.territory.tests.factories import SettlementFactory

SCRIPT = "<script>alert(1)</script>"


def settlement_of(okrug: Okrug) -> Settlement:
    """The okrug's first current settlement, made when it has none."""
    settlement = okrug.settlements.filter(retired_at__isnull=True).order_by("kato").first()
    return settlement or SettlementFactory.create(okrug=okrug)


_next_serial = [0]


def unique_iin() -> str:
    """A valid IIN no other persona of these tests has (born on a day the accounts factories do not use)."""
    number = make_iin(datetime.date(1985, 5, 5), serial=_next_serial[0])
    _next_serial[0] = int(number[7:11]) + 1
    return number


def resident_of(okrug: Okrug, *, settlement: Settlement | None = None, verified: bool = True, **user: Any) -> User:
    person = UserFactory.create(**user)
    make_resident(user=person, settlement=settlement or settlement_of(okrug), iin=unique_iin())
    if verified:
        ResidentProfile.objects.filter(user=person).update(verified_at=timezone.now())
    return person


def coordinator_of(council: Council, **user: Any) -> User:
    person = UserFactory.create(**user)
    CoordinatorFactory.create(council=council, user=person)
    return person


def member_of(council: Council, **user: Any) -> User:
    person = UserFactory.create(**user)
    MemberFactory.create(council=council, user=person, role=Member.Role.MEMBER)
    return person


def staff_of(okrug: Okrug, **user: Any) -> User:
    person = UserFactory.create(**user)
    grant(person, Role.AKIMAT_STAFF, okrug.district)
    return person


class ProposalFactory(DjangoModelFactory[Proposal]):
    class Meta:
        model = Proposal

    council = factory.SubFactory(CouncilFactory)
    okrug = factory.LazyAttribute(lambda o: o.council.okrug)
    settlement = factory.LazyAttribute(lambda o: settlement_of(o.council.okrug))
    author = factory.LazyAttribute(lambda o: resident_of(o.council.okrug, settlement=o.settlement))
    title = factory.Sequence(lambda n: f"Көше шамдары {n} {SCRIPT}")
    body = factory.Sequence(lambda n: f"Орталық көшеде түнде жарық жоқ, балалар қараңғыда жүреді. {n} {SCRIPT}")
    language = Language.KAZAKH
    area = Area.INFRASTRUCTURE
    status = Status.DRAFT
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == Status.DRAFT else timezone.now())
    search_text = factory.LazyAttribute(lambda o: fold(f"{o.title} {o.body}"))
    # The model's constraints: a merged proposal names its target, a forwarded one its addressee.
    merged_into = factory.LazyAttribute(
        lambda o: (
            ProposalFactory.create(council=o.council, status=Status.COLLECTING) if o.status == Status.MERGED else None
        )
    )
    forwarded_to = factory.LazyAttribute(lambda o: f"Аудан әкімдігі {SCRIPT}" if o.status == Status.FORWARDED else "")


class SupportFactory(DjangoModelFactory[Support]):
    """A support row written directly (its count is not updated): for arranging reads."""

    class Meta:
        model = Support

    proposal = factory.SubFactory(ProposalFactory, status=Status.COLLECTING)
    resident = factory.LazyAttribute(lambda o: resident_of(o.proposal.okrug))


class CommentFactory(DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    proposal = factory.SubFactory(ProposalFactory, status=Status.COLLECTING)
    author = factory.LazyAttribute(lambda o: resident_of(o.proposal.okrug))
    parent = None
    body = factory.Sequence(lambda n: f"Келісемін, бұл өте маңызды. {n} {SCRIPT}")


def add_supporters(proposal: Proposal, count: int) -> list[User]:
    """`count` new residents of the okrug support the proposal through the service."""
    from kenes.proposals.services import support_proposal

    supporters = [resident_of(proposal.okrug) for _ in range(count)]
    for person in supporters:
        support_proposal(actor=person, proposal=proposal)
    return supporters
