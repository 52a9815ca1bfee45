"""Stage and validate one source's year: the step of every ingest-and-validate asset.

A *source-year* is one validation unit for one period: a service's extracts for a reporting
year, the reference files delivered with it, or the reference files of their own vintage
(``period`` None). Each extract is staged in its own transaction (``ingest.load``), then all
are validated together (cross-table rules, cascades to children) from the rows just staged,
held in memory rather than read back from the warehouse (``validate.store``). The
youth-justice history is the same step repeated for each year before the first reporting
year, once every year's files have passed the identifier guard.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tip_pipeline.ingest.discovery import scan
from tip_pipeline.ingest.load import IngestResult, ingest_extract
from tip_pipeline.ingest.reader import data_version
from tip_pipeline.periods import FinancialYear
from tip_pipeline.validate.guard import guard_delivery
from tip_pipeline.validate.store import TableReport, combine_reports, validate_tables


class SourceYear:
    """The extracts ``tables`` of ``period``, staged by ``stage`` then validated by
    ``validate``. Staging yields each extract as soon as it is committed, so that a source
    failing part way still shows what it had staged."""

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
        self.staged: dict[str, IngestResult] = {}

    def stage(self) -> Iterator[IngestResult]:
        """Stage every extract in turn (one transaction each); raises ``DeliveryError`` for a
        delivery that cannot be read."""
        for table in self.tables:
            result = ingest_extract(self.engine, self.folder, table, self.period, self.run_id)
            self.staged[table] = result
            yield result

    def validate(self) -> dict[str, TableReport]:
        """Validate the staged extracts together, from the rows held in memory, and store every
        outcome in one transaction: a report per table."""
        missing = [t for t in self.tables if t not in self.staged]
        if missing:
            raise RuntimeError(f"not staged yet: {', '.join(missing)} (stage() first)")
        return validate_tables(
            self.engine,
            list(self.tables),
            self.period,
            self.run_id,
            just_staged={table: result.staged for table, result in self.staged.items()},
        )


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
        unit = SourceYear(engine, folder, tables, year, run_id)
        for result in unit.stage():
            rows += result.rows
            files += [(f.name, f.sha256) for f in result.files]
        for table, report in unit.validate().items():
            per_year[table].append(report)
    return History(
        years=tuple(years),
        rows=rows,
        data_version=data_version(files),
        reports={table: combine_reports(table, reports) for table, reports in per_year.items()},
    )
