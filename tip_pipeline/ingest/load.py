"""Ingest one extract for one reporting year: read its files, stage them, record lineage.

Staging replaces the extract's rows for that period in one transaction, so re-running a year
is idempotent and a failure part way leaves the previous load intact.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.ingest.discovery import DeliveryError, files_for
from tip_pipeline.ingest.reader import LINE, RawExtract, read_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, Extract
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.schema import ingest_log, staging_columns, staging_table


@dataclass(frozen=True)
class FileReceipt:
    """What was received: enough to prove later which bytes a figure came from."""

    name: str
    size_bytes: int
    sha256: str
    rows: int


@dataclass(frozen=True)
class IngestResult:
    table: str
    period: str
    files: tuple[FileReceipt, ...]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def data_version(self) -> str:
        """One hash for the extract's files in the period: changes iff any file's bytes do."""
        joined = "\n".join(f"{f.name}:{f.sha256}" for f in self.files)
        return hashlib.sha256(joined.encode()).hexdigest()


def period_key(extract: Extract, period: FinancialYear | None) -> str:
    """The staging ``period`` value: the year's label, or a reference file's vintage."""
    return period.label if (extract.per_period and period) else extract.vintage


def _refuse_malformed(raw: RawExtract) -> None:
    """Until rule-level quarantine exists, a malformed line stops the load with its number:
    nothing may be dropped silently."""
    if raw.malformed:
        first = raw.malformed[:5]
        detail = "; ".join(f"line {m.line}: {m.problem}" for m in first)
        more = f" (and {len(raw.malformed) - len(first)} more)" if len(raw.malformed) > 5 else ""
        raise DeliveryError(f"{raw.path.name}: malformed CSV records: {detail}{more}")


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


def ingest_extract(
    engine: sa.Engine,
    data_dir: Path,
    table: str,
    period: FinancialYear | None,
    run_id: str,
) -> IngestResult:
    """Read every file of ``table`` for ``period`` and stage it in the restricted layer."""
    extract = EXTRACTS[table]
    key = period_key(extract, period)
    raws = [read_extract(path, extract) for path in files_for(data_dir, table, period)]
    for raw in raws:
        _refuse_malformed(raw)
    frames = [staging_frame(raw, key, _quarter_of(raw.path), run_id) for raw in raws]
    staged = pd.concat(frames, ignore_index=True)
    receipts = tuple(FileReceipt(r.path.name, r.size_bytes, r.sha256, r.rows) for r in raws)
    loaded_at = datetime.now(UTC)
    with engine.begin() as conn:
        replace_rows(conn, staging_table(table), staged, where={"period": key})
        log = pd.DataFrame(
            {
                "run_id": run_id,
                "table_name": table,
                "period": key,
                "quarter": [_quarter_of(r.path) for r in raws],
                "file_name": [r.name for r in receipts],
                "size_bytes": [r.size_bytes for r in receipts],
                "sha256": [r.sha256 for r in receipts],
                "rows": [r.rows for r in receipts],
                "loaded_at": loaded_at,
            }
        )
        replace_rows(
            conn, ingest_log, log, where={"run_id": run_id, "table_name": table, "period": key}
        )
    return IngestResult(table=table, period=key, files=receipts)
