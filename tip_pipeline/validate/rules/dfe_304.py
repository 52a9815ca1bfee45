"""DfE SSDA903 rule 304: the date a child's status as an unaccompanied asylum-seeking child
ceased (UASC's DUC) must be on or before the 18th birthday: at 18 a child is no longer a child.

The project keeps only the month of birth (DOB, the first of the month), so the 18th birthday
is known to the month: the rule quarantines a DUC after the last day of the month of the 18th
birthday, which is after the birthday whatever the day of birth. A DUC later in that month
may be after the birthday too, but cannot be told from the kept data, and is let through: the
rule never quarantines a row that DfE's would not."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage

TABLE = "ssda903_uasc"
ADULT_AGE = 18


def last_possible_18th_birthday(birth_month: pd.Series) -> pd.Series:
    """The last day of the month of the 18th birthday, for dates of birth cut to the month."""
    return birth_month + pd.DateOffset(years=ADULT_AGE) + pd.offsets.MonthEnd(0)


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True where both dates are read and DUC falls after the month of the 18th birthday."""
    return rows["DUC"] > last_possible_18th_birthday(rows["DOB"])


RULE = Rule(
    id=f"{TABLE}.dfe_304",
    table=TABLE,
    text="DUC (UASC status ceased) must not be after the 18th birthday (known to the month, "
    "as DOB is kept to the month)",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the UASC row",
    check=check,
    family="dfe_304",
    dfe_rule="304",
    dfe_message=(
        "Date unaccompanied asylum-seeking child (UASC) status ceased must be on or before the "
        "18th birthday of a child."
    ),
    columns=("DOB", "DUC"),
)
