"""DfE CIN rule 2889: a section 47 enquiry cannot start before the referral of the CIN episode
it belongs to. The project's Section47 rows carry their episode's CINreferralDate (the key the
contract links them by, as intake writes it from the enclosing CINdetails), so the rule reads
one row. An enquiry before its referral would be counted in a year its episode had not begun."""

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
    REFERRAL,
    REQUIRED_NOT,
    START,
    TABLE,
    day_before,
)


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    """True where both dates are read and the enquiry started before the referral."""
    return rows[START] < rows[REFERRAL]


def _concluded(columns: TextColumns) -> Any:
    """Enquiries with a conference, or none required: moving their start earlier breaks no
    other rule (DfE 8740 concerns only those awaiting a conference)."""
    return (columns[REFERRAL] != "") & (
        (columns[CONFERENCE] != "") | (columns[NOT_REQUIRED] == REQUIRED_NOT)
    )


def _start_before_referral(row: TextRow) -> dict[str, str]:
    """The enquiry dated the day before its episode's referral."""
    return {START: day_before(row[REFERRAL])}


RULE = Rule(
    id=f"{TABLE}.dfe_2889",
    table=TABLE,
    text=f"{START} must not be before the episode's {REFERRAL}",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the section 47 enquiry",
    check=check,
    family="dfe_2889",
    dfe_rule="2889",
    dfe_message="The S47 start date cannot be before the referral date.",
    columns=(REFERRAL, START),
    fault=FaultExample(
        kind="rule_2889",
        column=START,
        ways=(FaultWay(applies=_concluded, change=_start_before_referral),),
    ),
)
