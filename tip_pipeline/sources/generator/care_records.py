"""The rest of the SSDA903 return for the looked-after children (``care``): the UASC, AD1,
PlacedAdoption, PrevPerm and social worker episode tables, simulated from the same periods and
episodes of care (short breaks left out, as DfE leaves them out of these tables).

What DfE asks of each (*Children looked after return (SSDA903): guide to the return*), and the
synthetic model of it:

- **UASC**: each child who was an unaccompanied asylum-seeking child at any time in the year,
  with the date the status ceased (DUC), at the 18th birthday at the latest (DfE rule 304).
  Such children mostly come into care as teenagers, accommodated under section 20 (legal
  status V2): a share of the periods begun at 14 or older under V2 are theirs, and the status
  ceases at 18 (the generator's 18th birthday, the first of the birth month).
- **PlacedAdoption**: each decision that a child should be placed for adoption. Every child
  of the adoption path has one, taken some months before the adoption placement (A3-A6) begins
  (DfE rule 552); about :data:`REVERSED_SHARE` of them had an earlier decision reversed
  (DATE_PLACED_CEASED, REASON_PLACED_CEASED RD1-RD4) that ended before the new one was taken
  (rule 579). A decision that ended in adoption has no DATE_PLACED_CEASED (rule 558).
- **AD1**: each child adopted in the year (an episode ceasing E11 or E12): the decision that
  adoption is in the child's interests (DATE_INT, the day of the decision to place, rule 523),
  the match with the adopters (DATE_MATCH, between that and the placement), whether the
  adopters are the child's foster carers (FOSTER_CARE: the A3 and A5 placements are with the
  current foster carers), how many adopters, their sex and legal status, consistent with one
  another (rules 511, 514, 517-520, 524).
- **PrevPerm**: each child starting a period of care in the year, with the permanence order
  they had before, if any: mostly none (Z1); otherwise adoption, special guardianship, a
  residence order (made before April 2014, when child arrangements orders replaced them) or a
  child arrangements order, its authority often not given, and its date, before the period
  began (rule 632), given to the day, to the month or year only, or not at all (DfE's ZZ).
- **SW episodes** (from 2023/24): the social workers of each period of care, one after
  another from the day the period begins to the day it ends, each change with its reason; the
  first of a period is mostly a transfer to the looked-after children's team. Social workers
  are drawn from the authority's pool (:data:`CHILDREN_PER_WORKER`), two successive ones
  never the same.

Each part draws from its own random stream (``randomness.stream``), so the files of the other
extracts do not change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import timeline
from tip_pipeline.sources.generator.config import Window
from tip_pipeline.sources.generator.population import Universe
from tip_pipeline.sources.generator.randomness import choice_codes, stream

#: UASC: the share of periods begun at 14 or older under section 20 (V2) that are a UASC's
UASC_SHARE = 0.35
UASC_FROM_AGE = 14
#: PlacedAdoption: the days between the decision to place and the adoption placement
DECISION_BEFORE_PLACEMENT = (60, 300)
#: the share of adopted children with an earlier decision that was reversed
REVERSED_SHARE = 0.1
_REVERSAL = (tuple(codes.REASON_PLACED_CEASED), (0.25, 0.3, 0.15, 0.3))
#: AD1: the share of adoptions by two adopters, and their sexes and legal statuses
TWO_ADOPTERS_SHARE = 0.88
_ONE_ADOPTER_SEX = (("F1", "M1"), (0.85, 0.15))
_COUPLE_SEX = (("MF", "FF", "MM"), (0.85, 0.08, 0.07))
_MIXED_COUPLE_STATUS = (("L11", "L2", "L3"), (0.75, 0.05, 0.2))
_SAME_SEX_COUPLE_STATUS = (("L12", "L2", "L4"), (0.45, 0.35, 0.2))
#: PrevPerm: the previous permanence orders of children entering care
_PREVIOUS = (("Z1", "P1", "P2", "P3", "P4"), (0.93, 0.02, 0.03, 0.005, 0.015))
#: the day residence orders gave way to child arrangements orders (Children and Families Act
#: 2014, in force 22 April 2014)
RESIDENCE_ORDERS_END = timeline.day(pd.Timestamp(2014, 4, 22).date())
#: the share of previous orders whose arranging authority is given (DfE: often blank)
LA_PERM_GIVEN_SHARE = 0.45
#: how precisely DATE_PERM is known: the day, the month, the year, not at all
_PRECISION = (("day", "month", "year", "none"), (0.6, 0.25, 0.12, 0.03))
#: SW episodes: children in care for each social worker, and the episodes' length in days
CHILDREN_PER_WORKER = 12
SW_MEDIAN_DAYS, SW_SIGMA, SW_DAYS = 240, 0.7, (30, 1500)
_FIRST_REASON = (("TSPROC", "MANAGE"), (0.7, 0.3))
_LATER_REASON = (
    ("MANAGE", "LEFTRL", "FCONTA", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "OTHERS"),
    (0.25, 0.25, 0.08, 0.07, 0.12, 0.06, 0.04, 0.08, 0.05),
)


@dataclass
class Records:
    """The five tables' simulated rows over the whole window (days as day numbers,
    ``timeline.OPEN`` where none): ``uasc`` (child, start, end of the period, duc),
    ``placed`` (child, start, end of the period, placed, ceased, reason), ``ad1`` (child,
    adopted and DfE's columns), ``prev_perm`` (child, start, prev_perm, la_perm, date_perm as
    the contract writes it) and ``sw`` (child, worker, start, end, reason); ``workers`` is the
    size of the social workers' pool (numbered from 0)."""

    uasc: pd.DataFrame
    placed: pd.DataFrame
    ad1: pd.DataFrame
    prev_perm: pd.DataFrame
    sw: pd.DataFrame
    workers: int


