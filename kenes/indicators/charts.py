"""Charts drawn on the server, as SVG for pages and downloads and as PNG for downloads.

The indicator pages must work on cheap phones with JavaScript off or blocked, so a chart cannot be a
script that draws in the browser. We use no chart library either: the charts are simple (lines over
years, horizontal bars), and a library would bring its own styles, fonts and inline CSS that the
Content-Security-Policy refuses.

A chart is laid out once, by `layout`, into drawing primitives in pixels (lines, polylines,
rectangles, circles, text). The SVG and PNG back ends draw only those primitives, so the picture on the
page and the downloaded file always match. The SVG uses presentation attributes only (no `style`), has
a title and a one-sentence description for screen readers, and stays a few kilobytes so it loads
quickly on a slow connection. The PNG is drawn with Pillow in the DejaVu fonts, which cover Kazakh.

Numbers are formatted by the caller (`format_number`), so the pages can pass the reader's language
formatting; the words on a chart (title, labels, "No figures") come translated from the caller too.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

import kenes.core

FONT_DIR = Path(kenes.core.__file__).parent / "fonts"
FONT_FAMILY = "DejaVu Sans, sans-serif"

# Okabe–Ito: told apart by people with the common colour-vision deficiencies. Yellow comes last
# because it is hard to see on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
# Series after the first differ by dash too, so they stay apart in greyscale print.
DASHES: tuple[tuple[float, ...], ...] = ((), (7, 4), (2, 3), (9, 3, 2, 3), (4, 2), (1, 3), (12, 4), (5, 2, 1, 2))
BAR_COLOUR = "#7F7F7F"
ACCENT = "#D55E00"
INK = "#1A1A1A"
MUTED = "#595959"
GRID = "#E3E3E3"
AXIS = "#4D4D4D"
MARKER = "#595959"
BACKGROUND = "#FFFFFF"

TITLE_SIZE = 14
TEXT_SIZE = 11
PAD = 8
MIN_WIDTH = 240
MIN_PLOT_WIDTH = 80
MIN_PLOT_HEIGHT = 60
X_AXIS_HEIGHT = 28
BAR_ROW = 24
BAR_THICKNESS = 16
BAR_LABEL_CHARS = 28
X_LABEL_CHARS = 16
LEGEND_NAME_CHARS = 40
NO_FIGURE = "—"

Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True, kw_only=True)
class Series:
    name: str
    values: Sequence[float | None]
    emphasis: bool = False


@dataclass(frozen=True, kw_only=True)
class LineChart:
    title: str
    x_labels: Sequence[str]
    series: Sequence[Series]
    unit: str = ""
    percent: bool = False
    marker: tuple[str, str] | None = None
    width: int = 640
    height: int = 300
    empty_text: str = "No figures"


@dataclass(frozen=True, kw_only=True)
class BarChart:
    title: str
    bars: Sequence[tuple[str, float | None]]
    unit: str = ""
    highlight: str | None = None
    width: int = 640
    empty_text: str = "No figures"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 1
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    colour: str
    width: float
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    radius: float
    colour: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline, which SVG and Pillow ("?s" anchors) both place text on
    text: str
    size: float = TEXT_SIZE
    colour: str = INK
    anchor: Anchor = "start"
    bold: bool = False


Primitive = Line | Polyline | Rect | Circle | Text


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    title: str
    description: str
    items: tuple[Primitive, ...]


def default_format(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.12g}"


def nice_ticks(low: float, high: float, *, count: int = 5) -> list[float]:
    """Ticks in steps of 1, 2 or 5 × 10ⁿ, from at or below `low` to at or above `high`."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("nice_ticks needs finite bounds")
    low, high = min(low, high), max(low, high)
    if high - low <= 1e-12 * max(1.0, abs(low), abs(high)):
        # One value has no range to divide; reach it from zero, as counts start at zero.
        if abs(low) < 1e-9:
            low, high = (0.0, 1.0) if low >= 0 else (-1.0, 0.0)
        else:
            low, high = min(0.0, low), max(0.0, high)
    raw = (high - low) / max(1, count)
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10.0**exponent
    multiple = next(m for m in (1, 2, 5, 10) if fraction <= m * (1 + 1e-9))
    if multiple == 10:
        multiple, exponent = 1, exponent + 1
    step = multiple * 10.0**exponent
    first = math.floor(low / step + 1e-9)
    last = max(first + 1, math.ceil(high / step - 1e-9))
    # Rounding to the step's last digit keeps 0.6 from printing as 0.6000000000000001.
    return [round(index * step, -exponent) + 0.0 for index in range(first, last + 1)]


