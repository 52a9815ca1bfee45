import pandas as pd
import pytest

from tip_pipeline.reports import data, sections
from tip_pipeline.reports.sections import (
    adversity,
    appendix,
    cohorts,
    flows,
    hidden_need,
    indicator,
    poorest_fastest,
    population,
    prevalence,
    quality,
    spine,
    summary,
)
from tip_pipeline_tests.published import LA, LATEST, SUPPRESSED_WARD


def test_defaults_are_the_single_la_and_its_latest_year(published):
    loaded = data.load(published, None, None)
    assert (loaded.area_code, loaded.area_name, loaded.period) == (LA, "Leeds", LATEST)
    assert loaded.indicator_ids == ["cla_31mar", "cin_referrals"]  # catalogue order


def test_a_period_is_accepted_as_label_or_partition_tag(published):
    assert data.load(published, LA, "2021-22").period == "2021/22"


@pytest.mark.parametrize(
    ("area", "period", "message"),
    [("E08000999", None, "no published data for area E08000999"),
     (LA, "2010/11", "no published data for E08000035 in 2010/11")],
)  # fmt: skip
def test_unpublished_area_or_year_is_refused_with_what_is_published(
    published, area, period, message
):
    with pytest.raises(data.NoPublishedData, match=message):
        data.load(published, area, period)


def test_suppressed_rows_are_kept_with_their_figures_null(published):
    with published.connect() as conn:
        wards = indicator.wards(conn, LA, LATEST)
    ward = wards[wards["area_code"] == SUPPRESSED_WARD]
    assert ward["suppressed"].all()
    assert ward[["numerator", "value", "lower_ci_95"]].isna().all().all()


def test_masking_is_applied_even_if_a_suppressed_row_carried_a_figure():
    frame = pd.DataFrame({"suppressed": [1, 0], "value": [3.0, 4.0], "numerator": [3, 4]})
    out = data.masked(frame, "indicator_values")
    assert out["value"].isna().tolist() == [True, False]
    assert out["suppressed"].tolist() == [True, False]


SECTION_MODULES = (
    summary, population, prevalence, hidden_need, indicator, poorest_fastest, adversity, quality,
    appendix, spine, flows, cohorts,
)  # fmt: skip


@pytest.mark.parametrize("module", [data, *SECTION_MODULES], ids=lambda m: m.__name__)
def test_only_the_published_layer_is_read(module):
    import inspect

    source = inspect.getsource(module)
    assert "restricted." not in source and "ops." not in source


def test_every_section_module_is_checked():
    import pkgutil

    names = {m.name for m in pkgutil.iter_modules(sections.__path__)}
    assert names == {m.__name__.rsplit(".", 1)[1] for m in SECTION_MODULES}


def _frame_to_split() -> pd.DataFrame:
    """Keys out of order, repeated, NULL; a string, a float and a bool column."""
    return pd.DataFrame(
        {
            "indicator_id": ["b", "a", "b", None, "a", "c"],
            "period": ["2022/23", "2021/22", "2020/21", "2020/21", "2020/21", "2020/21"],
            "value": [1.0, None, 3.0, 4.0, 5.0, 6.0],
            "suppressed": [False, True, False, False, False, True],
        }
    )


@pytest.mark.parametrize("order_by", [None, "period"])
def test_split_gives_each_key_the_rows_a_boolean_mask_gives(order_by):
    frame = _frame_to_split()
    found = data.split(frame, "indicator_id", order_by=order_by)
    for key in ["a", "b", "c", "not there"]:
        expected = frame[frame["indicator_id"] == key]
        if order_by is not None:
            expected = expected.sort_values(order_by)
        pd.testing.assert_frame_equal(found[key], expected)
    assert set(found.groups) == {"a", "b", "c"}  # no group of the NULL key


def test_split_of_no_rows_has_the_columns_and_dtypes():
    frame = _frame_to_split().iloc[:0]
    pd.testing.assert_frame_equal(data.split(frame, "indicator_id")["a"], frame)


def test_shared_reads_each_key_once():
    shared, calls = data.Shared(), []

    def read() -> int:
        calls.append(1)
        return len(calls)

    assert shared.get("catalogue", read) == shared.get("catalogue", read) == 1
    assert shared.get(("data_quality", LATEST), read) == 2


def test_a_report_built_with_what_an_earlier_report_kept_is_the_same(published):
    from tip_pipeline.reports.build import build

    shared = data.Shared()
    first = build(published, LA, LATEST, shared).html
    assert build(published, LA, LATEST, shared).html == first == build(published, LA, LATEST).html


READ_BY_AREA = {
    "series": (lambda conn, area: data.series(conn, area, LATEST), "area_code"),
    "comparisons": (lambda conn, area: data.comparisons(conn, area, LATEST), "area_code"),
    "periods": (data.published_periods, "area_code"),
    "deciles": (lambda conn, area: indicator.deciles(conn, area, LATEST), "area_code"),
    "wards": (lambda conn, area: indicator.wards(conn, area, LATEST), "benchmark_area_code"),
    "benchmarking": (lambda conn, area: spine.benchmarking(conn, area, LATEST), "la_code"),
}


@pytest.mark.parametrize("table", READ_BY_AREA)
def test_a_batch_finds_an_areas_rows_in_the_whole_year_as_a_report_reads_them(published, table):
    read_rows, column = READ_BY_AREA[table]
    with published.connect() as conn:
        alone = data.by_area(None, table, LA, lambda area: read_rows(conn, area), column)
        batch = data.Shared(whole_year=True)
        found = data.by_area(batch, table, LA, lambda area: read_rows(conn, area), column)
        assert batch.get(table, list).groups.keys() == {LA}  # the year's rows, split once
    assert len(alone) > 0
    pd.testing.assert_frame_equal(found.reset_index(drop=True), alone.reset_index(drop=True))
