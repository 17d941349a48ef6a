"""Server-drawn charts: well-formed SVG, names escaped, accessible titles, sensible axes."""

import datetime
import xml.etree.ElementTree as ET

from stats import charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "Bản Giốc"'
MONTHS = [datetime.date(2026, m, 1) for m in range(1, 13)]


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output; raises on anything that is not well-formed XML


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter() if el.tag in (f"{SVG}text", f"{SVG}title", f"{SVG}desc")]


def test_a_heatmap_escapes_names_and_prints_each_value():
    svg = charts.heatmap(
        title=HOSTILE,
        description="d",
        columns=["1", "2"],
        rows=[(HOSTILE, [12.5, None]), ("Trùng Khánh", [100.0, 0.0])],
    )
    root = parse(svg)
    assert "<script>" not in str(svg)
    assert root.find(f"{SVG}title").text == HOSTILE
    words = texts(root)
    assert any("12,5" in w for w in words)  # Vietnamese decimal comma
    assert any(w.startswith("100") for w in words)
    assert root.get("role") == "img" and root.get("aria-labelledby")


def test_lines_have_one_polyline_per_series_and_skip_missing_months():
    values = [None, 1, 2, 3, None, 5, 6, 7, 8, 9, 10, 11]
    root = parse(
        charts.lines(
            title="t",
            description="d",
            months=MONTHS,
            series=[charts.Series(HOSTILE, values), charts.Series("B", [0] * 12)],
        )
    )
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert len(lines[0].get("points").split()) == 10
    assert "01/26" in texts(root) and "12/26" in texts(root)


def test_small_counts_get_whole_number_ticks():
    root = parse(
        charts.lines(title="t", description="d", months=MONTHS[:3], series=[charts.Series("a", [0, 1, 1])])
    )
    ticks = [t for t in texts(root) if t and t[0].isdigit() and "/" not in t]
    assert ticks == ["0", "1", "2", "3", "4"]


def test_percent_axes_go_to_a_hundred():
    root = parse(
        charts.lines(
            title="t", description="d", months=MONTHS[:2], series=[charts.Series("a", [12.5, 40.0])], unit="%"
        )
    )
    assert "100%" in texts(root)


def test_bars_label_each_bar_with_its_value_and_escape_categories():
    svg = charts.bars(
        title="t",
        description="d",
        categories=[HOSTILE, "BDHVS-02"],
        series=["a", "b"],
        values=[[3, 1], [1200, 0]],
    )
    root = parse(svg)
    assert len(root.findall(f".//{SVG}rect")) == 4 + 2  # bars + legend keys
    assert "1.200" in texts(root)  # grouped the Vietnamese way
    assert "<script>" not in str(svg)


def test_the_same_chart_twice_on_a_page_keeps_its_ids_and_different_charts_differ():
    one = parse(charts.lines(title="A", description="d", months=MONTHS, series=[]))
    two = parse(charts.lines(title="B", description="d", months=MONTHS, series=[]))
    assert one.get("aria-labelledby") != two.get("aria-labelledby")


def test_no_data_says_so():
    assert "No data" in str(charts.empty()) or "Không có" in str(charts.empty())
