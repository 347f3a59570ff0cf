"""Drafts, assisted entry and screening through the services: what they write, audit and refuse."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kenes.core.calendar import add_working_days
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.councils.tests.factories import CouncilFactory
from kenes.proposals import services
from kenes.proposals.models import EntryChannel, Proposal, Status, Support, TimelineEvent
from kenes.proposals.tests.factories import (
    SCRIPT,
    ProposalFactory,
    add_supporters,
    coordinator_of,
    resident_of,
    settlement_of,
    staff_of,
)
from kenes.territory.tests.factories import SettlementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory.create()


@pytest.fixture
def coordinator(council):
    return coordinator_of(council)


def draft_fields(council, **overrides):
    fields = {
        "council": council,
        "settlement": settlement_of(council.okrug),
        "title": f"  Ауылға жол салу {SCRIPT}  ",
        "body": f"Жаңбырда жолдан өту мүмкін емес. Ёлка алаңы {SCRIPT}",
        "language": "kk",
        "area": "infrastructure",
        "estimated_cost": 12_000_000,
    }
    fields.update(overrides)
    return fields


def last_audit(action):
    return AuditEntry.objects.filter(action=action).latest("id")


# Drafts -------------------------------------------------------------------------------------------


def test_a_verified_resident_creates_a_draft_with_folded_search_text(council):
    author = resident_of(council.okrug)

    proposal = services.create_draft(actor=author, **draft_fields(council))

    assert proposal.status == Status.DRAFT
    assert proposal.author == author
    assert proposal.okrug_id == council.okrug_id
    assert proposal.title == f"Ауылға жол салу {SCRIPT}"
    assert proposal.channel == EntryChannel.ONLINE
    assert proposal.entered_by is None
    assert "ауылға" in proposal.search_text
    assert "елка" in proposal.search_text
    assert TimelineEvent.objects.get(proposal=proposal).kind == TimelineEvent.Kind.CREATED
    entry = last_audit("proposal.created")
    assert entry.actor_id == author.pk
    assert entry.after["title"] == proposal.title


def test_a_resident_whose_residency_is_not_verified_cannot_submit(council):
    declared = resident_of(council.okrug, verified=False)
    with pytest.raises(DomainError) as refusal:
        services.create_draft(actor=declared, **draft_fields(council))
    assert refusal.value.code == "forbidden"
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": "   "}, "title_required"),
        ({"title": "ж" * 201}, "title_too_long"),
        ({"body": ""}, "body_required"),
        ({"language": "en"}, "bad_language"),
        ({"area": "space"}, "bad_area"),
        ({"estimated_cost": -5}, "bad_cost"),
    ],
)
def test_a_draft_with_a_broken_field_is_refused_with_a_field_code(council, overrides, code):
    author = resident_of(council.okrug)
    with pytest.raises(DomainError) as refusal:
        services.create_draft(actor=author, **draft_fields(council, **overrides))
    assert refusal.value.code == code
    assert refusal.value.status == 422


def test_a_draft_must_name_a_settlement_of_the_okrug(council):
    author = resident_of(council.okrug)
    with pytest.raises(DomainError) as refusal:
        services.create_draft(actor=author, **draft_fields(council, settlement=SettlementFactory.create()))
    assert refusal.value.code == "settlement_outside_okrug"


def test_a_resident_cannot_claim_to_have_come_in_person(council):
    author = resident_of(council.okrug)
    with pytest.raises(DomainError) as refusal:
        services.create_draft(actor=author, channel=EntryChannel.PHONE, **draft_fields(council))
    assert refusal.value.code == "bad_channel"


def test_akimat_staff_enter_a_proposal_for_a_resident_flagged_and_audited_with_both_people(council):
    staff = staff_of(council.okrug)
    resident = resident_of(council.okrug, verified=False)

    proposal = services.create_draft(
        actor=staff, on_behalf_of=resident, channel=EntryChannel.IN_PERSON, **draft_fields(council)
    )

    assert proposal.author == resident
    assert proposal.entered_by == staff
    assert proposal.is_assisted
    assert proposal.channel == EntryChannel.IN_PERSON
    entry = last_audit("proposal.entered_on_behalf")
    assert entry.actor_id == staff.pk
    assert entry.after["author"] == resident.pk
    assert entry.after["entered_by"] == staff.pk
    assert entry.after["channel"] == "in_person"


def test_assisted_entry_needs_the_channel_and_a_resident_of_the_okrug(council):
    staff = staff_of(council.okrug)
    with pytest.raises(DomainError) as refusal:
        services.create_draft(actor=staff, on_behalf_of=resident_of(council.okrug), **draft_fields(council))
    assert refusal.value.code == "bad_channel"
    stranger = resident_of(CouncilFactory.create().okrug)
    with pytest.raises(DomainError) as refusal:
        services.create_draft(actor=staff, on_behalf_of=stranger, channel="phone", **draft_fields(council))
    assert refusal.value.code == "not_resident"


def test_a_resident_cannot_enter_a_proposal_for_a_neighbour(council):
    resident = resident_of(council.okrug)
    with pytest.raises(DomainError) as refusal:
        services.create_draft(
            actor=resident, on_behalf_of=resident_of(council.okrug), channel="phone", **draft_fields(council)
        )
    assert refusal.value.code == "forbidden"


def test_the_author_edits_a_draft_and_the_search_text_follows(council):
    proposal = ProposalFactory.create(council=council)
    services.update_draft(actor=proposal.author, proposal=proposal, title="Мектепке автобус", estimated_cost=None)
    proposal.refresh_from_db()
    assert proposal.title == "Мектепке автобус"
    assert proposal.estimated_cost is None
    assert proposal.search_text.startswith("мектепке автобус")
    assert last_audit("proposal.edited").before["title"] != proposal.title


def test_nobody_edits_a_submitted_proposal(council):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    with pytest.raises(DomainError) as refusal:
        services.update_draft(actor=proposal.author, proposal=proposal, title="Басқа")
    assert refusal.value.code == "forbidden"


def test_an_unknown_field_is_a_programming_error(council):
    proposal = ProposalFactory.create(council=council)
    with pytest.raises(TypeError):
        services.update_draft(actor=proposal.author, proposal=proposal, status="ready")


# Screening ----------------------------------------------------------------------------------------


def test_submitting_sets_the_time_and_a_deadline_three_working_days_ahead(council):
    proposal = ProposalFactory.create(council=council)
    services.submit_proposal(actor=proposal.author, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert proposal.submitted_at is not None
    assert proposal.screening_due_on == add_working_days(timezone.localdate(), 3)
    assert proposal.screening_due_on > timezone.localdate()
    assert last_audit("proposal.submitted").after["status"] == "submitted"


def test_a_staff_entered_proposal_is_submitted_by_the_staff(council):
    staff = staff_of(council.okrug)
    proposal = ProposalFactory.create(council=council, entered_by=staff, channel="phone")
    services.submit_proposal(actor=staff, proposal=proposal)
    assert proposal.status == Status.SUBMITTED


def test_accepting_opens_the_proposal_for_support(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    services.accept_proposal(actor=coordinator, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.COLLECTING
    assert proposal.screened_at is not None
    event = TimelineEvent.objects.get(proposal=proposal, kind=TimelineEvent.Kind.ACCEPTED)
    assert event.actor == coordinator


def test_only_the_coordinator_screens(council):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    for outsider in (proposal.author, resident_of(council.okrug), coordinator_of(CouncilFactory.create())):
        with pytest.raises(DomainError) as refusal:
            services.accept_proposal(actor=outsider, proposal=proposal)
        assert refusal.value.code == "forbidden"
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_a_return_needs_a_reason_that_goes_on_the_public_timeline(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    with pytest.raises(DomainError) as refusal:
        services.return_proposal(actor=coordinator, proposal=proposal, reason="  ")
    assert refusal.value.code == "reason_required"

    services.return_proposal(actor=coordinator, proposal=proposal, reason=f"Қай көше екенін жазыңыз {SCRIPT}")

    assert proposal.status == Status.RETURNED
    event = TimelineEvent.objects.get(proposal=proposal, kind=TimelineEvent.Kind.RETURNED)
    assert event.note == f"Қай көше екенін жазыңыз {SCRIPT}"
    assert last_audit("proposal.returned").after["note"] == event.note


def test_a_returned_proposal_is_edited_and_submitted_again_with_a_new_deadline(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    services.return_proposal(actor=coordinator, proposal=proposal, reason="Толығырақ жазыңыз")
    services.update_draft(actor=proposal.author, proposal=proposal, body="Орталық көше, 12-үйдің жаны.")
    services.submit_proposal(actor=proposal.author, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert proposal.screened_at is None
    kinds = list(TimelineEvent.objects.filter(proposal=proposal).values_list("kind", flat=True))
    assert kinds == ["returned", "submitted"]


def test_forwarding_names_the_addressee(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    with pytest.raises(DomainError) as refusal:
        services.forward_proposal(actor=coordinator, proposal=proposal, addressee="")
    assert refusal.value.code == "addressee_required"
    services.forward_proposal(
        actor=coordinator, proposal=proposal, addressee="Аудандық білім бөлімі", reason="Мектеп — аудан құзыреті"
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.FORWARDED
    assert proposal.forwarded_to == "Аудандық білім бөлімі"
    assert TimelineEvent.objects.get(proposal=proposal, kind="forwarded").note == "Мектеп — аудан құзыреті"


def test_the_coordinator_puts_a_proposal_on_the_agenda_list_before_the_threshold(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.COLLECTING)
    services.mark_ready(actor=coordinator, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.READY


def test_an_agenda_round_trip_and_the_council_decision(council, coordinator):
    proposal = ProposalFactory.create(council=council, status=Status.READY)
    services.put_on_agenda(actor=coordinator, proposal=proposal)
    services.take_off_agenda(actor=coordinator, proposal=proposal)
    services.put_on_agenda(actor=coordinator, proposal=proposal)
    services.record_council_decision(actor=coordinator, proposal=proposal, recommended=False, reason="Қаражат жоқ")
    proposal.refresh_from_db()
    assert proposal.status == Status.DECLINED
    kinds = list(TimelineEvent.objects.filter(proposal=proposal).values_list("kind", flat=True))
    assert kinds == ["on_agenda", "off_agenda", "on_agenda", "declined"]
    assert last_audit("proposal.declined").after["note"] == "Қаражат жоқ"


# Merging ------------------------------------------------------------------------------------------


def test_merging_moves_supports_without_counting_anyone_twice(council, coordinator):
    council.charter.support_threshold = 100
    council.charter.save(update_fields=["support_threshold"])
    target = ProposalFactory.create(council=council, status=Status.COLLECTING)
    duplicate = ProposalFactory.create(council=council, status=Status.COLLECTING)
    both = add_supporters(target, 2)
    only_target = add_supporters(target, 1)
    only_duplicate = add_supporters(duplicate, 3)
    for person in both:
        services.support_proposal(actor=person, proposal=duplicate)
    # The target's author supported the duplicate: it cannot become a support of their own proposal.
    services.support_proposal(actor=target.author, proposal=duplicate)
    assert duplicate.support_count == 6

    services.merge_proposal(actor=coordinator, proposal=duplicate, into=target, reason=f"Бір мәселе {SCRIPT}")

    duplicate.refresh_from_db()
    target.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.merged_into == target
    assert duplicate.support_count == 0
    assert not Support.objects.filter(proposal=duplicate).exists()
    supporters = set(Support.objects.filter(proposal=target).values_list("resident_id", flat=True))
    assert supporters == {person.pk for person in [*both, *only_target, *only_duplicate]}
    assert target.support_count == 6 == len(supporters)
    moved = Support.objects.filter(proposal=target, moved_from=duplicate)
    assert {s.resident_id for s in moved} == {person.pk for person in only_duplicate}
    assert TimelineEvent.objects.get(proposal=duplicate, kind="merged").related == target
    assert TimelineEvent.objects.get(proposal=target, kind="merged_in").related == duplicate
    entry = last_audit("proposal.merged_in")
    assert entry.after == {"support_count": 6, "duplicate": duplicate.pk, "supports_moved": 3, "supports_dropped": 3}


def test_a_merge_that_brings_the_target_to_the_threshold_makes_it_ready(council, coordinator):
    council.charter.support_threshold = 3
    council.charter.save(update_fields=["support_threshold"])
    target = ProposalFactory.create(council=council, status=Status.COLLECTING)
    duplicate = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    add_supporters(target, 2)
    Support.objects.create(proposal=duplicate, resident=resident_of(council.okrug))
    Proposal.objects.filter(pk=duplicate.pk).update(support_count=1)

    services.merge_proposal(actor=coordinator, proposal=duplicate, into=target)

    target.refresh_from_db()
    assert target.support_count == 3
    assert target.status == Status.READY


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.RETURNED, Status.FORWARDED, Status.RECOMMENDED])
def test_a_proposal_is_merged_only_into_an_accepted_undecided_one(council, coordinator, status):
    duplicate = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    target = ProposalFactory.create(council=council, status=status)
    with pytest.raises(DomainError) as refusal:
        services.merge_proposal(actor=coordinator, proposal=duplicate, into=target)
    assert refusal.value.code == "bad_merge_target"


def test_a_proposal_is_merged_only_within_its_council(council, coordinator):
    duplicate = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    elsewhere = ProposalFactory.create(status=Status.COLLECTING)
    with pytest.raises(DomainError) as refusal:
        services.merge_proposal(actor=coordinator, proposal=duplicate, into=elsewhere)
    assert refusal.value.code == "bad_merge_target"
    with pytest.raises(DomainError) as refusal:
        services.merge_proposal(actor=coordinator, proposal=duplicate, into=duplicate)
    assert refusal.value.code == "bad_merge_target"


def test_the_audit_chain_holds_after_a_whole_life(council, coordinator):
    from kenes.core.audit import verify_audit_chain

    author = resident_of(council.okrug)
    proposal = services.create_draft(actor=author, **draft_fields(council))
    services.submit_proposal(actor=author, proposal=proposal)
    services.accept_proposal(actor=coordinator, proposal=proposal)
    add_supporters(proposal, 2)
    services.mark_ready(actor=coordinator, proposal=proposal)
    services.put_on_agenda(actor=coordinator, proposal=proposal)
    services.record_council_decision(actor=coordinator, proposal=proposal, recommended=True)
    assert verify_audit_chain() is None
    actions = list(
        AuditEntry.objects.filter(target_id=str(proposal.pk), target_type="proposals.proposal").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "proposal.created",
        "proposal.submitted",
        "proposal.accepted",
        "proposal.supported",
        "proposal.supported",
        "proposal.ready",
        "proposal.put_on_agenda",
        "proposal.recommended",
    ]
    assert proposal.submitted_at is not None
    assert proposal.screening_due_on is not None
    assert proposal.screening_due_on - timezone.localdate() <= datetime.timedelta(days=14)
