"""Ingest one extract for one reporting year: read its files, stage them, record lineage.

Staging replaces the extract's rows for that period in one transaction, so re-running a year
is idempotent and a failure part way leaves the previous load intact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.ingest.discovery import files_for
from tip_pipeline.ingest.reader import LINE, RawExtract, data_version, read_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, Extract
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import write_transaction
from tip_pipeline.warehouse.erasure import refuse_erased
from tip_pipeline.warehouse.schema import ingest_log, quarantine, staging_columns, staging_table


@dataclass(frozen=True)
class FileReceipt:
    """What was received: enough to prove later which bytes a figure came from."""

    name: str
    size_bytes: int
    sha256: str
    rows: int
    malformed: int = 0


@dataclass(frozen=True)
class IngestResult:
    table: str
    period: str
    files: tuple[FileReceipt, ...]
    #: the rows as staged (staging table's layout, in file-name and line order), so that
    #: validation in the same process need not read them back from the warehouse
    staged: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: rows of children erased before (the erasure register), refused at staging
    erased: int = 0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def malformed(self) -> int:
        return sum(f.malformed for f in self.files)

    @property
    def data_version(self) -> str:
        """One hash for the extract's files in the period: changes iff any file's bytes do."""
        return data_version((f.name, f.sha256) for f in self.files)


def period_key(extract: Extract, period: FinancialYear | None) -> str:
    """The staging ``period`` value: the year's label, or a reference file's vintage."""
    return period.label if (extract.per_period and period) else extract.vintage


MALFORMED_RULE = "malformed_line"


def malformed_rule_id(table: str) -> str:
    return f"{table}.{MALFORMED_RULE}"


def malformed_frame(raw: RawExtract, period: str, run_id: str, at: datetime) -> pd.DataFrame:
    """Malformed lines as quarantine rows: nothing is dropped silently, not even a line that
    cannot be split into fields."""
    table = raw.extract.table
    return pd.DataFrame(
        {
            "period": period,
            "table_name": table,
            "source_file": raw.path.name,
            "line_number": [m.line for m in raw.malformed],
            "stage": "read",
            "rule_id": malformed_rule_id(table),
            "rule_text": [
                f"the line must be a CSV record of the contract's columns: {m.problem}"
                for m in raw.malformed
            ],
            "other_rules": None,
            "child_id": None,
            "record": [m.text for m in raw.malformed],
            "run_id": run_id,
            "quarantined_at": at,
        }
    )


def staging_frame(raw: RawExtract, period: str, quarter: int | None, run_id: str) -> pd.DataFrame:
    """The rows of one file in the layout of its restricted-layer staging table."""
    names = staging_columns(raw.extract.table)
    frame = raw.frame.rename(columns={LINE: "line_number", **names})
    frame.insert(0, "period", period)
    frame.insert(1, "quarter", quarter)
    frame.insert(2, "source_file", raw.path.name)
    frame.insert(3, "load_run_id", run_id)
    return frame


def _quarter_of(path: Path) -> int | None:
    stem = path.stem
    return int(stem[-1]) if stem[-3:-1] == "_Q" else None


@dataclass(frozen=True)
class PreparedExtract:
    """An extract's files read and framed for staging, not yet written."""

    table: str
    period: str
    #: each file's quarter (None for an annual or reference file), in the receipts' order
    quarters: tuple[int | None, ...]
    staged: pd.DataFrame
    malformed: pd.DataFrame
    receipts: tuple[FileReceipt, ...]
    run_id: str
    loaded_at: datetime


def prepare_extract(
    data_dir: Path, table: str, period: FinancialYear | None, run_id: str
) -> PreparedExtract:
    """Read every file of ``table`` for ``period`` into its staging frame (raises
    ``DeliveryError`` for a file that cannot be read); nothing is written."""
    extract = EXTRACTS[table]
    key = period_key(extract, period)
    paths = sorted(files_for(data_dir, table, period), key=lambda path: path.name)
    raws = [read_extract(path, extract) for path in paths]
    frames = [staging_frame(raw, key, _quarter_of(raw.path), run_id) for raw in raws]
    receipts = tuple(
        FileReceipt(r.path.name, r.size_bytes, r.sha256, r.rows, len(r.malformed)) for r in raws
    )
    loaded_at = datetime.now(UTC)
    return PreparedExtract(
        table=table,
        period=key,
        quarters=tuple(_quarter_of(r.path) for r in raws),
        staged=pd.concat(frames, ignore_index=True),
        malformed=pd.concat([malformed_frame(r, key, run_id, loaded_at) for r in raws]),
        receipts=receipts,
        run_id=run_id,
        loaded_at=loaded_at,
    )


def store_extract(conn: sa.Connection, prepared: PreparedExtract) -> IngestResult:
    """Write a prepared extract in the caller's transaction: its staged rows, its malformed
    lines (quarantined at reading) and its ingest log rows, replacing the period's."""
    table, key, run_id = prepared.table, prepared.period, prepared.run_id
    # children erased before (tip erase) stay out when their records are delivered again
    staged = refuse_erased(conn, table, prepared.staged, run_id, prepared.loaded_at)
    replace_rows(conn, staging_table(table), staged, where={"period": key})
    replace_rows(
        conn,
        quarantine,
        prepared.malformed,
        where={"period": key, "table_name": table, "stage": "read"},
    )
    receipts = prepared.receipts
    log = pd.DataFrame(
        {
            "run_id": run_id,
            "table_name": table,
            "period": key,
            "quarter": list(prepared.quarters),
            "file_name": [r.name for r in receipts],
            "size_bytes": [r.size_bytes for r in receipts],
            "sha256": [r.sha256 for r in receipts],
            "rows": [r.rows + r.malformed for r in receipts],
            "loaded_at": prepared.loaded_at,
        }
    )
    replace_rows(
        conn, ingest_log, log, where={"run_id": run_id, "table_name": table, "period": key}
    )
    return IngestResult(
        table=table,
        period=key,
        files=receipts,
        staged=staged,
        erased=len(prepared.staged) - len(staged),
    )


def ingest_extract(
    engine: sa.Engine,
    data_dir: Path,
    table: str,
    period: FinancialYear | None,
    run_id: str,
) -> IngestResult:
    """Read every file of ``table`` for ``period`` and stage it in the restricted layer, in a
    transaction of its own."""
    prepared = prepare_extract(data_dir, table, period, run_id)
    with write_transaction(engine, prepared.period) as conn:
        return store_extract(conn, prepared)
