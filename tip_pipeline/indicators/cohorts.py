"""Cohorts across years: children followed on the shared pseudonym from the year they entered,
for a child protection plan, care, youth justice or homelessness within 12, 24 and 36 months.

docs/DOMAIN.md, "Cohorts across years", says why and how; in short, for the year Y published:

- **Entry** (two cohorts, each counted on its own): a child's first toxic-trio factor (the
  recorded definition, ``codes.TOXIC_TRIO_RECORDED``) identified at an assessment authorised in
  the entry year C, with no factor identified at any assessment authorised in the 12 months
  before (the wash-out: on or after the same day 12 calendar months earlier, as DfE's
  re-referral rule counts "within 12 months"); or a child's first referral in C, with no
  referral in the 12 months before. The child is aged 0-17 at entry (the CIN child's birth
  month; an unborn child, or one with no birth month, is not in a cohort). C runs from Y-3 to
  Y (``look_back.COHORTS``): the wash-out year C-1 and every year from C to Y are read, and a
  cohort whose years were not all delivered is not available, with the reason.
- **Events**, each on or after the entry day: a child protection plan starting (CPPstartDate);
  a period of care starting (an SSDA903 episode with RNE S, series of short breaks V3/V4 left
  out); a youth-justice outcome (any, community resolution to custody); being a dependent child
  of a household owed a prevention or relief duty (the case's application date). ``any`` is the
  first of the four.
- **Censoring**, the first day a child is no longer followed: the 18th birthday (from the birth
  month, the first of the month: up to a month early, never late); death (the CIN child's
  PersonDeathDate, or a CIN case closed RC2, died); moving away (a CIN case closed RC5,
  transferred to the services of another local authority, on or after entry); the end of the
  data, the day after 31 March of Y. An event on or after that day is not counted.
- **Time** is counted in anniversaries of entry: the k-th year of follow-up runs from the day
  12k calendar months after entry to the day before 12(k+1) months, so an event on exactly the
  first anniversary is in [12, 24) months, not within 12 months. Within a year, time is the
  share of its days gone (12 months per year), for the Kaplan-Meier estimate; a censored child's
  time is their last day followed.
- **Counts** per interval [0, 12), [12, 24), [24, 36): children at risk at its start, events in
  it, censored in it (at risk at the start of the next = at risk - events - censored), by LA
  and national IMD quintile of the home LSOA in the entry year (``unknown`` for an unknown home
  area) and in all; and the cumulative incidence before the interval's end, Kaplan-Meier with
  Greenwood's variance and log-log 95% limits (``stats.kaplan_meier_incidence``).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators.data import (
    HISTORY_KEY,
    Lookup,
    YearData,
    lookup,
    member_of,
    places_in,
)
from tip_pipeline.indicators.look_back import COHORT_YEARS_BEFORE, COHORTS, not_available
from tip_pipeline.indicators.people import age_at, has_any_code
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.codes import DUTY_OWED, SHORT_BREAK_LEGAL_STATUS, TOXIC_TRIO_RECORDED
from tip_pipeline.stats import kaplan_meier_incidence_by_group

TOXIC_TRIO, REFERRAL = "toxic_trio", "referral"
#: the two cohorts: entry at a first toxic-trio factor, entry at a first referral
ENTRIES: tuple[str, ...] = (TOXIC_TRIO, REFERRAL)
CHILD_PROTECTION, LOOKED_AFTER = "child_protection", "looked_after"
YOUTH_JUSTICE, HOMELESSNESS, ANY = "youth_justice", "homelessness", "any"
#: the outcomes followed: each event on its own, and the first of any of them
OUTCOMES: tuple[str, ...] = (ANY, CHILD_PROTECTION, LOOKED_AFTER, YOUTH_JUSTICE, HOMELESSNESS)
LABELS = {
    TOXIC_TRIO: "First toxic-trio factor",
    REFERRAL: "First referral",
    ANY: "Any of the four",
    CHILD_PROTECTION: "Child protection plan",
    LOOKED_AFTER: "Looked after",
    YOUTH_JUSTICE: "Youth justice outcome",
    HOMELESSNESS: "Homelessness (household owed a duty)",
}
#: the quintile of the whole cohort
ALL = "all"
#: national IMD quintiles, 1 most deprived, and the unknown home area
QUINTILES: tuple[str, ...] = ("1", "2", "3", "4", "5", UNKNOWN)
#: follow-up intervals in months, from the entry day
INTERVALS: tuple[tuple[int, int], ...] = ((0, 12), (12, 24), (24, 36))
MONTHS_PER_YEAR = 12
#: the wash-out before entry, and the re-referral rule it follows (months)
WASH_OUT_MONTHS = 12
#: youngest age at which a child is no longer followed
ADULT_AGE = 18
#: CIN reasons for closure that end follow-up (DfE, CIN census guide, ReasonForClosure):
#: RC2 died; RC5 transferred to the services of another local authority
DIED, TRANSFERRED = "RC2", "RC5"
#: SSDA903 reason for a new episode: started to be looked after
STARTED_CARE = "S"
COLUMNS = [
    "period",
    "entry",
    "entry_period",
    "area_code",
    "area_name",
    "outcome",
    "imd_quintile",
    "months_from",
    "months_to",
    "at_risk",
    "events",
    "censored",
    "incidence_pct",
    "lower_ci_95",
    "upper_ci_95",
]


def _days(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").dt.normalize()


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().fillna("").astype(object)


def all_years(data: YearData, name: str) -> pd.DataFrame:
    """The rows of ``name`` of the year and of the earlier years read for the look-back, each
    with its ``period``."""
    now = data.table(name).assign(period=data.period.label)
    return pd.concat([data.earlier_table(name), now], ignore_index=True)


def first_after_wash_out(dated: pd.DataFrame, year: FinancialYear) -> pd.DataFrame:
    """Children whose first date in ``year`` has no date in the ``WASH_OUT_MONTHS`` before it
    (on or after the same day that many calendar months earlier). ``dated``: ``child``, ``date``
    (every date known, of any year). Returns ``child``, ``entry``.

    Only the dates from ``WASH_OUT_MONTHS`` before the year's first day to its last can enter a
    child or wash one out, so only they are read (the cohorts' dates span five years)."""
    start, end = pd.Timestamp(year.start), pd.Timestamp(year.end)
    window = dated[dated["date"].between(start - pd.DateOffset(months=WASH_OUT_MONTHS), end)]
    in_year = window[window["date"] >= start]
    first = in_year.groupby("child", as_index=False)["date"].min().rename(columns={"date": "entry"})
    earlier = window.merge(first, on="child")
    window_start = earlier["entry"] - pd.DateOffset(months=WASH_OUT_MONTHS)
    washed = (earlier["date"] >= window_start) & (earlier["date"] < earlier["entry"])
    return first[~member_of(first["child"], earlier.loc[washed, "child"])].reset_index(drop=True)


def toxic_trio_dates(assessments: pd.DataFrame) -> pd.DataFrame:
    """``child``, ``date``: the authorisation dates of assessments that identified a toxic-trio
    factor (recorded definition; factors are recorded at the end of assessment, docs/DOMAIN.md)."""
    codes = tuple(c for factor in TOXIC_TRIO_RECORDED.values() for c in factor)
    hit = assessments[has_any_code(assessments["assessment_factors"], codes)]
    return pd.DataFrame(
        {
            "child": hit["la_child_id"].to_numpy(object),
            "date": _days(hit["assessment_authorisation_date"]).to_numpy(),
        }
    )


def referral_dates(episodes: pd.DataFrame) -> pd.DataFrame:
    """``child``, ``date``: every CIN referral date."""
    return pd.DataFrame(
        {
            "child": episodes["la_child_id"].to_numpy(object),
            "date": _days(episodes["cin_referral_date"]).to_numpy(),
        }
    )


def child_numbers(children: pd.DataFrame) -> Lookup:
    """The CIN children's pseudonyms, sorted: a child's number is its place here.

    Why: at england scale the cohorts join and group millions of rows by child, and doing it on
    integers rather than on text took most of their time away. Sorted, the numbers keep the
    pseudonyms' order, so every grouping by child comes out in the order it did on the text.
    Only the CIN children are numbered: a cohort enters children of the CIN census alone
    (``cohort_entries`` keeps those in ``children_of``), so a date or an event of anyone else
    can never be counted."""
    ids = pd.Index(children["la_child_id"].dropna().unique()).sort_values()
    return lookup(pd.DataFrame({"child": ids}), "child")


def numbered(dated: pd.DataFrame, numbers: Lookup) -> pd.DataFrame:
    """``dated`` with its ``child`` replaced by the child's number (``child_numbers``), and the
    rows of anyone not numbered left out (they cannot enter a cohort)."""
    number = places_in(dated["child"], numbers)
    return dated.assign(child=number)[number >= 0].reset_index(drop=True)


def lives(children: pd.DataFrame) -> pd.DataFrame:
    """One row per CIN child: ``child``, ``birth`` (first known), ``death`` (earliest known)."""
    rows = pd.DataFrame(
        {
            "child": children["la_child_id"],
            "birth": _days(children["person_birth_date"]),
            "death": _days(children["person_death_date"]),
        }
    )
    return rows.groupby("child").agg(birth=("birth", "first"), death=("death", "min"))


def children_of(
    children: pd.DataFrame, year: FinancialYear, lived: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per CIN child: ``child``, ``birth`` (first known), ``death`` (earliest known),
    ``lsoa`` (the home LSOA known in ``year``, else ``home_area.UNKNOWN``). ``lived``: the
    children's ``lives``, when already made (the same for every entry year)."""
    per = lives(children) if lived is None else lived.copy()
    own = children[(children["period"] == year.label) & children["home_lsoa"].notna()]
    own = own[_text(own["home_lsoa"]) != ""]
    per["lsoa"] = own.drop_duplicates("la_child_id").set_index("la_child_id")["home_lsoa"]
    per["lsoa"] = per["lsoa"].astype(object).where(per["lsoa"].notna(), UNKNOWN)
    return per.reset_index()


def event_dates(data: YearData) -> pd.DataFrame:
    """``child``, ``outcome``, ``date``: every dated event of every year read (see the module
    docstring for what is an event)."""
    plans = all_years(data, "cin_cp_plans")
    care = all_years(data, "ssda903_episodes")
    care = care[
        (_text(care["rne"]) == STARTED_CARE) & ~_text(care["ls"]).isin(SHORT_BREAK_LEGAL_STATUS)
    ]
    outcomes = data.table(HISTORY_KEY)
    main = all_years(data, "hclic_main")
    owed = main[_text(main["initial_duty"]).isin(DUTY_OWED)].drop_duplicates("case_id")
    kids = all_years(data, "hclic_children").drop_duplicates(["case_id", "child_id"])
    homeless = kids.merge(owed[["case_id", "application_date"]], on="case_id")
    parts = [
        (plans["la_child_id"], plans["cpp_start_date"], CHILD_PROTECTION),
        (care["child"], care["decom"], LOOKED_AFTER),
        (outcomes["yj_id"], outcomes["outcome_date"], YOUTH_JUSTICE),
        (homeless["child_id"], homeless["application_date"], HOMELESSNESS),
    ]
    frames = [
        pd.DataFrame(
            {"child": ids.to_numpy(object), "outcome": name, "date": _days(days).to_numpy()}
        )
        for ids, days, name in parts
    ]
    return pd.concat(frames, ignore_index=True).dropna(subset=["date"])


def closures(episodes: pd.DataFrame, reason: str) -> pd.DataFrame:
    """``child``, ``date``: the closure dates of CIN cases closed for ``reason``."""
    hit = episodes[_text(episodes["reason_for_closure"]) == reason]
    return pd.DataFrame(
        {
            "child": hit["la_child_id"].to_numpy(object),
            "date": _days(hit["cin_closure_date"]).to_numpy(),
        }
    ).dropna(subset=["date"])


def _first_on_or_after(dated: pd.DataFrame, entries: pd.DataFrame) -> pd.Series:
    """Each entered child's first date of ``dated`` on or after their entry (NaT if none),
    indexed like ``entries``."""
    rows = entries[["child", "entry"]].reset_index().merge(dated, on="child")
    rows = rows[rows["date"] >= rows["entry"]]
    first = rows.groupby("index")["date"].min()
    return first.reindex(entries.index)


def censoring(
    entries: pd.DataFrame, died: pd.DataFrame, moved: pd.DataFrame, end: FinancialYear
) -> pd.Series:
    """Each entered child's first day not followed (indexed like ``entries``: ``child``,
    ``entry``, ``birth``, ``death``): the earliest of the 18th birthday, death (date of death,
    or a CIN closure RC2, ``died``), a CIN closure RC5 (transferred, ``moved``), each on or
    after entry, and the day after 31 March of ``end``. ``died``, ``moved``: ``closures``."""
    eighteenth = entries["birth"] + pd.DateOffset(years=ADULT_AGE)
    death = entries["death"].where(entries["death"] >= entries["entry"])
    closed_died = _first_on_or_after(died, entries)
    closed_moved = _first_on_or_after(moved, entries)
    after_data = pd.Series(pd.Timestamp(end.end + timedelta(days=1)), index=entries.index)
    return pd.concat([eighteenth, death, closed_died, closed_moved, after_data], axis=1).min(axis=1)


def anniversaries(entry: pd.Series) -> list[pd.Series]:
    """The days 0, 12, 24, ... calendar months after ``entry``: the ends of the years of
    follow-up, one more than ``INTERVALS`` (``anniversary_months``)."""
    return [entry + pd.DateOffset(months=MONTHS_PER_YEAR * k) for k in range(len(INTERVALS) + 2)]


def anniversary_months(
    entry: pd.Series, day: pd.Series, marks: list[pd.Series] | None = None
) -> pd.Series:
    """Months from ``entry`` to ``day`` counted in anniversaries: 12k on the day 12k calendar
    months after entry, and within a year of follow-up the share of its days gone, times 12.
    Beyond the last interval's end the value is only known to be past it. ``marks``: the
    ``anniversaries`` of ``entry``, when already made (they cost more than the rest)."""
    years = len(INTERVALS) + 1
    marks = anniversaries(entry) if marks is None else marks
    out = pd.Series(np.nan, index=entry.index, dtype=float)
    for k in range(years):
        start, stop = marks[k], marks[k + 1]
        inside = (day >= start) & (day < stop)
        share = (day - start).dt.days / (stop - start).dt.days
        out = out.where(~inside, MONTHS_PER_YEAR * (k + share))
    return out.where(day < marks[years], float(MONTHS_PER_YEAR * years))


def first_events(entries: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each entered child's first event of each outcome on or after entry (NaT if none), and
    of ``any`` (the first of them): one column per outcome of ``OUTCOMES``, indexed like
    ``entries``."""
    rows = entries[["child", "entry"]].reset_index().merge(events, on="child")
    rows = rows[rows["date"] >= rows["entry"]]
    first = rows.groupby(["index", "outcome"])["date"].min().unstack("outcome")
    first = first.reindex(index=entries.index, columns=[o for o in OUTCOMES if o != ANY])
    first[ANY] = rows.groupby("index")["date"].min().reindex(entries.index)
    # dates throughout, even for an outcome no child had (a column of NaN otherwise)
    return pd.DataFrame({o: pd.to_datetime(first[o]) for o in OUTCOMES}, index=entries.index)


def follow_up(
    entries: pd.DataFrame, events: pd.DataFrame, censored_from: pd.Series
) -> pd.DataFrame:
    """One row per entered child and outcome: ``child``, ``outcome``, ``time`` (anniversary
    months to the first event before censoring, or to the last day followed) and ``event``."""
    frames = []
    last_day = pd.concat([censored_from - pd.Timedelta(days=1), entries["entry"]], axis=1).max(
        axis=1
    )
    marks = anniversaries(entries["entry"])
    firsts = first_events(entries, events[["child", "outcome", "date"]])
    # categories, not text, five times over: the groups are found by their codes (group_of)
    la, quintile = pd.Categorical(entries["la"]), pd.Categorical(entries["imd_quintile"])
    for outcome in OUTCOMES:
        first = firsts[outcome]
        happened = first.notna() & (first < censored_from)
        day = first.where(happened, last_day)
        frames.append(
            pd.DataFrame(
                {
                    "child": entries["child"].to_numpy(object),
                    "outcome": pd.Categorical.from_codes(
                        np.full(len(entries), OUTCOMES.index(outcome)), categories=OUTCOMES
                    ),
                    "time": anniversary_months(entries["entry"], day, marks).to_numpy(),
                    "event": happened.to_numpy(bool),
                    "la": la,
                    "imd_quintile": quintile,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def cohort_entries(
    dated: pd.DataFrame, people: pd.DataFrame, areas: pd.DataFrame, year: FinancialYear
) -> pd.DataFrame:
    """The children who entered a cohort in ``year``, aged 0-17 then: ``child``, ``entry``,
    ``birth``, ``death``, ``lsoa``, ``la``, ``imd_quintile`` (text; ``unknown`` for an unknown
    home area). ``dated``: the cohort's entry dates (``toxic_trio_dates`` or
    ``referral_dates``, of the entry years and their wash-out years); ``people``:
    ``children_of`` ``year``; ``areas``: ``YearData.areas``. A child placed in no LA (an
    unknown home area where no delivering LA is known) is in no LA's cohort, as in every other
    measure."""
    first = first_after_wash_out(dated, year)
    rows = first.merge(people, on="child", how="inner")
    age = age_at(rows["birth"], rows["entry"])
    rows = rows[age.between(0, ADULT_AGE - 1).fillna(False).astype(bool)]
    rows = rows.merge(areas[["lsoa", "la", "imd_quintile"]], on="lsoa", how="inner")
    quintile = rows["imd_quintile"].astype("Int64").astype("string").fillna(UNKNOWN)
    return rows.assign(imd_quintile=quintile.astype(object)).reset_index(drop=True)


#: the quintiles a cohort is counted in, in the order published
GROUP_QUINTILES: tuple[str, ...] = (*QUINTILES, ALL)


def cohort_groups(followed: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The groups a cohort's rows are counted in, in the order published: every LA of
    ``areas`` (sorted), each outcome, and each quintile, 1-5 always, ``unknown`` where the
    LA's cohort has such a child, and ``all``; with ``cell``, the group's place among every
    LA x outcome x ``GROUP_QUINTILES`` in that order (``group_of``)."""
    las = sorted(areas["la"].dropna().unique())
    grid = pd.MultiIndex.from_product(
        [las, OUTCOMES, GROUP_QUINTILES], names=["area_code", "outcome", "imd_quintile"]
    ).to_frame(index=False)
    with_unknown = set(followed.loc[followed["imd_quintile"] == UNKNOWN, "la"])
    shown = (grid["imd_quintile"] != UNKNOWN) | grid["area_code"].isin(with_unknown)
    return grid.assign(cell=np.arange(len(grid)))[shown].reset_index(drop=True)


def group_of(
    followed: pd.DataFrame,
    groups: pd.DataFrame,
    las: list[str],
    quintile: pd.Series | pd.Categorical,
) -> np.ndarray:
    """Each row's group (its row number in ``groups``), counted by ``quintile`` (the row's own,
    or ``all``); -1 for a child in no LA of ``las``. Worked out from the codes of LA, outcome
    and quintile (their place in ``cohort_groups``' order), not by joining on text."""
    la = pd.Categorical(followed["la"], categories=las).codes.astype(np.int64)
    outcome = pd.Categorical(followed["outcome"], categories=OUTCOMES).codes.astype(np.int64)
    q = pd.Categorical(quintile, categories=GROUP_QUINTILES).codes.astype(np.int64)
    cell = (la * len(OUTCOMES) + outcome) * len(GROUP_QUINTILES) + q
    number = np.full(len(las) * len(OUTCOMES) * len(GROUP_QUINTILES), -1, dtype=np.int64)
    number[groups["cell"].to_numpy()] = np.arange(len(groups))
    return np.where((la >= 0) & (outcome >= 0) & (q >= 0), number[cell], -1)


def cohort_counts(followed: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Rows per LA (every LA of ``areas``), outcome and quintile (1-5 always, ``unknown`` where
    the cohort has such a child, and ``all``), and interval: the children at risk at its start,
    events and censored in it, and the cumulative incidence before its end, percent, with 95%
    limits (``stats.kaplan_meier_incidence_by_group``: every group at once)."""
    las = sorted(areas["la"].dropna().unique())
    groups = cohort_groups(followed, areas)
    # each child-outcome row counts in its quintile and in the whole cohort
    own = group_of(followed, groups, las, followed["imd_quintile"])
    everyone = pd.Categorical.from_codes(
        np.full(len(followed), GROUP_QUINTILES.index(ALL)), categories=GROUP_QUINTILES
    )
    whole = group_of(followed, groups, las, everyone)
    group = np.concatenate((own, whole))
    time = np.tile(followed["time"].to_numpy(float), 2)
    event = np.tile(followed["event"].to_numpy(bool), 2)
    placed = group >= 0
    group, time, event = group[placed], time[placed], event[placed]
    size = len(groups)
    ends = [high for _, high in INTERVALS]
    km = kaplan_meier_incidence_by_group(group, time, event, ends, size, 0.95, closed=False)
    keys = groups[["area_code", "outcome", "imd_quintile"]]
    parts = []
    for i, (low, high) in enumerate(INTERVALS):
        inside = (time >= low) & (time < high)
        parts.append(
            keys.assign(
                months_from=low,
                months_to=high,
                at_risk=np.bincount(group[time >= low], minlength=size),
                events=np.bincount(group[inside & event], minlength=size),
                censored=np.bincount(group[inside & ~event], minlength=size),
                incidence_pct=km.value[:, i] * 100,
                lower_ci_95=km.lower[:, i] * 100,
                upper_ci_95=km.upper[:, i] * 100,
                _group=np.arange(size),
            )
        )
    out = pd.concat(parts, ignore_index=True).sort_values(["_group", "months_from"])
    names = areas.drop_duplicates("la").set_index("la")["la_name"]
    out["area_name"] = out["area_code"].map(names)
    return out.drop(columns="_group").reset_index(drop=True)


def cohort_years(period: FinancialYear) -> list[FinancialYear]:
    """The entry years published with ``period``, oldest first: Y-3 to Y."""
    return [period.shifted(-k) for k in range(COHORT_YEARS_BEFORE, -1, -1)]


def cohorts(data: YearData) -> pd.DataFrame:
    """The year's rows of ``restricted.cohort_incidence``: for each entry year C from Y-3 to Y
    whose years were all delivered (``look_back.COHORTS``; the others are named in
    ``published.indicator_not_available`` with why), each cohort's counts and incidence.

    What every cohort reads (the tables of every year, the events, the closures, the children's
    births and deaths) is read and prepared once for the four entry years and two entries."""
    delivered = data.delivered_earlier()
    episodes = all_years(data, "cin_episodes")
    children = all_years(data, "cin_children")
    numbers = child_numbers(children)
    events = numbered(event_dates(data), numbers)
    died = numbered(closures(episodes, DIED), numbers)
    moved = numbered(closures(episodes, TRANSFERRED), numbers)
    dated = {
        TOXIC_TRIO: numbered(toxic_trio_dates(all_years(data, "cin_assessments")), numbers),
        REFERRAL: numbered(referral_dates(episodes), numbers),
    }
    children = children.assign(la_child_id=places_in(children["la_child_id"], numbers))
    children = children[children["la_child_id"] >= 0]
    lived = lives(children)
    parts = []
    for k, year in enumerate(reversed(cohort_years(data.period))):
        if not_available(COHORTS[k], data.period, delivered):
            continue
        people = children_of(children, year, lived)
        for entry in ENTRIES:
            entered = cohort_entries(dated[entry], people, data.areas, year)
            censored_from = censoring(entered, died, moved, data.period)
            followed = follow_up(entered, events, censored_from)
            counts = cohort_counts(followed, data.areas)
            parts.append(counts.assign(entry=entry, entry_period=year.label))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True).assign(period=data.period.label)
    return out[COLUMNS].astype({"at_risk": "int64", "events": "int64", "censored": "int64"})
