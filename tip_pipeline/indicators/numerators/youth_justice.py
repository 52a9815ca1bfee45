"""Youth justice: children with an outcome in the year, first-time entrants, custodial
sentences, and the local reoffending proxy.

Area, sex, ethnicity and date of birth are those recorded with the offence; age is at the
offence date (docs/CONVENTIONS.md: "the offence date for youth justice").
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from tip_pipeline.indicators.data import HISTORY_KEY, YearData, member_of
from tip_pipeline.indicators.numerator_registry import make_units, register, subset_units, units_of
from tip_pipeline.indicators.people import age_at, dated_in, ethnic_group, harmonise_sex
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.codes import (
    OUTCOME_CAUTION_OR_CONVICTION,
    OUTCOME_CUSTODY,
    OUTCOME_FIRST_TIME_ENTRANT,
    OUTCOME_REOFFENDING_INDEX,
)

#: MoJ's proven reoffending: an offence committed in the 12 months after the index date...
FOLLOW_UP_MONTHS = 12
#: ...and proven (cautioned or convicted) within them or a further six months' waiting period
PROVEN_WITHIN_MONTHS = FOLLOW_UP_MONTHS + 6
#: the children of the local proxy are followed for a whole reoffending window inside the
#: year's data: the cohort's index dates end this many months before 31 March
COHORT_LAG_MONTHS = PROVEN_WITHIN_MONTHS
#: the ages of MoJ's youth cohort (at the index offence here)
COHORT_AGES = (10, 17)


def _offence_units(
    data: YearData,
    outcomes: pd.DataFrame,
    offences: pd.DataFrame | None = None,
    unit_id: str = "yj_id",
) -> pd.DataFrame:
    """Units of the children of ``outcomes`` (sorted by outcome date), details at the offence
    (of the year's offences table unless ``offences`` are given); one per ``unit_id``."""
    if offences is None:
        offences = data.table("yjs_offences")
    offences = offences.drop_duplicates("offence_id")
    rows = outcomes.merge(
        offences.drop(columns=["yj_id"]), on="offence_id", how="inner"
    ).sort_values(["outcome_date", "offence_id"])
    return make_units(
        rows,
        unit_id=unit_id,
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


def sentencing_occasion(child: pd.Series, day: pd.Series) -> pd.Series:
    """A sentencing occasion's unit id: the child and the outcome's date, ISO-formatted (the
    same text whichever way the date was read)."""
    return child.astype(str) + "|" + pd.to_datetime(day).dt.strftime("%Y-%m-%d")


@register("yj_custodial_sentences")
def custodial_sentences(data: YearData) -> pd.DataFrame:
    """Custodial sentences dated in the year (events): one per sentencing occasion, a child's
    custodial outcomes of one day (a court sentencing several offences at once) being one
    sentence; a child sentenced to custody on two days counts twice. Details of the first
    offence sentenced that day. The YJB's use-of-custody measure (docs/DOMAIN.md, "Youth
    justice")."""
    out = data.table("yjs_outcomes")
    out = out[
        (out["outcome_type"] == OUTCOME_CUSTODY)
        & dated_in(out["outcome_date"], data.period.start, data.period.end)
    ]
    out = out.assign(sentence_id=sentencing_occasion(out["yj_id"], out["outcome_date"]))
    return _offence_units(data, out, unit_id="sentence_id")


def reoffending_cohort_period(period: FinancialYear) -> tuple[date, date]:
    """The 12 months of index dates whose reoffending ``period`` publishes: those ending 18
    months before its 31 March (1 October 2021 to 30 September 2022 for 2023/24), so that
    every child's 12 months' follow-up and 6 months' waiting period end within the year's
    data. MoJ publishes proven reoffending by such 12-month cohorts, named by the month they
    end (docs/DOMAIN.md, "Youth justice")."""
    lag = pd.DateOffset(months=COHORT_LAG_MONTHS)
    return (
        (pd.Timestamp(period.start) - lag).date(),
        (pd.Timestamp(period.end) - lag).date(),
    )


def _offences_read(data: YearData) -> pd.DataFrame:
    """The offences of the year and of its look-back years (``yjs_offences`` is delivered with
    the year of each offence's outcome), once each."""
    earlier = data.earlier_table("yjs_offences").drop(columns=["period"])
    both = pd.concat([data.table("yjs_offences"), earlier], ignore_index=True)
    return both.drop_duplicates("offence_id")


def _proven(data: YearData) -> pd.DataFrame:
    """Every caution or conviction delivered up to the year (history included), once per
    offence, with the offence's date."""
    history = data.table(HISTORY_KEY)
    proven = history[history["outcome_type"].isin(OUTCOME_CAUTION_OR_CONVICTION)]
    proven = proven.drop_duplicates("offence_id")
    offences = _offences_read(data)[["offence_id", "offence_date"]]
    return proven.merge(offences, on="offence_id", how="inner")


def reoffending_index(outcomes: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """Each child's index event: the first caution or non-custodial conviction
    (OUTCOME_REOFFENDING_INDEX) dated from ``first`` to ``last``. A child sentenced to custody
    on that same day is left out: MoJ would start the child's follow-up at the release, which
    the tables do not hold. Rows of ``outcomes``, one per child."""
    index = outcomes[
        outcomes["outcome_type"].isin(OUTCOME_REOFFENDING_INDEX)
        & dated_in(outcomes["outcome_date"], first, last)
    ]
    index = index.sort_values(["outcome_date", "offence_id"]).drop_duplicates("yj_id")
    custody = outcomes.loc[outcomes["outcome_type"] == OUTCOME_CUSTODY, ["yj_id", "outcome_date"]]
    same_day = member_of(
        sentencing_occasion(index["yj_id"], index["outcome_date"]),
        sentencing_occasion(custody["yj_id"], custody["outcome_date"]),
    )
    return index[~same_day]


def reoffender_ids(index: pd.DataFrame, proven: pd.DataFrame) -> pd.Series:
    """The children of ``index`` (their index events) with a proven reoffence (``proven``:
    cautions and convictions with their offence dates): an offence committed after the index
    date and no more than 12 months after it (the anniversary counts), cautioned or convicted
    no more than 18 months after the index date. An offence committed on or before the index
    date is not a reoffence, whenever it was proven. MoJ, *Guide to proven reoffending
    statistics*: one year's follow-up, and six months more for the offence to be proven."""
    pairs = index[["yj_id", "outcome_date"]].rename(columns={"outcome_date": "index_date"})
    pairs = pairs.merge(proven[["yj_id", "offence_date", "outcome_date"]], on="yj_id")
    start = pd.to_datetime(pairs["index_date"])
    offence = pd.to_datetime(pairs["offence_date"])
    proven_on = pd.to_datetime(pairs["outcome_date"])
    hit = (
        (offence > start)
        & (offence <= start + pd.DateOffset(months=FOLLOW_UP_MONTHS))
        & (proven_on <= start + pd.DateOffset(months=PROVEN_WITHIN_MONTHS))
    )
    return pairs.loc[hit, "yj_id"].drop_duplicates()


@register("yj_reoffending_cohort")
def reoffending_cohort(data: YearData) -> pd.DataFrame:
    """The local proxy's cohort: children aged 10-17 at the offence of their index event (the
    first caution or non-custodial conviction in ``reoffending_cohort_period``), details of
    that offence. Reads the offences of the two look-back years (the catalogue's
    ``look_back``) and the outcomes of every delivered year."""
    first, last = reoffending_cohort_period(data.period)
    history = data.table(HISTORY_KEY).drop_duplicates("offence_id")
    index = reoffending_index(history, first, last)
    units = _offence_units(data, index, offences=_offences_read(data))
    return units[units["age"].between(*COHORT_AGES).fillna(False).astype(bool)].reset_index(
        drop=True
    )


@register("yj_reoffenders")
def reoffenders(data: YearData) -> pd.DataFrame:
    """Of the cohort, the children with a proven reoffence (``reoffender_ids``): a subset of
    ``yj_reoffending_cohort``'s units, so every breakdown is a share of the same children."""
    first, last = reoffending_cohort_period(data.period)
    history = data.table(HISTORY_KEY).drop_duplicates("offence_id")
    ids = reoffender_ids(reoffending_index(history, first, last), _proven(data))
    return subset_units(units_of("yj_reoffending_cohort", data), ids)
