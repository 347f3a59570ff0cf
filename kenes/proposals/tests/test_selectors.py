"""Reads: lists in a fixed number of queries, filters and sorts, duplicates, the screening queue,
the discussion tree, and access functions that answer 404 for missing and forbidden alike."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from kenes.accounts.models import Role
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.core.calendar import add_working_days
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals import selectors, services
from kenes.proposals.models import Photo, Proposal, Status
from kenes.proposals.tests.factories import (
    CommentFactory,
    ProposalFactory,
    SupportFactory,
    coordinator_of,
    resident_of,
    staff_of,
)
from kenes.territory.tests.factories import SettlementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory.create()


def make_public(council, count, **fields):
    proposals = ProposalFactory.create_batch(count, council=council, status=Status.COLLECTING, **fields)
    for proposal in proposals:
        Photo.objects.create(proposal=proposal, image="p.jpg", thumbnail="t.jpg", width=1, height=1, size_bytes=1)
    return proposals


def walk(proposals):
    """What a list page touches on each row."""
    return [
        (p.title, p.okrug.name_kk, p.okrug.district.name_kk, p.settlement.name_kk, str(p.author), p.photo_count)
        for p in proposals
    ]


# Lists --------------------------------------------------------------------------------------------


def test_the_list_costs_the_same_for_one_proposal_and_for_twenty(council, django_assert_max_num_queries):
    make_public(council, 1)
    with django_assert_max_num_queries(1):
        one = walk(selectors.list_proposals(okrug=council.okrug))
    make_public(council, 19)
    with django_assert_max_num_queries(1):
        twenty = walk(selectors.list_proposals(okrug=council.okrug))
    assert len(one) == 1
    assert len(twenty) == 20
    assert all(row[-1] == 1 for row in twenty)


def test_a_search_list_costs_the_same_too(council, django_assert_max_num_queries):
    make_public(council, 20, title="Жол жөндеу керек")
    with django_assert_max_num_queries(1):
        rows = walk(selectors.list_proposals(query="ЖОЛ", sort="supported"))
    assert len(rows) == 20


def test_drafts_are_never_listed(council):
    ProposalFactory.create(council=council, status=Status.DRAFT)
    public = make_public(council, 1)
    returned = ProposalFactory.create(council=council, status=Status.RETURNED)
    assert set(selectors.list_proposals()) == {*public, returned}
    assert list(selectors.list_proposals(status=Status.DRAFT)) == []


def test_filters_by_place_area_status_and_settlement(council):
    okrug = council.okrug
    SettlementFactory.create(okrug=okrug)  # the first one, which the factory picks by default
    village = SettlementFactory.create(okrug=okrug)
    roads = ProposalFactory.create(council=council, status=Status.COLLECTING, area="infrastructure", settlement=village)
    school = ProposalFactory.create(council=council, status=Status.READY, area="social")
    elsewhere = ProposalFactory.create(status=Status.COLLECTING)
    assert set(selectors.list_proposals(okrug=okrug)) == {roads, school}
    assert set(selectors.list_proposals(district=okrug.district)) == {roads, school}
    assert set(selectors.list_proposals(council=elsewhere.council)) == {elsewhere}
    assert list(selectors.list_proposals(area="social")) == [school]
    assert list(selectors.list_proposals(status=Status.COLLECTING, okrug=okrug)) == [roads]
    assert list(selectors.list_proposals(settlement=village)) == [roads]


def test_sorted_by_new_or_by_most_supported(council):
    now = timezone.now()
    old = ProposalFactory.create(
        council=council, status=Status.COLLECTING, submitted_at=now - datetime.timedelta(days=3)
    )
    new = ProposalFactory.create(council=council, status=Status.COLLECTING, submitted_at=now)
    Proposal.objects.filter(pk=old.pk).update(support_count=7)
    assert list(selectors.list_proposals(sort="new")) == [new, old]
    assert list(selectors.list_proposals(sort="supported")) == [old, new]
    assert list(selectors.list_proposals(sort="anything else")) == [new, old]


def test_my_proposals_include_drafts_and_those_entered_for_a_resident(council):
    author = resident_of(council.okrug)
    draft = ProposalFactory.create(council=council, author=author)
    submitted = ProposalFactory.create(council=council, author=author, status=Status.SUBMITTED)
    staff = staff_of(council.okrug)
    entered = ProposalFactory.create(council=council, entered_by=staff, channel="phone")
    ProposalFactory.create(council=council)
    assert set(selectors.my_proposals(author)) == {draft, submitted}
    assert list(selectors.my_proposals(staff)) == [entered]
    assert list(selectors.my_proposals(UserFactory.create())) == []


def test_which_proposals_a_user_supports_is_one_query(council, django_assert_num_queries):
    supported = SupportFactory.create(proposal=make_public(council, 1)[0])
    others = make_public(council, 3)
    with django_assert_num_queries(1):
        ids = selectors.supported_proposal_ids(supported.resident, [supported.proposal, *others])
    assert ids == {supported.proposal_id}
    assert selectors.has_supported(supported.resident, supported.proposal)
    assert not selectors.has_supported(supported.resident, others[0])


# One proposal -------------------------------------------------------------------------------------


def test_a_draft_or_missing_proposal_is_not_found(council):
    draft = ProposalFactory.create(council=council)
    with pytest.raises(Http404):
        selectors.get_public_proposal(draft.pk)
    with pytest.raises(Http404):
        selectors.get_public_proposal(999_999)
    public = make_public(council, 1)[0]
    assert selectors.get_public_proposal(public.pk) == public


def test_the_timeline_is_oldest_first_with_its_people(council, django_assert_max_num_queries):
    coordinator = coordinator_of(council)
    proposal = ProposalFactory.create(council=council)
    services.submit_proposal(actor=proposal.author, proposal=proposal)
    services.return_proposal(actor=coordinator, proposal=proposal, reason="Толығырақ")
    with django_assert_max_num_queries(1):
        events = [(e.kind, str(e.actor), e.note) for e in selectors.timeline_of(proposal)]
    assert events == [("submitted", str(proposal.author), ""), ("returned", str(coordinator), "Толығырақ")]


def test_comments_come_as_a_tree_in_a_fixed_number_of_queries(council, django_assert_max_num_queries):
    proposal = make_public(council, 1)[0]
    viewer = resident_of(council.okrug)
    first = CommentFactory.create(proposal=proposal)
    hidden = CommentFactory.create(proposal=proposal, hidden_at=timezone.now(), hidden_reason="Дөрекі")
    for _ in range(3):
        CommentFactory.create(proposal=proposal, parent=first)
    services.report_comment(actor=viewer, comment=first, reason="Жала")

    with django_assert_max_num_queries(2):
        tree = selectors.comments_of(proposal, viewer)
        shape = [
            (c.pk, str(c.author), c.open_reports, c.reported_by_viewer, len(c.replies.all()))  # type: ignore[attr-defined]
            for c in tree
        ]
        replies = [str(r.author) for r in tree[0].replies.all()]

    assert shape == [(first.pk, str(first.author), 1, True, 3), (hidden.pk, str(hidden.author), 0, False, 0)]
    assert len(replies) == 3
    assert selectors.comments_of(proposal, None)[0].reported_by_viewer is False  # type: ignore[attr-defined]


# Duplicates ---------------------------------------------------------------------------------------


def test_similar_titles_of_the_same_okrug_are_suggested_most_similar_first(council):
    lights = ProposalFactory.create(council=council, status=Status.COLLECTING, title="Көшедегі шамдар жанбайды")
    lamps = ProposalFactory.create(council=council, status=Status.SUBMITTED, title="Көшедегі шамдарды жөндеу")
    ProposalFactory.create(council=council, status=Status.COLLECTING, title="Мектепке жаңа автобус")
    ProposalFactory.create(council=council, status=Status.DRAFT, title="Көшедегі шамдар жанбайды")
    ProposalFactory.create(status=Status.COLLECTING, title="Көшедегі шамдар жанбайды")

    found = selectors.similar_proposals(council=council, title="КӨШЕДЕГІ ШАМДАР ЖАНБАЙДЫ!")

    assert found == [lights, lamps]
    assert found[0].similarity == 1.0  # type: ignore[attr-defined]
    assert selectors.similar_proposals(council=council, title="Көшедегі шамдар", exclude=lights) == [lamps]
    assert selectors.similar_proposals(council=council, title="   ") == []


def test_closed_proposals_are_not_suggested(council):
    ProposalFactory.create(council=council, status=Status.DECLINED, title="Су құбыры")
    ProposalFactory.create(council=council, status=Status.FORWARDED, title="Су құбыры")
    assert selectors.similar_proposals(council=council, title="Су құбыры") == []


def test_title_similarity_reads_kazakh_endings_and_e_with_diaeresis():
    assert selectors.title_similarity("Жол", "жол") == 1.0
    assert selectors.title_similarity("ёлка", "елка") == 1.0
    assert selectors.title_similarity("жолды жөндеу", "жолдарды жөндеу") > 0.5
    assert selectors.title_similarity("жол", "автобус") == 0.0


# The coordinator's queue --------------------------------------------------------------------------


def test_the_queue_is_oldest_first_with_working_days_left(council, django_assert_max_num_queries):
    coordinator = coordinator_of(council)
    today = timezone.localdate()
    now = timezone.now()
    late = ProposalFactory.create(
        council=council,
        status=Status.SUBMITTED,
        submitted_at=now - datetime.timedelta(days=10),
        screening_due_on=add_working_days(today, -2),
    )
    due = ProposalFactory.create(
        council=council,
        status=Status.SUBMITTED,
        submitted_at=now - datetime.timedelta(days=1),
        screening_due_on=add_working_days(today, 3),
    )
    ProposalFactory.create(council=council, status=Status.COLLECTING)
    ProposalFactory.create(status=Status.SUBMITTED)

    with django_assert_max_num_queries(5):
        queue = selectors.screening_queue(user=coordinator)
        [(p.title, p.settlement.name_kk, str(p.author)) for p, _days in queue]

    assert queue == [(late, -2), (due, 3)]


def test_the_queue_follows_the_coordinator_role_and_is_empty_for_others(council):
    proposal = ProposalFactory.create(
        council=council, status=Status.SUBMITTED, screening_due_on=add_working_days(timezone.localdate(), 1)
    )
    for territory in (council.okrug, council.okrug.district, council.okrug.district.region):
        by_role = UserFactory.create()
        grant(by_role, Role.COORDINATOR, territory)
        assert [p for p, _days in selectors.screening_queue(user=by_role)] == [proposal], territory
    elsewhere = UserFactory.create()
    grant(elsewhere, Role.COORDINATOR, CouncilFactory.create().okrug.district.region)
    assert selectors.screening_queue(user=elsewhere) == []
    assert [p for p, _days in selectors.screening_queue(user=SuperuserFactory.create())] == [proposal]
    assert selectors.screening_queue(user=resident_of(council.okrug)) == []
    assert selectors.screening_queue(user=coordinator_of(CouncilFactory.create())) == []


# Access functions ---------------------------------------------------------------------------------


def test_a_draft_is_opened_for_editing_only_by_its_author(council):
    draft = ProposalFactory.create(council=council)
    assert selectors.access_draft_for_editing(user=draft.author, pk=draft.pk) == draft
    for user in (resident_of(council.okrug), coordinator_of(council), SuperuserFactory.create()):
        with pytest.raises(Http404):
            selectors.access_draft_for_editing(user=user, pk=draft.pk)
    with pytest.raises(Http404):
        selectors.access_draft_for_editing(user=draft.author, pk=999_999)


def test_a_proposal_is_opened_for_screening_only_by_its_coordinator(council):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    coordinator = coordinator_of(council)
    assert selectors.access_proposal_for_screening(user=coordinator, pk=proposal.pk) == proposal
    with pytest.raises(Http404):
        selectors.access_proposal_for_screening(user=proposal.author, pk=proposal.pk)
    with pytest.raises(Http404):
        selectors.access_proposal_for_screening(user=coordinator_of(CouncilFactory.create()), pk=proposal.pk)
    draft = ProposalFactory.create(council=council)
    with pytest.raises(Http404):
        selectors.access_proposal_for_screening(user=coordinator, pk=draft.pk)


def test_a_comment_is_opened_for_moderation_only_by_the_coordinator(council):
    comment = CommentFactory.create(proposal=make_public(council, 1)[0])
    assert selectors.access_comment_for_moderation(user=coordinator_of(council), pk=comment.pk) == comment
    with pytest.raises(Http404):
        selectors.access_comment_for_moderation(user=comment.author, pk=comment.pk)
    assert selectors.access_comment_for_editing(user=comment.author, pk=comment.pk) == comment
    with pytest.raises(Http404):
        selectors.access_comment_for_editing(user=coordinator_of(council), pk=comment.pk)
