"""Plausibility checks of computed indicators (plain functions; Dagster reports them as WARN
asset checks). Each returns the offending rows: empty means the check passes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tip_pipeline.indicators.catalogue import INDICATORS
from tip_pipeline.indicators.values import CENSUS_BREAKDOWNS, TOTAL

KEYS = ["indicator_id", "area_type", "area_code"]


def implausible_values(values: pd.DataFrame) -> pd.DataFrame:
    """Values outside their possible range: negative, a proportion above its multiplier
    (more than 100%), or limits that do not surround the value."""
    mult = values["indicator_id"].map(lambda i: INDICATORS[i].multiplier).to_numpy(float)
    is_prop = values["indicator_id"].map(lambda i: INDICATORS[i].kind == "proportion").to_numpy()
    v = values["value"].to_numpy(float)
    lo, up = values["lower_ci_95"].to_numpy(float), values["upper_ci_95"].to_numpy(float)
    has = np.isfinite(v)
    eps = 1e-9 * np.maximum(1.0, np.abs(v))
    bad = has & (
        (v < 0) | (is_prop & (v > mult + eps)) | (lo > v + eps) | (up < v - eps) | (lo < -eps)
    )
    return values[bad]


def numerator_above_denominator(values: pd.DataFrame) -> pd.DataFrame:
    """Proportions whose count exceeds their denominator (a rate may)."""
    is_prop = values["indicator_id"].map(lambda i: INDICATORS[i].kind == "proportion")
    den = values["denominator"].astype("Float64")
    return values[(is_prop & den.notna() & (values["numerator"] > den)).fillna(False)]


def breakdowns_not_summing(values: pd.DataFrame) -> pd.DataFrame:
    """Breakdowns whose categories do not sum to the area's total: numerators always,
    denominators where they share the total's base (not the ethnic groups' Census 2021
    denominators). One row per offending (area, breakdown)."""
    total = values[values["breakdown"] == TOTAL].set_index(KEYS)[["numerator", "denominator"]]
    parts = values[values["breakdown"] != TOTAL]
    sums = parts.groupby([*KEYS, "breakdown"])[["numerator", "denominator"]].sum(min_count=1)
    joined = sums.reset_index().merge(
        total.reset_index(), on=KEYS, how="left", suffixes=("", "_total")
    )
    num_bad = joined["numerator"] != joined["numerator_total"]
    has_den = ~joined["breakdown"].isin(CENSUS_BREAKDOWNS)
    den_bad = has_den & (
        joined["denominator"].astype("Float64") != joined["denominator_total"].astype("Float64")
    ).fillna(False)
    return joined[num_bad | den_bad]


def distribution_not_summing(dist: pd.DataFrame) -> pd.DataFrame:
    """Adversity distributions (0, 1, 2, 3, 4+) not adding up to the child population, or with
    a negative 0 row (more children in a domain than the population)."""
    rows = dist[dist["domains"].isin(["0", "1", "2", "3", "4+"])]
    sums = rows.groupby("area_code").agg(children=("children", "sum"), pop=("denominator", "first"))
    negative = set(rows.loc[rows["children"] < 0, "area_code"])
    return sums[(sums["children"] != sums["pop"]) | sums.index.isin(negative)]


def implausible_prevalence(prevalence: pd.DataFrame) -> pd.DataFrame:
    """Prevalence rows with a share outside 0-100% or more children than the population."""
    share = prevalence[["modelled_pct", "recorded_pct"]]
    bad = ((share < 0) | (share > 100)).any(axis=1)
    bad |= prevalence["recorded_children"] > prevalence["population"]
    bad |= prevalence["modelled_children"] > prevalence["population"] + 1e-6
    return prevalence[bad]
