"""Read rows back fast: one extract's period from its staging table, as validation reads it
(``read_staged``), and any query of typed columns as ``pandas.read_sql`` would give it
(``read_frame``, with which the indicators read the validated tables).

The counterpart of ``bulk`` (which writes a slice fast): the rows are read on the driver's
cursor straight into Arrow arrays (on PostgreSQL as ``COPY ... TO STDOUT`` in CSV, parsed by
Arrow), because SQLAlchemy's row objects and ``read_sql``'s later string conversion cost more
than the read itself (the figures are in ``docs/PERFORMANCE.md``). ``as_staged`` gives the same
frame from the rows ingestion has just staged, without the round trip.
"""

from __future__ import annotations

import io
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.warehouse.schema import staging_columns, staging_table

__all__ = ["META", "as_staged", "read_frame", "read_staged"]

#: the staging columns validation reads besides the contract's: where each row came from
META: Final = ("source_file", "line_number", "quarter")
#: of ``META``, the integer columns (read as nullable ``Int64``; every other column is text)
INT_META: Final = ("line_number", "quarter")
#: the dtype ``read_sql`` infers for text (pandas 3's ``str``: Arrow-backed, NaN missing)
READ_SQL_TEXT: Final = pd.StringDtype("pyarrow", na_value=np.nan)
#: rows fetched per round trip on SQLite's cursor
FETCH_ROWS: Final = 200_000
#: how SQLite stores the types it has no storage class of: read as such, then cast
_SQLITE_STORED: Final = {pa.date32(): pa.large_string(), pa.bool_(): pa.int64()}


def _layout(table: str) -> tuple[list[str], list[str]]:
    """The columns validation reads, by contract name and by staging-table name."""
    return [*META, *EXTRACTS[table].column_names], [*META, *staging_columns(table).values()]


def read_staged(conn: sa.Connection, table: str, key: str) -> pd.DataFrame:
    """Staged rows of one table and period, with contract column names (text, as delivered),
    in file-name and line order."""
    stg = staging_table(table)
    names, db_names = _layout(table)
    query = (
        sa.select(*(stg.c[name] for name in db_names))
        .where(stg.c.period == key)
        .order_by(stg.c.source_file, stg.c.line_number)
    )
    types = [pa.int64() if name in INT_META else pa.large_string() for name in names]
    fetch = _copy_arrow if conn.dialect.name == "postgresql" else _fetch_arrow
    columns = fetch(conn, query, types)
    return pd.DataFrame(
        {
            name: (
                column.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
                if name in INT_META
                else pd.arrays.ArrowStringArray(column)
            )
            for name, column in zip(names, columns, strict=True)
        }
    )


