"""The report built from the hand-made published layer: its figures equal the warehouse's,
suppressed cells read "suppressed", and it loads nothing from anywhere."""

import re
from html import escape

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from tip_pipeline import stats
from tip_pipeline.reports import build_report
from tip_pipeline.reports.build import SECTIONS
from tip_pipeline.reports.context import ShownIndicator
from tip_pipeline.reports.data import load
from tip_pipeline.reports.sections.indicator import deciles, sii_fitted, ward_funnel, wards
from tip_pipeline_tests.published import LA, LATEST, POPULATION
from tip_pipeline_tests.reports.tables import number, tables

SHOWN_PERIODS = 6


def _sql(engine, sql: str, **params) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn, params=params)


def _close(shown: str, expected: float) -> None:
    value, tolerance = number(shown)
    assert value == pytest.approx(expected, abs=tolerance), (shown, expected)


@pytest.mark.parametrize("indicator", ["cla_31mar", "cin_referrals"])
def test_trend_tables_equal_the_warehouse(built, published, indicator):
    rows = tables(built.html)[f"trend-{indicator}"]
    expected = _sql(
        published,
        "SELECT period, numerator, denominator, value, lower_ci_95, upper_ci_95, suppressed "
        "FROM published.indicator_values WHERE indicator_id = :i AND area_code = :a "
        "AND breakdown = 'total' ORDER BY period",
        i=indicator,
        a=LA,
    )
    assert [r[0] for r in rows] == list(expected["period"])
    assert len(rows) == SHOWN_PERIODS
    for row, (_, e) in zip(rows, expected.iterrows(), strict=True):
        _close(row[1], e["numerator"])
        _close(row[2], e["denominator"])
        _close(row[3], e["value"])
        lower, upper = row[4].split(" to ")
        _close(lower, e["lower_ci_95"])
        _close(upper, e["upper_ci_95"])


def test_ward_decile_and_prevalence_tables_equal_the_warehouse(built, published):
    shown = tables(built.html)
    wards = _sql(
        published,
        "SELECT area_name, value, suppressed FROM published.indicator_values "
        "WHERE indicator_id = 'cin_referrals' AND area_type = 'ward' AND period = :p",
        p=LATEST,
    ).set_index("area_name")
    for row in shown["wards-cin_referrals"]:
        if wards.loc[row[0], "suppressed"]:
            assert row[3] == "suppressed"
        else:
            _close(row[3], wards.loc[row[0], "value"])
    deciles = _sql(
        published,
        "SELECT category, value FROM published.indicator_values WHERE indicator_id = "
        "'cin_referrals' AND breakdown = 'imd_decile' AND period = :p",
        p=LATEST,
    ).set_index("category")
    for row in shown["deciles-cin_referrals"]:
        _close(row[3], deciles.loc[row[0], "value"])
    prevalence = _sql(
        published,
        "SELECT measure_label, share_pct FROM published.prevalence_summary "
        "WHERE basis = 'modelled' AND period = :p",
        p=LATEST,
    ).set_index("measure_label")
    for row in shown["prevalence"]:
        label = row[0].removeprefix("Children who ")
        if label in prevalence.index:
            _close(row[1], prevalence.loc[label, "share_pct"])


def test_comparisons_equal_the_warehouse(built, published):
    expected = _sql(
        published,
        "SELECT comparator_name, comparator_value, result FROM published.indicator_comparisons "
        "WHERE indicator_id = 'cla_31mar' AND period = :p",
        p=LATEST,
    ).set_index("comparator_name")
    rows = tables(built.html)["compare-cla_31mar"]
    assert {r[0] for r in rows} == set(expected.index)
    for row in rows:
        _close(row[1], expected.loc[row[0], "comparator_value"])
        assert row[4] == expected.loc[row[0], "result"]


