"""Inequality by deprivation, per indicator, year and LA (docs/CONVENTIONS.md, "SII and RII" and
"Improve the health of the poorest fastest").

- SII and RII across the ten national IMD deciles of the LA (at least five populated; decile 1
  most deprived) with ``stats.sii``: SII = fitted value in the least deprived minus the most
  deprived, so a negative SII means higher in more deprived areas. Simulated 95% limits are
  seeded from (indicator, area, period) by a stable hash, so reruns give identical figures.
- The gap (quintile 1 minus quintile 5) with limits from ``stats.test_change`` applied to the
  two quintiles (Newcombe for proportions, Wald for rates), and the ratio quintile 1 / 5.
- The change since the baseline year (the first reporting year) in the most deprived quintile
  minus that in the least deprived, with limits (``stats.difference_of_changes``).
"""

from __future__ import annotations

import hashlib
from functools import partial

import numpy as np
import pandas as pd

from tip_pipeline.indicators.catalogue import INDICATORS, Indicator, Polarity
from tip_pipeline.stats import difference_of_changes, sii, test_change

DECILES = tuple(str(d) for d in range(1, 11))
MOST, LEAST = "1", "5"
MIN_DECILES = 5
REPETITIONS = 100_000

HIGHER_MORE = "higher in more deprived areas"
HIGHER_LESS = "higher in less deprived areas"
NO_GRADIENT = "no clear gradient by deprivation"
NOT_COMPUTED = "not computed (fewer than five deprivation deciles populated)"
NO_BASELINE = "No change computed: this is the baseline year, or its data are not validated."


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


def slope_indices(values: pd.DataFrame) -> pd.DataFrame:
    """SII/RII per (indicator, LA) from the LA's decile rows of ``values`` (one period)."""
    deciles = _la_rows(values, "imd_decile")
    rows = []
    for (ind_id, la, period), group in deciles.groupby(["indicator_id", "area_code", "period"]):
        g = group.set_index("category").reindex(list(DECILES))
        ind = INDICATORS[ind_id]
        pop = g["denominator"].astype("Float64").to_numpy(float, na_value=np.nan)
        result = sii(
            g["value"].to_numpy(float),
            g["lower_ci_95"].to_numpy(float),
            g["upper_ci_95"].to_numpy(float),
            pop,
            value_type="normal",
            repetitions=REPETITIONS,
            seed=[stable_seed(ind_id, la, period)],
            min_quantiles=MIN_DECILES,
        )
        words = gradient(float(result.sii_lower), float(result.sii_upper))
        rows.append(
            {
                "indicator_id": ind_id,
                "area_code": la,
                "period": period,
                "deciles_used": int(np.sum(np.isfinite(g["value"].to_numpy(float)) & (pop > 0))),
                "sii": float(result.sii),
                "lower_sii_95": float(result.sii_lower),
                "upper_sii_95": float(result.sii_upper),
                "rii": float(result.rii),
                "lower_rii_95": float(result.rii_lower),
                "upper_rii_95": float(result.rii_upper),
                "gradient": words,
                "statement": statement(
                    ind, words, float(result.sii), float(result.sii_lower), float(result.sii_upper)
                ),
                "unit": ind.unit,
            }
        )
    return pd.DataFrame(rows)


def _quintiles(values: pd.DataFrame) -> pd.DataFrame:
    """Quintile 1 and 5 of every (indicator, LA) side by side (suffixes _most, _least)."""
    q = _la_rows(values, "imd_quintile")
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
        change = test_change(
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
