"""Linked adversity across services (the shared pseudonymised id): see ``adversity``."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.indicators.adversity import child_domains
from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.numerator_registry import UNITS, register


@register("adversity_two_or_more")
def two_or_more_domains(data: YearData) -> pd.DataFrame:
    """Children with two or more distinct adversity domains in the year (``adversity.DOMAINS``);
    area, sex and ethnicity from the first domain that has the child, age as in that domain."""
    kids = child_domains(data)
    return kids.loc[kids["domains"] >= 2, list(UNITS)].reset_index(drop=True)
