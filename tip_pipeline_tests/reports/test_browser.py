"""The report in a real browser: Debian's Chromium driven by Playwright opens the file:// report
offline, with no console error, no request but the file itself, and every chart rendered (a
nonzero box); a full-page screenshot is kept in artifacts/. Skips without /usr/bin/chromium or
Playwright, unless TIP_REQUIRE_BROWSER=1 (CI), where it fails instead (as test_ui).

Nothing out of place (issue #20), at a desktop width and at A4 print width: no two texts of a
chart overlap or run off its edge, no label (the baseline's, a funnel's ward names) lies on a
plotted line or marker, no text of the population pyramid lies on one of its bars, no text of
the flow matrix runs out of its cell, no table
row is cut off by its container or the page, and no blank band lies under a chart
(``layout_probe.js`` measures what the browser laid out)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tip_pipeline.reports.build import build
from tip_pipeline_tests.optional import CHROMIUM, browser_problem, skip_or_fail
from tip_pipeline_tests.published import EARLIER, LA, LATEST

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip

PROBE = (Path(__file__).parent / "layout_probe.js").read_text(encoding="utf-8")
#: (viewport width in CSS px, media): a desktop screen, and A4 portrait's printable width
LAYOUTS = [(1400, "screen"), (794, "print")]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser_ready() -> None:
    skip_or_fail(browser_problem(), "TIP_REQUIRE_BROWSER")


def test_report_renders_offline_with_no_error_and_no_request(browser_ready, report_file, built):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    url = report_file.resolve().as_uri()
    console, requests, failures = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failures.append(r.url))
        page.goto(url, wait_until="load")
        boxes = page.eval_on_selector_all(
            "svg.chart",
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [e.id, r.width, r.height, e.querySelectorAll('*').length]; })",
        )
        page.screenshot(path=str(ARTIFACTS / "impact_report.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(ARTIFACTS / "impact_report_print.png"), full_page=True)
        browser.close()
    assert [m for m in console if not m.startswith(("log:", "info:", "debug:"))] == []
    assert requests == [url] and failures == []
    assert len(boxes) == built.charts
    for chart_id, width, height, elements in boxes:
        assert width > 0 and height > 0 and elements > 10, chart_id
    pyramid = next(b for b in boxes if b[0] == "chart-population")
    assert pyramid[3] > 2 * 18  # a bar per age and sex, ages, ticks, names


@pytest.mark.parametrize(("width", "media"), LAYOUTS, ids=["desktop", "a4-print"])
def test_nothing_out_of_place(browser_ready, report_file, built, width, media):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport={"width": width, "height": 1000})
        page = context.new_page()
        page.emulate_media(media=media)
        page.goto(report_file.resolve().as_uri(), wait_until="load")
        found = page.evaluate(PROBE)
        browser.close()
    counts = found["counts"]
    assert counts["charts"] == built.charts and counts["rows"] > 50
    # the fixture's layer has cases to get wrong: a baseline label on each trend chart, one
    # near its line, and funnels with outlying wards close together
    assert counts["labels"] >= 2 + 3
    assert max(counts["funnelLabels"].values(), default=0) >= 3
    # the population pyramid: a bar per sex and single year of age, no text on any of them
    assert counts["pyramidBars"] == 2 * 18
    # the flow matrix: a cell per level of each year and their totals, each text in its cell
    assert counts["flowCells"] == 6 * 6
    assert found["problems"] == []


#: the spine chart as the browser lays it out (issue #19): each row's middle band inside its
#: range, one end of the range at the chart's end (Fingertips' scale), England's line central
#: and across every row, the LA's marker on its row and within England's range (it is one of
#: England's authorities)
SPINE_PROBE = """() => {
  const TOL = 2;
  const svg = document.getElementById("chart-spine");
  const box = (el) => el.getBoundingClientRect();
  const found = { rows: 0, markers: 0, problems: [] };
  const say = (text) => found.problems.push(text);
  const titles = [...svg.querySelectorAll("text.axis-title")];
  const left = box(titles.find((t) => t.textContent === "Worst / lowest")).left;
  const right = box(titles.find((t) => t.textContent === "Best / highest")).right;
  const line = box(svg.querySelector(".spine-england"));
  const centre = (line.left + line.right) / 2;
  if (Math.abs(centre - (left + right) / 2) > TOL) say("England's line is not central");
  for (const range of svg.querySelectorAll("rect.spine-range")) {
    found.rows += 1;
    const k = range.getAttribute("data-row");
    const r = box(range);
    const middle = box(svg.querySelector(`rect.spine-middle[data-row="${k}"]`));
    if (middle.left < r.left - TOL || middle.right > r.right + TOL)
      say(`row ${k}: the 25th to 75th percentile band runs outside the range`);
    if (Math.abs(r.left - left) > TOL && Math.abs(r.right - right) > TOL)
      say(`row ${k}: neither end of England's range reaches the chart's end`);
    if (centre < r.left - TOL || centre > r.right + TOL) say(`row ${k}: England off the range`);
    if (line.top > r.top || line.bottom < r.bottom) say(`row ${k}: England's line misses it`);
    const marker = svg.querySelector(`.spine-marker[data-row="${k}"]`);
    if (!marker) continue;
    found.markers += 1;
    const m = box(marker);
    const [x, y] = [(m.left + m.right) / 2, (m.top + m.bottom) / 2];
    if (x < r.left - TOL || x > r.right + TOL) say(`row ${k}: the marker lies off England's range`);
    if (y < r.top || y > r.bottom) say(`row ${k}: the marker lies off its row`);
  }
  return found;
}"""


@pytest.mark.parametrize(("width", "media"), LAYOUTS, ids=["desktop", "a4-print"])
@pytest.mark.parametrize(("period", "benchmarked"), [(LATEST, 1), (EARLIER, 2)])
def test_the_spine_chart_is_drawn_as_fingertips_draws_it(
    browser_ready, published, tmp_path, width, media, period, benchmarked
):
    from playwright.sync_api import sync_playwright

    report = tmp_path / "report.html"
    report.write_text(build(published, LA, period).html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport={"width": width, "height": 1000})
        page = context.new_page()
        page.emulate_media(media=media)
        page.goto(report.resolve().as_uri(), wait_until="load")
        spine = page.evaluate(SPINE_PROBE)
        layout = page.evaluate(PROBE)
        browser.close()
    assert (spine["rows"], spine["markers"]) == (benchmarked, benchmarked)
    assert spine["problems"] == [] and layout["problems"] == []
