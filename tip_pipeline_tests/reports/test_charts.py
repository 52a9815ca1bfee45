import math
import re
import xml.etree.ElementTree as ET

from tip_pipeline.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(chart.svg)  # well-formed XML


def _accessible(chart: charts.Chart) -> None:
    root = _parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart.id}-title {chart.id}-desc"
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}desc").text == chart.description
    assert root.findall(f".//{SVG}text[@class='axis-title']"), "axis titles"


def test_nice_ticks_cover_the_range_with_round_steps():
    assert charts.nice_ticks(0, 73) == [0, 20, 40, 60, 80]
    ticks = charts.nice_ticks(-12.5, 40)
    assert ticks[0] <= -12.5 and ticks[-1] >= 40
    assert charts.nice_ticks(5, 5)[-1] > 5


def test_trend_chart_is_accessible_and_skips_suppressed_points():
    chart = charts.trend_chart(
        "t",
        "CLA over time",
        "Line chart",
        ["2022/23", "2023/24", "2024/25"],
        [charts.Series("Leeds", [70.0, math.nan, 72.0], [65, math.nan, 67], [75, math.nan, 77],
                       [False, True, False])],
        "per 10,000",
        baseline=("2022/23", 70.0),
    )  # fmt: skip
    _accessible(chart)
    root = _parse(chart)
    assert len(root.findall(f".//{SVG}circle")) == 2 + 1  # two points and the legend marker
    assert "baseline 2022/23" in chart.svg
    assert root.findall(f".//{SVG}text[@class='suppressed-mark']")


def test_decile_chart_marks_a_suppressed_decile_and_draws_the_sii_line():
    values = charts.Series("v", [10.0, 8.0, math.nan], [9, 7, math.nan], [11, 9, math.nan],
                           [False, False, True])  # fmt: skip
    chart = charts.decile_chart("d", "By decile", "Bars", [1, 2, 3], values, [10, 8, math.nan], "u")
    _accessible(chart)
    assert chart.svg.count("<rect") == 2 + 1  # two bars, one legend swatch
    assert ">suppressed</text>" in chart.svg
    assert "<polyline" in chart.svg


def test_funnel_chart_labels_outliers_at_99_8():
    points = [
        charts.FunnelPoint("Armley", 5000, 150.0, "99.8"),
        charts.FunnelPoint("Headingley", 4000, 70.0, ""),
    ]
    grid = [1000.0, 3000.0, 6000.0]
    limits = {"95": ([50, 60, 65], [100, 90, 85]), "99.8": ([40, 55, 60], [110, 95, 90])}
    chart = charts.funnel_chart("f", "Funnel", "Wards", points, 72.0, grid, limits, "n", "u")
    _accessible(chart)
    assert ">Armley</text>" in chart.svg and ">Headingley</text>" not in chart.svg


def test_okabe_ito_palette_only():
    chart = charts.hbar_chart(
        "h", "Bars", "Bars", ["a long category label that needs wrapping onto two lines", "b"],
        [charts.Series("s", [1.0, 2.0], colour=charts.ORANGE)], "x",
    )  # fmt: skip
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', chart.svg))
    assert colours <= {*charts.PALETTE, charts.GREY, "#DDDDDD"}
    assert len(charts.wrap("a long category label that needs wrapping onto two lines")) == 2
