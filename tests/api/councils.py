"""A council for API tests, in the okrug of `territory.py`: a pilot, its charter and a complete council.

The charter and the pilot have fixed ids (`RECORD_IDS`), so the contract tests can name them as
examples and reach the 200 responses of the operations that take an id.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from kenes.councils.tests.factories import CharterFactory, PilotFactory, complete_council

RECORD_ID = 2744
# Every id `create_council` fixes, used as an example of every integer parameter.
RECORD_IDS = [RECORD_ID]


def create_council(territory: dict[str, Any]) -> dict[str, Any]:
    district = territory["district"]
    charter = CharterFactory.create(
        id=RECORD_ID, name="Бәйтерек ауданының ережесі", region=district.region, locked_at=timezone.now()
    )
    pilot = PilotFactory.create(
        id=RECORD_ID, name="Бәйтерек пилоты", district=district, charter=charter, starts_on=datetime.date(2025, 4, 1)
    )
    council = complete_council(okrug=territory["okrug"], charter=charter, pilot=pilot)
    return {"charter": charter, "pilot": pilot, "council": council}
