"""A delivery of empty files bearing the contracts' names: what the checks made before a run
look at (names, not contents), without generating data."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tip_pipeline.ingest.discovery import expected_names
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import tables


def named_delivery(folder: Path, years: Iterable[FinancialYear]) -> list[str]:
    """Every reference file and every file of each of ``years``, empty; their names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [n for t in tables(per_period=False) for n in expected_names(t, None)]
    names += [n for y in years for t in tables(per_period=True) for n in expected_names(t, y)]
    for name in names:
        (folder / name).touch()
    return names
