"""DfE CIN rule 8869: factor 21 (no factors identified) must not be used with other factors."""

import pandas as pd

from tip_pipeline.sources.codes import FACTOR_NONE
from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage
from tip_pipeline.validate.rules.factors import factor_codes, per_row


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    codes = factor_codes(rows)
    grouped = codes.groupby(level=0)
    return per_row((codes == FACTOR_NONE).groupby(level=0).any() & (grouped.size() > 1), rows)


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
    columns=("AssessmentFactors",),
)
