"""From City to Village rows for API tests, in the territory of `territory.py`, with the fixed ids the
contract tests name as examples (so every read that takes an offer or applicant id reaches its 200):
`RECORD_ID` a published veterinarian vacancy in the okrug's main village with an application, the
next id a microcredit of 2,500 MCI; the applicant `RECORD_ID` (a family from Oral) who applied, with
an API token; and the village in the programme's list with a move checked at 6 months."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kenes.relocation.models import Application, ProgrammeSettlement, RetentionCheck
from kenes.relocation.tests.factories import MoveFactory, family_applicant, support_offer, vacancy_offer
from tests.api.councils import RECORD_ID
from tests.api.tokens import bearer_for

SUPPORT_ID = RECORD_ID + 1
# Every offer id `create_relocation` fixes.
OFFER_IDS = [RECORD_ID, SUPPORT_ID]


def create_relocation(territory: dict[str, Any]) -> dict[str, Any]:
    village = territory["settlements"][0]
    vacancy = vacancy_offer("veterinarian", positions=2, id=RECORD_ID, settlement=village)
    support = support_offer(amount_mci=Decimal("2500"), id=SUPPORT_ID, settlement=village)
    applicant = family_applicant(
        [{"profession": "veterinarian", "seeks_work": True}, {"birth_year": 2016}], id=RECORD_ID
    )
    application = Application.objects.create(applicant=applicant, offer=vacancy, status=Application.Status.MOVED)
    move = MoveFactory.create(application=application, moved_on=timezone.localdate() - datetime.timedelta(days=200))
    RetentionCheck.objects.create(
        move=move, months=6, checked_on=timezone.localdate(), still_there=True, checked_by=move.recorded_by
    )
    ProgrammeSettlement.objects.create(settlement=village, joined_on=datetime.date(2024, 3, 1), is_border=True)
    return {
        "vacancy": vacancy,
        "support": support,
        "applicant": applicant,
        "applicant_token": bearer_for(applicant.user),
        "application": application,
        "move": move,
    }
