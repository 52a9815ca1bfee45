"""The year's inputs: read through Arrow as ``pd.read_sql`` read them, membership and
positions through Arrow (``member_of``, ``positions_in``) answer as pandas' ``isin`` and
``get_indexer``, a join to one row per key (``merge_one``) gives pandas' merge, and the
validated inputs' versions change when a year is validated again."""

import platform
from datetime import date

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from pandas.testing import assert_frame_equal

from tip_pipeline.indicators import data as data_module
from tip_pipeline.indicators.data import (
    columns_of,
    load_year,
    lookup,
    member_of,
    merge_one,
    positions_in,
    validated_versions,
)
from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse.schema import validated_table
from tip_pipeline_tests.indicators import helpers

COLUMNS = [
    pd.Series(["a", "b", None, "c"]),
    pd.Series(["a", "b", None, "c"], dtype=object),
    pd.Series(["a", "b", np.nan, "c"], dtype="str"),
    pd.Series(["a", 1, None, "c"], dtype=object),  # mixed: answered by pandas itself
    pd.Series([1, 2, 3]),
    pd.Series([], dtype="str"),
]
ALLOWED = [
    {"a", "c"},
    ["a", None],
    set(),
    {1, 3},
    pd.Series(["c", "x"], dtype="str"),
    pd.Series(["c"], dtype=object),
]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("allowed", ALLOWED)
def test_member_of_answers_as_isin(column, allowed):
    found = member_of(column, allowed)
    expected = column.isin(list(allowed))
    assert found.dtype == bool
    assert found.index.equals(column.index)
    assert found.tolist() == expected.tolist()


DISTINCT = [
    ["c", "a", "x"],
    pd.Series(["b", None, "a"], dtype="str"),
    pd.Series(["c"], dtype=object),
    [],
    [3, 1],
]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("values", DISTINCT)
def test_positions_in_answers_as_get_indexer(column, values):
    found = positions_in(column, values)
    expected = pd.Index(
        values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    )
    assert found.dtype == np.int64
    assert found.tolist() == expected.get_indexer(column).tolist()


def test_member_of_keeps_the_index_and_name():
    column = pd.Series(["a", "b"], index=[10, 20], name="unit_id", dtype="str")
    found = member_of(column, ["b"])
    assert found.to_dict() == {10: False, 20: True}
    assert found.name == "unit_id"


def _validated_rows(engine, period: str, run_id: str, lines: int = 2) -> None:
    table = validated_table("cin_children")
    with engine.begin() as conn:
        conn.execute(table.delete().where(table.c.period == period))
        conn.execute(
            table.insert(),
            [
                {
                    "period": period,
                    "source_file": f"{period[:4]}.csv",
                    "line_number": n,
                    "run_id": run_id,
                }
                for n in range(2, 2 + lines)
            ],
        )


def test_validated_versions_change_when_the_year_or_one_before_is_validated_again(warehouse):
    year = FinancialYear(2022)
    _validated_rows(warehouse, "2021/22", "run-1")

    def versions():
        with warehouse.connect() as conn:
            return validated_versions(conn, year)

    before = versions()
    _validated_rows(warehouse, "2023/24", "run-2")  # a later year: not an input
    assert versions() == before
    _validated_rows(warehouse, "2021/22", "run-3")  # the year itself validated again
    again = versions()
    assert again != before
    _validated_rows(warehouse, "2020/21", "run-4")  # a year before it (a look-back)
    assert versions() != again


def _value(column: sa.Column, i: int) -> object:
    """A value of ``column``'s type for row ``i``, missing in some rows (never in a key)."""
    if column.name in ("period", "source_file", "line_number", "run_id"):
        raise AssertionError("keys are set by the caller")
    if i % 4 == 3:
        return None
    if isinstance(column.type, sa.Date):
        return date(2010 + i % 12, 1 + i % 12, 1 + i % 28)
    if isinstance(column.type, sa.Integer):
        return i * 7
    if isinstance(column.type, sa.Float):
        return i / 3
    return f'{column.name[:3]}, "{i}"' if i % 5 else ""


#: tables written for the read: dates, integers, doubles, text; one read across years, some
#: read for the look-back, one reference table of its own vintage
_WRITTEN = ("cin_children", "cin_episodes", "yjs_outcomes", "hclic_main", "ref_imd", "ssda903_oc3")


