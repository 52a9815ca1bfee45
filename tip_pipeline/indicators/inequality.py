"""Inequality by deprivation, per indicator, year and LA (docs/CONVENTIONS.md, "SII and RII" and
"Improve the health of the poorest fastest").

- SII and RII across the ten national IMD deciles of the LA (at least five populated; decile 1
  most deprived) with ``stats.sii``: SII = fitted value in the least deprived minus the most
  deprived, so a negative SII means higher in more deprived areas. Rates and proportions are
  fitted on the log / logit scale (catalogue ``sii_transform``; PHE's recommendation for the
  RII, phe_sii ``transform = TRUE``), so the fitted curve is positive at both ends and the RII
  is a ratio of two positive values. Where the transform is undefined (a decile with a value of
  0, or a proportion of 1) the straight line is fitted instead, and its RII is published only
  when the line and the RII's limits are positive; otherwise the RII is NULL and ``rii_note``
  says why -- never a negative ratio. Simulated 95% limits are seeded from (indicator, area,
  period) by a stable hash, so reruns give identical figures.
- The gap (quintile 1 minus quintile 5) with limits from ``stats.change_test`` applied to the
  two quintiles (Newcombe for proportions, Wald for rates), and the ratio quintile 1 / 5.
- The change since the baseline year (the first reporting year) in the most deprived quintile
  minus that in the least deprived, with limits (``stats.difference_of_changes``).
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import NamedTuple

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from tip_pipeline.indicators.catalogue import INDICATORS, Indicator, Polarity
from tip_pipeline.stats import SIIResult, change_test, difference_of_changes, sii

DECILES = tuple(str(d) for d in range(1, 11))
MOST, LEAST = "1", "5"
MIN_DECILES = 5
REPETITIONS = 100_000

HIGHER_MORE = "higher in more deprived areas"
HIGHER_LESS = "higher in less deprived areas"
NO_GRADIENT = "no clear gradient by deprivation"
NOT_COMPUTED = "not computed (fewer than five deprivation deciles populated)"
NO_BASELINE = "No change computed: this is the baseline year, or its data are not validated."
#: the scale the SII is fitted on, by the indicator's kind (published as ``sii_transform``)
TRANSFORM_OF_KIND = {"rate": "log", "proportion": "logit"}
UNTRANSFORMED = "none"
RII_NOT_POSITIVE = (
    "RII not published: {why}, so the straight line is fitted, and it or the RII's limits are "
    "not positive at both ends (a ratio of its ends would be meaningless)."
)
TRANSFORM_UNDEFINED = {
    "log": "a decile has a value of 0 (no log)",
    "logit": "a decile has a value of 0 or 100% (no logit)",
}
NOT_TRANSFORMED = "the catalogue fits this indicator untransformed"


def stable_seed(*parts: str) -> int:
    """A seed from text that is the same in every process (Python's hash() is salted)."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def gradient(lower: float, upper: float) -> str:
    """The SII read in words: its 95% limits wholly below 0 mean higher where more deprived."""
    if np.isnan(lower) or np.isnan(upper):
        return NOT_COMPUTED
    if upper < 0:
        return HIGHER_MORE
    if lower > 0:
        return HIGHER_LESS
    return NO_GRADIENT


def reading(ind: Indicator, words: str) -> str:
    """The gradient read against the indicator's polarity ("worse in more deprived areas")."""
    if ind.polarity is Polarity.NO_JUDGEMENT or words not in (HIGHER_MORE, HIGHER_LESS):
        return ""
    worse_where_more = (words == HIGHER_MORE) == (ind.polarity is Polarity.HIGHER_IS_WORSE)
    return "worse in more deprived areas" if worse_where_more else "better in more deprived areas"


def statement(ind: Indicator, words: str, value: float, lower: float, upper: float) -> str:
    """One plain sentence: name, gradient, polarity reading and the SII with its limits."""
    if words == NOT_COMPUTED:
        return f"{ind.name}: {words}."
    judged = reading(ind, words)
    judged = f", {judged}" if judged else ""
    return (
        f"{ind.name}: {words}{judged} (SII {value:.1f} {ind.unit}, 95% CI {lower:.1f} to "
        f"{upper:.1f}; least minus most deprived)."
    )


def _la_rows(values: pd.DataFrame, breakdown: str) -> pd.DataFrame:
    return values[(values["area_type"] == "la") & (values["breakdown"] == breakdown)]


class Slope(NamedTuple):
    """The SII/RII of one (indicator, LA), the scale it was fitted on, and why an RII is NULL."""

    result: SIIResult
    transform: str
    rii_note: str | None


def _rii_publishable(result: SIIResult) -> bool:
    """A ratio of the fitted ends is meaningful only when it and its limits are positive."""
    parts = np.array([result.rii, result.rii_lower, result.rii_upper], dtype=float)
    return bool(np.isfinite(parts).all() and (parts > 0).all())


def _without_rii(result: SIIResult) -> SIIResult:
    nan = np.array(np.nan)
    return result._replace(rii=nan, rii_lower=nan, rii_upper=nan)


def fit_slope(
    ind: Indicator,
    value: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    population: np.ndarray,
    seed: int,
) -> Slope:
    """SII/RII of one LA's deciles: transformed where the catalogue says and the transform is
    defined, else the straight line with its RII kept only when it is a positive ratio."""
    common = {"repetitions": REPETITIONS, "seed": [seed], "min_quantiles": MIN_DECILES}
    if ind.sii_transform:
        scale = ind.sii_scale
        fitted = sii(
            value / scale,
            lower / scale,
            upper / scale,
            population,
            value_type=ind.kind,
            transform=True,
            multiplier=scale,
            **common,
        )
        if np.isfinite(fitted.sii):
            return Slope(fitted, TRANSFORM_OF_KIND[ind.kind], None)
    line = sii(value, lower, upper, population, value_type="normal", **common)
    if not np.isfinite(line.sii) or _rii_publishable(line):
        return Slope(line, UNTRANSFORMED, None)
    why = TRANSFORM_UNDEFINED[TRANSFORM_OF_KIND[ind.kind]] if ind.sii_transform else NOT_TRANSFORMED
    return Slope(_without_rii(line), UNTRANSFORMED, RII_NOT_POSITIVE.format(why=why))


def slope_indices(values: pd.DataFrame) -> pd.DataFrame:
    """SII/RII per (indicator, LA) from the LA's decile rows of ``values`` (one period)."""
    deciles = _la_rows(values, "imd_decile")
    groups = []
    for (ind_id, la, period), group in deciles.groupby(["indicator_id", "area_code", "period"]):
        g = group.set_index("category").reindex(list(DECILES))
        pop = g["denominator"].astype("Float64").to_numpy(float, na_value=np.nan)
        value = g["value"].to_numpy(float)
        lower, upper = (g[c].to_numpy(float) for c in ("lower_ci_95", "upper_ci_95"))
        seed = stable_seed(ind_id, la, period)
        groups.append(((ind_id, la, period), (INDICATORS[ind_id], value, lower, upper, pop, seed)))
    slopes = _fitted([fit for _, fit in groups])
    rows = []
    for ((ind_id, la, period), (ind, value, _, _, pop, _)), slope in zip(
        groups, slopes, strict=True
    ):
        result = slope.result
        words = gradient(float(result.sii_lower), float(result.sii_upper))
        computed = words != NOT_COMPUTED
        rows.append(
            {
                "indicator_id": ind_id,
                "area_code": la,
                "period": period,
                "deciles_used": int(np.sum(np.isfinite(value) & (pop > 0))),
                "sii": float(result.sii),
                "lower_sii_95": float(result.sii_lower),
                "upper_sii_95": float(result.sii_upper),
                "rii": float(result.rii),
                "lower_rii_95": float(result.rii_lower),
                "upper_rii_95": float(result.rii_upper),
                "sii_intercept": float(result.intercept),
                "sii_transform": slope.transform if computed else None,
                "rii_note": slope.rii_note if computed else NOT_COMPUTED,
                "gradient": words,
                "statement": statement(
                    ind, words, float(result.sii), float(result.sii_lower), float(result.sii_upper)
                ),
                "unit": ind.unit,
            }
        )
    return pd.DataFrame(rows)


def _fitted(fits: list[tuple]) -> list[Slope]:
    """``fit_slope`` of each argument tuple, on a thread per core, in order, with BLAS on one
    thread.

    Why threads: each fit is a 100,000-draw simulation in numpy, which releases the GIL while
    it draws and multiplies, and each group has its own seed (``stable_seed``), so the groups
    are independent and the results are those of fitting them one after the other. At england
    scale the simulated limits were a quarter of a year's figures (issue #21's profile).

    Why BLAS on one thread (``threadpoolctl``): each fit's matrix product (100,000 x 10 by
    10 x 2) is small, and OpenBLAS's own threads, started on top of a thread per core, made it
    several times slower: the SII of england's eleven outcome measures took 143 s with them
    and 38 s without, on the same busy machine (docs/PERFORMANCE.md), and every SII/RII and
    limit of the england year came out the same to the bit (compared with ``check_exact``)."""
    with threadpool_limits(limits=1, user_api="blas"):
        if len(fits) < 2:
            return [fit_slope(*fit) for fit in fits]
        with ThreadPoolExecutor(max_workers=min(len(fits), os.cpu_count() or 1)) as pool:
            return list(pool.map(lambda fit: fit_slope(*fit), fits))


def quintile_rows(values: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``values`` the gap and the change since the baseline read: every LA's most
    and least deprived quintiles (``_quintiles``)."""
    q = _la_rows(values, "imd_quintile")
    return q[q["category"].isin([MOST, LEAST])]


def _quintiles(values: pd.DataFrame) -> pd.DataFrame:
    """Quintile 1 and 5 of every (indicator, LA) side by side (suffixes _most, _least)."""
    q = quintile_rows(values)
    keep = ["indicator_id", "area_code", "numerator", "denominator", "value"]
    keep += ["lower_ci_95", "upper_ci_95"]
    most = q[q["category"] == MOST][keep]
    least = q[q["category"] == LEAST][keep]
    return most.merge(least, on=["indicator_id", "area_code"], suffixes=("_most", "_least"))


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].astype("Float64").to_numpy(float, na_value=np.nan)


def quintile_gap(values: pd.DataFrame) -> pd.DataFrame:
    """Gap (quintile 1 - quintile 5) with 95% limits, and ratio, per (indicator, LA)."""
    q = _quintiles(values)
    parts = []
    for ind_id, group in q.groupby("indicator_id"):
        ind = INDICATORS[ind_id]
        num = partial(_floats, group)
        change = change_test(
            num("numerator_least"),
            num("denominator_least"),
            num("numerator_most"),
            num("denominator_most"),
            kind=ind.kind,
            multiplier=ind.multiplier,
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = num("value_most") / num("value_least")
        parts.append(
            pd.DataFrame(
                {
                    "indicator_id": ind_id,
                    "area_code": group["area_code"].to_numpy(),
                    "most_deprived_value": num("value_most"),
                    "least_deprived_value": num("value_least"),
                    "gap": change.difference,
                    "lower_gap_95": change.lower,
                    "upper_gap_95": change.upper,
                    "ratio": np.where(np.isfinite(ratio), ratio, np.nan),
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def poorest_fastest(latest: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """(Change since baseline in quintile 1) - (change in quintile 5), with 95% limits."""
    now, then = _quintiles(latest), _quintiles(baseline)
    both = now.merge(then, on=["indicator_id", "area_code"], suffixes=("", "_base"))
    if both.empty:
        return pd.DataFrame(columns=["indicator_id", "area_code"])

    def est(suffix: str) -> tuple[np.ndarray, ...]:
        return tuple(
            both[f"{c}{suffix}"].to_numpy(float) for c in ("value", "lower_ci_95", "upper_ci_95")
        )

    result = difference_of_changes(
        est("_most_base"), est("_most"), est("_least_base"), est("_least")
    )
    frame = pd.DataFrame(
        {
            "indicator_id": both["indicator_id"].to_numpy(),
            "area_code": both["area_code"].to_numpy(),
            "change_most_deprived": result.change_most,
            "change_least_deprived": result.change_least,
            "poorest_fastest": result.difference,
            "lower_poorest_fastest_95": result.lower,
            "upper_poorest_fastest_95": result.upper,
            "poorest_fastest_p": result.p_value,
        }
    )
    frame["poorest_fastest_statement"] = [
        change_statement(INDICATORS[i], d, s)
        for i, d, s in zip(
            frame["indicator_id"], result.difference, result.significant, strict=True
        )
    ]
    return frame


def change_statement(ind: Indicator, difference: float, significant: bool) -> str:
    """The difference of changes in words, read against polarity."""
    if np.isnan(difference):
        return "Not computed."
    if not significant:
        return "No significant difference between the changes in the most and least deprived."
    faster_rise = difference > 0
    if ind.polarity is Polarity.NO_JUDGEMENT:
        return (
            "Rose faster (or fell slower) in the most deprived quintile."
            if faster_rise
            else "Fell faster (or rose slower) in the most deprived quintile."
        )
    improving = faster_rise == (ind.polarity is Polarity.HIGHER_IS_BETTER)
    return (
        "The most deprived quintile is improving faster than the least deprived."
        if improving
        else "The most deprived quintile is falling further behind the least deprived."
    )


def inequality_summary(
    values: pd.DataFrame, baseline: pd.DataFrame | None, baseline_period: str | None
) -> pd.DataFrame:
    """The whole summary for one period: SII/RII, gap and ratio, poorest fastest."""
    out = slope_indices(values)
    if out.empty:
        return out
    gaps = quintile_gap(values)
    if not gaps.empty:
        out = out.merge(gaps, on=["indicator_id", "area_code"], how="left")
    if baseline is not None and not baseline.empty:
        out = out.merge(
            poorest_fastest(values, baseline), on=["indicator_id", "area_code"], how="left"
        )
    else:
        out["poorest_fastest_statement"] = NO_BASELINE
    out["baseline_period"] = baseline_period
    names = values.drop_duplicates("area_code").set_index("area_code")["area_name"]
    out["area_name"] = out["area_code"].map(names)
    return out
