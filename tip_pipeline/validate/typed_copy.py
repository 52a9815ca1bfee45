"""Typing inside the database: the validated table's typed rows made by ``INSERT ... SELECT``
from staging, the rows never passing back through Python.

It stores exactly what the Python typing (``parse.typed``, written by ``bulk.replace_rows``)
stores, for every column kind it is used for: the same values, types and NULLs, on SQLite and
PostgreSQL (tested column kind by column kind). Which tables validation types this way is
decided in ``validate.store``.
"""

from __future__ import annotations

import sqlalchemy as sa

from tip_pipeline.sources.contracts import EXTRACTS, ColumnKind
from tip_pipeline.validate.parse import _whitespace
from tip_pipeline.warehouse.readback import META
from tip_pipeline.warehouse.schema import (
    quarantine,
    staging_columns,
    staging_table,
    validated_table,
)

__all__ = ["copy_typed_rows", "typable_in_database"]


def typable_in_database(table: str) -> bool:
    """Whether ``copy_typed_rows`` gives exactly the Python typing's rows for ``table``: not
    for tables with FLOAT columns (reference files only), as pandas' decimal parsing and each
    database's may differ in the last bit."""
    return all(c.kind is not ColumnKind.FLOAT for c in EXTRACTS[table].columns)


def _stripped(conn: sa.Connection, value: sa.ColumnElement) -> sa.ColumnElement:
    """``str.strip()`` in SQL (every Unicode whitespace, not only spaces), "" as NULL: the
    text ``parse.typed`` gives and ``replace_rows`` stores."""
    trim = sa.func.btrim if conn.dialect.name == "postgresql" else sa.func.trim
    return sa.func.nullif(trim(value, sa.literal(_whitespace(), sa.Text)), "")


def _typed_expression(conn: sa.Connection, kind: ColumnKind, value: sa.ColumnElement):
    """The typed value of a staged text column, as the Python path would store it, for a row
    every rule accepted (so a present date or integer is readable)."""
    if kind in (ColumnKind.DATE, ColumnKind.BIRTH_MONTH):
        # accepted dates are exactly yyyy-mm-dd (no trimming), the text SQLite stores for a
        # DATE; CAST(... AS DATE) would give SQLite's NUMERIC affinity (2023-04-01 -> 2023)
        if conn.dialect.name == "sqlite":
            return sa.type_coerce(value, sa.Date)
        return sa.cast(value, sa.Date)
    if kind is ColumnKind.INT:
        return sa.cast(_stripped(conn, value), sa.BigInteger)
    return _stripped(conn, value)


def copy_typed_rows(conn: sa.Connection, table: str, key: str, run_id: str) -> int:
    """Replace the period's typed rows of ``table`` by its staged rows minus those quarantined
    by validation (the ``ops.quarantine`` rows of ``stage = 'validate'`` already written in
    this transaction), typed inside the database: the rows never pass back through Python."""
    stg, typed = staging_table(table), validated_table(table)
    names = staging_columns(table)
    q = quarantine
    quarantined = (
        sa.select(sa.literal(1))
        .where(
            (q.c.table_name == table)
            & (q.c.source_file == stg.c.source_file)
            & (q.c.line_number == stg.c.line_number)
            & (q.c.period == key)
            & (q.c.stage == "validate")
        )
        .exists()
    )
    columns = {
        "period": stg.c.period,
        **{name: stg.c[name] for name in META},
        **{
            names[c.name]: _typed_expression(conn, c.kind, stg.c[names[c.name]])
            for c in EXTRACTS[table].columns
        },
        "run_id": sa.literal(run_id, sa.Text),
    }
    rows = sa.select(*(v.label(k) for k, v in columns.items())).where(
        (stg.c.period == key) & ~quarantined
    )
    conn.execute(typed.delete().where(typed.c.period == key))
    insert = typed.insert().from_select(list(columns), rows)
    return conn.execute(insert.execution_options(preserve_rowcount=True)).rowcount
