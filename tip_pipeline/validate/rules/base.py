"""What a rule is, and what it sees.

A rule is declared once: its id, plain text, DfE rule number where it has one, scope, which
rows it quarantines, and a vectorised check returning True for each row that breaks it. The
engine turns checks into quarantine; the Great Expectations suite is built from the same
declarations (``expectation``), so no rule is written twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

import pandas as pd

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.parse import typed


class Scope(StrEnum):
    ROW = "row"  # one row on its own
    TABLE = "table"  # rows of the same table compared (duplicates, overlaps)
    CROSS_TABLE = "cross_table"  # rows of another table or reference data


class Stage(IntEnum):
    """Evaluation order: a row quarantined early never makes a good row look bad later."""

    ROW = 1
    TABLE = 2
    CROSS_TABLE = 3
    CASCADE = 4


@dataclass
class Delivery:
    """One source's tables for one reporting year, as staged (text), with typed views."""

    period: FinancialYear | None  # None for reference files of their own vintage
    raw: dict[str, pd.DataFrame]
    lsoas: frozenset[str] = frozenset()
    #: rows accepted so far, per table (filled parent-first by the engine)
    accepted: dict[str, pd.DataFrame] = field(default_factory=dict)
    _typed: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def typed(self, table: str) -> pd.DataFrame:
        """The table with every contract column in its typed view (unreadable -> missing)."""
        if table not in self._typed:
            frame = self.raw[table].copy()
            for column in EXTRACTS[table].columns:
                frame[column.name] = typed(column, frame[column.name])
            self._typed[table] = frame
        return self._typed[table]

    def raw_columns(self, table: str, rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """The staged text of ``columns`` for ``rows`` (the rows still in play), taking only
        those columns: copying every column of millions of rows costs seconds per rule."""
        raw = self.raw[table]
        return raw[columns] if raw.index.equals(rows.index) else raw.loc[rows.index, columns]


Check = Callable[[Delivery, pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Rule:
    id: str
    table: str
    text: str
    stage: Stage
    scope: Scope
    quarantines: str
    check: Check
    family: str
    dfe_rule: str | None = None
    columns: tuple[str, ...] = ()
    #: builds the Great Expectations expectation this rule maps to (None: mask only)
    expectation: Callable[[FinancialYear], Any] | None = None

    def breaks(self, delivery: Delivery, rows: pd.DataFrame) -> pd.Series:
        """Boolean mask over ``rows`` (typed, still in play): True where the rule is broken."""
        mask = self.check(delivery, rows)
        return mask.reindex(rows.index).fillna(False).astype(bool)
