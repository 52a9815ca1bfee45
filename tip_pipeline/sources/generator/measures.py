"""Service measures counted from the simulated truth, per LSOA and reporting year; used for the
benchmark file (DfE/OHID-style releases) so that benchmarks agree with the generated data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import timeline
from tip_pipeline.sources.generator.care import Care
from tip_pipeline.sources.generator.cin import Cin
from tip_pipeline.sources.generator.config import Window
from tip_pipeline.sources.generator.homelessness import Hclic
from tip_pipeline.sources.generator.population import Universe

#: measure id -> (description, multiplier, denominator ages): the contract's rates per child
#: population (the outcome measures are modelled apart, ``outcome_benchmarks``)
MEASURES = codes.POPULATION_BENCHMARK_MEASURES


def _per_lsoa(uni: Universe, children: np.ndarray, n_lsoa: int, distinct: bool) -> np.ndarray:
    kids = np.unique(children) if distinct else np.asarray(children)
    return np.bincount(uni.lsoa[kids], minlength=n_lsoa)


def counts(
    uni: Universe, win: Window, care: Care, cin: Cin, off: pd.DataFrame, h: Hclic, n_lsoa: int
) -> dict[str, np.ndarray]:
    """measure -> array (years, n_lsoa) of numerators by the child's home LSOA."""
    out = {m: np.zeros((len(win.years), n_lsoa), dtype=np.int64) for m in MEASURES}
    a = cin.assessments
    fte = off[off["outcome"].isin(codes.OUTCOME_FIRST_TIME_ENTRANT)]
    first_fte = fte.groupby("child")["outcome_day"].min()
    for i, fy in enumerate(win.years):
        y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
        p, e, c = care.periods, cin.episodes, cin.plans
        rows = {
            "cla_31mar": (p.loc[(p["start"] <= y1) & (p["end"] > y1), "child"], True),
            "cin_31mar": (e.loc[(e["ref"] <= y1) & (e["close"] > y1), "child"], True),
            "cpp_31mar": (c.loc[(c["start"] <= y1) & (c["end"] > y1), "child"], True),
            "yj_outcome": (off.loc[off["outcome_day"].between(y0, y1), "child"], True),
            "yj_first_time_entrants": (first_fte.index[first_fte.between(y0, y1)], True),
        }
        done = a[a["auth"].between(y0, y1)]
        for factor, factor_codes in codes.TOXIC_TRIO_RECORDED.items():
            pattern = "(?:^|,)(?:" + "|".join(factor_codes) + ")(?:,|$)"
            rows[f"factor_{factor}"] = (
                done.loc[done["factors"].str.contains(pattern), "child"],
                True,
            )
        for m, (kids, distinct) in rows.items():
            out[m][i] = _per_lsoa(uni, np.asarray(kids, dtype=np.int64), n_lsoa, distinct)
        owed = h.cases[h.cases["duty"].isin(codes.DUTY_OWED)]
        open_ = owed[(owed["app"] <= y1) & (owed["end"] >= y0)]
        kids = h.children.loc[h.children["case_id"].isin(open_["case_id"]), "child"]
        out["homeless_children"][i] = _per_lsoa(uni, kids.to_numpy(np.int64), n_lsoa, True)
    return out
