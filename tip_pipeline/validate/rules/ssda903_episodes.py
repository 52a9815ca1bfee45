"""SSDA903 episode rules: episodes of one child must not overlap, and an episode has a reason
ceased exactly when it has a date ceased."""

import pandas as pd

from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage


def overlapping(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """A new episode starts only when the previous one has ended: an episode whose DECOM is
    before the previous episode's DEC (or while it is still open) overlaps; the later one is
    quarantined."""
    ordered = rows.sort_values(["CHILD", "DECOM"], kind="stable")
    previous_end = ordered.groupby("CHILD")["DEC"].shift()
    previous_open = ordered.groupby("CHILD")["DECOM"].shift().notna() & previous_end.isna()
    overlap = (ordered["DECOM"] < previous_end) | previous_open
    return overlap.reindex(rows.index)


OVERLAP = Rule(
    id="ssda903_episodes.overlapping_episodes",
    table="ssda903_episodes",
    text="Episodes of one child must not overlap: an episode starts only when the previous "
    "one has ended",
    stage=Stage.TABLE,
    scope=Scope.TABLE,
    quarantines="the later of two overlapping episodes",
    check=overlapping,
    family="overlapping_episodes",
    columns=("CHILD", "DECOM", "DEC"),
)


def reason_without_date(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    raw = d.raw_columns("ssda903_episodes", rows, ["REC", "DEC"])
    return raw["REC"].isna() != raw["DEC"].isna()


REC_WITH_DEC = Rule(
    id="ssda903_episodes.rec_with_dec",
    table="ssda903_episodes",
    text="REC (reason episode ceased) must be given exactly when DEC (date ceased) is",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the row",
    check=reason_without_date,
    family="rec_with_dec",
    columns=("REC", "DEC"),
)

RULES = [OVERLAP, REC_WITH_DEC]
