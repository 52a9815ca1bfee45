"""The indicator section's sentences: a change judged by its test, a trend by the chi-square
test for trend, a comparison by Fingertips' reading, the wards outside the funnel named."""

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


def test_trend_statements():
    assert "at least five" in trend_statement("X", "", math.nan, 3, "", "2024/25")
    rising = trend_statement("X", "increasing", 0.001, 6, "2019/20", "2024/25")
    assert "significantly increasing" in rising and "p = 0.001" in rising
    flat = trend_statement("X", "no significant change", 0.4, 6, "2019/20", "2024/25")
    assert "no significant trend" in flat


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
