"""Youth justice: offences by children aged 10-17 and the outcome of each.

Children with an outcome in a year are drawn with probability proportional to age (mostly
14-17), sex (about 80% boys), frailty, deprivation and contact with children's social care
(known to CIN x4, looked after x5), scaled so that the expected number is the target share of
children 0-17. History years (before the first reporting year) are simulated the same way,
with slightly higher rates (first-time entrants fell over the 2010s), so that first-time
entrants can be told from re-offenders. Remand periods of care (J1-J3) and periods ending in
custody (REC E9) get a matching offence and outcome (custody dated on the day care ended).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import hazards, timeline
from tip_pipeline.sources.generator.config import TARGETS, Window
from tip_pipeline.sources.generator.geography import Geography
from tip_pipeline.sources.generator.population import Universe, children_total
from tip_pipeline.sources.generator.randomness import choice_codes, stream

_AGE_W = np.zeros(26)
_AGE_W[10:18] = (0.08, 0.15, 0.35, 0.65, 1.0, 1.35, 1.6, 1.75)
_TYPES = (
    (
        "VAP",
        "THEFT",
        "CRIMDAM",
        "DRUGS",
        "ROBB",
        "BURG",
        "PUBORD",
        "MOTOR",
        "SEXUAL",
        "WEAPON",
        "BREACH",
        "OTHER",
    ),
    (0.30, 0.12, 0.08, 0.10, 0.05, 0.05, 0.08, 0.08, 0.02, 0.06, 0.04, 0.02),
)
_GRAVITY = {
    "VAP": (2, 5),
    "THEFT": (1, 3),
    "CRIMDAM": (2, 3),
    "DRUGS": (2, 4),
    "ROBB": (6, 6),
    "BURG": (4, 6),
    "PUBORD": (2, 3),
    "MOTOR": (1, 3),
    "SEXUAL": (5, 7),
    "WEAPON": (3, 5),
    "BREACH": (2, 3),
    "OTHER": (1, 3),
}
_FIRST = (tuple(codes.OUTCOME_TYPE), (0.40, 0.25, 0.10, 0.04, 0.02, 0.14, 0.04, 0.01))
_LATER = (tuple(codes.OUTCOME_TYPE), (0.15, 0.10, 0.08, 0.05, 0.04, 0.30, 0.20, 0.08))


def _yearly(
    uni: Universe, geo: Geography, win: Window, known: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    weight = hazards.child_weight(uni, geo.decile, da=0.8, mh=0.3, sm=1.0, slope=0.16)
    weight *= np.where(uni.male, 4.0, 1.0) * known
    first_kids = children_total(uni, geo.populated, win.first.population_mid_year)
    frames = []
    for fy in win.yj_years:
        y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
        age = timeline.age_on(uni.dob_month, y0 + 183)
        raw = _AGE_W[np.clip(age, 0, 25)] * weight
        if fy >= win.first:
            kids = children_total(uni, geo.populated, fy.population_mid_year)
        else:
            kids = first_kids * (1 + 0.06 * (win.first.start_year - fy.start_year))
        p = np.minimum(raw * TARGETS.yj_children * kids / raw.sum(), 0.9)
        idx = np.flatnonzero(rng.random(uni.n) < p)
        count = 1 + rng.poisson(0.35 + 0.25 * np.minimum(uni.frailty[idx], 3.0))
        child = np.repeat(idx, count)
        outcome = timeline.uniform_days(rng, np.full(child.size, y0), np.full(child.size, y1))
        frames.append(pd.DataFrame({"child": child, "outcome_day": outcome, "forced": ""}))
    out = pd.concat(frames, ignore_index=True)
    lag = timeline.lognormal_days(rng, len(out), 45, 0.9, 1, 400)
    out["offence_day"] = out["outcome_day"].to_numpy() - lag
    return out


def _from_care(periods: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    remand = periods[periods["path"] == "remand"]
    custody = periods[(periods["rec"] == "E9") & (periods["end"] != timeline.OPEN)]
    n = len(remand)
    first = pd.DataFrame(
        {
            "child": remand["child"].to_numpy(),
            "offence_day": remand["start"].to_numpy() - rng.integers(1, 31, n),
            "outcome_day": remand["start"].to_numpy() + rng.integers(7, 61, n),
            "forced": choice_codes(rng, ("RO", "YRO"), [0.5, 0.5], n),
        }
    )
    first = first[~first["child"].isin(custody["child"])]
    m = len(custody)
    second = pd.DataFrame(
        {
            "child": custody["child"].to_numpy(),
            "offence_day": custody["end"].to_numpy() - rng.integers(20, 121, m),
            "outcome_day": custody["end"].to_numpy(),
            "forced": "CUST",
        }
    )
    return pd.concat([first, second], ignore_index=True)


def build(
    uni: Universe,
    geo: Geography,
    win: Window,
    periods: pd.DataFrame,
    cin_children: np.ndarray,
    seed: int,
) -> pd.DataFrame:
    """One row per offence: child, offence_id, offence_day, type, gravity, outcome_day,
    outcome."""
    rng = stream(seed, "yjs")
    known = np.ones(uni.n)
    known[cin_children] += 3.0
    known[periods["child"].to_numpy()] += 4.0
    off = pd.concat([_yearly(uni, geo, win, known, rng), _from_care(periods, rng)])
    lo, hi = timeline.day(win.yj_years[0].start), timeline.day(win.last.end)
    child = off["child"].to_numpy()
    age = timeline.age_at(uni.dob_month[child], off["offence_day"].to_numpy())
    dob = timeline.month_start_day(uni.dob_month[child])
    ok = (age >= 10) & (age <= 17) & (off["offence_day"] > dob)
    ok &= (off["outcome_day"] >= lo) & (off["outcome_day"] <= hi)
    off = off[ok].sort_values(["child", "outcome_day", "offence_day"], kind="stable")
    off = off.reset_index(drop=True)
    n = len(off)
    first = off.groupby("child").cumcount().to_numpy() == 0
    outcome = np.where(first, choice_codes(rng, *_FIRST, n=n), choice_codes(rng, *_LATER, n=n))
    outcome = np.where(off["forced"] != "", off["forced"], outcome)
    kind = choice_codes(rng, *_TYPES, n=n)
    lo_g = np.array([_GRAVITY[k][0] for k in kind])
    hi_g = np.array([_GRAVITY[k][1] for k in kind])
    gravity = lo_g + (rng.random(n) * (hi_g - lo_g + 1)).astype(int)
    gravity = np.where(outcome == "CUST", np.maximum(gravity, 5), gravity)
    off = off.assign(type=kind, gravity=gravity.astype(str), outcome=outcome)
    off = off.sort_values(["outcome_day", "child", "offence_day"], kind="stable", ignore_index=True)
    off["offence_id"] = [f"YO{i + 1:08d}" for i in range(len(off))]
    return off[["child", "offence_id", "offence_day", "type", "gravity", "outcome_day", "outcome"]]
