"""Reads for the indicator dashboards: an okrug's (or any unit's) series over the years, the table
of a district's okrugs or a region's districts for one year, and the figures behind the choropleth map.

Every reader runs a fixed number of queries, however many units and years there are, and does the
arithmetic in Python so it can be checked by hand:
- a unit's series: the values stored for that unit itself (imports and the demo generator store
  okrug and district totals; nothing is summed on the fly), one per year;
- a region's series: its districts' values added up (counts) or weighted by their population (shares),
  over the districts that have the value that year; the table says how many did;
- "per 1,000 residents": a count divided by the same unit's population of the same year × 1,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.http import Http404

from kenes.indicators.models import Indicator, IndicatorValue, PeriodKind
from kenes.territory.models import District, Okrug, Region, Settlement

Unit = District | Okrug | Settlement

# The indicators the overview tables show as columns, in this order (when they are in the catalogue).
KEY_CODES = ("population", "net_migration", "employed", "open_vacancies", "piped_water", "gas", "internet")
# Counts that read better per 1,000 residents when districts of different sizes are compared.
RATE_CODES = frozenset({"births", "deaths", "arrivals", "departures", "net_migration", "employed", "open_vacancies"})
_TENTH = Decimal("0.1")


def level_of(unit: Unit) -> str:
    if isinstance(unit, District):
        return "district"
    if isinstance(unit, Okrug):
        return "okrug"
    return "settlement"


def rounded(value: Decimal | None, places: Decimal = _TENTH) -> Decimal | None:
    return None if value is None else value.quantize(places, ROUND_HALF_UP)


def rate_per_1000(count: Decimal | None, population: Decimal | None) -> Decimal | None:
    if count is None or not population:
        return None
    return rounded(count * 1000 / population)


# Access ------------------------------------------------------------------------------------------


def access_okrug(*, kato: str) -> Okrug:
    okrug = Okrug.objects.filter(kato=kato).select_related("district__region").first()
    if okrug is None:
        raise Http404
    return okrug


def access_district(*, kato: str) -> District:
    district = District.objects.filter(kato=kato).select_related("region").first()
    if district is None:
        raise Http404
    return district


def find_region(*, kato: str) -> Region | None:
    return Region.objects.filter(kato=kato).first()


def access_region(*, kato: str) -> Region:
    region = find_region(kato=kato)
    if region is None:
        raise Http404
    return region


def access_unit(*, kato: str) -> Unit:
    """A district, okrug or settlement by code (a district wins, then an okrug: the import's order)."""
    for model in (District, Okrug, Settlement):
        unit = model.objects.filter(kato=kato).first()
        if unit is not None:
            return unit
    raise Http404


def access_indicator(*, code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404
    return indicator


# A unit's series ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSeries:
    """One indicator's yearly values for one unit: `values[i]` belongs to `years[i]` (None: no figure)."""

    indicator: Indicator
    years: list[int]
    values: list[Decimal | None]
    is_demo: bool
    sources: list[str] = field(default_factory=list)
    reporting: list[int] | None = None  # for a region: how many districts each year's figure covers

    @property
    def has_values(self) -> bool:
        return any(value is not None for value in self.values)

    @property
    def latest(self) -> tuple[int, Decimal] | None:
        for year, value in zip(reversed(self.years), reversed(self.values), strict=True):
            if value is not None:
                return year, value
        return None

    @property
    def rows(self) -> list[tuple[int, Decimal | None, int | None]]:
        """(year, value, districts reporting) for the table beside the chart."""
        reporting: list[int | None] = list(self.reporting) if self.reporting else [None] * len(self.years)
        return list(zip(self.years, self.values, reporting, strict=True))


def _year_range(years: Iterable[int]) -> list[int]:
    found = sorted(set(years))
    return list(range(found[0], found[-1] + 1)) if found else []


def unit_series(unit: Unit, *, codes: Sequence[str] | None = None) -> list[IndicatorSeries]:
    """Every catalogue indicator's yearly series for the unit (or only `codes`), in catalogue order,
    on one shared range of years; two queries."""
    indicators = list(Indicator.objects.order_by("ordering_key", "code"))
    if codes is not None:
        indicators = [indicator for indicator in indicators if indicator.code in codes]
    rows = IndicatorValue.objects.filter(
        **{level_of(unit): unit}, period_kind=PeriodKind.YEAR, indicator__in=indicators
    ).values_list("indicator_id", "period_start", "value", "is_demo", "source")
    found: dict[int, dict[int, Decimal]] = defaultdict(dict)
    demo: set[int] = set()
    sources: dict[int, set[str]] = defaultdict(set)
    for indicator_id, start, value, is_demo, source in rows:
        found[indicator_id][start.year] = value
        sources[indicator_id].add(source)
        if is_demo:
            demo.add(indicator_id)
    years = _year_range(year for by_year in found.values() for year in by_year)
    return [
        IndicatorSeries(
            indicator=indicator,
            years=years,
            values=[found[indicator.pk].get(year) for year in years],
            is_demo=indicator.pk in demo,
            sources=sorted(sources[indicator.pk]),
        )
        for indicator in indicators
    ]


def _district_values(
    districts: Sequence[District], indicators: Sequence[Indicator], *, year: int | None = None
) -> tuple[dict[tuple[int, int, int], Decimal], set[tuple[int, int, int]]]:
    """{(indicator id, district id, year): value} and the keys of the demo values among them; one query."""
    rows = IndicatorValue.objects.filter(
        district__in=list(districts), indicator__in=list(indicators), period_kind=PeriodKind.YEAR
    )
    if year is not None:
        rows = rows.filter(period_start=date(year, 1, 1))
    found: dict[tuple[int, int, int], Decimal] = {}
    demo: set[tuple[int, int, int]] = set()
    for indicator_id, district_id, start, value, is_demo in rows.values_list(
        "indicator_id", "district_id", "period_start", "value", "is_demo"
    ):
        found[(indicator_id, district_id, start.year)] = value
        if is_demo:
            demo.add((indicator_id, district_id, start.year))
    return found, demo


def region_districts(region: Region) -> list[District]:
    return list(District.objects.filter(region=region, retired_at__isnull=True).order_by("kato"))


def region_series(region: Region, *, codes: Sequence[str] | None = None) -> list[IndicatorSeries]:
    """The region's series from its districts: counts added up, shares weighted by population (over
    the districts with both figures that year); `reporting` says how many districts each year covers.
    Three queries."""
    districts = region_districts(region)
    indicators = list(Indicator.objects.order_by("ordering_key", "code"))
    if codes is not None:
        indicators = [indicator for indicator in indicators if indicator.code in codes]
    population = next((indicator for indicator in indicators if indicator.code == "population"), None)
    wanted = indicators if population is not None else [*indicators, *Indicator.objects.filter(code="population")]
    found, demo_keys = _district_values(districts, wanted)
    demo = {indicator_id for (indicator_id, _district, _year) in demo_keys}
    population_id = next((indicator.pk for indicator in wanted if indicator.code == "population"), None)
    years = _year_range(year for (_indicator, _district, year) in found)
    series: list[IndicatorSeries] = []
    for indicator in indicators:
        values: list[Decimal | None] = []
        reporting: list[int] = []
        for year in years:
            total, weight, count = Decimal(0), Decimal(0), 0
            for district in districts:
                value = found.get((indicator.pk, district.pk, year))
                if value is None:
                    continue
                if indicator.is_percent:
                    people = found.get((population_id or 0, district.pk, year))
                    if not people:
                        continue
                    total += value * people
                    weight += people
                else:
                    total += value
                count += 1
            if indicator.is_percent:
                values.append(rounded(total / weight) if weight else None)
            else:
                values.append(total if count else None)
            reporting.append(count)
        series.append(
            IndicatorSeries(
                indicator=indicator,
                years=years,
                values=values,
                is_demo=indicator.pk in demo,
                reporting=reporting,
            )
        )
    return series


# Overview tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewRow:
    """One okrug of a district (or one district of a region) in the overview table."""

    unit: Okrug | District
    cells: list[Decimal | None]  # one per column indicator

    @property
    def kato(self) -> str:
        return self.unit.kato

    @property
    def name(self) -> str:
        return self.unit.name


@dataclass(frozen=True)
class Overview:
    year: int | None
    years: list[int]  # the years with any value, newest first, for the year picker
    columns: list[Indicator]
    rows: list[OverviewRow]
    is_demo: bool

    @property
    def year_text(self) -> str:
        return str(self.year) if self.year is not None else ""

    def column_values(self, code: str) -> list[tuple[Okrug | District, Decimal | None]]:
        index = next((i for i, indicator in enumerate(self.columns) if indicator.code == code), None)
        if index is None:
            return []
        return [(row.unit, row.cells[index]) for row in self.rows]


def key_indicators(extra: str | None = None) -> list[Indicator]:
    """The overview's columns: the key indicators, plus `extra` when it is another one."""
    codes = [*KEY_CODES, *([extra] if extra and extra not in KEY_CODES else [])]
    found = {indicator.code: indicator for indicator in Indicator.objects.filter(code__in=codes)}
    return [found[code] for code in codes if code in found]


def _overview(units: Sequence[Okrug | District], level: str, columns: list[Indicator], year: int | None) -> Overview:
    """The table of `units` (okrugs or districts) for `year` (the latest year with any value when None);
    two queries."""
    scope = Q(**{f"{level}__in": list(units)}, indicator__in=columns, period_kind=PeriodKind.YEAR)
    years = sorted(
        {
            start.year
            for start in IndicatorValue.objects.filter(scope).values_list("period_start", flat=True).distinct()
        },
        reverse=True,
    )
    chosen = year if year in years else (years[0] if years else None)
    found: dict[tuple[int, int], Decimal] = {}
    is_demo = False
    if chosen is not None:
        for indicator_id, unit_id, value, demo in IndicatorValue.objects.filter(
            scope, period_start=date(chosen, 1, 1)
        ).values_list("indicator_id", f"{level}_id", "value", "is_demo"):
            found[(indicator_id, unit_id)] = value
            is_demo = is_demo or demo
    rows = [OverviewRow(unit=unit, cells=[found.get((column.pk, unit.pk)) for column in columns]) for unit in units]
    return Overview(year=chosen, years=years, columns=columns, rows=rows, is_demo=is_demo)


def district_okrugs(district: District) -> list[Okrug]:
    return list(Okrug.objects.filter(district=district, retired_at__isnull=True).order_by("kato"))


def district_overview(district: District, *, year: int | None = None, extra: str | None = None) -> Overview:
    return _overview(district_okrugs(district), "okrug", key_indicators(extra), year)


def region_overview(region: Region, *, year: int | None = None, extra: str | None = None) -> Overview:
    return _overview(region_districts(region), "district", key_indicators(extra), year)


# The choropleth map ------------------------------------------------------------------------------

# ColorBrewer YlGnBu, five classes (colour-blind safe, prints in grey): light = low, dark = high.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_FIGURE = "#d9d9d9"
PERSPECTIVE = "perspective_share"  # the map's measure for perspective villages (not a catalogue code)


def fill_class(fill: str) -> str:
    """The stylesheet's class for a colour (the policy forbids inline styles): fill-0 … fill-4, fill-none."""
    return f"fill-{PALETTE.index(fill)}" if fill in PALETTE else "fill-none"


@dataclass(frozen=True)
class MapArea:
    district: District
    value: Decimal | None
    fill: str
    band: int | None  # index into the legend, None: no figure

    @property
    def fill_class(self) -> str:
        return fill_class(self.fill)


@dataclass(frozen=True)
class LegendBand:
    low: Decimal
    high: Decimal
    fill: str

    @property
    def fill_class(self) -> str:
        return fill_class(self.fill)


@dataclass(frozen=True)
class Choropleth:
    region: Region
    measure: str  # an indicator code or PERSPECTIVE
    year: int | None
    per_1000: bool
    areas: list[MapArea]
    legend: list[LegendBand]
    years: list[int]
    is_demo: bool

    @property
    def missing(self) -> int:
        return sum(1 for area in self.areas if area.value is None)


def class_breaks(values: Sequence[Decimal], *, classes: int = len(PALETTE)) -> list[tuple[Decimal, Decimal]]:
    """Up to `classes` bands of (low, high) by quantiles of the distinct values, so each colour holds
    about as many districts; fewer bands when there are fewer distinct values."""
    distinct = sorted(set(values))
    if not distinct:
        return []
    count = min(classes, len(distinct))
    bands: list[tuple[Decimal, Decimal]] = []
    for index in range(count):
        chunk = distinct[index * len(distinct) // count : (index + 1) * len(distinct) // count]
        bands.append((chunk[0], chunk[-1]))
    return bands


def _band_of(value: Decimal, bands: Sequence[tuple[Decimal, Decimal]]) -> int:
    for index, (_low, high) in enumerate(bands):
        if value <= high:
            return index
    return len(bands) - 1


def _palette_for(count: int) -> list[str]:
    """`count` colours spread across the palette, from light to dark."""
    if count <= 1:
        return [PALETTE[2]] * count
    return [PALETTE[round(index * (len(PALETTE) - 1) / (count - 1))] for index in range(count)]


def shade(districts: Sequence[District], values: dict[int, Decimal | None]) -> tuple[list[MapArea], list[LegendBand]]:
    """Each district's colour by the band its value falls in; grey without a figure."""
    known = [value for value in values.values() if value is not None]
    bands = class_breaks(known)
    fills = _palette_for(len(bands))
    areas = []
    for district in districts:
        value = values.get(district.pk)
        band = None if value is None else _band_of(value, bands)
        areas.append(
            MapArea(district=district, value=value, fill=NO_FIGURE if band is None else fills[band], band=band)
        )
    legend = [LegendBand(low=low, high=high, fill=fill) for (low, high), fill in zip(bands, fills, strict=True)]
    return areas, legend


def indicator_map(region: Region, *, indicator: Indicator, year: int | None, per_1000: bool) -> Choropleth:
    """The region's districts shaded by one indicator in `year` (the latest with any figure when None),
    per 1,000 residents when asked and the indicator is a count. Three queries."""
    districts = region_districts(region)
    population = Indicator.objects.filter(code="population").first()
    rate = per_1000 and indicator.code in RATE_CODES and population is not None
    wanted = [indicator, *([population] if rate and population is not None else [])]
    found, demo_keys = _district_values(districts, wanted)
    years = sorted({y for (indicator_id, _d, y) in found if indicator_id == indicator.pk}, reverse=True)
    chosen = year if year in years else (years[0] if years else None)
    values: dict[int, Decimal | None] = {}
    shown: set[tuple[int, int, int]] = set()  # the figures the map is drawn from
    for district in districts:
        key = (indicator.pk, district.pk, chosen or 0)
        value = found.get(key)
        shown.add(key)
        if rate and population is not None:
            people = (population.pk, district.pk, chosen or 0)
            value = rate_per_1000(value, found.get(people))
            shown.add(people)
        values[district.pk] = value
    areas, legend = shade(districts, values)
    return Choropleth(
        region=region,
        measure=indicator.code,
        year=chosen,
        per_1000=rate,
        areas=areas,
        legend=legend,
        years=years,
        is_demo=bool(shown & demo_keys),
    )
