"""Benchmark comparisons: published benchmarks for a single LA; computed comparators where
the data hold several LAs."""

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.indicators.catalogue import by_benchmark_measure, indicator
from tip_pipeline.indicators.comparisons import (
    comparator_lookup,
    comparisons,
    parent_areas,
    with_benchmark,
)
from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.values import TOTAL, all_values, indicator_values
from tip_pipeline.stats import compare_to_benchmark
from tip_pipeline_tests.indicators.helpers import LA, LSOA_A, child, frame, population, year


def benchmarks(value_england: float, value_region: float, neighbours: dict[str, float]):
    rows = [
        ("National", "E92000001", "England", value_england),
        ("Regional", "E12000003", "Yorks", value_region),
        *(("Local authority", code, code, v) for code, v in neighbours.items()),
    ]
    return pd.DataFrame(
        [
            {
                "time_period": 202324,
                "geographic_level": level,
                "area_code": code,
                "area_name": name,
                "measure": "cin_31mar",
                "value": value,
            }
            for level, code, name, value in rows
        ]
    )


def cin_year(n_children: int = 40, **extra):
    kids = [child(f"c{i}") for i in range(n_children)]
    episodes = [
        {"la_child_id": f"c{i}", "cin_referral_date": "2023-05-01"} for i in range(n_children)
    ]
    return year(cin_children=kids, cin_episodes=episodes, **extra)


def test_single_la_is_compared_with_published_benchmarks():
    data = cin_year(
        ref_benchmarks=benchmarks(100.0, 560.0, {"E1": 550.0, "E2": 600.0}),
        ref_stat_neighbours=[
            {"la_code": LA, "neighbour_rank": 1, "neighbour_code": "E1"},
            {"la_code": LA, "neighbour_rank": 2, "neighbour_code": "E2"},
            {"la_code": LA, "neighbour_rank": 3, "neighbour_code": "E3"},  # not published
        ],
    )
    values = with_benchmark(indicator_values(indicator("cin_31mar"), data), data)
    # 40 of 720 children: 555.6 per 10,000, 95% CI about 410 to 748
    la = values[(values["area_type"] == "la") & (values["breakdown"] == "total")].iloc[0]
    assert la["benchmark_area_code"] == "E92000001" and la["compared_to_benchmark"] == "higher"
    result = comparisons(values, data).set_index(["area_code", "comparator_type"])
    assert result.loc[(LA, "region"), "result"] == "similar"
    assert result.loc[(LA, "region"), "comparator_source"] == "ref_benchmarks"
    sn = result.loc[(LA, "stat_neighbours")]
    assert sn["comparator_value"] == 575.0 and sn["comparator_code"] == "E1,E2,E3"
    ward = values[(values["area_type"] == "ward") & (values["breakdown"] == "total")]
    assert set(ward["benchmark_area_code"]) == {LA}
    assert ("E05000001", "la") in result.index


def test_indicators_without_a_benchmark_are_not_compared():
    data = cin_year(ref_benchmarks=benchmarks(100.0, 560.0, {}))
    values = with_benchmark(indicator_values(indicator("cin_referrals"), data), data)
    la = values[(values["area_type"] == "la") & (values["breakdown"] == "total")].iloc[0]
    assert la["compared_to_benchmark"] == "not compared"


def test_every_comparison_names_its_comparator_even_without_a_value():
    """No benchmark is published for referrals: the LA's rows are "not compared", but each still
    names England, the region, the neighbours and (for wards) the LA."""
    data = cin_year(
        ref_benchmarks=benchmarks(100.0, 560.0, {}),
        ref_stat_neighbours=[{"la_code": LA, "neighbour_rank": 1, "neighbour_code": "E1"}],
    )
    values = with_benchmark(indicator_values(indicator("cin_referrals"), data), data)
    result = comparisons(values, data).set_index(["area_code", "comparator_type"])
    assert set(result.loc[LA, "result"]) == {"not compared"}
    names = result["comparator_name"]
    assert names.map(lambda n: isinstance(n, str) and n != "").all()
    assert names.loc[(LA, "england")] == "England"
    assert names.loc[(LA, "stat_neighbours")].startswith("Statistical neighbours")


