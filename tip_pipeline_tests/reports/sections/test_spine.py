"""The spine chart section: one row per indicator benchmarked for the LA in the year, in
catalogue order, its figures equal to the warehouse's (England's spread recomputed here with
NumPy's linear percentiles, the interpolation Fingertips uses); a suppressed value shown as
suppressed with no marker, never 0; an indicator with too few authorities' values left out
with the reason said."""

import html as html_text
import math
import re

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from tip_pipeline.indicators.catalogue import INDICATORS
from tip_pipeline.publish.benchmarking import NO_FILE_VALUE, SUPPRESSED
from tip_pipeline.reports.build import build
from tip_pipeline.reports.context import ShownIndicator
from tip_pipeline.reports.sections import spine
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline_tests.published import EARLIER, FTE, LA, LATEST, OTHER_LAS, fill_published
from tip_pipeline_tests.reports.tables import number, tables

CLA = "cla_31mar"
#: the LA against England in the hand-made layer, as Fingertips words it: children looked
#: after (no polarity) 71.2 against 70.0 with overlapping limits in 2024/25, 80.0 against 71.0
#: in 2023/24 (published "higher"); first-time entrants (higher is worse) 250 against 160
COMPARED = {(LATEST, CLA): "Similar", (EARLIER, CLA): "Higher", (EARLIER, FTE): "Worse"}
MARKER = 'class="mark spine-marker"'


def _sql(engine, sql: str, **params) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn, params=params)


def _close(shown: str, expected: float) -> None:
    value, tolerance = number(shown)
    assert value == pytest.approx(expected, abs=tolerance), (shown, expected)


@pytest.mark.parametrize("period", [LATEST, EARLIER])
def test_the_table_equals_the_warehouse(published, period):
    built = build(published, LA, period)
    rows = tables(built.html)["spine"]
    bench = _sql(
        published,
        "SELECT indicator_id, area_code, value FROM published.la_benchmarking "
        "WHERE la_code = :la AND period = :p",
        la=LA,
        p=period,
    )
    catalogue = _sql(published, "SELECT * FROM published.dim_indicator").set_index("indicator_id")
    expected_ids = [i for i in INDICATORS if i in set(bench["indicator_id"])]
    assert [r[0] for r in rows] == [catalogue.loc[i, "indicator_name"] for i in expected_ids]
    for row, ind_id in zip(rows, expected_ids, strict=True):
        values = bench.loc[bench["indicator_id"] == ind_id]
        head = _sql(
            published,
            "SELECT numerator FROM published.indicator_values WHERE indicator_id = :i "
            "AND period = :p AND area_code = :la AND breakdown = 'total'",
            i=ind_id,
            p=period,
            la=LA,
        )
        england = _sql(
            published,
            "SELECT comparator_value FROM published.indicator_comparisons WHERE indicator_id = "
            ":i AND period = :p AND area_code = :la AND comparator_type = 'england'",
            i=ind_id,
            p=period,
            la=LA,
        )
        assert row[1] == catalogue.loc[ind_id, "unit"]
        _close(row[2], head["numerator"].iloc[0])
        _close(row[3], values.loc[values["area_code"] == LA, "value"].iloc[0])
        _close(row[4], england["comparator_value"].iloc[0])
        assert row[5] == COMPARED[(period, ind_id)]
        present = values["value"].dropna().to_numpy(float)
        p25, p75 = np.percentile(present, [25, 75])
        worse_high = catalogue.loc[ind_id, "polarity"] == "higher is worse"
        worst, best = (
            (present.max(), present.min()) if worse_high else (present.min(), present.max())
        )
        for shown, figure in zip(row[6:10], (worst, p25, p75, best), strict=True):
            _close(shown, figure)
        assert row[10] == str(len(present))
    assert built.html.count(MARKER) == len(rows)  # one marker per indicator: none suppressed
    assert f"Of the {len(rows)} indicator(s) charted" in built.html


def test_the_spine_is_placed_before_the_indicators(published):
    built = build(published, LA, EARLIER)
    assert built.html.index('id="benchmarking"') < built.html.index('id="indicators"')
    assert 'id="chart-spine"' in built.html


@pytest.fixture
def altered(migrated_sqlite_url):
    """The hand-made layer with first-time entrants of 2023/24 withheld for Leeds (as
    publishing withholds a value: its figures NULL, its comparison not compared, its
    benchmarking value NULL with the note) and only three authorities with a value of children
    looked after in 2024/25."""
    engine = make_engine(migrated_sqlite_url)
    fill_published(engine)
    key = {"i": FTE, "p": EARLIER, "la": LA}
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE published.indicator_values SET numerator = NULL, value = NULL, "
                "lower_ci_95 = NULL, upper_ci_95 = NULL, lower_ci_99_8 = NULL, "
                "upper_ci_99_8 = NULL, compared_to_benchmark = 'not compared', suppressed = :t "
                "WHERE indicator_id = :i AND period = :p AND area_code = :la"
            ),
            {**key, "t": True},
        )
        conn.execute(
            text(
                "UPDATE published.indicator_comparisons SET value = NULL, lower_ci_95 = NULL, "
                "upper_ci_95 = NULL, result = 'not compared', suppressed = :t "
                "WHERE indicator_id = :i AND period = :p AND area_code = :la"
            ),
            {**key, "t": True},
        )
        conn.execute(
            text(
                "UPDATE published.la_benchmarking SET value = NULL, value_note = :note "
                "WHERE indicator_id = :i AND period = :p AND area_code = :la"
            ),
            {**key, "note": SUPPRESSED},
        )
        conn.execute(
            text(
                "UPDATE published.la_benchmarking SET value = NULL, value_note = :note "
                "WHERE indicator_id = :i AND period = :p AND area_code NOT IN (:la, :a, :b)"
            ),
            {"i": CLA, "p": LATEST, "la": LA, "a": OTHER_LAS[0], "b": OTHER_LAS[1],
             "note": NO_FILE_VALUE},
        )  # fmt: skip
    yield engine
    engine.dispose()


