"""The typed copy made inside the database (``INSERT ... SELECT`` from staging) stores exactly
what the Python typing stores, for every column kind and every table it is used for, on SQLite
and PostgreSQL: same values, same types (SQLite's storage classes included), same NULLs."""

from itertools import cycle, islice

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.ingest.load import period_key
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, ColumnKind
from tip_pipeline.validate.engine import QUARANTINE_COLUMNS, TableOutcome
from tip_pipeline.validate.rules import Delivery
from tip_pipeline.validate.store import _typed_rows
from tip_pipeline.validate.typed_copy import copy_typed_rows, typable_in_database
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.readback import read_staged
from tip_pipeline.warehouse.schema import (
    quarantine,
    staging_columns,
    staging_table,
    validated_table,
)

PERIOD = FinancialYear(2024)
ROWS = 9
TEXT = [
    "plain",
    "  a  b ",  # inner spaces kept
    "\tX1\r\n",
    "\u00a0Café\u3000",  # non-ASCII whitespace that str.strip removes
    " \t\u2003 ",  # whitespace only: NULL
    "\x1c\x1dv\x85\u2028",
    "3B, 4B ,18C",
    None,
    "E01000001",
]
#: values a row accepted by the rules can hold (an unreadable one is quarantined by ``format``)
VALUES = {
    ColumnKind.DATE: ["2024-02-29", "1900-01-01", None, "2262-04-11", "1677-09-22", "2024-03-31"],
    ColumnKind.BIRTH_MONTH: ["2015-06-01", None, "2009-12-01"],
    ColumnKind.INT: [
        " 007 ",
        "-0",
        "-12",
        "9223372036854775807",
        "\t42\u00a0",
        " ",
        None,
        "0",
        "5",
    ],
}


def _staged(table: str, key: str) -> pd.DataFrame:
    extract = EXTRACTS[table]
    names = staging_columns(table)
    frame = pd.DataFrame(
        {
            "source_file": f"{table}.csv",
            "line_number": range(2, ROWS + 2),
            "quarter": [None, 1, 2] * (ROWS // 3),
            "load_run_id": "load",
        }
    )
    for i, column in enumerate(extract.columns):
        values = VALUES.get(column.kind, TEXT)
        frame[names[column.name]] = list(islice(cycle(values), i, i + ROWS))
    return frame.assign(period=key)


def _stored(conn: sa.Connection, table: str) -> list[tuple]:
    """The rows as the driver returns them, each value with its Python type."""
    typed = validated_table(table)
    cursor = conn.connection.driver_connection.cursor()
    preparer = conn.dialect.identifier_preparer
    cursor.execute(f"SELECT * FROM {preparer.format_table(typed)}")
    rows = cursor.fetchall()
    cursor.close()
    return sorted(tuple((type(v).__name__, v) for v in row) for row in rows)


def _python_typed(conn: sa.Connection, table: str, key: str) -> None:
    raw = read_staged(conn, table, key)
    delivery = Delivery(period=PERIOD, raw={table: raw})
    outcome = TableOutcome(
        table=table,
        rows_in=len(raw),
        accepted=delivery.typed(table),
        quarantined=pd.DataFrame(columns=QUARANTINE_COLUMNS),
    )
    replace_rows(conn, validated_table(table), _typed_rows(outcome, key, "run"), {"period": key})


def test_typed_copy_equals_python_typing_for_every_kind(warehouse):
    tables = [t for t in EXTRACTS if typable_in_database(t)]
    kinds = {c.kind for t in tables for c in EXTRACTS[t].columns}
    assert kinds == set(ColumnKind) - {ColumnKind.FLOAT}
    assert not typable_in_database("ref_imd")  # FLOAT columns stay on the Python path
    with warehouse.begin() as conn:
        for table in tables:
            key = period_key(EXTRACTS[table], PERIOD)
            replace_rows(conn, staging_table(table), _staged(table, key), {"period": key})
            _python_typed(conn, table, key)
            by_python = _stored(conn, table)
            assert len(by_python) == ROWS
            assert copy_typed_rows(conn, table, key, "run") == ROWS
            assert _stored(conn, table) == by_python, table


def test_typed_copy_leaves_out_rows_quarantined_by_validation_and_replaces_the_year(warehouse):
    table = "hclic_main"
    key = period_key(EXTRACTS[table], PERIOD)
    quarantined = {
        "period": key,
        "table_name": table,
        "source_file": f"{table}.csv",
        "rule_id": "r",
        "rule_text": "r",
        "run_id": "run",
        "quarantined_at": pd.Timestamp("2026-01-01", tz="UTC"),
    }
    rows = pd.DataFrame(
        [
            {**quarantined, "line_number": 3, "stage": "validate"},
            {**quarantined, "line_number": 4, "stage": "read"},  # not a validation outcome
            {**quarantined, "line_number": 5, "stage": "validate", "table_name": "hclic_support"},
        ]
    )
    with warehouse.begin() as conn:
        replace_rows(conn, staging_table(table), _staged(table, key), {"period": key})
        replace_rows(conn, quarantine, rows, {})
        assert copy_typed_rows(conn, table, key, "run") == ROWS - 1
        assert copy_typed_rows(conn, table, key, "run") == ROWS - 1  # idempotent
        typed = validated_table(table)
        lines = conn.execute(sa.select(typed.c.line_number).order_by(typed.c.line_number))
        assert list(lines.scalars()) == [n for n in range(2, ROWS + 2) if n != 3]
