"""A small, real piece of the territory for API tests: West Kazakhstan → Бәйтерек → Переметное."""

from __future__ import annotations

from typing import Any

from kenes.territory.models import Okrug
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

# Every code `create_territory` makes, each used as a parameter of every API operation.
TERRITORY_CODES = [
    "270000000",
    "271000000",
    "271035000",
    "274400000",
    "274430000",
    "274430100",
    "274430200",
    "274400100",
]


def create_territory() -> dict[str, Any]:
    region = RegionFactory(kato="270000000", name_kk="Батыс Қазақстан облысы", name_ru="Западно-Казахстанская область")
    city = DistrictFactory(region=region, kato="271000000", is_city=True, name_kk="Орал Қ.Ә.", name_ru="Уральск Г.А.")
    district = DistrictFactory(region=region, kato="274400000")
    okrug = OkrugFactory(district=district, kato="274430000")
    town = OkrugFactory(district=city, kato="271035000", kind=Okrug.Kind.SETTLEMENT_ADMINISTRATION)
    main = SettlementFactory(okrug=okrug, kato="274430100", is_main=True)
    other = SettlementFactory(okrug=okrug, kato="274430200")
    loose = SettlementFactory(okrug=None, district=district, kato="274400100")
    return {
        "region": region,
        "city": city,
        "district": district,
        "okrug": okrug,
        "town": town,
        "settlements": [main, other, loose],
    }
