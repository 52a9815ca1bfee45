"""Looked-after children (SSDA903): periods of care split into episodes, and short breaks.

A period of care starts with an episode whose reason for new episode (RNE) is S; later episodes
of the same period start on the day the previous one ended (RNE P/L/T/U/B: change of placement
and/or legal status) and the previous one ends with REC X1. Periods of one child never overlap.
Periods end at the 18th birthday at the latest. Paths: adoption (young children: interim care
order C1, then placement order E1 and a placement for adoption, REC E11/E12), short (s20 V2,
police protection L1/L2), long (care orders C2, many placement moves) and youth-justice remand
(J1-J3, some ending in custody, REC E9). Disabled children receive series of short breaks (V3/V4),
some spanning 31 March, which DfE excludes from the headline count at 31 March. The outcome
tables (missing episodes, reviews, OC2, OC3) follow from the periods (``care_outcomes``), and
the rest of the return (UASC, AD1, PlacedAdoption, PrevPerm, SW episodes) from the periods and
episodes (``care_records``).

The entry rate is calibrated in two passes so that the mean number looked after at 31 March
over the reporting years matches the target share of children (same random numbers, rescaled
threshold, so the result stays deterministic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import care_outcomes, care_records, hazards, timeline
from tip_pipeline.sources.generator.config import CARE_HISTORY_YEARS, TARGETS, Window
from tip_pipeline.sources.generator.geography import Geography
from tip_pipeline.sources.generator.population import Universe, children_total
from tip_pipeline.sources.generator.randomness import choice_codes, stream

_AGE_W = np.array([2.6] + [1.0] * 4 + [0.65] * 5 + [1.0] * 6 + [1.2] * 2)
_REC = {
    "adoption": (("E11", "E12"), (0.6, 0.4)),
    "remand": (("E9", "E4A", "E13"), (0.4, 0.3, 0.3)),
    "short": (("E4A", "E13", "E4B", "E8"), (0.4, 0.35, 0.15, 0.1)),
    "long": (
        ("E4A", "E13", "E45", "E46", "E41", "E3", "E8", "E9", "E5"),
        (0.25, 0.2, 0.12, 0.08, 0.08, 0.02, 0.12, 0.02, 0.11),
    ),
    "aged_out": (("E5", "E17", "E8", "E48"), (0.3, 0.25, 0.3, 0.15)),
}
_FIRST_LS = {
    "adoption": (("C1",), (1.0,)),
    "remand": (("J1", "J2", "J3"), (0.5, 0.2, 0.3)),
    "short": (("V2", "L1", "L2", "C1"), (0.6, 0.1, 0.05, 0.25)),
    "long": (("V2", "C1", "L2", "C2"), (0.35, 0.5, 0.05, 0.1)),
}
_NEXT_LS = {"C1": "C2", "V2": "C2", "L1": "C1", "L2": "V2", "J1": "V2", "J2": "V2", "J3": "V2"}
_PLACE_CHILD = (
    ("U4", "U6", "U1", "U3", "U5", "U2", "K2", "R1", "P1", "R2", "Z1"),
    (0.30, 0.22, 0.08, 0.08, 0.02, 0.03, 0.08, 0.02, 0.14, 0.02, 0.01),
)
_PLACE_TEEN = (("U4", "U6", "K2", "H5", "P2", "R1", "Z1"), (0.25, 0.2, 0.2, 0.17, 0.12, 0.03, 0.03))
_PLACE_SECURE = (("K1", "S1", "K2", "U6"), (0.3, 0.2, 0.3, 0.2))
_PLACE_ADOPT = (("A4", "A5", "A6", "A3"), (0.4, 0.35, 0.15, 0.1))
_RNE_LATER = (("P", "L", "T", "U", "B"), (0.6, 0.2, 0.12, 0.06, 0.02))
_NEED = (tuple(f"N{i}" for i in range(1, 9)), (0.6, 0.05, 0.03, 0.07, 0.12, 0.02, 0.01, 0.1))
SHORT_BREAK_SHARE = 0.0007


@dataclass
class Care:
    periods: pd.DataFrame  # child, start, end, path, rec (long-term care, not short breaks)
    episodes: pd.DataFrame  # one row per 903 episode, codes as strings, dates as day numbers
    outcomes: care_outcomes.Outcomes  # missing episodes, reviews, OC2 and OC3
    records: care_records.Records  # UASC, AD1, PlacedAdoption, PrevPerm, SW episodes


def _entries(uni: Universe, geo: Geography, win: Window, base: float, seed: int) -> pd.DataFrame:
    rng = stream(seed, "care", "entries")
    weight = hazards.child_weight(uni, geo.decile, da=1.5, mh=1.0, sm=2.0)
    frames = []
    bday18 = timeline.birthday_day(uni.dob_month, 18)
    dob = timeline.month_start_day(uni.dob_month)
    for start_year in range(win.first.start_year - CARE_HISTORY_YEARS, win.last.start_year + 1):
        y0 = timeline.day(pd.Timestamp(start_year, 4, 1).date())
        y1 = timeline.day(pd.Timestamp(start_year + 1, 3, 31).date())
        age = timeline.age_on(uni.dob_month, y0)
        u = rng.random(uni.n)
        eligible = (age <= 17) & (dob + 7 <= y1)
        p = base * _AGE_W[np.clip(age, 0, 17)] * weight
        idx = np.flatnonzero(eligible & (u < p))
        lo = np.maximum(y0, dob[idx] + 7)
        hi = np.minimum(y1, bday18[idx] - 2)
        keep = hi >= lo
        idx, lo, hi = idx[keep], lo[keep], hi[keep]
        frames.append(pd.DataFrame({"child": idx, "start": timeline.uniform_days(rng, lo, hi)}))
    return pd.concat(frames, ignore_index=True)


def _periods(uni: Universe, entries: pd.DataFrame, end_day: int, seed: int) -> pd.DataFrame:
    rng = stream(seed, "care", "periods")
    n = len(entries)
    child = entries["child"].to_numpy()
    start = entries["start"].to_numpy()
    age = timeline.age_at(uni.dob_month[child], start)
    u = rng.random(n)
    path = np.where(
        (age < 4) & (u < 0.30),
        "adoption",
        np.where((age >= 13) & (u < 0.07), "remand", np.where(u < 0.42, "short", "long")),
    )
    dur = np.select(
        [path == "adoption", path == "remand", path == "short"],
        [
            rng.integers(450, 1000, n),
            rng.integers(10, 150, n),
            timeline.lognormal_days(rng, n, 40, 1.0, 2, 180),
        ],
        timeline.lognormal_days(rng, n, 850, 0.8, 181, 6500),
    )
    end = start + dur
    bday18 = timeline.birthday_day(uni.dob_month[child], 18)
    aged_out = end >= bday18
    end = np.where(aged_out, bday18, end)
    rec = np.empty(n, dtype=object)
    for name, (codes_, probs) in _REC.items():
        mask = (path == name) & ~aged_out if name != "aged_out" else aged_out
        rec[mask] = choice_codes(rng, codes_, list(probs), int(mask.sum()))
    periods = pd.DataFrame({"child": child, "start": start, "end": end, "path": path, "rec": rec})
    periods.loc[periods["end"] > end_day, ["end", "rec"]] = (timeline.OPEN, "")
    periods = periods.sort_values(["child", "start"], kind="stable").reset_index(drop=True)
    running = periods.groupby("child")["end"].cummax()
    prev_end = running.groupby(periods["child"]).shift(1)
    return periods[~(periods["start"] <= prev_end)].reset_index(drop=True)


def lac_at_31_march(periods: pd.DataFrame, win: Window) -> np.ndarray:
    """Children in a (non-short-break) period of care on each 31 March: DfE snapshot
    convention, an episode covers the day when DECOM <= day < DEC."""
    out = []
    for fy in win.years:
        d = timeline.day(fy.end)
        covering = (periods["start"] <= d) & (periods["end"] > d)
        out.append(periods.loc[covering, "child"].nunique())
    return np.array(out)


def simulate_periods(uni: Universe, geo: Geography, win: Window, seed: int) -> pd.DataFrame:
    end_day = timeline.day(win.last.end)
    kids = np.array(
        [children_total(uni, geo.populated, fy.population_mid_year) for fy in win.years]
    )
    # A first pass at twice the entry rate measures the stock with less noise.
    base = 0.0024
    periods = _periods(uni, _entries(uni, geo, win, base, seed), end_day, seed)
    measured = (lac_at_31_march(periods, win) / kids).mean()
    base *= TARGETS.lac_31mar / max(measured, 1e-9)
    return _periods(uni, _entries(uni, geo, win, base, seed), end_day, seed)


def _split_episodes(periods: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Cut each period into episodes at distinct days strictly inside it."""
    end = periods["end"].to_numpy()
    start = periods["start"].to_numpy()
    horizon = np.where(end == timeline.OPEN, start + 3650, end)
    dur = horizon - start
    k = np.minimum(rng.poisson(dur / 365.25 * 0.9), 6)
    k[periods["path"].to_numpy() == "adoption"] = np.maximum(k[periods["path"] == "adoption"], 1)
    k = np.minimum(k, np.maximum(dur - 1, 0))
    pid = np.repeat(np.arange(len(periods)), k)
    cut = start[pid] + 1 + (rng.random(pid.size) * (dur[pid] - 1)).astype("int64")
    cuts = pd.DataFrame({"pid": pid, "day": cut}).drop_duplicates().sort_values(["pid", "day"])
    firsts = pd.DataFrame({"pid": np.arange(len(periods)), "day": start})
    bounds = pd.concat([firsts, cuts]).sort_values(["pid", "day"], kind="stable")
    bounds = bounds.reset_index(drop=True)
    nxt = bounds.groupby("pid")["day"].shift(-1)
    last = nxt.isna().to_numpy()
    bounds["decom"] = bounds["day"]
    bounds["dec"] = np.where(last, end[bounds["pid"]], nxt.fillna(0).to_numpy("int64"))
    bounds["seq"] = bounds.groupby("pid").cumcount()
    bounds["last"] = last
    return bounds.drop(columns="day")


