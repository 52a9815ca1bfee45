"""DfE CIN rule 8740: a section 47 enquiry still awaiting its initial child protection
conference at the end of the census year (no DateOfInitialCPC, ICPCnotRequired not true) must
have started in the year. A census holds the enquiries started in the year and those whose
conference was held in it (DfE rule 8715); one started earlier with no conference yet is an
enquiry left open by mistake, which would stay "open" in every later return."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tip_pipeline.validate.rules.base import (
    Delivery,
    FaultExample,
    FaultWay,
    Rule,
    Scope,
    Stage,
    TextColumns,
    TextRow,
)
from tip_pipeline.validate.rules.section47 import (
    CONFERENCE,
    NOT_REQUIRED,
    START,
    TABLE,
    awaiting_conference,
    dates,
)


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True where the enquiry awaits its conference and started outside the year (1 April to
    31 March, the census date)."""
    start = rows[START]
    outside = (start < pd.Timestamp(d.period.start)) | (start > pd.Timestamp(d.period.end))
    return awaiting_conference(rows) & outside.fillna(False).astype(bool)


def _carried_over(columns: TextColumns) -> Any:
    """Enquiries started before the financial year of their conference: in a clean return,
    those started last year whose conference was held in this one."""
    conference = dates(columns, CONFERENCE)
    first_april = pd.to_datetime(
        (conference - pd.DateOffset(months=3)).dt.year.astype("Int64").astype("string") + "-04-01",
        errors="coerce",
    )
    return (dates(columns, START) < first_april).fillna(False).to_numpy()


def _conference_taken_away(row: TextRow) -> dict[str, str]:
    """The conference of an enquiry started last year left out, and none said not required:
    the enquiry now looks open since last year."""
    return {CONFERENCE: "", NOT_REQUIRED: "0"}


RULE = Rule(
    id=f"{TABLE}.dfe_8740",
    table=TABLE,
    text=f"A section 47 enquiry with no {CONFERENCE} and {NOT_REQUIRED} not true must have "
    "started in the census year",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the section 47 enquiry",
    check=check,
    family="dfe_8740",
    dfe_rule="8740",
    dfe_message=(
        "For a Section 47 Enquiry that has not held the Initial Child Protection Conference by "
        "the end of the census year, the start date must fall within the census year"
    ),
    columns=(START, CONFERENCE, NOT_REQUIRED),
    fault=FaultExample(
        kind="rule_8740",
        column=START,
        ways=(FaultWay(applies=_carried_over, change=_conference_taken_away),),
    ),
)
