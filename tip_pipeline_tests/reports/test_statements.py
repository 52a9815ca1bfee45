import math

import pytest

from tip_pipeline.reports import statements as say


@pytest.mark.parametrize(
    ("value", "shown"),
    [(72.345, "72.3"), (1234.5, "1,234.5"), (7.345, "7.34"), (0.1290, "0.129"), (0.0, "0.0")],
)
def test_values_keep_about_three_significant_figures(value, shown):
    assert say.fmt_value(value) == shown


def test_suppressed_and_missing_never_read_as_zero():
    assert say.fmt_value(0.0, suppressed=True) == "suppressed"
    assert say.fmt_count(None, suppressed=True) == "suppressed"
    assert say.fmt_ci(1.0, 2.0, suppressed=True) == "suppressed"
    assert say.fmt_value(math.nan) == "not available"
    assert say.fmt_count(None) == "not available"


def test_a_significant_rise_in_a_harm_reads_as_worse():
    text = say.change_statement(
        "Referrals", "2019/20", "2024/25", 529.4, 611.8, 82.4, 70.0, 95.0, 0.0001,
        "per 10,000", "higher is worse",
    )  # fmt: skip
    assert "rose from 529.4 in 2019/20 to 611.8 in 2024/25" in text
    assert "p < 0.001" in text
    assert text.endswith("statistically significant, which is worse.")


def test_a_change_that_fails_the_test_is_not_significant_whatever_the_limits():
    text = say.change_statement(
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
    text = say.change_statement(
        "CLA", "2019/20", "2024/25", 1.0, 2.0, math.nan, math.nan, math.nan, math.nan, "u", ""
    )
    assert "could not be tested" in text


def test_trend_statements():
    assert "at least five" in say.trend_statement("X", "", math.nan, 3, "", "2024/25")
    rising = say.trend_statement("X", "increasing", 0.001, 6, "2019/20", "2024/25")
    assert "significantly increasing" in rising and "p = 0.001" in rising
    flat = say.trend_statement("X", "no significant change", 0.4, 6, "2019/20", "2024/25")
    assert "no significant trend" in flat


def test_comparison_statement_reads_polarity():
    assert say.comparison_statement("Leeds", "England", "higher", "higher is worse") == (
        "Leeds is significantly higher than England (worse)."
    )
    assert "similar" in say.comparison_statement("Leeds", "England", "similar", "")
    assert "not compared" in say.comparison_statement("Leeds", "England", "not compared", "")


def test_funnel_statement_names_outlying_wards():
    text = say.funnel_statement("Leeds", ["Armley"], [], 2, 1, 30)
    assert "above the 99.8% limits: Armley" in text and "2 above and 1 below" in text
    assert "No ward of the 30" in say.funnel_statement("Leeds", [], [], 0, 0, 30)


def test_hidden_need():
    text = say.hidden_need_statement("live with X", 1000.0, 250.0, False)
    assert "25% of the modelled number" in text and "750" in text
    assert "suppressed" in say.hidden_need_statement("live with X", 1000.0, math.nan, True)


def test_hidden_need_with_the_modelled_range():
    text = say.hidden_need_statement("live with X", 1000.0, 250.0, False, (750.0, 1300.0))
    assert "1,000 children (modelled range 750 to 1,300)" in text
    assert "about 750 (modelled range 500 to 1,050) not known to services" in text
