"""The SVG chart helper: pure functions, no database."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from reports.charts import Series, bar_chart, format_number, line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_a_bar_chart_is_inline_svg_with_a_title_a_legend_and_a_bar_per_value():
    svg = bar_chart(
        ["M1", "M2"],
        [Series("Approved", [3, 1]), Series("Rejected", [1, 0])],
        title="Outcomes",
        chart_id="c",
    )
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Outcomes"
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "M1 · Approved: 3",
        "M1 · Rejected: 1",
        "M2 · Approved: 1",
    ]  # a zero draws no bar
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert {"Approved", "Rejected", "M1", "M2"} <= set(texts)


def test_stacked_bars_are_labelled_with_their_total():
    svg = bar_chart(
        ["01-01"], [Series("a", [2]), Series("b", [3])], title="t", chart_id="c", stacked=True
    )
    assert "5" in [text.text for text in parse(svg).iter(f"{SVG}text")]


def test_text_is_escaped():
    svg = bar_chart(["<b>"], [Series("x&y", [1])], title='"quoted" <t>', chart_id="c")
    root = parse(svg)  # parses: nothing unescaped
    assert root.find(f"{SVG}title").text == '"quoted" <t>'
    assert "<b>" not in svg.replace("&lt;b&gt;", "")


def test_no_data_says_so():
    svg = bar_chart([], [], title="t", chart_id="c", no_data="Nothing here")
    assert "Nothing here" in svg
    assert "Nothing here" in line_chart(["a"], [Series("s", [0])], title="t", chart_id="c",
                                        no_data="Nothing here")  # fmt: skip


def test_a_line_chart_breaks_at_missing_values():
    svg = line_chart(
        ["a", "b", "c", "d"], [Series("s", [1, 2, None, 4])], title="t", chart_id="c", unit="%"
    )
    root = parse(svg)
    assert len(list(root.iter(f"{SVG}polyline"))) == 1  # a–b; d stands alone
    assert len(list(root.iter(f"{SVG}circle"))) == 3


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1.0), (3, 4.0), (7, 8.0), (95, 100.0), (100, 100.0), (6096.28, 8000.0)]
)
def test_the_axis_top_is_a_round_number_at_or_above_the_largest_value(value, top):
    assert nice_ceiling(value)[0] == top


def test_numbers_are_grouped_and_rounded():
    assert format_number(Decimal("6096.28")) == "6,096"
    assert format_number(Decimal("66.66"), "%") == "66.7%"
    assert format_number(None) == "–"
