"""DfE CIN rule 8898: the same factor must not be recorded twice for one assessment."""

import pandas as pd

from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage
from tip_pipeline.validate.rules.factors import factor_codes, per_row


def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
    codes = factor_codes(rows)
    repeated = codes.to_frame("code").reset_index().duplicated().to_numpy()
    return per_row(pd.Series(repeated, index=codes.index).groupby(level=0).any(), rows)


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
    columns=("AssessmentFactors",),
)
