"""Children in Need: referrals (CIN episodes), assessments with factors, child protection plans,
section 47 enquiries.

Every period of care sits inside a CIN episode (looked-after children are children in need):
periods of one child less than 120 days apart share one wrapping episode, which opens before
care starts and closes after it ends. Other episodes come from a yearly referral hazard
(frailty x deprivation x latent trio x age). Episodes of one child never overlap, so that
(child, referral date) is a unique key. About 8% of referrals lead to no further action;
the rest get an assessment (sometimes a second), after which the case closes, continues as a
CIN plan, or becomes a child protection plan (likelier with more trio factors, younger ages).

A child protection plan starts at an initial child protection conference (ICPC), held after a
section 47 enquiry: every plan's episode has an enquiry starting a few working days before the
plan, its ICPC on the plan's start. About three in ten other referrals that lead to further
action have an enquiry too, mostly concluding that no conference is required (ICPCnotRequired),
sometimes with a conference that makes no plan; a few episodes have a second enquiry, which
needs no conference. That gives some 35 enquiries and 11-12 conferences per 100 referrals, the
proportions of DfE's *Characteristics of children in need* (England 2023: 225,400 section 47
enquiries and 74,380 ICPCs, against some 620,000 referrals). The enquiries are drawn from a
stream of their own, so that adding them changed no other table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import factors, hazards, timeline
from tip_pipeline.sources.generator.config import CIN_HISTORY_YEARS, Window
from tip_pipeline.sources.generator.geography import Geography
from tip_pipeline.sources.generator.population import Universe
from tip_pipeline.sources.generator.randomness import choice_codes, stream

#: Referrals per child 0-17 per year from the hazard (DfE: about 550 per 10,000 a year; the
#: episodes that wrap periods of care come on top).
REFERRAL_RATE = 0.062
_AGE_W = np.array([1.6, 1.1, 1.0, 1.0, 1.0] + [0.9] * 5 + [1.0] * 6 + [0.9, 0.8])
_SOURCE = (
    (
        "6",
        "2A",
        "2B",
        "3A",
        "3B",
        "3C",
        "3E",
        "3F",
        "5A",
        "5B",
        "5C",
        "5D",
        "1A",
        "1B",
        "1C",
        "1D",
        "4",
        "7",
        "8",
        "9",
        "10",
        "3D",
    ),
    (
        0.29,
        0.17,
        0.03,
        0.03,
        0.04,
        0.01,
        0.03,
        0.02,
        0.06,
        0.03,
        0.02,
        0.03,
        0.03,
        0.04,
        0.01,
        0.005,
        0.02,
        0.01,
        0.05,
        0.005,
        0.01,
        0.01,
    ),
)
_NEED = (codes.PRIMARY_NEED, (0.02, 0.55, 0.09, 0.03, 0.10, 0.14, 0.02, 0.003, 0.04, 0.03))
_CATEGORY = (codes.CATEGORY_OF_ABUSE, (0.5, 0.07, 0.04, 0.36, 0.03))
_RC_BY_REC = {"E11": "RC1", "E12": "RC1", "E45": "RC4", "E46": "RC4", "E41": "RC3", "E3": "RC5"}


#: of referrals leading to further action and to no plan, the share with a section 47 enquiry
S47_WITHOUT_PLAN = 0.30
#: of those enquiries, the share where a conference is still held (and makes no plan): DfE's
#: ICPCs exceed its plans started by about a tenth
ICPC_WITHOUT_PLAN = 0.12
#: episodes with a further enquiry (it needs no conference)
SECOND_S47 = 0.05
#: DfE's timescale for the ICPC: 15 working days, here three calendar weeks
ICPC_TARGET_DAYS = 21


@dataclass
class Cin:
    episodes: pd.DataFrame  # child, ref, source, need, nfa, close, rc, forced
    assessments: pd.DataFrame  # child, ref, start, auth, factors
    plans: pd.DataFrame  # child, ref, start, end, initial, latest, previous
    #: child, ref, start, target, icpc (timeline.OPEN: none), not_required (bool)
    enquiries: pd.DataFrame


def _wrappers(periods: pd.DataFrame, uni: Universe, rng: np.random.Generator) -> pd.DataFrame:
    p = periods.sort_values(["child", "start"], kind="stable").reset_index(drop=True)
    prev_end = p.groupby("child")["end"].shift(1)
    p["cluster"] = (~(p["start"] <= prev_end + 120)).cumsum()
    g = p.groupby("cluster")
    w = pd.DataFrame(
        {
            "child": g["child"].first(),
            "care_start": g["start"].min(),
            "care_end": g["end"].max(),
            "rec": g["rec"].last(),
        }
    ).reset_index(drop=True)
    dob = timeline.month_start_day(uni.dob_month[w["child"].to_numpy()])
    start = w["care_start"].to_numpy()
    w["ref"] = np.maximum(np.minimum(dob + 1, start), start - rng.integers(7, 61, len(w)))
    end = w["care_end"].to_numpy()
    w["close"] = np.where(end == timeline.OPEN, timeline.OPEN, end + rng.integers(0, 31, len(w)))
    w["rc"] = w["rec"].map(_RC_BY_REC).fillna("RC7")
    return w


def _referrals(
    uni: Universe, geo: Geography, win: Window, rng: np.random.Generator
) -> pd.DataFrame:
    weight = hazards.child_weight(uni, geo.decile, da=8.0, mh=3.0, sm=8.0, slope=0.14)
    dob = timeline.month_start_day(uni.dob_month)
    frames = []
    for start_year in range(win.first.start_year - CIN_HISTORY_YEARS, win.last.start_year + 1):
        y0 = timeline.day(pd.Timestamp(start_year, 4, 1).date())
        y1 = timeline.day(pd.Timestamp(start_year + 1, 3, 31).date())
        age = timeline.age_on(uni.dob_month, y0)
        eligible = (age <= 17) & (dob + 14 <= y1)
        raw = np.where(eligible, _AGE_W[np.clip(age, 0, 17)] * weight, 0.0)
        p = raw * (REFERRAL_RATE * np.count_nonzero(eligible) / raw.sum())
        idx = np.flatnonzero(eligible & (rng.random(uni.n) < p))
        lo = np.maximum(y0, dob[idx] + 14)
        hi = np.minimum(y1, timeline.birthday_day(uni.dob_month[idx], 18) - 30)
        keep = hi >= lo
        idx, ref = idx[keep], timeline.uniform_days(rng, lo[keep], hi[keep])
        again = rng.random(idx.size) < 0.12
        ref2 = ref[again] + rng.integers(30, 200, int(again.sum()))
        ok = ref2 <= hi[keep][again]
        frames.append(pd.DataFrame({"child": idx, "ref": ref}))
        frames.append(pd.DataFrame({"child": idx[again][ok], "ref": ref2[ok]}))
    return pd.concat(frames, ignore_index=True)


def _drop_overlaps(eps: pd.DataFrame) -> pd.DataFrame:
    """Keep wrapping (forced) episodes; drop any other episode overlapping an earlier kept one
    or a forced one."""
    forced = eps[eps["forced"]][["child", "ref", "close"]]
    other = eps[~eps["forced"]].reset_index(drop=True)
    pairs = other.reset_index().merge(forced, on="child", suffixes=("", "_f"))
    hit = pairs[(pairs["ref"] <= pairs["close_f"]) & (pairs["ref_f"] <= pairs["close"])]
    other = other.drop(index=hit["index"].unique())
    eps = pd.concat([eps[eps["forced"]], other]).sort_values(["child", "ref"], kind="stable")
    eps = eps.reset_index(drop=True)
    running = eps.groupby("child")["close"].cummax()
    prev = running.groupby(eps["child"]).shift(1)
    return eps[~(eps["ref"] <= prev)].reset_index(drop=True)


def _hazard_episodes(
    uni: Universe, geo: Geography, win: Window, rng: np.random.Generator
) -> pd.DataFrame:
    """Episodes from the referral hazard, with their route (no further action, closed at
    assessment, CIN plan or child protection plan) and dates."""
    refs = _referrals(uni, geo, win, rng)
    n = len(refs)
    child = refs["child"].to_numpy()
    ref = refs["ref"].to_numpy()
    age = timeline.age_at(uni.dob_month[child], ref)
    trio_n = uni.has(0)[child].astype(int) + uni.has(1)[child] + uni.has(2)[child]
    nfa = rng.random(n) < 0.08
    auth = ref + rng.integers(0, 11, n) + timeline.lognormal_days(rng, n, 22, 0.5, 3, 90)
    p_cp = 0.055 * (1 + 0.6 * trio_n) * np.where(age < 5, 1.5, np.where(age >= 12, 0.7, 1.0))
    route = rng.random(n)
    cp = ~nfa & (route < p_cp)
    close_at_assessment = ~nfa & ~cp & (route < p_cp + 0.45)
    cp_start = auth + rng.integers(3, 26, n)
    cp_end = cp_start + timeline.lognormal_days(rng, n, 280, 0.6, 20, 1400)
    close = np.select(
        [nfa, cp, close_at_assessment],
        [
            ref + rng.integers(0, 11, n),
            cp_end + timeline.lognormal_days(rng, n, 90, 0.8, 1, 900),
            auth + rng.integers(0, 22, n),
        ],
        auth + timeline.lognormal_days(rng, n, 150, 0.7, 30, 1500),
    )
    rc = np.select(
        [nfa, close_at_assessment],
        [np.full(n, "RC8"), np.where(rng.random(n) < 0.6, "RC8", "RC9")],
        choice_codes(
            rng, ("RC7", "RC5", "RC3", "RC4", "RC6", "RC2"), [0.85, 0.05, 0.04, 0.03, 0.02, 0.01], n
        ),
    ).astype(object)
    hazard_eps = pd.DataFrame(
        {
            "child": child,
            "ref": ref,
            "nfa": nfa,
            "close": close,
            "rc": rc,
            "forced": False,
            "auth": np.where(nfa, timeline.OPEN, auth),
            "cp_start": np.where(cp, cp_start, -1),
            "cp_end": cp_end,
        }
    )
    return hazard_eps


def _forced_episodes(wraps: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The episodes wrapping periods of care; some start with a child protection plan that
    ends when care begins."""
    m = len(wraps)
    w_auth = wraps["ref"].to_numpy() + rng.integers(5, 41, m)
    w_cp = (rng.random(m) < 0.35) & (wraps["care_start"].to_numpy() - w_auth >= 21)
    forced_eps = pd.DataFrame(
        {
            "child": wraps["child"],
            "ref": wraps["ref"],
            "nfa": False,
            "close": wraps["close"],
            "rc": wraps["rc"],
            "forced": True,
            "auth": w_auth,
            "cp_start": np.where(w_cp, w_auth + rng.integers(3, 11, m), -1),
            "cp_end": wraps["care_start"].to_numpy(),
        }
    )
    return forced_eps


