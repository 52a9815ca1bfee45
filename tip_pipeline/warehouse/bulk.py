"""Idempotent bulk loads: replace a slice of a table with a DataFrame, by the fast path.

A load replaces what an earlier load of the same slice wrote (``DELETE ... WHERE`` the slice,
then insert), in the caller's transaction, so that a rerun gives the same table and a failure
part way leaves the previous rows in place. Rows go in by each backend's bulk path: PostgreSQL
``COPY ... FROM STDIN`` through psycopg 3, SQLite one prepared INSERT run by ``executemany``
(never ORM objects nor ``DataFrame.to_sql``, which are one to two orders of magnitude slower).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, Date, Integer, Table, and_, exc, true

__all__ = ["replace_rows"]

#: rows turned into Python values at a time (``_rows``)
ROWS_AT_ONCE: Final = 100_000


def replace_rows(
    conn: Connection, table: Table, frame: pd.DataFrame, where: Mapping[str, object]
) -> int:
    """Replace the rows of ``table`` matching ``where`` by ``frame``; the number inserted.

    ``where`` names the slice, e.g. ``{"period": "2023/24", "source_file": name}``; ``{}``
    replaces the whole table. Its columns need not be in ``frame``: missing ones are filled
    with the ``where`` value, and present ones must hold only that value, so that the next
    load of the slice deletes exactly what this one inserted. ``None`` in ``where`` matches
    NULL. Missing values (None, NaN, NA, NaT) and empty strings are stored as NULL. Columns of
    ``table`` absent from ``frame`` get their defaults.
    """
    frame = _with_slice_columns(table, frame, where)
    conn.execute(table.delete().where(_slice_condition(table, where)))
    if frame.empty:
        return 0
    columns = list(frame.columns)
    rows = _rows(conn, table, frame)
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, columns, rows)
    else:
        _executemany_rows(conn, table, columns, rows)
    return len(frame)


def _with_slice_columns(
    table: Table, frame: pd.DataFrame, where: Mapping[str, object]
) -> pd.DataFrame:
    """``frame`` checked against ``table`` and ``where``, with missing slice columns added."""
    unknown = [str(c) for c in [*frame.columns, *where] if c not in table.c]
    if unknown:
        raise ValueError(f"{table.fullname} has no column(s) {sorted(set(unknown))}")
    for name, value in where.items():
        if name in frame.columns and not _all_equal(frame[name], value):
            raise ValueError(
                f"{table.fullname}: column {name!r} of the frame holds values other than the "
                f"slice's {value!r}; the next load of the slice would not replace them"
            )
    missing = {name: value for name, value in where.items() if name not in frame.columns}
    return frame.assign(**missing) if missing else frame


def _all_equal(series: pd.Series, value: object) -> bool:
    if value is None:
        return bool(series.isna().all())
    return bool((series == value).all())


def _slice_condition(table: Table, where: Mapping[str, object]) -> Any:
    """``col = value AND ...`` (``IS NULL`` for None); TRUE for the whole table."""
    if not where:
        return true()
    return and_(
        *(
            table.c[name].is_(None) if value is None else table.c[name] == value
            for name, value in where.items()
        )
    )


def _rows(conn: Connection, table: Table, frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """The frame's rows as tuples of Python values, bound as SQLAlchemy would bind them,
    ``ROWS_AT_ONCE`` rows at a time: a Python object per value of a whole frame at once was
    some 2 GB at england scale (``indicator_values``, 1.9 million rows of 20 columns), the
    largest part of an england year's peak memory (issue #21, point 6)."""
    for start in range(0, len(frame), ROWS_AT_ONCE):
        part = frame.iloc[start : start + ROWS_AT_ONCE]
        yield from zip(
            *(_bound_values(conn, table, part[name]) for name in part.columns), strict=True
        )


def _as_integers(series: pd.Series) -> pd.Series:
    """Whole numbers as integers, e.g. line numbers of a concat with an empty frame or counts
    read back with a NULL among them: 136.0 must reach COPY as 136 (SQLite's integer affinity
    already stores it so). A fraction raises (numpy's cast refuses it; pandas' nullable
    Float64 would truncate it)."""
    if series.dtype == object:
        series = pd.to_numeric(series, dtype_backend="numpy_nullable")
    if pd.api.types.is_float_dtype(series.dtype):
        series = series.astype("float64")
    return series.astype("Int64")


