"""Recommendations for API tests, in the council of `councils.py`, with the fixed ids the contract
tests name as examples (so every read that takes a recommendation id reaches its 200): `RECORD_ID`
accepted with measures and a progress report, `WAITING_ID` sent today and waiting for its answer,
`OVERDUE_ID` sent two months ago, marked overdue and escalated by the daily check; and the okrug
akim's staff with an API token, so the answers and progress reports can be called past their 401."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kenes.accountability import services
from kenes.accountability.tests.factories import akimat_user, sent_recommendation
from tests.api.councils import RECORD_ID
from tests.api.tokens import bearer_for

WAITING_ID = RECORD_ID + 1
OVERDUE_ID = RECORD_ID + 2
# Every recommendation id `create_accountability` fixes.
RECOMMENDATION_IDS = [RECORD_ID, WAITING_ID, OVERDUE_ID]


def create_accountability(council: dict[str, Any]) -> dict[str, Any]:
    found = council["council"]
    today = timezone.localdate()
    staff = akimat_user(found.okrug, username="api_akimat")
    accepted = sent_recommendation(council=found, id=RECORD_ID, sent_on=today - datetime.timedelta(days=10))
    services.answer_recommendation(
        actor=staff,
        recommendation=accepted,
        kind="accepted",
        text="Жаяу жүргіншілер жолы салынады <script>alert(1)</script>",
        budget_year=today.year,
        amount_tenge=Decimal("12400000"),
    )
    services.report_progress(actor=staff, recommendation=accepted, percent=40, text="320 метр төселді")
    waiting = sent_recommendation(council=found, id=WAITING_ID)
    overdue = sent_recommendation(council=found, id=OVERDUE_ID, sent_on=today - datetime.timedelta(weeks=9))
    services.check_deadlines(today=today)
    return {
        "akimat": staff,
        "akimat_token": bearer_for(staff),
        "accepted": accepted,
        "waiting": waiting,
        "overdue": overdue,
    }