def build(uni: Universe, geo: Geography, win: Window, periods: pd.DataFrame, seed: int) -> Cin:
    rng = stream(seed, "cin")
    end_day = timeline.day(win.last.end)
    wraps = _wrappers(periods, uni, rng)
    hazard = _hazard_episodes(uni, geo, win, rng)
    eps = pd.concat([_forced_episodes(wraps, rng), hazard], ignore_index=True)
    del hazard  # the largest intermediate at england scale: free it before the next copies
    eps = _drop_overlaps(eps)
    eps = eps[eps["ref"] <= end_day].reset_index(drop=True)
    k = len(eps)
    eps["source"] = choice_codes(rng, *_SOURCE, n=k)
    eps["need"] = np.where(eps["nfa"], "N0", choice_codes(rng, *_NEED, n=k))
    eps.loc[eps["forced"], "need"] = "N1"
    eps["nfa"] = np.where(eps["nfa"], "1", "0")
    eps.loc[eps["close"] > end_day, ["close", "rc"]] = (timeline.OPEN, "")
    assessments = _assessments(uni, eps, rng, end_day)
    plans = _plans(eps, rng, end_day)
    enquiries = _enquiries(eps, plans, stream(seed, "cin_section47"), end_day)
    episodes = eps[["child", "ref", "source", "need", "nfa", "close", "rc", "forced"]]
    return Cin(episodes, assessments, plans, enquiries)


