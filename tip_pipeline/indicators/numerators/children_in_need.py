"""Children in Need census: in need and on a child protection plan at 31 March, referrals, and
toxic-trio factors identified at assessments completed in the year.

Area, sex, ethnicity and date of birth are the child's (cin_children, home LSOA).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from tip_pipeline.indicators.data import Lookup, YearData, lookup, merge_one
from tip_pipeline.indicators.numerator_registry import make_units, register, subset_units, units_of
from tip_pipeline.indicators.people import (
    age_at,
    dated_in,
    ethnic_group,
    harmonise_sex,
    has_any_code,
    open_on,
    overlaps,
)
from tip_pipeline.indicators.working_days import working_days_after
from tip_pipeline.sources.codes import TOXIC_TRIO_ANY_ADULT, TOXIC_TRIO_RECORDED


def _with_child(data: YearData, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with their child's details (the first row of the child in ``cin_children``);
    rows of a child not in the census's children are left out."""
    return merge_one(rows, _child_details(data), on="la_child_id")


def _child_details(data: YearData) -> Lookup:
    """One row per child of ``cin_children``: the details the numerators place and break
    down by. Made once per year's data (``data.cache``): a dozen numerators join to it, and
    finding each child's first row of millions was a tenth of the outcome measures' time at
    england scale (issue #18's benchmark); callers must not modify the frame."""
    if "cin_child_details" not in data.cache:
        children = data.table("cin_children").drop_duplicates("la_child_id")
        cols = ["la_child_id", "person_birth_date", "sex", "ethnicity", "home_lsoa"]
        data.cache["cin_child_details"] = lookup(children[cols], "la_child_id")
    return data.cache["cin_child_details"]


def _units(rows: pd.DataFrame, on, distinct: bool = True, unit_id: str = "la_child_id"):
    return make_units(
        rows,
        unit_id=unit_id,
        lsoa="home_lsoa",
        sex=harmonise_sex(rows["sex"]),
        ethnic_group=ethnic_group(rows["ethnicity"]),
        age=age_at(rows["person_birth_date"], on),
        distinct=distinct,
    )


@register("cin_31mar")
def in_need_31_march(data: YearData) -> pd.DataFrame:
    """Children with a CIN episode open on 31 March (referral on or before it, no closure or a
    closure after it: DfE snapshot). Age at 31 March."""
    eps = data.table("cin_episodes")
    eps = eps[open_on(eps["cin_referral_date"], eps["cin_closure_date"], data.period.end)]
    return _units(_with_child(data, eps), data.period.end)


@register("cpp_31mar")
def protection_plan_31_march(data: YearData) -> pd.DataFrame:
    """Children on a child protection plan on 31 March (DfE snapshot). Age at 31 March."""
    plans = data.table("cin_cp_plans")
    plans = plans[open_on(plans["cpp_start_date"], plans["cpp_end_date"], data.period.end)]
    return _units(_with_child(data, plans), data.period.end)


@register("cpp_in_year")
def protection_plan_in_year(data: YearData) -> pd.DataFrame:
    """Children on a child protection plan at any time in the year; age when first on a plan
    in the year (the later of the plan start and 1 April)."""
    plans = data.table("cin_cp_plans")
    plans = plans[
        overlaps(plans["cpp_start_date"], plans["cpp_end_date"], data.period.start, data.period.end)
    ].sort_values(["la_child_id", "cpp_start_date"])
    rows = _with_child(data, plans)
    first_day = pd.to_datetime(rows["cpp_start_date"]).clip(lower=pd.Timestamp(data.period.start))
    return _units(rows, first_day)


@register("cin_referrals")
def referrals_in_year(data: YearData) -> pd.DataFrame:
    """Referrals to children's social care dated in the year: events, not children (a child
    referred twice counts twice), so a rate. Age at the referral."""
    eps = data.table("cin_episodes")
    eps = eps[dated_in(eps["cin_referral_date"], data.period.start, data.period.end)]
    rows = _with_child(data, eps)
    rows = rows.assign(event_id=rows["la_child_id"] + "|" + rows["cin_referral_date"].astype(str))
    return _units(rows, rows["cin_referral_date"], unit_id="event_id")


