"""DfE SSDA903 rule SW07STG2: a social worker episode reported in a year's return ended in
that year, if it has ended: SW_DEC on or after 1 April (an episode that ended before the year
belongs to an earlier return) and on or before 31 March (a later end is not yet known)."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage

TABLE = "ssda903_sw_episodes"
END = "SW_DEC"


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True where SW_DEC is read and falls outside the return's year."""
    ended = rows[END]
    start, end = pd.Timestamp(d.period.start), pd.Timestamp(d.period.end)
    return ended.notna() & ((ended < start) | (ended > end))


RULE = Rule(
    id=f"{TABLE}.dfe_sw07stg2",
    table=TABLE,
    text=f"{END} (social worker episode ended) must fall in the return's year, 1 April to 31 March",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the social worker episode",
    check=check,
    family="dfe_sw07stg2",
    dfe_rule="SW07STG2",
    dfe_message=(
        "Social worker episode end date should be on or after the start of the social worker "
        "reporting period, and should be on or before the collection end date."
    ),
    columns=(END,),
)
