"""Discussion: one level of replies, a 15-minute edit window, one report per person, moderation with
a public reason, and a rate limit counted in the database."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals import services
from kenes.proposals.models import Comment, CommentReport, Status
from kenes.proposals.tests.factories import (
    SCRIPT,
    CommentFactory,
    ProposalFactory,
    coordinator_of,
    member_of,
    resident_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory.create()


@pytest.fixture
def proposal(council):
    return ProposalFactory.create(council=council, status=Status.COLLECTING)


def test_a_resident_comments_and_a_neighbour_replies(proposal):
    first = services.add_comment(actor=resident_of(proposal.okrug), proposal=proposal, body=f"  Иә! {SCRIPT} ")
    reply = services.add_comment(actor=resident_of(proposal.okrug), proposal=proposal, body="Қолдаймын", parent=first)
    assert first.body == f"Иә! {SCRIPT}"
    assert reply.parent == first
    assert AuditEntry.objects.filter(action="comment.added").count() == 2


def test_council_members_and_coordinators_take_part(council, proposal):
    services.add_comment(actor=member_of(council), proposal=proposal, body="Отырыста қараймыз")
    services.add_comment(actor=coordinator_of(council), proposal=proposal, body="Әкімдікке сұрау жібердім")
    assert Comment.objects.filter(proposal=proposal).count() == 2


def test_outsiders_do_not_comment(proposal):
    with pytest.raises(DomainError) as refusal:
        services.add_comment(actor=resident_of(CouncilFactory.create().okrug), proposal=proposal, body="Сәлем")
    assert refusal.value.code == "forbidden"


def test_replies_have_no_replies(proposal):
    top = CommentFactory.create(proposal=proposal)
    reply = CommentFactory.create(proposal=proposal, parent=top)
    with pytest.raises(DomainError) as refusal:
        services.add_comment(actor=resident_of(proposal.okrug), proposal=proposal, body="Тереңірек", parent=reply)
    assert refusal.value.code == "reply_depth"


def test_a_reply_belongs_under_the_same_proposal(council, proposal):
    elsewhere = CommentFactory.create(proposal=ProposalFactory.create(council=council, status=Status.COLLECTING))
    with pytest.raises(DomainError) as refusal:
        services.add_comment(actor=resident_of(proposal.okrug), proposal=proposal, body="Қате", parent=elsewhere)
    assert refusal.value.code == "bad_parent"


def test_an_empty_or_overlong_comment_is_refused(proposal):
    author = resident_of(proposal.okrug)
    with pytest.raises(DomainError) as refusal:
        services.add_comment(actor=author, proposal=proposal, body="   ")
    assert refusal.value.code == "comment_required"
    with pytest.raises(DomainError) as refusal:
        services.add_comment(actor=author, proposal=proposal, body="ә" * 4001)
    assert refusal.value.code == "comment_too_long"


def test_the_sixth_comment_in_ten_minutes_is_refused_with_when_to_try_again(proposal):
    author = resident_of(proposal.okrug)
    for number in range(5):
        services.add_comment(actor=author, proposal=proposal, body=f"Пікір {number}")
    with pytest.raises(DomainError) as refusal:
        services.add_comment(actor=author, proposal=proposal, body="Алтыншы")
    assert refusal.value.code == "rate_limited"
    assert refusal.value.status == 429
    assert "10" in str(refusal.value)
    # Somebody else is not held back by it.
    services.add_comment(actor=resident_of(proposal.okrug), proposal=proposal, body="Менің пікірім")


def test_the_ten_minute_window_slides(proposal):
    author = resident_of(proposal.okrug)
    for number in range(5):
        services.add_comment(actor=author, proposal=proposal, body=f"Пікір {number}")
    Comment.objects.filter(author=author).update(created_at=timezone.now() - datetime.timedelta(minutes=11))

    later = services.add_comment(actor=author, proposal=proposal, body="Кейінірек")

    assert later.pk is not None
    assert Comment.objects.filter(author=author).count() == 6


def test_at_most_thirty_comments_a_day(proposal):
    author = resident_of(proposal.okrug)
    earlier = timezone.now() - datetime.timedelta(hours=3)
    Comment.objects.bulk_create(
        Comment(proposal=proposal, author=author, body=f"Ертерек {number}") for number in range(30)
    )
    Comment.objects.filter(author=author).update(created_at=earlier)
    with pytest.raises(DomainError) as refusal:
        services.add_comment(actor=author, proposal=proposal, body="Отыз бірінші")
    assert refusal.value.code == "rate_limited"


def test_the_author_edits_within_fifteen_minutes_and_not_after(proposal):
    comment = services.add_comment(actor=resident_of(proposal.okrug), proposal=proposal, body="Қателік бар")
    services.edit_comment(actor=comment.author, comment=comment, body="Түзетілді")
    comment.refresh_from_db()
    assert comment.body == "Түзетілді"
    assert comment.edited_at is not None
    assert AuditEntry.objects.get(action="comment.edited").before == {"body": "Қателік бар"}

    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    comment.refresh_from_db()
    with pytest.raises(DomainError) as refusal:
        services.edit_comment(actor=comment.author, comment=comment, body="Тағы")
    assert refusal.value.code == "edit_window_closed"


def test_nobody_edits_someone_elses_comment(proposal):
    comment = CommentFactory.create(proposal=proposal)
    with pytest.raises(DomainError) as refusal:
        services.edit_comment(actor=resident_of(proposal.okrug), comment=comment, body="Басқаша")
    assert refusal.value.code == "forbidden"


def test_a_comment_is_reported_once_per_person(proposal):
    comment = CommentFactory.create(proposal=proposal)
    reporter = resident_of(proposal.okrug)
    services.report_comment(actor=reporter, comment=comment, reason="Балағат сөз")
    with pytest.raises(DomainError) as refusal:
        services.report_comment(actor=reporter, comment=comment, reason="Тағы да")
    assert refusal.value.code == "already_reported"
    services.report_comment(actor=resident_of(proposal.okrug), comment=comment, reason="Жала")
    assert CommentReport.objects.filter(comment=comment).count() == 2


def test_the_coordinator_hides_with_a_public_reason_and_the_reports_are_closed(council, proposal):
    comment = CommentFactory.create(proposal=proposal)
    services.report_comment(actor=resident_of(proposal.okrug), comment=comment, reason="Балағат")
    coordinator = coordinator_of(council)

    services.hide_comment(actor=coordinator, comment=comment, reason=f"Дөрекі сөз {SCRIPT}")

    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert comment.hidden_by == coordinator
    assert comment.hidden_reason == f"Дөрекі сөз {SCRIPT}"
    assert comment.body  # kept for the moderators
    assert not CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    assert AuditEntry.objects.get(action="comment.hidden").after == {
        "hidden_reason": f"Дөрекі сөз {SCRIPT}",
        "reports_resolved": 1,
    }

    services.unhide_comment(actor=coordinator, comment=comment)
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert comment.hidden_reason == ""
    assert AuditEntry.objects.filter(action="comment.unhidden").count() == 1


def test_hiding_needs_a_reason_and_a_coordinator(council, proposal):
    comment = CommentFactory.create(proposal=proposal)
    with pytest.raises(DomainError) as refusal:
        services.hide_comment(actor=coordinator_of(council), comment=comment, reason=" ")
    assert refusal.value.code == "reason_required"
    with pytest.raises(DomainError) as refusal:
        services.hide_comment(actor=resident_of(proposal.okrug), comment=comment, reason="Ұнамады")
    assert refusal.value.code == "forbidden"
    comment.refresh_from_db()
    assert comment.hidden_at is None
