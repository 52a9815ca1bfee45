"""DfE CIN rule 8615: within a Section47 group, a date of the initial child protection
conference (ICPC) needs the enquiry's start, on or before it. A conference follows the section
47 enquiry that found the child at continuing risk of harm; a conference dated before its
enquiry started is an error of entry, and would count a conference "following" an enquiry that
had not begun (docs/DOMAIN.md, "Outcome measures").

The contract requires S47ActualStartDate (it is part of the key), so an enquiry without one is
quarantined by the required-column rule before this one; this rule quarantines the enquiry
whose start falls after its conference."""

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
from tip_pipeline.validate.rules.section47 import CONFERENCE, START, TABLE, day_before


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True where both dates are read and the enquiry started after its conference."""
    return rows[START] > rows[CONFERENCE]


def _with_conference(columns: TextColumns) -> Any:
    return (columns[CONFERENCE] != "") & (columns[START] != "")


def _conference_before_start(row: TextRow) -> dict[str, str]:
    """The conference dated the day before the enquiry started."""
    return {CONFERENCE: day_before(row[START])}


RULE = Rule(
    id=f"{TABLE}.dfe_8615",
    table=TABLE,
    text=f"{START} must not be after {CONFERENCE}: the initial child protection conference "
    "follows the section 47 enquiry",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the section 47 enquiry",
    check=check,
    family="dfe_8615",
    dfe_rule="8615",
    dfe_message=(
        "Section 47 Enquiry Start Date must be present and cannot be later than the date of the "
        "initial Child Protection Conference"
    ),
    columns=(START, CONFERENCE),
    fault=FaultExample(
        kind="rule_8615",
        column=CONFERENCE,
        ways=(FaultWay(applies=_with_conference, change=_conference_before_start),),
    ),
)
