"""What the DfE rules on the CIN census's Section47 groups share (``dfe_8615``, ``dfe_2889``,
``dfe_8740``, ``dfe_8839``): the columns, and which enquiries still await their initial child
protection conference."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tip_pipeline.validate.rules.base import TextColumns

TABLE = "cin_section47"
REFERRAL = "CINreferralDate"
START = "S47ActualStartDate"
CONFERENCE = "DateOfInitialCPC"
NOT_REQUIRED = "ICPCnotRequired"
#: ICPCnotRequired's "true" in the contract's 0/1 coding (intake writes xs:boolean so)
REQUIRED_NOT = "1"


def awaiting_conference(rows: pd.DataFrame) -> pd.Series:
    """Enquiries with no DateOfInitialCPC whose ICPCnotRequired is not true (false or blank):
    DfE's open section 47 enquiries (rules 8740, 8839)."""
    return rows[CONFERENCE].isna() & (rows[NOT_REQUIRED].astype("string") != REQUIRED_NOT).fillna(
        True
    ).astype(bool)


def day_before(text: str) -> str:
    """The ISO day before an ISO date (a fault example's date)."""
    return (pd.Timestamp(text) - pd.Timedelta(days=1)).strftime("%Y-%m-%d")


def dates(columns: TextColumns, name: str) -> Any:
    """A text column's dates (NaT where blank or unreadable), for a fault example's mask."""
    return pd.to_datetime(pd.Series(columns[name]), format="%Y-%m-%d", errors="coerce")