def build(uni: Universe, geo: Geography, win: Window, periods: pd.DataFrame, seed: int) -> Care:
    rng = stream(seed, "care", "episodes")
    reasons = codes.REASON_PLACE_CHANGE
    eps = _split_episodes(periods, rng)
    pid = eps["pid"].to_numpy()
    n = len(eps)
    per = periods.iloc[pid].reset_index(drop=True)
    child = per["child"].to_numpy()
    path = per["path"].to_numpy()
    seq = eps["seq"].to_numpy()
    rne = np.where(seq == 0, "S", choice_codes(rng, *_RNE_LATER, n=n)).astype(object)
    ls = np.empty(n, dtype=object)
    for name, (codes_, probs) in _FIRST_LS.items():
        mask = path == name
        ls[mask] = choice_codes(rng, codes_, list(probs), int(mask.sum()))
    # Legal status only moves on at episodes whose RNE says it changed (L, T, B).
    changes = np.isin(rne, ("L", "T", "B"))
    frame = pd.DataFrame({"pid": pid, "ls": ls, "chg": changes})
    first_ls = frame.groupby("pid")["ls"].transform("first").to_numpy()
    n_changes = frame.groupby("pid")["chg"].cumsum().to_numpy()
    ls = np.where(n_changes == 0, first_ls, pd.Series(first_ls).map(_NEXT_LS).fillna("C2"))
    ls = np.where((n_changes >= 2) & (ls == "C1"), "C2", ls).astype(object)
    last = eps["last"].to_numpy()
    adopt_final = (path == "adoption") & last & (seq > 0)
    ls[adopt_final] = "E1"
    rne[adopt_final] = "T"
    age = timeline.age_at(uni.dob_month[child], eps["decom"].to_numpy())
    place = np.where(
        age >= 16, choice_codes(rng, *_PLACE_TEEN, n=n), choice_codes(rng, *_PLACE_CHILD, n=n)
    ).astype(object)
    secure = np.isin(ls, ("J1", "J2", "J3"))
    place[secure] = choice_codes(rng, *_PLACE_SECURE, n=int(secure.sum()))
    place[adopt_final] = choice_codes(rng, *_PLACE_ADOPT, n=int(adopt_final.sum()))
    dec = eps["dec"].to_numpy()
    rec = np.where(last, per["rec"].to_numpy(), "X1").astype(object)
    rec[dec == timeline.OPEN] = ""
    need = choice_codes(rng, *_NEED, n=len(periods))[pid]
    episodes = pd.DataFrame(
        {
            "child": child,
            "decom": eps["decom"].to_numpy(),
            "rne": rne,
            "ls": ls,
            "cin": need,
            "place": place,
            "provider": _providers(rng, place),
            "dec": dec,
            "rec": rec,
            "rpc": np.where(
                np.isin(rne, ("P", "T", "U", "B")),
                choice_codes(rng, reasons, [1] * len(reasons), n),
                "",
            ),
            "pl_la": _placement_la(rng, geo, child, uni),
            "short_break": False,
        }
    )
    breaks = _short_breaks(uni, geo, win, periods, seed)
    episodes = pd.concat([episodes, breaks], ignore_index=True)
    episodes = episodes.sort_values(["child", "decom"], kind="stable", ignore_index=True)
    return Care(
        periods,
        episodes,
        care_outcomes.build(uni, win, periods, seed),
        care_records.build(uni, win, periods, episodes, seed),
    )


