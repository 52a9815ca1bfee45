"""DfE CIN rule 8898: the same factor must not be recorded twice for one assessment.

An assessment is one row of the extract (the child, the episode's referral date and the
assessment's start date), so a factor repeated within its comma-separated list is the case
DfE's validator finds as two entries with the same code for one assessment.
"""

from typing import Any

import pandas as pd

from tip_pipeline.sources.codes import FACTOR_NONE
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
from tip_pipeline.validate.rules.factors import factor_codes, per_row

FACTORS = "AssessmentFactors"


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    codes = factor_codes(rows)
    repeated = codes.to_frame("code").reset_index().duplicated().to_numpy()
    return per_row(pd.Series(repeated, index=codes.index).groupby(level=0).any(), rows)


def _has_factors_other_than_none(columns: TextColumns) -> Any:
    """Assessments with factors recorded and not "21" alone: "21,21" would break rule 8869
    as well, and a fault breaks one rule only."""
    return (columns[FACTORS] != "") & (columns[FACTORS] != FACTOR_NONE)


def _repeat_first_factor(row: TextRow) -> dict[str, str]:
    """The first factor recorded, appended again."""
    first = row[FACTORS].split(",")[0]
    return {FACTORS: f"{row[FACTORS]},{first}"}


RULE = Rule(
    id="cin_assessments.dfe_8898",
    table="cin_assessments",
    text="The same factor must not be recorded more than once for one assessment",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the assessment",
    check=check,
    family="dfe_8898",
    dfe_rule="8898",
    # DfE's validator has a leading space before the message; the words are these.
    dfe_message="The assessment has more than one parental or child factors with the same code",
    columns=(FACTORS,),
    fault=FaultExample(
        kind="rule_8898",
        column=FACTORS,
        ways=(FaultWay(applies=_has_factors_other_than_none, change=_repeat_first_factor),),
    ),
)
