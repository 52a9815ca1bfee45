"""The baseline of a year's change in inequality: recomputed from the first reporting year's
validated tables, and only for a later year."""

import pandas as pd

from tip_pipeline.indicators import baseline
from tip_pipeline.periods import FinancialYear

FIRST = FinancialYear(2021)


def test_the_baseline_year_itself_has_no_baseline():
    # no warehouse is read: there is no change to measure
    assert baseline.baseline_values(None, FIRST, FIRST) is None
    assert baseline.baseline_values(None, FinancialYear(2020), FIRST) is None


def test_a_later_year_recomputes_the_baseline_years_values(monkeypatch):
    loaded = []
    frame = pd.DataFrame({"indicator_id": ["x"], "value": [1.0]})
    monkeypatch.setattr(baseline, "load_year", lambda engine, period: loaded.append(period))
    monkeypatch.setattr(baseline, "all_values", lambda data: frame)
    assert baseline.baseline_values("engine", FinancialYear(2023), FIRST) is frame
    assert loaded == [FIRST]
