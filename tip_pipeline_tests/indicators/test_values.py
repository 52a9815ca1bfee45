"""Values by area and breakdown: totals, categories summing to them, the sex-code change,
methods by kind, age ranges."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tip_pipeline.indicators import checks
from tip_pipeline.indicators.catalogue import CATALOGUE, indicator
from tip_pipeline.indicators.values import all_values, indicator_values
from tip_pipeline.stats import proportion_ci, rate_ci
from tip_pipeline_tests.indicators.helpers import LA, LSOA_A, LSOA_B, WARD_A, child, year


def cin_year():
    # sex coded numerically for some children and with letters for others (the 2024/25 change)
    kids = [
        child("a", sex="1", lsoa=LSOA_A),
        child("b", sex="M", lsoa=LSOA_A, eth="REFU"),
        child("c", sex="2", lsoa=LSOA_B, eth="APKN"),
        child("d", sex="F", lsoa=LSOA_B, dob="2000-01-01"),  # aged 24: outside 0-17
        child("e", sex="9", lsoa=LSOA_B),
    ]
    episodes = [
        {"la_child_id": c, "cin_referral_date": "2023-05-01", "cin_closure_date": None}
        for c in "abcde"
    ]
    # a second referral of a, closed again: one more event, the same child
    episodes.append(
        {"la_child_id": "a", "cin_referral_date": "2023-04-02", "cin_closure_date": "2023-04-20"}
    )
    return year(cin_children=kids, cin_episodes=episodes)


def rows(values, area_type="la", breakdown=None):
    v = values[values["area_type"] == area_type]
    return v if breakdown is None else v[v["breakdown"] == breakdown].set_index("category")


def test_totals_categories_and_harmonised_sex():
    values = indicator_values(indicator("cin_31mar"), cin_year())
    total = rows(values, breakdown="total").loc["all"]
    assert (total["numerator"], total["denominator"]) == (4, 720)
    sex = rows(values, breakdown="sex")
    assert sex["numerator"].to_dict() == {"F": 1, "M": 2, "U": 1}
    assert sex.loc["F", "denominator"] == 360 and np.isnan(sex.loc["U", "value"])
    assert rows(values, breakdown="imd_decile")["numerator"].to_dict() == {"1": 2, "10": 2}
    assert rows(values, breakdown="imd_quintile")["numerator"].to_dict() == {"1": 2, "5": 2}
    eth = rows(values, breakdown="ethnic_group")
    assert eth["numerator"].to_dict() == {"Asian": 1, "Not recorded": 1, "White": 2}
    assert eth["denominator"].isna().all() and eth["value"].isna().all()
    wards = rows(values, "ward", "total")
    assert wards.set_index("area_code")["numerator"].to_dict() == {WARD_A: 2, "E05000002": 2}
    assert len(rows(values, "lsoa")) == 2 and set(rows(values, "lsoa")["breakdown"]) == {"total"}
    assert checks.breakdowns_not_summing(values).empty
    assert checks.implausible_values(values).empty
    assert checks.numerator_above_denominator(values).empty
    assert set(values["area_code"][values["area_type"] == "la"]) == {LA}


def test_proportions_use_wilson_and_rates_byar():
    values = indicator_values(indicator("cin_31mar"), cin_year())
    total = rows(values, breakdown="total").loc["all"]
    expected = proportion_ci(4, 720, 0.95, 10_000)
    assert total["value"] == pytest.approx(float(expected.value))
    assert total["lower_ci_95"] == pytest.approx(float(expected.lower))
    wide = proportion_ci(4, 720, 0.998, 10_000)
    assert total["upper_ci_99_8"] == pytest.approx(float(wide.upper))
    referrals = indicator_values(indicator("cin_referrals"), cin_year())
    r = rows(referrals, breakdown="total").loc["all"]
    assert r["numerator"] == 5  # events of children aged 0-17: a twice, not the 24-year-old
    expected = rate_ci(5, 720, 0.95, 10_000)
    assert r["upper_ci_95"] == pytest.approx(float(expected.upper))


def test_breakdown_check_flags_a_broken_sum():
    values = indicator_values(indicator("cin_31mar"), cin_year())
    broken = values.copy()
    broken.loc[broken["breakdown"] == "sex", "numerator"] += 1
    assert not checks.breakdowns_not_summing(broken).empty


def test_a_year_without_a_source_gives_zero_counts_not_an_error():
    data = year()  # reference data only: no service delivery at all
    values = all_values(data)
    la = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
    assert len(la) == len(CATALOGUE) - 1  # the household share has no denominator
    assert (la["numerator"] == 0).all()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from([LSOA_A, LSOA_B]),
            st.sampled_from(["1", "2", "0", "9", "M", "F", "U"]),
            st.integers(min_value=2000, max_value=2023),
            st.sampled_from(["WBRI", "MWBC", "APKN", "BAFR", "OOTH", "REFU"]),
        ),
        max_size=30,
    )
)
def test_every_breakdown_sums_to_its_total(children):
    kids = [
        child(f"c{i}", sex=sex, lsoa=lsoa, eth=eth, dob=f"{born}-07-01")
        for i, (lsoa, sex, born, eth) in enumerate(children)
    ]
    episodes = [{"la_child_id": k["la_child_id"], "cin_referral_date": "2023-05-01"} for k in kids]
    values = indicator_values(
        indicator("cin_31mar"), year(cin_children=kids, cin_episodes=episodes)
    )
    assert checks.breakdowns_not_summing(values).empty
    assert checks.numerator_above_denominator(values).empty
    total = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
    assert total["numerator"].item() == sum(1 for c in children if c[2] >= 2006)
