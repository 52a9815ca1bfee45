"""Children in Need census: in need and on a child protection plan at 31 March, referrals, and
toxic-trio factors identified at assessments completed in the year.

Area, sex, ethnicity and date of birth are the child's (cin_children, home LSOA).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.numerator_registry import make_units, register
from tip_pipeline.indicators.people import (
    age_at,
    dated_in,
    ethnic_group,
    harmonise_sex,
    has_any_code,
    open_on,
    overlaps,
)
from tip_pipeline.sources.codes import TOXIC_TRIO_ANY_ADULT, TOXIC_TRIO_RECORDED


def _with_child(data: YearData, rows: pd.DataFrame) -> pd.DataFrame:
    children = data.table("cin_children").drop_duplicates("la_child_id")
    cols = ["la_child_id", "person_birth_date", "sex", "ethnicity", "home_lsoa"]
    return rows.merge(children[cols], on="la_child_id", how="inner")


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
    recorded at the end of assessment (docs/DOMAIN.md). Columns la_child_id, factor, date."""
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
