"""Person attributes as every indicator counts them (docs/CONVENTIONS.md, "Population, geography
and age" and "Codes across years"): harmonised sex, ethnic group, age at a reference date, age
band, and the two period tests (open on a day; dated in the year)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tip_pipeline.sources import codes

#: sex from either coding (1/2/0/9 up to 2023/24, M/F/U from 2024/25) -> M, F, U
SEX_HARMONISED: dict[str, str] = {**codes.SEX_NUMERIC, **codes.SEX_LETTER}
SEX_CATEGORIES = ("M", "F", "U")
NOT_RECORDED = "Not recorded"
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", NOT_RECORDED)
#: DfE child age bands (lower, upper inclusive)
AGE_BANDS: dict[str, tuple[int, int]] = {
    "0-4": (0, 4),
    "5-9": (5, 9),
    "10-15": (10, 15),
    "16-17": (16, 17),
}


def census_bands(ages: tuple[int, int]) -> tuple[str, ...]:
    """The DfE age bands that make up ``ages`` exactly (Census 2021 counts children by band,
    so an ethnic-group denominator exists only for a range of whole bands: 0-17, 10-17, ...)."""
    low, high = ages
    bands = tuple(b for b, (lo, hi) in AGE_BANDS.items() if lo >= low and hi <= high)
    covered = sorted(a for b in bands for a in range(AGE_BANDS[b][0], AGE_BANDS[b][1] + 1))
    if covered != list(range(low, high + 1)):
        raise ValueError(
            f"ages {low}-{high} are not whole DfE age bands {tuple(AGE_BANDS)}: no Census 2021 "
            "denominator by ethnic group"
        )
    return bands


def harmonise_sex(sex: pd.Series) -> pd.Series:
    """Both codings to M/F/U; anything else (or missing) to U (docs/CONVENTIONS.md)."""
    return sex.astype("string").str.strip().map(SEX_HARMONISED).fillna("U").astype(object)


def ethnic_group(ethnicity: pd.Series) -> pd.Series:
    """The five major groups plus "Not recorded" (REFU, NOBT, or missing)."""
    return ethnicity.map(codes.ETHNICITY_GROUPS).fillna(NOT_RECORDED).astype(object)


def _as_datetime(values: pd.Series | date) -> pd.Series | pd.Timestamp:
    if isinstance(values, pd.Series):
        return pd.to_datetime(values)
    return pd.Timestamp(values)


def age_at(birth: pd.Series, on: pd.Series | date) -> pd.Series:
    """Age in whole years on ``on`` (a date, or a series of dates) from the month-truncated
    date of birth. Truncation can make a child look older by less than a month: documented,
    not corrected (docs/CONVENTIONS.md)."""
    b = pd.to_datetime(birth)
    d = _as_datetime(on)
    if isinstance(d, pd.Series):
        years, months, days = d.dt.year, d.dt.month, d.dt.day
    else:
        years, months, days = d.year, d.month, d.day
    before_birthday = (months < b.dt.month) | ((months == b.dt.month) & (days < b.dt.day))
    age = years - b.dt.year - before_birthday.astype(int)
    return age.astype("Int64")


def age_band(age: pd.Series) -> pd.Series:
    """DfE band of an age 0-17 ("0-4", "5-9", "10-15", "16-17"); missing outside 0-17."""
    a = pd.to_numeric(age, errors="coerce")
    out = pd.Series(pd.NA, index=age.index, dtype=object)
    for band, (low, high) in AGE_BANDS.items():
        out[(a >= low) & (a <= high)] = band
    return out


def open_on(start: pd.Series, end: pd.Series, day: date) -> pd.Series:
    """Open on ``day``: start on or before it and no end, or an end after it. An episode ending
    ON the day has ceased (DfE snapshot convention, docs/CONVENTIONS.md "Periods")."""
    s, e, d = pd.to_datetime(start), pd.to_datetime(end), pd.Timestamp(day)
    return ((s <= d) & (e.isna() | (e > d))).fillna(False).astype(bool)


def overlaps(start: pd.Series, end: pd.Series, first: date, last: date) -> pd.Series:
    """Open at some time between ``first`` and ``last`` (inclusive): start <= last and (no end
    or end >= first)."""
    s, e = pd.to_datetime(start), pd.to_datetime(end)
    return ((s <= pd.Timestamp(last)) & (e.isna() | (e >= pd.Timestamp(first)))).astype(bool)


def dated_in(day: pd.Series, first: date, last: date) -> pd.Series:
    """Dated between ``first`` and ``last`` inclusive ("in the year"); missing dates are not."""
    d = pd.to_datetime(day)
    return ((d >= pd.Timestamp(first)) & (d <= pd.Timestamp(last))).fillna(False).astype(bool)


def has_any_code(codes_text: pd.Series, wanted: tuple[str, ...]) -> pd.Series:
    """A comma-separated code list (``"3B,4B"``) holds any of ``wanted``, matched whole."""
    pattern = r"(?:^|,)\s*(?:" + "|".join(map(str, wanted)) + r")\s*(?:,|$)"
    return codes_text.fillna("").astype(str).str.contains(pattern, regex=True).astype(bool)


__all__ = [
    "AGE_BANDS",
    "ETHNIC_GROUPS",
    "SEX_CATEGORIES",
    "age_at",
    "age_band",
    "census_bands",
    "dated_in",
    "ethnic_group",
    "harmonise_sex",
    "has_any_code",
    "open_on",
    "overlaps",
]