def render_svg(
    chart: LineChart | BarChart,
    *,
    format_number: Callable[[float], str] = default_format,
    chart_id: str = "chart",
) -> str:
    drawing = layout(chart, format_number=format_number)
    ident = _clean(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {drawing.width} {drawing.height}" width="100%"'
        f' role="img" aria-labelledby={quoteattr(f"{ident}-title {ident}-desc")} class="chart"'
        f" font-family={quoteattr(FONT_FAMILY)}>",
        f"<title id={quoteattr(f'{ident}-title')}>{escape(drawing.title)}</title>",
        f"<desc id={quoteattr(f'{ident}-desc')}>{escape(drawing.description)}</desc>",
    ]
    parts.extend(_svg_element(item) for item in drawing.items)
    parts.append("</svg>")
    return "\n".join(parts)


def render_png(
    chart: LineChart | BarChart,
    *,
    format_number: Callable[[float], str] = default_format,
    scale: int = 2,
) -> bytes:
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    drawing = layout(chart, format_number=format_number)
    image = Image.new("RGB", (drawing.width * scale, drawing.height * scale), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for item in drawing.items:
        _draw_png(draw, item, scale)
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def layout(chart: LineChart | BarChart, *, format_number: Callable[[float], str] = default_format) -> Drawing:
    def number(value: float) -> str:
        return _clean(format_number(value))

    if isinstance(chart, BarChart):
        return _layout_bars(chart, number)
    return _layout_lines(chart, number)


def _layout_lines(chart: LineChart, number: Callable[[float], str]) -> Drawing:
    width = max(chart.width, MIN_WIDTH)
    title = _clean(chart.title)
    unit = _clean(chart.unit)
    labels = [_truncate(_clean(label), X_LABEL_CHARS) for label in chart.x_labels]
    count = len(labels)
    series = [
        (_clean(one.name), [_finite(one.values[index]) if index < len(one.values) else None for index in range(count)])
        for one in chart.series
    ]
    figures = [value for _, values in series for value in values if value is not None]
    if not figures:
        return _empty(title=title, empty_text=_clean(chart.empty_text), width=width, height=max(chart.height, 120))

    low, high = min([0.0, *figures]), max([0.0, *figures])
    if chart.percent and all(0 <= value <= 100 for value in figures):
        low, high = 0.0, 100.0
    ticks = nice_ticks(low, high)
    if all(value == int(value) for value in figures) and len(ticks) > 1 and ticks[1] - ticks[0] < 1:
        # Whole things (schools, clinics) are never 0.4 of one: step by 1 instead.
        ticks = [float(tick) for tick in range(math.floor(ticks[0]), math.ceil(ticks[-1]) + 1)]
    tick_texts = [number(tick) for tick in ticks]
    marker_index = _marker_index(chart)
    marker_full = _clean(chart.marker[1]) if chart.marker and marker_index is not None else ""
    marker_text = marker_full

    label_width = max(_text_width(label) for label in labels)
    left = max(PAD + max(_text_width(text) for text in tick_texts) + 6, PAD + label_width / 2 + 2)
    right_margin = max(PAD + 4, label_width / 2 + 4)
    width = max(width, math.ceil(left + MIN_PLOT_WIDTH + right_margin))
    plot_left, plot_right = left, width - right_margin

    def x_at(index: int) -> float:
        if count == 1:
            return (plot_left + plot_right) / 2
        return plot_left + index * (plot_right - plot_left) / (count - 1)

    items: list[Primitive] = [_title(title, width)]
    cursor = 20.0

    if len(series) >= 2:
        cursor = _legend(items, chart, series_names=[name for name, _ in series], top=cursor, width=width)

    # The unit sits above the tick labels; the marker's text shares that row unless they would touch.
    unit_text = _fit(unit, width - 2 * PAD, TEXT_SIZE)
    annotation_rows = 1 if unit_text or marker_text else 0
    marker_x = x_at(marker_index) if marker_index is not None else 0.0
    marker_text = _fit(marker_text, width - 2 * PAD, TEXT_SIZE)
    marker_place, marker_left = _beside(marker_text, marker_x, width)
    if marker_text and unit_text and marker_left < PAD + _text_width(unit_text) + 8:
        annotation_rows = 2
    unit_y = cursor + 18
    marker_y = unit_y + 16 if annotation_rows == 2 else unit_y
    plot_top = (marker_y + 10) if annotation_rows else cursor + 16
    if unit_text:
        items.append(Text(PAD, unit_y, unit_text, TEXT_SIZE, MUTED))

    height = max(chart.height, math.ceil(plot_top + MIN_PLOT_HEIGHT + X_AXIS_HEIGHT))
    plot_bottom = height - X_AXIS_HEIGHT

    def y_at(value: float) -> float:
        return plot_bottom - (value - ticks[0]) / (ticks[-1] - ticks[0]) * (plot_bottom - plot_top)

    for tick, text in zip(ticks, tick_texts, strict=True):
        y = y_at(tick)
        if tick != 0:
            items.append(Line(plot_left, y, plot_right, y, GRID))
        items.append(Text(plot_left - 6, y + 4, text, TEXT_SIZE, MUTED, "end"))
    # Zero is drawn last of the grid and darker: it is the axis, and with negative figures the line
    # the reader measures gains and losses from.
    zero = y_at(0.0)
    items.append(Line(plot_left, zero, plot_right, zero, AXIS, 1.5 if ticks[0] < 0 else 1))

    spacing = (plot_right - plot_left) / (count - 1) if count > 1 else math.inf
    every = max(1, math.ceil((label_width + 8) / spacing))
    for index, label in enumerate(labels):
        # Counted back from the last label, so the latest year is always named.
        if (count - 1 - index) % every == 0:
            x = x_at(index)
            items.append(Line(x, plot_bottom, x, plot_bottom + 4, AXIS))
            items.append(Text(x, plot_bottom + 18, label, TEXT_SIZE, MUTED, "middle"))

    if marker_text:
        items.append(Line(marker_x, plot_bottom, marker_x, marker_y + 4, MARKER, 1, (4, 3)))
        items.append(Text(marker_place[0], marker_y, marker_text, TEXT_SIZE, INK, marker_place[1]))

    # Emphasised series go on top, so the pilot district is never hidden under a comparison line.
    order = sorted(range(len(series)), key=lambda index: chart.series[index].emphasis)
    for index in order:
        _, values = series[index]
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        emphasis = chart.series[index].emphasis
        points = [(x_at(position), y_at(value)) if value is not None else None for position, value in enumerate(values)]
        for run in _runs(points):
            if len(run) > 1:
                items.append(Polyline(tuple(run), colour, 3 if emphasis else 2, dash))
            items.extend(Circle(x, y, 3.5 if emphasis else 3, colour) for x, y in run)

    items.insert(0, Rect(0, 0, width, height, BACKGROUND))
    description = _line_description(title=title, unit=unit, labels=labels, series=series, number=number)
    if marker_full and marker_index is not None:
        description += f" {labels[marker_index]}: {marker_full}."
    return Drawing(width, height, title, description, tuple(items))


def _legend(items: list[Primitive], chart: LineChart, *, series_names: list[str], top: float, width: int) -> float:
    x, y = float(PAD), top + 20
    for index, full_name in enumerate(series_names):
        emphasis = chart.series[index].emphasis
        name = _fit(_truncate(full_name, LEGEND_NAME_CHARS), width - 2 * PAD - 28, TEXT_SIZE, bold=emphasis)
        item_width = 28 + _text_width(name, bold=emphasis)
        if x > PAD and x + item_width > width - PAD:
            x, y = float(PAD), y + 18
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        items.append(Line(x, y - 4, x + 22, y - 4, colour, 3 if emphasis else 2, dash))
        items.append(Circle(x + 11, y - 4, 3.5 if emphasis else 3, colour))
        items.append(Text(x + 28, y, name, TEXT_SIZE, INK, bold=emphasis))
        x += item_width + 20
    return y


def _line_description(
    *,
    title: str,
    unit: str,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    number: Callable[[float], str],
) -> str:
    # Only names, labels, numbers and arrows: no connecting words, which we could not translate here.
    def figure(index: int, value: float) -> str:
        return f"{labels[index]} {_with_unit(number(value), unit)}"

    parts = []
    for name, values in series:
        known = [(index, value) for index, value in enumerate(values) if value is not None]
        if not known:
            parts.append(f"{name} {NO_FIGURE}")
        elif len(known) == 1:
            parts.append(f"{name} {figure(*known[0])}")
        else:
            parts.append(f"{name} {figure(*known[0])} → {figure(*known[-1])}")
    return f"{title}: {'; '.join(parts)}."


def _layout_bars(chart: BarChart, number: Callable[[float], str]) -> Drawing:
    width = max(chart.width, MIN_WIDTH)
    title = _clean(chart.title)
    unit = _clean(chart.unit)
    if not chart.bars:
        return _empty(title=title, empty_text=_clean(chart.empty_text), width=width, height=120)

    bars = [(_clean(label), _finite(value), label == chart.highlight) for label, value in chart.bars]
    texts = [NO_FIGURE if value is None else number(value) for _, value, _ in bars]
    figures = [value for _, value, _ in bars if value is not None]
    low, high = min([0.0, *figures]), max([0.0, *figures])
    if high == low:
        high = low + 1

    label_width = min(max(_text_width(_truncate(label, BAR_LABEL_CHARS)) for label, _, _ in bars), width * 0.4)
    # Negative figures print left of their bar, the rest right of it: each side needs room for its text.
    before = [
        _text_width(text) for text, (_, value, _) in zip(texts, bars, strict=True) if value is not None and value < 0
    ]
    after = [_text_width(text) for text, (_, value, _) in zip(texts, bars, strict=True) if value is None or value >= 0]
    bar_left = PAD + label_width + 10 + (max(before) + 6 if before else 0)
    right_margin = PAD + (max(after) + 6 if after else 0)
    width = max(width, math.ceil(bar_left + MIN_PLOT_WIDTH + right_margin))
    bar_right = width - right_margin

    # Divided as fractions of the range first: a range of 1e-308 times a pixel width overflows.
    def x_at(value: float) -> float:
        return bar_left + (value - low) / (high - low) * (bar_right - bar_left)

    zero = x_at(0.0)

    items: list[Primitive] = [_title(title, width)]
    top = 20.0
    if unit:
        top += 18
        items.append(Text(PAD, top, _fit(unit, width - 2 * PAD, TEXT_SIZE), TEXT_SIZE, MUTED))
    rows_top = top + 12
    height = math.ceil(rows_top + len(bars) * BAR_ROW + PAD)

    for row, ((label, value, highlighted), text) in enumerate(zip(bars, texts, strict=True)):
        middle = rows_top + row * BAR_ROW + BAR_ROW / 2
        shown = _fit(_truncate(label, BAR_LABEL_CHARS), label_width, TEXT_SIZE, bold=highlighted)
        items.append(Text(PAD, middle + 4, shown, TEXT_SIZE, INK, bold=highlighted))
        if value is None:
            items.append(Text(zero + 6, middle + 4, text, TEXT_SIZE, MUTED))
            continue
        end = x_at(value)
        if abs(end - zero) >= 0.05:
            colour = ACCENT if highlighted else BAR_COLOUR
            items.append(Rect(min(zero, end), middle - BAR_THICKNESS / 2, abs(end - zero), BAR_THICKNESS, colour))
        if value < 0:
            items.append(Text(end - 6, middle + 4, text, TEXT_SIZE, INK, "end", bold=highlighted))
        else:
            items.append(Text(end + 6, middle + 4, text, TEXT_SIZE, INK, bold=highlighted))
    rows_bottom = rows_top + len(bars) * BAR_ROW
    items.append(Line(zero, rows_top, zero, rows_bottom, AXIS, 1.5 if low < 0 else 1))
    items.insert(0, Rect(0, 0, width, height, BACKGROUND))

    parts = [
        f"{label} {_with_unit(text, unit) if value is not None else text}"
        for (label, value, _), text in zip(bars, texts, strict=True)
    ]
    return Drawing(width, height, title, f"{title}: {'; '.join(parts)}.", tuple(items))


def _empty(*, title: str, empty_text: str, width: int, height: int) -> Drawing:
    items: tuple[Primitive, ...] = (
        Rect(0, 0, width, height, BACKGROUND),
        _title(title, width),
        Text(width / 2, (height + 20) / 2, _fit(empty_text, width - 2 * PAD, TEXT_SIZE), TEXT_SIZE, MUTED, "middle"),
    )
    return Drawing(width, height, title, f"{title}: {empty_text}.", items)


def _marker_index(chart: LineChart) -> int | None:
    if chart.marker is None:
        return None
    for index, label in enumerate(chart.x_labels):
        if label == chart.marker[0]:
            return index
    return None


def _title(title: str, width: int) -> Text:
    return Text(PAD, 20, _fit(title, width - 2 * PAD, TITLE_SIZE, bold=True), TITLE_SIZE, INK, bold=True)


def _beside(text: str, x: float, width: int) -> tuple[tuple[float, Anchor], float]:
    """Where text goes next to a vertical line at x: to its right if it fits, else to its left."""
    text_width = _text_width(text)
    if x + 4 + text_width <= width - PAD:
        return (x + 4, "start"), x + 4
    if x - 4 - text_width >= PAD:
        return (x - 4, "end"), x - 4 - text_width
    return (width - PAD, "end"), width - PAD - text_width


def _runs(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The stretches between gaps: a year with no figure breaks the line rather than bridging it."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


# XML 1.0 forbids most control characters, and a newline would make Pillow switch to multi-line text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _UNSAFE.sub(" ", str(text))


def _truncate(text: str, characters: int) -> str:
    return text if len(text) <= characters else text[: characters - 1].rstrip() + "…"


def _text_width(text: str, size: float = TEXT_SIZE, *, bold: bool = False) -> float:
    # An estimate that keeps layout free of font files. DejaVu Sans averages about 0.55 em a character
    # in Latin but 0.65–0.7 in Kazakh Cyrillic (0.77 bold), so we err wide rather than overlap.
    return len(text) * size * _em(bold=bold)


def _em(*, bold: bool) -> float:
    return 0.75 if bold else 0.65


def _fit(text: str, width: float, size: float, *, bold: bool = False) -> str:
    if _text_width(text, size, bold=bold) <= width:
        return text
    characters = max(1, int(width / (size * _em(bold=bold))))
    return _truncate(text, characters)


def _number(value: float) -> str:
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _dash_attribute(dash: tuple[float, ...]) -> str:
    return f' stroke-dasharray="{" ".join(_number(part) for part in dash)}"' if dash else ""


def _svg_element(item: Primitive) -> str:
    n = _number
    if isinstance(item, Line):
        return (
            f'<line x1="{n(item.x1)}" y1="{n(item.y1)}" x2="{n(item.x2)}" y2="{n(item.y2)}" stroke="{item.colour}"'
            f' stroke-width="{n(item.width)}"{_dash_attribute(item.dash)}/>'
        )
    if isinstance(item, Polyline):
        points = " ".join(f"{n(x)},{n(y)}" for x, y in item.points)
        return (
            f'<polyline points="{points}" fill="none" stroke="{item.colour}" stroke-width="{n(item.width)}"'
            f' stroke-linejoin="round"{_dash_attribute(item.dash)}/>'
        )
    if isinstance(item, Rect):
        return (
            f'<rect x="{n(item.x)}" y="{n(item.y)}" width="{n(item.width)}" height="{n(item.height)}"'
            f' fill="{item.colour}"/>'
        )
    if isinstance(item, Circle):
        return f'<circle cx="{n(item.x)}" cy="{n(item.y)}" r="{n(item.radius)}" fill="{item.colour}"/>'
    anchor = f' text-anchor="{item.anchor}"' if item.anchor != "start" else ""
    weight = ' font-weight="bold"' if item.bold else ""
    return (
        f'<text x="{n(item.x)}" y="{n(item.y)}" font-size="{n(item.size)}" fill="{item.colour}"{anchor}{weight}>'
        f"{escape(item.text)}</text>"
    )


_PILLOW_ANCHORS: dict[str, str] = {"start": "ls", "middle": "ms", "end": "rs"}


@lru_cache(maxsize=16)
def _font(size: int, *, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def _draw_png(draw: ImageDraw.ImageDraw, item: Primitive, scale: int) -> None:
    if isinstance(item, Line | Polyline):
        points = [(item.x1, item.y1), (item.x2, item.y2)] if isinstance(item, Line) else list(item.points)
        scaled = [(x * scale, y * scale) for x, y in points]
        stroke = max(1, round(item.width * scale))
        if item.dash:
            for segment in _dashes(scaled, [part * scale for part in item.dash]):
                draw.line(segment, fill=item.colour, width=stroke)
        else:
            draw.line(scaled, fill=item.colour, width=stroke, joint="curve")
    elif isinstance(item, Rect):
        draw.rectangle(
            (item.x * scale, item.y * scale, (item.x + item.width) * scale - 1, (item.y + item.height) * scale - 1),
            fill=item.colour,
        )
    elif isinstance(item, Circle):
        radius = item.radius * scale
        draw.ellipse(
            (item.x * scale - radius, item.y * scale - radius, item.x * scale + radius, item.y * scale + radius),
            fill=item.colour,
        )
    else:
        draw.text(
            (item.x * scale, item.y * scale),
            item.text,
            fill=item.colour,
            font=_font(round(item.size * scale), bold=item.bold),
            anchor=_PILLOW_ANCHORS[item.anchor],
        )


def _dashes(points: list[tuple[float, float]], pattern: list[float]) -> list[list[tuple[float, float]]]:
    """Split a polyline into the pieces a dash pattern draws, carrying the pattern across corners."""
    if sum(pattern) <= 0:
        return [points]
    pieces: list[list[tuple[float, float]]] = []
    phase, left, drawing = 0, pattern[0], True
    current: list[tuple[float, float]] = [points[0]]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        length = math.hypot(x2 - x1, y2 - y1)
        done = 0.0
        while length - done > left:
            done += left
            point = (x1 + (x2 - x1) * done / length, y1 + (y2 - y1) * done / length)
            if drawing:
                current.append(point)
                pieces.append(current)
            current = [point]
            drawing = not drawing
            phase = (phase + 1) % len(pattern)
            left = pattern[phase]
        left -= length - done
        if drawing:
            current.append((x2, y2))
        else:
            current = [(x2, y2)]
    if drawing and len(current) > 1:
        pieces.append(current)
    return pieces
