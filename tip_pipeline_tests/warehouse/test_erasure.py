"""Erasure on a hand-filled warehouse: a child's staged, validated and quarantined rows and the
malformed lines holding its pseudonym removed, the other child's kept, every file's records
still adding up (consistency), the removal counted by file, the child registered by a hash of
its pseudonym only, and its rows refused when delivered again."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.consistency import file_partial_states
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.erasure import (
    REFUSED,
    NotAPseudonym,
    erase,
    person_columns,
    person_tables,
    read_pseudonyms,
    refuse_erased,
    registered,
    token,
)

NOW = datetime(2026, 12, 2, tzinfo=UTC)
A, B = "a" * 64, "b" * 64
TABLE, FILE, YEAR = "cin_children", "cin_children_2023-24.csv", "2023/24"


@pytest.fixture
def engine(migrated_sqlite_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(migrated_sqlite_url)
    yield engine
    engine.dispose()


def test_a_request_is_pseudonyms_and_a_bad_line_is_named_not_shown():
    assert read_pseudonyms([f" {A} ", "", "# a comment", B, A], "erase.txt") == [A, B]
    with pytest.raises(NotAPseudonym) as refused:
        read_pseudonyms([A, "Olivia Hussain"], "erase.txt")
    assert str(refused.value).startswith("erase.txt, line 2: not a pseudonym")
    assert "Olivia" not in str(refused.value)


def test_every_service_extract_with_a_person_is_covered():
    tables = set(person_tables())
    assert {"cin_children", "cin_episodes", "ssda903_header", "yjs_offences"} <= tables
    assert {"hclic_children"} <= tables and not any(t.startswith("ref_") for t in tables)
    assert person_columns("cin_children") == ("la_child_id",)


def _fill(engine: sa.Engine) -> None:
    """One file: line 2 child A accepted, line 3 B accepted, line 4 A quarantined by a rule,
    line 5 malformed holding A's pseudonym; the log's four lines read by run r1."""
    column = person_columns(TABLE)[0]
    staged = [
        {"period": YEAR, "source_file": FILE, "line_number": n, "load_run_id": "r1", column: who}
        for n, who in ((2, A), (3, B), (4, A))
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.staging_table(TABLE)), staged)
        accepted = [
            {k: v for k, v in row.items() if k != "load_run_id"} | {"run_id": "r1"}
            for row in staged[:2]
        ]
        conn.execute(sa.insert(schema.validated_table(TABLE)), accepted)
        base = {"period": YEAR, "table_name": TABLE, "source_file": FILE, "run_id": "r1"}
        base |= {"rule_text": "a rule", "quarantined_at": NOW}
        conn.execute(
            sa.insert(schema.quarantine),
            [
                base
                | {
                    "line_number": 4,
                    "stage": "validate",
                    "rule_id": "r",
                    "child_id": A,
                    "record": None,
                },
                base
                | {
                    "line_number": 5,
                    "stage": "read",
                    "rule_id": "m",
                    "child_id": None,
                    "record": f"x,{A},y",
                },
            ],
        )
        conn.execute(
            sa.insert(schema.ingest_log),
            {
                "run_id": "r1",
                "file_name": FILE,
                "table_name": TABLE,
                "period": YEAR,
                "size_bytes": 1,
                "sha256": "0" * 64,
                "rows": 4,
                "loaded_at": NOW,
            },
        )


def _column(conn: sa.Connection, table: sa.Table, column: str) -> list:
    return sorted(conn.execute(sa.select(table.c[column])).scalars(), key=str)


def test_a_child_is_erased_from_every_layer_and_the_file_still_adds_up(engine):
    _fill(engine)
    with engine.connect() as conn:
        assert file_partial_states(conn, TABLE) == []
    erased, periods = erase(engine, [A], "e1", NOW)
    assert periods == {YEAR}
    assert sorted((r.layer, r.count) for r in erased) == [("malformed", 1), ("staged", 2)]
    column = person_columns(TABLE)[0]
    with engine.connect() as conn:
        assert _column(conn, schema.staging_table(TABLE), column) == [B]
        assert _column(conn, schema.validated_table(TABLE), column) == [B]
        assert _column(conn, schema.quarantine, "line_number") == []
        assert file_partial_states(conn, TABLE) == []
        assert registered(conn) == {token(A)}
        register = conn.execute(sa.select(schema.erased_people)).all()
        assert A not in str(register)
        assert conn.execute(
            sa.select(schema.runs.c.job).where(schema.runs.c.run_id == "e1")
        ).scalar_one() == ("tip erase")


def test_a_registered_child_is_refused_at_staging_and_counted(engine):
    erase(engine, [A], "e1", NOW)  # nothing held yet: the child is registered all the same
    column = person_columns(TABLE)[0]
    staged = pd.DataFrame(
        {
            "period": YEAR,
            "source_file": [FILE, FILE, FILE],
            "line_number": [2, 3, 4],
            column: [A, B, None],
        }
    )
    with engine.begin() as conn:
        kept = refuse_erased(conn, TABLE, staged, "r2", NOW)
        recorded = conn.execute(
            sa.select(schema.erasures.c.layer, schema.erasures.c.count).where(
                schema.erasures.c.load_run_id == "r2"
            )
        ).all()
    assert list(kept["line_number"]) == [3, 4]
    assert recorded == [(REFUSED, 1)]


def test_nothing_is_refused_while_the_register_is_empty(engine):
    staged = pd.DataFrame({"period": [YEAR], "source_file": [FILE], "la_child_id": [A]})
    with engine.begin() as conn:
        assert refuse_erased(conn, TABLE, staged, "r2", NOW) is staged
