"""The SSDA903 outcome tables of the looked-after children (``care``): missing episodes,
reviews, OC2 and OC3, simulated from the same periods of care (short breaks left out).

What DfE asks of each (*Children looked after return (SSDA903): guide to the return*), and the
synthetic model of it:

- **Missing**: every period a looked-after child is missing from the placement (M) or away
  from it without authorisation (A). A share of periods of care has missing children,
  teenagers far more than younger children (about one looked-after child in nine goes missing
  in a year nationally, most of them several times); an episode lasts from the same day to a
  few weeks, always within the period of care, and one child's episodes never overlap (DfE rule
  574).
- **Reviews**: the statutory reviews of the care plan: the first within 20 working days of
  entering care, the second within three months of it, then every six months (Care Planning,
  Placement and Case Review (England) Regulations 2010, regulation 33). Most are held a
  little early; some are late (the timeliness the outcome measures will count). REVIEW_CODE
  is PN0 for a child under 4, otherwise one of PN1-PN7.
- **OC2**: each child looked after continuously for at least 12 months at 31 March (a period
  of care begun a year or more before and still open): an SDQ score for ages 4-16 (or the
  reason there is none), conviction, health checks, immunisations, teeth, development
  assessments under 5, substance misuse and its interventions.
- **OC3**: each care leaver whose 19th, 20th or 21st birthday falls in the year and who was
  looked after at least 13 weeks after their 14th birthday, some of it after their 16th:
  whether the authority is in touch, their activity and their accommodation (0 for both when
  the authority does not know them).

Each part draws from its own random stream (``randomness.stream``), per year where the table is
per year, so the files of the other extracts do not change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import timeline
from tip_pipeline.sources.generator.config import Window
from tip_pipeline.sources.generator.population import Universe
from tip_pipeline.sources.generator.randomness import choice_codes, stream

#: share of periods of care with missing episodes, by age at entry (under 10, 10 and over)
MISSING_SHARE = (0.03, 0.3)
#: missing episodes a year of care, for a child who goes missing
MISSING_PER_YEAR = 3.0
#: kinds of absence: missing, away without authorisation
MISSING_KIND = (("M", "A"), (0.75, 0.25))
#: statutory review intervals in days: the first (20 working days), the second (three months
#: after the first), then every six months
REVIEW_FIRST, REVIEW_SECOND, REVIEW_LATER = 28, 91, 182
#: share of reviews held late, and by how many days at most
REVIEW_LATE_SHARE, REVIEW_LATE_DAYS = 0.08, 60
_PARTICIPATION = (
    ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"),
    (0.45, 0.1, 0.05, 0.05, 0.15, 0.12, 0.08),
)
#: OC2: at least 12 months looked after at 31 March
OC2_DAYS = 365
_SDQ_NO_SCORE = (("SDQ2", "SDQ3", "SDQ4", "SDQ5"), (0.3, 0.25, 0.3, 0.15))
#: OC3: the birthdays of the cohort, and what makes a care leaver of it
OC3_BIRTHDAYS = (19, 20, 21)
OC3_DAYS_AFTER_14 = 91
_IN_TOUCH = (("YES", "NO", "REFU", "NREQ", "RHOM", "DIED"), (0.87, 0.05, 0.03, 0.03, 0.015, 0.005))
#: IN_TOUCH answers after which the authority does not know the activity or accommodation
IN_TOUCH_UNKNOWN = ("NO", "REFU", "DIED")
_ACTIVITY = (
    ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6"),
    (0.07, 0.01, 0.2, 0.03, 0.05, 0.01, 0.15, 0.05, 0.12, 0.25, 0.06),
)
_ACCOMMODATION = (
    ("B", "C", "D", "E", "G", "H", "K", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"),
    (0.15, 0.01, 0.2, 0.06, 0.005, 0.001, 0.02, 0.005, 0.01, 0.05, 0.329, 0.005, 0.005, 0.03,
     0.05, 0.07),
)  # fmt: skip
ACCOMMODATION_SUITABLE_SHARE = 0.88


@dataclass
class Outcomes:
    """The four tables' simulated rows: ``missing`` (child, start, end, kind; day numbers,
    ``timeline.OPEN`` still missing) and ``reviews`` (child, day, code) over the whole window;
    ``oc2`` and ``oc3`` per reporting year (``end_year``, child, then DfE's columns as text)."""

    missing: pd.DataFrame
    reviews: pd.DataFrame
    oc2: pd.DataFrame
    oc3: pd.DataFrame


def _horizon(periods: pd.DataFrame, win: Window) -> np.ndarray:
    """The last day of each period that the window can see (its end, or the window's)."""
    end = periods["end"].to_numpy()
    return np.minimum(end, timeline.day(win.last.end) + 1)


def missing_episodes(uni: Universe, periods: pd.DataFrame, win: Window, seed: int) -> pd.DataFrame:
    """Missing and away-without-authorisation episodes inside the periods of care; a child's
    episodes never overlap (the later of two is dropped)."""
    rng = stream(seed, "care", "missing")
    child = periods["child"].to_numpy()
    start = periods["start"].to_numpy()
    horizon = _horizon(periods, win)
    age = timeline.age_at(uni.dob_month[child], start)
    share = np.where(age >= 10, MISSING_SHARE[1], MISSING_SHARE[0])
    goes = rng.random(child.size) < share
    years = np.maximum(horizon - start, 0) / 365.25
    n = np.where(goes, rng.poisson(MISSING_PER_YEAR * years + 0.5), 0)
    pid = np.repeat(np.arange(child.size), n)
    span = np.maximum(horizon[pid] - start[pid], 1)
    begin = start[pid] + (rng.random(pid.size) * span).astype("int64")
    length = timeline.lognormal_days(rng, pid.size, 1.0, 1.2, 0, 30)
    end = np.minimum(begin + length, periods["end"].to_numpy()[pid])
    kind = choice_codes(rng, *MISSING_KIND, n=pid.size)
    frame = pd.DataFrame({"child": child[pid], "start": begin, "end": end, "kind": kind})
    frame = frame.sort_values(["child", "start"], kind="stable", ignore_index=True)
    frame = frame.drop_duplicates(["child", "start"])
    previous_end = frame.groupby("child")["end"].shift(1)
    return frame[~(frame["start"] <= previous_end)].reset_index(drop=True)


def reviews(uni: Universe, periods: pd.DataFrame, win: Window, seed: int) -> pd.DataFrame:
    """The statutory reviews of each period of care, until it ends or the window does."""
    rng = stream(seed, "care", "reviews")
    start = periods["start"].to_numpy()
    horizon = _horizon(periods, win)
    most = np.ceil(np.maximum(horizon - start, 0) / REVIEW_LATER).astype("int64") + 2
    pid = np.repeat(np.arange(start.size), most)
    seq = np.arange(pid.size) - np.repeat(np.cumsum(most) - most, most)
    nominal = np.where(seq == 0, REVIEW_FIRST, np.where(seq == 1, REVIEW_SECOND, REVIEW_LATER))
    early = rng.integers(0, 15, pid.size)
    late = np.where(
        rng.random(pid.size) < REVIEW_LATE_SHARE, rng.integers(1, REVIEW_LATE_DAYS, pid.size), 0
    )
    gap = np.maximum(nominal - early + late, 1)
    day = start[pid] + pd.Series(gap).groupby(pid).cumsum().to_numpy()
    keep = day < horizon[pid]
    pid, day = pid[keep], day[keep]
    child = periods["child"].to_numpy()[pid]
    under_4 = timeline.age_at(uni.dob_month[child], day) < 4
    code = np.where(
        under_4, codes.REVIEW_UNDER_4, choice_codes(rng, *_PARTICIPATION, n=pid.size)
    ).astype(object)
    frame = pd.DataFrame({"child": child, "day": day, "code": code})
    return frame.sort_values(["child", "day"], kind="stable", ignore_index=True)


def _yes(rng: np.random.Generator, share: float, n: int) -> np.ndarray:
    return np.where(rng.random(n) < share, "1", "0").astype(object)


def oc2_year(uni: Universe, periods: pd.DataFrame, fy: FinancialYear, seed: int) -> pd.DataFrame:
    """The OC2 rows of ``fy``: children in a period of care open on 31 March that began at
    least 12 months before it."""
    rng = stream(seed, "care", "oc2", fy.tag)
    d31 = timeline.day(fy.end)
    cohort = periods[(periods["start"] <= d31 - OC2_DAYS) & (periods["end"] > d31)]
    child = np.sort(cohort["child"].to_numpy())
    n = child.size
    age = timeline.age_at(uni.dob_month[child], np.full(n, d31))
    sdq_age = (age >= codes.SDQ_AGES[0]) & (age <= codes.SDQ_AGES[1])
    scored = sdq_age & (rng.random(n) < 0.78)
    score = np.clip(np.round(rng.normal(14, 7, n)), 0, codes.SDQ_MAX).astype("int64")
    reason = np.where(sdq_age, choice_codes(rng, *_SDQ_NO_SCORE, n=n), "SDQ1")
    misuse = np.where(age >= 11, _yes(rng, 0.06, n), "0")
    received = _yes(rng, 0.6, n)
    refused = np.where(received == "1", "0", _yes(rng, 0.5, n))
    return pd.DataFrame(
        {
            "end_year": fy.end_year,
            "child": child,
            "SDQ_SCORE": np.where(scored, score.astype(str), "").astype(object),
            "SDQ_REASON": np.where(scored, "", reason).astype(object),
            "CONVICTED": np.where(age >= 10, _yes(rng, 0.04, n), "0").astype(object),
            "HEALTH_CHECK": _yes(rng, 0.89, n),
            "IMMUNISATIONS": _yes(rng, 0.85, n),
            "TEETH_CHECK": _yes(rng, 0.8, n),
            "HEALTH_ASSESSMENT": np.where(age < 5, _yes(rng, 0.88, n), "").astype(object),
            "SUBSTANCE_MISUSE": misuse.astype(object),
            "INTERVENTION_RECEIVED": np.where(misuse == "1", received, "").astype(object),
            "INTERVENTION_OFFERED": np.where(misuse == "1", refused, "").astype(object),
        }
    )


def care_leavers(uni: Universe, periods: pd.DataFrame) -> np.ndarray:
    """Children who were looked after at least 13 weeks after their 14th birthday, some of it
    after their 16th (DfE's OC3 cohort, before the birthdays of the year)."""
    child = periods["child"].to_numpy()
    start = periods["start"].to_numpy()
    end = periods["end"].to_numpy()
    fourteen = timeline.birthday_day(uni.dob_month[child], 14)
    sixteen = timeline.birthday_day(uni.dob_month[child], 16)
    after_14 = np.maximum(end - np.maximum(start, fourteen), 0)
    totals = pd.DataFrame(
        {"child": child, "after_14": after_14, "after_16": end > np.maximum(start, sixteen)}
    ).groupby("child")[["after_14", "after_16"]]
    summed = totals.agg({"after_14": "sum", "after_16": "any"})
    eligible = (summed["after_14"] >= OC3_DAYS_AFTER_14) & summed["after_16"]
    return summed.index[eligible].to_numpy()


def oc3_year(uni: Universe, leavers: np.ndarray, fy: FinancialYear, seed: int) -> pd.DataFrame:
    """The OC3 rows of ``fy``: the care leavers whose 19th, 20th or 21st birthday is in it."""
    rng = stream(seed, "care", "oc3", fy.tag)
    y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
    born = uni.dob_month[leavers]
    in_year = np.zeros(leavers.size, dtype=bool)
    for years in OC3_BIRTHDAYS:
        birthday = timeline.birthday_day(born, years)
        in_year |= (birthday >= y0) & (birthday <= y1)
    child = np.sort(leavers[in_year])
    n = child.size
    touch = choice_codes(rng, *_IN_TOUCH, n=n)
    unknown = np.isin(touch, IN_TOUCH_UNKNOWN)
    activity = choice_codes(rng, *_ACTIVITY, n=n)
    kind = choice_codes(rng, *_ACCOMMODATION, n=n)
    kind = np.where(touch == "RHOM", "B", kind)
    never = np.isin(kind, codes.ACCOMMODATION_NEVER_SUITABLE)
    suitable = ~never & (rng.random(n) < ACCOMMODATION_SUITABLE_SHARE)
    accommodation = np.char.add(kind.astype(str), np.where(suitable, "1", "2"))
    return pd.DataFrame(
        {
            "end_year": fy.end_year,
            "child": child,
            "IN_TOUCH": touch,
            "ACTIV": np.where(unknown, "0", activity).astype(object),
            "ACCOM": np.where(unknown, "0", accommodation).astype(object),
        }
    )


def build(uni: Universe, win: Window, periods: pd.DataFrame, seed: int) -> Outcomes:
    """The four tables' rows for every reporting year of ``win``."""
    leavers = care_leavers(uni, periods)
    return Outcomes(
        missing=missing_episodes(uni, periods, win, seed),
        reviews=reviews(uni, periods, win, seed),
        oc2=pd.concat([oc2_year(uni, periods, fy, seed) for fy in win.years], ignore_index=True),
        oc3=pd.concat([oc3_year(uni, leavers, fy, seed) for fy in win.years], ignore_index=True),
    )
