from datetime import date

import pandas as pd
import pytest

from tip_pipeline.indicators.people import (
    age_at,
    age_band,
    census_bands,
    ethnic_group,
    harmonise_sex,
    has_any_code,
    open_on,
)


def test_sex_from_both_codings():
    codes = pd.Series(["1", "2", "0", "9", "M", "F", "U", None, "X"])
    assert harmonise_sex(codes).tolist() == ["M", "F", "U", "U", "M", "F", "U", "U", "U"]


def test_ethnic_groups_and_not_recorded():
    eth = pd.Series(["WBRI", "MWBC", "APKN", "BAFR", "OOTH", "REFU", "NOBT", None])
    assert ethnic_group(eth).tolist() == [
        "White",
        "Mixed",
        "Asian",
        "Black",
        "Other",
        "Not recorded",
        "Not recorded",
        "Not recorded",
    ]


def test_age_from_month_truncated_birth_date():
    # born some day in April 2006: the birth month (1 April) makes the child 18 on 1 April 2024
    birth = pd.Series(["2006-04-01", "2006-03-01", "2006-05-01"])
    assert age_at(birth, date(2024, 3, 31)).tolist() == [17, 18, 17]
    events = pd.Series(pd.to_datetime(["2024-04-01", "2023-06-15", "2024-05-01"]))
    assert age_at(birth, events).tolist() == [18, 17, 18]


def test_age_bands_are_the_dfe_bands():
    ages = pd.Series([0, 4, 5, 9, 10, 15, 16, 17, 18, -1])
    assert age_band(ages).tolist()[:8] == [
        "0-4",
        "0-4",
        "5-9",
        "5-9",
        "10-15",
        "10-15",
        "16-17",
        "16-17",
    ]
    assert age_band(ages).isna().tolist()[8:] == [True, True]


def test_snapshot_episode_ending_on_the_day_has_ceased():
    start = pd.Series(["2023-01-01", "2023-01-01", "2023-01-01", "2024-03-31", "2024-04-01"])
    end = pd.Series(["2024-03-31", "2024-04-01", None, None, None])
    assert open_on(start, end, date(2024, 3, 31)).tolist() == [False, True, True, True, False]


def test_code_lists_match_whole_codes():
    text = pd.Series(["3B,4B", "4C", "21", None, "14A,1B"])
    assert has_any_code(text, ("4B",)).tolist() == [True, False, False, False, False]
    assert has_any_code(text, ("1B", "2B")).tolist() == [False, False, False, False, True]


def test_census_bands_make_up_the_age_range_exactly():
    assert census_bands((0, 17)) == ("0-4", "5-9", "10-15", "16-17")
    assert census_bands((10, 17)) == ("10-15", "16-17")
    assert census_bands((5, 9)) == ("5-9",)
    for ages in ((11, 17), (0, 18), (0, 3)):
        with pytest.raises(ValueError, match="whole DfE age bands"):
            census_bands(ages)