def test_suppressed_cells_read_suppressed_never_zero(built):
    shown = tables(built.html)
    wetherby = next(r for r in shown["wards-cla_31mar"] if r[0] == "Wetherby")
    assert wetherby[1] == wetherby[3] == wetherby[4] == "suppressed"
    assert shown["deciles-cla_31mar"][9][3] == "suppressed"
    adversity = {r[0]: r for r in shown["adversity"]}
    assert adversity["4+"][1:] == ["suppressed"] * 3 and adversity["0"][1] == "suppressed"
    homeless = next(r for r in shown["prevalence"] if "homelessness" in r[0])
    assert homeless[5:8] == ["suppressed"] * 3  # after the two modelled-range columns
    assert "the slope index of inequality is suppressed" in built.html
    for row in (wetherby, shown["deciles-cla_31mar"][9], adversity["4+"]):
        assert "0" not in row[1:4] and "0.0" not in row[1:4]


def test_change_and_trend_are_read_from_the_published_trends(built, published):
    """The change sentence's figures are ``published.indicator_trends``' change since baseline,
    the same as stats.change_test on the published counts (the figures the report computed
    itself before); the trend sentence is the table's recent trend in Fingertips' words."""
    series = _sql(
        published,
        "SELECT period, numerator, denominator FROM published.indicator_values "
        "WHERE indicator_id = 'cin_referrals' AND area_type = 'la' AND breakdown = 'total' "
        "ORDER BY period",
    )
    first, last = series.iloc[0], series.iloc[-1]
    test = stats.change_test(
        first["numerator"], first["denominator"], last["numerator"], last["denominator"],
        kind="rate", multiplier=10_000,
    )  # fmt: skip
    trend = _sql(
        published,
        "SELECT * FROM published.indicator_trends WHERE indicator_id = 'cin_referrals' "
        "AND area_type = 'la' AND period = :p",
        p=LATEST,
    ).iloc[0]
    assert trend["change_since_baseline"] == pytest.approx(float(test.difference))
    assert trend["change_p_value"] == pytest.approx(float(test.p_value))
    assert trend["baseline_period"] == first["period"]
    assert f"a change of +{trend['change_since_baseline']:.1f}" in built.html
    assert trend["recent_trend"] == "Increasing"
    assert (
        escape(
            f"Over the five years from {trend['first_period']} to {LATEST} the recent trend is "
            "increasing (Fingertips' recent trend, weighted regression, 99.8% level"
        )
        in built.html
    )
    summary = {r[0]: r for r in tables(built.html)["summary"]}
    referrals = next(r for name, r in summary.items() if "Referrals" in name)
    assert referrals[6] == "Increasing"
    change = referrals[5].lstrip("'")  # a leading + is neutralised for spreadsheets
    assert change.startswith(f"+{trend['change_since_baseline']:.1f} since 2019/20 (significant)")


def test_funnel_leaves_out_suppressed_wards_and_names_outliers(published):
    loaded = load(published, None, None)
    ind = ShownIndicator("cin_referrals", "Referrals", "u", "no judgement", 10_000, "rate")
    with published.connect() as conn:
        ward_rows = wards(conn, loaded.area_code, loaded.period)
    ward_rows = ward_rows[ward_rows["indicator_id"] == "cin_referrals"]
    la = loaded.series[(loaded.series["indicator_id"] == "cin_referrals")]
    funnel = ward_funnel(ward_rows, float(la["value"].iloc[-1]), ind)
    assert funnel is not None
    assert {p.name for p in funnel.points} == {
        "Armley", "Headingley", "Gipton & Harehills", "Burmantofts & Richmond Hill",
        "Chapel Allerton",
    }  # fmt: skip
    gipton = next(p for p in funnel.points if p.name == "Gipton & Harehills")
    assert gipton.outside == "99.8"  # 1,017 against an LA rate of 612 per 10,000


def test_every_chart_has_a_table_and_a_title(built):
    assert built.charts == built.html.count('<svg xmlns="http://www.w3.org/2000/svg"')
    assert built.charts == built.html.count('class="figure-row')
    assert built.charts == built.html.count("<desc id=")


def test_self_contained_no_external_resource(built):
    html = built.html
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert "<img" not in html and "<iframe" not in html and "url(http" not in html
    urls = re.findall(r"https?://[^\s\"'<>]+", html)
    assert set(urls) == {"http://www.w3.org/2000/svg"}, urls  # a namespace name, never fetched
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert "default-src 'none'" in html  # and the browser is told to load nothing anyway