def test_load_year_reads_the_frames_read_sql_read(warehouse, monkeypatch):
    """``load_year`` through Arrow (``readback.read_frame``) gives the year's tables, the
    youth-justice history and the look-back years' rows exactly as ``pd.read_sql`` and
    ``as_objects`` gave them (dtypes included), on SQLite and PostgreSQL; a table with no
    rows (``ssda903_oc3`` of the year) too."""
    year = FinancialYear(2023)
    with warehouse.begin() as conn:
        for name in _WRITTEN:
            table = validated_table(name)
            data_columns = [c for c in table.c if c.name in columns_of(name)]
            periods = ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
            if name == "ssda903_oc3":
                periods = ["2022/23"]
            rows = [
                {
                    "period": period,
                    "source_file": f"{name}_{period[:4]}.csv",
                    "line_number": i + 2,
                    "run_id": "r1",
                    **({"quarter": 1 + i % 4} if "quarter" in table.c else {}),
                    **{c.name: _value(c, i + k) for c in data_columns},
                }
                for k, period in enumerate(periods)
                for i in range(9)
            ]
            conn.execute(table.insert(), rows)
    new = load_year(warehouse, year)
    monkeypatch.setattr(
        data_module, "read_frame", lambda conn, query, **_: pd.read_sql(query, conn)
    )
    old = load_year(warehouse, year)
    assert new.tables.keys() == old.tables.keys() and new.earlier.keys() == old.earlier.keys()
    for name in old.tables:
        assert_frame_equal(new.tables[name], old.tables[name], check_exact=True)
    for name in old.earlier:
        assert_frame_equal(new.earlier[name], old.earlier[name], check_exact=True)
    assert new.unlinked == old.unlinked
    assert len(new.tables["cin_episodes"]) == 9 and new.tables["ssda903_oc3"].empty
    assert len(new.earlier["cin_episodes"]) == 9 * 3


LEFT = pd.DataFrame(
    {"child": pd.Series(["b", "a", "x", "b", None], dtype=object), "n": [1, 2, 3, 4, 5]}
)
RIGHTS = {
    "text keys": pd.DataFrame({"child": ["a", "b", "c"], "sex": ["F", "M", None]}),
    "str keys": pd.DataFrame({"child": pd.Series(["b", "a"], dtype="str"), "age": [3, 4]}),
    "a key repeated": pd.DataFrame({"child": ["a", "a", "b"], "sex": ["F", "M", "F"]}),
    "a key missing": pd.DataFrame({"child": ["a", None], "sex": ["F", "M"]}),
    "a column in both": pd.DataFrame({"child": ["a", "b"], "n": [7, 8]}),
    "no rows": pd.DataFrame({"child": pd.Series([], dtype=object), "sex": []}),
}


@pytest.mark.parametrize("right", RIGHTS.values(), ids=RIGHTS.keys())
def test_merge_one_gives_pandas_inner_merge(right):
    expected = LEFT.merge(right, on="child", how="inner")
    assert_frame_equal(merge_one(LEFT, right, "child"), expected, check_exact=True)
    assert_frame_equal(merge_one(LEFT, lookup(right, "child"), "child"), expected)


def test_a_lookup_finds_by_place_only_where_its_keys_are_distinct_present_text():
    assert lookup(RIGHTS["text keys"], "child").keys is not None
    for case in ("a key repeated", "a key missing"):
        assert lookup(RIGHTS[case], "child").keys is None
    numbers = pd.DataFrame({"child": [1, 2], "sex": ["F", "M"]})
    assert lookup(numbers, "child").keys is None
    left = pd.DataFrame({"child": [2, 3, 1]})
    expected = left.merge(numbers, on="child", how="inner")
    assert_frame_equal(merge_one(left, numbers, "child"), expected, check_exact=True)


def test_forget_results_lets_go_of_the_cache_and_the_same_is_computed_again():
    data = helpers.year(cin_children=[helpers.child("a"), helpers.child("b")])
    units = units_of("cin_31mar", data).copy()
    assert data.cache
    data.forget_results()
    assert not data.cache
    assert_frame_equal(units_of("cin_31mar", data), units, check_exact=True)


def test_freed_memory_is_handed_back_through_glibc_where_it_is_the_c_library():
    trim = data_module._malloc_trim()
    assert (trim is not None) == (platform.libc_ver()[0] == "glibc")
    data_module.release_freed_memory()  # and again: nothing is held between calls
    data_module.release_freed_memory()
