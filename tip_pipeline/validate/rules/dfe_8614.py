"""DfE CIN rule 8614: factors are recorded at the end of an assessment, so an assessment with
no completion (authorisation) date must not have factors."""

import pandas as pd

from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage
from tip_pipeline.validate.rules.factors import factor_codes, per_row


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    has_factors = per_row(factor_codes(rows).groupby(level=0).size() > 0, rows)
    completed = d.raw_columns("cin_assessments", rows, ["AssessmentAuthorisationDate"])
    return has_factors & completed["AssessmentAuthorisationDate"].isna()


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
    columns=("AssessmentFactors", "AssessmentAuthorisationDate"),
)
