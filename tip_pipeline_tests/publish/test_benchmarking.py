"""published.la_benchmarking: every authority's published value, neighbour and England ranks,
LAIT's quartile band and Fingertips' England quintile, from published values only; the audit
proves that nothing else enters it."""

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.publish import benchmarking as bm
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import make_engine, write_transaction
from tip_pipeline_tests.publish import benchmarking_by_view as by_view

PERIOD = "2023/24"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
HOME = "E08000035"
CLA = "cla_31mar"  # benchmark measure cla_31mar, no judgement
FTE = "yj_first_time_entrants"  # benchmark measure yj_first_time_entrants, higher is worse


# -- the rules, on hand-made values ------------------------------------------------------------


def test_ranks_follow_polarity_and_ties_share_the_lowest_rank():
    values = pd.Series([10.0, 30.0, 20.0, 20.0, np.nan])
    worse = bm.ranks(values, "higher is worse").tolist()
    assert worse == [1, 4, 2, 2, pd.NA]
    better = bm.ranks(values, "higher is better").tolist()
    assert better == [4, 1, 2, 2, pd.NA]
    assert bm.ranks(values, "no judgement").tolist() == better  # 1 = highest, no judgement
    assert bm.rank_order("no judgement").startswith("highest value first (no polarity")
    assert bm.rank_order("higher is worse") == "lowest value first (higher is worse)"


@pytest.mark.parametrize(
    ("rank", "ranked", "band"),
    [(1, 153, "A"), (38, 153, "A"), (39, 153, "B"), (77, 153, "C"), (115, 153, "D"),
     (153, 153, "D"), (1, 4, "A"), (2, 4, "B"), (4, 4, "D"), (None, 153, None)],
)  # fmt: skip
def test_lait_quartile_band_by_quarters_of_the_ranking(rank, ranked, band):
    assert bm.quartile_bands(pd.Series([rank], dtype="Int64"), ranked).tolist() == [band]


def test_quintile_bounds_are_fingertips_interpolated_percentiles():
    """fingertips-open's QuintilesCalculatorTest: 1..50 gives 1, 10.8, 20.6, 30.4, 40.2, 50."""
    bounds = bm.quintile_bounds(pd.Series(np.arange(1, 51, dtype=float)))
    assert bounds.loc[0].tolist() == pytest.approx([1, 10.8, 20.6, 30.4, 40.2, 50])
    assert bm.quintile_bounds(pd.Series([1.0, 2.0, 3.0, 4.0, np.nan])).empty  # four values


def test_quintile_bounds_of_each_view_on_its_own():
    values = pd.Series([*np.arange(1, 51, dtype=float), 1.0, 2.0, 3.0, 4.0, np.nan])
    view = np.array(["a"] * 50 + ["b"] * 5)
    bounds = bm.quintile_bounds(values, view)
    assert bounds.index.tolist() == ["a"]  # b has four values
    assert bounds.loc["a"].tolist() == pytest.approx([1, 10.8, 20.6, 30.4, 40.2, 50])


def test_percentiles_and_bounds_of_every_view_equal_one_view_s():
    """The percentiles of many views at once are, bit for bit, those of each view alone by the
    scalar rule as it was (rounded to 10 decimals, the last value at the end)."""
    rng = np.random.default_rng(7)
    values, labels = [], []
    for view in range(300):
        size = int(rng.integers(1, 40))
        drawn = rng.integers(0, rng.choice([3, 50, 10**6]), size) / rng.choice([1, 7, 3.3])
        values += [*drawn, *([np.nan] * int(rng.integers(0, 3)))]
        labels += [view] * (len(values) - len(labels))
    values = pd.Series(values)
    bounds = bm.quintile_bounds(values, np.array(labels))
    for view, part in values.groupby(labels):
        alone = by_view.quintile_bounds(part)
        assert (alone is None) == (view not in bounds.index)
        if alone is not None:
            assert bounds.loc[view].tolist() == alone  # exact
        present = np.sort(part.dropna().to_numpy())
        for fraction in (0.25, 0.75):
            assert bm.percentile(present, fraction) == by_view.percentile(present, fraction)


