"""Cohorts across years: entry after a wash-out, events, censoring and the interval counts, on
hand-made years whose every count is worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.indicators import cohorts
from tip_pipeline.indicators.cohorts import ALL, ANY, CHILD_PROTECTION, LOOKED_AFTER, TOXIC_TRIO
from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.look_back import COHORT_TABLES, COHORTS, not_available
from tip_pipeline.periods import FinancialYear
from tip_pipeline_tests.indicators.helpers import LA, LSOA_B, child, frame, reference

PUBLISHED = FinancialYear(2025)  # 2025/26: the data end on 31 March 2026
ENTERED = FinancialYear(2023)  # 2023/24: two years before, so its wash-out year is 2022/23
FILLER = {
    "cin_children": {"la_child_id": "filler"},
    "cin_episodes": {"la_child_id": "filler"},
    "cin_assessments": {"la_child_id": "filler"},
    "cin_cp_plans": {"la_child_id": "filler"},
    "ssda903_episodes": {"child": "filler"},
    "hclic_main": {"case_id": "filler"},
    "hclic_children": {"case_id": "filler", "child_id": "filler"},
}


def assessment(cid: str, authorised: str, factors: str = "3B") -> dict:
    return {
        "la_child_id": cid,
        "cin_referral_date": authorised,
        "assessment_actual_start_date": authorised,
        "assessment_authorisation_date": authorised,
        "assessment_factors": factors,
    }


def episode(cid: str, referred: str, closed=None, reason=None) -> dict:
    return {
        "la_child_id": cid,
        "cin_referral_date": referred,
        "cin_closure_date": closed,
        "reason_for_closure": reason,
    }


def plan(cid: str, start: str) -> dict:
    return {"la_child_id": cid, "cin_referral_date": start, "cpp_start_date": start}


def years(earliest: FinancialYear, **rows: list[dict]) -> YearData:
    """PUBLISHED's data with every cohort table delivered from ``earliest`` (one filler row a
    year, a child with no birth month, who is in no cohort) and ``rows``, all of the entry year
    ENTERED (the year whose home LSOA places a child)."""
    earlier = {}
    for name in COHORT_TABLES:
        filler = [
            {**FILLER[name], "period": y.label}
            for y in (PUBLISHED.shifted(-k) for k in range(1, 5))
            if y.start_year >= earliest.start_year
        ]
        own = [{**r, "period": ENTERED.label} for r in rows.get(name, [])]
        earlier[name] = frame(name, own + filler).assign(period=[r["period"] for r in own + filler])
    tables = {**reference(), **{n: frame(n, [FILLER[n]]) for n in COHORT_TABLES}}
    return YearData(period=PUBLISHED, tables=tables, earlier=earlier)


def six_children() -> YearData:
    """Six children whose first toxic-trio factor was identified on 1 June 2023, and one
    whose factor the year before washes them out."""
    entered = "2023-06-01"
    kids = ["adult_mid", "at_twelve", "moved", "stays", "died", "care_early", "washed_out"]
    children = [child(c, dob="2012-03-01") for c in kids]
    children[0] = child("adult_mid", dob="2006-10-01")  # 18 on 1 October 2024
    children[3] = child("stays", dob="2012-03-01", lsoa=LSOA_B)  # quintile 5
    children[4] = {**child("died", dob="2012-03-01"), "person_death_date": "2024-12-01"}
    return years(
        FinancialYear(2022),
        cin_children=children,
        cin_assessments=[assessment(c, entered) for c in kids]
        + [assessment("washed_out", "2022-07-01", "4B")],
        cin_episodes=[episode("moved", "2023-05-01", "2023-09-01", "RC5")],
        cin_cp_plans=[plan("at_twelve", "2024-06-01"), plan("moved", "2023-12-01")],
        ssda903_episodes=[{"child": "care_early", "decom": "2023-08-01", "rne": "S", "ls": "C2"}],
    )


def rows_of(out: pd.DataFrame, outcome: str, quintile: str = ALL, entry: str = TOXIC_TRIO):
    pick = out[
        (out["entry"] == entry)
        & (out["entry_period"] == ENTERED.label)
        & (out["outcome"] == outcome)
        & (out["imd_quintile"] == quintile)
    ]
    return pick.sort_values("months_from")


def counts(rows: pd.DataFrame) -> list[tuple[int, int, int]]:
    return list(zip(rows["at_risk"], rows["events"], rows["censored"], strict=True))


def test_the_wash_out_keeps_out_a_child_with_a_factor_in_the_12_months_before():
    dated = pd.DataFrame(
        {
            "child": ["new", "washed", "exactly_12", "a_day_over"] * 2,
            "date": pd.to_datetime(
                [*["2023-06-01"] * 4, "2021-01-01", "2022-12-01", "2022-06-01", "2022-05-31"]
            ),
        }
    )
    out = cohorts.first_after_wash_out(dated, ENTERED)
    # a factor on the same day 12 months before is within the 12 months (DfE's re-referral rule)
    assert sorted(out["child"]) == ["a_day_over", "new"]
    assert set(out["entry"]) == {pd.Timestamp("2023-06-01")}


def test_only_the_first_date_in_the_year_is_the_entry():
    dated = pd.DataFrame(
        {"child": ["c", "c"], "date": pd.to_datetime(["2023-09-01", "2024-02-01"])}
    )
    assert cohorts.first_after_wash_out(dated, ENTERED)["entry"].tolist() == [
        pd.Timestamp("2023-09-01")
    ]


def test_anniversary_months_put_the_first_anniversary_at_exactly_12():
    entry = pd.Series(pd.to_datetime(["2023-06-01"] * 4))
    day = pd.Series(pd.to_datetime(["2023-06-01", "2024-05-31", "2024-06-01", "2026-06-01"]))
    got = cohorts.anniversary_months(entry, day).tolist()
    assert got[0] == 0.0 and got[2] == 12.0 and got[3] == 36.0
    assert 11.9 < got[1] < 12.0


def test_the_interval_counts_of_six_children_worked_by_hand():
    out = cohorts.cohorts(six_children())
    any_event = rows_of(out, ANY)
    # [0,12): 6 at risk; care_early's care is the event; moved is censored (transferred, RC5)
    # [12,24): 4 at risk; at_twelve's plan on the first anniversary is the event; adult_mid
    #   (18 on 1 October 2024) and died are censored mid-interval
    # [24,36): stays alone, censored at the end of the data (31 March 2026)
    assert counts(any_event) == [(6, 1, 1), (4, 1, 2), (1, 0, 1)]
    # one outcome on its own: another outcome neither ends follow-up nor counts
    # (care_early stays at risk of a plan; at_twelve of care)
    assert counts(rows_of(out, CHILD_PROTECTION)) == [(6, 0, 1), (5, 1, 2), (2, 0, 2)]
    assert counts(rows_of(out, LOOKED_AFTER)) == [(6, 1, 1), (4, 0, 2), (2, 0, 2)]


def test_the_incidence_is_kaplan_meier_before_each_anniversary():
    any_event = rows_of(cohorts.cohorts(six_children()), ANY)
    # S = 5/6 after care_early; at 12 exactly 4 at risk, one event: S = 5/6 * 3/4
    assert any_event["incidence_pct"].tolist() == pytest.approx(
        [100 / 6, 100 * (1 - 5 / 8), 100 * (1 - 5 / 8)]
    )
    assert (any_event["lower_ci_95"] < any_event["incidence_pct"]).all()


def test_an_event_exactly_at_12_months_is_not_within_12_months():
    plans = rows_of(cohorts.cohorts(six_children()), CHILD_PROTECTION)
    assert plans["incidence_pct"].iloc[0] == 0.0
    assert plans["incidence_pct"].iloc[1] > 0.0


def test_a_transferred_childs_later_plan_is_not_counted():
    out = cohorts.cohorts(six_children())
    # moved's plan of 1 December 2023 came after the case was closed RC5 on 1 September 2023
    assert rows_of(out, CHILD_PROTECTION)["events"].sum() == 1


def test_quintiles_sum_to_all_and_at_risk_carries_to_the_next_interval():
    out = cohorts.cohorts(six_children())
    keys = ["entry", "entry_period", "area_code", "outcome", "months_from"]
    parts = out[out["imd_quintile"] != ALL].groupby(keys)[["at_risk", "events", "censored"]].sum()
    total = out[out["imd_quintile"] == ALL].set_index(keys)[["at_risk", "events", "censored"]]
    assert parts.sort_index().equals(total.sort_index())
    for _, group in out.groupby(["entry", "entry_period", "outcome", "imd_quintile"]):
        g = group.sort_values("months_from")
        left = (g["at_risk"] - g["events"] - g["censored"]).to_numpy()[:-1]
        assert (left == g["at_risk"].to_numpy()[1:]).all()
    assert set(rows_of(out, ANY, "5")["at_risk"]) == {1}  # stays, in LSOA B


def test_a_cohort_without_its_wash_out_year_is_not_computed():
    """2022/23 onwards delivered: the cohorts of 2023/24 to 2025/26 are computed; that of
    2022/23 needs 2021/22, its wash-out year, and is not available, with the reason."""
    data = six_children()
    out = cohorts.cohorts(data)
    assert sorted(set(out["entry_period"])) == ["2023/24", "2024/25", "2025/26"]
    delivered = data.delivered_earlier()
    assert not_available(COHORTS[3], PUBLISHED, delivered) is not None
    assert "2021/22" in not_available(COHORTS[3], PUBLISHED, delivered)
    assert all(not_available(m, PUBLISHED, delivered) is None for m in COHORTS[:3])


def test_a_child_aged_18_at_entry_or_unborn_is_in_no_cohort():
    data = years(
        FinancialYear(2022),
        cin_children=[child("adult", dob="2005-05-01"), child("unborn", dob="2023-09-01")],
        cin_assessments=[assessment("adult", "2023-06-01"), assessment("unborn", "2023-06-01")],
    )
    out = cohorts.cohorts(data)
    assert rows_of(out, ANY)["at_risk"].iloc[0] == 0
    assert math.isnan(rows_of(out, ANY)["incidence_pct"].iloc[0])


def test_the_referral_cohort_washes_out_a_referral_in_the_12_months_before():
    data = years(
        FinancialYear(2022),
        cin_children=[child("new"), child("again")],
        cin_episodes=[
            episode("new", "2023-07-01"),
            episode("again", "2023-07-01"),
            episode("again", "2022-12-01", "2023-01-01", "RC8"),
        ],
    )
    out = cohorts.cohorts(data)
    assert rows_of(out, ANY, entry=cohorts.REFERRAL)["at_risk"].iloc[0] == 1


def test_every_row_is_in_the_one_la():
    out = cohorts.cohorts(six_children())
    assert set(out["area_code"]) == {LA}
    assert set(out["imd_quintile"]) <= {"1", "2", "3", "4", "5", "unknown", ALL}
    assert np.issubdtype(out["at_risk"].dtype, np.integer)
