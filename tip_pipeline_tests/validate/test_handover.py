"""Rows validated straight from ingestion, in memory, are exactly the rows staging holds: the
same frame as a read-back, the same outcome in every table validation writes, on SQLite and
PostgreSQL. A frame from another load than the staged one is not used. Writes made in the
background fail validation as a whole."""

import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.ingest.load import IngestResult, ingest_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate import store
from tip_pipeline.validate.store import validate_tables
from tip_pipeline.warehouse.readback import as_staged, read_staged
from tip_pipeline.warehouse.schema import (
    completeness,
    quarantine,
    validated_table,
    validation_results,
)

YEAR = FinancialYear(2023)
STATIC = [t for t, e in EXTRACTS.items() if not e.per_period]
#: CIN (four tables, cross-table rules and cascades) and homelessness (four quarterly files)
SOURCES = ("cin", "hclic")

# ingests and validates whole generated sources on both backends: a whole stage, not a unit
pytestmark = pytest.mark.integration


def tables_of(source: str) -> list[str]:
    return [t for t, e in EXTRACTS.items() if e.source == source and e.per_period]


def ingest(engine, data, tables, period, run_id) -> dict[str, IngestResult]:
    return {t: ingest_extract(engine, data, t, period, run_id) for t in tables}


def table_rows(engine, table: sa.Table, where, drop: tuple[str, ...]) -> pd.DataFrame:
    """A table's rows of a slice, in a stable order, without run ids and timestamps."""
    with engine.connect() as conn:
        frame = pd.read_sql(sa.select(table).where(where), conn)
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    return frame.sort_values(list(frame.columns)[:4], ignore_index=True)


def outcome(engine, tables: list[str]) -> dict[str, pd.DataFrame]:
    """Everything validation stored for the year's tables, run ids and times left out."""
    key = YEAR.label
    frames = {
        "quarantine": table_rows(
            engine,
            quarantine,
            (quarantine.c.period == key) & quarantine.c.table_name.in_(tables),
            ("run_id", "quarantined_at"),
        ),
        "results": table_rows(
            engine,
            validation_results,
            validation_results.c.table_name.in_(tables),
            ("run_id", "checked_at"),
        ),
    }
    for table in tables:
        typed = validated_table(table)
        frames[table] = table_rows(engine, typed, typed.c.period == key, ("run_id",))
    return frames


@pytest.fixture
def faulty_year(warehouse, faulty_delivery):
    """The faulty delivery's reference files staged and validated (the LSOA lookup)."""
    data, _ = faulty_delivery
    ingest(warehouse, data, STATIC, None, "reference")
    validate_tables(warehouse, STATIC, None, "reference")
    return warehouse, data


@pytest.mark.parametrize("source", SOURCES)
def test_the_frame_handed_over_is_the_frame_read_back(faulty_year, source):
    engine, data = faulty_year
    staged = ingest(engine, data, tables_of(source), YEAR, "load")
    with engine.connect() as conn:
        for table, result in staged.items():
            read_back = read_staged(conn, table, YEAR.label)
            pd.testing.assert_frame_equal(as_staged(result.staged, table), read_back)
            assert len(read_back) == result.rows > 0
    if source == "hclic":  # four quarterly files, in file then line order
        assert staged["hclic_main"].staged["quarter"].tolist() == sorted(
            staged["hclic_main"].staged["quarter"]
        )


@pytest.mark.parametrize("source", SOURCES)
def test_validating_in_memory_stores_what_validating_a_read_back_stores(faulty_year, source):
    engine, data = faulty_year
    tables = tables_of(source)
    staged = ingest(engine, data, tables, YEAR, "load")
    handed = {t: r.staged for t, r in staged.items()}
    read_back = validate_tables(engine, tables, YEAR, "first")
    stored_read_back = outcome(engine, tables)
    in_memory = validate_tables(engine, tables, YEAR, "second", just_staged=handed)
    with engine.begin() as conn:  # the history of both runs is kept: compare the second's
        conn.execute(validation_results.delete().where(validation_results.c.run_id == "first"))
    stored_in_memory = outcome(engine, tables)
    assert sum(r.quarantined for r in in_memory.values()) > 0  # faults were found
    for table in tables:
        assert in_memory[table].rule_counts == read_back[table].rule_counts
        assert in_memory[table].accepted == read_back[table].accepted
        assert in_memory[table].samples == read_back[table].samples
    for name, frame in stored_read_back.items():
        pd.testing.assert_frame_equal(stored_in_memory[name], frame, obj=name)


def test_a_frame_of_another_load_is_read_back_instead(faulty_year):
    engine, data = faulty_year
    staged = ingest(engine, data, ["hclic_main", "hclic_children"], YEAR, "load")
    stale = {t: r.staged.head(10).assign(load_run_id="older") for t, r in staged.items()}
    reports = validate_tables(engine, list(stale), YEAR, "check", just_staged=stale)
    for table, result in staged.items():
        assert reports[table].rows_read == result.rows + result.malformed
        assert reports[table].accepted + reports[table].quarantined == result.rows


class WriteFailed(RuntimeError):
    pass


@pytest.mark.parametrize("failing", ["_store_rows", "_store_results"])
def test_a_failed_write_fails_validation_and_leaves_the_previous_outcome(
    faulty_year, monkeypatch, failing
):
    """Writes run on a background thread while the next table is validated: a failure there
    still reaches the caller, and the one transaction leaves every table as it was."""
    engine, data = faulty_year
    tables = tables_of("cin")
    staged = ingest(engine, data, tables, YEAR, "load")
    validate_tables(engine, tables, YEAR, "first", {t: r.staged for t, r in staged.items()})
    before = outcome(engine, tables)
    original = getattr(store, failing)
    calls: list[str] = []

    def fail_on_the_second_table(conn, outcome_, *args):
        calls.append(outcome_.table)
        if len(calls) == 2:
            raise WriteFailed(outcome_.table)
        return original(conn, outcome_, *args)

    monkeypatch.setattr(store, failing, fail_on_the_second_table)
    with pytest.raises(WriteFailed):
        validate_tables(engine, tables, YEAR, "second", {t: r.staged for t, r in staged.items()})
    after = outcome(engine, tables)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)
    assert len(calls) >= 2  # the first table's write had gone through before the failure
    written = [quarantine, validation_results, completeness, *map(validated_table, tables)]
    with engine.connect() as conn:
        for table in written:
            rows = sa.select(sa.func.count()).where(table.c.run_id == "second")
            assert conn.execute(rows).scalar_one() == 0, table.fullname
