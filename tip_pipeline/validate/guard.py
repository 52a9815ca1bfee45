"""Run the identifier guard over a delivery: every file, before anything of it is staged."""

from __future__ import annotations

from pathlib import Path

from tip_pipeline.ingest.discovery import DeliveryError, files_for
from tip_pipeline.ingest.reader import read_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.identifiers import (
    DEFAULT_SHARE,
    DeliveryRefused,
    scan_frame,
    scan_malformed_lines,
)


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
                raw = read_extract(path, EXTRACTS[table])
            except DeliveryError as err:
                refusals.append(str(err))
                continue
            findings += scan_frame(raw.frame, raw.extract, path.name, threshold, period)
            malformed = [(m.line, m.text) for m in raw.malformed]
            findings += scan_malformed_lines(malformed, path.name)
            scanned.append(path.name)
    if findings or refusals:
        raise DeliveryRefused(findings, refusals)
    return scanned