def _assessments(
    uni: Universe, eps: pd.DataFrame, rng: np.random.Generator, end_day: int
) -> pd.DataFrame:
    has = eps[eps["auth"] != timeline.OPEN]
    first = pd.DataFrame(
        {
            "child": has["child"],
            "ref": has["ref"],
            "auth": has["auth"],
            "start": np.maximum(has["ref"], has["auth"] - rng.integers(5, 40, len(has))),
            "close": has["close"],
        }
    )
    second_start = first["auth"] + rng.integers(60, 400, len(first))
    second_auth = second_start + timeline.lognormal_days(rng, len(first), 22, 0.5, 3, 90)
    again = (rng.random(len(first)) < 0.12) & (second_auth < first["close"] - 5)
    second = first[again].assign(start=second_start[again], auth=second_auth[again])
    out = pd.concat([first, second], ignore_index=True)
    out = out[out["start"] <= end_day].reset_index(drop=True)
    # An episode can close before its assessment would have been authorised (a short episode
    # wrapping care): the assessment is then authorised on the closure day and cannot have
    # started after it, so a clean delivery never has an authorisation before the start.
    out["auth"] = np.minimum(out["auth"], out["close"])
    out["start"] = np.minimum(out["start"], out["auth"])
    out.loc[out["auth"] > end_day, "auth"] = timeline.OPEN
    child = out["child"].to_numpy()
    latent = np.stack([uni.has(f)[child] for f in range(3)], axis=1)
    age = timeline.age_at(uni.dob_month[child], out["start"].to_numpy())
    out["factors"] = factors.draw(rng, latent, age)
    out.loc[out["auth"] == timeline.OPEN, "factors"] = ""
    return out[["child", "ref", "start", "auth", "factors"]]