def _bound_values(conn: Connection, table: Table, series: pd.Series) -> Sequence[Any]:
    """One column's values as the driver receives them. Dates held as ``datetime64`` are
    written ``yyyy-mm-dd`` in one vectorised pass: the text SQLite's DATE type stores and
    PostgreSQL's COPY reads, without a Python date object and bind call per value."""
    column_type = table.c[series.name].type
    if isinstance(column_type, Date) and pd.api.types.is_datetime64_dtype(series.dtype):
        return _iso_dates(series)
    if isinstance(column_type, Integer) and (
        pd.api.types.is_float_dtype(series.dtype) or series.dtype == object
    ):
        series = _as_integers(series)
    process = column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if process is None:
        return _column_values(series)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _processed_once(series, process)
    return [None if v is None else process(v) for v in _column_values(series)]


def _processed_once(series: pd.Series, process: Callable[[Any], Any]) -> np.ndarray:
    """A ``datetime64`` column's bound values, the processor called once per distinct value:
    a load's ``loaded_at`` is one time on every row, and SQLite's processor (a text per
    value) was a sixth of writing an england year's 1.9 million indicator rows."""
    codes, distinct = pd.factorize(series)
    bound = np.full(len(distinct) + 1, None, dtype=object)  # the last for code -1, missing
    bound[:-1] = [None if v is None else process(v) for v in _column_values(pd.Series(distinct))]
    return bound[codes]


def _iso_dates(series: pd.Series) -> np.ndarray:
    """``yyyy-mm-dd`` text (None where missing) of a ``datetime64`` column, time dropped:
    Arrow's date-to-text cast."""
    days = pa.array(series.to_numpy(dtype="datetime64[D]"), from_pandas=True)
    return days.cast(pa.string()).to_numpy(zero_copy_only=False)


def _column_values(series: pd.Series) -> np.ndarray:
    """One column as Python objects: None for every kind of missing value and for ``""``."""
    values = series.to_numpy(dtype=object, na_value=None)
    if isinstance(series.dtype, pd.StringDtype):  # missing already None; "" found vectorised
        missing = series.eq("").to_numpy(dtype=bool, na_value=False)
    else:
        missing = pd.isna(values)  # NaT and NaN inside object columns too
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            missing |= values == ""
    if missing.any():
        values = values.copy()  # to_numpy may return a read-only view (copy on write)
        values[missing] = None
    return values


def _copy_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """PostgreSQL: COPY FROM STDIN on the connection's psycopg 3 connection (same transaction)."""
    sql = f"COPY {_target(conn, table, columns)} FROM STDIN"
    with (
        _as_sqlalchemy_errors(conn, sql),
        conn.connection.driver_connection.cursor() as cursor,
        cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _executemany_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """SQLite: one prepared INSERT, executemany over a stream of rows (same transaction)."""
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {_target(conn, table, columns)} VALUES ({marks})"
    cursor = conn.connection.driver_connection.cursor()
    try:
        with _as_sqlalchemy_errors(conn, sql):
            cursor.executemany(sql, rows)
    finally:
        cursor.close()


@contextmanager
def _as_sqlalchemy_errors(conn: Connection, sql: str) -> Iterator[None]:
    """Driver errors raised as SQLAlchemy's (``IntegrityError`` ...), as Core would raise them."""
    try:
        yield
    except conn.dialect.loaded_dbapi.Error as err:
        raise exc.DBAPIError.instance(sql, None, err, conn.dialect.loaded_dbapi.Error) from err


def _target(conn: Connection, table: Table, columns: Sequence[str]) -> str:
    """``schema.table (col, ...)`` quoted for the connection's dialect."""
    preparer = conn.dialect.identifier_preparer
    return f"{preparer.format_table(table)} ({', '.join(preparer.quote(c) for c in columns)})"
