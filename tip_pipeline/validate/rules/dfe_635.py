"""DfE SSDA903 rule 635: PrevPerm's authority (LA_PERM) and date (DATE_PERM) of a previous
permanence order are given only with the order itself: a row that has either but no order
(PREV_PERM blank, or Z1, "no previous permanence order") contradicts itself."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.sources import codes
from tip_pipeline.validate.rules.base import (
    Delivery,
    Rule,
    Scope,
    Stage,
)

TABLE = "ssda903_prev_perm"
ORDER = "PREV_PERM"
DETAILS = ("LA_PERM", "DATE_PERM")


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True where LA_PERM or DATE_PERM is given without a previous order."""
    raw = d.raw_columns(TABLE, rows, [ORDER, *DETAILS])
    details = raw[list(DETAILS)].notna().any(axis=1)
    order = raw[ORDER].astype("string").str.strip()
    no_order = order.isna() | (order == codes.NO_PREVIOUS_PERMANENCE)
    return details & no_order


RULE = Rule(
    id=f"{TABLE}.dfe_635",
    table=TABLE,
    text=f"{' and '.join(DETAILS)} must be blank when there is no previous permanence order "
    f"({ORDER} blank or Z1)",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the row",
    check=check,
    family="dfe_635",
    dfe_rule="635",
    dfe_message=(
        "There are entries for date of order and local authority code where previous "
        "permanence option was arranged but previous permanence code is Z1"
    ),
    columns=(ORDER, *DETAILS),
)
