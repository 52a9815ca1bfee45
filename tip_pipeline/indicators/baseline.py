"""A year's inequality summary against its baseline year.

The change in inequality is measured from the baseline year, the first reporting year
(CONVENTIONS.md, "Improve the health of the poorest fastest"). The year's own values are the
ones just computed (they are written with the summary, in one transaction); the baseline
year's are recomputed from its validated tables, so that a year can be summarised without the
baseline year's indicator rows having been written first (each year is its own run).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.data import load_year
from tip_pipeline.indicators.inequality import inequality_summary
from tip_pipeline.indicators.values import all_values
from tip_pipeline.periods import FinancialYear


def baseline_values(
    engine: sa.Engine, period: FinancialYear, baseline: FinancialYear
) -> pd.DataFrame | None:
    """Every indicator's values of the baseline year, from its validated tables; None when
    ``period`` is not later than the baseline (there is no change to measure)."""
    if not baseline < period:
        return None
    return all_values(load_year(engine, baseline))


def year_inequality(
    values: pd.DataFrame, engine: sa.Engine, period: FinancialYear, baseline: FinancialYear
) -> pd.DataFrame:
    """SII/RII, quintile gap and ratio, and the change since ``baseline`` in the most minus
    the least deprived quintile, per indicator and LA (``inequality.inequality_summary``), from
    ``values``, the year's indicator values."""
    return inequality_summary(values, baseline_values(engine, period, baseline), baseline.label)
