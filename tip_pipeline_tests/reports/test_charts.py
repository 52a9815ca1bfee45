import math
import re
import xml.etree.ElementTree as ET

import pytest

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


# -- label layout -----------------------------------------------------------------------------


def test_text_width_follows_the_fonts_advances():
    assert charts.text_width("", 12) == 0
    assert charts.text_width("0000", 10) == 4 * 5.56  # digits are 556 thousandths of an em
    assert charts.text_width("WWW") > charts.text_width("iii") * 3
    box = charts.text_box(100, 50, "abc", 10, "end")
    assert box.right == 100 and box.top < 50 < box.bottom


def test_crosses_is_true_only_for_a_segment_through_the_box():
    box = charts.Box(10, 10, 20, 20)
    assert charts.crosses(box, (0, 15, 30, 15))  # straight through
    assert charts.crosses(box, (12, 12, 13, 13))  # wholly inside
    assert charts.crosses(box, (0, 0, 30, 30))  # the diagonal
    assert not charts.crosses(box, (0, 25, 30, 25))  # below it
    assert not charts.crosses(box, (0, 0, 8, 30))  # stops short of it
    assert not charts.crosses(box, (0, 12, 9, 12))  # horizontal, ends before its left edge


def test_place_labels_takes_the_first_free_candidate_in_priority_order():
    bounds = charts.Box(0, 0, 100, 100)
    first, second, outside = (
        charts.Box(10, 10, 40, 20),
        charts.Box(10, 30, 40, 40),
        charts.Box(90, 10, 120, 20),
    )
    # the second label's first candidate is taken by the first label: it gets its next
    assert charts.place_labels([[first], [first, second]], bounds) == [first, second]
    # a candidate outside the bounds, on a marker or crossed by a line is never used
    assert charts.place_labels([[outside]], bounds) == [None]
    assert charts.place_labels([[first]], bounds, boxes=[charts.Box(35, 15, 45, 25)]) == [None]
    assert charts.place_labels([[first, second]], bounds, segments=[(0, 15, 100, 15)]) == [second]
    # when two labels want one place, the later one goes without
    assert charts.place_labels([[first], [first]], bounds) == [first, None]


def test_placed_labels_never_meet_each_other():
    bounds = charts.Box(0, 0, 640, 360)
    spots = [(500 + 8 * i, 100 + 3 * i, f"Ward number {i}") for i in range(12)]
    candidates = [charts.funnel_label_candidates(x, y, name) for x, y, name in spots]
    placed = [b for b in charts.place_labels(candidates, bounds) if b is not None]
    assert 1 < len(placed) < 12  # a tight cluster: some placed, some left out
    for i, a in enumerate(placed):
        assert a.inside(bounds)
        assert not any(a.meets(b) for b in placed[i + 1 :])


def test_baseline_candidates_lie_just_above_or_below_the_line():
    boxes = charts.baseline_candidates([70, 170, 270], 100.0, "baseline 2019/20")
    assert len(boxes) == 2 * 3  # right end, left end, the one inner edge; above and below
    assert 260 < boxes[0].right <= 270  # right end first, inside the plot
    for box in boxes:
        assert box.bottom <= 100 or box.top >= 100  # never across the line itself


def test_interpolate_and_outlier_order():
    assert charts.interpolate([0, 10], [0, 100], 2.5) == 25
    assert charts.interpolate([0, 10], [0, 100], 20) == 100  # the end value beyond the curve
    assert math.isnan(charts.interpolate([0, 10], [math.nan, math.nan], 5))
    near = charts.FunnelPoint("Near", 1000, 130.0, "99.8")  # limit 120 at 1,000: 1.5 times,
    # though nearer the benchmark than Far
    far = charts.FunnelPoint("Far", 100, 200.0, "99.8")  # limit 180 at 100: 1.25 times
    small = charts.FunnelPoint("Small", 1000, 60.0, "99.8")  # lower limit 80: 2 times
    within = charts.FunnelPoint("In", 1000, 101.0, "")
    limits = ([20, 80], [180, 120])
    ranked = charts.outlier_order([near, far, within, small], 100.0, [100, 1000], limits)
    assert [p.name for p in ranked] == ["Small", "Near", "Far"]


