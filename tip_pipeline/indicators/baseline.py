"""A year's inequality summary against its baseline year.

The change in inequality is measured from the baseline year, the first reporting year
(CONVENTIONS.md, "Improve the health of the poorest fastest"). The year's own values are the
ones just computed (they are written with the summary, in one transaction); the baseline
year's are computed from its validated tables, so that a year can be summarised without the
baseline year's indicator rows having been written first (each year is its own run).

Only the baseline's rows the change reads are kept (``inequality.quintile_rows``: the most and
least deprived quintiles of every indicator and LA), and they are remembered in the process,
keyed by the baseline's validated inputs as the warehouse holds them (``validated_versions``:
each table's rows and validation runs up to the baseline year, the cross-reference's linkage,
the delivering LA setting). Why: ``tip run`` computes every year in one process, and each
later year used to compute the whole baseline year again, reading its tables and every
indicator's values: a third of a later leeds year's figures (issue #21's profile of
2026-12-03). The baseline year's own figures are remembered as they are computed, so the
years after it reuse them while its inputs are unchanged; a run in a process of its own
(a run launched from the Dagster UI) computes them once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from tip_pipeline import config
from tip_pipeline.indicators.data import YearData, load_year, validated_versions
from tip_pipeline.indicators.inequality import inequality_summary, quintile_rows
from tip_pipeline.indicators.values import all_values
from tip_pipeline.periods import FinancialYear


@dataclass(frozen=True)
class _Remembered:
    key: tuple
    rows: pd.DataFrame


#: the baseline rows last computed in this process, with the inputs they were computed from
_REMEMBERED: dict[str, _Remembered] = {}


def inputs_key(engine: sa.Engine, baseline: FinancialYear) -> tuple:
    """What the baseline year's values are computed from: the warehouse, the year, its
    validated inputs as stored now, and the delivering LA setting (units of unknown home
    area are placed by it)."""
    with engine.connect() as conn:
        versions = validated_versions(conn, baseline)
    url = engine.url.render_as_string(hide_password=True)
    return (url, baseline.label, versions, config.HOME_LA.value())


def remember(engine: sa.Engine, data: YearData, values: pd.DataFrame) -> None:
    """Keep the baseline rows of ``values``, the baseline year's values just computed from
    ``data``, for the later years this process computes."""
    key = inputs_key(engine, data.period)
    _REMEMBERED[key[0]] = _Remembered(key, quintile_rows(values))


def baseline_values(
    engine: sa.Engine, period: FinancialYear, baseline: FinancialYear
) -> pd.DataFrame | None:
    """The baseline year's rows the change since it reads (``inequality.quintile_rows``), from
    its validated tables or as remembered from them; None when ``period`` is not later than
    the baseline (there is no change to measure)."""
    if not baseline < period:
        return None
    key = inputs_key(engine, baseline)
    found = _REMEMBERED.get(key[0])
    if found is not None and found.key == key:
        return found.rows
    rows = quintile_rows(all_values(load_year(engine, baseline)))
    _REMEMBERED[key[0]] = _Remembered(key, rows)
    return rows


def year_inequality(
    values: pd.DataFrame, engine: sa.Engine, period: FinancialYear, baseline: FinancialYear
) -> pd.DataFrame:
    """SII/RII, quintile gap and ratio, and the change since ``baseline`` in the most minus
    the least deprived quintile, per indicator and LA (``inequality.inequality_summary``), from
    ``values``, the year's indicator values."""
    return inequality_summary(values, baseline_values(engine, period, baseline), baseline.label)