def test_a_value_on_a_bound_is_in_the_lower_quintile():
    bounds = bm.quintile_bounds(pd.Series(np.arange(1, 51, dtype=float)))
    values = pd.Series([1, 10.8, 10.9, 30.4, 30.41, 50, np.nan])
    rows = bounds.loc[[0] * len(values)].set_index(values.index)
    assert bm.quintiles(values, rows).tolist() == [1, 1, 2, 3, 4, 5, pd.NA]
    none = bounds.reindex([1]).loc[[1]].set_index(pd.RangeIndex(1))  # a view without bounds
    assert bm.quintiles(pd.Series([5.0]), none).tolist() == [pd.NA]


@pytest.mark.parametrize(
    ("quint", "polarity", "label"),
    [(1, "higher is worse", "Best"), (5, "higher is worse", "Worst"),
     (1, "higher is better", "Worst"), (4, "higher is better", "Better"),
     (3, "no judgement", "Middle"), (5, "no judgement", "Highest"), (2, "no judgement", "Low")],
)  # fmt: skip
def test_fingertips_words_for_quintiles(quint, polarity, label):
    words = bm.compared_to_percentiles(
        pd.Series([quint], dtype="Int64"), polarity, np.array([True]), np.array([True])
    )
    assert words.tolist() == [label]


def test_too_few_values_are_not_compared_and_a_missing_value_has_no_words():
    quint = pd.Series([pd.NA, pd.NA], dtype="Int64")
    words = bm.compared_to_percentiles(
        quint, "higher is worse", np.array([False, False]), np.array([True, False])
    )
    assert words.tolist() == ["Not compared", None]


# -- the table, on a hand-made England -----------------------------------------------------------

NEIGHBOURS = [f"E0600{k:04d}" for k in range(1, 11)]
OTHERS = [f"E0900{k:04d}" for k in range(1, 9)]


def _bench(values: dict[str, float | None], measure: str = CLA) -> pd.DataFrame:
    rows = [
        {
            "time_period": 202324,
            "geographic_level": "Local authority",
            "area_code": code,
            "area_name": f"Area {code}",
            "measure": measure,
            "value": value,
        }
        for code, value in values.items()
    ]
    rows.append({**rows[0], "geographic_level": "National", "area_code": "E92000001"})
    return pd.DataFrame(rows)


def _regions(codes) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lad24cd": list(codes),
            "lad24nm": [f"Area {c}" for c in codes],
            "rgn24cd": ["E12000003" if c.startswith("E06") else "E12000007" for c in codes],
            "rgn24nm": ["Yorkshire" if c.startswith("E06") else "London" for c in codes],
        }
    )


def _neighbours() -> pd.DataFrame:
    return pd.DataFrame(
        {"la_code": HOME, "neighbour_rank": [str(k) for k in range(1, 11)],
         "neighbour_code": NEIGHBOURS}
    )  # fmt: skip


def _own(value: float | None, suppressed: bool = False, ind: str = CLA) -> pd.DataFrame:
    return pd.DataFrame(
        [{"indicator_id": ind, "area_code": HOME, "area_name": "Leeds", "value": value,
          "suppressed": suppressed}]
    )  # fmt: skip


def _england() -> dict[str, float | None]:
    """Neighbours 10..100 by tens, others 5..40 by fives; the home LA's file value 999 (a figure
    the table must never show in place of the pipeline's own)."""
    values: dict[str, float | None] = {c: 10.0 * (k + 1) for k, c in enumerate(NEIGHBOURS)}
    values |= {c: 5.0 * (k + 1) for k, c in enumerate(OTHERS)}
    values[HOME] = 999.0
    return values


def _table(own: pd.DataFrame, bench: pd.DataFrame) -> pd.DataFrame:
    codes = [HOME, *NEIGHBOURS, *OTHERS]
    frame = bm.la_benchmarking(own, bench, _regions(codes), _neighbours(), PERIOD)
    return frame.set_index("area_code")


def test_every_authority_once_with_its_region_and_neighbour_rank():
    table = _table(_own(55.0), _bench(_england()))
    assert len(table) == 19 and set(table["la_code"]) == {HOME}
    assert table.loc[NEIGHBOURS[0], "neighbour_rank"] == 1
    assert table.loc[NEIGHBOURS[9], "neighbour_rank"] == 10
    assert pd.isna(table.loc[HOME, "neighbour_rank"]) and pd.isna(
        table.loc[OTHERS[0], "neighbour_rank"]
    )
    assert table.loc[OTHERS[0], "region_name"] == "London"


