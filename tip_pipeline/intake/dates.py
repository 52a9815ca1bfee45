"""Dates as the raw returns and the spreadsheets they pass through write them, read into
``datetime64`` (midnight, no time zone), and the two things intake derives from a date of
birth: the birth month the project keeps, and ages at a date taken before the day is cut.

What is read (anything else is unparseable, and the caller refuses the record with a reason,
never the value):

- ``dd/mm/yyyy`` and ``d/m/yyyy``: the SSDA903 tables' dates, as the returns' CSV files
  write them (day first, the UK order);
- ISO 8601 ``yyyy-mm-dd``, the XML Schema ``xs:date`` form of the CIN census XML, optionally
  with a time of day (``T00:00:00`` or `` 00:00:00``) as a database export writes it; the time
  is dropped;
- Excel serial day numbers (whole numbers, or text of one) in the 1900 date system: serial 1
  is 1900-01-01 and 2958465 is 9999-12-31 (ECMA-376, Office Open XML, SpreadsheetML's "Date
  Representation"), and serial 60 is the phantom 29 February 1900 that Excel keeps for
  compatibility with Lotus 1-2-3 (Microsoft, "Excel incorrectly assumes that the year 1900 is
  a leap year"), so 60 is refused and every serial above it is one day later than its count
  from 1899-12-31. A date cell of an XLSX saved without its date format, or copied as values,
  arrives as such a number;
- date and datetime objects, as openpyxl gives a formatted XLSX date cell.

Each distinct value is read once (``pd.factorize``): a return repeats the same dates on many
rows, and the per-value work (telling a string from a number from a datetime) is then done on
a few thousand values, not millions; the formats themselves are read with vectorised string
methods and ``pd.to_datetime``.
"""

from __future__ import annotations

import datetime as dt
import numbers
from typing import NamedTuple

import numpy as np
import pandas as pd

#: the dtype of every date returned: microseconds reach 9999-12-31 (nanoseconds stop in 2262)
DATE_DTYPE = "datetime64[us]"

DMY = r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$"
ISO = (
    r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?)?$"
)
SERIAL_TEXT = r"^(?P<serial>\d{1,7})(?:\.0+)?$"

#: Excel's 1900 date system (ECMA-376, "Date Representation"): 1 is 1900-01-01,
#: 2958465 is 9999-12-31, 60 is the phantom 1900-02-29
FIRST_SERIAL = 1
LAST_SERIAL = 2_958_465
PHANTOM_SERIAL = 60
#: serial 0 would be this day; serials after the phantom day count from one day earlier
SERIAL_ZERO = np.datetime64("1899-12-31", "D")


class ParsedDates(NamedTuple):
    """The dates read, and which present values could not be read (empty values are missing,
    not unparseable)."""

    dates: pd.Series
    unparseable: pd.Series


def _kind(value: object) -> str:
    """What a cell holds: ``text``, ``number`` (not a bool), ``moment`` (a date or datetime)
    or ``other``."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool | np.bool_):
        return "other"
    if isinstance(value, numbers.Real):
        return "number"
    if isinstance(value, dt.date | np.datetime64):
        return "moment"
    return "other"


def _from_parts(parts: pd.DataFrame) -> pd.Series:
    """Dates from text columns ``year``, ``month`` and ``day``; an impossible day (31/02) is
    NaT."""
    iso = parts["year"] + "-" + parts["month"].str.zfill(2) + "-" + parts["day"].str.zfill(2)
    return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").astype(DATE_DTYPE)


def _from_serials(serials: pd.Series) -> pd.Series:
    """Dates from Excel 1900-system serials (floats); a serial that is not a whole number,
    is outside 1..2958465 or is the phantom 60 gives NaT."""
    valid = (
        (serials == np.floor(serials))
        & serials.between(FIRST_SERIAL, LAST_SERIAL)
        & (serials != PHANTOM_SERIAL)
    )
    days = serials.where(valid, 0).astype("int64")
    days = days - (days > PHANTOM_SERIAL).astype("int64")
    dates = pd.Series(SERIAL_ZERO + days.to_numpy().astype("timedelta64[D]"), index=serials.index)
    return dates.astype(DATE_DTYPE).where(valid)


def _from_text(text: pd.Series) -> pd.Series:
    """Dates from stripped text in any of the module's text forms (NaT for any other)."""
    out = pd.Series(pd.NaT, index=text.index, dtype=DATE_DTYPE)
    for pattern in (DMY, ISO):
        parts = text.str.extract(pattern).dropna()
        if not parts.empty:
            out.loc[parts.index] = _from_parts(parts)
    serial = text.str.extract(SERIAL_TEXT)["serial"].dropna()
    if not serial.empty:
        out.loc[serial.index] = _from_serials(serial.astype("float64"))
    return out


