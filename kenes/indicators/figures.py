"""What the dashboards draw and export, built from the dashboards' reads: the charts (drawn by
`charts.py` as SVG on the page and as SVG or PNG downloads) and the tables (CSV and XLSX through
`kenes.core.tables`). Each chart and its download come from the same builder, so they never differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kenes.core.tables import Cell, Table
from kenes.indicators.charts import BarChart, LineChart, Series, render_png, render_svg
from kenes.indicators.dashboards import Choropleth, IndicatorSeries, Overview
from kenes.indicators.models import Indicator
from kenes.indicators.pilot_evaluation import OutcomeEvaluation, PilotEvaluation

Chart = LineChart | BarChart
# Narrower than the renderer's default: a phone shows the chart at about 370 px, and the text scales
# with the drawing, so a 480-wide drawing keeps the labels readable there.
LINE_WIDTH, LINE_HEIGHT = 480, 250


def localised(value: float) -> str:
    """A figure as the reader's language writes it: "1 234,5" in Kazakh and Russian."""
    whole = float(value).is_integer()
    return number_format(value, decimal_pos=0 if whole else 1, force_grouping=True)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def demo_note() -> str:
    return _("DEMO DATA: these figures are synthetic, made up for demonstration, not official statistics.")


def series_chart(series: IndicatorSeries, *, place: str) -> LineChart:
    indicator = series.indicator
    return LineChart(
        title=f"{indicator.name} — {place}",
        x_labels=[str(year) for year in series.years],
        series=[Series(name=place, values=[_float(value) for value in series.values], emphasis=True)],
        unit=indicator.unit,
        percent=indicator.is_percent,
        empty_text=_("No figures"),
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
    )


def overview_chart(overview: Overview, indicator: Indicator, *, place: str, highlight: str | None = None) -> BarChart:
    year = overview.year or ""
    return BarChart(
        title=f"{indicator.name}, {year} — {place}",
        bars=[(unit.name, _float(value)) for unit, value in overview.column_values(indicator.code)],
        unit=indicator.unit,
        highlight=highlight,
        empty_text=_("No figures"),
    )


def evaluation_chart(outcome: OutcomeEvaluation, *, start_year: int) -> LineChart:
    return LineChart(
        title=outcome.title,
        x_labels=[str(year) for year in outcome.years],
        series=[
            Series(name=unit.name, values=[unit.values.get(year) for year in outcome.years], emphasis=unit.treated)
            for unit in outcome.units
        ],
        unit=outcome.unit,
        percent=outcome.unit == "%",
        marker=(str(start_year), _("Pilot starts")) if str(start_year) in map(str, outcome.years) else None,
        empty_text=_("No figures"),
        width=LINE_WIDTH,
        height=LINE_HEIGHT + 40,
    )


def inline_svg(chart: Chart, *, chart_id: str) -> SafeString:
    # The renderer escapes every text it draws, so its output is safe to place in the page.
    return mark_safe(render_svg(chart, format_number=localised, chart_id=chart_id))


def svg_bytes(chart: Chart) -> bytes:
    return render_svg(chart, format_number=localised, chart_id="chart").encode("utf-8")


def png_bytes(chart: Chart) -> bytes:
    return render_png(chart, format_number=localised)


# Tables for the exports ----------------------------------------------------------------------------


def _demo(is_demo: bool) -> str:
    return demo_note() if is_demo else ""


def unit_values_table(series_list: Sequence[IndicatorSeries], *, place: str, kato: str) -> Table:
    """Every indicator of one unit, a row each, a column per year."""
    years = series_list[0].years if series_list else []
    rows: list[list[Cell]] = [
        [item.indicator.name, item.indicator.code, item.indicator.unit, *item.values, _("yes") if item.is_demo else ""]
        for item in series_list
        if item.has_values
    ]
    return Table(
        title=f"{place} ({kato})",
        note=_demo(any(item.is_demo for item in series_list)),
        headers=[_("Indicator"), _("Code"), _("Unit"), *[str(year) for year in years], _("Demo data")],
        rows=rows,
        sheet=_("Indicators"),
    )


def overview_table(overview: Overview, *, place: str) -> Table:
    return Table(
        title=f"{place}, {overview.year or ''}",
        note=_demo(overview.is_demo),
        headers=[_("Territory"), _("KATO code"), *[f"{column.name} ({column.unit})" for column in overview.columns]],
        rows=[[row.name, row.kato, *row.cells] for row in overview.rows],
        sheet=_("Overview"),
    )


def map_table(choropleth: Choropleth, *, measure: str, unit: str) -> Table:
    return Table(
        title=f"{choropleth.region.name}: {measure}, {choropleth.year or ''}",
        note=_demo(choropleth.is_demo),
        headers=[_("District"), _("KATO code"), f"{measure} ({unit})", _("Band")],
        rows=[
            [area.district.name, area.district.kato, area.value, None if area.band is None else area.band + 1]
            for area in choropleth.areas
        ],
        sheet=_("Map"),
    )


def evaluation_table(evaluation: PilotEvaluation) -> Table:
    """One row per outcome, unit and year (the series), then one row per outcome with the estimate."""
    rows: list[list[Cell]] = []
    for outcome in evaluation.outcomes:
        for unit in outcome.units:
            for year in outcome.years:
                value = unit.values.get(year)
                period = _("after") if year >= evaluation.start_year else _("before")
                rows.append([outcome.title, unit.name, unit.kato, year, period, value, "", "", ""])
        estimate = outcome.estimate
        rows.append(
            [
                outcome.title,
                _("Estimate"),
                "",
                "",
                "",
                estimate.effect,
                estimate.low,
                estimate.high,
                outcome.reading.text,
            ]
        )
    return Table(
        title=str(evaluation.pilot),
        note=_demo(evaluation.is_demo),
        headers=[
            _("Outcome"),
            _("Territory"),
            _("KATO code"),
            _("Year"),
            _("Before or after the start"),
            _("Value"),
            _("Confidence interval, low"),
            _("Confidence interval, high"),
            _("Reading"),
        ],
        rows=rows,
        sheet=_("Evaluation"),
    )