def test_the_deploying_la_shows_its_own_published_value_not_the_file_s():
    table = _table(_own(55.0), _bench(_england()))
    assert table.loc[HOME, "value"] == 55.0 and table.loc[HOME, "value_source"] == "this pipeline"
    assert table.loc[NEIGHBOURS[0], "value_source"] == "ref_benchmarks"


def test_ranks_among_neighbours_and_england_no_polarity_highest_first():
    table = _table(_own(55.0), _bench(_england()))
    # group: 10..100 and 55: 55 is below 60..100 (five), so sixth
    assert table.loc[HOME, "neighbour_group_rank"] == 6
    assert table.loc[HOME, "neighbour_group_ranked"] == 11
    assert table.loc[NEIGHBOURS[9], "neighbour_group_rank"] == 1
    assert pd.isna(table.loc[OTHERS[0], "neighbour_group_rank"])
    assert table.loc[HOME, "england_rank"] == 6 and table.loc[HOME, "england_ranked"] == 19
    assert table.loc[HOME, "quartile_band"] == "B"  # ceil(4 * 6 / 19) = 2
    assert table.loc[NEIGHBOURS[9], "quartile_band"] == "A"


def test_england_quintile_and_fingertips_words():
    table = _table(_own(55.0), _bench(_england()))
    # nineteen values; the 60th and 80th percentiles are 40 (positions 11.8: 40, 40) and 64
    # (position 15.4: 60, 70), so 55 is in the fourth quintile
    assert bm.quintile_bounds(table["value"]).loc[0, "p80"] == pytest.approx(64.0)
    assert table.loc[HOME, "england_quintile"] == 4
    assert table.loc[HOME, "compared_to_percentiles"] == "High"
    top = table.loc[NEIGHBOURS[9]]
    assert top["england_quintile"] == 5 and top["compared_to_percentiles"] == "Highest"
    bottom = table.loc[OTHERS[0]]
    assert bottom["england_quintile"] == 1 and bottom["compared_to_percentiles"] == "Lowest"


def test_polarity_higher_is_worse_ranks_the_lowest_first_and_calls_it_best():
    own = _own(55.0, ind=FTE)
    table = _table(own, _bench(_england(), measure="yj_first_time_entrants"))
    assert table.loc[OTHERS[0], "england_rank"] == 1
    assert table.loc[OTHERS[0], "compared_to_percentiles"] == "Best"
    assert table.loc[NEIGHBOURS[9], "compared_to_percentiles"] == "Worst"
    assert table.loc[NEIGHBOURS[0], "neighbour_group_rank"] == 1


def test_a_suppressed_own_value_is_null_with_its_reason_and_ranks_nothing():
    table = _table(_own(None, suppressed=True), _bench(_england()))
    home = table.loc[HOME]
    assert pd.isna(home["value"]) and home["value_note"] == bm.SUPPRESSED
    assert pd.isna(home["england_rank"]) and pd.isna(home["quartile_band"])
    assert pd.isna(home["england_quintile"]) and pd.isna(home["compared_to_percentiles"])
    assert home["neighbour_group_ranked"] == 10 and table["england_ranked"].iloc[0] == 18


def test_a_value_the_file_lacks_is_null_with_its_reason():
    values = _england() | {OTHERS[1]: None}
    table = _table(_own(55.0), _bench(values))
    assert pd.isna(table.loc[OTHERS[1], "value"])
    assert table.loc[OTHERS[1], "value_note"] == bm.NO_FILE_VALUE


def test_fewer_than_five_values_are_not_compared():
    few = {NEIGHBOURS[0]: 10.0, NEIGHBOURS[1]: 20.0, NEIGHBOURS[2]: 30.0}
    table = _table(_own(55.0), _bench(few))
    assert set(table["compared_to_percentiles"]) == {"Not compared"}
    assert table["england_quintile"].isna().all()


def test_no_rows_without_a_deploying_authority_publishing_the_indicator():
    table = bm.la_benchmarking(
        _own(55.0).iloc[0:0], _bench(_england()), _regions([HOME]), _neighbours(), PERIOD
    )
    assert table.empty