def _moment(value: dt.date | np.datetime64) -> pd.Timestamp:
    """A date or datetime as a naive timestamp at midnight: a time zone's wall date is kept."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def _parse_distinct(values: pd.Series) -> ParsedDates:
    """Both answers for distinct, non-missing values of any type."""
    kinds = values.map(_kind)
    out = pd.Series(pd.NaT, index=values.index, dtype=DATE_DTYPE)
    text = values[kinds == "text"].astype("string").str.strip()
    blank = text.index[text == ""]
    out.loc[text.index] = _from_text(text)
    numbers_ = values[kinds == "number"].astype("float64")
    out.loc[numbers_.index] = _from_serials(numbers_)
    moments = values[kinds == "moment"]
    if not moments.empty:
        out.loc[moments.index] = pd.Series(moments.map(_moment), dtype=DATE_DTYPE)
    failed = out.isna()
    failed.loc[blank] = False
    return ParsedDates(out, failed)


def _of_datetimes(values: pd.Series) -> ParsedDates:
    """A column already typed as datetime64 (as pandas reads an XLSX date column)."""
    dates = values.dt.tz_localize(None) if values.dt.tz is not None else values
    dates = dates.dt.normalize().astype(DATE_DTYPE)
    return ParsedDates(dates, pd.Series(False, index=values.index))


def parse_dates_flagged(values: pd.Series) -> ParsedDates:
    """The dates of ``values`` (``datetime64[us]``, NaT where missing or unparseable) and, in
    the same pass, which present values could not be read. Missing values (None, NaN, NaT) and
    empty or blank text are missing, not unparseable."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _of_datetimes(values)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = _parse_distinct(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    dates = distinct.dates.array.take(codes, allow_fill=True)  # code -1 (missing): NaT
    # one more flag, False, at the end: the one that code -1 takes
    unparseable = np.append(distinct.unparseable.to_numpy(dtype=bool), False)[codes]
    return ParsedDates(
        pd.Series(dates, index=values.index, dtype=DATE_DTYPE),
        pd.Series(unparseable, index=values.index, dtype=bool),
    )


def parse_iso_flagged(text: pd.Series) -> ParsedDates:
    """The dates of text that may only be ISO ``yyyy-mm-dd`` (XML Schema's ``xs:date``, as the
    CIN census XML writes them; a time of day is dropped, as :func:`parse_dates_flagged` drops
    it), and which present texts are no such date: another form, or an impossible day. Empty
    or blank text is missing, not unparseable.

    The ISO reading of :func:`parse_dates_flagged` (the same pattern, the same ``yyyy-mm-dd``
    parse) without its telling of kinds and forms: no number is taken for a serial day and no
    text for a day-first date, and a column costs a few vectorised calls, not some thirty.
    """
    stripped = text.astype("string").str.strip()
    present = stripped.notna() & (stripped != "")
    iso = stripped.str.match(ISO).fillna(False).astype(bool)
    day = stripped.where(iso).str.slice(0, len("yyyy-mm-dd"))
    dates = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce").astype(DATE_DTYPE)
    return ParsedDates(dates, (present & dates.isna()).astype(bool))


def parse_dates(values: pd.Series) -> pd.Series:
    """The dates of ``values``: ``datetime64[us]``, NaT where missing or unparseable. Use
    :func:`parse_dates_flagged` to know which were unparseable without reading twice."""
    return parse_dates_flagged(values).dates


def unparseable(values: pd.Series) -> pd.Series:
    """True where a value is present (not missing, not blank) but is no date in a form this
    module reads, so that the caller can count and refuse those records with a reason."""
    return parse_dates_flagged(values).unparseable


def birth_month(dates: pd.Series) -> pd.Series:
    """Each date cut to the first of its month (NaT stays NaT).

    The project keeps only the month of birth (``ColumnKind.BIRTH_MONTH``, docs/CONVENTIONS.md,
    "Identifiers"): a full date of birth, with a postcode or a sex, picks out one child, and the
    identifier guard refuses a delivery carrying one. Cut only after every age-at-a-date that
    needs the day has been taken (:func:`age_on`).
    """
    months = dates.to_numpy(dtype=DATE_DTYPE).astype("datetime64[M]")
    return pd.Series(months.astype(DATE_DTYPE), index=dates.index)


def age_on(birth: pd.Series, on: dt.date) -> pd.Series:
    """Age in whole years on the day ``on`` (``Int64``; NA where the date of birth is missing):
    the years since birth, less one when the birthday has not yet come that year.

    Taken from the FULL date of birth, before :func:`birth_month` cuts it: cut to the first of
    the month, every child born later in the month would be counted a year older for the days
    before their birthday, and a flag such as "was 18 on the day they left care" would be wrong
    for them. A child born on 29 February is a year older on 1 March in a common year. A date
    of birth after ``on`` gives a negative age, left for the caller's rules to refuse.
    """
    years = birth.dt.year
    not_yet = (birth.dt.month > on.month) | ((birth.dt.month == on.month) & (birth.dt.day > on.day))
    ages = on.year - years - not_yet.astype("float64")
    return ages.where(birth.notna()).astype("Int64")