def test_accessible_structure(built):
    html = built.html
    assert '<html lang="en-GB">' in html and "@media print" in html
    assert html.count('role="img"') == built.charts
    assert "<caption>" in html and 'scope="col"' in html


def test_every_id_is_unique(built):
    """A section, its chart and its table each have an id of their own (links, captions and
    assistive technology resolve an id to one element)."""
    ids = re.findall(r'\sid="([^"]+)"', built.html)
    assert ids and len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)


def test_the_seed_prevalence_slide_is_shown_beside_for_leeds(built):
    row = tables(built.html)["prevalence"][0]
    assert row[-2:] == ["19.8%", "33,580"]
    assert f"children aged 0-17: {POPULATION:,}" in built.html


def test_build_report_returns_the_document(published):
    assert build_report(published, LA, "2023/24").startswith("<!DOCTYPE html>")


def test_the_sections_are_shown_in_the_order_listed(built):
    """``build`` walks ``SECTIONS``: each section once, in the listed order."""
    assert len(SECTIONS) == 12
    ids = re.findall(r'<section id="([^"]+)"', built.html)
    assert ids == [
        "summary",
        "population",
        "prevalence",
        "hidden-need",
        "benchmarking",
        "indicators",
        "poorest-fastest",
        "adversity",
        "flows",
        "cohorts",
        "data-quality",
        "appendix",
    ]


def test_the_sii_fit_is_drawn_as_the_published_curve(published):
    """A log fit: the dashed fit through the deciles is exp(a + c b), its ends the published
    Y0 (sii_intercept) and Y1 = Y0 + SII, convex between them -- a curve, not the line."""
    loaded = load(published, None, None)
    with published.connect() as conn:
        rows = deciles(conn, loaded.area_code, loaded.period)
    d = rows[rows["indicator_id"] == "cin_referrals"]
    row = loaded.inequality.set_index("indicator_id").loc["cin_referrals"]
    ind = ShownIndicator("cin_referrals", "Referrals", "u", "no judgement", 10_000, "rate")
    fitted = np.array(sii_fitted(d, row, ind))
    usable = ~d["suppressed"].to_numpy(bool) & d["value"].notna().to_numpy()
    pop = np.where(usable, d["denominator"].to_numpy(float), 0.0)
    b = np.cumsum(pop / pop.sum()) - pop / pop.sum() / 2
    y0, y1 = row["sii_intercept"], row["sii_intercept"] + row["sii"]
    expected = np.exp(np.log(y0) + (np.log(y1) - np.log(y0)) * b)
    np.testing.assert_allclose(fitted[usable], expected[usable], rtol=1e-12)
    assert np.isnan(fitted[~usable]).all()
    line = y0 + row["sii"] * b
    assert (fitted[usable] < line[usable]).all()  # convex: below the chord
    built_html = build_report(published, None, None)
    assert "dashed curve (fitted on the log or logit scale)" in built_html


def test_modelled_prevalence_is_shown_with_its_modelled_range(built, published):
    """Every modelled toxic-trio row shows the range beside the central figure, labelled
    "modelled range" (not a confidence interval), in the prevalence and hidden-need tables."""
    expected = _sql(
        published,
        "SELECT measure_label, range_low_pct, range_high_pct, range_low_children, "
        "range_high_children FROM published.prevalence_summary "
        "WHERE basis = 'modelled' AND period = :p",
        p=LATEST,
    ).set_index("measure_label")
    shown = tables(built.html)
    checked = 0
    for row in shown["prevalence"]:
        label = row[0].removeprefix("Children who ")
        if label not in expected.index:
            continue
        low, high = row[2].split(" to ")
        _close(low.rstrip("%"), expected.loc[label, "range_low_pct"])
        _close(high.rstrip("%"), expected.loc[label, "range_high_pct"])
        low, high = row[4].split(" to ")
        _close(low, expected.loc[label, "range_low_children"])
        _close(high, expected.loc[label, "range_high_children"])
        checked += 1
    assert checked == len(expected) > 0
    for row in shown["hidden-need"]:
        assert " to " in row[2] and (" to " in row[5] or row[5] == "suppressed")
    assert "Modelled range (children)" in built.html
    assert "not a confidence interval" in built.html
