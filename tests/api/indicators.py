"""Indicator values for API tests, in the territory of `territory.py`: the demo series for 2023–2025
(seeded, so the same every run) and one real (not demo) value. `INDICATOR_YEARS` are passed as
examples to every integer parameter, so the `from`/`to` filters reach their 200 responses."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kenes.indicators.generator import generate_demo_indicators
from kenes.indicators.models import Indicator, IndicatorValue, PeriodKind

INDICATOR_YEARS = [2024]


def create_indicators(territory: dict[str, Any]) -> dict[str, Any]:
    demo = generate_demo_indicators(actor=None, seed=8, years=(2023, 2025))
    real = IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code="population"),
        okrug=territory["okrug"],
        period_kind=PeriodKind.QUARTER,
        period_start=datetime.date(2024, 4, 1),
        value=Decimal("2150"),
        source="Бюро национальной статистики АСПиР РК",
        loaded_at=timezone.now(),
    )
    return {"demo": demo, "real": real}