def test_funnel_chart_names_what_fits_and_says_which_it_could_not():
    points = [charts.FunnelPoint(f"Ward {i} with a long name", 5000 + i, 150.0 + i, "99.8")
              for i in range(15)]  # fmt: skip
    grid = [1000.0, 3000.0, 6000.0]
    limits = {"95": ([50, 60, 65], [100, 90, 85]), "99.8": ([40, 55, 60], [110, 95, 90])}
    chart = charts.funnel_chart("f", "Funnel", "Wards.", points, 72.0, grid, limits, "n", "u")
    _accessible(chart)
    named = re.findall(r'class="label">([^<]+)</text>', chart.svg)
    assert named and chart.unlabelled and len(named) + len(chart.unlabelled) == 15
    assert named[0] == "Ward 14 with a long name"  # the most extreme first
    assert "not named on the chart for want of room" in chart.description
    assert "Every ward is in the table" in _parse(chart).find(f"{SVG}desc").text


def test_small_multiples_give_each_panel_its_own_scale():
    rate = charts.Panel(
        "Rate", "per 10,000", [charts.Dot("a", 900.0), charts.Dot("b", 10.0, -5.0, 25.0)]
    )
    share = charts.Panel("Share", "%", [charts.Dot("a", 0.4), charts.Dot("b", math.nan)])
    hidden = charts.Panel("Hidden", "%", [charts.Dot("a", 1.0)], suppressed=True)
    chart = charts.small_multiples_chart("m", "Panels", "Two panels", [rate, share, hidden])
    _accessible(chart)
    root = _parse(chart)
    assert int(root.get("height")) == 8 + sum(map(charts.panel_height, (rate, share, hidden)))
    assert charts.panel_height(hidden) < charts.panel_height(share)
    ticks = [t.text for t in root.findall(f".//{SVG}text") if t.get("class") is None]
    assert "1,000" in ticks and "0.4" in ticks  # each panel's axis runs to its own values
    assert ">not published</text>" in chart.svg and ">suppressed</text>" in chart.svg
    assert len(root.findall(f".//{SVG}line[@class='mark']")) == 3  # one whisker, b of Rate


