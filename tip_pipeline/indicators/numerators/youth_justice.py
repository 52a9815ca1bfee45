"""Youth justice: children with an outcome in the year, and first-time entrants.

Area, sex, ethnicity and date of birth are those recorded with the offence; age is at the
offence date (docs/CONVENTIONS.md: "the offence date for youth justice").
"""

from __future__ import annotations

import pandas as pd

from tip_pipeline.indicators.data import HISTORY_KEY, YearData
from tip_pipeline.indicators.numerator_registry import make_units, register
from tip_pipeline.indicators.people import age_at, dated_in, ethnic_group, harmonise_sex
from tip_pipeline.sources.codes import OUTCOME_FIRST_TIME_ENTRANT


def _offence_units(data: YearData, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Units of the children of ``outcomes`` (sorted by outcome date), details at the offence."""
    offences = data.table("yjs_offences").drop_duplicates("offence_id")
    rows = outcomes.merge(
        offences.drop(columns=["yj_id"]), on="offence_id", how="inner"
    ).sort_values(["outcome_date", "offence_id"])
    return make_units(
        rows,
        unit_id="yj_id",
        lsoa="home_lsoa",
        sex=harmonise_sex(rows["sex"]),
        ethnic_group=ethnic_group(rows["ethnicity"]),
        age=age_at(rows["dob"], rows["offence_date"]),
    )


@register("yj_outcome")
def outcome_in_year(data: YearData) -> pd.DataFrame:
    """Children with a youth-justice outcome (any: community resolution to custody) dated in
    the year; details of the first such offence."""
    out = data.table("yjs_outcomes")
    out = out[dated_in(out["outcome_date"], data.period.start, data.period.end)]
    return _offence_units(data, out)


@register("yj_first_time_entrants")
def first_time_entrants(data: YearData) -> pd.DataFrame:
    """First-time entrants: children whose FIRST EVER youth caution or conviction (outcomes in
    OUTCOME_FIRST_TIME_ENTRANT; a community resolution does not count) is dated in the year.
    "Ever" reads every delivered year up to this one, the history years included (MoJ/YJB
    first-time-entrant measure)."""
    history = data.table(HISTORY_KEY)
    history = history[history["outcome_type"].isin(OUTCOME_FIRST_TIME_ENTRANT)]
    history = history.drop_duplicates("offence_id")
    first = history.sort_values(["outcome_date", "offence_id"]).drop_duplicates("yj_id")
    first = first[dated_in(first["outcome_date"], data.period.start, data.period.end)]
    return _offence_units(data, first)