def _plans(eps: pd.DataFrame, rng: np.random.Generator, end_day: int) -> pd.DataFrame:
    has = eps[(eps["cp_start"] >= 0) & (eps["cp_start"] <= end_day)]
    end = np.minimum(has["cp_end"].to_numpy(), has["close"].to_numpy())
    n = len(has)
    initial = choice_codes(rng, *_CATEGORY, n=n)
    latest = np.where(rng.random(n) < 0.88, initial, choice_codes(rng, *_CATEGORY, n=n))
    plans = pd.DataFrame(
        {
            "child": has["child"].to_numpy(),
            "ref": has["ref"].to_numpy(),
            "start": has["cp_start"].to_numpy(),
            "end": np.where(end > end_day, timeline.OPEN, end),
            "initial": initial,
            "latest": latest,
        }
    )
    plans = plans[plans["end"] > plans["start"]].sort_values(["child", "start"], ignore_index=True)
    prior = rng.choice(3, size=len(plans), p=[0.85, 0.12, 0.03])
    first_prior = pd.Series(prior).groupby(plans["child"]).transform("first").to_numpy()
    plans["previous"] = first_prior + plans.groupby("child").cumcount().to_numpy()
    return plans


def _weekday(days: np.ndarray) -> np.ndarray:
    """Days moved off a weekend to the Monday after (a conference's target is a working day,
    DfE rule 8870Q)."""
    weekday = (days + 3) % 7  # day 0, 1 January 1970, was a Thursday; Monday is 0
    return days + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))


def _enquiries(
    eps: pd.DataFrame, plans: pd.DataFrame, rng: np.random.Generator, end_day: int
) -> pd.DataFrame:
    """Section 47 enquiries: one before each plan (its ICPC on the plan's start), one for some
    other episodes leading to further action, a second one in a few. Each starts on or after its
    referral and on or before its episode's closure and its conference (DfE rules 2889, 8565,
    8615); at most one per episode awaits a conference (8839)."""
    with_plan = plans[["child", "ref", "start"]].drop_duplicates(["child", "ref"])
    lead = timeline.lognormal_days(rng, len(with_plan), 12, 0.5, 1, 40)
    planned = pd.DataFrame(
        {
            "child": with_plan["child"].to_numpy(),
            "ref": with_plan["ref"].to_numpy(),
            "start": np.maximum(with_plan["ref"].to_numpy(), with_plan["start"].to_numpy() - lead),
            "icpc": with_plan["start"].to_numpy(),
            "not_required": False,
        }
    )
    keys = eps[["child", "ref"]].merge(with_plan[["child", "ref"]], how="left", indicator=True)
    others = eps[(keys["_merge"] == "left_only").to_numpy() & (eps["nfa"] == "0").to_numpy()]
    others = others[rng.random(len(others)) < S47_WITHOUT_PLAN]
    n = len(others)
    start = others["ref"].to_numpy() + rng.integers(0, 15, n)
    held = rng.random(n) < ICPC_WITHOUT_PLAN
    icpc = start + timeline.lognormal_days(rng, n, 14, 0.4, 1, 40)
    held &= icpc <= others["close"].to_numpy()  # no conference after the episode closed
    unplanned = pd.DataFrame(
        {
            "child": others["child"].to_numpy(),
            "ref": others["ref"].to_numpy(),
            "start": start,
            "icpc": np.where(held, icpc, timeline.OPEN),
            "not_required": ~held,
        }
    )
    first = pd.concat([planned, unplanned], ignore_index=True)
    first = first.merge(eps[["child", "ref", "close"]], on=["child", "ref"])
    again = first[rng.random(len(first)) < SECOND_S47]
    after = np.where(again["icpc"] == timeline.OPEN, again["start"], again["icpc"])
    second = again.assign(
        start=after + rng.integers(30, 200, len(again)), icpc=timeline.OPEN, not_required=True
    )
    out = pd.concat([first, second], ignore_index=True)
    out = out[(out["start"] <= out["close"]) & (out["start"] <= end_day)]
    out = out.sort_values(["child", "ref", "start"], ignore_index=True)
    out["target"] = _weekday(out["start"].to_numpy() + ICPC_TARGET_DAYS)
    out.loc[out["not_required"], "target"] = timeline.OPEN
    out.loc[out["icpc"] > end_day, "icpc"] = timeline.OPEN
    return out[["child", "ref", "start", "target", "icpc", "not_required"]]
