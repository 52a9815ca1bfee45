"""Reporting-year partitions: complete financial years only (CONVENTIONS.md, "Periods")."""

from __future__ import annotations

from datetime import date

import dagster as dg

from tip_pipeline import config
from tip_pipeline.periods import FinancialYear, complete_years


def reporting_year_keys(today: date | None = None) -> list[str]:
    """Partition keys (``2023-24``) from TIP_FIRST_YEAR to the last complete year.

    A year still in progress is not offered: it may only ever be published as provisional.
    """
    first = FinancialYear.parse(config.FIRST_YEAR.value())
    return [fy.tag for fy in complete_years(first, today or date.today())]


reporting_years = dg.StaticPartitionsDefinition(reporting_year_keys())
