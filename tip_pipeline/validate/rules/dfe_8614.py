"""DfE CIN rule 8614: factors are recorded at the end of an assessment, so an assessment with
no completion (authorisation) date must not have factors."""

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
from tip_pipeline.validate.rules.factors import factor_codes, per_row

FACTORS = "AssessmentFactors"
COMPLETED = "AssessmentAuthorisationDate"
#: the factor given to an assessment still in progress (domestic abuse, parent or carer)
EXAMPLE_FACTOR = "3B"


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    has_factors = per_row(factor_codes(rows).groupby(level=0).size() > 0, rows)
    completed = d.raw_columns("cin_assessments", rows, [COMPLETED])
    return has_factors & completed[COMPLETED].isna()


def _in_progress_without_factors(columns: TextColumns) -> Any:
    return (columns[COMPLETED] == "") & (columns[FACTORS] == "")


def _add_factor(row: TextRow) -> dict[str, str]:
    """A factor recorded on an assessment that is still in progress."""
    return {FACTORS: EXAMPLE_FACTOR}


def _completed_with_factors(columns: TextColumns) -> Any:
    return (columns[COMPLETED] != "") & (columns[FACTORS] != "")


def _remove_completion(row: TextRow) -> dict[str, str]:
    """The completion date of an assessment with factors left blank."""
    return {COMPLETED: ""}


RULE = Rule(
    id="cin_assessments.dfe_8614",
    table="cin_assessments",
    text="Factors must not be recorded for an assessment that has not been completed",
    stage=Stage.ROW,
    scope=Scope.ROW,
    quarantines="the assessment",
    check=check,
    family="dfe_8614",
    dfe_rule="8614",
    dfe_message=(
        "Parental or child factors at assessment should only be present for a completed assessment."
    ),
    columns=(FACTORS, COMPLETED),
    fault=FaultExample(
        kind="rule_8614",
        column=FACTORS,
        ways=(
            FaultWay(applies=_in_progress_without_factors, change=_add_factor),
            FaultWay(applies=_completed_with_factors, change=_remove_completion),
        ),
    ),
)
