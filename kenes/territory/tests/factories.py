"""Territory factories: valid 9-digit KATO codes derived from the parent's code, and names that
carry `<script>` (district and settlement by default) so every page test is an escaping test."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import factory
from django.db.models import Model
from factory.django import DjangoModelFactory

from kenes.territory.models import District, Okrug, Region, Settlement
from kenes.territory.normalise import search_key


def _free_code(model: type[Model], prefix: str, candidates: Iterable[str], suffix: str) -> str:
    """The first code `prefix + candidate + suffix` no row of `model` holds yet, so factories never
    collide with each other or with the real codes a test spells out."""
    taken = set(model._default_manager.filter(kato__startswith=prefix).values_list("kato", flat=True))
    for candidate in candidates:
        code = f"{prefix}{candidate}{suffix}"
        if code not in taken:
            return code
    raise RuntimeError(f"No free KATO code is left under {prefix}.")


def _pairs() -> Iterator[str]:
    return (f"{number:02d}" for number in range(10, 100))


def _search_text(unit: Any) -> str:
    return search_key(" ".join([unit.name_kk, unit.name_ru, unit.short_name_kk, unit.short_name_ru]))


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region

    # AB: two digits 10..99, then seven zeros.
    kato = factory.LazyFunction(lambda: _free_code(Region, "", _pairs(), "0000000"))
    short_name_kk = factory.Sequence(lambda n: f"Облыс {n}")
    short_name_ru = factory.Sequence(lambda n: f"Область {n}")
    name_kk = factory.LazyAttribute(lambda o: f"{o.short_name_kk} облысы")
    name_ru = factory.LazyAttribute(lambda o: f"{o.short_name_ru} область")
    search_text = factory.LazyAttribute(_search_text)
    type_code = 0


class DistrictFactory(DjangoModelFactory[District]):
    class Meta:
        model = District

    region = factory.SubFactory(RegionFactory)
    # AB CD: the region's two digits, CD 10..99, then five zeros.
    kato = factory.LazyAttribute(lambda o: _free_code(District, o.region.kato[:2], _pairs(), "00000"))
    short_name_kk = factory.Sequence(lambda n: f"Аудан {n} <script>alert('kk')</script>")
    short_name_ru = factory.Sequence(lambda n: f"Район {n} <script>alert('ru')</script>")
    name_kk = factory.LazyAttribute(lambda o: f"{o.short_name_kk} ауданы")
    name_ru = factory.LazyAttribute(lambda o: f"{o.short_name_ru} район")
    search_text = factory.LazyAttribute(_search_text)
    type_code = 2
    is_city = False


class OkrugFactory(DjangoModelFactory[Okrug]):
    class Meta:
        model = Okrug

    district = factory.SubFactory(DistrictFactory)
    # AB CD EF: the district's four digits, EF 10..99, then three zeros.
    kato = factory.LazyAttribute(lambda o: _free_code(Okrug, o.district.kato[:4], _pairs(), "000"))
    short_name_kk = factory.Sequence(lambda n: f"Округ {n}")
    short_name_ru = factory.Sequence(lambda n: f"Округ {n}")
    name_kk = factory.LazyAttribute(lambda o: f"{o.short_name_kk} ауылдық округі")
    name_ru = factory.LazyAttribute(lambda o: f"{o.short_name_ru} сельский округ")
    search_text = factory.LazyAttribute(_search_text)
    type_code = 2
    kind = Okrug.Kind.RURAL_OKRUG


class SettlementFactory(DjangoModelFactory[Settlement]):
    class Meta:
        model = Settlement

    okrug = factory.SubFactory(OkrugFactory)
    district = factory.LazyAttribute(lambda o: o.okrug.district)
    is_main = False
    # HIJ: "100" for the okrug's main settlement (the code ends in 00); otherwise 101..198.
    kato = factory.LazyAttribute(
        lambda o: _free_code(
            Settlement,
            (o.okrug.kato if o.okrug is not None else o.district.kato)[:6],
            ["100"] if o.is_main else (f"{number:03d}" for number in range(101, 1000) if number % 100),
            "",
        )
    )
    short_name_kk = factory.Sequence(lambda n: f"Ауыл {n} <script>alert('kk')</script>")
    short_name_ru = factory.Sequence(lambda n: f"Село {n} <script>alert('ru')</script>")
    name_kk = factory.LazyAttribute(lambda o: f"{o.short_name_kk} а.")
    name_ru = factory.LazyAttribute(lambda o: f"с.{o.short_name_ru}")
    search_text = factory.LazyAttribute(_search_text)
    type_code = 2
    area = Settlement.Area.RURAL
