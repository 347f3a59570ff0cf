from __future__ import annotations

from typing import Any

import pytest

from tests.api.accountability import create_accountability
from tests.api.councils import create_council
from tests.api.indicators import create_indicators
from tests.api.meetings import create_meetings
from tests.api.proposals import create_proposals
from tests.api.relocation import create_relocation
from tests.api.territory import create_territory


@pytest.fixture
def territory(db: None) -> dict[str, Any]:
    return create_territory()


@pytest.fixture
def council(territory: dict[str, Any]) -> dict[str, Any]:
    return create_council(territory)


@pytest.fixture
def proposals(council: dict[str, Any]) -> dict[str, Any]:
    return create_proposals(council)


@pytest.fixture
def meetings(council: dict[str, Any], proposals: dict[str, Any]) -> dict[str, Any]:
    return create_meetings(council)


@pytest.fixture
def accountability(council: dict[str, Any], meetings: dict[str, Any]) -> dict[str, Any]:
    return create_accountability(council)


@pytest.fixture
def relocation(territory: dict[str, Any]) -> dict[str, Any]:
    return create_relocation(territory)


@pytest.fixture
def indicators(territory: dict[str, Any]) -> dict[str, Any]:
    return create_indicators(territory)
