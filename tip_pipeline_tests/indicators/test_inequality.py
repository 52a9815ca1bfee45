"""SII/RII with seeded limits, gap and ratio, poorest fastest, read against polarity."""

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.indicators.catalogue import indicator
from tip_pipeline.indicators.inequality import (
    HIGHER_MORE,
    inequality_summary,
    reading,
    stable_seed,
)
from tip_pipeline.stats import proportion_ci


def decile_values(ind_id: str, rates: list[float], n: int = 5000, period="2023/24", la="E1"):
    """LA rows for the ten deciles and the two extreme quintiles, from rates per 10,000."""
    ind = indicator(ind_id)
    rows = []
    counts = [round(r * n / ind.multiplier) for r in rates]
    cats = [(str(d + 1), "imd_decile", counts[d], n) for d in range(10)]
    cats += [("1", "imd_quintile", counts[0] + counts[1], 2 * n)]
    cats += [("5", "imd_quintile", counts[8] + counts[9], 2 * n)]
    for cat, breakdown, x, den in cats:
        est = proportion_ci(x, den, 0.95, ind.multiplier)
        rows.append(
            {
                "indicator_id": ind_id,
                "period": period,
                "area_type": "la",
                "area_code": la,
                "area_name": "Town",
                "breakdown": breakdown,
                "category": cat,
                "numerator": x,
                "denominator": den,
                "value": float(est.value),
                "lower_ci_95": float(est.lower),
                "upper_ci_95": float(est.upper),
            }
        )
    return pd.DataFrame(rows)


def test_gradient_reproducible_seed_and_polarity_sentence():
    values = decile_values("yj_outcome", [200, 180, 160, 140, 120, 100, 80, 60, 40, 20])
    first = inequality_summary(values, None, None).iloc[0]
    again = inequality_summary(values, None, None).iloc[0]
    assert first["lower_sii_95"] == again["lower_sii_95"]  # seeded from (indicator, area, year)
    assert first["sii"] < 0 and first["gradient"] == HIGHER_MORE
    assert "worse in more deprived areas" in first["statement"]
    assert first["gap"] == pytest.approx(
        first["most_deprived_value"] - first["least_deprived_value"]
    )
    assert first["ratio"] == pytest.approx(190 / 30)
    assert first["lower_gap_95"] < first["gap"] < first["upper_gap_95"]
    assert stable_seed("a", "b") == stable_seed("a", "b") != stable_seed("a", "c")


def test_no_judgement_indicators_state_the_gradient_only():
    assert reading(indicator("cla_31mar"), HIGHER_MORE) == ""
    assert reading(indicator("yj_outcome"), HIGHER_MORE) == "worse in more deprived areas"


def test_fewer_than_five_deciles_is_not_computed():
    values = decile_values("cla_31mar", [50] * 10)
    values = values[
        ~values["category"].isin(["5", "6", "7", "8", "9", "10"])
        | (values["breakdown"] == "imd_quintile")
    ]
    row = inequality_summary(values, None, None).iloc[0]
    assert np.isnan(row["sii"]) and row["gradient"].startswith("not computed")


def test_poorest_fastest_is_the_difference_of_changes():
    base = decile_values(
        "yj_outcome", [200, 200, 100, 100, 100, 100, 100, 100, 50, 50], period="2020/21"
    )
    now = decile_values("yj_outcome", [100, 100, 100, 100, 100, 100, 100, 100, 50, 50])
    row = inequality_summary(now, base, "2020/21").iloc[0]
    assert row["change_most_deprived"] == pytest.approx(-100, abs=1)
    assert row["change_least_deprived"] == pytest.approx(0, abs=1)
    assert row["poorest_fastest"] == pytest.approx(-100, abs=1)
    assert row["upper_poorest_fastest_95"] < 0
    assert "improving faster" in row["poorest_fastest_statement"]
    assert row["baseline_period"] == "2020/21"


def test_steep_gradient_publishes_a_positive_rii_from_the_transformed_fit():
    """A gradient steep enough that the straight line crosses zero at the least deprived end
    (its RII would be negative): the catalogue's logit fit gives a positive RII and limits."""
    rates = [400, 250, 150, 90, 50, 28, 15, 8, 4, 2]  # per 10,000
    row = inequality_summary(decile_values("yj_outcome", rates), None, None).iloc[0]
    assert row["sii_transform"] == "logit" and row["rii_note"] is None
    assert 0 < row["lower_rii_95"] < row["rii"] < row["upper_rii_95"] < 1
    assert row["lower_sii_95"] < row["sii"] < row["upper_sii_95"] < 0
    # the curve's ends: intercept at the most deprived end, intercept + SII at the least
    assert row["sii_intercept"] > 0 and row["sii_intercept"] + row["sii"] > 0
    assert row["rii"] == pytest.approx((row["sii_intercept"] + row["sii"]) / row["sii_intercept"])


def test_undefined_transform_falls_back_to_the_line_and_never_publishes_a_negative_rii():
    """A decile with no children counted (value 0): no logit, so the straight line is fitted;
    steep, it is negative at the least deprived end, so the RII is NULL with the reason."""
    rates = [400, 250, 150, 90, 50, 28, 15, 8, 4, 0]
    row = inequality_summary(decile_values("yj_outcome", rates), None, None).iloc[0]
    assert row["sii_transform"] == "none"
    assert np.isfinite(row["sii"]) and row["sii"] < 0
    assert np.isnan([row["rii"], row["lower_rii_95"], row["upper_rii_95"]]).all()
    assert "no logit" in row["rii_note"] and "not positive" in row["rii_note"]


def test_gentle_gradient_with_a_zero_decile_keeps_a_positive_straight_line_rii():
    rates = [60, 58, 55, 53, 50, 48, 45, 43, 40, 0]
    row = inequality_summary(decile_values("cla_31mar", rates), None, None).iloc[0]
    assert row["sii_transform"] == "none" and row["rii_note"] is None
    assert row["rii"] > 0 and row["lower_rii_95"] > 0
