"""Independent pandas re-computation of indicators from the written files (test helper)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tip_pipeline.periods import FinancialYear


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / name, dtype=str, keep_default_na=False)


def population(out: Path, fy: FinancialYear) -> pd.DataFrame:
    pop = read(out, f"ref_population_mid{fy.population_mid_year}.csv")
    ages = [f"{s}{a}" for s in "FM" for a in range(18)]
    pop["children"] = pop[ages].astype(int).sum(axis=1)
    teen = [f"{s}{a}" for s in "FM" for a in range(10, 18)]
    pop["youths"] = pop[teen].astype(int).sum(axis=1)
    return pop


def snapshot(start: pd.Series, end: pd.Series, day: str) -> pd.Series:
    """Open on ``day``: start <= day and (no end or end > day) — DfE convention."""
    return (start <= day) & ((end == "") | (end > day))


def lac_31mar(out: Path, fy: FinancialYear) -> pd.Series:
    """Children looked after on 31 March, excluding those whose only legal status is V3/V4."""
    e = read(out, f"ssda903_episodes_{fy.tag}.csv")
    d = fy.end.isoformat()
    on = e[snapshot(e["DECOM"], e["DEC"], d) & ~e["LS"].isin(["V3", "V4"])]
    return on.drop_duplicates("CHILD").set_index("CHILD")["HOME_POST"]


def cin_31mar(out: Path, fy: FinancialYear) -> pd.Series:
    e = read(out, f"cin_episodes_{fy.tag}.csv")
    ids = e.loc[
        snapshot(e["CINreferralDate"], e["CINclosureDate"], fy.end.isoformat()), "LAchildID"
    ].unique()
    return pd.Series(ids)


def cpp_31mar(out: Path, fy: FinancialYear) -> pd.Series:
    p = read(out, f"cin_cp_plans_{fy.tag}.csv")
    return pd.Series(
        p.loc[
            snapshot(p["CPPstartDate"], p["CPPendDate"], fy.end.isoformat()), "LAchildID"
        ].unique()
    )


def referrals(out: Path, fy: FinancialYear) -> int:
    e = read(out, f"cin_episodes_{fy.tag}.csv")
    return int(e["CINreferralDate"].between(fy.start.isoformat(), fy.end.isoformat()).sum())


def yj_children(out: Path, fy: FinancialYear) -> pd.Series:
    o = read(out, f"yjs_offences_{fy.tag}.csv")
    return o.drop_duplicates("YJ_ID").set_index("YJ_ID")["HOME_LSOA"]


def homeless_children(out: Path, fy: FinancialYear) -> set[str]:
    kids: set[str] = set()
    for q in (1, 2, 3, 4):
        m = read(out, f"hclic_main_{fy.tag}_Q{q}.csv")
        c = read(out, f"hclic_children_{fy.tag}_Q{q}.csv")
        owed = m.loc[m["INITIAL_DUTY"].isin(["PREV", "RELIEF"]), "CASE_ID"]
        kids |= set(c.loc[c["CASE_ID"].isin(owed), "CHILD_ID"])
    return kids


def recorded_factor(out: Path, fy: FinancialYear, factors: tuple[str, ...]) -> int:
    """Children with a factor identified at an assessment authorised in the year."""
    a = read(out, f"cin_assessments_{fy.tag}.csv")
    a = a[a["AssessmentAuthorisationDate"].between(fy.start.isoformat(), fy.end.isoformat())]
    has = a["AssessmentFactors"].str.split(",").apply(lambda f: bool(set(f) & set(factors)))
    return a.loc[has, "LAchildID"].nunique()


def decile_rates(out: Path, fy: FinancialYear, lsoa_of_child: pd.Series) -> pd.Series:
    """Rate per child 0-17 by national IMD decile of the child's home LSOA."""
    pop = population(out, fy)
    imd = read(out, "ref_imd_2025.csv")
    dec_col = next(c for c in imd.columns if "Decile" in c)
    decile = imd.set_index("LSOA code (2021)")[dec_col].astype(int)
    den = pop.groupby(pop["LSOA 2021 Code"].map(decile))["children"].sum()
    num = lsoa_of_child.map(decile).value_counts()
    return (num.reindex(den.index, fill_value=0) / den).sort_index()