def test_pyramid_chart_is_accessible_with_both_halves_on_one_scale():
    ages = [str(a) for a in range(18)]
    chart = charts.pyramid_chart(
        "pyr",
        "Children by age and sex",
        "Population pyramid",
        ages,
        charts.Series("Females", [100.0] * 17 + [math.nan], colour=charts.VERMILLION),
        charts.Series("Males", [200.0] * 18, colour=charts.BLUE),
        "Children",
    )
    _accessible(chart)
    root = _parse(chart)
    bars = root.findall(f".//{SVG}rect[@class='mark']")
    assert len(bars) == 17 + 18  # a missing value draws no bar, never one of zero
    widths = {b.find(f"{SVG}title").text.split(",")[0]: float(b.get("width")) for b in bars}
    assert widths["Males"] == pytest.approx(2 * widths["Females"])  # one scale
    females = [b for b in bars if b.find(f"{SVG}title").text.startswith("Females")]
    males = [b for b in bars if b.find(f"{SVG}title").text.startswith("Males")]
    assert max(float(b.get("x")) + float(b.get("width")) for b in females) < min(
        float(b.get("x")) for b in males
    )  # females to the left of the ages, males to the right
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert set(ages) <= set(texts) and {"Females", "Males", "Age"} <= set(texts)
    # the youngest at the bottom
    ys = {t.text: float(t.get("y")) for t in root.iter(f"{SVG}text") if t.text in ("0", "17")}
    assert ys["0"] > ys["17"]
    boxes = [
        charts.text_box(float(t.get("x")), float(t.get("y")), t.text, anchor=t.get("text-anchor"))
        for t in root.iter(f"{SVG}text")
        if t.get("transform") is None and t.text
    ]
    assert not any(a.meets(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


# -- spine chart ------------------------------------------------------------------------------


def test_spine_position_puts_england_central_and_the_best_on_the_right():
    # England 50 between 20 and 60: the lowest, furthest from England, reaches the left end
    assert charts.spine_position(50, 50, 20, 60, True) == 0.5
    assert charts.spine_position(20, 50, 20, 60, True) == 0.0
    assert charts.spine_position(60, 50, 20, 60, True) == pytest.approx(0.5 + 10 / 60)
    # higher is worse: reversed, the highest (worst) on the left, the lowest (best) at 1
    assert charts.spine_position(20, 50, 20, 60, False) == 1.0
    assert charts.spine_position(60, 50, 20, 60, False) == pytest.approx(0.5 - 10 / 60)
    assert charts.spine_position(7, 7, 7, 7, True) == 0.5  # no spread: all at the centre


def _vertebra(label: str, comparison: str, value: float, suppressed: bool = False):
    return charts.Vertebra(label, 70.0, 35.0, 52.5, 87.5, 105.0, value,
                           "suppressed" if suppressed else f"{value:.1f}", comparison,
                           high_is_best=comparison != "worse", suppressed=suppressed)  # fmt: skip


def test_spine_chart_is_accessible_and_marks_no_suppressed_value():
    rows = [_vertebra("Children looked after", "higher", 80.0),
            _vertebra("First-time entrants to the youth justice system", "worse", 140.0),
            _vertebra("Referrals", "not compared", math.nan, suppressed=True)]  # fmt: skip
    chart = charts.spine_chart("s", "Spine", "Three indicators", rows, "Leeds")
    _accessible(chart)
    root = _parse(chart)
    markers = root.findall(".//*[@class='mark spine-marker']")
    assert [m.get("data-row") for m in markers] == ["0", "1"]
    assert len(root.findall(f".//{SVG}rect[@class='spine-range']")) == 3
    assert len(root.findall(f".//{SVG}rect[@class='spine-middle']")) == 3
    assert [t.text for t in root.findall(f".//{SVG}text[@class='suppressed-mark']")] == [
        "suppressed"
    ]
    legend = [t.text for t in root.findall(f".//{SVG}text")]
    assert "Higher (95%)" in legend and "Worse (95%)" in legend and "Better (95%)" not in legend
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', chart.svg))
    assert colours <= {*charts.PALETTE, charts.SPINE_RANGE, charts.SPINE_MIDDLE, charts.WHITE}


def test_spine_chart_draws_each_comparison_in_its_own_shape():
    shapes = {shape for _, _, shape in charts.SPINE_MARKERS.values() if shape != "circle"}
    assert len(shapes) == 4  # better, worse, lower, higher; similar and not compared circles
    fills = [fill for _, fill, _ in charts.SPINE_MARKERS.values()]
    assert len(set(fills)) == len(fills)


def _coordinate(rng, edges: list[float]) -> float:
    """Anywhere, on one of ``edges``, or just off one (by rounding or by up to 1.5 units)."""
    kind = rng.randrange(3)
    if kind == 0:
        return rng.uniform(-50, 700)
    edge = rng.choice(edges)
    return edge if kind == 1 else edge + rng.choice([-1, 1]) * rng.choice([1e-9, 1e-3, 0.5, 1.5])


def test_a_segment_passed_over_as_far_from_a_box_never_crosses_it():
    """``near`` only leaves out segments ``crosses`` finds outside the box: random segments
    about random boxes, with ends on, just inside and just outside the box's edges."""
    import random

    from tip_pipeline.reports.charts import Box, crosses, near, segment_extents

    rng = random.Random(7)
    for _ in range(300):
        left, top = rng.uniform(0, 600), rng.uniform(0, 400)
        box = Box(left, top, left + rng.uniform(0, 80), top + rng.uniform(0, 16))
        edges = [box.left, box.right, box.top, box.bottom]
        segments = [tuple(_coordinate(rng, edges) for _ in range(4)) for _ in range(200)]
        segments.append((box.left, box.top, float("nan"), box.bottom))
        kept = set(near(segment_extents(segments), box).tolist())
        assert not any(crosses(box, s) for i, s in enumerate(segments) if i not in kept)
        assert any(crosses(box, segments[i]) for i in kept)  # the test has crossings to find
        assert len(segments) - 1 in kept  # a coordinate not a number: always tested
