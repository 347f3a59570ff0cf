"""Proposals for API tests, in the council of `councils.py`: one collecting support with the fixed id
`RECORD_ID` (so the contract tests reach the 200 of every read that takes a proposal id), a draft
nobody but its author sees, and a submitted one waiting for screening; and the council's coordinator
deputy with an API token, so the writes can be called past their 401."""

from __future__ import annotations

from typing import Any

from kenes.proposals.models import Area, Language, Status, TimelineEvent
from kenes.proposals.tests.factories import ProposalFactory, coordinator_of, resident_of
from tests.api.councils import RECORD_ID
from tests.api.tokens import bearer_for

DRAFT_ID = RECORD_ID + 1
SUBMITTED_ID = RECORD_ID + 2
# Every proposal id `create_proposals` fixes.
PROPOSAL_IDS = [RECORD_ID, DRAFT_ID, SUBMITTED_ID]


def create_proposals(council: dict[str, Any]) -> dict[str, Any]:
    found = council["council"]
    collecting = ProposalFactory.create(
        id=RECORD_ID,
        council=found,
        status=Status.COLLECTING,
        title="Көпірді жөндеу <script>alert(1)</script>",
        language=Language.KAZAKH,
        area=Area.INFRASTRUCTURE,
        estimated_cost=3_500_000,
    )
    for kind in (TimelineEvent.Kind.CREATED, TimelineEvent.Kind.SUBMITTED, TimelineEvent.Kind.ACCEPTED):
        TimelineEvent.objects.create(proposal=collecting, kind=kind)
    draft = ProposalFactory.create(id=DRAFT_ID, council=found, status=Status.DRAFT, language=Language.RUSSIAN)
    submitted = ProposalFactory.create(id=SUBMITTED_ID, council=found, status=Status.SUBMITTED, area=Area.SOCIAL)
    coordinator = coordinator_of(found)
    return {
        "coordinator": coordinator,
        "coordinator_token": bearer_for(coordinator),
        "collecting": collecting,
        "draft": draft,
        "submitted": submitted,
        "supporter": resident_of(found.okrug),
    }
