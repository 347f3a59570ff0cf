"""Charts drawn on the server: nice ticks, lines that break at gaps, zero lines, markers, legends, bars,
the reader's number format, escaping and the page's CSP, the PNG, and a property over random series.
Pure: no database."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFont

from kenes.indicators.charts import (
    FONT_DIR,
    BarChart,
    LineChart,
    Series,
    Text,
    default_format,
    layout,
    nice_ticks,
    render_png,
    render_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
YEARS = [str(year) for year in range(2019, 2027)]


def kazakh_format(value: float) -> str:
    return f"{value:,.1f}".replace(",", " ").replace(".", ",")


POPULATION = LineChart(
    title="Population",
    x_labels=YEARS,
    series=[
        Series(name="Akzhaiyk", values=[1200, 1180, 1175, 1160, 1150, 1149, 1140, 1234.5], emphasis=True),
        Series(name="Region", values=[900, 905, 910, 880, 870, 860, 850, 845]),
    ],
    unit="people",
)


def two_series(**changes: Any) -> LineChart:
    return replace(POPULATION, **changes)


def parse(svg: str) -> ET.Element:
    # Our own output, and the brief is that the standard library parser reads it.
    return ET.fromstring(svg)  # noqa: S314


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def elements(root: ET.Element, name: str) -> list[ET.Element]:
    return list(root.iter(f"{SVG}{name}"))


# Ticks --------------------------------------------------------------------------------------------


def test_ticks_over_counts_start_at_zero_in_steps_of_twenty():
    assert nice_ticks(0, 87) == [0, 20, 40, 60, 80, 100]


def test_ticks_over_a_range_crossing_zero_include_zero():
    ticks = nice_ticks(-13, 42)

    assert ticks == [-20, 0, 20, 40, 60]


def test_ticks_over_equal_values_reach_them_from_zero():
    assert nice_ticks(50, 50) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(-3, -3) == [-3, -2, -1, 0]
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1]


def test_ticks_over_a_tiny_range_are_round_decimals():
    assert nice_ticks(0.2, 0.9) == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0.001, 0.0042) == [0.001, 0.002, 0.003, 0.004, 0.005]


def test_ticks_step_by_one_two_or_five():
    for low, high in [(0, 7), (3, 1234), (-987, 15), (0.03, 0.07), (1_000_000, 1_300_000)]:
        ticks = nice_ticks(low, high)
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert round(mantissa, 6) in {1, 2, 5}
        assert ticks[0] <= low
        assert ticks[-1] >= high


def test_the_default_format_drops_a_trailing_zero_and_groups_nothing():
    assert default_format(1234.0) == "1234"
    assert default_format(1234.5) == "1234.5"
    assert default_format(-0.0) == "0"
    assert default_format(0.1 + 0.2) == "0.3"


# Line charts --------------------------------------------------------------------------------------


def test_the_svg_parses_and_carries_a_title_and_a_description():
    root = parse(render_svg(two_series(), chart_id="population"))

    assert root.get("viewBox") == "0 0 640 300"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "population-title population-desc"
    assert root.find(f"{SVG}title").text == "Population"  # type: ignore[union-attr]
    description = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "Akzhaiyk 2019 1200 people → 2026 1234.5 people" in description
    assert "Region 2019 900 people → 2026 845 people" in description


def test_a_script_in_the_title_and_names_is_text_not_an_element():
    chart = two_series(
        title="<script>alert('t')</script> & \"quotes\"",
        series=[Series(name="<script>alert(1)</script>", values=[1, 2, 3, 4, 5, 6, 7, 8])],
        x_labels=[f"<b>{year}</b>" for year in YEARS],
    )

    svg = render_svg(chart)
    root = parse(svg)

    assert "<script" not in svg
    assert not [element for element in root.iter() if element.tag.endswith("script")]
    assert root.find(f"{SVG}title").text == "<script>alert('t')</script> & \"quotes\""  # type: ignore[union-attr]
    assert "<script>alert(1)</script>" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert "<b>2026</b>" in texts(root)


def test_the_svg_has_no_style_no_script_and_no_external_reference():
    svg = render_svg(two_series(marker=("2026", "Pilot starts")))

    assert "style" not in svg
    assert "<script" not in svg
    assert "href" not in svg
    assert "url(" not in svg


def test_a_gap_breaks_the_line():
    chart = two_series(series=[Series(name="Akzhaiyk", values=[5, 6, 7, None, 9, 10, 11, 12])])

    root = parse(render_svg(chart))

    polylines = elements(root, "polyline")
    assert len(polylines) == 2
    assert len(polylines[0].get("points", "").split()) == 3
    assert len(polylines[1].get("points", "").split()) == 4
    assert len(elements(root, "circle")) == 7


def test_a_lone_figure_between_gaps_is_a_marker_without_a_line():
    chart = two_series(series=[Series(name="Akzhaiyk", values=[None, None, 7, None, None, None, None, None])])

    root = parse(render_svg(chart))

    assert elements(root, "polyline") == []
    assert len(elements(root, "circle")) == 1


def test_a_negative_series_draws_a_stronger_zero_line_and_a_tick_below_zero():
    chart = two_series(series=[Series(name="Net migration", values=[-13, -5, 4, 12, 42, 8, -2, 0])])

    root = parse(render_svg(chart))

    assert "-20" in texts(root)
    assert "0" in texts(root)
    widths = {line.get("stroke-width") for line in elements(root, "line") if line.get("y1") == line.get("y2")}
    assert "1.5" in widths


def test_the_second_series_is_dashed_and_the_emphasised_one_is_thicker():
    root = parse(render_svg(two_series()))

    first, second = sorted(elements(root, "polyline"), key=lambda line: line.get("stroke", ""))
    assert first.get("stroke") == "#0072B2"
    assert first.get("stroke-width") == "3"
    assert first.get("stroke-dasharray") is None
    assert second.get("stroke-width") == "2"
    assert second.get("stroke-dasharray")


def test_the_marker_draws_a_dashed_line_and_its_text():
    root = parse(render_svg(two_series(marker=("2026", "Pilot starts"))))

    assert "Pilot starts" in texts(root)
    dashed_verticals = [
        line for line in elements(root, "line") if line.get("stroke-dasharray") and line.get("x1") == line.get("x2")
    ]
    assert len(dashed_verticals) == 1


def test_a_marker_at_an_unknown_label_is_left_out():
    root = parse(render_svg(two_series(marker=("2031", "Pilot ends"))))

    assert "Pilot ends" not in texts(root)


def test_a_legend_is_drawn_only_for_two_or_more_series():
    one = two_series(series=[Series(name="Akzhaiyk", values=[1, 2, 3, 4, 5, 6, 7, 8])])

    assert "Akzhaiyk" not in texts(parse(render_svg(one)))
    assert {"Akzhaiyk", "Region"} <= set(texts(parse(render_svg(two_series()))))


def test_an_empty_chart_says_its_empty_text():
    for chart in [
        two_series(series=[], empty_text="Дерек жоқ"),
        two_series(series=[Series(name="A", values=[None] * 8), Series(name="B", values=[])], empty_text="Дерек жоқ"),
        two_series(x_labels=[], empty_text="Дерек жоқ"),
    ]:
        root = parse(render_svg(chart))

        assert "Дерек жоқ" in texts(root)
        assert elements(root, "polyline") == []


def test_all_equal_values_and_a_single_point_render():
    equal = two_series(series=[Series(name="A", values=[7] * 8)])
    single = two_series(x_labels=["2026"], series=[Series(name="A", values=[3.5])])

    assert "0" in texts(parse(render_svg(equal)))
    assert len(elements(parse(render_svg(single)), "circle")) == 1


def test_shares_are_drawn_on_a_scale_to_one_hundred():
    chart = two_series(series=[Series(name="Piped water", values=[41, 43, 47, 52, 55, 58, 61, 64])], percent=True)

    assert {"0", "100"} <= set(texts(parse(render_svg(chart))))


def test_many_x_labels_are_thinned_and_the_last_is_kept():
    months = [f"2025-{month:02}" for month in range(1, 13)] + [f"2026-{month:02}" for month in range(1, 13)]
    chart = two_series(x_labels=months, series=[Series(name="A", values=list(range(24)))], width=320)

    shown = [text for text in texts(parse(render_svg(chart))) if text.startswith("202")]

    assert 2 <= len(shown) < len(months)
    assert shown[-1] == "2026-12"


def test_tick_labels_and_the_description_use_the_readers_number_format():
    svg = render_svg(two_series(), format_number=kazakh_format)
    root = parse(svg)

    assert "1 000,0" in texts(root)
    assert "1 234,5 people" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]


def test_kazakh_text_is_kept_as_written():
    chart = two_series(title="Халық саны — Ақжайық", unit="адам")

    svg = render_svg(chart)

    assert "Халық саны — Ақжайық" in svg
    assert "Халық саны — Ақжайық" in texts(parse(svg))


def test_the_same_chart_renders_to_the_same_bytes():
    chart = two_series(marker=("2026", "Pilot starts"))

    assert render_svg(chart) == render_svg(chart)
    assert render_png(chart) == render_png(chart)


def test_a_two_series_chart_stays_small():
    assert len(render_svg(two_series(marker=("2026", "Pilot starts"))).encode()) < 6000


def test_control_characters_are_dropped_so_the_svg_still_parses():
    chart = two_series(title="Population\x00\x0b\n2026", series=[Series(name="A\x1b", values=[1] * 8)])

    parse(render_svg(chart))


# Bar charts ---------------------------------------------------------------------------------------


def test_a_bar_with_no_figure_shows_a_dash_and_no_bar():
    chart = BarChart(title="Vacancies", bars=[("Akzhaiyk", 12), ("Bokeyorda", None), ("Zhanakala", 30)])

    root = parse(render_svg(chart))

    assert "—" in texts(root)
    assert len([rect for rect in elements(root, "rect") if rect.get("fill") != "#FFFFFF"]) == 2
    assert "Bokeyorda —" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]


def test_a_bar_chart_with_no_figure_at_all_lists_its_labels_with_dashes():
    root = parse(render_svg(BarChart(title="Vacancies", bars=[("Akzhaiyk", None), ("Zhanakala", None)])))

    assert texts(root).count("—") == 2
    assert "Akzhaiyk" in texts(root)


def test_a_negative_bar_extends_left_of_the_zero_line():
    chart = BarChart(title="Net migration", bars=[("Akzhaiyk", -40), ("Zhanakala", 60)], highlight="Akzhaiyk")

    root = parse(render_svg(chart))

    zero = next(float(line.get("x1", "")) for line in elements(root, "line"))
    negative, positive = [rect for rect in elements(root, "rect") if rect.get("fill") != "#FFFFFF"]
    assert float(negative.get("x", "")) + float(negative.get("width", "")) == pytest.approx(zero, abs=0.1)
    assert float(positive.get("x", "")) == pytest.approx(zero, abs=0.1)
    assert negative.get("fill") == "#D55E00"
    assert positive.get("fill") != "#D55E00"


def test_a_long_bar_label_is_shortened():
    label = "Бөрлі ауданының ең ұзын атауы бар ауылдық округі"
    root = parse(render_svg(BarChart(title="Roads", bars=[(label, 5)])))

    shown = [text for text in texts(root) if text.startswith("Бөрлі")]
    assert len(shown) == 1
    assert shown[0].endswith("…")
    assert len(shown[0]) <= 28


def test_the_bar_chart_grows_with_its_bars():
    few = parse(render_svg(BarChart(title="A", bars=[("x", 1)] * 3)))
    many = parse(render_svg(BarChart(title="A", bars=[("x", 1)] * 30)))

    assert float(many.get("viewBox", "").split()[3]) > float(few.get("viewBox", "").split()[3])


def test_an_empty_bar_chart_says_its_empty_text():
    assert "Нет данных" in texts(parse(render_svg(BarChart(title="A", bars=[], empty_text="Нет данных"))))


# PNG ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chart",
    [
        two_series(marker=("2026", "Pilot starts"), title="Халық саны — Ақжайық"),
        BarChart(title="Net migration", bars=[("Akzhaiyk", -40), ("Zhanakala", 60), ("Bokeyorda", None)]),
        two_series(series=[]),
    ],
    ids=["lines", "bars", "empty"],
)
def test_the_png_opens_at_the_scaled_size_and_is_not_blank(chart):
    image = Image.open(io.BytesIO(render_png(chart, scale=2)))

    assert image.format == "PNG"
    assert image.width == 640 * 2
    if isinstance(chart, LineChart):
        assert image.height == 300 * 2
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 1


def test_the_png_at_scale_one_is_the_svg_size():
    image = Image.open(io.BytesIO(render_png(two_series(), scale=1)))

    assert image.size == (640, 300)


# By property --------------------------------------------------------------------------------------

FONT = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 100)
BOLD = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), 100)

figures = st.one_of(
    st.none(),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.integers(min_value=-5000, max_value=50_000).map(float),
    st.sampled_from([math.nan, math.inf, -math.inf]),
)


@st.composite
def line_charts(draw: st.DrawFn) -> LineChart:
    count = draw(st.integers(min_value=0, max_value=40))
    series = [
        Series(name=name, values=draw(st.lists(figures, min_size=0, max_size=count)), emphasis=draw(st.booleans()))
        for name in draw(st.lists(st.sampled_from(["Ақжайық", "Облыс", "Region", "Pilot"]), max_size=4))
    ]
    return LineChart(
        title="Халық саны",
        x_labels=[str(2000 + index) for index in range(count)],
        series=series,
        unit=draw(st.sampled_from(["", "адам", "%"])),
        percent=draw(st.booleans()),
        width=draw(st.sampled_from([240, 320, 640])),
    )


def assert_every_text_inside(root: ET.Element) -> None:
    _, _, width, height = (float(part) for part in root.get("viewBox", "").split())
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size", ""))
        # Measured with the real font, so the layout's estimate of text widths is checked too.
        font = BOLD if text.get("font-weight") == "bold" else FONT
        length = font.getlength(text.text or "") * size / 100
        x, y = float(text.get("x", "")), float(text.get("y", ""))
        left = {"start": x, "middle": x - length / 2, "end": x - length}[text.get("text-anchor", "start")]
        assert left >= 0, text.text
        assert left + length <= width, text.text
        assert y - size * 0.8 >= 0, text.text
        assert y + size * 0.25 <= height, text.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chart=line_charts())
def test_random_series_always_give_a_parseable_svg_with_every_label_inside(chart):
    assert_every_text_inside(parse(render_svg(chart)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bars=st.lists(
        st.tuples(st.sampled_from(["Ақжайық", "Бөрлі ауданының ең ұзын атауы бар ауылдық округі", ""]), figures)
    ),
    width=st.sampled_from([240, 640]),
)
def test_random_bars_always_give_a_parseable_svg_with_every_label_inside(bars, width):
    chart = BarChart(title="Таза көші-қон", bars=bars, unit="адам", width=width, highlight="Ақжайық")

    assert_every_text_inside(parse(render_svg(chart)))


def test_a_series_of_whole_numbers_gets_whole_ticks():
    chart = LineChart(title="Мектеп", x_labels=["2024", "2025", "2026"], series=[Series(name="Ауыл", values=[1, 1, 1])])

    texts = [item.text for item in layout(chart).items if isinstance(item, Text)]

    assert "0" in texts
    assert "1" in texts
    assert not any(text in texts for text in ("0.2", "0.4", "0.5", "0.6", "0.8"))
