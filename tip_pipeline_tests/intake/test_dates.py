"""Dates as the returns write them: day-first text, ISO with or without a time, Excel 1900
serials (with the phantom 29 February 1900), date objects; garbage is NaT and flagged, empty
is missing and not flagged; birth month and age at a birthday boundary."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.intake.dates import (
    DATE_DTYPE,
    age_on,
    birth_month,
    parse_dates,
    parse_dates_flagged,
    parse_iso_flagged,
    unparseable,
)


def _one(value: object) -> pd.Timestamp:
    return parse_dates(pd.Series([value], dtype=object)).iloc[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15/03/2023", "2023-03-15"),
        ("1/2/2020", "2020-02-01"),
        ("01/02/2020", "2020-02-01"),  # day first: 1 February, not 2 January
        (" 15/03/2023 ", "2023-03-15"),
        ("29/02/2024", "2024-02-29"),
        ("2023-03-15", "2023-03-15"),
        ("2023-03-15T00:00:00", "2023-03-15"),
        ("2023-03-15 00:00:00", "2023-03-15"),
        ("2023-03-15T13:45:10", "2023-03-15"),  # the time is dropped
        ("2023-03-15 00:00:00.000", "2023-03-15"),
    ],
)
def test_text_dates(value, expected):
    assert _one(value) == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (45000, "2023-03-15"),
        (45000.0, "2023-03-15"),
        (np.int64(45000), "2023-03-15"),
        ("45000", "2023-03-15"),  # a serial saved to CSV as text
        ("45000.0", "2023-03-15"),
        (1, "1900-01-01"),
        (59, "1900-02-28"),
        (61, "1900-03-01"),  # the day after Excel's phantom 29 February 1900
        (36526, "2000-01-01"),
        (2958465, "9999-12-31"),
    ],
)
def test_excel_serials_of_the_1900_date_system(serial, expected):
    assert _one(serial) == pd.Timestamp(expected)


@pytest.mark.parametrize("serial", [60, 60.0, "60", 0, -1, 2958466, 45000.5, float("inf")])
def test_impossible_serials_are_unparseable(serial):
    result = parse_dates_flagged(pd.Series([serial], dtype=object))
    assert pd.isna(result.dates.iloc[0])
    assert bool(result.unparseable.iloc[0]) is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2020, 1, 2), "2020-01-02"),
        (dt.datetime(2020, 1, 2), "2020-01-02"),
        (dt.datetime(2020, 1, 2, 13, 5), "2020-01-02"),
        (pd.Timestamp("2021-05-06"), "2021-05-06"),
        (np.datetime64("2019-07-08"), "2019-07-08"),
        (dt.datetime(2020, 1, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))), "2020-01-02"),
    ],
)
def test_date_objects_as_openpyxl_gives_them(value, expected):
    assert _one(value) == pd.Timestamp(expected)


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "31/02/2023",
        "15/13/2023",
        "2023-02-30",
        "2023/03/15",
        "15-03-2023",
        "15/03/23",
        "2023-03-15T25:00:00",
        "2023-03-15Z",
        "20230315",  # eight digits: no date format, and past the last serial (2958465)
        True,
        dt.time(12, 0),
        b"15/03/2023",
    ],
)
def test_garbage_is_nat_and_flagged(value):
    result = parse_dates_flagged(pd.Series([value], dtype=object))
    assert pd.isna(result.dates.iloc[0])
    assert result.unparseable.tolist() == [True]


def test_missing_and_empty_are_missing_not_unparseable():
    values = pd.Series([None, np.nan, pd.NaT, "", "   ", pd.NA], dtype=object)
    result = parse_dates_flagged(values)
    assert result.dates.isna().all()
    assert not result.unparseable.any()


def test_a_mixed_column_keeps_its_index_and_order():
    values = pd.Series(
        ["15/03/2023", 45000, "nonsense", None, dt.date(2020, 1, 2), "2023-03-15", "15/03/2023"],
        index=[7, 3, 9, 1, 4, 8, 2],
        dtype=object,
    )
    result = parse_dates_flagged(values)
    assert result.dates.dtype == DATE_DTYPE
    assert list(result.dates.index) == [7, 3, 9, 1, 4, 8, 2]
    assert result.dates.tolist()[:3] == [pd.Timestamp("2023-03-15")] * 2 + [pd.NaT]
    assert pd.isna(result.dates.loc[1])
    assert result.dates.loc[4] == pd.Timestamp("2020-01-02")
    assert result.dates.loc[8] == result.dates.loc[2] == pd.Timestamp("2023-03-15")
    assert result.unparseable.tolist() == [False, False, True, False, False, False, False]
    assert unparseable(values).equals(result.unparseable)
    assert parse_dates(values).equals(result.dates)


def test_text_and_number_columns():
    text = pd.Series(["15/03/2023", None, "x"], dtype="string")
    assert parse_dates(text).tolist()[0] == pd.Timestamp("2023-03-15")
    assert unparseable(text).tolist() == [False, False, True]
    numbers = pd.Series([45000.0, np.nan, 61.0])
    assert parse_dates(numbers).tolist()[2] == pd.Timestamp("1900-03-01")
    assert unparseable(numbers).tolist() == [False, False, False]


def test_a_datetime_column_is_kept_as_dates():
    values = pd.Series(pd.to_datetime(["2023-03-15 10:00", None]))
    result = parse_dates_flagged(values)
    assert result.dates.dtype == DATE_DTYPE
    assert result.dates.iloc[0] == pd.Timestamp("2023-03-15")
    assert pd.isna(result.dates.iloc[1])
    assert not result.unparseable.any()


def test_nothing_and_only_missing():
    assert parse_dates(pd.Series([], dtype=object)).empty
    assert parse_dates(pd.Series([None, None], dtype=object)).isna().all()
    assert unparseable(pd.Series([None], dtype=object)).tolist() == [False]


def test_many_repeated_values_are_read_by_their_distinct_values():
    values = pd.Series(["15/03/2023", 45000, "x", None] * 50_000, dtype=object)
    result = parse_dates_flagged(values)
    assert result.dates.iloc[::4].eq(pd.Timestamp("2023-03-15")).all()
    assert result.dates.iloc[1::4].eq(pd.Timestamp("2023-03-15")).all()
    assert int(result.unparseable.sum()) == 50_000


ISO_ONLY = [
    "2023-03-15",
    " 2023-03-15\n",
    "2023-03-15T13:45:10",
    "2023-03-15 00:00:00.000",
    "2024-02-29",
    "9999-12-31",
    "2023-02-29",
    "2023-13-01",
    "2023-3-15",
    "2023-03-15x",
    "2023-03-15T25:00:00",
    "15/03/2023",
    "45000",
    "",
    "  ",
    None,
]


def test_iso_only_reads_as_the_general_reader_reads_iso_and_refuses_the_rest():
    values = pd.Series(ISO_ONLY, index=range(100, 100 + len(ISO_ONLY)), dtype=object)
    result = parse_iso_flagged(values)
    general = parse_dates_flagged(values)
    assert result.dates.dtype == DATE_DTYPE
    assert list(result.dates.index) == list(values.index)
    assert result.dates.tolist()[:6] == [pd.Timestamp("2023-03-15")] * 4 + [
        pd.Timestamp("2024-02-29"),
        pd.Timestamp("9999-12-31"),
    ]
    assert result.unparseable.tolist() == [False] * 6 + [True] * 7 + [False] * 3
    # the day-first date and the serial, which the general reader reads, are refused here
    day_first_and_serial = [111, 112]
    assert general.unparseable.loc[day_first_and_serial].tolist() == [False, False]
    same = values.index.drop(day_first_and_serial)
    assert result.dates.loc[same].equals(general.dates.loc[same])
    assert result.unparseable.loc[same].equals(general.unparseable.loc[same])


def test_birth_month_is_the_first_of_the_month():
    dates = pd.Series(pd.to_datetime(["2014-09-17", "2014-09-01", None, "2000-02-29"]))
    months = birth_month(dates.astype(DATE_DTYPE))
    assert months.tolist()[:2] == [pd.Timestamp("2014-09-01")] * 2
    assert pd.isna(months.iloc[2])
    assert months.iloc[3] == pd.Timestamp("2000-02-01")
    assert months.dtype == DATE_DTYPE


def test_birth_month_of_the_last_representable_day():
    assert birth_month(parse_dates(pd.Series([2958465]))).iloc[0] == pd.Timestamp("9999-12-01")


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        ("2006-03-15", dt.date(2024, 3, 15), 18),  # the 18th birthday itself
        ("2006-03-16", dt.date(2024, 3, 15), 17),  # the day before it
        ("2006-03-14", dt.date(2024, 3, 15), 18),
        ("2006-04-01", dt.date(2024, 3, 31), 17),
        ("2006-02-28", dt.date(2024, 3, 1), 18),
        ("2008-02-29", dt.date(2026, 2, 28), 17),  # a leap-day birth in a common year...
        ("2008-02-29", dt.date(2026, 3, 1), 18),  # ...is a year older on 1 March
        ("2008-02-29", dt.date(2028, 2, 29), 20),
        ("2024-03-15", dt.date(2024, 3, 15), 0),
    ],
)
def test_age_on_a_birthday_boundary(birth, on, age):
    assert age_on(pd.Series(pd.to_datetime([birth])), on).tolist() == [age]


def test_age_needs_the_full_date_not_the_month():
    birth = pd.Series(pd.to_datetime(["2006-03-20"]))
    on = dt.date(2024, 3, 10)
    assert age_on(birth, on).iloc[0] == 17
    assert age_on(birth_month(birth), on).iloc[0] == 18  # why the age is taken first


def test_age_of_a_missing_birth_is_missing():
    ages = age_on(pd.Series(pd.to_datetime(["2006-03-15", None])), dt.date(2024, 3, 15))
    assert ages.dtype == "Int64"
    assert ages.iloc[0] == 18 and pd.isna(ages.iloc[1])
