"""The hidden-need sentence: modelled against recorded children, never a suppressed figure."""

import math

from tip_pipeline.reports.sections.hidden_need import hidden_need_statement


def test_hidden_need():
    text = hidden_need_statement("live with X", 1000.0, 250.0, False)
    assert "25% of the modelled number" in text and "750" in text
    assert "suppressed" in hidden_need_statement("live with X", 1000.0, math.nan, True)


def test_hidden_need_with_the_modelled_range():
    text = hidden_need_statement("live with X", 1000.0, 250.0, False, (750.0, 1300.0))
    assert "1,000 children (modelled range 750 to 1,300)" in text
    assert "about 750 (modelled range 500 to 1,050) not known to services" in text
