"""Run the identifier guard over a delivery: every file, before anything of it is staged."""

from __future__ import annotations

from pathlib import Path

from tip_pipeline.ingest.discovery import DeliveryError, files_for
from tip_pipeline.ingest.reader import RawExtract, read_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, Extract
from tip_pipeline.validate.identifiers import (
    DEFAULT_SHARE,
    DeliveryRefused,
    Finding,
    scan_frame,
    scan_malformed_lines,
)


def scan_extract(
    raw: RawExtract, period: FinancialYear | None, threshold: float = DEFAULT_SHARE
) -> list[Finding]:
    """One delivered file's findings, as read: every column of its records, and the lines the
    reader set aside as malformed."""
    name = raw.path.name
    findings = scan_frame(raw.frame, raw.extract, name, threshold, period)
    malformed = [(m.line, m.text) for m in raw.malformed]
    return findings + scan_malformed_lines(malformed, name)


def scan_file(
    path: Path, extract: Extract, period: FinancialYear | None, threshold: float = DEFAULT_SHARE
) -> list[Finding]:
    """One delivered file's findings (raises ``DeliveryError`` for a file that cannot be
    read): the guard's work for one file, read and scanned in two calls that
    ``benchmarks/bench_guard.py`` times apart."""
    return scan_extract(read_extract(path, extract), period, threshold)


def guard_delivery(
    data_dir: Path,
    tables: tuple[str, ...],
    period: FinancialYear | None,
    threshold: float = DEFAULT_SHARE,
) -> list[str]:
    """Scan every column of every file of ``tables`` for ``period``, and the lines the reader
    sets aside as malformed (their text is kept in the quarantine); refuse the delivery whole,
    listing every problem (columns outside the contract, direct identifiers, ids not in the
    declared pseudonym form) and never a value. Returns the names of the files scanned."""
    findings, refusals, scanned = [], [], []
    for table in tables:
        for path in files_for(data_dir, table, period):
            try:
                findings += scan_file(path, EXTRACTS[table], period, threshold)
            except DeliveryError as err:
                refusals.append(str(err))
                continue
            scanned.append(path.name)
    if findings or refusals:
        raise DeliveryRefused(findings, refusals)
    return scanned
