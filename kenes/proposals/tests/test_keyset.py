"""Keyset pages over proposals (kenes.core.pagination): walking "older" from the first page visits
every proposal once in the list's order, and walking "newer" back gives the same pages, whatever the
ties in support counts and submission times."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kenes.core.pagination import keyset_page
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals import selectors
from kenes.proposals.models import Proposal, Status
from kenes.proposals.tests.factories import ProposalFactory

MOMENT = timezone.make_aware(datetime.datetime(2026, 5, 1, 12, 0))


def walk(sort: str, per_page: int) -> tuple[list[list[int]], list[list[int]]]:
    keys = selectors.SORT_KEYS[sort]
    found = selectors.list_proposals(sort=sort)
    forward: list[list[int]] = []
    page = keyset_page(found, keys=keys, per_page=per_page)
    while True:
        forward.append([proposal.pk for proposal in page.object_list])
        if page.next_cursor is None:
            break
        page = keyset_page(found, keys=keys, per_page=per_page, after=page.next_cursor)
    backward = [[proposal.pk for proposal in page.object_list]]
    while page.previous_cursor is not None:
        page = keyset_page(found, keys=keys, per_page=per_page, before=page.previous_cursor)
        backward.append([proposal.pk for proposal in page.object_list])
    return forward, list(reversed(backward))


class KeysetWalkTests(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(
        rows=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=0, max_size=23),
        per_page=st.integers(1, 6),
        sort=st.sampled_from(["new", "supported"]),
    )
    def test_older_visits_every_row_once_in_order_and_newer_walks_back(
        self, rows: list[tuple[int, int]], per_page: int, sort: str
    ) -> None:
        council = CouncilFactory.create()
        for supports, hours in rows:
            ProposalFactory.create(
                council=council,
                status=Status.COLLECTING,
                support_count=supports,
                submitted_at=MOMENT + datetime.timedelta(hours=hours),
            )
        ProposalFactory.create(council=council)  # a draft: never listed

        forward, backward = walk(sort, per_page)

        expected = list(selectors.list_proposals(sort=sort).values_list("pk", flat=True))
        assert [pk for chunk in forward for pk in chunk] == expected
        assert all(len(chunk) == per_page for chunk in forward[:-1])
        assert backward == forward
        Proposal.objects.all().delete()


@pytest.mark.django_db
def test_a_cursor_from_elsewhere_or_tampered_gives_the_first_page() -> None:
    council = CouncilFactory.create()
    ProposalFactory.create_batch(3, council=council, status=Status.COLLECTING)
    found = selectors.list_proposals()
    first = [p.pk for p in keyset_page(found, keys=("submitted_at", "id"), per_page=2).object_list]

    for cursor in ("", "%%%", "WyJ4Il0", "WzEsMiwzXQ", "WyJub3QgYSBkYXRlIiwgMV0"):
        page = keyset_page(found, keys=("submitted_at", "id"), per_page=2, after=cursor)
        assert [p.pk for p in page.object_list] == first, cursor
