"""Looked-after children (SSDA903): snapshot at 31 March and "in care during the year".

The child's area is the home LSOA of the episode (HOME_POST holds the home LSOA, never the
placement: docs/CONVENTIONS.md); sex and ethnicity come from the SSDA903 header.
"""

from __future__ import annotations

import pandas as pd

from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.numerator_registry import make_units, register, subset_units, units_of
from tip_pipeline.indicators.people import (
    age_at,
    dated_in,
    ethnic_group,
    harmonise_sex,
    open_on,
    overlaps,
)
from tip_pipeline.sources.codes import (
    ACCOMMODATION_SUITABLE,
    ACTIVITY_EET,
    ADOPTION_PLACEMENTS,
    RNE_NEW_CARERS,
    SHORT_BREAK_LEGAL_STATUS,
    TEMPORARY_PLACEMENTS,
)


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


# -- outcome measures (issue #18): DfE's *Children looked after in England including adoptions* --
#
# Each share's numerator is a subset of its denominator's units (``_subset``), so a child has
# the same area, sex, ethnicity and age in both.

#: three or more placements in the year (DfE's short-term placement stability)
MANY_PLACEMENTS = 3
#: long-term stability: looked after continuously for at least 30 months (2.5 years) ...
CONTINUOUS_MONTHS = 30
#: ... and in the same placement (or adoptive and previous placement together) for 2 years
SAME_PLACEMENT_YEARS = 2
#: long-term stability counts children under this age at 31 March
STABILITY_UNDER_AGE = 16


def placements(episodes: pd.DataFrame) -> pd.DataFrame:
    """A child's placements from their episodes, as DfE counts them: columns child, start, end
    (NaT while open), place (of the placement's last episode) and period (the child's
    continuous period of care). Left out, as DfE leaves them out of the placement count:

    - series of short breaks (legal status V3, V4): not counted as care;
    - temporary placements (PLACE T0-T4): a temporary move, hospital, a holiday, the carers'
      holiday, seven days or less;
    - the return to the same placement after a temporary one (the episode after it with the
      PLACE the child had before it);
    - changes that keep the carers: a change of legal status only (RNE L), a change of
      placement type with the same carers (RNE T, U).

    A new placement starts at an episode with new carers (RNE S, P, B, ``RNE_NEW_CARERS``), and
    at a child's first episode known (whatever its RNE: the placement began before the data)."""
    eps = episodes[~episodes["ls"].isin(SHORT_BREAK_LEGAL_STATUS)].copy()
    eps["decom"] = pd.to_datetime(eps["decom"])
    eps["dec"] = pd.to_datetime(eps["dec"])
    eps = eps.sort_values(["child", "decom"], kind="stable").reset_index(drop=True)
    first = eps["child"] != eps["child"].shift()
    # a new period of care: the first episode, or one not starting the day the last ended
    eps["period"] = (first | (eps["decom"] != eps["dec"].shift())).cumsum()
    temporary = eps["place"].isin(TEMPORARY_PLACEMENTS)
    after_temporary = temporary.shift(fill_value=False) & ~first
    kept = eps[~temporary].copy()
    kept_first = kept["child"] != kept["child"].shift()
    same_place = (kept["place"] == kept["place"].shift()) & ~kept_first
    back = after_temporary[kept.index] & same_place
    new = kept_first | (kept["rne"].isin(RNE_NEW_CARERS) & ~back)
    new = new | (kept["period"] != kept["period"].shift())
    kept["placement"] = new.cumsum()
    grouped = kept.groupby("placement")
    out = grouped.agg(
        child=("child", "first"),
        start=("decom", "min"),
        place=("place", "last"),
        period=("period", "first"),
    )
    open_ = kept["dec"].isna().groupby(kept["placement"]).any()
    out["end"] = grouped["dec"].max().where(~open_)
    return out.reset_index(drop=True)[["child", "start", "end", "place", "period"]]


@register("cla_three_or_more_placements")
def three_or_more_placements(data: YearData) -> pd.DataFrame:
    """Children looked after on 31 March who had three or more placements in the year (a
    subset of ``cla_31mar``): placements (``placements``, DfE's exclusions left out) open at
    some time between 1 April and 31 March. DfE, *Children looked after in England including
    adoptions*, placement stability: "3 or more placements during the year"."""
    spells = placements(data.table("ssda903_episodes"))
    in_year = spells[overlaps(spells["start"], spells["end"], data.period.start, data.period.end)]
    counts = in_year.groupby("child").size()
    return subset_units(units_of("cla_31mar", data), counts.index[counts >= MANY_PLACEMENTS])


def _episodes_with_history(data: YearData) -> pd.DataFrame:
    """The year's episodes and those of the look-back years (``data.earlier``), one row per
    episode (child, start): the latest year's row where a later return updated it."""
    earlier = data.earlier_table("ssda903_episodes")
    now = data.table("ssda903_episodes").assign(period=data.period.label)
    both = pd.concat([earlier, now], ignore_index=True)
    both["decom"] = pd.to_datetime(both["decom"])
    both = both.sort_values(["child", "decom", "period"], kind="stable")
    return both.drop_duplicates(["child", "decom"], keep="last").drop(columns="period")


