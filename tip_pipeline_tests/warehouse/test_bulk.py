from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, exc, select

from tip_pipeline.warehouse import bulk
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.schema import ingest_log, staging_table, validated_table

STG = staging_table("cin_children")
SLICE = {"period": "2023/24", "source_file": "cin_children_2023-24.csv"}


def _children(n: int, first_line: int = 2, child_prefix: str = "c") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_number": range(first_line, first_line + n),
            "load_run_id": "run-1",
            "la_child_id": [f"{child_prefix}{i}" for i in range(n)],
            "sex": ["1"] * n,
        }
    )


def _rows(engine: Engine, where=None) -> list[tuple]:
    query = select(STG.c.source_file, STG.c.line_number, STG.c.la_child_id, STG.c.load_run_id)
    with engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(query.order_by(STG.c.source_file, STG.c.line_number))
        ]


def test_insert_and_missing_values_become_null(warehouse: Engine) -> None:
    frame = _children(5)
    frame["person_birth_date"] = ["2010-01-01", "", None, np.nan, pd.NA]
    with warehouse.begin() as conn:
        assert replace_rows(conn, STG, frame, SLICE) == 5
    with warehouse.connect() as conn:
        got = conn.execute(
            select(STG.c.period, STG.c.person_birth_date, STG.c.quarter).order_by(STG.c.line_number)
        ).all()
    assert [tuple(r) for r in got] == [("2023/24", "2010-01-01", None)] + [
        ("2023/24", None, None)
    ] * 4


def test_replace_rows_is_idempotent_and_leaves_other_slices(warehouse: Engine) -> None:
    other = {"period": "2022/23", "source_file": "cin_children_2022-23.csv"}
    with warehouse.begin() as conn:
        replace_rows(conn, STG, _children(3), other)
        replace_rows(conn, STG, _children(4), SLICE)
    first = _rows(warehouse)
    with warehouse.begin() as conn:
        assert replace_rows(conn, STG, _children(4), SLICE) == 4
    assert _rows(warehouse) == first
    with warehouse.begin() as conn:
        assert replace_rows(conn, STG, _children(2, child_prefix="n"), SLICE) == 2
    rows = _rows(warehouse)
    assert len(rows) == 5
    assert [r[2] for r in rows if r[0] == SLICE["source_file"]] == ["n0", "n1"]


def test_failure_part_way_keeps_the_previous_rows(warehouse: Engine) -> None:
    with warehouse.begin() as conn:
        replace_rows(conn, STG, _children(3), SLICE)
    before = _rows(warehouse)
    broken = pd.concat([_children(3, child_prefix="new"), _children(1)])  # duplicate line 2
    with pytest.raises(exc.IntegrityError), warehouse.begin() as conn:
        replace_rows(conn, STG, broken, SLICE)
    assert _rows(warehouse) == before


def test_empty_frame_clears_the_slice(warehouse: Engine) -> None:
    with warehouse.begin() as conn:
        replace_rows(conn, STG, _children(3), SLICE)
        assert replace_rows(conn, STG, _children(0), SLICE) == 0
    assert _rows(warehouse) == []


def test_none_in_where_matches_null(warehouse: Engine) -> None:
    quarterly = {**SLICE, "quarter": None}
    with warehouse.begin() as conn:
        replace_rows(conn, STG, _children(3), quarterly)
        replace_rows(conn, STG, _children(2), quarterly)
    assert len(_rows(warehouse)) == 2


def test_typed_columns_round_trip(warehouse: Engine) -> None:
    loaded_at = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    frame = pd.DataFrame(
        {
            "file_name": ["a.csv", "b.csv"],
            "table_name": "cin_children",
            "quarter": pd.array([1, None], dtype="Int64"),
            "size_bytes": [10, 2**40],
            "sha256": ["00", "ff"],
            "rows": [1, 2],
            "loaded_at": [loaded_at, loaded_at],
        }
    )
    with warehouse.begin() as conn:
        assert replace_rows(conn, ingest_log, frame, {"run_id": "r1"}) == 2
    with warehouse.connect() as conn:
        got = conn.execute(
            select(ingest_log.c.quarter, ingest_log.c.size_bytes, ingest_log.c.loaded_at).order_by(
                ingest_log.c.file_name
            )
        ).all()
    assert [(q, s) for q, s, _ in got] == [(1, 10), (None, 2**40)]
    assert all(t.replace(tzinfo=t.tzinfo or UTC) == loaded_at for _, _, t in got)


