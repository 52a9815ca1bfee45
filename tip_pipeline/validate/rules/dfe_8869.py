"""DfE CIN rule 8869: factor 21 (no factors identified) must not be used with other factors.

DfE's validator reads each factor of an assessment as its own entry and flags the other
factors recorded beside a "21"; the extract carries an assessment's factors as one
comma-separated field, so the assessment is quarantined whole.
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
    grouped = codes.groupby(level=0)
    return per_row((codes == FACTOR_NONE).groupby(level=0).any() & (grouped.size() > 1), rows)


def _has_factors_other_than_none(columns: TextColumns) -> Any:
    """Assessments with factors recorded and not "21" alone."""
    return (columns[FACTORS] != "") & (columns[FACTORS] != FACTOR_NONE)


def _add_factor_none(row: TextRow) -> dict[str, str]:
    """Factor "21" appended to the factors already recorded."""
    return {FACTORS: f"{row[FACTORS]},{FACTOR_NONE}"}


RULE = Rule(
    id="cin_assessments.dfe_8869",
    table="cin_assessments",
    text="Factor 21 (no factors identified) must not be recorded with any other factor",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the assessment",
    check=check,
    family="dfe_8869",
    dfe_rule="8869",
    dfe_message=(
        "The assessment factors code “21” cannot be used in conjunction with any other "
        "assessment factors."
    ),
    columns=(FACTORS,),
    fault=FaultExample(
        kind="rule_8869",
        column=FACTORS,
        ways=(FaultWay(applies=_has_factors_other_than_none, change=_add_factor_none),),
    ),
)
