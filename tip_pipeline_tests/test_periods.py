from datetime import date

import pytest

from tip_pipeline.periods import FinancialYear, complete_years


def test_label_tag_and_dates():
    fy = FinancialYear.parse("2023/24")
    assert (fy.label, fy.tag, fy.end_year) == ("2023/24", "2023-24", 2024)
    assert (fy.start, fy.end) == (date(2023, 4, 1), date(2024, 3, 31))
    assert FinancialYear.parse("2023-24") == fy


def test_population_estimate_is_mid_year_before_the_year_end():
    # docs/CONVENTIONS.md: the year ending 31 March YYYY uses the mid-(YYYY-1) estimate
    assert FinancialYear.parse("2023/24").population_mid_year == 2023


@pytest.mark.parametrize("text", ["2023/25", "2023", "23/24", "2023/2024", "abcd/ef", ""])
def test_parse_refuses_what_is_not_a_financial_year(text):
    with pytest.raises(ValueError, match="not a financial year"):
        FinancialYear.parse(text)


def test_century_rollover():
    assert FinancialYear.parse("1999/00").end_year == 2000
    assert FinancialYear(2099).label == "2099/00"


@pytest.mark.parametrize(
    ("day", "start"),
    [(date(2024, 3, 31), 2023), (date(2024, 4, 1), 2024), (date(2024, 12, 31), 2024)],
)
def test_containing(day, start):
    assert FinancialYear.containing(day).start_year == start


def test_quarters():
    fy = FinancialYear(2023)
    starts = [fy.quarter_start(q) for q in (1, 2, 3, 4)]
    assert starts == [date(2023, 4, 1), date(2023, 7, 1), date(2023, 10, 1), date(2024, 1, 1)]
    with pytest.raises(ValueError):
        fy.quarter_start(5)


def test_complete_years_exclude_the_year_in_progress():
    years = complete_years(FinancialYear(2020), today=date(2026, 11, 25))
    assert [y.label for y in years] == [
        "2020/21",
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
        "2025/26",
    ]
    # on 31 March the year is not yet over; on 1 April it is
    assert complete_years(FinancialYear(2024), today=date(2025, 3, 31)) == []
    assert complete_years(FinancialYear(2024), today=date(2025, 4, 1)) == [FinancialYear(2024)]
    assert FinancialYear(2024).is_complete(date(2025, 4, 1))
    assert not FinancialYear(2024).is_complete(date(2025, 3, 31))


def test_is_financial_year_tells_years_from_vintages():
    from tip_pipeline.periods import is_financial_year

    assert is_financial_year("2023/24") and is_financial_year("2023-24")
    assert not is_financial_year("2025") and not is_financial_year("2023/25")
