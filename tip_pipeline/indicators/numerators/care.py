"""Looked-after children (SSDA903): snapshot at 31 March and "in care during the year".

The child's area is the home LSOA of the episode (HOME_POST holds the home LSOA, never the
placement: docs/CONVENTIONS.md); sex and ethnicity come from the SSDA903 header.
"""

from __future__ import annotations

import pandas as pd

from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.numerator_registry import make_units, register
from tip_pipeline.indicators.people import (
    age_at,
    ethnic_group,
    harmonise_sex,
    open_on,
    overlaps,
)
from tip_pipeline.sources.codes import SHORT_BREAK_LEGAL_STATUS


def _episodes(data: YearData) -> pd.DataFrame:
    """Episodes of care that are not a series of short breaks (V3/V4 excluded, as DfE's
    headline looked-after figures), with the child's header details."""
    eps = data.table("ssda903_episodes")
    eps = eps[~eps["ls"].isin(SHORT_BREAK_LEGAL_STATUS)]
    header = data.table("ssda903_header").drop_duplicates("child")
    return eps.merge(header[["child", "sex", "dob", "ethnic"]], on="child", how="left")


def _units(eps: pd.DataFrame, age: pd.Series) -> pd.DataFrame:
    return make_units(
        eps,
        unit_id="child",
        lsoa="home_post",
        sex=harmonise_sex(eps["sex"]),
        ethnic_group=ethnic_group(eps["ethnic"]),
        age=age,
    )


@register("cla_31mar")
def looked_after_31_march(data: YearData) -> pd.DataFrame:
    """Children looked after on 31 March: an episode open that day (start <= 31 March and no
    end or an end after it; an episode ending on 31 March has ceased) whose legal status is not
    a short break (V3/V4). Age at 31 March. DfE SSDA903 convention, docs/CONVENTIONS.md."""
    eps = _episodes(data)
    eps = eps[open_on(eps["decom"], eps["dec"], data.period.end)]
    return _units(eps, age_at(eps["dob"], data.period.end))


@register("cla_in_year")
def looked_after_in_year(data: YearData) -> pd.DataFrame:
    """Children looked after at any time in the year (V3/V4 short breaks excluded); age when
    first in care in the year (the later of the episode start and 1 April)."""
    eps = _episodes(data)
    eps = eps[overlaps(eps["decom"], eps["dec"], data.period.start, data.period.end)]
    eps = eps.sort_values(["child", "decom"])
    first_day = pd.to_datetime(eps["decom"]).clip(lower=pd.Timestamp(data.period.start))
    return _units(eps, age_at(eps["dob"], first_day))
