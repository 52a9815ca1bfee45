"""Formatted figures, for every section's sentences and tables.

Every figure the report prints goes through one of the formatters here, so that a missing
figure reads "not available" and a suppressed one "suppressed" -- never 0 -- everywhere. Each
section's sentences are in its module (``reports.sections``).
"""

from __future__ import annotations

import math
from typing import Final

SUPPRESSED: Final = "suppressed"
MISSING: Final = "not available"
SIGNIFICANCE: Final = 0.05


def is_missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def decimals_for(x: float) -> int:
    """Decimal places that keep about three significant figures for small values."""
    size = abs(x)
    if size == 0 or size >= 10:
        return 1
    if size >= 1:
        return 2
    return min(4, 2 - math.floor(math.log10(size)))


def fmt_value(x: float | None, suppressed: bool = False, places: int | None = None) -> str:
    """A value in its unit (1 decimal place, more for values below 10)."""
    if suppressed:
        return SUPPRESSED
    if is_missing(x):
        return MISSING
    assert x is not None
    return f"{x:,.{decimals_for(x) if places is None else places}f}"


def fmt_count(x: float | None, suppressed: bool = False) -> str:
    """A count of children or records, whole, with thousands separators."""
    if suppressed:
        return SUPPRESSED
    if is_missing(x):
        return MISSING
    assert x is not None
    return f"{round(x):,}"


def fmt_ci(lower: float | None, upper: float | None, suppressed: bool = False) -> str:
    """``a to b``, both in the value's format."""
    if suppressed:
        return SUPPRESSED
    if is_missing(lower) or is_missing(upper):
        return MISSING
    assert lower is not None and upper is not None
    places = max(decimals_for(lower), decimals_for(upper))
    return f"{fmt_value(lower, places=places)} to {fmt_value(upper, places=places)}"


def fmt_signed(x: float | None, places: int | None = None) -> str:
    if is_missing(x):
        return MISSING
    assert x is not None
    return ("+" if x > 0 else "") + fmt_value(x, places=places)


def fmt_p(p: float | None) -> str:
    if is_missing(p):
        return MISSING
    assert p is not None
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
