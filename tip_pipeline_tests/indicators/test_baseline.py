"""The baseline of a year's change in inequality: computed from the first reporting year's
validated tables, only for a later year, and remembered in the process while those tables are
unchanged."""

import pandas as pd
import pytest

from tip_pipeline.indicators import baseline
from tip_pipeline.periods import FinancialYear

FIRST = FinancialYear(2021)


def _values(indicator: str) -> pd.DataFrame:
    """Indicator values of LA rows: quintiles 1 to 5 and the total."""
    cats = [("imd_quintile", q) for q in "12345"] + [("total", "all")]
    return pd.DataFrame(
        {
            "indicator_id": indicator,
            "area_type": "la",
            "area_code": "E08000035",
            "breakdown": [b for b, _ in cats],
            "category": [c for _, c in cats],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, 3.0],
        }
    )


@pytest.fixture
def inputs(monkeypatch):
    """The baseline's validated inputs as a key the test changes, and a record of every time
    its values are computed."""
    key = {"version": 1}
    computed = []
    baseline._REMEMBERED.clear()
    monkeypatch.setattr(
        baseline, "inputs_key", lambda engine, year: ("w", year.label, key["version"])
    )
    monkeypatch.setattr(baseline, "load_year", lambda engine, period: computed.append(period))
    monkeypatch.setattr(baseline, "all_values", lambda data: _values("x"))
    yield key, computed
    baseline._REMEMBERED.clear()


def test_the_baseline_year_itself_has_no_baseline():
    # no warehouse is read: there is no change to measure
    assert baseline.baseline_values(None, FIRST, FIRST) is None
    assert baseline.baseline_values(None, FinancialYear(2020), FIRST) is None


def test_a_later_year_computes_the_baseline_years_quintile_rows(inputs):
    _, computed = inputs
    rows = baseline.baseline_values("engine", FinancialYear(2023), FIRST)
    assert computed == [FIRST]
    # only what the change since the baseline reads: the most and least deprived quintiles
    assert sorted(rows["category"]) == ["1", "5"]
    assert set(rows["breakdown"]) == {"imd_quintile"}


def test_later_years_reuse_the_baseline_while_its_inputs_are_unchanged(inputs):
    key, computed = inputs
    first = baseline.baseline_values("engine", FinancialYear(2023), FIRST)
    again = baseline.baseline_values("engine", FinancialYear(2024), FIRST)
    assert computed == [FIRST]
    pd.testing.assert_frame_equal(first, again)
    key["version"] = 2  # the baseline year validated again
    baseline.baseline_values("engine", FinancialYear(2024), FIRST)
    assert computed == [FIRST, FIRST]


def test_the_baseline_years_own_values_are_remembered(inputs):
    _, computed = inputs
    data = type("Data", (), {"period": FIRST})()
    baseline.remember("engine", data, _values("y"))
    rows = baseline.baseline_values("engine", FinancialYear(2022), FIRST)
    assert computed == []  # not computed again
    assert set(rows["indicator_id"]) == {"y"}
