"""Demo data: plausible, seeded yearly indicator series for the loaded territory.

Every settlement gets its own series from a random generator seeded with (seed, its KATO code), so a
village's figures do not depend on which other units are loaded or on the `region` filter. The
series hold together the way real ones do: the population drifts down 0–2 % a year and its change is
exactly births − deaths + arrivals − departures; employment is 35–45 % of the population; piped water,
gas and internet shares rise. Okrugs and districts add up their settlements (counts summed, shares
weighted by population); a unit with no rural settlement loaded gets its own series.

Every value is marked `is_demo` with the source `DEMO_SOURCE`. A value loaded from a real file is never
touched, and a second run with the same seed finds every value unchanged and writes nothing.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kenes.core.audit import record_audit
from kenes.indicators.models import ImportBatch, Indicator, IndicatorValue, PeriodKind, PerspectiveVillage
from kenes.indicators.services import revise_values
from kenes.territory.models import District, Okrug, Settlement

DEMO_SOURCE = "Демо-деректер (синтетикалық) / Demo data (synthetic)"
DEFAULT_SEED = 2026
DEFAULT_YEARS = (2019, 2026)
BATCH_SIZE = 1000

COUNTS = ("population", "births", "deaths", "arrivals", "departures", "net_migration", "employed", "open_vacancies")
SHARES = ("piped_water", "gas", "internet", "road_condition")
FACILITIES = ("school", "clinic", "culture_house")
CODES = COUNTS + SHARES + FACILITIES

TENTH = Decimal("0.1")

# (indicator id, "district" | "okrug" | "settlement", territory id, period start)
ValueKey = tuple[int, str, int, date]
Series = dict[str, list[Decimal]]  # indicator code → one value per year


@dataclass
class DemoResult:
    years: tuple[int, int]
    seed: int
    settlements: int = 0
    okrugs: int = 0
    districts: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_real: int = 0  # values loaded from real files, left alone
    batch: ImportBatch | None = None
    missing_indicators: list[str] = field(default_factory=list)


def parse_years(text: str) -> tuple[int, int]:
    """ "2019-2026" or "2024" → (first, last); ValueError for anything else."""
    first, _dash, last = text.strip().partition("-")
    start, end = int(first), int(last or first)
    if not (2000 <= start <= end <= 2100):
        raise ValueError(text)
    return start, end


def _rng(seed: int, kato: str) -> random.Random:
    # A string seed is hashed with SHA-512 by `random`, the same on every run and machine.
    return random.Random(f"{seed}:{kato}")  # noqa: S311 - synthetic figures, not secrets


def _share(value: float) -> Decimal:
    return Decimal(str(round(min(100.0, max(0.0, value)), 1)))


def settlement_series(
    *, seed: int, kato: str, years: Sequence[int], population: int | None, anchor: int | None, is_main: bool = True
) -> Series:
    """One village's series. `population` (from the classifier, if known) is its size in `anchor`;
    without it a main village holds several hundred people, another one a few dozen (the classifier
    lists many small villages and wintering sites besides the ~400 main ones in West Kazakhstan)."""
    rng = _rng(seed, kato)
    count = len(years)
    guess = rng.lognormvariate(6.2, 0.6) if is_main else rng.lognormvariate(3.8, 1.0)
    base = population if population else int(guess) + 10
    # The population at the start of each year and of the year after the last: drifting down 0–2 %.
    drift = [rng.uniform(0.0, 0.02) for _ in range(count)]
    at = min(max((anchor or years[0]) - years[0], 0), count - 1)
    people: list[float] = [0.0] * (count + 1)
    people[at] = float(base)
    for index in range(at, count):
        people[index + 1] = people[index] * (1 - drift[index])
    for index in range(at - 1, -1, -1):
        people[index] = people[index + 1] / (1 - drift[index])
    population_by_year = [round(value) for value in people]

    birth_rate, death_rate = rng.uniform(13, 22), rng.uniform(7, 12)  # per 1,000 residents
    arrival_rate, employment = rng.uniform(8, 25), rng.uniform(0.35, 0.45)
    water, gas, internet = rng.uniform(35, 90), rng.uniform(20, 95), rng.uniform(10, 55)
    road = rng.uniform(25, 75)
    school = 2 if base > 2500 else (1 if base > 250 or (base > 80 and rng.random() < 0.4) else 0)
    clinic = 2 if base > 3000 else (1 if base > 150 or (base > 50 and rng.random() < 0.5) else 0)
    culture_house = 1 if base > 400 or (base > 100 and rng.random() < 0.4) else 0

    series: Series = {code: [] for code in CODES}
    for index in range(count):
        residents = population_by_year[index]
        births = round(residents * rng.uniform(0.85, 1.15) * birth_rate / 1000)
        deaths = round(residents * rng.uniform(0.85, 1.15) * death_rate / 1000)
        net = population_by_year[index + 1] - residents - (births - deaths)
        arrivals = max(round(residents * rng.uniform(0.8, 1.2) * arrival_rate / 1000), net, 0)
        departures = arrivals - net
        water = min(100.0, water + rng.uniform(0, 4))
        gas = min(100.0, gas + rng.uniform(0, 3))
        internet = min(100.0, internet + rng.uniform(3, 9))
        road = min(100.0, max(0.0, road + rng.uniform(-2, 4)))
        values: dict[str, Any] = {
            "population": residents,
            "births": births,
            "deaths": deaths,
            "arrivals": arrivals,
            "departures": departures,
            "net_migration": net,
            "employed": round(residents * employment),
            "open_vacancies": round(residents / 1000 * rng.uniform(0, 8)),
            "piped_water": _share(water),
            "gas": _share(gas),
            "internet": _share(internet),
            "road_condition": _share(road),
            "school": school,
            "clinic": clinic,
            "culture_house": culture_house,
        }
        for code in CODES:
            series[code].append(Decimal(values[code]))
    return series


def combine(parts: Sequence[Series], years: Sequence[int]) -> Series:
    """An okrug's or a district's series from its parts: counts and facilities summed, shares
    weighted by population."""
    total: Series = {code: [] for code in CODES}
    for index in range(len(years)):
        people = sum(part["population"][index] for part in parts)
        for code in COUNTS + FACILITIES:
            total[code].append(sum((part[code][index] for part in parts), Decimal(0)))
        for code in SHARES:
            weighted = sum(part[code][index] * part["population"][index] for part in parts)
            total[code].append((weighted / people).quantize(TENTH) if people else Decimal(0))
    return total


@dataclass
class _Plan:
    settlements: dict[int, Series] = field(default_factory=dict)
    okrugs: dict[int, Series] = field(default_factory=dict)
    districts: dict[int, Series] = field(default_factory=dict)


def plan_series(*, seed: int, years: Sequence[int], region: str | None = None) -> _Plan:
    """Every series the generator would write, by level and territory id (current units only)."""
    current: dict[str, Any] = {"retired_at__isnull": True}
    if region:
        current["kato__startswith"] = region
    settlements = Settlement.objects.filter(area=Settlement.Area.RURAL, **current).order_by("kato")
    okrugs = Okrug.objects.filter(**current).order_by("kato").values_list("pk", "kato", "district_id")
    districts = District.objects.filter(**current).order_by("kato").values_list("pk", "kato")

    plan = _Plan()
    by_okrug: dict[int, list[Series]] = {}
    loose_by_district: dict[int, list[Series]] = {}
    for pk, kato, okrug_id, district_id, population, population_year, is_main in settlements.values_list(
        "pk", "kato", "okrug_id", "district_id", "population", "population_year", "is_main"
    ):
        series = settlement_series(
            seed=seed, kato=kato, years=years, population=population, anchor=population_year, is_main=is_main
        )
        plan.settlements[pk] = series
        if okrug_id is None:
            loose_by_district.setdefault(district_id, []).append(series)
        else:
            by_okrug.setdefault(okrug_id, []).append(series)

    by_district: dict[int, list[Series]] = {}
    for pk, kato, district_id in okrugs:
        parts = by_okrug.get(pk)
        series = (
            combine(parts, years)
            if parts
            else settlement_series(seed=seed, kato=kato, years=years, population=None, anchor=None)
        )
        plan.okrugs[pk] = series
        by_district.setdefault(district_id, []).append(series)
    for pk, kato in districts:
        parts = by_district.get(pk, []) + loose_by_district.get(pk, [])
        plan.districts[pk] = (
            combine(parts, years)
            if parts
            else settlement_series(seed=seed, kato=kato, years=years, population=None, anchor=None)
        )
    return plan


def _planned_values(
    plan: _Plan, indicators: dict[str, int], years: Sequence[int]
) -> Iterable[tuple[ValueKey, Decimal]]:
    for level, by_territory in (("settlement", plan.settlements), ("okrug", plan.okrugs), ("district", plan.districts)):
        for territory_id, series in by_territory.items():
            for code, indicator_id in indicators.items():
                for year, value in zip(years, series[code], strict=True):
                    yield (indicator_id, level, territory_id, date(year, 1, 1)), value


def _stored(indicator_ids: Iterable[int], starts: Sequence[date]) -> dict[ValueKey, tuple[int, Decimal, str, bool]]:
    """The stored yearly values the run may touch, {key: (id, value, source, is_demo)}, in one query."""
    found: dict[ValueKey, tuple[int, Decimal, str, bool]] = {}
    rows = IndicatorValue.objects.filter(
        indicator_id__in=list(indicator_ids), period_kind=PeriodKind.YEAR, period_start__in=list(starts)
    ).values_list(
        "pk", "indicator_id", "district_id", "okrug_id", "settlement_id", "period_start", "value", "source", "is_demo"
    )
    for pk, indicator_id, district_id, okrug_id, settlement_id, start, value, source, is_demo in rows.iterator(
        chunk_size=5000
    ):
        if settlement_id is not None:
            key: ValueKey = (indicator_id, "settlement", settlement_id, start)
        elif okrug_id is not None:
            key = (indicator_id, "okrug", okrug_id, start)
        else:
            key = (indicator_id, "district", district_id, start)
        found[key] = (pk, value, source, is_demo)
    return found


@transaction.atomic
def generate_demo_indicators(
    *, actor: Any, seed: int = DEFAULT_SEED, years: tuple[int, int] = DEFAULT_YEARS, region: str | None = None
) -> DemoResult:
    """Fills (or brings back to the seed's figures) the demo series of every current rural
    settlement, okrug and district, optionally of one region (two-digit KATO prefix); returns counts.

    Values loaded from real files are left alone. Nothing changes → nothing is written (no batch,
    no audit row); otherwise one demo `ImportBatch` and one audit row say what the run did.
    """
    year_list = list(range(years[0], years[1] + 1))
    result = DemoResult(years=years, seed=seed)
    indicators = dict(Indicator.objects.filter(code__in=CODES).values_list("code", "pk"))
    result.missing_indicators = [code for code in CODES if code not in indicators]
    plan = plan_series(seed=seed, years=year_list, region=region)
    result.settlements, result.okrugs, result.districts = len(plan.settlements), len(plan.okrugs), len(plan.districts)

    stored = _stored(indicators.values(), [date(year, 1, 1) for year in year_list])
    new: list[tuple[ValueKey, Decimal]] = []
    changed: list[tuple[int, Decimal, Decimal, str]] = []  # (id, old, new, old source)
    for key, value in _planned_values(plan, indicators, year_list):
        found = stored.get(key)
        if found is None:
            new.append((key, value))
        elif not found[3]:
            result.kept_real += 1
        elif found[1] != value or found[2] != DEMO_SOURCE:
            changed.append((found[0], found[1], value, found[2]))
        else:
            result.unchanged += 1
    result.created, result.updated = len(new), len(changed)
    if not new and not changed:
        return result

    parameters = f"seed={seed} years={years[0]}-{years[1]} region={region or '*'}"
    batch = ImportBatch.objects.create(
        file_name=f"generate_indicator_demo {parameters}",
        sha256=hashlib.sha256(parameters.encode()).hexdigest(),
        layout="demo",
        source=DEMO_SOURCE,
        status=ImportBatch.Status.APPLIED,
        rows=result.created + result.updated + result.unchanged + result.kept_real,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        loaded_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        is_demo=True,
    )
    result.batch = batch
    now = timezone.now()
    IndicatorValue.objects.bulk_create(
        (
            IndicatorValue(
                indicator_id=indicator_id,
                **{f"{level}_id": territory_id},
                period_kind=PeriodKind.YEAR,
                period_start=start,
                value=value,
                source=DEMO_SOURCE,
                batch=batch,
                loaded_at=now,
                is_demo=True,
            )
            for (indicator_id, level, territory_id, start), value in new
        ),
        batch_size=BATCH_SIZE,
    )
    revise_values([(pk, value, DEMO_SOURCE, old, source) for pk, old, value, source in changed], batch=batch, now=now)
    record_audit(
        actor=actor,
        action="indicators.demo_generated",
        target=batch,
        after={
            "seed": seed,
            "years": list(years),
            "region": region or "",
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "kept_real": result.kept_real,
        },
    )
    return result


@dataclass
class DemoPerspectiveResult:
    created: int = 0
    kept: int = 0  # settlements that already had a status (from a real list, or an earlier run)


@transaction.atomic
def generate_demo_perspective(*, actor: Any, region: str | None = None) -> DemoPerspectiveResult:
    """Demo perspective-village statuses for the rural settlements that have none: an okrug's main
    village is "perspective", the others are not (the Concept's list favours the larger villages, where
    most rural people live). A status already loaded, real or demo, is left alone, so a second run
    writes nothing; every created row is `is_demo` with the demo source, and one audit row says so."""
    current: dict[str, Any] = {"retired_at__isnull": True, "perspective__isnull": True}
    if region:
        current["kato__startswith"] = region
    missing = list(
        Settlement.objects.filter(area=Settlement.Area.RURAL, **current).order_by("kato").values_list("pk", "is_main")
    )
    result = DemoPerspectiveResult(
        kept=PerspectiveVillage.objects.filter(settlement__kato__startswith=region or "").count()
    )
    if not missing:
        return result
    now = timezone.now()
    PerspectiveVillage.objects.bulk_create(
        (
            PerspectiveVillage(
                settlement_id=pk,
                status=PerspectiveVillage.Status.PERSPECTIVE if is_main else PerspectiveVillage.Status.NOT_PERSPECTIVE,
                source=DEMO_SOURCE,
                loaded_at=now,
                is_demo=True,
            )
            for pk, is_main in missing
        ),
        batch_size=BATCH_SIZE,
    )
    result.created = len(missing)
    record_audit(
        actor=actor,
        action="indicators.demo_perspective_generated",
        target=None,
        after={"region": region or "", "created": result.created},
    )
    return result