def _first_episodes(periods: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """The first episode of each period (the one beginning the day the period does)."""
    keys = periods[["child", "start"]].rename(columns={"start": "decom"})
    return keys.merge(episodes, on=["child", "decom"], how="left")


def uasc(uni: Universe, periods: pd.DataFrame, episodes: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The periods of unaccompanied asylum-seeking children: begun at 14 or older under
    section 20, a share of them; the status ceases at the 18th birthday."""
    rng = stream(seed, "care", "uasc")
    first = _first_episodes(periods, episodes)
    child = periods["child"].to_numpy()
    age = timeline.age_at(uni.dob_month[child], periods["start"].to_numpy())
    eligible = (age >= UASC_FROM_AGE) & (first["ls"].to_numpy() == "V2")
    chosen = eligible & (rng.random(child.size) < UASC_SHARE)
    frame = periods.loc[chosen, ["child", "start", "end"]].reset_index(drop=True)
    frame["duc"] = timeline.birthday_day(uni.dob_month[frame["child"].to_numpy()], 18)
    return frame


def _adoption_placements(periods: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """Each period's adoption placement (the episode placed A3-A6) with its period."""
    placed = episodes[episodes["place"].isin(codes.ADOPTION_PLACEMENTS)]
    placed = placed[~placed["short_break"]]
    with_period = pd.merge_asof(
        placed.sort_values("decom"),
        periods[["child", "start", "end"]].sort_values("start"),
        left_on="decom",
        right_on="start",
        by="child",
    )
    return with_period.sort_values(["child", "decom"], kind="stable", ignore_index=True)


def placed_for_adoption(
    periods: pd.DataFrame, episodes: pd.DataFrame, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The decisions to place for adoption (with the earlier reversed ones) and the adoption
    placements they led to (for AD1)."""
    rng = stream(seed, "care", "placed_adoption")
    a = _adoption_placements(periods, episodes)
    n = len(a)
    start, placement = a["start"].to_numpy(), a["decom"].to_numpy()
    lead = rng.integers(*DECISION_BEFORE_PLACEMENT, n)
    decided = np.maximum(placement - lead, start)
    decisions = pd.DataFrame(
        {
            "child": a["child"].to_numpy(),
            "start": start,
            "end": a["end"].to_numpy(),
            "placed": decided,
            "ceased": timeline.OPEN,
            "reason": "",
        }
    )
    # an earlier decision, reversed at least a month before the new one was taken
    room = decided - start
    earlier = (rng.random(n) < REVERSED_SHARE) & (room >= 90)
    first = start + (rng.random(n) * room * 0.4).astype("int64")
    ceased = first + 30 + (rng.random(n) * np.maximum(decided - first - 60, 1)).astype("int64")
    reversed_ = decisions[earlier].assign(
        placed=first[earlier],
        ceased=np.minimum(ceased[earlier], decided[earlier] - 30),
        reason=choice_codes(rng, *_REVERSAL, n=int(earlier.sum())),
    )
    rows = pd.concat([decisions, reversed_], ignore_index=True)
    a = a.assign(decided=decided)
    return rows.sort_values(["child", "placed"], kind="stable", ignore_index=True), a


def ad1(placements: pd.DataFrame, seed: int) -> pd.DataFrame:
    """AD1's rows: the adoption placements that ended in adoption (REC E11, E12)."""
    rng = stream(seed, "care", "ad1")
    a = placements[
        placements["rec"].isin(codes.ADOPTED) & (placements["dec"] != timeline.OPEN)
    ].reset_index(drop=True)
    n = len(a)
    decided, placed = a["decided"].to_numpy(), a["decom"].to_numpy()
    match = decided + ((placed - decided) * rng.uniform(0.5, 0.95, n)).astype("int64")
    two = rng.random(n) < TWO_ADOPTERS_SHARE
    sex = np.where(
        two, choice_codes(rng, *_COUPLE_SEX, n=n), choice_codes(rng, *_ONE_ADOPTER_SEX, n=n)
    )
    status = np.where(
        ~two,
        "L0",
        np.where(
            sex == "MF",
            choice_codes(rng, *_MIXED_COUPLE_STATUS, n=n),
            choice_codes(rng, *_SAME_SEX_COUPLE_STATUS, n=n),
        ),
    )
    return pd.DataFrame(
        {
            "child": a["child"].to_numpy(),
            "adopted": a["dec"].to_numpy(),
            "DATE_INT": decided,
            "DATE_MATCH": match,
            "FOSTER_CARE": np.where(
                a["place"].isin(codes.ADOPTION_WITH_FOSTER_CARERS), "1", "0"
            ).astype(object),
            "NB_ADOPTR": np.where(two, "2", "1").astype(object),
            "SEX_ADOPTR": sex.astype(object),
            "LS_ADOPTR": status.astype(object),
        }
    )


def _date_text(days: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Days as the contract writes a date known to ``precision``: yyyy-mm-dd, yyyy-mm, yyyy,
    or empty."""
    iso = timeline.iso(days).astype(str)
    cut = np.select(
        [precision == "day", precision == "month", precision == "year"],
        [iso, np.char.ljust(iso, 7).astype("U7"), np.char.ljust(iso, 4).astype("U4")],
        "",
    )
    return cut.astype(object)


def prev_perm(uni: Universe, periods: pd.DataFrame, seed: int) -> pd.DataFrame:
    """One row per period of care: the permanence order the child had before it, if any."""
    rng = stream(seed, "care", "prev_perm")
    child, start = periods["child"].to_numpy(), periods["start"].to_numpy()
    n = child.size
    kind = choice_codes(rng, *_PREVIOUS, n=n).astype(object)
    born = timeline.month_start_day(uni.dob_month[child])
    latest = np.where(kind == "P3", np.minimum(start - 30, RESIDENCE_ORDERS_END - 1), start - 30)
    kind = np.where((kind == "P3") & (latest < born + 60), "P4", kind)
    latest = np.where(kind == "P3", latest, start - 30)
    kind = np.where((kind != "Z1") & (latest < born + 60), "Z1", kind)
    day = born + 60 + (rng.random(n) * np.maximum(latest - born - 60, 0)).astype("int64")
    precision = choice_codes(rng, *_PRECISION, n=n)
    has_order = kind != codes.NO_PREVIOUS_PERMANENCE
    la = np.asarray(codes.LA_NUMBERS, dtype=object)[rng.integers(0, len(codes.LA_NUMBERS), n)]
    la_given = has_order & (rng.random(n) < LA_PERM_GIVEN_SHARE)
    return pd.DataFrame(
        {
            "child": child,
            "start": start,
            "PREV_PERM": kind,
            "LA_PERM": np.where(la_given, la, "").astype(object),
            "DATE_PERM": np.where(has_order, _date_text(day, precision), "").astype(object),
        }
    )


def _sw_lengths(rng: np.random.Generator, n: int) -> np.ndarray:
    return timeline.lognormal_days(rng, n, SW_MEDIAN_DAYS, SW_SIGMA, *SW_DAYS)


def sw_episodes(periods: pd.DataFrame, win: Window, seed: int) -> tuple[pd.DataFrame, int]:
    """Social worker episodes covering each period of care, end to end, and the pool's size."""
    rng = stream(seed, "care", "sw_episodes")
    workers = max(CHILDREN_PER_WORKER, len(periods) // CHILDREN_PER_WORKER)
    start = periods["start"].to_numpy()
    horizon = np.minimum(periods["end"].to_numpy(), timeline.day(win.last.end) + 1)
    most = np.ceil(np.maximum(horizon - start, 1) / SW_DAYS[0]).astype("int64") + 1
    most = np.minimum(most, 60)
    pid = np.repeat(np.arange(start.size), most)
    lengths = _sw_lengths(rng, pid.size)
    begin_offset = pd.Series(lengths).groupby(pid).cumsum().to_numpy() - lengths
    begin = start[pid] + begin_offset
    keep = begin < horizon[pid]
    pid, begin = pid[keep], begin[keep]
    end_of_period = periods["end"].to_numpy()[pid]
    following = pd.Series(begin).groupby(pid).shift(-1).to_numpy()
    end = np.where(np.isnan(following), end_of_period, following).astype("int64")
    seq = pd.Series(pid).groupby(pid).cumcount().to_numpy()
    worker = rng.integers(0, workers, pid.size)
    same = np.r_[False, (pid[1:] == pid[:-1]) & (worker[1:] == worker[:-1])]
    worker = np.where(same, (worker + 1) % workers, worker)
    reason = np.where(
        seq == 0,
        choice_codes(rng, *_FIRST_REASON, n=pid.size),
        choice_codes(rng, *_LATER_REASON, n=pid.size),
    ).astype(object)
    frame = pd.DataFrame(
        {
            "child": periods["child"].to_numpy()[pid],
            "worker": worker,
            "start": begin,
            "end": end,
            "reason": reason,
        }
    )
    return frame, workers


def build(
    uni: Universe, win: Window, periods: pd.DataFrame, episodes: pd.DataFrame, seed: int
) -> Records:
    """The five tables' rows over the whole window."""
    decisions, placements = placed_for_adoption(periods, episodes, seed)
    sw, workers = sw_episodes(periods, win, seed)
    return Records(
        uasc=uasc(uni, periods, episodes, seed),
        placed=decisions,
        ad1=ad1(placements, seed),
        prev_perm=prev_perm(uni, periods, seed),
        sw=sw,
        workers=workers,
    )