def _current_placements(data: YearData) -> pd.DataFrame:
    """Each child's placement open on 31 March, with the start of its continuous period of
    care (``care_start``) and the start of the placement before it in that period
    (``previous_start``, NaT if none). Made once per year's data (``data.cache``): both
    long-term measures read it, and at england scale it is sorting and grouping every episode
    of three years; callers must not modify the frame."""
    if "current_placements" not in data.cache:
        data.cache["current_placements"] = _placements_open_at_year_end(data)
    return data.cache["current_placements"]


def _placements_open_at_year_end(data: YearData) -> pd.DataFrame:
    spells = placements(_episodes_with_history(data))
    spells = spells.sort_values(["child", "start"]).reset_index(drop=True)
    spells["care_start"] = spells.groupby(["child", "period"])["start"].transform("min")
    same_period = spells["period"] == spells["period"].shift()
    spells["previous_start"] = spells["start"].shift().where(same_period)
    return spells[open_on(spells["start"], spells["end"], data.period.end)]


@register("cla_long_term")
def looked_after_long_term(data: YearData) -> pd.DataFrame:
    """Children looked after on 31 March, aged under 16 then, who had been looked after
    continuously for at least two and a half years (their period of care began on or before
    the day 30 months before 31 March): a subset of ``cla_31mar``. Reads the episodes of the
    two years before (the catalogue's ``look_back``)."""
    current = _current_placements(data)
    since = pd.Timestamp(data.period.end) - pd.DateOffset(months=CONTINUOUS_MONTHS)
    long = current.loc[current["care_start"] <= since, "child"]
    base = units_of("cla_31mar", data)
    base = base[base["age"].lt(STABILITY_UNDER_AGE).fillna(False).astype(bool)]
    return subset_units(base, long)


def stable(current: pd.DataFrame, on: pd.Timestamp) -> pd.Series:
    """Children of ``current`` (placements open on ``on``) in the same placement for at least
    two years, or placed for adoption (PLACE A3-A6) where the adoptive placement and the
    placement before it together lasted two years (the one before began two years before)."""
    since = on - pd.DateOffset(years=SAME_PLACEMENT_YEARS)
    same = current["start"] <= since
    adoption = current["place"].isin(ADOPTION_PLACEMENTS) & (current["previous_start"] <= since)
    return current.loc[same | adoption.fillna(False), "child"]


@register("cla_long_term_stable")
def long_term_stability(data: YearData) -> pd.DataFrame:
    """Of ``cla_long_term``, the children in the same placement for at least two years, or
    placed for adoption with their adoptive and previous placement together lasting two years.
    DfE, *Children looked after in England including adoptions*, long-term placement
    stability."""
    current = _current_placements(data)
    stable_now = stable(current, pd.Timestamp(data.period.end))
    return subset_units(units_of("cla_long_term", data), stable_now)


@register("cla_missing")
def missing_from_care(data: YearData) -> pd.DataFrame:
    """Children looked after during the year who went missing from their placement in it (an
    incident of the Missing table with MISSING M starting in the year; "away without
    authorisation", A, is DfE's separate measure): a subset of ``cla_in_year``. DfE, *Children
    looked after in England including adoptions*, "children who went missing"."""
    missing = data.table("ssda903_missing")
    went = missing[
        (missing["missing"] == "M")
        & dated_in(missing["mis_start"], data.period.start, data.period.end)
    ]
    return subset_units(units_of("cla_in_year", data), went["child"])


@register("care_leavers_19_21")
def care_leavers(data: YearData) -> pd.DataFrame:
    """Care leavers whose 19th, 20th or 21st birthday falls in the year (the OC3 cohort), every
    one of them, in touch or not; age at 31 March (19-21). The returns hold no home area for a
    care leaver, so each counts in the delivering LA's unknown home area."""
    oc3 = data.table("ssda903_oc3").drop_duplicates("child")
    header = data.table("ssda903_header").drop_duplicates("child")
    rows = oc3.merge(header[["child", "sex", "ethnic"]], on="child", how="left")
    rows = rows.assign(home=None)
    return make_units(
        rows,
        unit_id="child",
        lsoa="home",
        sex=harmonise_sex(rows["sex"]),
        ethnic_group=ethnic_group(rows["ethnic"]),
        age=age_at(rows["dob"], data.period.end),
    )


@register("care_leavers_eet")
def care_leavers_in_eet(data: YearData) -> pd.DataFrame:
    """Care leavers aged 19-21 in education, employment or training (OC3 ACTIV F1-F5, P1-P5,
    full or part time): a subset of ``care_leavers_19_21``."""
    oc3 = data.table("ssda903_oc3")
    return subset_units(
        units_of("care_leavers_19_21", data), oc3.loc[oc3["activ"].isin(ACTIVITY_EET), "child"]
    )


@register("care_leavers_suitable_accommodation")
def care_leavers_suitably_housed(data: YearData) -> pd.DataFrame:
    """Care leavers aged 19-21 in suitable accommodation (OC3 ACCOM ending in 1): a subset of
    ``care_leavers_19_21``."""
    oc3 = data.table("ssda903_oc3")
    suitable = oc3["accom"].fillna("").astype(str).str.endswith(ACCOMMODATION_SUITABLE)
    return subset_units(units_of("care_leavers_19_21", data), oc3.loc[suitable, "child"])
