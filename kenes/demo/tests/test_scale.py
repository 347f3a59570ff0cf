"""The national synthetic data set (`generate_scale_data`), on a few factory-made okrugs: every
counter agrees with the rows it counts, every rule the database holds is kept, the same seed gives
the same data, a second run adds nothing, and the pages read it (on SQLite through executemany, on
PostgreSQL through COPY — the same tests run on both)."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import Client

from kenes.accountability.models import Answer
from kenes.accounts.models import User
from kenes.councils.models import Council, Member
from kenes.demo import scale
from kenes.meetings.models import AgendaItem, Attendance, Meeting, Recommendation, Vote
from kenes.proposals.models import Proposal, Status, Support
from kenes.territory.models import Okrug
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, SettlementFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 12, 1)


@pytest.fixture
def okrugs() -> list[Okrug]:
    district = DistrictFactory.create()
    found = []
    for _ in range(3):
        okrug = OkrugFactory.create(district=district, kind=Okrug.Kind.RURAL_OKRUG)
        SettlementFactory.create(okrug=okrug, district=district, is_main=True)
        SettlementFactory.create(okrug=okrug, district=district)
        found.append(okrug)
    OkrugFactory.create(district=district, kind=Okrug.Kind.RURAL_OKRUG)  # no settlement: left out
    return found


def fingerprint() -> list[tuple[Any, ...]]:
    return list(
        Proposal.objects.order_by("okrug__kato", "submitted_at", "title", "support_count").values_list(
            "okrug__kato", "title", "status", "support_count", "area"
        )
    )


def test_every_counter_agrees_with_its_rows_and_everything_is_synthetic(okrugs: list[Okrug]) -> None:
    result = scale.generate_scale_data(okrugs=None, as_of=AS_OF)

    assert (result.okrugs, result.skipped) == (4, 1)
    assert Council.objects.count() == 3
    per_okrug = Proposal.objects.count() / 3
    assert 150 < per_okrug < 300  # about 221
    assert 6 < Support.objects.count() / Proposal.objects.count() < 16  # about 10
    assert Meeting.objects.count() == 3 * 13
    # Each proposal's support_count is its Support rows; supports only where the status allows them.
    counted = Proposal.objects.annotate(rows=Count("supports")).exclude(rows=F("support_count"))
    assert not counted.exists()
    assert not Support.objects.exclude(proposal__status__in=scale.SUPPORTED).exists()
    # A supporter and a proposal's author live in its okrug.
    assert not Support.objects.exclude(resident__resident_profile__settlement__okrug=F("proposal__okrug")).exists()
    # Votes: one per member present, totals on the item equal the rows, the outcome follows them.
    items = AgendaItem.objects.annotate(
        rows=Count("votes", distinct=True),
        yes=Count("votes", filter=Q(votes__choice="for"), distinct=True),
        present=Count("meeting__attendance", filter=Q(meeting__attendance__present=True), distinct=True),
    )
    assert not items.exclude(rows=F("present_at_close")).exists()
    assert not items.exclude(yes=F("votes_for")).exists()
    assert not items.exclude(present=F("present_at_close")).exists()
    for item in items:
        assert item.votes_for is not None
        assert item.present_at_close is not None
        assert (item.outcome == AgendaItem.Outcome.ADOPTED) == (item.votes_for * 2 > item.present_at_close)
    # Each adopted item is one recommendation of its recommended proposal; each declined one is declined.
    assert Recommendation.objects.count() == AgendaItem.objects.filter(outcome=AgendaItem.Outcome.ADOPTED).count()
    assert not Recommendation.objects.exclude(proposals__status=Status.RECOMMENDED).exists()
    assert (
        not AgendaItem.objects.filter(outcome=AgendaItem.Outcome.REJECTED)
        .exclude(proposal__status=Status.DECLINED)
        .exists()
    )
    # An answered recommendation has its one final answer, a waiting one none.
    answered = Recommendation.objects.filter(status__in=["answered", "implemented"])
    assert Answer.objects.count() == answered.count()
    assert not Recommendation.objects.filter(status="sent", answers__isnull=False).exists()
    # Labelled: every row carries the demo flag, every name says it is synthetic.
    for model in (Council, Member, Proposal, Meeting, Recommendation, Answer):
        assert not model.objects.filter(is_demo=False).exists(), model.__name__
    assert not User.objects.filter(username__startswith="scale-", is_demo=False).exists()
    assert Attendance.objects.count() == Meeting.objects.filter(status="closed").count() * scale.MEMBERS
    assert Vote.objects.count() > 0


def test_the_same_seed_gives_the_same_data_and_a_second_run_adds_nothing(okrugs: list[Okrug]) -> None:
    with transaction.atomic():
        scale.generate_scale_data(okrugs=2, seed=7, as_of=AS_OF)
        first = fingerprint()
        transaction.set_rollback(True)
    assert not Proposal.objects.exists()

    scale.generate_scale_data(okrugs=2, seed=7, as_of=AS_OF)
    assert fingerprint() == first
    again = scale.generate_scale_data(okrugs=2, seed=7, as_of=AS_OF)
    assert (again.okrugs, again.skipped, fingerprint()) == (0, 2, first)


def test_a_different_seed_gives_different_data(okrugs: list[Okrug]) -> None:
    with transaction.atomic():
        scale.generate_scale_data(okrugs=1, seed=1, as_of=AS_OF)
        first = fingerprint()
        transaction.set_rollback(True)
    scale.generate_scale_data(okrugs=1, seed=2, as_of=AS_OF)

    assert fingerprint() != first


def test_ids_continue_after_the_bulk_load(okrugs: list[Okrug]) -> None:
    scale.generate_scale_data(okrugs=1, as_of=AS_OF)
    highest = Proposal.objects.order_by("-pk").values_list("pk", flat=True).first()
    template = Proposal.objects.first()
    assert template is not None
    assert highest is not None

    template.pk = None
    template.save()

    assert template.pk > highest


def test_the_pages_read_the_synthetic_data_and_say_it_is_demo(okrugs: list[Okrug]) -> None:
    scale.generate_scale_data(okrugs=1, as_of=AS_OF)
    council = Council.objects.select_related("okrug").get()
    proposal = Proposal.objects.filter(status=Status.COLLECTING).first()
    sitting = Meeting.objects.filter(status="closed").first()
    assert proposal is not None
    assert sitting is not None
    client = Client()

    for path in (
        f"/proposals/okrug/{council.okrug.kato}/",
        f"/proposals/{proposal.pk}/",
        f"/sittings/{sitting.pk}/",
        f"/accountability/okrug/{council.okrug.kato}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "demo" in response.content.decode().lower(), path


def test_the_command_reports_counts_and_refuses_a_bad_number(okrugs: list[Okrug]) -> None:
    out = StringIO()
    call_command("generate_scale_data", "--okrugs", "2", "--as-of", "2026-12-01", "--no-indicators", stdout=out)

    assert "2 okrugs built" in out.getvalue()
    assert "synthetic" in out.getvalue()
    with pytest.raises(Exception, match="--okrugs"):
        call_command("generate_scale_data", "--okrugs", "many", stdout=StringIO())