TWO = "E08000998"


def two_las() -> YearData:
    """A year of two LAs of one region, the whole region and England: England and the region
    are computed."""
    two = TWO
    data = cin_year()
    tables = dict(data.tables)
    tables["ref_lsoa_lookup"] = pd.concat(
        [
            tables["ref_lsoa_lookup"],
            frame(
                "ref_lsoa_lookup",
                [
                    {
                        "lsoa21cd": "E01000003",
                        "lsoa21nm": "C",
                        "wd24cd": "E05000003",
                        "wd24nm": "W3",
                        "lad24cd": two,
                        "lad24nm": "Other",
                    }
                ],
            ),
        ],
        ignore_index=True,
    )
    tables["ref_lad_region"] = pd.concat(
        [
            tables["ref_lad_region"],
            frame(
                "ref_lad_region",
                [{"lad24cd": two, "lad24nm": "Other", "rgn24cd": "E12000003", "rgn24nm": "Yorks"}],
            ),
        ],
        ignore_index=True,
    )
    tables["ref_population"] = population(lsoas=(LSOA_A, "E01000002", "E01000003"))
    tables["ref_benchmarks"] = benchmarks(1.0, 1.0, {})  # ignored: computed values come first
    return YearData(period=data.period, tables=tables)


def test_several_las_are_compared_with_computed_england_and_region():
    two, data = TWO, two_las()
    values = with_benchmark(all_values(data, [indicator("cin_31mar")]), data)
    assert {"region", "country"} <= set(values["area_type"])
    result = comparisons(values, data).set_index(["area_code", "comparator_type"])
    assert result.loc[(LA, "england"), "comparator_source"] == "computed"
    england = values[(values["area_type"] == "country") & (values["breakdown"] == "total")]
    assert england["numerator"].item() == 40 and england["denominator"].item() == 1080
    assert result.loc[(LA, "england"), "result"] == "higher"
    assert result.loc[(two, "england"), "result"] == "lower"


def test_benchmark_measures_map_to_catalogue_indicators():
    mapping = by_benchmark_measure()
    assert mapping["cla_31mar"].id == "cla_31mar"
    assert mapping["yj_first_time_entrants"].multiplier == 100_000


def _with_benchmark_as_before(values: pd.DataFrame, data: YearData) -> pd.DataFrame:
    """``with_benchmark`` as it was written before it took its areas by code: the oracle (its
    parent areas, unchanged, are ``parent_areas``'; the per-row objects are as they were)."""
    parent = parent_areas(data)
    is_total = (values["breakdown"] == TOTAL).to_numpy()
    bench_code = np.where(
        is_total, values["area_code"].map(parent).to_numpy(object), values["area_code"]
    )
    bench_code = np.where(values["area_type"] == "country", None, bench_code)
    lookup = comparator_lookup(values, data)["value"]
    keys = pd.MultiIndex.from_arrays([values["indicator_id"], pd.Series(bench_code)])
    bench_value = lookup.reindex(keys).to_numpy(float)
    return values.assign(
        benchmark_area_code=bench_code,
        compared_to_benchmark=compare_to_benchmark(
            values["lower_ci_95"], values["upper_ci_95"], bench_value
        ),
    )


@pytest.mark.parametrize("las", ["one", "two"])
@pytest.mark.parametrize("rows", ["all", "country", "none"])
def test_with_benchmark_as_before(las, rows):
    # one LA against the published benchmarks, two against computed ones; England's rows
    # alone (no row has a benchmark area) and no row at all keep the columns' old types
    data = cin_year(ref_benchmarks=benchmarks(100.0, 560.0, {})) if las == "one" else two_las()
    values = all_values(data, [indicator("cin_31mar"), indicator("cin_referrals")])
    if rows == "country":
        values = values[values["area_type"] == "country"].reset_index(drop=True)
    elif rows == "none":
        values = values.iloc[:0]
    expected = _with_benchmark_as_before(values, data)
    pd.testing.assert_frame_equal(with_benchmark(values, data), expected, check_exact=True)
