"""Working days: weekends and England and Wales bank holidays, the table checked against the
rules that make it and updated from GOV.UK's JSON without losing its older years."""

from datetime import date, timedelta

import pandas as pd
import pytest
from dateutil.easter import easter

from tip_pipeline.indicators.working_days import (
    BankHolidaysNotCovered,
    bank_holidays,
    covered_years,
    merged,
    table_from_govuk,
    working_days_after,
)

#: the one-off days GOV.UK lists for England and Wales, and the usual days they replaced
ONE_OFF = {
    date(2020, 5, 8): "VE day (the early May bank holiday moved from 4 May)",
    date(2022, 6, 2): "spring bank holiday moved from 30 May",
    date(2022, 6, 3): "Platinum Jubilee",
    date(2022, 9, 19): "State Funeral of Queen Elizabeth II",
    date(2023, 5, 8): "coronation of King Charles III",
}
MOVED = {date(2020, 5, 4), date(2022, 5, 30)}


def _monday(day: date, step: int) -> date:
    while day.weekday() != 0:
        day += timedelta(days=step)
    return day


def _usual(year: int) -> set[date]:
    """The bank holidays the Banking and Financial Dealings Act 1971 and royal proclamation
    give every year, moved off a weekend as GOV.UK lists them."""
    days = set()
    new_year = date(year, 1, 1)
    while new_year.weekday() >= 5:
        new_year += timedelta(days=1)
    days.add(new_year)
    days |= {easter(year) - timedelta(days=2), easter(year) + timedelta(days=1)}
    days.add(_monday(date(year, 5, 1), 1))
    days.add(_monday(date(year, 5, 31), -1))
    days.add(_monday(date(year, 8, 31), -1))
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: Monday and Tuesday
        days |= {date(year, 12, 27), date(year, 12, 28)}
    elif christmas.weekday() == 6:  # Sunday: Boxing Day Monday, Christmas Tuesday
        days |= {boxing, date(year, 12, 27)}
    elif christmas.weekday() == 4:  # Friday: Boxing Day Monday
        days |= {christmas, date(year, 12, 28)}
    else:
        days |= {christmas, boxing}
    return days


def test_the_table_is_every_usual_bank_holiday_and_the_one_off_days():
    first, last = covered_years()
    assert (first, last) == (2015, 2027)
    expected = set().union(*(_usual(y) for y in range(first, last + 1)))
    assert set(bank_holidays()) == (expected - MOVED) | set(ONE_OFF)
    assert all(d.weekday() < 5 for d in bank_holidays())


def test_working_days_after_the_start_up_to_and_including_the_end():
    start = pd.Series(["2023-05-02", "2023-06-16", "2023-06-17", "2023-04-06", None, "2023-05-02"])
    end = pd.Series(
        ["2023-05-02", "2023-06-19", "2023-06-18", "2023-04-11", "2023-05-02", "2023-05-01"]
    )
    # same day 0; Friday to Monday 1; Saturday to Sunday 0; Thursday 6 April to Tuesday
    # 11 April 2023 over Good Friday and Easter Monday: 1; a missing date, an end before the
    # start: missing
    assert working_days_after(start, end).tolist() == [0, 1, 0, 1, pd.NA, pd.NA]


def test_a_date_after_the_table_is_refused_not_counted_without_its_holidays():
    late = pd.Series(["2028-01-05"])
    with pytest.raises(BankHolidaysNotCovered, match="update the table"):
        working_days_after(pd.Series(["2027-12-20"]), late)
    # a long span reaching before the table cannot change a 45-day answer: counted
    counted = working_days_after(pd.Series(["2014-06-01"]), pd.Series(["2015-03-01"]))
    assert counted.iloc[0] > 45
    with pytest.raises(BankHolidaysNotCovered):
        working_days_after(pd.Series(["2014-12-20"]), pd.Series(["2015-01-05"]))


def test_an_update_from_govuk_keeps_the_years_it_no_longer_lists():
    payload = {
        "england-and-wales": {
            "division": "england-and-wales",
            "events": [
                {"title": "New Year’s Day", "date": "2028-01-03", "notes": "Substitute day"},
                {"title": "Good Friday", "date": "2027-03-26", "notes": ""},
            ],
        },
        "scotland": {
            "division": "scotland",
            "events": [{"title": "2nd January", "date": "2028-01-04"}],
        },
    }
    govuk = table_from_govuk(payload)
    assert govuk == [(date(2027, 3, 26), "Good Friday"), (date(2028, 1, 3), "New Year’s Day")]
    kept = [(date(2015, 1, 1), "New Year's Day"), (date(2027, 12, 27), "Christmas Day")]
    assert merged(kept, govuk) == [kept[0], *govuk]
