"""Dates as integer day numbers (days since 1970-01-01) so that whole timelines are numpy
arrays; ``OPEN`` marks an end that has not happened (blank in a file).

Dates of birth are months (months since January 1970): extracts cut them to the first of the
month (docs/DOMAIN.md, "Extracts are anonymised before they arrive"), and ages are computed
from that month-truncated date (docs/CONVENTIONS.md, "Population, geography and age":
truncation can only make a child look older by less than a month).
"""

from __future__ import annotations

from datetime import date

import numpy as np

OPEN = np.int64(10**9)
_EPOCH = date(1970, 1, 1)


def day(d: date) -> int:
    return (d - _EPOCH).days


def month_start_day(months: np.ndarray) -> np.ndarray:
    """Day number of the first of each month index."""
    return (
        np.asarray(months, dtype="int64")
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype("int64")
    )


def month_of(days: np.ndarray) -> np.ndarray:
    """Month index containing each day."""
    return (
        np.asarray(days, dtype="int64")
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype("int64")
    )


def age_at(dob_month: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Completed years of age on ``days`` for a date of birth on the first of ``dob_month``."""
    return (month_of(days) - np.asarray(dob_month, dtype="int64")) // 12


def age_on(dob_month: np.ndarray, day_number: int) -> np.ndarray:
    """:func:`age_at` for one day shared by every child (no per-child date conversion)."""
    month = int(month_of(np.array([day_number]))[0])
    return (month - np.asarray(dob_month, dtype="int64")) // 12


def birthday_day(dob_month: np.ndarray, years: int) -> np.ndarray:
    """The day a child born on the first of ``dob_month`` turns ``years``."""
    return month_start_day(np.asarray(dob_month, dtype="int64") + 12 * years)


def iso(days: np.ndarray) -> np.ndarray:
    """ISO yyyy-mm-dd strings; OPEN becomes the empty string."""
    days = np.asarray(days, dtype="int64")
    out = np.datetime_as_string(np.where(days == OPEN, 0, days).astype("datetime64[D]"))
    return np.where(days == OPEN, "", out).astype(object)


def uniform_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A uniformly random day in [lo, hi] (inclusive); hi < lo gives lo."""
    lo = np.asarray(lo, dtype="int64")
    span = np.maximum(np.asarray(hi, dtype="int64") - lo, 0) + 1
    return lo + (rng.random(lo.shape) * span).astype("int64")


def lognormal_days(
    rng: np.random.Generator, n: int, median: float, sigma: float, lo: int, hi: int
) -> np.ndarray:
    """Durations in days, log-normal around ``median``, clipped to [lo, hi]."""
    return np.clip(np.round(median * np.exp(sigma * rng.standard_normal(n))), lo, hi).astype(
        "int64"
    )
