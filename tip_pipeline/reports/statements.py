"""Plain-English sentences and formatted figures, from numbers.

Every figure the report prints goes through one of the formatters here, so that a missing
figure reads "not available" and a suppressed one "suppressed" -- never 0 -- everywhere. The
sentences follow CONVENTIONS.md: a change between two years is judged by a test of the
difference (not by overlapping limits), a trend over five or more years by the chi-square test
for trend, a comparison by the 95% limits against the comparator (Fingertips).
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


def reading(direction: float, polarity: str) -> str:
    """'better' / 'worse' / '' for a change of sign ``direction`` under ``polarity``."""
    if direction == 0 or polarity not in ("higher is worse", "higher is better"):
        return ""
    worse = (direction > 0) == (polarity == "higher is worse")
    return "worse" if worse else "better"


def change_statement(
    name: str,
    baseline_period: str,
    period: str,
    baseline: float,
    latest: float,
    difference: float,
    lower: float,
    upper: float,
    p_value: float,
    unit: str,
    polarity: str,
) -> str:
    """Whether the change since the baseline year is significant (a test of the difference)."""
    if is_missing(p_value) or is_missing(difference):
        return (
            f"{name}: the change between {baseline_period} and {period} could not be tested "
            "(a figure is missing or suppressed)."
        )
    moved = "rose" if difference > 0 else "fell" if difference < 0 else "did not change"
    head = (
        f"{name} {moved} from {fmt_value(baseline)} in {baseline_period} to "
        f"{fmt_value(latest)} in {period} ({unit}): a change of {fmt_signed(difference)} "
        f"(95% CI {fmt_ci(lower, upper)}; {fmt_p(p_value)})."
    )
    if p_value >= SIGNIFICANCE:
        return head + " The change is not statistically significant."
    judged = reading(difference, polarity)
    suffix = f", which is {judged}" if judged else ""
    return head + f" The change is statistically significant{suffix}."


def trend_statement(
    name: str, direction: str, p_value: float, periods: int, first: str, last: str
) -> str:
    """The chi-square test for trend, or why there is none."""
    if periods < 5:
        return (
            f"{name}: {periods} year(s) published up to {last}; a test for trend needs at "
            "least five."
        )
    if is_missing(p_value):
        return f"{name}: the trend from {first} to {last} could not be tested."
    if direction in ("increasing", "decreasing"):
        return (
            f"Over the {periods} years from {first} to {last} the trend is significantly "
            f"{direction} (chi-square test for trend, {fmt_p(p_value)})."
        )
    return (
        f"Over the {periods} years from {first} to {last} there is no significant trend "
        f"(chi-square test for trend, {fmt_p(p_value)})."
    )


def comparison_statement(area: str, comparator: str, result: str, polarity: str) -> str:
    """One comparison as Fingertips reads it: the area's 95% limits against the comparator."""
    if result == "higher" or result == "lower":
        judged = reading(1 if result == "higher" else -1, polarity)
        suffix = f" ({judged})" if judged else ""
        return f"{area} is significantly {result} than {comparator}{suffix}."
    if result == "similar":
        return f"{area} is similar to {comparator} (no significant difference)."
    return f"{area} is not compared with {comparator} (a value is missing or suppressed)."


def funnel_statement(
    area: str, high_998: list[str], low_998: list[str], high_95: int, low_95: int, shown: int
) -> str:
    """Which wards lie outside the funnel's 99.8% limits around the LA value."""
    parts = []
    if high_998:
        parts.append(f"above the 99.8% limits: {', '.join(high_998)}")
    if low_998:
        parts.append(f"below the 99.8% limits: {', '.join(low_998)}")
    if not parts:
        head = f"No ward of the {shown} shown lies outside the 99.8% limits around {area}."
    else:
        head = f"Wards {'; '.join(parts)}."
    return (
        head + f" Outside the 95% limits: {high_95} above and {low_95} below (about 1 ward in "
        "20 would be by chance alone)."
    )


def hidden_need_statement(
    label: str,
    modelled: float,
    recorded: float,
    suppressed: bool,
    modelled_range: tuple[float, float] | None = None,
) -> str:
    """Modelled against recorded children: how much need is not known to services, with the
    modelled range (the source's lower and upper estimates, not a confidence interval)."""
    if suppressed or is_missing(recorded) or is_missing(modelled) or modelled <= 0:
        return (
            f"Children who {label}: the recorded count is {SUPPRESSED if suppressed else MISSING}."
        )
    share = recorded / modelled * 100
    spread = gap = ""
    if modelled_range is not None and not any(is_missing(v) for v in modelled_range):
        low, high = modelled_range
        spread = f" (modelled range {fmt_count(low)} to {fmt_count(high)})"
        gap = f" (modelled range {fmt_count(low - recorded)} to {fmt_count(high - recorded)})"
    return (
        f"About {fmt_count(modelled)} children{spread} are modelled to {label}; services "
        f"recorded {fmt_count(recorded)} ({share:.0f}% of the modelled number), leaving "
        f"about {fmt_count(modelled - recorded)}{gap} not known to services: hidden need."
    )


def adversity_statement(area: str, share_two_plus: float | None, suppressed: bool) -> str:
    if suppressed or is_missing(share_two_plus):
        return f"The share of children in {area} known in two or more domains is {SUPPRESSED}."
    return (
        f"{fmt_value(share_two_plus)}% of children in {area} were known to two or more services "
        "(adversity domains) during the year, linked by the shared pseudonym."
    )


def quality_statement(rows_read: int, rows_quarantined: int, tables: int) -> str:
    share = rows_quarantined / rows_read * 100 if rows_read else 0.0
    return (
        f"{fmt_count(rows_read)} records were read from {tables} delivered tables; "
        f"{fmt_count(rows_quarantined)} ({share:.2f}%) were set aside (quarantined) because they "
        "broke a validation rule, and are not counted in any figure."
    )
