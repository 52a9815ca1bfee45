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