def as_staged(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The rows ingestion has just staged (``IngestResult.staged``: staging-table columns, in
    file-name and line order) as ``read_staged`` would read them back: the same columns, types
    and order, without the round trip through the warehouse."""
    names, db_names = _layout(table)
    return pd.DataFrame(
        {
            name: (
                frame[db_name].astype(pd.Int64Dtype())
                if name in INT_META
                else frame[db_name].astype(pd.StringDtype("pyarrow"))
            )
            for name, db_name in zip(names, db_names, strict=True)
        }
    )


def read_frame(
    conn: sa.Connection, query: sa.Select, *, text_as_objects: bool = False
) -> pd.DataFrame:
    """``pandas.read_sql(query, conn)``, the same frame (dtypes included), read through Arrow.

    Why: ``read_sql`` makes a SQLAlchemy row of every record, runs SQLAlchemy's Python
    processor on every date (SQLite stores dates as text) and then has pandas infer each
    column's type from its Python objects; reading the validated tables that way was most of
    ``indicators.data.load_year`` (docs/PERFORMANCE.md, "Reading the validated tables; linked
    adversity and prevalence over arrays"). Here
    the driver's rows go straight into Arrow arrays of the columns' declared types, and each
    array is given the dtype ``read_sql``'s inference gives its values (``_as_read_sql``). The
    values are the driver's own, as ``read_sql`` gets them: on PostgreSQL, psycopg's (its C
    loaders; ``COPY ... TO STDOUT``, as ``read_staged`` reads, was slower here: psycopg hands
    COPY's output over row by row in Python); on SQLite, the stored ISO text of a date cast
    by Arrow.

    With ``text_as_objects``, text columns come as ``indicators.data.as_objects`` would turn
    ``read_sql``'s into: Python objects, a missing value NaN. A query selecting a column of a
    type not mapped in ``_arrow_type`` is read by ``read_sql`` itself."""
    names = list(query.selected_columns.keys())
    types = [_arrow_type(column.type) for column in query.selected_columns]
    if any(t is None for t in types):
        frame = pd.read_sql(query, conn)
        return _text_objects(frame) if text_as_objects else frame
    # SQLite keeps dates as ISO text and booleans as 0 and 1, which Arrow casts; psycopg
    # gives ``datetime.date`` and ``bool``
    read = types
    if conn.dialect.name == "sqlite":
        read = [_SQLITE_STORED.get(t, t) for t in types]
    columns = [
        column.cast(t) if column.type != t else column
        for column, t in zip(_fetch_arrow(conn, query, read), types, strict=True)
    ]
    values = [_as_read_sql(column, text_as_objects) for column in columns]
    # dtype given: pandas would take an object array of text for ``str``
    frame = pd.DataFrame(
        {i: pd.Series(array, dtype=array.dtype, copy=False) for i, array in enumerate(values)}
    )
    frame.columns = pd.Index(names)
    return frame


def _arrow_type(sql_type: sa.types.TypeEngine) -> pa.DataType | None:
    """The Arrow type a column of ``sql_type`` is read as; None for a type not mapped."""
    if isinstance(sql_type, sa.Date):
        return pa.date32()
    if isinstance(sql_type, sa.Integer):
        return pa.int64()
    if isinstance(sql_type, sa.Float):
        return pa.float64()
    if isinstance(sql_type, sa.String):
        return pa.large_string()
    if isinstance(sql_type, sa.Boolean):
        return pa.bool_()
    return None


def _as_read_sql(
    column: pa.ChunkedArray, text_as_objects: bool
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """One column as ``read_sql`` types it, from its values (``lib.maybe_convert_objects``):
    no rows, or every value missing, is an object column (of None); text is pandas' ``str``
    (NaN missing); integers are int64, float64 when one is missing; floats float64; dates
    Python ``datetime.date`` objects (None missing); booleans bool, Python objects (None
    missing) when one is missing."""
    if column.null_count == len(column):
        return np.full(len(column), None, dtype=object)
    kind = column.type
    if kind == pa.large_string():
        if text_as_objects:
            values = column.to_numpy(zero_copy_only=False)
            if column.null_count:
                values[column.is_null().to_numpy(zero_copy_only=False)] = np.nan
            return values
        return pd.array(column, dtype=READ_SQL_TEXT)
    if kind == pa.date32():
        return column.to_pandas(date_as_object=True).to_numpy()
    if kind == pa.int64() and column.null_count:
        return column.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)
    if kind == pa.bool_() and column.null_count:
        return np.array(column.to_pylist(), dtype=object)
    return column.to_numpy(zero_copy_only=False)


def _text_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s ``str`` columns as Python objects (``indicators.data.as_objects``)."""
    text = [c for c in frame.columns if frame[c].dtype == READ_SQL_TEXT]
    return frame.astype(dict.fromkeys(text, object)) if text else frame


def _fetch_arrow(
    conn: sa.Connection, query: sa.Select, types: list[pa.DataType]
) -> list[pa.ChunkedArray]:
    """The query's result as one Arrow array per column, of ``types``. Rows are fetched in
    chunks on the driver's cursor and turned into columns by Arrow (a struct array of the
    row tuples), not by Python."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args = tuple(params[n] for n in compiled.positiontup) if compiled.positional else params
    row_type = pa.struct([(str(i), t) for i, t in enumerate(types)])
    chunks: list[pa.StructArray] = []
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        while rows := cursor.fetchmany(FETCH_ROWS):
            chunks.append(pa.array(rows, type=row_type))
    finally:
        cursor.close()
    return [
        pa.chunked_array([chunk.field(i) for chunk in chunks], type=t) for i, t in enumerate(types)
    ]


def _copy_arrow(
    conn: sa.Connection, query: sa.Select, types: list[pa.DataType]
) -> list[pa.ChunkedArray]:
    """PostgreSQL: the query's result as one Arrow array per column, of ``types``, through
    ``COPY (query) TO STDOUT`` in CSV, parsed by Arrow's CSV reader: no Python object per
    value. CSV keeps NULL (an empty field) apart from the empty string (``""``), and quotes
    every value holding a comma, quote or line break; only an empty field is read as
    missing, never a text such as ``NA`` or ``NULL``."""
    text = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    buffer = io.BytesIO()
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY ({text}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
    finally:
        cursor.close()
    if not buffer.getbuffer().nbytes:
        return [pa.chunked_array([], type=t) for t in types]
    names = [str(i) for i in range(len(types))]
    table = pacsv.read_csv(
        pa.BufferReader(buffer.getvalue()),
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict(zip(names, types, strict=True)),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    return [table.column(i) for i in range(len(types))]