# -- written in the publish transaction and audited ----------------------------------------------


def _published_row(value: float | None, suppressed: bool) -> dict:
    return {
        "indicator_id": CLA,
        "indicator_name": CLA,
        "period": PERIOD,
        "area_type": "la",
        "area_code": HOME,
        "area_name": "Leeds",
        "breakdown": "total",
        "category": "all",
        "numerator": None if suppressed else 120,
        "denominator": 20_000,
        "value": value,
        "lower_ci_95": None if suppressed else 50.0,
        "upper_ci_95": None if suppressed else 60.0,
        "unit": "per 10,000",
        "suppressed": suppressed,
        "run_id": "r",
        "loaded_at": NOW,
    }


def _reference_rows(conn) -> None:
    codes = [HOME, *NEIGHBOURS, *OTHERS]
    bench = _bench(_england())
    bench = bench.assign(
        source_file="ref_benchmarks_2023-24.csv",
        line_number=range(2, 2 + len(bench)),
        time_identifier="Financial year",
        numerator=1,
        denominator=1,
        value=bench["value"].astype(float),
    )
    tables = {
        "ref_benchmarks": bench,
        "ref_lad_region": _regions(codes).assign(source_file="ref_lad_region_2024.csv"),
        "ref_stat_neighbours": _neighbours().assign(
            source_file="ref_stat_neighbours_2024.csv",
            neighbour_rank=lambda f: f["neighbour_rank"].astype(int),
        ),
    }
    vintages = {"ref_benchmarks": PERIOD, "ref_lad_region": "2024", "ref_stat_neighbours": "2024"}
    for name, frame in tables.items():
        table = schema.validated_table(name)
        frame = frame.assign(
            line_number=range(2, 2 + len(frame)), run_id="load", period=vintages[name]
        )
        frame = frame.assign(**{c.name: None for c in table.columns if c.name not in frame})
        replace_rows(conn, table, frame[[c.name for c in table.columns]], {})


@pytest.mark.parametrize("suppressed", [False, True])
def test_written_in_the_transaction_and_the_audit_passes(warehouse, suppressed):
    value = None if suppressed else 55.0
    with write_transaction(warehouse, PERIOD) as conn:
        _reference_rows(conn)
        replace_rows(
            conn, schema.published_indicator_values,
            pd.DataFrame([_published_row(value, suppressed)]), {},
        )  # fmt: skip
        written = bm.publish_benchmarking(conn, PERIOD, "r", NOW)
        assert bm.audit_benchmarking(conn, PERIOD) == []
    assert written == 19
    with warehouse.connect() as conn:
        stored = pd.read_sql(sa.select(schema.la_benchmarking), conn).set_index("area_code")
    assert stored.loc[HOME, "value_source"] == "this pipeline"
    if suppressed:
        assert pd.isna(stored.loc[HOME, "value"])
        assert stored.loc[HOME, "value_note"] == bm.SUPPRESSED
    else:
        assert stored.loc[HOME, "value"] == 55.0
    assert bm.audit_benchmarking(warehouse, PERIOD) == []


def _tamper(warehouse, values: dict) -> list[str]:
    with write_transaction(warehouse, PERIOD) as conn:
        _reference_rows(conn)
        replace_rows(
            conn, schema.published_indicator_values,
            pd.DataFrame([_published_row(None, True)]), {},
        )  # fmt: skip
        bm.publish_benchmarking(conn, PERIOD, "r", NOW)
        t = schema.la_benchmarking
        conn.execute(sa.update(t).where(t.c.area_code == HOME).values(**values))
        return bm.audit_benchmarking(conn, PERIOD)


def test_the_audit_finds_a_true_value_behind_a_suppression(warehouse):
    """The suppressed value shown (here the benchmark file's figure for the LA) is a leak."""
    problems = _tamper(warehouse, {"value": 999.0, "value_note": None})
    assert any("not this pipeline's published value" in p for p in problems)
    assert not any("999" in p for p in problems)  # described by cell, never by a value


def test_the_audit_finds_a_rank_not_from_the_values_shown(warehouse):
    problems = _tamper(warehouse, {"england_rank": 1, "quartile_band": "A"})
    assert any("england_rank not from the values shown" in p for p in problems)
    assert any("quartile_band not from the values shown" in p for p in problems)