def factor_dates(data: YearData, definition: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """For each child and toxic-trio factor, the first date in the year on which an assessment
    identified it: assessments COMPLETED (authorised) in the year only, since factors are
    recorded at the end of assessment (docs/DOMAIN.md). Columns la_child_id, factor, date.

    Computed once per year's data and definition (``data.cache``): each toxic-trio numerator
    (every factor, any, all, on both definitions) starts from it, and matching the code lists
    is most of its cost. Callers must not modify the frame."""
    key = ("factor_dates", tuple(sorted(definition.items())))
    if key not in data.cache:
        data.cache[key] = _factor_dates(data, definition)
    return data.cache[key]


def _factor_dates(data: YearData, definition: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    a = data.table("cin_assessments")
    a = a[dated_in(a["assessment_authorisation_date"], data.period.start, data.period.end)]
    parts = []
    for factor, factor_codes in definition.items():
        hit = a[has_any_code(a["assessment_factors"], factor_codes)]
        parts.append(
            pd.DataFrame(
                {
                    "la_child_id": hit["la_child_id"].to_numpy(),
                    "factor": factor,
                    "date": pd.to_datetime(hit["assessment_authorisation_date"]).to_numpy(),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame.groupby(["la_child_id", "factor"], as_index=False)["date"].min()


def _factor_units(
    data: YearData, definition: Mapping[str, tuple[str, ...]], combine: str
) -> pd.DataFrame:
    """Children with ``combine``: a factor name, "any" (first date of any) or "all" (all three
    identified in the year; the date the last of them was first identified)."""
    if combine not in (*definition, "any", "all"):
        raise ValueError(f"no toxic-trio factor {combine!r}; known: {sorted(definition)}")
    dates = factor_dates(data, definition)
    if combine == "any":
        per_child = dates.groupby("la_child_id", as_index=False)["date"].min()
    elif combine == "all":
        grouped = dates.groupby("la_child_id")
        per_child = grouped["date"].max()[grouped["factor"].nunique() == len(definition)]
        per_child = per_child.reset_index()
    else:
        per_child = dates.loc[dates["factor"] == combine, ["la_child_id", "date"]]
    rows = _with_child(data, per_child)
    return _units(rows, rows["date"])


# The toxic-trio numerators: factor_<f>, toxic_trio_any and toxic_trio_all on the recorded
# definition (the child's parent or carer: TOXIC_TRIO_RECORDED), and the same names with the
# suffix ``_any_adult`` on the definition matched to the model (any adult in the household:
# TOXIC_TRIO_ANY_ADULT, docs/CONVENTIONS.md, "Modelled and recorded prevalence").


@register("factor_domestic_abuse")
def domestic_abuse(data: YearData) -> pd.DataFrame:
    """Children with domestic abuse identified in the year (recorded definition)."""
    return _factor_units(data, TOXIC_TRIO_RECORDED, "domestic_abuse")


@register("factor_parental_mental_health")
def parental_mental_health(data: YearData) -> pd.DataFrame:
    """Children with parental mental ill-health identified in the year (recorded definition)."""
    return _factor_units(data, TOXIC_TRIO_RECORDED, "parental_mental_health")


@register("factor_parental_substance_misuse")
def parental_substance_misuse(data: YearData) -> pd.DataFrame:
    """Children with parental substance misuse identified in the year (recorded definition)."""
    return _factor_units(data, TOXIC_TRIO_RECORDED, "parental_substance_misuse")


@register("toxic_trio_any")
def toxic_trio_any(data: YearData) -> pd.DataFrame:
    """Children with any toxic-trio factor identified in the year (recorded definition)."""
    return _factor_units(data, TOXIC_TRIO_RECORDED, "any")


@register("toxic_trio_all")
def toxic_trio_all(data: YearData) -> pd.DataFrame:
    """Children with all three toxic-trio factors identified in the year (recorded
    definition)."""
    return _factor_units(data, TOXIC_TRIO_RECORDED, "all")


@register("factor_domestic_abuse_any_adult")
def domestic_abuse_any_adult(data: YearData) -> pd.DataFrame:
    """Children with domestic abuse identified in the year (any adult in the household)."""
    return _factor_units(data, TOXIC_TRIO_ANY_ADULT, "domestic_abuse")


@register("factor_parental_mental_health_any_adult")
def parental_mental_health_any_adult(data: YearData) -> pd.DataFrame:
    """Children with parental mental ill-health identified in the year (any adult in the
    household)."""
    return _factor_units(data, TOXIC_TRIO_ANY_ADULT, "parental_mental_health")


@register("factor_parental_substance_misuse_any_adult")
def parental_substance_misuse_any_adult(data: YearData) -> pd.DataFrame:
    """Children with parental substance misuse identified in the year (any adult in the
    household)."""
    return _factor_units(data, TOXIC_TRIO_ANY_ADULT, "parental_substance_misuse")


@register("toxic_trio_any_any_adult")
def toxic_trio_any_any_adult(data: YearData) -> pd.DataFrame:
    """Children with any toxic-trio factor identified in the year (any adult in the
    household)."""
    return _factor_units(data, TOXIC_TRIO_ANY_ADULT, "any")


@register("toxic_trio_all_any_adult")
def toxic_trio_all_any_adult(data: YearData) -> pd.DataFrame:
    """Children with all three toxic-trio factors identified in the year (any adult in the
    household)."""
    return _factor_units(data, TOXIC_TRIO_ANY_ADULT, "all")


# -- outcome measures (issue #18): DfE's *Characteristics of children in need* -------------------
#
# Each share's numerator is a subset of its denominator's units, taken from them (``_subset``):
# a unit counted in the numerator has the same area, sex, ethnicity and age as in the
# denominator, so every breakdown's share is of the same units.

#: how far back a previous referral makes a referral a re-referral (DfE: "within 12 months")
RE_REFERRAL_MONTHS = 12
#: an assessment completed within this many working days of its start meets DfE's timescale
ASSESSMENT_WORKING_DAYS = 45
#: a plan that lasted this many years or more (DfE: "two years or more")
LONG_PLAN_YEARS = 2


def _event_id(child: pd.Series, day: pd.Series, *more: pd.Series) -> pd.Series:
    """An event's unit id: the child and the event's dates, ISO-formatted (the same text
    whichever way the date was read)."""
    out = child.astype(str) + "|" + pd.to_datetime(day).dt.strftime("%Y-%m-%d")
    for part in more:
        out = out + "|" + pd.to_datetime(part).dt.strftime("%Y-%m-%d")
    return out


def _referrals(data: YearData) -> pd.DataFrame:
    """Referrals dated in the year, with the child's details and ``event_id``."""
    eps = data.table("cin_episodes")
    eps = eps[dated_in(eps["cin_referral_date"], data.period.start, data.period.end)]
    rows = _with_child(data, eps)
    return rows.assign(event_id=_event_id(rows["la_child_id"], rows["cin_referral_date"]))


def re_referral_ids(referrals: pd.DataFrame, previous: pd.DataFrame) -> pd.Series:
    """Event ids of the ``referrals`` made within 12 months of a previous referral of the same
    child (``previous``: every referral known, this year's and the look-back year's): a
    previous referral dated on or after the same day 12 calendar months before, and before the
    referral itself. A referral exactly 12 months after the previous one is within 12 months.
    DfE, *Characteristics of children in need*, methodology, "Calculating referrals within 12
    months of a previous referral"."""
    prev = previous[["la_child_id", "cin_referral_date"]].dropna().drop_duplicates()
    prev = prev.rename(columns={"cin_referral_date": "previous_date"})
    pairs = referrals[["la_child_id", "cin_referral_date", "event_id"]].merge(
        prev, on="la_child_id"
    )
    day = pd.to_datetime(pairs["cin_referral_date"])
    before = pd.to_datetime(pairs["previous_date"])
    window_start = day - pd.DateOffset(months=RE_REFERRAL_MONTHS)
    hit = (before < day) & (before >= window_start)
    return pairs.loc[hit, "event_id"].drop_duplicates()


@register("cin_re_referrals")
def re_referrals(data: YearData) -> pd.DataFrame:
    """Referrals in the year within 12 months of a previous referral of the same child
    (events, a subset of ``cin_referrals``). Previous referrals are read from this year's
    CIN episodes and the look-back year's (``data.earlier``, the catalogue's ``look_back``):
    a referral early in the year can follow one of the year before."""
    rows = _referrals(data)
    previous = pd.concat(
        [data.table("cin_episodes"), data.earlier_table("cin_episodes")], ignore_index=True
    )
    return subset_units(units_of("cin_referrals", data), re_referral_ids(rows, previous))


def _completed_assessments(data: YearData) -> pd.DataFrame:
    """Assessments authorised (completed) in the year, with the child's details and an event
    id (child, referral date, assessment start date: the table's key). Made once per year's
    data (``data.cache``: two numerators start from it, and formatting the event ids is most
    of its cost); callers must not modify the frame."""
    if "completed_assessments" not in data.cache:
        data.cache["completed_assessments"] = _assessments_completed_in_year(data)
    return data.cache["completed_assessments"]


def _assessments_completed_in_year(data: YearData) -> pd.DataFrame:
    a = data.table("cin_assessments")
    a = a[dated_in(a["assessment_authorisation_date"], data.period.start, data.period.end)]
    rows = _with_child(data, a)
    return rows.assign(
        event_id=_event_id(
            rows["la_child_id"], rows["cin_referral_date"], rows["assessment_actual_start_date"]
        )
    ).sort_values(["assessment_authorisation_date", "event_id"])


@register("assessments_completed")
def assessments_completed(data: YearData) -> pd.DataFrame:
    """Assessments completed (authorised) in the year: events, one per assessment; age at the
    authorisation. DfE counts assessments completed in the year by their authorisation date."""
    rows = _completed_assessments(data)
    return _units(rows, rows["assessment_authorisation_date"], unit_id="event_id")


def within_working_days(rows: pd.DataFrame, limit: int = ASSESSMENT_WORKING_DAYS) -> pd.Series:
    """True where the assessment was authorised within ``limit`` working days of its start:
    working days after AssessmentActualStartDate up to and including
    AssessmentAuthorisationDate (0 when authorised the day it started), weekends and England
    and Wales bank holidays excepted (``working_days``)."""
    days = working_days_after(
        rows["assessment_actual_start_date"], rows["assessment_authorisation_date"]
    )
    return (days <= limit).fillna(False).astype(bool)


@register("assessments_within_45_days")
def assessments_within_45_days(data: YearData) -> pd.DataFrame:
    """Assessments completed in the year within 45 working days of their start (a subset of
    ``assessments_completed``). DfE, *Characteristics of children in need*: duration of
    assessment, in working days from the assessment's start to its authorisation."""
    rows = _completed_assessments(data)
    return subset_units(
        units_of("assessments_completed", data), rows.loc[within_working_days(rows), "event_id"]
    )


def _ended_plans(data: YearData) -> pd.DataFrame:
    plans = data.table("cin_cp_plans")
    plans = plans[dated_in(plans["cpp_end_date"], data.period.start, data.period.end)]
    rows = _with_child(data, plans)
    rows = rows.assign(event_id=_event_id(rows["la_child_id"], rows["cpp_start_date"]))
    return rows.sort_values(["cpp_end_date", "event_id"])


@register("cpp_ended")
def protection_plans_ended(data: YearData) -> pd.DataFrame:
    """Child protection plans that ended in the year: events, one per plan (a child whose two
    plans ended counts twice); age at the end of the plan."""
    rows = _ended_plans(data)
    return _units(rows, rows["cpp_end_date"], unit_id="event_id")


def lasted_two_years(start: pd.Series, end: pd.Series, years: int = LONG_PLAN_YEARS) -> pd.Series:
    """True where a plan ending on ``end`` had lasted ``years`` years or more: the end on or
    after the same calendar day ``years`` years after the start (a plan of exactly two years
    counts; from 29 February, the anniversary is 28 February)."""
    s, e = pd.to_datetime(start), pd.to_datetime(end)
    return (e >= s + pd.DateOffset(years=years)).fillna(False).astype(bool)


@register("cpp_ended_two_years_or_more")
def protection_plans_ended_two_years(data: YearData) -> pd.DataFrame:
    """Plans ended in the year that had lasted two years or more (a subset of ``cpp_ended``).
    DfE, *Characteristics of children in need*: child protection plans ceasing in the year by
    length of time as the subject of a plan, "2 years or more"."""
    rows = _ended_plans(data)
    long = rows.loc[lasted_two_years(rows["cpp_start_date"], rows["cpp_end_date"]), "event_id"]
    return subset_units(units_of("cpp_ended", data), long)


def _started_plans(data: YearData) -> pd.DataFrame:
    plans = data.table("cin_cp_plans")
    plans = plans[dated_in(plans["cpp_start_date"], data.period.start, data.period.end)]
    return _with_child(data, plans).sort_values(["cpp_start_date", "la_child_id"])


@register("cpp_started_children")
def children_starting_a_plan(data: YearData) -> pd.DataFrame:
    """Children who became the subject of a child protection plan in the year (distinct
    children); age at the first plan started in the year."""
    rows = _started_plans(data)
    return _units(rows, rows["cpp_start_date"])


def had_plan_before(started: pd.DataFrame, plans: pd.DataFrame) -> pd.Series:
    """Children of ``started`` (plans started in the year) who had been the subject of a plan
    with this authority before one of them: the plan's NumberOfPreviousCPP is 1 or more (the
    census's count of the child's previous plans with the authority, at any time), or the
    child has a plan starting before it in ``plans`` (a plan earlier in the same year that
    the census's count may not yet hold)."""
    starts = pd.DataFrame(
        {
            "la_child_id": plans["la_child_id"].to_numpy(object),
            "first_start": pd.to_datetime(plans["cpp_start_date"]).to_numpy("datetime64[ns]"),
        }
    )
    first = starts.groupby("la_child_id", as_index=False)["first_start"].min()
    rows = started[["la_child_id", "cpp_start_date", "number_of_previous_cpp"]].merge(
        first, on="la_child_id", how="left"
    )
    previous = pd.to_numeric(rows["number_of_previous_cpp"], errors="coerce").fillna(0) > 0
    later = pd.to_datetime(rows["cpp_start_date"]) > rows["first_start"]
    return rows.loc[previous | later.fillna(False).astype(bool), "la_child_id"].drop_duplicates()


@register("cpp_second_or_subsequent")
def second_or_subsequent_plan(data: YearData) -> pd.DataFrame:
    """Children who became the subject of a plan in the year for a second or subsequent time
    (ever, with this authority): a subset of ``cpp_started_children``, counting children. DfE,
    *Characteristics of children in need*: "second or subsequent plan"."""
    rows = _started_plans(data)
    ids = had_plan_before(rows, data.table("cin_cp_plans"))
    return subset_units(units_of("cpp_started_children", data), ids)


# -- section 47 enquiries and initial child protection conferences (issue #18, point 1) ----------
#
# DfE, *Characteristics of children in need*: "Section 47s in the year" and "ICPCs in the year"
# (tables A2 and C4, Section47 and ICPC, each also per 10,000 children aged under 18), counting
# enquiries and conferences, not children (DfE publishes the children apart: Section47_child,
# ICPC_child). A census holds the enquiries started in the year and those whose conference was
# held in it (DfE rules 8740 and 8715), so an enquiry started in March whose conference is in
# April is in both years' returns: counted as an enquiry in the first by its start date, as a
# conference in the second by the conference's date, never twice as either.


def _enquiry_id(rows: pd.DataFrame) -> pd.Series:
    """An enquiry's unit id: its child, episode (referral date) and start, the table's key."""
    return _event_id(rows["la_child_id"], rows["cin_referral_date"], rows["s_47_actual_start_date"])


@register("s47_enquiries")
def section47_enquiries(data: YearData) -> pd.DataFrame:
    """Section 47 enquiries starting in the year (S47ActualStartDate 1 April to 31 March):
    events, one per enquiry, so a child with two enquiries counts twice; age at the start. DfE,
    *Characteristics of children in need*, "Section 47s in the year"."""
    s47 = data.table("cin_section47")
    s47 = s47[dated_in(s47["s_47_actual_start_date"], data.period.start, data.period.end)]
    rows = _with_child(data, s47)
    rows = rows.assign(event_id=_enquiry_id(rows)).sort_values("event_id")
    return _units(rows, rows["s_47_actual_start_date"], unit_id="event_id")


@register("icpcs_after_s47")
def initial_conferences(data: YearData) -> pd.DataFrame:
    """Initial child protection conferences held in the year following a section 47 enquiry
    (a Section47 group's DateOfInitialCPC 1 April to 31 March, whenever the enquiry started):
    events, one per conference; age at the conference. An enquiry with no conference date,
    whether none was required (ICPCnotRequired) or it is still to be held, counts none. DfE,
    *Characteristics of children in need*, "ICPCs in the year"; a conference recorded on the
    CIN episode rather than in its Section47 group (DfE rule 2884) is not in the extract."""
    s47 = data.table("cin_section47")
    s47 = s47[dated_in(s47["date_of_initial_cpc"], data.period.start, data.period.end)]
    rows = _with_child(data, s47)
    rows = rows.assign(event_id=_enquiry_id(rows)).sort_values("event_id")
    return _units(rows, rows["date_of_initial_cpc"], unit_id="event_id")
