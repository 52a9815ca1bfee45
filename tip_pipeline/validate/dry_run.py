"""A delivery folder validated in memory, without a warehouse: which rule would quarantine how
many rows.

Why: to check that a delivery the generator made without faults is clean (every rule passes,
at every scale) without loading it, and to measure that at england scale, where loading a year
takes far longer than reading and validating it. The files are read as ingestion reads them
(``ingest.reader.read_extract``) and grouped as validation sees them: (source, year) for the
extracts delivered with a year, (source, None) for reference files of their own vintage; each
group is validated by the rule registry (``validate.engine.validate_delivery``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final

import pandas as pd

from tip_pipeline.ingest.reader import LINE as READ_LINE
from tip_pipeline.ingest.reader import read_extract
from tip_pipeline.sources import contracts
from tip_pipeline.validate.engine import FILE, LINE, validate_delivery
from tip_pipeline.validate.rules import Delivery

#: the pseudo-rule counting lines a file could not be read as (malformed at reading)
MALFORMED: Final = "malformed_line"


def grouped(folder: Path, names: Iterable[str]) -> tuple[dict[tuple, dict[str, pd.DataFrame]], int]:
    """The files ``names`` of ``folder`` read and grouped by (source, period), and the number
    of malformed lines met while reading them."""
    groups: dict[tuple, dict[str, pd.DataFrame]] = {}
    malformed = 0
    for name in names:
        parsed = contracts.parse_file_name(name)
        if parsed is None:
            continue
        raw = read_extract(folder / name, parsed.extract)
        malformed += len(raw.malformed)
        frame = raw.frame.rename(columns={READ_LINE: LINE})  # as staging names it
        frame.insert(0, FILE, name)
        period = parsed.period if parsed.extract.per_period else None
        tables = groups.setdefault((parsed.extract.source, period), {})
        previous = tables.get(parsed.extract.table)
        tables[parsed.extract.table] = (
            frame if previous is None else pd.concat([previous, frame], ignore_index=True)
        )
    return groups, malformed


def quarantine_by_rule(folder: Path, names: Iterable[str]) -> dict[str, int]:
    """Rows each rule would quarantine (and ``MALFORMED`` lines) if the files were delivered;
    empty for a clean delivery."""
    groups, malformed = grouped(folder, names)
    lookups = [t["ref_lsoa_lookup"] for t in groups.values() if "ref_lsoa_lookup" in t]
    if not lookups:
        raise ValueError(f"{folder}: no ref_lsoa_lookup file, so no home LSOA can be checked")
    lookup = lookups[0]
    lsoas = frozenset(lookup["LSOA21CD"].dropna())
    broken: dict[str, int] = {MALFORMED: malformed} if malformed else {}
    for (_, period), tables in groups.items():
        outcomes = validate_delivery(Delivery(period=period, raw=tables, lsoas=lsoas))
        for outcome in outcomes.values():
            for rule_id, n in outcome.quarantined["rule_id"].value_counts().items():
                broken[rule_id] = broken.get(rule_id, 0) + int(n)
    return broken