def _providers(rng: np.random.Generator, place: np.ndarray) -> np.ndarray:
    private = rng.random(place.size)
    return np.select(
        [
            np.isin(place, ("P1", "P2")),
            np.char.startswith(place.astype(str), "A"),
            place == "K2",
            np.char.startswith(place.astype(str), "U"),
        ],
        [
            np.full(place.size, "PR0"),
            np.where(private < 0.8, "PR1", "PR3"),
            np.where(private < 0.7, "PR4", "PR1"),
            np.where(private < 0.65, "PR1", "PR4"),
        ],
        np.where(private < 0.6, "PR1", "PR2"),
    ).astype(object)


def _placement_la(
    rng: np.random.Generator, geo: Geography, child: np.ndarray, uni: Universe
) -> np.ndarray:
    """The LA of the placement: mostly the home LA, some out of area, a few blank."""
    codes_ = geo.las["code"].to_numpy()
    home = codes_[geo.lsoa_la[uni.lsoa[child]]]
    u = rng.random(child.size)
    other = codes_[rng.integers(0, codes_.size, child.size)]
    return np.where(u < 0.78, home, np.where(u < 0.97, other, "")).astype(object)


def _short_breaks(
    uni: Universe, geo: Geography, win: Window, periods: pd.DataFrame, seed: int
) -> pd.DataFrame:
    """Series of short breaks (V3/V4) for disabled children never otherwise in care: 6-10
    breaks a year of 1-4 nights, one in about two years spanning 31 March."""
    rng = stream(seed, "care", "short_breaks")
    first = timeline.day(win.first.start)
    age0 = timeline.age_on(uni.dob_month, first)
    pool = np.flatnonzero((age0 >= 3) & (age0 <= 15))
    pool = np.setdiff1d(pool, periods["child"].to_numpy())
    kids = round(SHORT_BREAK_SHARE * np.sum((age0 >= 0) & (age0 <= 17)))
    chosen = rng.choice(pool, size=min(kids, pool.size), replace=False)
    rows = []
    for fy in win.years:
        for m in range(12):
            takes = chosen[rng.random(chosen.size) < 0.7]
            month0 = timeline.day(
                pd.Timestamp(fy.start_year + (m + 3) // 12, (m + 3) % 12 + 1, 1).date()
            )
            start = month0 + 4 + rng.integers(0, 16, takes.size)
            rows.append((takes, start, start + rng.integers(1, 5, takes.size)))
        spans = chosen[rng.random(chosen.size) < 0.45]
        d31 = timeline.day(fy.end)
        start = d31 - rng.integers(0, 3, spans.size)
        rows.append((spans, start, d31 + 1 + rng.integers(0, 3, spans.size)))
    child = np.concatenate([r[0] for r in rows])
    decom = np.concatenate([r[1] for r in rows])
    dec = np.concatenate([r[2] for r in rows])
    bday18 = timeline.birthday_day(uni.dob_month[child], 18)
    keep = (dec < bday18) & (decom <= timeline.day(win.last.end))
    child, decom, dec = child[keep], decom[keep], dec[keep]
    dec = np.where(dec > timeline.day(win.last.end), timeline.OPEN, dec)
    n = child.size
    return pd.DataFrame(
        {
            "child": child,
            "decom": decom,
            "rne": "S",
            "ls": choice_codes(rng, ("V3", "V4"), [0.8, 0.2], n),
            "cin": "N2",
            "place": choice_codes(rng, ("U6", "K2"), [0.6, 0.4], n),
            "provider": "PR1",
            "dec": dec,
            "rec": np.where(dec == timeline.OPEN, "", "E4A").astype(object),
            "rpc": "",
            "pl_la": geo.las["code"].to_numpy()[geo.lsoa_la[uni.lsoa[child]]],
            "short_break": True,
        }
    )
