"""Modelled and recorded prevalence of the toxic trio, and the seed's Prevalence slide.

Modelled (docs/CONVENTIONS.md, "Modelled and recorded prevalence"): ref_modelled_rates gives, for
each DfE age band and national IMD quintile, the share of children living with each of the
eight combinations of the three factors. Applied to the population (children 0-17 by LSOA and
age band; the LSOA's quintile), it gives the expected number with each factor, with any (one
minus the share with none) and with all three -- one joint distribution, no independence
assumed. Summed from LSOA to ward and LA.

Recorded: children with the factor identified at an assessment completed in the year, on the
definition matched to the model (any adult in the household: TOXIC_TRIO_ANY_ADULT, rules
``*_any_adult``). The identification gap is modelled minus recorded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.people import AGE_BANDS, age_band
from tip_pipeline.indicators.rules import units_of
from tip_pipeline.indicators.values import area_names, in_ages
from tip_pipeline.sources.contracts import MODELLED_FACTORS
from tip_pipeline.stats import proportion_ci

CHILD_AGES = (0, 17)
ANY, ALL3 = "toxic_trio_any", "toxic_trio_all"
MEASURES = (*MODELLED_FACTORS, ANY, ALL3)
#: modelled measure -> the recorded rule on the matched (any-adult) definition
RECORDED_RULE = {
    **{f: f"factor_{f}_any_adult" for f in MODELLED_FACTORS},
    ANY: "toxic_trio_any_any_adult",
    ALL3: "toxic_trio_all_any_adult",
}
LEVELS = ("lsoa", "ward", "la")


def modelled_shares(rates: pd.DataFrame) -> pd.DataFrame:
    """Per (age_band, imd_quintile): the share of children with each factor, any, all three."""
    r = rates.assign(
        imd_quintile=pd.to_numeric(rates["imd_quintile"]).astype(int),
        share=pd.to_numeric(rates["share"]),
        **{f: pd.to_numeric(rates[f]).astype(int) for f in MODELLED_FACTORS},
    )
    flags = r[list(MODELLED_FACTORS)]
    r = r.assign(
        **{f: r["share"] * flags[f] for f in MODELLED_FACTORS},
        **{ANY: r["share"] * (flags.sum(axis=1) > 0), ALL3: r["share"] * (flags.sum(axis=1) == 3)},
    )
    return r.groupby(["age_band", "imd_quintile"], as_index=False)[list(MEASURES)].sum()


def modelled_by_lsoa(data: YearData) -> pd.DataFrame:
    """Expected children with each measure, and the child population, per LSOA."""
    pop = data.population
    pop = pop[pop["age"].between(*CHILD_AGES)].assign(age_band=lambda p: age_band(p["age"]))
    pop = pop.groupby(["lsoa", "age_band"], as_index=False)["population"].sum()
    pop = pop.merge(data.areas[["lsoa", "imd_quintile"]], on="lsoa")
    pop["imd_quintile"] = pop["imd_quintile"].astype(int)
    shares = modelled_shares(data.table("ref_modelled_rates"))
    joined = pop.merge(shares, on=["age_band", "imd_quintile"], how="left")
    missing = joined[list(MEASURES)].isna().any(axis=1) & (joined["population"] > 0)
    if missing.any():
        bands = sorted(set(joined.loc[missing, "age_band"]) - set(AGE_BANDS)) or "some"
        raise ValueError(f"ref_modelled_rates has no rate for {bands} age band/quintile")
    expected = joined[list(MEASURES)].mul(joined["population"], axis=0)
    expected["lsoa"], expected["population"] = joined["lsoa"], joined["population"]
    return expected.groupby("lsoa", as_index=False)[[*MEASURES, "population"]].sum()


def recorded_by_lsoa(data: YearData) -> pd.DataFrame:
    """Recorded children (any-adult definition, aged 0-17) with each measure, per LSOA."""
    cols = {}
    for measure, rule_name in RECORDED_RULE.items():
        units = in_ages(units_of(rule_name, data), CHILD_AGES)
        cols[measure] = units.groupby("lsoa").size()
    return pd.DataFrame(cols).fillna(0).astype("int64").rename_axis("lsoa").reset_index()


def modelled_prevalence(data: YearData) -> pd.DataFrame:
    """Modelled and recorded children per measure by LSOA, ward and LA, with the gap."""
    model = modelled_by_lsoa(data)
    recorded = recorded_by_lsoa(data)
    base = model.merge(recorded, on="lsoa", how="left", suffixes=("", "_rec"))
    base = base.merge(data.areas[["lsoa", "ward", "la"]], on="lsoa")
    names = area_names(data)
    parts = []
    for level in LEVELS:
        summed = base.groupby(level).sum(numeric_only=True)
        for measure in MEASURES:
            parts.append(
                pd.DataFrame(
                    {
                        "area_type": level,
                        "area_code": summed.index.to_numpy(),
                        "measure": measure,
                        "population": summed["population"].to_numpy(np.int64),
                        "modelled_children": summed[measure].to_numpy(float),
                        "recorded_children": summed[f"{measure}_rec"].fillna(0).to_numpy(np.int64),
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True)
    pop = out["population"].to_numpy(float)
    rec = proportion_ci(out["recorded_children"], pop, 0.95, 100)
    with np.errstate(divide="ignore", invalid="ignore"):
        modelled_pct = np.where(pop > 0, out["modelled_children"] / pop * 100, np.nan)
        identified = np.where(
            out["modelled_children"] > 0,
            out["recorded_children"] / out["modelled_children"] * 100,
            np.nan,
        )
    return out.assign(
        period=data.period.label,
        area_name=out["area_code"].map(names),
        modelled_pct=modelled_pct,
        recorded_pct=rec.value,
        recorded_lower_pct=rec.lower,
        recorded_upper_pct=rec.upper,
        identified_pct=identified,
        gap_children=out["modelled_children"] - out["recorded_children"],
    )


#: the seed's Prevalence slide, in its order: measure, wording, modelled?, recorded rule
SLIDE = (
    (ANY, "live in households with any of the 'toxic trio'", True),
    ("domestic_abuse", "live in a household with domestic violence", True),
    ("parental_substance_misuse", "live in a household with parental drug and alcohol abuse", True),
    ("parental_mental_health", "live in a household with parental mental health issues", True),
    (ALL3, "live in households with all three of the toxic trio", True),
    ("looked_after", "are looked after (in care)", False),
    ("youth_justice", "are involved with the Youth Justice Service", False),
    ("homelessness", "are at risk of homelessness", False),
)
SERVICE_RULE = {
    "looked_after": ("cla_31mar", (0, 17)),
    "youth_justice": ("yj_outcome", (10, 17)),
    "homelessness": ("homeless_children", (0, 17)),
}


def prevalence_summary(data: YearData, modelled: pd.DataFrame) -> pd.DataFrame:
    """Per LA: every row of the slide as children and percent of all children aged 0-17;
    modelled rows with their recorded counterpart (matched definition) beside them."""
    la = modelled[modelled["area_type"] == "la"]
    pop = la.drop_duplicates("area_code").set_index("area_code")["population"]
    names = la.drop_duplicates("area_code").set_index("area_code")["area_name"]
    rows = []
    for order, (measure, label, is_modelled) in enumerate(SLIDE, start=1):
        if is_modelled:
            m = la[la["measure"] == measure].set_index("area_code")
            rows.append(_rows(m["modelled_children"], pop, measure, "modelled", label, order))
            rows.append(_rows(m["recorded_children"], pop, measure, "recorded", label, order))
        else:
            rule_name, ages = SERVICE_RULE[measure]
            units = in_ages(units_of(rule_name, data), ages).merge(
                data.areas[["lsoa", "la"]], on="lsoa"
            )
            counts = units.groupby("la").size().reindex(pop.index, fill_value=0)
            rows.append(_rows(counts, pop, measure, "recorded", label, order))
    out = pd.concat(rows, ignore_index=True)
    return out.assign(period=data.period.label, area_name=out["area_code"].map(names))


def _rows(
    children: pd.Series, pop: pd.Series, measure: str, basis: str, label: str, order: int
) -> pd.DataFrame:
    children = children.reindex(pop.index).fillna(0).astype(float)
    n = pop.to_numpy(float)
    if basis == "recorded":
        est = proportion_ci(children.to_numpy(), n, 0.95, 100)
        share, lower, upper = est.value, est.lower, est.upper
    else:  # a modelled expectation has no sampling limits here
        share = np.where(n > 0, children.to_numpy() / n * 100, np.nan)
        lower = upper = np.full(len(n), np.nan)
    return pd.DataFrame(
        {
            "area_code": pop.index.to_numpy(),
            "measure": measure,
            "basis": basis,
            "children": children.to_numpy(),
            "share_pct": share,
            "lower_pct": lower,
            "upper_pct": upper,
            "measure_label": label,
            "slide_order": order,
            "denominator": pop.to_numpy(np.int64),
        }
    )
