"""The indicator section's sentences: a change judged by its test, the recent trend in
Fingertips' words, a comparison by Fingertips' reading, the wards outside the funnel named."""

import math

import pandas as pd
import pytest

from tip_pipeline.reports.context import ShownIndicator
from tip_pipeline.reports.sections.indicator import (
    change_statement,
    comparison_statement,
    funnel_statement,
    trend_statement,
    unknown_area_text,
)


def test_a_significant_rise_in_a_harm_reads_as_worse():
    text = change_statement(
        "Referrals", "2019/20", "2024/25", 529.4, 611.8, 82.4, 70.0, 95.0, 0.0001,
        "per 10,000", "higher is worse",
    )  # fmt: skip
    assert "rose from 529.4 in 2019/20 to 611.8 in 2024/25" in text
    assert "p < 0.001" in text
    assert text.endswith("statistically significant, which is worse.")


def test_a_change_that_fails_the_test_is_not_significant_whatever_the_limits():
    text = change_statement(
        "CLA",
        "2019/20",
        "2024/25",
        75.8,
        71.2,
        -4.6,
        -10.0,
        0.9,
        0.09,
        "per 10,000",
        "no judgement",
    )
    assert "fell" in text and text.endswith("The change is not statistically significant.")


def test_a_change_that_could_not_be_tested_says_so():
    text = change_statement(
        "CLA", "2019/20", "2024/25", 1.0, 2.0, math.nan, math.nan, math.nan, math.nan, "u", ""
    )
    assert "could not be tested" in text


def test_a_change_not_tested_says_why_as_published():
    text = change_statement(
        "CLA", "2019/20", "2024/25", math.nan, 2.0, math.nan, math.nan, math.nan, math.nan, "u",
        "", why="the baseline year is not published for the series",
    )  # fmt: skip
    assert text.endswith("could not be tested (the baseline year is not published for the series).")


def test_recent_trend_statements_are_fingertips():
    method = "chi-squared test for trend"
    rising = trend_statement(
        "X", "Increasing and getting worse", method, 0.001, "2020/21", "2024/25"
    )
    assert rising == (
        "Over the five years from 2020/21 to 2024/25 the recent trend is increasing and getting "
        "worse (Fingertips' recent trend, chi-squared test for trend, 99.8% level, p = 0.001)."
    )
    flat = trend_statement("X", "No significant change", method, 0.4, "2020/21", "2024/25")
    assert "there is no significant recent trend" in flat and "p = 0.4" in flat
    cannot = trend_statement(
        "X", "Cannot be calculated", method, math.nan, "2020/21", "2024/25",
        "fewer than five annual points: 3 of the five years 2020/21 to 2024/25",
    )  # fmt: skip
    assert cannot == (
        "X: the recent trend over 2020/21 to 2024/25 cannot be calculated: fewer than five "
        "annual points: 3 of the five years 2020/21 to 2024/25."
    )
    assert "nan" not in cannot.lower()


def test_comparison_statement_reads_polarity():
    assert comparison_statement("Leeds", "England", "higher", "higher is worse") == (
        "Leeds is significantly higher than England (worse)."
    )
    assert "similar" in comparison_statement("Leeds", "England", "similar", "")
    assert "not compared" in comparison_statement("Leeds", "England", "not compared", "")


def test_funnel_statement_names_outlying_wards():
    text = funnel_statement("Leeds", ["Armley"], [], 2, 1, 30)
    assert "above the 99.8% limits: Armley" in text and "2 above and 1 below" in text
    assert "No ward of the 30" in funnel_statement("Leeds", [], [], 0, 0, 30)


CIN = ShownIndicator("cin_31mar", "Children in need", "per 10,000", "", 10_000, "proportion")


@pytest.mark.parametrize(
    ("numerator", "suppressed", "said"),
    [(120.0, False, ": 120."), (None, True, ": suppressed.")],
)
def test_the_children_of_no_known_home_area_are_said_never_as_nan(numerator, suppressed, said):
    rows = pd.DataFrame(
        {
            "category": ["1", "unknown"],
            "numerator": [40.0, numerator],
            "suppressed": [False, suppressed],
        }
    )
    text = unknown_area_text("Leeds", rows, CIN)
    assert "no known home area" in text and said in text and "nan" not in text.lower()
    assert unknown_area_text("Leeds", rows.iloc[:1], CIN) == ""