def test_a_suppressed_value_is_shown_suppressed_with_no_marker(altered):
    built = build(altered, LA, EARLIER)
    rows = {r[0]: r for r in tables(built.html)["spine"]}
    fte = rows["First-time entrants to the youth justice system"]
    assert fte[2:4] == ["suppressed", "suppressed"] and fte[5] == "Not compared"
    assert all(number(c)[0] > 0 for c in fte[6:10])  # England's spread is still shown
    assert built.html.count(MARKER) == 1  # children looked after only
    svg = re.search(r'<svg[^>]*id="chart-spine".*?</svg>', built.html, re.S).group(0)
    assert 'class="suppressed-mark">suppressed</text>' in svg
    assert 'data-row="1"' in svg and f'{MARKER} data-row="1"' not in svg
    assert "the value of Leeds is suppressed" in html_text.unescape(svg)
    assert ">0.0<" not in svg and ">0<" not in svg


def test_an_indicator_with_too_few_values_is_left_out_with_the_reason(altered):
    built = build(altered, LA, LATEST)
    shown = html_text.unescape(built.html)
    assert 'id="benchmarking"' in built.html and 'id="chart-spine"' not in built.html
    assert (
        "Not charted: Children looked after at 31 March, because only 3 of England's "
        "authorities have a published value; Fingertips draws a spine from 4 or more."
    ) in shown
    assert "spine" not in tables(built.html)


# -- the pieces ------------------------------------------------------------------------------


def test_englands_spread_is_fingertips_percentiles_of_the_values_present():
    values = pd.Series([5.0, 1.0, math.nan, 3.0, 10.0, 7.0])
    spread = spine.england_spread(values)
    assert spread is not None
    p25, p75 = np.percentile([1.0, 3.0, 5.0, 7.0, 10.0], [25, 75])
    assert (spread.lowest, spread.p25, spread.p75, spread.highest) == (1.0, p25, p75, 10.0)
    assert spread.authorities == 5
    assert (spread.worst("higher is worse"), spread.best("higher is worse")) == (10.0, 1.0)
    assert (spread.worst("no judgement"), spread.best("no judgement")) == (1.0, 10.0)
    assert spine.england_spread(pd.Series([1.0, 2.0, 3.0, math.nan])) is None
    assert spine.england_spread(pd.Series([1.0, 2.0, 3.0, 4.0])) is not None


@pytest.mark.parametrize(
    ("result", "polarity", "words"),
    [("higher", "higher is worse", "worse"), ("lower", "higher is worse", "better"),
     ("higher", "higher is better", "better"), ("lower", "higher is better", "worse"),
     ("higher", "no judgement", "higher"), ("lower", "", "lower"),
     ("similar", "higher is worse", "similar"), ("not compared", "higher is worse",
     "not compared"), (None, "no judgement", "not compared")],
)  # fmt: skip
def test_the_comparison_is_worded_as_fingertips_words_it(result, polarity, words):
    assert spine.comparison(result, polarity) == words


def _row(comparison: str, value: float, suppressed: bool = False) -> spine.SpineRow:
    ind = ShownIndicator("x", "X", "u", "higher is worse", 100.0, "proportion")
    spread = spine.EnglandSpread(10.0, 20.0, 30.0, 40.0, 150)
    return spine.SpineRow(ind, 5.0, value, suppressed, 25.0, comparison, spread)


def test_the_statement_counts_the_comparisons_and_the_middle_half():
    rows = [_row("better", 15.0), _row("similar", 25.0), _row("similar", 30.0),
            _row("not compared", math.nan, suppressed=True)]  # fmt: skip
    text_ = spine.spine_statement("Leeds", rows)
    assert text_.startswith(
        "Of the 4 indicator(s) charted, Leeds is significantly better than England on 1, "
        "similar to England on 2 and not compared with England on 1 (its value suppressed or "
        "missing)."
    )
    assert text_.endswith("on 2 of the 3 with a published value.")
    assert "No indicator" in spine.spine_statement("Leeds", [])


def test_a_suppressed_row_reads_suppressed_in_the_table_and_the_alt_text():
    row = _row("not compared", math.nan, suppressed=True)
    cells = spine.table_row(row)
    assert cells[2:4] == ["suppressed", "suppressed"]
    assert cells[6] == "40.0" and cells[9] == "10.0"  # higher is worse: worst is the highest
    assert "the value of Leeds is suppressed" in spine.alt_text("Leeds", "2024/25", [row])
    assert not spine.vertebra(row).high_is_best


@pytest.mark.postgres
def test_the_spine_reads_the_same_on_postgresql(published, published_postgres_url):
    engine = make_engine(published_postgres_url)
    try:
        on_postgres = tables(build(engine, LA, EARLIER).html)["spine"]
    finally:
        engine.dispose()
    assert on_postgres == tables(build(published, LA, EARLIER).html)["spine"]
