from __future__ import annotations

from typing import Any

import pytest

from tests.api.territory import create_territory


@pytest.fixture
def territory(db: None) -> dict[str, Any]:
    return create_territory()
