"""DfE SSDA903 rule 567: a missing episode (or a time away from the placement without
authorisation) cannot end before it started. DfE's Missing table gives each episode's start
(MIS_START) and end (MIS_END, blank while the child is still missing at 31 March); an end
before the start is an error of entry, and the episode's length, which the outcome measures
read, would be negative."""

from datetime import date, timedelta
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

TABLE = "ssda903_missing"
START = "MIS_START"
END = "MIS_END"


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True where both dates are read and the end is before the start (the same day is an
    episode that ended the day it began)."""
    return rows[END] < rows[START]


def _ended(columns: TextColumns) -> Any:
    return (columns[START] != "") & (columns[END] != "")


def _end_the_day_before(row: TextRow) -> dict[str, str]:
    """The end moved to the day before the start."""
    return {END: (date.fromisoformat(row[START]) - timedelta(days=1)).isoformat()}


RULE = Rule(
    id=f"{TABLE}.dfe_567",
    table=TABLE,
    text=f"A missing episode must not end ({END}) before it started ({START})",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the missing episode",
    check=check,
    family="dfe_567",
    dfe_rule="567",
    dfe_message=(
        "The date that the missing episode or episode that the child was away from placement "
        "without authorisation ended is before the date that it started."
    ),
    columns=(START, END),
    fault=FaultExample(
        kind="rule_567",
        column=END,
        ways=(FaultWay(applies=_ended, change=_end_the_day_before),),
    ),
)
