"""Modelled and recorded prevalence of the toxic trio, and the seed's Prevalence slide.

Modelled (docs/CONVENTIONS.md, "Modelled and recorded prevalence"): ref_modelled_rates gives, for
each DfE age band and national IMD quintile, the share of children living with each of the
eight combinations of the three factors. Applied to the population (children 0-17 by LSOA and
age band; the LSOA's quintile), it gives the expected number with each factor, with any (one
minus the share with none) and with all three -- one joint distribution, no independence
assumed. Summed from LSOA to ward and LA.

Recorded: children with the factor identified at an assessment completed in the year, on the
definition matched to the model (any adult in the household: TOXIC_TRIO_ANY_ADULT, numerators
``*_any_adult``). The identification gap is modelled minus recorded.

Modelled range: the rates file carries the source's lower and upper estimates beside the
central one (``share_lower``, ``share_upper``, each a joint distribution). Applied to the same
population they give the modelled children's range at LSOA, ward and LA, and the gap's range
(lower modelled minus recorded to upper modelled minus recorded). It is labelled "modelled
range" (``MODELLED_RANGE``): the spread of the source's estimates, not a confidence interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline.indicators.people import AGE_BANDS, age_band
from tip_pipeline.indicators.values import area_names, in_ages
from tip_pipeline.sources.contracts import MODELLED_FACTORS
from tip_pipeline.stats import proportion_ci

CHILD_AGES = (0, 17)
ANY, ALL3 = "toxic_trio_any", "toxic_trio_all"
MEASURES = (*MODELLED_FACTORS, ANY, ALL3)
#: modelled measure -> the recorded numerator on the matched (any-adult) definition
RECORDED_NUMERATOR = {
    **{f: f"factor_{f}_any_adult" for f in MODELLED_FACTORS},
    ANY: "toxic_trio_any_any_adult",
    ALL3: "toxic_trio_all_any_adult",
}
LEVELS = ("lsoa", "ward", "la")
#: the central estimate's column and its range's, in ref_modelled_rates
SHARE, LOWER, UPPER = "share", "share_lower", "share_upper"
#: how a modelled range is labelled wherever it is published or shown
MODELLED_RANGE = "modelled range"


def modelled_shares(rates: pd.DataFrame, column: str = SHARE) -> pd.DataFrame:
    """Per (age_band, imd_quintile): the share of children with each factor, any, all three,
    in the estimate of ``column`` (central, lower or upper)."""
    r = rates.assign(
        imd_quintile=pd.to_numeric(rates["imd_quintile"]).astype(int),
        share=pd.to_numeric(rates[column]),
        **{f: pd.to_numeric(rates[f]).astype(int) for f in MODELLED_FACTORS},
    )
    flags = r[list(MODELLED_FACTORS)]
    r = r.assign(
        **{f: r["share"] * flags[f] for f in MODELLED_FACTORS},
        **{ANY: r["share"] * (flags.sum(axis=1) > 0), ALL3: r["share"] * (flags.sum(axis=1) == 3)},
    )
    return r.groupby(["age_band", "imd_quintile"], as_index=False)[list(MEASURES)].sum()


def modelled_by_lsoa(data: YearData, column: str = SHARE) -> pd.DataFrame:
    """Expected children with each measure, and the child population, per LSOA, in the
    estimate of ``column``."""
    return _modelled_by_lsoa(data, ((column, ""),))


def _modelled_by_lsoa(data: YearData, estimates: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Expected children with each measure per LSOA in each of ``estimates`` (rates column,
    suffix of its measures' columns), and the child population: the population grouped by
    LSOA and age band once, and every estimate's expectations summed to LSOAs in one group-by
    (each column's sum over the same rows in the same order as one estimate alone)."""
    pop = data.population
    pop = pop[pop["age"].between(*CHILD_AGES)].assign(age_band=lambda p: age_band(p["age"]))
    pop = pop.groupby(["lsoa", "age_band"], as_index=False)["population"].sum()
    pop = pop.merge(data.areas[["lsoa", "imd_quintile"]], on="lsoa")
    pop["imd_quintile"] = pop["imd_quintile"].astype(int)
    rates = data.table("ref_modelled_rates")
    expected = pd.concat(
        [_expected(pop, rates, column).add_suffix(suffix) for column, suffix in estimates], axis=1
    )
    expected["lsoa"], expected["population"] = pop["lsoa"], pop["population"]
    columns = [c for c in expected.columns if c != "lsoa"]
    return expected.groupby("lsoa", as_index=False)[columns].sum()


def _expected(pop: pd.DataFrame, rates: pd.DataFrame, column: str) -> pd.DataFrame:
    """Expected children with each measure per row of ``pop`` (LSOA x age band, with its IMD
    quintile), in the estimate of ``column``; an error where a populated row has no rate."""
    shares = modelled_shares(rates, column)
    joined = pop.merge(shares, on=["age_band", "imd_quintile"], how="left")
    missing = joined[list(MEASURES)].isna().any(axis=1) & (joined["population"] > 0)
    if missing.any():
        bands = sorted(set(joined.loc[missing, "age_band"]) - set(AGE_BANDS)) or "some"
        raise ValueError(f"ref_modelled_rates has no rate for {bands} age band/quintile")
    return joined[list(MEASURES)].mul(joined["population"], axis=0)


