"""A source's year read whole, then staged and validated together, from the rows in memory,
in one transaction; the youth-justice history the same, year by year, after every year has
passed the identifier guard."""

import shutil

import pytest
import sqlalchemy as sa

from tip_pipeline.ingest.reader import data_version
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.validate.identifiers import DeliveryRefused
from tip_pipeline.validate.source_year import (
    SourceYear,
    stage_and_validate_history,
    years_before,
)
from tip_pipeline.warehouse.schema import ingest_log

pytestmark = pytest.mark.integration

YEAR = FinancialYear(2023)
HISTORY = contracts.tables(history=True)


def logged(engine: sa.Engine) -> set[tuple[str, str]]:
    """(table, period) of every load recorded in ops.ingest_log."""
    with engine.connect() as conn:
        return set(conn.execute(sa.select(ingest_log.c.table_name, ingest_log.c.period)).all())


@pytest.fixture
def with_reference(warehouse, small_delivery):
    """The reference files of their own vintage staged and validated (the LSOA lookup)."""
    data, manifest = small_delivery
    SourceYear(warehouse, data, contracts.tables(per_period=False), None, "reference").run()
    return warehouse, data, manifest


def test_a_source_year_is_staged_and_validated_together(with_reference):
    engine, data, manifest = with_reference
    tables = contracts.tables(source="cin", per_period=True)
    outcome = SourceYear(engine, data, tables, YEAR, "run").run()
    assert [result.table for result in outcome.staged] == list(tables)
    assert {(t, YEAR.label) for t in tables} <= logged(engine)
    assert list(outcome.reports) == list(tables)
    delivered = {f["table"]: f["rows"] for f in manifest["files"] if f["period"] == YEAR.label}
    staged = {result.table: result.rows for result in outcome.staged}
    for table, report in outcome.reports.items():
        assert report.period == YEAR.label and report.conserved, table
        assert report.rows_read == delivered[table] == staged[table], table


def test_a_failure_part_way_leaves_nothing_of_the_source_year(with_reference, monkeypatch):
    """A validation that fails after every extract was staged rolls the staging back with it:
    the source-year stays as its last completed run left it (here: never loaded)."""
    from tip_pipeline.validate import source_year

    engine, data, _ = with_reference
    tables = contracts.tables(source="cin", per_period=True)

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt  # what a kill between staging and validation looks like

    monkeypatch.setattr(source_year, "validate_tables_in", killed)
    with pytest.raises(KeyboardInterrupt):
        SourceYear(engine, data, tables, YEAR, "run").run()
    assert not {(t, YEAR.label) for t in tables} & logged(engine)
    with engine.connect() as conn:
        staged = conn.execute(sa.text("SELECT count(*) FROM restricted.stg_cin_children"))
        assert staged.scalar_one() == 0


def test_the_history_is_every_year_before_the_first_staged_and_validated(with_reference):
    engine, data, manifest = with_reference
    first = FinancialYear(2020)
    years = years_before(data, HISTORY, first)
    delivered = {
        FinancialYear.parse(f["period"])
        for f in manifest["files"]
        if f["table"] in HISTORY and f["period"]
    }
    assert years == sorted(y for y in delivered if y < first) and len(years) > 1
    history = stage_and_validate_history(engine, data, HISTORY, years, "history")
    labels = {y.label for y in years}
    files = [f for f in manifest["files"] if f["table"] in HISTORY and f["period"] in labels]
    assert history.years == tuple(years)
    assert history.rows == sum(f["rows"] for f in files)
    assert history.data_version == data_version((f["path"], f["sha256"]) for f in files)
    assert {(t, y.label) for t in HISTORY for y in years} <= logged(engine)
    for table in HISTORY:
        report = history.reports[table]
        assert report.period == ", ".join(y.label for y in years)
        assert report.rows_read == sum(f["rows"] for f in files if f["table"] == table)
        assert report.conserved


def test_nothing_of_the_history_is_staged_unless_every_year_passes_the_guard(
    warehouse, small_delivery, tmp_path
):
    data, _ = small_delivery
    years = [FinancialYear(2020), FinancialYear(2021)]
    for table in HISTORY:
        for year in years:
            for name in contracts.EXTRACTS[table].file_names(year):
                shutil.copy(data / name, tmp_path / name)
    # the second year's offences arrive with a column outside the contract
    (name,) = contracts.EXTRACTS[HISTORY[0]].file_names(years[1])
    lines = (tmp_path / name).read_text().splitlines()
    lines = [f"{lines[0]},notes", *(f"{line}," for line in lines[1:])]
    (tmp_path / name).write_text("\n".join(lines) + "\n")
    with pytest.raises(DeliveryRefused):
        stage_and_validate_history(warehouse, tmp_path, HISTORY, years, "history")
    assert not logged(warehouse)
