"""Homelessness cases (H-CLIC-like): households, their dependent children, support needs and
placements in temporary accommodation.

About 40% of cases have dependent children. The children are universe children: a lead child
(weighted by frailty, deprivation and latent domestic abuse) and siblings from the same LSOA,
so the case's LSOA is the children's home LSOA. Domestic-abuse cases (reason DOMABUSE, support
need DA) take their lead child, where one exists, from children whose CIN assessment recorded
domestic abuse (3A-3C) in the two years before the application. Prevention and relief duties
last about 56 days (log-normal), so many cases span quarters and some span years. The number
of family cases is calibrated in two passes to the target share of children in households owed
a prevention or relief duty, counted once per year.

Placements in temporary accommodation (:func:`placements`) are drawn afterwards, from a stream
of their own, so that they change nothing else: a homeless household (relief duty) is placed
far more often than one threatened with homelessness (prevention), and a family (in priority
need) more often than a household without children (Housing Act 1996, s.188: interim
accommodation for a household the authority has reason to believe is homeless, eligible and in
priority need). A placement starts within a week of the application, lasts about four months
(log-normal) and never outlasts the case's duty, since a case's sections are reported only in
the quarters its duty is open; a quarter of the households placed move once, from the first
placement to a leased or social home (the move's day ends one placement and starts the next).
These are the synthetic data's assumptions, not published rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import hazards, timeline
from tip_pipeline.sources.generator.cin import Cin
from tip_pipeline.sources.generator.config import HCLIC_HISTORY_YEARS, TARGETS, Window
from tip_pipeline.sources.generator.geography import Geography
from tip_pipeline.sources.generator.population import Universe, children_total
from tip_pipeline.sources.generator.randomness import choice_codes, stream

_DUTY = (("PREV", "RELIEF", "NODUTY"), (0.55, 0.35, 0.10))
_REASON_FAMILY = (
    ("FAMFRIENDS", "ENDPRS", "ENDSOCIAL", "DOMABUSE", "RELBREAK", "OTHVIOL", "MORTGAGE", "OTHER"),
    (0.20, 0.25, 0.08, 0.16, 0.12, 0.05, 0.02, 0.12),
)
_REASON_SINGLE = (
    (
        "FAMFRIENDS",
        "ENDPRS",
        "DOMABUSE",
        "RELBREAK",
        "INSTITUTION",
        "SUPPORTED",
        "OTHVIOL",
        "ENDSOCIAL",
        "MORTGAGE",
        "OTHER",
    ),
    (0.32, 0.18, 0.08, 0.10, 0.08, 0.05, 0.04, 0.05, 0.01, 0.09),
)
_TYPE_FAMILY = (("SPF", "CPLCH", "SPM", "OTHCH"), (0.55, 0.25, 0.07, 0.13))
_TYPE_SINGLE = (("SINGM", "SINGF", "CPLNOCH", "OTHNOCH"), (0.45, 0.30, 0.15, 0.10))
_END = (codes.DUTY_END_REASON, (0.35, 0.20, 0.15, 0.10, 0.15, 0.05))
_NEEDS = {
    "MH": 0.30,
    "PHYS": 0.15,
    "LD": 0.05,
    "DRUG": 0.07,
    "ALCOHOL": 0.06,
    "DA": 0.08,
    "OFFEND": 0.06,
    "YOUNGPAR": 0.03,
    "CARELEAVER": 0.04,
    "ROUGHSLEEP": 0.05,
}
_KIDS = (np.array([1, 2, 3, 4]), np.array([0.45, 0.30, 0.15, 0.10]))
#: the household types with dependent children (``codes.HOUSEHOLD_TYPE``)
_FAMILY_TYPES = ("SPF", "SPM", "CPLCH", "OTHCH")
#: (duty, family) -> the chance the household is placed in temporary accommodation
_PLACED = {
    ("RELIEF", True): 0.55,
    ("RELIEF", False): 0.15,
    ("PREV", True): 0.05,
    ("PREV", False): 0.02,
}
_TA_FIRST = (
    ("BB", "NIGHTLY", "HOSTEL", "PSL", "LAHA", "OTHER"),
    (0.08, 0.25, 0.12, 0.20, 0.25, 0.10),
)
_TA_MOVE = (("PSL", "LAHA", "OTHER"), (0.45, 0.45, 0.10))
_TA_MOVED = 0.25


@dataclass
class Hclic:
    cases: pd.DataFrame  # case_id, app, assess, duty, reason, htype, lsoa, end, end_reason
    children: pd.DataFrame  # case_id, child
    support: pd.DataFrame  # case_id, need
    #: placements in temporary accommodation: case_id, start, end (OPEN if still placed), type
    ta: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["case_id", "start", "end", "ta_type"])
    )


def quarter_bounds(win: Window) -> list[tuple[object, int, int, int]]:
    """(financial year, quarter, first day, last day) of every reporting quarter."""
    out = []
    for fy in win.years:
        for q in (1, 2, 3, 4):
            q0 = timeline.day(fy.quarter_start(q))
            q1 = timeline.day(fy.quarter_start(q + 1)) - 1 if q < 4 else timeline.day(fy.end)
            out.append((fy, q, q0, q1))
    return out


def _da_recorded(cin: Cin) -> pd.DataFrame:
    a = cin.assessments
    mask = a["factors"].str.contains("3A|3B|3C", regex=True) & (a["auth"] != timeline.OPEN)
    return a.loc[mask, ["child", "auth"]]


def _simulate(
    uni: Universe, geo: Geography, win: Window, cin: Cin, scale: float, seed: int
) -> Hclic:
    rng = stream(seed, "hclic")
    weight = hazards.child_weight(uni, geo.decile, da=2.0, mh=0.5, sm=0.8, slope=0.18)
    by_lsoa = np.argsort(uni.lsoa, kind="stable")
    lsoa_sorted = uni.lsoa[by_lsoa]
    da_pool = _da_recorded(cin)
    end_day = timeline.day(win.last.end)
    lsoas = geo.populated
    cases, kids = [], []
    for start_year in range(win.first.start_year - HCLIC_HISTORY_YEARS, win.last.start_year + 1):
        y0 = timeline.day(pd.Timestamp(start_year, 4, 1).date())
        y1 = timeline.day(pd.Timestamp(start_year + 1, 3, 31).date())
        mid = min(max(start_year, win.first_mid_year), win.last.population_mid_year)
        n_kids = children_total(uni, lsoas, mid)
        n1 = rng.poisson(scale * n_kids * TARGETS.homeless_children / 1.95 / 0.9)
        n0 = rng.poisson(1.5 * n1)
        age = timeline.age_on(uni.dob_month, y0)
        eligible = (age >= 0) & (age <= 15)
        w = np.where(eligible, weight, 0.0)
        lead = rng.choice(uni.n, size=n1, p=w / w.sum())
        family = np.r_[np.ones(n1, bool), np.zeros(n0, bool)]
        n = n1 + n0
        reason = np.where(
            family, choice_codes(rng, *_REASON_FAMILY, n=n), choice_codes(rng, *_REASON_SINGLE, n=n)
        )
        pool = da_pool[(da_pool["auth"] >= y0 - 730) & (da_pool["auth"] < y0)]
        pool = pool[eligible[pool["child"].to_numpy()]]
        swap = (reason[:n1] == "DOMABUSE") & (rng.random(n1) < 0.6)
        if len(pool) and swap.any():
            lead[swap] = pool["child"].to_numpy()[rng.integers(0, len(pool), int(swap.sum()))]
        no_kid_lsoa = rng.choice(lsoas, size=n0, p=_norm(hazards.deprivation(geo.decile[lsoas])))
        app = timeline.uniform_days(rng, np.full(n, y0), np.full(n, y1))
        duty = choice_codes(rng, *_DUTY, n=n)
        end = app + timeline.lognormal_days(rng, n, 56, 0.6, 7, 400)
        case = pd.DataFrame(
            {
                "app": app,
                "duty": duty,
                "reason": reason,
                "family": family,
                "lsoa": np.r_[uni.lsoa[lead], no_kid_lsoa],
                "htype": np.where(
                    family,
                    choice_codes(rng, *_TYPE_FAMILY, n=n),
                    choice_codes(rng, *_TYPE_SINGLE, n=n),
                ),
                "end": np.where(duty == "NODUTY", timeline.OPEN, end),
                "end_reason": np.where(duty == "NODUTY", "", choice_codes(rng, *_END, n=n)),
                "lead": np.r_[lead, np.full(n0, -1)],
                "key": rng.random(n),
            }
        )
        case.loc[case["family"] & (case["reason"] == "DOMABUSE"), "htype"] = "SPF"
        cases.append(case)
        extra = rng.choice(_KIDS[0], size=n1, p=_KIDS[1]) - 1
        slot_case = np.repeat(np.arange(n1), extra)
        lo = np.searchsorted(lsoa_sorted, uni.lsoa[lead][slot_case], side="left")
        hi = np.searchsorted(lsoa_sorted, uni.lsoa[lead][slot_case], side="right")
        sib = by_lsoa[lo + (rng.random(slot_case.size) * (hi - lo)).astype(int)]
        sib_age = timeline.age_at(uni.dob_month[sib], app[slot_case])
        ok = (sib_age >= 0) & (sib_age <= 17) & (sib != lead[slot_case])
        ok &= timeline.month_start_day(uni.dob_month[sib]) < app[slot_case]
        kids.append((len(cases) - 1, np.r_[np.arange(n1), slot_case[ok]], np.r_[lead, sib[ok]]))
    return _assemble(cases, kids, rng, end_day)


def _norm(w: np.ndarray) -> np.ndarray:
    return w / w.sum()


def _assemble(cases: list, kids: list, rng: np.random.Generator, end_day: int) -> Hclic:
    offsets = np.cumsum([0] + [len(c) for c in cases])
    allc = pd.concat(cases, ignore_index=True)
    allc = allc[allc["app"] <= end_day]
    children = pd.concat(
        [pd.DataFrame({"row": offsets[i] + rows, "child": child}) for i, rows, child in kids]
    ).drop_duplicates()
    allc = allc.sort_values(["app", "key"], kind="stable")
    allc["case_id"] = [f"HC{i + 1:08d}" for i in range(len(allc))]
    children = children[children["row"].isin(allc.index)]
    children["case_id"] = allc["case_id"].reindex(children["row"]).to_numpy()
    n = len(allc)
    # The initial assessment follows within a fortnight, inside the application's quarter.
    month = timeline.month_of(allc["app"].to_numpy())
    quarter_end = timeline.month_start_day(month - month % 3 + 3) - 1
    allc["assess"] = np.minimum(allc["app"] + rng.integers(0, 15, n), quarter_end)
    allc.loc[allc["end"] > end_day, ["end", "end_reason"]] = (timeline.OPEN, "")
    need_rows = []
    for need, p in _NEEDS.items():
        prob = np.where(allc["reason"] == "DOMABUSE", 0.95, p) if need == "DA" else np.full(n, p)
        if need == "YOUNGPAR":
            prob = np.where(allc["family"], prob, 0.0)
        hit = rng.random(n) < prob
        need_rows.append(pd.DataFrame({"case_id": allc["case_id"].to_numpy()[hit], "need": need}))
    support = pd.concat(need_rows, ignore_index=True)
    cases_out = allc[
        ["case_id", "app", "assess", "duty", "reason", "htype", "lsoa", "end", "end_reason"]
    ].reset_index(drop=True)
    return Hclic(cases_out, children[["case_id", "child"]].reset_index(drop=True), support)


def children_owed(h: Hclic, win: Window) -> np.ndarray:
    """Distinct children per reporting year in households owed a prevention or relief duty
    whose case is open in any quarter of the year."""
    owed = h.cases[h.cases["duty"].isin(codes.DUTY_OWED)]
    out = []
    for fy in win.years:
        y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
        open_ = owed[(owed["app"] <= y1) & (owed["end"] >= y0)]
        out.append(h.children.loc[h.children["case_id"].isin(open_["case_id"]), "child"].nunique())
    return np.array(out)


def placements(h: Hclic, seed: int) -> pd.DataFrame:
    """The cases' placements in temporary accommodation (see the module): each within its
    case's duty, from the application's week to the duty's end at the latest."""
    rng = stream(seed, "hclic", "temporary_accommodation")
    c = h.cases
    family = c["htype"].isin(_FAMILY_TYPES).to_numpy()
    chance = np.array([_PLACED.get((d, f), 0.0) for d, f in zip(c["duty"], family, strict=True)])
    placed = c[rng.random(len(c)) < chance]
    n = len(placed)
    app, case_end = placed["app"].to_numpy(np.int64), placed["end"].to_numpy(np.int64)
    start = np.minimum(app + rng.integers(0, 8, n), case_end)
    end = np.minimum(start + timeline.lognormal_days(rng, n, 120, 0.8, 1, 1000), case_end)
    moves = (rng.random(n) < _TA_MOVED) & (end > start + 1)
    move_day = start + np.maximum((end - start) // 3, 1)
    first = pd.DataFrame(
        {
            "case_id": placed["case_id"].to_numpy(),
            "start": start,
            "end": np.where(moves, move_day, end),
            "ta_type": choice_codes(rng, *_TA_FIRST, n=n),
        }
    )
    second = pd.DataFrame(
        {
            "case_id": placed["case_id"].to_numpy()[moves],
            "start": move_day[moves],
            "end": end[moves],
            "ta_type": choice_codes(rng, *_TA_MOVE, n=int(moves.sum())),
        }
    )
    out = pd.concat([first, second], ignore_index=True)
    return out.sort_values(["case_id", "start"], kind="stable", ignore_index=True)


def build(uni: Universe, geo: Geography, win: Window, cin: Cin, seed: int) -> Hclic:
    # A first pass at 4x the volume measures children per case with little noise.
    first = _simulate(uni, geo, win, cin, 4.0, seed)
    kids = np.array(
        [children_total(uni, geo.populated, fy.population_mid_year) for fy in win.years]
    )
    measured = (children_owed(first, win) / kids).mean() / 4.0
    h = _simulate(uni, geo, win, cin, TARGETS.homeless_children / max(measured, 1e-9), seed)
    return replace(h, ta=placements(h, seed))
