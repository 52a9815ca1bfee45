"""Assessment factors as lists, shared by the CIN factor rules (8869, 8898, 8614)."""

import pandas as pd

from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.parse import code_values

_FACTORS = EXTRACTS["cin_assessments"].column("AssessmentFactors")


def factor_lists(rows: pd.DataFrame) -> pd.Series:
    return code_values(_FACTORS, rows["AssessmentFactors"])
