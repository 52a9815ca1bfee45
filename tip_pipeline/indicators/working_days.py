"""Working days in England: Monday to Friday, England and Wales bank holidays excepted.

DfE measures the duration of a children's social care assessment in working days (the 45
working days of *Working Together to Safeguard Children*; the "duration of assessment" of
*Characteristics of children in need*, whose table C2 bands it from "started and finished the
same day" upwards). Working days are those of England: weekends and England and Wales bank
holidays are not working days.

The bank holidays are ``bank_holidays_england_and_wales.csv`` (shipped with the package): GOV.UK's
list of bank holidays for the division "england-and-wales" (https://www.gov.uk/bank-holidays,
also published as https://www.gov.uk/bank-holidays.json), 2015 to 2027, including the one-off
days (VE day moved in 2020, the Platinum Jubilee and the State Funeral of Queen Elizabeth II in
2022, the coronation of King Charles III in 2023). Kept up to date by ``table_from_govuk``: GOV.UK
announces each year's bank holidays well ahead; download the JSON, merge it in with
``python -m tip_pipeline.indicators.working_days bank-holidays.json`` (the years GOV.UK lists
replaced, the older years kept) and commit the CSV. A duration that the table cannot decide (a
date after its last covered year, or a short span reaching before its first) is refused, never
counted without its holidays.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from tip_pipeline.errors import ValueFreeError

TABLE = "bank_holidays_england_and_wales.csv"
#: GOV.UK's division for England and Wales in bank-holidays.json
DIVISION = "england-and-wales"
#: a span longer than this many calendar days is over 45 working days whatever the holidays
#: (120 days hold at least 17 whole weeks, 85 weekdays, and at most 6 bank holidays), so a
#: start before the table's first year cannot change the answer of the 45-day test
LONG_SPAN_DAYS = 120


class BankHolidaysNotCovered(ValueFreeError):
    """A date the bank holiday table does not cover, where the holidays could change a count."""


@cache
def bank_holidays() -> tuple[date, ...]:
    """The England and Wales bank holidays of the table, sorted."""
    text = resources.files("tip_pipeline.indicators").joinpath(TABLE).read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(sorted(date.fromisoformat(row["date"]) for row in rows))


def covered_years() -> tuple[int, int]:
    """The first and last calendar years the table covers (every bank holiday of each)."""
    days = bank_holidays()
    return days[0].year, days[-1].year


def working_days_after(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days after ``start`` up to and including ``end``: 0 when both are the same day
    (DfE's "started and finished the same day"), 1 from a Monday to the Tuesday, 1 from a
    Friday to the next Monday, 0 from a Saturday to the Sunday. Missing where either date is
    missing or ``end`` precedes ``start``. Refuses spans the table cannot decide
    (``BankHolidaysNotCovered``)."""
    s = pd.to_datetime(start).dt.normalize()
    e = pd.to_datetime(end).dt.normalize()
    ok = s.notna() & e.notna() & (e >= s)
    out = pd.Series(pd.NA, index=start.index, dtype="Int64")
    if not ok.any():
        return out
    s_ok, e_ok = s[ok], e[ok]
    _check_covered(s_ok, e_ok)
    holidays = np.array(bank_holidays(), dtype="datetime64[D]")
    first = (s_ok + pd.Timedelta(days=1)).to_numpy("datetime64[D]")
    last = (e_ok + pd.Timedelta(days=1)).to_numpy("datetime64[D]")
    out[ok] = np.busday_count(first, last, holidays=holidays)
    return out


def _check_covered(start: pd.Series, end: pd.Series) -> None:
    first_year, last_year = covered_years()
    late = int((end.dt.year > last_year).sum())
    short = (end - start).dt.days <= LONG_SPAN_DAYS
    early = int((short & (start.dt.year < first_year)).sum())
    if late or early:
        raise BankHolidaysNotCovered(
            f"{late + early} duration(s) reach outside the bank holidays of {TABLE} "
            f"({first_year}-{last_year}): update the table from GOV.UK "
            "(tip_pipeline.indicators.working_days, docs/DOMAIN.md)"
        )


def table_from_govuk(payload: dict) -> list[tuple[date, str]]:
    """(date, title) of every England and Wales bank holiday in GOV.UK's bank-holidays.json."""
    events = payload[DIVISION]["events"]
    return sorted((date.fromisoformat(e["date"]), str(e["title"])) for e in events)


def write_table(rows: list[tuple[date, str]], path: Path) -> None:
    """The table's CSV (date, title), sorted by date."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["date", "title"])
        writer.writerows((d.isoformat(), title) for d, title in sorted(rows))


def merged(kept: list[tuple[date, str]], govuk: list[tuple[date, str]]) -> list[tuple[date, str]]:
    """The table updated from GOV.UK: GOV.UK's days for every year it lists, the kept table's
    for the years it no longer lists (its JSON holds a few years either side of today)."""
    years = {d.year for d, _ in govuk}
    return sorted([row for row in kept if row[0].year not in years] + govuk)


def read_table(path: Path) -> list[tuple[date, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(date.fromisoformat(r["date"]), r["title"]) for r in csv.DictReader(f)]


def main(argv: list[str]) -> int:
    """``python -m tip_pipeline.indicators.working_days bank-holidays.json``: update the table
    from a download of https://www.gov.uk/bank-holidays.json (years it lists replaced, older
    years kept)."""
    if len(argv) != 1:
        print(main.__doc__)
        return 2
    path = Path(__file__).with_name(TABLE)
    govuk = table_from_govuk(json.loads(Path(argv[0]).read_text("utf-8")))
    write_table(merged(read_table(path), govuk), path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