# -- every view at once: the same rows and problems as view by view -----------------------------


@pytest.mark.parametrize(("seed", "publishing"), [(0, 1), (1, 6), (2, 6)])
def test_every_view_at_once_equals_view_by_view(seed, publishing):
    """Random england-shaped inputs (153 authorities, every benchmarked indicator, ties, values
    missing from the file, suppressed and unpublished own values, an LA with no neighbours and
    one listing a neighbour twice, authorities without a region): row for row, column by
    column, dtypes included, the rows of the view-by-view module."""
    inputs = by_view.england_shaped(seed, publishing)
    args = (inputs["own"], inputs["bench"], inputs["regions"], inputs["neighbours"], PERIOD)
    before, after = by_view.la_benchmarking(*args), bm.la_benchmarking(*args)
    pd.testing.assert_frame_equal(before, after, check_exact=True)
    assert set(after["rank_order"]) == {bm.rank_order(p) for p in bm.RANK_ORDERS} | {
        bm.NO_POLARITY_ORDER
    }  # every polarity drawn
    assert after["value_note"].eq(bm.SUPPRESSED).any()
    assert after["neighbour_rank"].notna().any() == (publishing > 1)  # the first lists none


def test_derive_ranks_each_view_on_its_own_values():
    """Two views of the same authorities with different values (one view tampered): each
    view's derived columns are those of the view alone."""
    inputs = by_view.england_shaped(3, 4)
    args = (inputs["own"], inputs["bench"], inputs["regions"], inputs["neighbours"], PERIOD)
    table = bm.la_benchmarking(*args)
    one = table[table["indicator_id"] == FTE].reset_index(drop=True)
    first = one["la_code"] == one["la_code"].iloc[0]
    one.loc[first, "value"] = one.loc[first, "value"][::-1].to_numpy()  # this view only
    again = bm.derive(one, "higher is worse")
    for _, view in one.groupby("la_code"):
        alone = by_view.derive(view, "higher is worse")
        pd.testing.assert_frame_equal(again.loc[view.index], alone, check_exact=True)


@pytest.fixture
def stored_england(warehouse):
    """England-shaped inputs written to the warehouse, the table published and read back."""
    inputs = by_view.england_shaped(4, 5)
    with write_transaction(warehouse, PERIOD) as conn:
        by_view.write_inputs(conn, inputs, PERIOD, NOW)
        bm.publish_benchmarking(conn, PERIOD, "r", NOW)
    with warehouse.connect() as conn:
        return (
            bm.stored(conn, PERIOD),
            bm.published_own(conn, PERIOD),
            bm.reference(conn, PERIOD)["ref_benchmarks"],
        )


def _both_audits(table, own, bench) -> list[str]:
    before = by_view.audit_frames(table, own, bench)
    after = bm.value_problems(table, own, bench) + bm.derived_problems(table)
    assert after == before
    return after


def test_the_audit_at_once_passes_a_good_table_as_row_by_row(stored_england, warehouse):
    assert _both_audits(*stored_england) == []
    assert bm.audit_benchmarking(warehouse, PERIOD) == []


def test_the_audit_at_once_finds_what_row_by_row_finds(stored_england):
    """Random cells tampered (values, ranks, counts, bands, quintiles, words, neighbour ranks,
    sources) in random views: the same problems, in the same order."""
    table, own, bench = stored_england
    rng = np.random.default_rng(5)
    columns = ["value", "neighbour_rank", *bm.DERIVED, "value_source"]
    found = 0
    for _ in range(20):
        bad = table.copy()
        for at in rng.choice(len(bad), size=rng.integers(1, 6), replace=False):
            column = str(rng.choice(columns))
            if column in ("quartile_band", "compared_to_percentiles", "value_source"):
                bad.loc[at, column] = rng.choice(["A", "Best", None, bm.OWN])
            elif rng.random() < 0.3:
                bad.loc[at, column] = np.nan
            else:
                bad.loc[at, column] = float(rng.integers(1, 12))
        found += len(_both_audits(bad, own, bench))
    assert found  # some tampering changed a cell


