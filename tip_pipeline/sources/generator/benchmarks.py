"""The benchmark file (England, regions, local authorities), one per reporting year.

Every file carries England, every region and every one of the 153 local authorities, at every
scale, as DfE's and OHID's national releases do: LAIT-style benchmarking (an authority's rank
among England's and its neighbours' published values, its quartile band, its quintile) needs
every authority's value (``tip_pipeline.publish.benchmarking``).

Populated LAs use their actual generated counts. At single-LA scales the other LAs are not
simulated child by child: their numerators apply the target LA's own rates by national IMD
decile (shrunk towards the LA's overall rate where a decile is thin) to each LA's child
population by decile, times an LA-specific factor (log-normal, sd 0.12) for local practice, so
that benchmarks are consistent with the generator's own model and with the LA's data.

The outcome measures (shares of service units, and the section 47 rates) are modelled around
DfE's published England figures (``outcome_benchmarks``), each from a random stream of its
own: the rates per child population above draw from ``rng`` alone, as they did before the
outcome measures were added, so their figures are unchanged by them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.generator import outcome_benchmarks
from tip_pipeline.sources.generator.config import ENGLAND_CODE, ENGLAND_NAME, Window
from tip_pipeline.sources.generator.geography import Geography
from tip_pipeline.sources.generator.measures import MEASURES

_LEVEL_ORDER = {"National": 0, "Regional": 1, "Local authority": 2}
_SHRINK = 3000.0  # children: weight of the LA's overall rate in a decile's rate


def _decile_rates(num: np.ndarray, den: np.ndarray, decile: np.ndarray) -> np.ndarray:
    n_d = np.bincount(decile - 1, weights=num, minlength=10)
    p_d = np.bincount(decile - 1, weights=den, minlength=10)
    overall = num.sum() / max(den.sum(), 1)
    return (n_d + _SHRINK * overall) / (p_d + _SHRINK)


def build(
    geo: Geography,
    win: Window,
    numerators: dict[str, np.ndarray],  # measure -> (years, n_lsoa) actual, zero if unpopulated
    children: np.ndarray,  # (years, n_lsoa) children 0-17, actual where populated
    youths: np.ndarray,  # (years, n_lsoa) children 10-17
    rng: np.random.Generator,
    seed: int,
    outcomes: Mapping[str, outcome_benchmarks.Model] = outcome_benchmarks.MODELS,
) -> dict[str, pd.DataFrame]:
    """Each year's benchmark file: the rates per child population (``MEASURES``, drawn from
    ``rng``) and the outcome measures (``outcomes``, each from its own stream of ``seed``)."""
    outcome_counts = outcome_benchmarks.build(geo, win, children, seed, outcomes)
    n_las = len(geo.las)
    populated = geo.las["populated"].to_numpy()
    lsoa_pop = populated[geo.lsoa_la]
    factors = np.exp(rng.normal(0, 0.12, (len(MEASURES), n_las)))
    tgt_lsoa = geo.lsoa_la == geo.target
    out = {}
    for i, fy in enumerate(win.years):
        rows = []
        for m_i, (measure, (_, mult, ages)) in enumerate(MEASURES.items()):
            den_lsoa = (children if ages == "0-17" else youths)[i]
            num = numerators[measure][i].astype(float)
            rates = _decile_rates(num[tgt_lsoa], den_lsoa[tgt_lsoa], geo.decile[tgt_lsoa])
            modelled = den_lsoa * rates[geo.decile - 1] * factors[m_i, geo.lsoa_la]
            la_num_model = np.bincount(geo.lsoa_la, weights=modelled, minlength=n_las)
            la_num_model = rng.poisson(la_num_model)
            la_num = np.bincount(geo.lsoa_la, weights=np.where(lsoa_pop, num, 0), minlength=n_las)
            la_num = np.where(populated, la_num, la_num_model).astype(np.int64)
            la_den = np.bincount(geo.lsoa_la, weights=den_lsoa, minlength=n_las).astype(np.int64)
            rows += _rows(geo, fy, measure, mult, la_num, la_den)
        for measure, (mult, nums, dens) in outcome_counts.items():
            rows += _rows(geo, fy, measure, mult, nums[i], dens[i])
        cols = [
            "time_period",
            "time_identifier",
            "geographic_level",
            "area_code",
            "area_name",
            "measure",
            "numerator",
            "denominator",
            "value",
        ]
        df = pd.DataFrame(rows, columns=cols)
        df["order"] = df["geographic_level"].map(_LEVEL_ORDER)
        df = df.sort_values(["order", "area_code", "measure"], kind="stable", ignore_index=True)
        df = df.drop(columns="order")
        out[fy.label] = df.astype(str).astype(object)
    return out


def _rows(
    geo: Geography,
    fy: FinancialYear,
    measure: str,
    mult: int,
    la_num: np.ndarray,
    la_den: np.ndarray,
) -> list[tuple]:
    period = fy.start_year * 100 + fy.end_year % 100
    las = geo.las

    def row(level: str, code: str, name: str, num: int, den: int) -> tuple:
        value = f"{num / den * mult:.2f}" if den else ""
        return (period, "Financial year", level, code, name, measure, int(num), int(den), value)

    out = [row("National", ENGLAND_CODE, ENGLAND_NAME, la_num.sum(), la_den.sum())]
    for code in las["region_code"].unique():
        mask = (las["region_code"] == code).to_numpy()
        name = las.loc[mask, "region_name"].iloc[0]
        out.append(row("Regional", code, name, la_num[mask].sum(), la_den[mask].sum()))
    for j in range(len(las)):
        out.append(
            row("Local authority", las.at[j, "code"], las.at[j, "name"], la_num[j], la_den[j])
        )
    return out