def recorded_by_lsoa(data: YearData) -> pd.DataFrame:
    """Recorded children (any-adult definition, aged 0-17) with each measure, per LSOA."""
    cols = {}
    for measure, numerator_name in RECORDED_NUMERATOR.items():
        units = in_ages(units_of(numerator_name, data), CHILD_AGES)
        cols[measure] = units.groupby("lsoa").size()
    return pd.DataFrame(cols).fillna(0).astype("int64").rename_axis("lsoa").reset_index()


def modelled_prevalence(data: YearData) -> pd.DataFrame:
    """Modelled (with its range) and recorded children per measure by LSOA, ward and LA, with
    the gap and the gap's range."""
    model = _modelled_by_lsoa(data, ((SHARE, ""), (LOWER, "_low"), (UPPER, "_high")))
    recorded = recorded_by_lsoa(data)
    # outer: children of unknown home area are recorded in no LSOA of the model, but count in
    # their LA; the unknown ward has no population and nothing modelled, so it has no row
    base = model.merge(recorded, on="lsoa", how="outer", suffixes=("", "_rec"))
    modelled = [c for c in model.columns if c != "lsoa"]
    base[modelled] = base[modelled].fillna(0)
    base = base.merge(data.areas[["lsoa", "ward", "la"]], on="lsoa")
    names = area_names(data)
    parts = []
    for level in LEVELS:  # each level one group-by; its measures' rows side by side
        rows = base[base["lsoa"] != UNKNOWN] if level != "la" else base
        summed = rows.groupby(level).sum(numeric_only=True)
        n = len(summed)

        def by_measure(suffix: str, dtype: type, summed: pd.DataFrame = summed) -> np.ndarray:
            """The measures' columns ``<measure><suffix>``, one after another."""
            block = summed[[f"{m}{suffix}" for m in MEASURES]]
            return (block.fillna(0) if suffix == "_rec" else block).to_numpy(dtype).T.ravel()

        parts.append(
            pd.DataFrame(
                {
                    "area_type": level,
                    "area_code": np.tile(summed.index.to_numpy(), len(MEASURES)),
                    "measure": np.repeat(np.array(MEASURES, dtype=object), n),
                    "population": np.tile(summed["population"].to_numpy(np.int64), len(MEASURES)),
                    "modelled_children": by_measure("", float),
                    "modelled_children_low": by_measure("_low", float),
                    "modelled_children_high": by_measure("_high", float),
                    "recorded_children": by_measure("_rec", np.int64),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    pop = out["population"].to_numpy(float)
    rec = proportion_ci(out["recorded_children"], pop, 0.95, 100)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = {
            f"modelled{end}_pct": np.where(
                pop > 0, out[f"modelled_children{end}"] / pop * 100, np.nan
            )
            for end in ("", "_low", "_high")
        }
        identified = np.where(
            out["modelled_children"] > 0,
            out["recorded_children"] / out["modelled_children"] * 100,
            np.nan,
        )
    recorded_children = out["recorded_children"]
    return out.assign(
        period=data.period.label,
        area_name=out["area_code"].map(names),
        modelled_pct=pct["modelled_pct"],
        modelled_low_pct=pct["modelled_low_pct"],
        modelled_high_pct=pct["modelled_high_pct"],
        recorded_pct=rec.value,
        recorded_lower_pct=rec.lower,
        recorded_upper_pct=rec.upper,
        identified_pct=identified,
        gap_children=out["modelled_children"] - recorded_children,
        gap_children_low=out["modelled_children_low"] - recorded_children,
        gap_children_high=out["modelled_children_high"] - recorded_children,
        range_kind=MODELLED_RANGE,
    )


#: the seed's Prevalence slide, in its order: measure, wording, modelled?, recorded numerator
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
SERVICE_NUMERATOR = {
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
            ends = (m["modelled_children_low"], m["modelled_children_high"])
            rows.append(_rows(m["modelled_children"], pop, measure, "modelled", label, order, ends))
            rows.append(_rows(m["recorded_children"], pop, measure, "recorded", label, order))
        else:
            numerator_name, ages = SERVICE_NUMERATOR[measure]
            units = in_ages(units_of(numerator_name, data), ages).merge(
                data.areas[["lsoa", "la"]], on="lsoa"
            )
            counts = units.groupby("la").size().reindex(pop.index, fill_value=0)
            rows.append(_rows(counts, pop, measure, "recorded", label, order))
    out = pd.concat(rows, ignore_index=True)
    return out.assign(period=data.period.label, area_name=out["area_code"].map(names))


def _rows(
    children: pd.Series,
    pop: pd.Series,
    measure: str,
    basis: str,
    label: str,
    order: int,
    modelled_range: tuple[pd.Series, pd.Series] | None = None,
) -> pd.DataFrame:
    """One slide row per LA: recorded counts with Wilson limits; modelled expectations with
    no sampling limits but the source's modelled range (children and percent)."""
    children = children.reindex(pop.index).fillna(0).astype(float)
    n = pop.to_numpy(float)
    low = high = np.full(len(n), np.nan)
    if modelled_range is not None:
        low, high = (s.reindex(pop.index).astype(float).to_numpy() for s in modelled_range)
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
            "range_low_children": low,
            "range_high_children": high,
            "range_low_pct": np.where(n > 0, low / n * 100, np.nan),
            "range_high_pct": np.where(n > 0, high / n * 100, np.nan),
            "range_kind": MODELLED_RANGE if modelled_range is not None else None,
        }
    )
