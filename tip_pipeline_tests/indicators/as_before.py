"""Linked adversity's children by their ids and its overlap pair by pair, and modelled
prevalence estimate by estimate, as they were before they were computed over arrays (issue
#21 point 2): the oracle the tests and ``benchmarks/bench_load_year.py`` hold
``adversity.child_domains``, ``adversity.distribution``, ``adversity.overlap`` and
``prevalence.modelled_prevalence`` equal to, row for row and bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators import adversity
from tip_pipeline.indicators.data import YearData, member_of
from tip_pipeline.indicators.linked_services import unlinked_domains
from tip_pipeline.indicators.numerator_registry import UNITS
from tip_pipeline.indicators.people import AGE_BANDS, NOT_RECORDED, age_band
from tip_pipeline.indicators.prevalence import (
    CHILD_AGES,
    LEVELS,
    LOWER,
    MEASURES,
    MODELLED_RANGE,
    SHARE,
    UPPER,
    modelled_shares,
    recorded_by_lsoa,
)
from tip_pipeline.indicators.values import area_names
from tip_pipeline.stats import proportion_ci


def child_domains(data: YearData) -> pd.DataFrame:
    """``adversity.child_domains``: a group-by, ``drop_duplicates`` and a join on the ids."""
    units = adversity.domain_units(data)
    counts = units.groupby("unit_id")["domain"].nunique().rename("domains")
    first = units.drop_duplicates("unit_id", keep="first").set_index("unit_id")
    known = units[units["lsoa"] != UNKNOWN].drop_duplicates("unit_id", keep="first")
    first["lsoa"] = known.set_index("unit_id")["lsoa"].reindex(first.index).fillna(first["lsoa"])
    out = first[[c for c in UNITS if c != "unit_id"]].join(counts).reset_index()
    out["ethnic_group"] = out["ethnic_group"].fillna(NOT_RECORDED)
    return out


def distribution(data: YearData) -> pd.DataFrame:
    """``adversity.distribution``: merges with the lookup and a group-by on the LA codes."""
    kids = child_domains(data).merge(data.areas[["lsoa", "la", "la_name"]], on="lsoa")
    pop = _la_population(data)
    counts = (
        kids.assign(label=distribution_label(kids["domains"]))
        .groupby(["la", "label"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=pop.index, columns=list(adversity.DISTRIBUTION[1:]), fill_value=0)
    )
    counts["0"] = pop - counts.sum(axis=1)
    counts[adversity.TWO_OR_MORE] = counts[["2", "3", "4+"]].sum(axis=1)
    counts = counts[[*adversity.DISTRIBUTION, adversity.TWO_OR_MORE]]
    if data.unlinked:
        counts = counts.iloc[:0]
    long = counts.stack().rename("children").reset_index()
    long.columns = ["area_code", "domains", "children"]
    long["denominator"] = long["area_code"].map(pop).to_numpy()
    est = proportion_ci(long["children"], long["denominator"], 0.95, 100)
    names = data.areas.drop_duplicates("la").set_index("la")["la_name"]
    return long.assign(
        area_name=long["area_code"].map(names),
        share_pct=est.value,
        lower_pct=est.lower,
        upper_pct=est.upper,
        children=long["children"].astype("int64"),
        denominator=long["denominator"].astype("int64"),
    )


def distribution_label(domains: pd.Series) -> pd.Series:
    """``adversity.distribution_label``: 1, 2, 3 and 4+ as published."""
    return domains.clip(upper=4).astype(int).astype(str).replace({"4": "4+"})


def _la_population(data: YearData) -> pd.Series:
    """``adversity._la_population``: a merge with the lookup and a group-by on the LA."""
    pop = data.population.merge(data.areas[["lsoa", "la"]], on="lsoa")
    pop = pop[pop["age"].between(*adversity.CHILD_AGES)]
    return pop.groupby("la")["population"].sum()


def overlap(data: YearData) -> pd.DataFrame:
    """``adversity.overlap``: one filter, membership test and group-by per pair of domains."""
    units = adversity.domain_units(data).merge(data.areas[["lsoa", "la"]], on="lsoa")
    rows = []
    members = {d: set(units.loc[units["domain"] == d, "unit_id"]) for d in adversity.DOMAINS}
    unlinked = unlinked_domains(data.unlinked)
    for base, (_, b_low, b_high) in adversity.DOMAINS.items():
        for other, (_, o_low, o_high) in adversity.DOMAINS.items():
            if base == other or {base, other} & unlinked:
                continue
            low, high = max(b_low, o_low), min(b_high, o_high)
            base_units = units[(units["domain"] == base) & units["age"].between(low, high)]
            both = member_of(base_units["unit_id"], members[other])
            grouped = base_units.assign(both=both).groupby("la")["both"].agg(["size", "sum"])
            for la, (size, total) in grouped.iterrows():
                rows.append((la, base, other, f"{low}-{high}", int(size), int(total)))
    frame = pd.DataFrame(
        rows,
        columns=[
            "area_code",
            "base_domain",
            "other_domain",
            "age_range",
            "base_children",
            "both_children",
        ],
    )
    est = proportion_ci(frame["both_children"], frame["base_children"], 0.95, 100)
    return frame.assign(share_pct=est.value, lower_pct=est.lower, upper_pct=est.upper)


def modelled_by_lsoa(data: YearData, column: str = SHARE) -> pd.DataFrame:
    """``prevalence.modelled_by_lsoa`` of one estimate, the population grouped for it."""
    pop = data.population
    pop = pop[pop["age"].between(*CHILD_AGES)].assign(age_band=lambda p: age_band(p["age"]))
    pop = pop.groupby(["lsoa", "age_band"], as_index=False)["population"].sum()
    pop = pop.merge(data.areas[["lsoa", "imd_quintile"]], on="lsoa")
    pop["imd_quintile"] = pop["imd_quintile"].astype(int)
    shares = modelled_shares(data.table("ref_modelled_rates"), column)
    joined = pop.merge(shares, on=["age_band", "imd_quintile"], how="left")
    missing = joined[list(MEASURES)].isna().any(axis=1) & (joined["population"] > 0)
    if missing.any():
        bands = sorted(set(joined.loc[missing, "age_band"]) - set(AGE_BANDS)) or "some"
        raise ValueError(f"ref_modelled_rates has no rate for {bands} age band/quintile")
    expected = joined[list(MEASURES)].mul(joined["population"], axis=0)
    expected["lsoa"], expected["population"] = joined["lsoa"], joined["population"]
    return expected.groupby("lsoa", as_index=False)[[*MEASURES, "population"]].sum()


def modelled_prevalence(data: YearData) -> pd.DataFrame:
    """``prevalence.modelled_prevalence``: each estimate grouped and merged on its own, each
    level's measures a frame of their own."""
    model = modelled_by_lsoa(data)
    for column, suffix in ((LOWER, "_low"), (UPPER, "_high")):
        end = modelled_by_lsoa(data, column).drop(columns="population")
        model = model.merge(end.add_suffix(suffix).rename(columns={f"lsoa{suffix}": "lsoa"}))
    recorded = recorded_by_lsoa(data)
    base = model.merge(recorded, on="lsoa", how="outer", suffixes=("", "_rec"))
    modelled = [c for c in model.columns if c != "lsoa"]
    base[modelled] = base[modelled].fillna(0)
    base = base.merge(data.areas[["lsoa", "ward", "la"]], on="lsoa")
    names = area_names(data)
    parts = []
    for level in LEVELS:
        rows = base[base["lsoa"] != UNKNOWN] if level != "la" else base
        summed = rows.groupby(level).sum(numeric_only=True)
        for measure in MEASURES:
            parts.append(
                pd.DataFrame(
                    {
                        "area_type": level,
                        "area_code": summed.index.to_numpy(),
                        "measure": measure,
                        "population": summed["population"].to_numpy(np.int64),
                        "modelled_children": summed[measure].to_numpy(float),
                        "modelled_children_low": summed[f"{measure}_low"].to_numpy(float),
                        "modelled_children_high": summed[f"{measure}_high"].to_numpy(float),
                        "recorded_children": summed[f"{measure}_rec"].fillna(0).to_numpy(np.int64),
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
