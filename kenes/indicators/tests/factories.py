"""Indicator factories: names and definitions carry `<script>` so every page test is an escaping test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from kenes.indicators.models import ImportBatch, Indicator, IndicatorValue, PeriodKind, PerspectiveVillage
from kenes.territory.models import District, Okrug, Settlement
from kenes.territory.tests.factories import SettlementFactory


class IndicatorFactory(DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test_indicator_{n}")
    name_kk = factory.Sequence(lambda n: f"Көрсеткіш {n} <script>alert('kk')</script>")
    name_ru = factory.Sequence(lambda n: f"Показатель {n} <script>alert('ru')</script>")
    name_en = factory.Sequence(lambda n: f"Indicator {n} <script>alert('en')</script>")
    unit_kk = "адам"
    unit_ru = "человек"
    unit_en = "people"
    definition_kk = "Анықтама <script>alert('kk')</script>"
    definition_ru = "Определение <script>alert('ru')</script>"
    definition_en = "Definition <script>alert('en')</script>"
    direction = Indicator.Direction.HIGHER_IS_BETTER
    source = "Бюро национальной статистики АСПиР РК"
    is_percent = False
    allows_negative = False
    ordering_key = factory.Sequence(lambda n: 1000 + n)


class ImportBatchFactory(DjangoModelFactory[ImportBatch]):
    class Meta:
        model = ImportBatch

    file_name = "values <script>.csv"
    sha256 = "0" * 64
    layout = "long"
    source = "Акимат (отчёт)"
    status = ImportBatch.Status.APPLIED


class IndicatorValueFactory(DjangoModelFactory[IndicatorValue]):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    settlement = factory.SubFactory(SettlementFactory)
    period_kind = PeriodKind.YEAR
    period_start = date(2024, 1, 1)
    value = Decimal("100.0000")
    source = "Бюро национальной статистики АСПиР РК"
    loaded_at = factory.LazyFunction(timezone.now)


# Dashboards ----------------------------------------------------------------------------------------
# The dashboards look some indicators up by their catalogue code ("population" weighs shares and
# divides counts per 1,000), so their tests use the seeded catalogue's rows, renamed with `<script>`.


def catalogue_indicator(code: str) -> Indicator:
    """The seeded catalogue's indicator `code`, its names carrying `<script>` like every factory's
    (unit, direction and `is_percent` stay as seeded)."""
    indicator = Indicator.objects.get(code=code)
    for language in ("kk", "ru", "en"):
        name = getattr(indicator, f"name_{language}")
        setattr(indicator, f"name_{language}", f"{name} <script>alert('{language}')</script>")
    indicator.save(update_fields=["name_kk", "name_ru", "name_en"])
    return indicator


def yearly_value(
    unit: District | Okrug | Settlement, indicator: Indicator, year: int, value: Decimal | int | str, **fields: Any
) -> IndicatorValue:
    """The value of `indicator` for a district, an okrug or a settlement in `year`."""
    territory: dict[str, Any] = {"district": None, "okrug": None, "settlement": None}
    if isinstance(unit, District):
        territory["district"] = unit
    elif isinstance(unit, Okrug):
        territory["okrug"] = unit
    else:
        territory["settlement"] = unit
    return IndicatorValueFactory.create(
        indicator=indicator, period_start=date(year, 1, 1), value=Decimal(value), **territory, **fields
    )


class PerspectiveVillageFactory(DjangoModelFactory[PerspectiveVillage]):
    class Meta:
        model = PerspectiveVillage

    settlement = factory.SubFactory(SettlementFactory)
    status = PerspectiveVillage.Status.PERSPECTIVE
    source = "Акимат облысы <script>alert(1)</script>"
    loaded_at = factory.LazyFunction(timezone.now)
    is_demo = False