def test_frame_must_stay_inside_the_slice(warehouse: Engine) -> None:
    frame = _children(2).assign(period=["2023/24", "2024/25"], source_file="x.csv")
    with pytest.raises(ValueError, match="period"), warehouse.begin() as conn:
        replace_rows(conn, STG, frame, {"period": "2023/24", "source_file": "x.csv"})


def test_unknown_columns_are_refused(warehouse: Engine) -> None:
    with pytest.raises(ValueError, match="no column"), warehouse.begin() as conn:
        replace_rows(conn, STG, _children(1).assign(LAchildID="c"), SLICE)


def test_integral_floats_reach_an_integer_column_as_integers(warehouse: Engine) -> None:
    """pd.concat with an empty frame turns line numbers into floats (136.0): PostgreSQL's COPY
    refused them as text "136.0"; a fraction is still refused before the database sees it."""
    frame = _children(2, first_line=136).astype({"line_number": float})
    with warehouse.begin() as conn:
        assert replace_rows(conn, STG, frame, SLICE) == 2
    assert [r[1] for r in _rows(warehouse)] == [136, 137]
    frame["line_number"] = [2.5, 3.0]
    with pytest.raises(TypeError), warehouse.begin() as conn:
        replace_rows(conn, STG, frame, SLICE)


def test_integer_objects_with_nulls_reach_an_integer_column_as_integers(warehouse: Engine) -> None:
    """Counts read back from the warehouse with a NULL among them, then blanked (objects:
    8975.0, None), as publishing does; a fraction among objects is refused too."""
    frame = _children(2, first_line=1).astype({"line_number": object})
    frame["line_number"] = [8975.0, 3]
    with warehouse.begin() as conn:
        assert replace_rows(conn, STG, frame, SLICE) == 2
    assert sorted(r[1] for r in _rows(warehouse)) == [3, 8975]
    frame["line_number"] = [1.5, 4]
    with pytest.raises(TypeError), warehouse.begin() as conn:
        replace_rows(conn, STG, frame, SLICE)


def test_datetime64_columns_are_stored_as_dates(warehouse):
    typed = validated_table("cin_children")
    frame = pd.DataFrame(
        {
            "source_file": "f.csv",
            "line_number": [2, 3],
            "run_id": "r1",
            "person_birth_date": pd.to_datetime(["2015-06-01", None]),
        }
    )
    with warehouse.begin() as conn:
        replace_rows(conn, typed, frame, {"period": SLICE["period"]})
    with warehouse.connect() as conn:
        got = conn.execute(
            select(typed.c.person_birth_date).order_by(typed.c.line_number)
        ).scalars()
        assert list(got) == [date(2015, 6, 1), None]


def test_a_frame_is_written_part_by_part_with_every_row_in_order(warehouse, monkeypatch):
    """Rows are made into Python values ``ROWS_AT_ONCE`` at a time (memory): a frame of
    several parts, the last one short, is written whole, each value in its row, a part holding
    only missing values and a part's integral floats as in one pass."""
    monkeypatch.setattr(bulk, "ROWS_AT_ONCE", 3)
    frame = _children(8).astype({"line_number": float})
    frame["person_birth_date"] = ["2010-01-01", None, "", None, None, None, "2011-02-03", pd.NA]
    with warehouse.begin() as conn:
        assert replace_rows(conn, STG, frame, SLICE) == 8
    with warehouse.connect() as conn:
        got = conn.execute(
            select(STG.c.line_number, STG.c.la_child_id, STG.c.person_birth_date).order_by(
                STG.c.line_number
            )
        ).all()
    births = ["2010-01-01", None, None, None, None, None, "2011-02-03", None]
    assert [tuple(r) for r in got] == [(i + 2, f"c{i}", birth) for i, birth in enumerate(births)]


def test_times_are_bound_as_one_value_at_a_time_would_be(warehouse):
    """A ``datetime64`` column's processor runs once per distinct time: the same values bound,
    missing ones None, as the processor called on every value gives."""
    at = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    series = pd.Series([at, pd.NaT, at, datetime(2023, 1, 2, tzinfo=UTC), at], name="loaded_at")
    column = ingest_log.c.loaded_at.type
    with warehouse.connect() as conn:
        process = column.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        got = list(bulk._bound_values(conn, ingest_log, series))
    one_by_one = [None if pd.isna(v) else v.to_pydatetime() for v in series]
    if process is not None:
        one_by_one = [None if v is None else process(v) for v in one_by_one]
    assert got == one_by_one and got[1] is None
