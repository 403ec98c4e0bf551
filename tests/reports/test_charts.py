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


def test_a_measured_zero_percent_is_drawn_not_called_missing():
    svg = bar_chart(
        ["M1", "M2"],
        [Series("Approved", [0, Decimal("0")]), Series("Rejected", [None, 0])],
        title="t",
        chart_id="c",
        unit="%",
        axis_max=100,
        no_data="Nothing here",
    )
    assert "Nothing here" not in svg
    assert "0%" in [text.text for text in parse(svg).iter(f"{SVG}text")][-6:]


def test_a_chart_with_no_value_at_all_says_there_is_no_data():
    svg = bar_chart(["M1"], [Series("a", [None]), Series("b", [None])], title="t", chart_id="c",
                    no_data="Nothing here")  # fmt: skip
    assert "Nothing here" in svg


def test_a_chinese_legend_never_runs_into_the_next_colour_box():
    """A Chinese character is drawn a whole em wide (12 px at the legend's size)."""
    names = ["已批准", "未获批准", "已撤回", "平均减免比例"]
    root = parse(bar_chart(["M1"], [Series(name, [1]) for name in names], title="t",
                           chart_id="c", stacked=True))  # fmt: skip
    boxes = [rect for rect in root.iter(f"{SVG}rect") if rect.get("width") == "12"]
    labels = [text for text in root.iter(f"{SVG}text") if text.text in names]
    assert len(boxes) == len(labels) == 4
    for label, next_box in zip(labels, boxes[1:], strict=False):
        if float(next_box.get("y")) != float(boxes[0].get("y")):
            continue  # the next item starts a new row
        text_end = float(label.get("x")) + len(label.text) * 12
        assert text_end < float(next_box.get("x")), (label.text, text_end, next_box.get("x"))
