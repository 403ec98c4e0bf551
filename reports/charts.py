"""Tiny server-side SVG charts: bars (grouped or stacked) and lines, with text labels.

Pure Python (no Django, no JavaScript): every text is escaped here, so the markup returned
is safe to put in a page as it is. The charts scale with their container (a viewBox and
width 100%); the numbers are also in the table next to each chart, for screen readers and
for anyone who wants exact figures.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# Okabe–Ito: told apart by people with the common colour-vision deficiencies.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
WIDTH = 400
FONT = 13
SMALL = 11
LEGEND = 12
CHAR = 0.6  # the width of a character, in font sizes (a fair mean for Latin and digits)
WIDE_CHAR = 1.0  # a Chinese character (East Asian wide or full-width) takes a whole em
RIGHT, TOP, BOTTOM = 8, 8, 34
LEGEND_ROW = 20
MARK = "*"  # after a figure over too few cases to read as a trend
PALE = "0.4"  # the opacity of its bar

Number = int | float | Decimal | None


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]
    color: str = ""


def text_width(text: str, size: int) -> float:
    """About how wide `text` is drawn at font `size`: Chinese characters count a full em, so
    a Chinese legend never runs into the next colour box."""
    ems = sum(
        WIDE_CHAR if unicodedata.east_asian_width(char) in ("W", "F") else CHAR for char in text
    )
    return ems * size


def format_number(value: Number, unit: str = "") -> str:
    if value is None:
        return "–"
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        text = f"{int(number):,}"
    elif abs(number) >= 100:
        text = f"{number:,.0f}"
    else:
        text = f"{number:,.1f}"
    return f"{text}{unit}"


def nice_ceiling(value: float) -> tuple[float, float]:
    """A round top for the axis at or above `value`, and the step between its 4–5 ticks."""
    if value <= 0:
        return 1.0, 0.25
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if step * 4 >= value:
            return step * 4, step
    return 10 * magnitude * 4, 10 * magnitude  # pragma: no cover - the loop always returns


def _text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = FONT,
          fill: str = "#1f2933", extra: str = "") -> str:  # fmt: skip
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{extra}>{escape(content)}</text>'
    )


def _legend(series: Sequence[Series], colors: list[str]) -> tuple[list[str], float]:
    """Legend items in rows across the top; returns the markup and the height it takes."""
    parts: list[str] = []
    start = 8
    x, y = start, TOP + FONT
    for item, color in zip(series, colors, strict=True):
        width = 16 + text_width(item.name, LEGEND) + 14
        if x + width > WIDTH - RIGHT and x > start:
            x, y = start, y + LEGEND_ROW
        parts.append(
            f'<rect x="{x:.1f}" y="{y - FONT + 2:.1f}" width="12" height="12" fill="{color}"/>'
        )
        parts.append(_text(x + 16, y, item.name, anchor="start", size=LEGEND))
        x += width
    return parts, (y - TOP) + 10


def _colors(series: Sequence[Series]) -> list[str]:
    return [item.color or PALETTE[index % len(PALETTE)] for index, item in enumerate(series)]


def _frame(title: str, chart_id: str, height: float, body: list[str]) -> str:
    title_id = f"{chart_id}-title"
    return (
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(title_id)}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif">'
        f'<title id="{escape(title_id)}">{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _left_margin(axis_max: float, step: float, unit: str) -> float:
    """Room for the longest tick label left of the plot."""
    ticks = round(axis_max / step)
    return 8 + max(text_width(format_number(step * tick, unit), SMALL) for tick in range(ticks + 1))


def _axes(
    left: float, top: float, plot_height: float, axis_max: float, step: float, unit: str
) -> tuple[list[str], float]:
    """Horizontal grid lines with their labels; returns the markup and the baseline y."""
    parts = []
    baseline = top + plot_height
    ticks = round(axis_max / step)
    for tick in range(ticks + 1):
        value = step * tick
        y = baseline - plot_height * value / axis_max
        parts.append(
            f'<line x1="{left:.1f}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#52606d" if tick == 0 else "#d9e2ec"}" stroke-width="1"/>'
        )
        parts.append(_text(left - 4, y + 4, format_number(value, unit), anchor="end", size=SMALL))
    return parts, baseline


def fits(text: str, width: float, size: int = SMALL) -> bool:
    return text_width(text, size) <= width


def shorten(text: str, width: float, size: int = SMALL) -> str:
    """The label cut to the room it has, with an ellipsis (the table has it in full)."""
    if fits(text, width, size):
        return text
    cut = len(text) - 1
    while cut > 1 and not fits(text[:cut] + "…", width, size):
        cut -= 1
    return text[:cut] + "…"


def _category_labels(
    categories: Sequence[str], left: float, band: float, baseline: float
) -> list[str]:
    """Every label when they fit; else every k-th (the table has them all); each cut to the
    room it has."""
    longest = max(text_width(label, SMALL) for label in categories) + 6
    every = max(1, math.ceil(min(longest, 10 * SMALL * CHAR) / band))
    parts = []
    for index, label in enumerate(categories):
        if index % every:
            continue
        x = left + band * (index + 0.5)
        room = min(band * every - 4, 2 * (WIDTH - x) - 2)  # never past the right edge
        parts.append(_text(x, baseline + 16, shorten(label, room), size=SMALL))
    return parts


def _no_data(title: str, chart_id: str, message: str) -> str:
    height = 80
    return _frame(title, chart_id, height, [_text(WIDTH / 2, height / 2, message, fill="#52606d")])


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str,
    stacked: bool = False,
    unit: str = "",
    height: int = 240,
    axis_max: float | None = None,
    no_data: str = "No data",
    marked: Collection[tuple[int, int]] = (),
) -> str:
    """Bars per category: side by side for several series, or stacked with the total on top.

    Values are written on the bars when there is room; each bar has a tooltip. The bars in
    `marked`, (category index, series index) pairs, are figures over too few cases to read as
    a trend: drawn pale, their value (a stack's total) followed by "*", as in the table.
    """
    totals = [
        sum(float(item.values[index] or 0) for item in series) for index in range(len(categories))
    ]
    peaks = totals if stacked else [float(v or 0) for item in series for v in item.values]
    known = [v for item in series for v in item.values if v is not None]
    # A measured zero (0% repaid) is a figure to show, not an absence: only a chart with no
    # value at all, or stacked bars that add up to nothing, says there is no data.
    if not categories or not known or (stacked and max(peaks, default=0) <= 0):
        return _no_data(title, chart_id, no_data)
    colors = _colors(series)
    legend, legend_height = _legend(series, colors) if len(series) > 1 else ([], 0)
    top = TOP + legend_height + 10
    plot_height = height - top - BOTTOM
    top_value, step = nice_ceiling(axis_max or max(peaks))
    left = _left_margin(top_value, step, unit)
    parts, baseline = _axes(left, top, plot_height, top_value, step, unit)
    parts = legend + parts
    band = (WIDTH - left - RIGHT) / len(categories)
    gap = band * 0.2
    slots = 1 if stacked else len(series)
    bar_width = (band - gap) / slots
    for index, category in enumerate(categories):
        x0 = left + band * index + gap / 2
        stack_base = baseline
        for slot, (item, color) in enumerate(zip(series, colors, strict=True)):
            value = item.values[index]
            if value is None or float(value) <= 0:
                zero = format_number(value, unit) + (MARK if (index, slot) in marked else "")
                if value is not None and not stacked and fits(zero, bar_width + 2):
                    x = x0 + slot * bar_width
                    parts.append(_text(x + bar_width / 2, baseline - 3, zero, size=SMALL))
                continue
            bar_height = plot_height * float(value) / top_value
            x = x0 if stacked else x0 + slot * bar_width
            y = (stack_base if stacked else baseline) - bar_height
            mark = MARK if (index, slot) in marked else ""
            label = format_number(value, unit) + mark
            tip = f"{category} · {item.name}: {label}"
            pale = f' fill-opacity="{PALE}"' if mark else ""
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_width - 1, 1):.1f}" '
                f'height="{bar_height:.1f}" fill="{color}"{pale}>'
                f"<title>{escape(tip)}</title></rect>"
            )
            if stacked:
                stack_base = y
            elif fits(label, bar_width + 2):
                parts.append(_text(x + bar_width / 2, y - 3, label, size=SMALL))
        total = format_number(totals[index], unit)
        if any((index, slot) in marked for slot in range(len(series))):
            total += MARK
        if stacked and totals[index] > 0 and fits(total, bar_width + 2):
            parts.append(_text(x0 + bar_width / 2, stack_base - 3, total, size=SMALL))
    parts += _category_labels(categories, left, band, baseline)
    return _frame(title, chart_id, height, parts)


def line_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str,
    unit: str = "",
    height: int = 240,
    axis_max: float | None = None,
    no_data: str = "No data",
) -> str:
    """A line per series with a dot at each value; a missing value breaks the line."""
    values = [float(v) for item in series for v in item.values if v is not None]
    if not categories or not values or max(values) <= 0:
        return _no_data(title, chart_id, no_data)
    colors = _colors(series)
    legend, legend_height = _legend(series, colors) if len(series) > 1 else ([], 0)
    top = TOP + legend_height + 10
    plot_height = height - top - BOTTOM
    top_value, step = nice_ceiling(axis_max or max(values))
    left = _left_margin(top_value, step, unit)
    parts, baseline = _axes(left, top, plot_height, top_value, step, unit)
    parts = legend + parts
    band = (WIDTH - left - RIGHT) / len(categories)
    show_values = len(categories) <= 12 and len(series) == 1
    lines: list[str] = []
    marks: list[str] = []
    for item, color in zip(series, colors, strict=True):
        segments: list[list[str]] = [[]]
        for index, value in enumerate(item.values):
            if value is None:
                segments.append([])
                continue
            x = left + band * (index + 0.5)
            y = baseline - plot_height * float(value) / top_value
            segments[-1].append(f"{x:.1f},{y:.1f}")
            tip = f"{categories[index]} · {item.name}: {format_number(value, unit)}"
            marks.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}">'
                f"<title>{escape(tip)}</title></circle>"
            )
            if show_values:
                marks.append(_text(x, y - 7, format_number(value, unit), size=SMALL))
        lines += [
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" stroke-width="2"/>'
            for points in segments
            if len(points) > 1
        ]
    parts += lines + marks
    parts += _category_labels(categories, left, band, baseline)
    return _frame(title, chart_id, height, parts)
