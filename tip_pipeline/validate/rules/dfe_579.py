"""DfE SSDA903 rule 579: a child's decisions that they should be placed for adoption must not
overlap. PlacedAdoption lists each decision (DATE_PLACED) and, if it was reversed, the date
(DATE_PLACED_CEASED); a new decision cannot be taken while the previous one is still open, nor
before the previous one ceased. Overlapping decisions would count one child's wait for
adoption twice."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage

TABLE = "ssda903_placed_adoption"
PLACED = "DATE_PLACED"
CEASED = "DATE_PLACED_CEASED"


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True for a decision taken while the child's previous one was still open (no
    DATE_PLACED_CEASED) or before it ceased; the later decision is quarantined."""
    ordered = rows.sort_values(["CHILD", PLACED], kind="stable")
    by_child = ordered.groupby("CHILD")
    has_previous = by_child[PLACED].shift().notna()
    previous_ceased = by_child[CEASED].shift()
    overlap = has_previous & (previous_ceased.isna() | (ordered[PLACED] < previous_ceased))
    return overlap.reindex(rows.index)


RULE = Rule(
    id=f"{TABLE}.dfe_579",
    table=TABLE,
    text=f"A child's decisions to place for adoption must not overlap: a new {PLACED} only "
    f"once the previous decision has ceased ({CEASED}), and not before it",
    stage=Stage.TABLE,
    scope=Scope.TABLE,
    quarantines="the later of two overlapping decisions",
    check=check,
    family="dfe_579",
    dfe_rule="579",
    dfe_message=(
        "A new decision that the child should be placed for adoption this year cannot start "
        "when the previous decision is still open. Decisions to place the child for adoption "
        "should also not overlap. The date of any new decision to place the child for adoption "
        "must not be before the date placed ceased of previous decisions."
    ),
    columns=("CHILD", PLACED, CEASED),
)
