"""A source's year staged extract by extract, each committed as it is handed back, then
validated together from the rows in memory; the youth-justice history the same, year by year,
after every year has passed the identifier guard."""

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
    unit = SourceYear(warehouse, data, contracts.tables(per_period=False), None, "reference")
    list(unit.stage())
    unit.validate()
    return warehouse, data, manifest


def test_each_extract_is_committed_when_handed_back_then_all_validated(with_reference):
    engine, data, manifest = with_reference
    tables = contracts.tables(source="cin", per_period=True)
    unit = SourceYear(engine, data, tables, YEAR, "run")
    seen = []
    for result in unit.stage():
        seen.append(result.table)
        assert (result.table, YEAR.label) in logged(engine)  # before the next one is read
        assert result.staged is not None and len(result.staged) == result.rows
    assert seen == list(tables)
    reports = unit.validate()
    assert list(reports) == list(tables)
    delivered = {f["table"]: f["rows"] for f in manifest["files"] if f["period"] == YEAR.label}
    for table, report in reports.items():
        assert report.period == YEAR.label and report.conserved, table
        assert report.rows_read == delivered[table] == unit.staged[table].rows, table


def test_validation_before_staging_is_refused(warehouse, small_delivery):
    data, _ = small_delivery
    unit = SourceYear(warehouse, data, HISTORY, YEAR, "run")
    with pytest.raises(RuntimeError, match="not staged"):
        unit.validate()


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