def test_a_value_tampered_in_one_view_is_found_in_that_view_only(stored_england):
    """The same authority's value is in every view: changed in one, the value check names that
    cell and the derived check that view, and no other."""
    table, own, bench = stored_england
    other = table.index[(table["value_source"] == bm.BENCHMARK_FILE) & table["value"].notna()]
    at = other[len(other) // 2]
    ind, la, area = table.loc[at, ["indicator_id", "la_code", "area_code"]]
    bad = table.copy()
    bad.loc[at, "value"] = table["value"].max() + 1  # now the highest of its view
    problems = _both_audits(bad, own, bench)
    assert problems[0] == f"{ind} {la} {area}: not the benchmark file's value"
    assert all(p.startswith(f"{ind} {la}") for p in problems)
    assert any(p == f"{ind} {la}: england_rank not from the values shown" for p in problems)


def test_a_view_made_consistent_with_a_changed_value_still_fails_the_value_check(stored_england):
    """Tampered value, ranks recomputed from it (``derive``): the derived columns agree with
    the values shown, the value check does not."""
    table, own, bench = stored_england
    la_code = table.loc[table["indicator_id"] == FTE, "la_code"].iloc[-1]
    view = (table["indicator_id"] == FTE) & (table["la_code"] == la_code)
    part = table[view].copy()
    part.loc[part.index[0], "value"] = 1e6
    bad = table.copy()
    bad.loc[part.index[0], "value"] = 1e6
    again = bm.derive(part, "higher is worse")
    for column in bm.DERIVED:
        words = column in ("quartile_band", "compared_to_percentiles")
        bad.loc[view, column] = again[column] if words else again[column].astype("float64")
    problems = _both_audits(bad, own, bench)
    assert len(problems) == 1 and "value" in problems[0] and "1000000" not in problems[0]


def test_an_unknown_indicator_is_audited_without_a_polarity(stored_england):
    table, own, bench = stored_england
    bad = table.assign(indicator_id=table["indicator_id"].replace(CLA, "not_in_catalogue"))
    problems = _both_audits(bad, own, bench)
    assert problems and all("not the benchmark file's value" in p for p in problems)


def test_the_audit_finds_cells_of_the_wrong_kind_written_to_the_table(migrated_sqlite_url):
    """SQLite keeps text in an INTEGER column: a column of mixed kinds is compared cell by
    cell, with the same problems. (Text in the REAL value column stops both audits alike: the
    values are not numbers to rank.)"""
    engine = make_engine(migrated_sqlite_url)
    with write_transaction(engine, PERIOD) as conn:
        by_view.write_inputs(conn, by_view.england_shaped(6, 2), PERIOD, NOW)
        bm.publish_benchmarking(conn, PERIOD, "r", NOW)
        table = "published.la_benchmarking"
        conn.execute(sa.text(f"UPDATE {table} SET england_rank = 'first' WHERE england_rank = 1"))
    with engine.connect() as conn:
        table = bm.stored(conn, PERIOD)
        own = bm.published_own(conn, PERIOD)
        bench = bm.reference(conn, PERIOD)["ref_benchmarks"]
    engine.dispose()
    assert table["england_rank"].dtype == object
    problems = _both_audits(table, own, bench)
    assert any("england_rank not from the values shown" in p for p in problems)
    assert not any("not this pipeline's" in p or "benchmark file's" in p for p in problems)
    table = table.astype({"value": object})
    table.loc[0, "value"] = "x"
    for audit in (by_view.audit_frames, bm.value_problems):
        with pytest.raises(ValueError, match="could not convert"):
            audit(table, own, bench) + bm.derived_problems(table)


@pytest.mark.parametrize("own", [_own(55.0), _own(None, suppressed=True), _own(55.0, ind=FTE)])
@pytest.mark.parametrize(
    "values", [_england(), _england() | {OTHERS[1]: None}, {NEIGHBOURS[0]: 10.0}]
)
def test_the_hand_made_england_equals_view_by_view(own, values):
    codes = [HOME, *NEIGHBOURS, *OTHERS]
    for measure in (CLA, FTE):
        args = (own, _bench(values, measure), _regions(codes), _neighbours(), PERIOD)
        before, after = by_view.la_benchmarking(*args), bm.la_benchmarking(*args)
        pd.testing.assert_frame_equal(before, after, check_exact=True)
