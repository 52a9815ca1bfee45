"""What a rule is, and what it sees.

A rule is declared once: its id, plain text, DfE rule number and DfE's own message where it has
one, scope, which rows it quarantines, a vectorised check returning True for each row that
breaks it, and optionally the fault example it catches. The engine turns checks into
quarantine; the Great Expectations suite is built from the same declarations (``expectation``),
and the synthetic generator injects the declared fault example (``fault``), so no rule is
written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    #: the LA a row with an empty home LSOA belongs to (``home_area.delivering_la`` of the
    #: lookup), None when it cannot be told
    home_la: str | None = None
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

#: a file's columns as delivered text, by name, "" where a field is blank (numpy arrays or
#: pandas Series: only elementwise comparisons are used)
TextColumns = Mapping[str, Any]
#: one row as delivered text, by column name ("" where blank)
TextRow = Mapping[str, str]


@dataclass(frozen=True)
class FaultWay:
    """One way of turning a clean row into one that breaks a rule.

    ``applies`` marks the rows of a clean file this way can break (a boolean mask over
    ``TextColumns``); ``change`` gives, for one such row, the new text of each column it
    changes. The rest of the row is left as it was, so the rule is the only one it breaks."""

    applies: Callable[[TextColumns], Any]
    change: Callable[[TextRow], dict[str, str]]


@dataclass(frozen=True)
class FaultExample:
    """The fault a rule exists to catch, declared with the rule.

    The synthetic generator injects it (``sources/generator/faults.py``) and the manifest
    tests check that the rule, and only it, catches every injected line, from this one
    declaration. ``kind`` is the fault's name in the generator's manifest, ``column`` the
    column the fault is listed under in ``fault_kinds.KINDS``; ``ways`` are tried in order and
    the first with a row to break is used."""

    kind: str
    column: str
    ways: tuple[FaultWay, ...]

    def broken(self, row: TextRow) -> dict[str, str] | None:
        """The changed columns of ``row`` by the first way that applies to it, or None."""
        columns = {name: pd.Series([value]) for name, value in row.items()}
        for way in self.ways:
            if bool(pd.Series(way.applies(columns)).iloc[0]):
                return way.change(row)
        return None


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
    #: DfE's message for the rule, word for word as DfE's validator gives it (DfE rules only)
    dfe_message: str | None = None
    columns: tuple[str, ...] = ()
    #: builds the Great Expectations expectation this rule maps to (None: mask only)
    expectation: Callable[[FinancialYear], Any] | None = None
    #: the fault this rule catches, as the synthetic generator injects it (None: not injected
    #: from the rule's declaration)
    fault: FaultExample | None = None

    def __post_init__(self) -> None:
        if (self.dfe_rule is None) != (self.dfe_message is None):
            raise ValueError(f"{self.id}: a DfE rule number and DfE's message go together")

    def breaks(self, delivery: Delivery, rows: pd.DataFrame) -> pd.Series:
        """Boolean mask over ``rows`` (typed, still in play): True where the rule is broken."""
        mask = self.check(delivery, rows)
        return mask.reindex(rows.index).fillna(False).astype(bool)
