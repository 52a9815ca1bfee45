"""Staged rows read back for validation: contract columns, as text, in line order, any text
given back exactly, on SQLite and PostgreSQL."""

import math
from datetime import date

import pandas as pd
import sqlalchemy as sa
from pandas.testing import assert_frame_equal

from tip_pipeline.indicators.data import as_objects
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.layers import RESTRICTED
from tip_pipeline.warehouse.readback import read_frame, read_staged
from tip_pipeline.warehouse.schema import staging_table

KEY = "2023/24"


def _staged(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": "cin_children_2023-24.csv",
            "line_number": range(n + 1, 1, -1),  # written out of order
            "load_run_id": "r1",
            "la_child_id": [f"c{i}" for i in range(n)],
            "person_birth_date": ["2015-06-01", None, " 2015-07-01"][:n],
            "sex": ["1", "2", None][:n],
        }
    )


def test_read_staged_gives_contract_columns_as_text_in_line_order(warehouse):
    with warehouse.begin() as conn:
        replace_rows(conn, staging_table("cin_children"), _staged(3), {"period": KEY})
    with warehouse.connect() as conn:
        frame = read_staged(conn, "cin_children", KEY)
        empty = read_staged(conn, "cin_children", "2024/25")
    assert list(frame.columns[:4]) == ["source_file", "line_number", "quarter", "LAchildID"]
    assert frame["line_number"].tolist() == [2, 3, 4]
    assert str(frame["line_number"].dtype) == "Int64" and frame["quarter"].isna().all()
    assert frame["LAchildID"].dtype == pd.StringDtype("pyarrow")
    assert frame["PersonBirthDate"].tolist() == [" 2015-07-01", pd.NA, "2015-06-01"]
    assert empty.empty and list(empty.columns) == list(frame.columns)


AWKWARD = [
    "a,b",
    'say "no"',
    "two\nlines",
    "cr\r\nlf",
    "NA",
    "NULL",
    "N/A",
    "nan",
    "back\\slash",
    " padded\t",
    "Café \u00a0",
    "",  # stored as NULL, as every empty field is
    None,
    "\\N",
]


def test_read_staged_gives_back_any_text_exactly(warehouse):
    """Whatever a staged field holds (delimiters, quotes, line breaks, texts that CSV readers
    take for missing), it is read back as it was: PostgreSQL's read goes through COPY's CSV."""
    n = len(AWKWARD)
    frame = pd.DataFrame(
        {
            "source_file": "cin_children_2023-24.csv",
            "line_number": range(2, n + 2),
            "quarter": [None, 3] * (n // 2),
            "load_run_id": "r1",
            "la_child_id": AWKWARD,
        }
    )
    with warehouse.begin() as conn:
        replace_rows(conn, staging_table("cin_children"), frame, {"period": KEY})
    with warehouse.connect() as conn:
        read = read_staged(conn, "cin_children", KEY)
    expected = [pd.NA if value in ("", None) else value for value in AWKWARD]
    assert read["LAchildID"].tolist() == expected
    assert read["line_number"].tolist() == list(range(2, n + 2))
    assert read["quarter"].tolist() == [pd.NA, 3] * (n // 2)
    assert read["PersonBirthDate"].isna().all()


_TYPED = sa.Table(
    "typed_read_probe",
    sa.MetaData(),
    sa.Column("line", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text),
    sa.Column("text_full", sa.Text),
    sa.Column("text_none", sa.Text),
    sa.Column("big", sa.BigInteger),
    sa.Column("big_full", sa.BigInteger),
    sa.Column("big_none", sa.BigInteger),
    sa.Column("real", sa.Double),
    sa.Column("real_full", sa.Double),
    sa.Column("day", sa.Date),
    sa.Column("day_full", sa.Date),
    sa.Column("day_none", sa.Date),
    sa.Column("flag", sa.Boolean),
    sa.Column("flag_full", sa.Boolean),
    schema=RESTRICTED,
)
_REALS = [0.1, 1 / 3, -2.5e-300, 1.7976931348623157e308, 5e-324, 12345.678901234567, math.nan]
_REALS += [math.inf, -math.inf]
_DAYS = [date(2015, 6, 1), date(1999, 12, 31), date(2024, 2, 29), date(1, 1, 1)]


def _typed_rows() -> list[dict]:
    """Rows of every kind of value a validated column holds, missing ones among them: text
    CSV would take apart or for missing, integers past a double's precision, doubles that
    need every digit, NaN and the infinities, dates, booleans."""
    texts = [t for t in AWKWARD if t is not None]
    rows = []
    for i in range(24):
        rows.append(
            {
                "line": i,
                "text": None if i % 5 == 4 else texts[i % len(texts)],
                "text_full": texts[(i + 3) % len(texts)],
                "big": None if i % 7 == 6 else 2**53 + i,
                "big_full": -(2**62) + i,
                "real": None if i % 4 == 3 else _REALS[i % len(_REALS)] * (i + 1),
                "real_full": _REALS[(i + 1) % len(_REALS)],
                "day": None if i % 3 == 2 else _DAYS[i % len(_DAYS)],
                "day_full": _DAYS[(i + 1) % len(_DAYS)],
                "flag": None if i % 6 == 5 else i % 2 == 0,
                "flag_full": i % 3 == 0,
            }
        )
    return rows


def test_read_frame_gives_read_sqls_frame_exactly(warehouse):
    """``read_frame`` (Arrow, COPY on PostgreSQL) gives ``pd.read_sql``'s frame, dtypes
    included: text as ``str`` with NaN missing, a column of nothing but NULLs as objects, an
    integer column with a NULL as float64, dates as ``datetime.date`` objects, booleans as
    bool, objects when one is missing; no rows, all
    objects; a query with an expanding ``IN`` list; a column of a type not mapped (read by
    ``read_sql``); and with ``text_as_objects``, text as ``as_objects`` makes it."""
    _TYPED.create(warehouse)
    with warehouse.begin() as conn:
        conn.execute(_TYPED.insert(), _typed_rows())
    c = _TYPED.c
    queries = [
        sa.select(_TYPED),
        sa.select(c.text, c.big, c.day).where(c.line.in_([1, 2, 3, 5, 8, 13])),
        sa.select(c.text_none, c.big_none, c.day_none, c.real).where(c.line < 2),
        sa.select(c.flag, c.flag_full).where(c.line < 5),  # booleans, none missing
        sa.select(_TYPED).where(c.line < 0),
        sa.select(c.day_full.label("renamed"), c.big_full),
        sa.select(c.text, sa.cast(c.big_full, sa.Numeric)),  # a type not mapped: read_sql's
    ]
    with warehouse.connect() as conn:
        for query in queries:
            expected = pd.read_sql(query, conn)
            assert_frame_equal(read_frame(conn, query), expected, check_exact=True)
            assert_frame_equal(
                read_frame(conn, query, text_as_objects=True),
                as_objects(expected),
                check_exact=True,
            )
    with warehouse.connect() as conn:
        whole, expected_whole = read_frame(conn, queries[0]), pd.read_sql(queries[0], conn)
    assert str(expected_whole["text"].dtype) == "str" and whole["text_none"].dtype == object
    assert whole["big"].dtype == "float64" and whole["big_full"].dtype == "int64"
    assert whole["day"].dtype == object and isinstance(whole.loc[0, "day"], date)
    assert whole["flag_full"].dtype == bool and whole["flag"].dtype == object
