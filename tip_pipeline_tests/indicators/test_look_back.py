"""Measures across years: the look-back each indicator declares, what a year needs delivered,
and which years a change to one year reaches."""

from dataclasses import replace

import pytest

from tip_pipeline.indicators import look_back
from tip_pipeline.indicators.catalogue import CATALOGUE, indicator
from tip_pipeline.periods import FinancialYear

FY = FinancialYear(2023)  # 2023/24


def test_the_catalogue_declares_its_look_backs():
    declared = {i.id: (i.look_back, i.look_back_tables) for i in CATALOGUE if i.look_back}
    assert declared == {
        "cin_re_referrals_12m": (1, ("cin_episodes",)),
        "cla_long_term_stability": (2, ("ssda903_episodes",)),
    }
    assert look_back.tables_to_read(CATALOGUE) == {"cin_episodes": 1, "ssda903_episodes": 2}
    # and the involvement flows, which are no catalogue indicator, read the year before
    flows_only = (*CATALOGUE, look_back.FLOWS)
    assert look_back.tables_to_read(flows_only) == {
        "cin_children": 1,
        "cin_episodes": 1,
        "cin_cp_plans": 1,
        "ssda903_episodes": 2,
    }
    # the cohorts: the earliest (entered in Y-3) reads its wash-out year Y-4 and every year
    # after it
    assert [m.look_back for m in look_back.COHORTS] == [1, 2, 3, 4]
    assert look_back.tables_to_read() == dict.fromkeys(look_back.COHORT_TABLES, 4)
    assert look_back.LONGEST == 4
    with pytest.raises(ValueError, match="look-back"):
        replace(indicator("cin_31mar"), look_back=1)


def test_a_year_without_its_full_look_back_is_not_available_with_the_reason():
    stability = indicator("cla_long_term_stability")
    assert [y.label for y in look_back.window(FY, 2)] == ["2021/22", "2022/23"]
    both = {"ssda903_episodes": {"2021/22", "2022/23"}}
    assert look_back.not_available(stability, FY, both) is None
    reason = look_back.not_available(stability, FY, {"ssda903_episodes": {"2022/23"}})
    assert reason == (
        "Not available for 2023/24: the measure looks back 2 year(s) and these were not "
        "delivered: 2021/22 (ssda903_episodes). Published when they are."
    )
    assert look_back.not_available(indicator("cin_31mar"), FY, {}) is None


def test_the_published_rows_name_each_indicator_not_available():
    frame = look_back.not_available_frame(FY, {"cin_episodes": {"2022/23"}})
    cohorts = [m.id for m in look_back.COHORTS]
    assert frame["indicator_id"].tolist() == [
        "cla_long_term_stability",
        "involvement_flows",
        *cohorts,
    ]
    assert cohorts == [
        "cohort_incidence_entered_Y",
        "cohort_incidence_entered_Y-1",
        "cohort_incidence_entered_Y-2",
        "cohort_incidence_entered_Y-3",
    ]
    assert set(frame["period"]) == {"2023/24"}
    assert "2021/22 (ssda903_episodes)" in frame["reason"].iloc[0]
    assert "2022/23 (cin_children, cin_cp_plans, ssda903_episodes)" in frame["reason"].iloc[1]
    assert "2019/20 (cin_children, cin_episodes, cin_assessments" in frame["reason"].iloc[-1]


def test_care_leavers_are_not_available_where_no_delivering_la_can_take_them():
    """Care leavers have no recorded home area: with a delivering LA they count in its unknown
    home area; in a delivery of several LAs with none named, their indicators are not
    available, with the reason, rather than failing the year or dropping them."""
    four_years = {y.label for y in look_back.window(FY, 4)}
    everything = {t: four_years for t in look_back.COHORT_TABLES}
    assert look_back.reasons(FY, everything) == {}
    found = look_back.reasons(FY, everything, delivering_la_known=False)
    assert set(found) == {"care_leavers_eet", "care_leavers_suitable_accommodation"}
    assert found["care_leavers_eet"] == look_back.NO_DELIVERING_LA.format(period="2023/24")
    frame = look_back.not_available_frame(FY, everything, delivering_la_known=False)
    assert sorted(frame["indicator_id"]) == sorted(found)


def test_a_change_reaches_the_years_that_look_back_to_it():
    keys = ["2021-22", "2022-23", "2023-24", "2024-25", "2025-26", "2026-27"]
    # the cohorts' four years reach furthest
    assert look_back.dependent_years(["2021-22"], keys) == keys[1:5]
    assert look_back.dependent_years(["2021-22"], keys, reach=2) == ["2022-23", "2023-24"]
    assert look_back.dependent_years(["2021-22"], keys, reach=1) == ["2022-23"]
    assert look_back.dependent_years(["2026-27"], keys) == []
    assert look_back.downstream_by_upstream(keys[:4], 1) == {
        "2021-22": ["2021-22", "2022-23"],
        "2022-23": ["2022-23", "2023-24"],
        "2023-24": ["2023-24", "2024-25"],
        "2024-25": ["2024-25"],
    }
