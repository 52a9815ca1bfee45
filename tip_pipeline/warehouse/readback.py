"""Read staged rows back: one extract's period from its staging table, as validation reads it.

The counterpart of ``bulk`` (which writes a slice fast): the rows are read on the driver's
cursor straight into Arrow arrays (on PostgreSQL as ``COPY ... TO STDOUT`` in CSV, parsed by
Arrow), because SQLAlchemy's row objects and ``read_sql``'s later string conversion cost more
than the read itself (the figures are in ``docs/PERFORMANCE.md``). ``as_staged`` gives the same
frame from the rows ingestion has just staged, without the round trip.
"""

from __future__ import annotations

import io
from typing import Final

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.warehouse.schema import staging_columns, staging_table

__all__ = ["META", "as_staged", "read_staged"]

#: the staging columns validation reads besides the contract's: where each row came from
META: Final = ("source_file", "line_number", "quarter")
#: of ``META``, the integer columns (read as nullable ``Int64``; every other column is text)
INT_META: Final = ("line_number", "quarter")
#: rows fetched per round trip on SQLite's cursor
FETCH_ROWS: Final = 200_000


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


def _fetch_arrow(
    conn: sa.Connection, query: sa.Select, types: list[pa.DataType]
) -> list[pa.ChunkedArray]:
    """The query's result as one Arrow array per column, of ``types``. Rows are fetched in
    chunks on the driver's cursor and turned into columns by Arrow (a struct array of the
    row tuples), not by Python."""
    compiled = query.compile(dialect=conn.dialect)
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
