import math

import pytest

from tip_pipeline.reports import statements as say


@pytest.mark.parametrize(
    ("value", "shown"),
    [(72.345, "72.3"), (1234.5, "1,234.5"), (7.345, "7.34"), (0.1290, "0.129"), (0.0, "0.0")],
)
def test_values_keep_about_three_significant_figures(value, shown):
    assert say.fmt_value(value) == shown


def test_suppressed_and_missing_never_read_as_zero():
    assert say.fmt_value(0.0, suppressed=True) == "suppressed"
    assert say.fmt_count(None, suppressed=True) == "suppressed"
    assert say.fmt_ci(1.0, 2.0, suppressed=True) == "suppressed"
    assert say.fmt_value(math.nan) == "not available"
    assert say.fmt_count(None) == "not available"
