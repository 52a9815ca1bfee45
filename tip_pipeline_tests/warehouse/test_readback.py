"""Staged rows read back for validation: contract columns, as text, in line order, any text
given back exactly, on SQLite and PostgreSQL."""

import pandas as pd

from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.readback import read_staged
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
