"""Apply the rule registry to one source's delivery for one year: accepted rows flow on,
broken rows go to quarantine with the rule they break. Nothing is dropped silently: for every
table, rows in = rows accepted + rows quarantined, and the engine asserts it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from graphlib import TopologicalSorter

import pandas as pd

from tip_pipeline.sources.contracts import EXTRACTS, ColumnKind
from tip_pipeline.validate.rules import Delivery, Rule, rules_for

LINE = "line_number"
FILE = "source_file"
QUARANTINE_COLUMNS = [
    "table_name",
    FILE,
    LINE,
    "rule_id",
    "rule_text",
    "other_rules",
    "child_id",
    "record",
]


@dataclass
class TableOutcome:
    table: str
    rows_in: int
    accepted: pd.DataFrame  # typed
    quarantined: pd.DataFrame  # QUARANTINE_COLUMNS
    #: rows breaking each rule (as the first rule or another), every rule of the table listed
    rule_counts: dict[str, int] = field(default_factory=dict)

    @property
    def conserved(self) -> bool:
        return self.rows_in == len(self.accepted) + len(self.quarantined)


def parent_first(tables: list[str]) -> list[str]:
    """Tables ordered so that a parent is validated before its children (cascade)."""
    graph = {
        t: {EXTRACTS[t].parent[0]} & set(tables) if EXTRACTS[t].parent else set() for t in tables
    }
    return list(TopologicalSorter(graph).static_order())


def person_id_column(table: str) -> str | None:
    """The pseudonymised child id of a table, if it has one (for quarantine impact)."""
    for column in EXTRACTS[table].columns:
        if column.kind is ColumnKind.PSEUDO_ID:
            return column.name
    return None


def _records(raw: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    values = raw[list(columns)].astype(object).where(raw[list(columns)].notna(), None)
    return [json.dumps(dict(zip(columns, row, strict=True))) for row in values.itertuples(False)]


def _without(frame: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """``frame`` without the rows of ``index``; the frame itself when there are none (a drop
    of nothing still copies every column: about a second per CIN year, docs/PERFORMANCE.md)."""
    return frame.drop(index=index) if len(index) else frame


def _evaluate(delivery: Delivery, table: str, rules: list[Rule]) -> dict[str, pd.Index]:
    """Which rows break which rule. Rules of one stage see the same rows; rows broken in a
    stage are not shown to later stages, so one bad row never makes another look bad."""
    rows = delivery.typed(table)
    broken: dict[str, pd.Index] = {}
    for stage in sorted({r.stage for r in rules}):
        stage_broken = pd.Index([])
        for rule in (r for r in rules if r.stage == stage):
            mask = rule.breaks(delivery, rows)
            broken[rule.id] = rows.index[mask]
            stage_broken = stage_broken.union(broken[rule.id])
        rows = _without(rows, stage_broken)
    return broken


def _quarantine_frame(
    delivery: Delivery, table: str, rules: list[Rule], broken: dict[str, pd.Index]
) -> pd.DataFrame:
    raw = delivery.raw[table]
    first: dict[int, Rule] = {}
    others: dict[int, list[str]] = {}
    for rule in rules:
        for index in broken[rule.id]:
            if index in first:
                others.setdefault(index, []).append(rule.id)
            else:
                first[index] = rule
    index = pd.Index(sorted(first))
    if index.empty:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    quarantined = raw.loc[index]
    id_column = person_id_column(table)
    return pd.DataFrame(
        {
            "table_name": table,
            FILE: quarantined[FILE].to_numpy(),
            LINE: quarantined[LINE].to_numpy(),
            "rule_id": [first[i].id for i in index],
            "rule_text": [first[i].text for i in index],
            "other_rules": [",".join(others.get(i, [])) or None for i in index],
            "child_id": quarantined[id_column].to_numpy() if id_column else None,
            "record": _records(quarantined, EXTRACTS[table].column_names),
        }
    )


def validate_table(delivery: Delivery, table: str) -> TableOutcome:
    rules = rules_for(table)
    broken = _evaluate(delivery, table, rules)
    quarantined = _quarantine_frame(delivery, table, rules, broken)
    bad = pd.Index(set().union(*(set(ix) for ix in broken.values())) if broken else set())
    delivery.accepted[table] = _without(delivery.raw[table], bad)
    outcome = TableOutcome(
        table=table,
        rows_in=len(delivery.raw[table]),
        accepted=_without(delivery.typed(table), bad),
        quarantined=quarantined,
        rule_counts={rule.id: len(broken[rule.id]) for rule in rules},
    )
    if not outcome.conserved:  # a defect in the engine, never in the data
        raise AssertionError(f"{table}: rows in != accepted + quarantined")
    return outcome


def table_outcomes(delivery: Delivery) -> Iterator[TableOutcome]:
    """Validate every table of the delivery, parents first, one table at a time: a caller can
    store a table's outcome while the next is validated."""
    for table in parent_first(list(delivery.raw)):
        yield validate_table(delivery, table)


def validate_delivery(delivery: Delivery) -> dict[str, TableOutcome]:
    """Validate every table of the delivery, parents first."""
    return {outcome.table: outcome for outcome in table_outcomes(delivery)}
