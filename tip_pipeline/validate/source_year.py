"""Stage and validate one source's year: the step of every ingest-and-validate asset.

A *source-year* is one validation unit for one period: a service's extracts for a reporting
year, the reference files delivered with it, or the reference files of their own vintage
(``period`` None). Every extract is read first (a file that cannot be read refuses the
source-year before anything is written), then all are staged (``ingest.load``) and validated
together (cross-table rules, cascades to children) from the rows in memory (``validate.store``)
in ONE transaction, with their ingest log rows: a run killed at any moment leaves the
source-year as its last completed run left it, never new staged rows beside old validated
ones. The youth-justice history is the same step repeated for each year before the first
reporting year, once every year's files have passed the identifier guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tip_pipeline.ingest.discovery import scan
from tip_pipeline.ingest.load import IngestResult, prepare_extract, store_extract
from tip_pipeline.ingest.reader import data_version
from tip_pipeline.periods import FinancialYear
from tip_pipeline.validate.guard import guard_delivery
from tip_pipeline.validate.store import TableReport, combine_reports, validate_tables_in
from tip_pipeline.warehouse.engine import write_transaction
from tip_pipeline.warehouse.retention import refuse_if_purged


@dataclass(frozen=True)
class Outcome:
    """What a source-year's step committed: each extract staged, each table's validation."""

    staged: list[IngestResult]
    reports: dict[str, TableReport]


class SourceYear:
    """The extracts ``tables`` of ``period``, staged and validated together by ``run``."""

    def __init__(
        self,
        engine: sa.Engine,
        folder: Path,
        tables: Sequence[str],
        period: FinancialYear | None,
        run_id: str,
    ) -> None:
        self.engine = engine
        self.folder = folder
        self.tables = tuple(tables)
        self.period = period
        self.run_id = run_id

    def run(self) -> Outcome:
        """Read every extract (raises ``DeliveryError`` for a file that cannot be read, before
        anything is written), then stage and validate them all in one transaction."""
        prepared = [prepare_extract(self.folder, t, self.period, self.run_id) for t in self.tables]
        with write_transaction(self.engine, *(p.period for p in prepared)) as conn:
            for period in sorted({p.period for p in prepared}):
                refuse_if_purged(conn, period)  # its records are gone for good (retention)
            staged = [store_extract(conn, p) for p in prepared]
            reports = validate_tables_in(
                conn,
                list(self.tables),
                self.period,
                self.run_id,
                just_staged={result.table: result.staged for result in staged},
            )
        return Outcome(staged=staged, reports=reports)


@dataclass(frozen=True)
class History:
    """What the history step staged and validated, over every history year."""

    years: tuple[FinancialYear, ...]
    rows: int
    #: one hash of every file staged (``ingest.reader.data_version``)
    data_version: str
    #: per table, its reports of every year added up
    reports: dict[str, TableReport]


def years_before(folder: Path, tables: Sequence[str], first: FinancialYear) -> list[FinancialYear]:
    """The delivered years of ``tables`` before the first reporting year, oldest first."""
    known, _ = scan(folder)
    years = {f.period for f in known if f.extract.table in tables and f.period}
    return sorted(y for y in years if y < first)


def stage_and_validate_history(
    engine: sa.Engine,
    folder: Path,
    tables: Sequence[str],
    years: Sequence[FinancialYear],
    run_id: str,
) -> History:
    """Stage and validate ``tables`` year by year. Nothing is staged unless every year's files
    pass the identifier guard (raises ``DeliveryRefused`` or ``DeliveryError``)."""
    for year in years:
        guard_delivery(folder, tables, year)
    per_year: dict[str, list[TableReport]] = {t: [] for t in tables}
    files: list[tuple[str, str]] = []
    rows = 0
    for year in years:
        outcome = SourceYear(engine, folder, tables, year, run_id).run()
        for result in outcome.staged:
            rows += result.rows
            files += [(f.name, f.sha256) for f in result.files]
        for table, report in outcome.reports.items():
            per_year[table].append(report)
    return History(
        years=tuple(years),
        rows=rows,
        data_version=data_version(files),
        reports={table: combine_reports(table, reports) for table, reports in per_year.items()},
    )
