from __future__ import annotations

from dataclasses import dataclass

import pytest

from kenes.territory.models import District, Okrug, Region, Settlement
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory


@dataclass
class Territory:
    """Two regions; in the first, two districts; in the first district, two okrugs; plus a
    settlement that belongs to no okrug."""

    region: Region
    other_region: Region
    district: District
    other_district: District
    okrug: Okrug
    other_okrug: Okrug
    far_okrug: Okrug  # in the other region
    settlement: Settlement
    settlement_without_okrug: Settlement


@pytest.fixture
def territory(db: None) -> Territory:
    region = RegionFactory.create(
        kato="270000000", name_kk="Батыс Қазақстан облысы", name_ru="Западно-Казахстанская область"
    )
    other_region = RegionFactory.create(kato="310000000", name_kk="Жамбыл облысы", name_ru="Жамбылская область")
    district = DistrictFactory.create(
        region=region, kato="274000000", name_kk="Жаңақала ауданы", name_ru="Жангалинский район"
    )
    other_district = DistrictFactory.create(
        region=region, kato="274400000", name_kk="Бәйтерек ауданы", name_ru="район Бәйтерек"
    )
    okrug = OkrugFactory.create(district=district, kato="274033000", name_kk="Бірлік а.о.", name_ru="Бирликский с.о.")
    other_okrug = OkrugFactory.create(
        district=district,
        kato="274030000",
        name_kk="Жаңақала а.о.",
        name_ru="Жанакалинский с.о.",
    )
    far_district = DistrictFactory.create(region=other_region, kato="314000000")
    far_okrug = OkrugFactory.create(district=far_district, kato="314030000")
    settlement = SettlementFactory.create(okrug=okrug, kato="274033100", name_kk="Бірлік а.", name_ru="с.Бирлик")
    settlement_without_okrug = SettlementFactory.create(okrug=None, district=other_district, kato="274400100")
    return Territory(
        region=region,
        other_region=other_region,
        district=district,
        other_district=other_district,
        okrug=okrug,
        other_okrug=other_okrug,
        far_okrug=far_okrug,
        settlement=settlement,
        settlement_without_okrug=settlement_without_okrug,
    )
