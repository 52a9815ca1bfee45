"""Assessment factors, exploded to one row per code, shared by the CIN factor rules (8869,
8898, 8614). Vectorised: the index of the result is the assessment row's."""

import pandas as pd

from tip_pipeline.validate.parse import split_codes


def factor_codes(rows: pd.DataFrame) -> pd.Series:
    """One entry per (assessment row, factor code); rows without factors are left out."""
    codes = split_codes(rows["AssessmentFactors"])
    return codes[codes != ""]


def per_row(values: pd.Series, rows: pd.DataFrame) -> pd.Series:
    """Aligns a per-row result computed on exploded codes back to every row (False if none)."""
    return values.reindex(rows.index, fill_value=False).astype(bool)
