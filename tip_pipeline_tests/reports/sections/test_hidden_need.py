"""The hidden-need sentence: modelled against recorded children, never a suppressed figure."""

import math

from tip_pipeline.reports.sections.hidden_need import hidden_need_statement


def test_hidden_need():
    text = hidden_need_statement("live with X", 1000.0, 250.0, False)
    assert "25% of the modelled number" in text and "750" in text
    assert "suppressed" in hidden_need_statement("live with X", 1000.0, math.nan, True)
