"""DfE CIN rule 8839: within one CIN episode, at most one section 47 enquiry may await its
initial child protection conference (no DateOfInitialCPC, ICPCnotRequired not true). A second
open enquiry in the same episode is a duplicate entry or one whose outcome was never recorded;
counted, it would inflate the enquiries of the year.

DfE's validator flags every open enquiry of such an episode; the project quarantines the later
ones (by start date), keeping the first, as the other "no overlap" rules keep the earlier
record (``dfe_579``). No fault example is declared: one changed row cannot make the synthetic
returns' episodes, which hold at most one open enquiry and no later concluded one, hold two."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage
from tip_pipeline.validate.rules.section47 import (
    CONFERENCE,
    NOT_REQUIRED,
    REFERRAL,
    START,
    TABLE,
    awaiting_conference,
)

EPISODE = ["LAchildID", REFERRAL]


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True for an open enquiry that follows another open enquiry of the same episode."""
    open_ = rows[awaiting_conference(rows)].sort_values([*EPISODE, START], kind="stable")
    later = open_.groupby(EPISODE, dropna=False).cumcount() > 0
    return later.reindex(rows.index, fill_value=False)


RULE = Rule(
    id=f"{TABLE}.dfe_8839",
    table=TABLE,
    text=f"At most one section 47 enquiry of a CIN episode may have no {CONFERENCE} and "
    f"{NOT_REQUIRED} not true",
    stage=Stage.TABLE,
    scope=Scope.TABLE,
    quarantines="the later open enquiries of the episode",
    check=check,
    family="dfe_8839",
    dfe_rule="8839",
    dfe_message="Within one CINDetails group there are 2 or more open S47 Assessments",
    columns=(*EPISODE, START, CONFERENCE, NOT_REQUIRED),
)
