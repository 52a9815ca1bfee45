"""Goals: a target value an indicator is compared with, and OHID Fingertips' "Compared to goal".

A goal is declared on the indicator in the catalogue (``Indicator.goal``), with its source:
the document that sets it (a national standard, a statutory limit, or the local steering
group's own target, with the minute or plan that agreed it). Nothing here invents one: an
indicator without a declared goal is "not compared" (docs/CONVENTIONS.md, "Goals"). Declaring
one is one line in ``indicators/catalogue.py``::

    goal=Goal(20.0, GoalPolarity.LOW_IS_GOOD, "Children's partnership board, 12 March 2027"),

The comparison is Fingertips' own (fingertips-open, ``PholioVisualisation.Analysis``:
``TargetComparerFactory``, ``SingleValueTargetComparer``, ``RangeTargetComparer``). A goal
has a value (Fingertips' ``TargetConfig.LowerLimit``), optionally an upper value making it a
range (``UpperLimit``), and its own polarity (``TargetConfig.PolarityId``: RAG, low is good or
high is good), which may differ from the indicator's (an indicator published with "no
judgement" can still be held to a local goal). The value alone is compared, never its
confidence limits:

- a single value, low is good: better when value <= goal, else worse; high is good: better
  when value >= goal, else worse;
- a range [goal, upper), low is good: better below the goal, worse at or above the upper value,
  similar between; high is good: worse below the goal, better at or above the upper value,
  similar between;
- no value (suppressed, no denominator): not compared (Fingertips' ``Significance.None``).

Fingertips' words for the result in its data downloads (``CsvDataHelper.getSignificanceValue``
with the target comparator, ``SignificanceFormatter.getLabel`` for a RAG polarity): "Better",
"Similar", "Worse", "Not compared"; its charts colour them green, amber and red
(``SignificanceFormatter.getTargetLabel``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

BETTER: Final = "Better"
SIMILAR: Final = "Similar"
WORSE: Final = "Worse"
NOT_COMPARED: Final = "Not compared"
#: why an indicator's values are not compared with a goal when none is declared
NO_GOAL: Final = "no goal declared"
#: Fingertips' chart colours of the three results (``SignificanceFormatter.getTargetLabel``)
RAG: Final = {BETTER: "Green", SIMILAR: "Amber", WORSE: "Red"}


class GoalPolarity(StrEnum):
    """Which side of the goal is good (Fingertips' RAG polarities of a target)."""

    LOW_IS_GOOD = "lower is better"
    HIGH_IS_GOOD = "higher is better"


@dataclass(frozen=True)
class Goal:
    """A goal on the indicator's published scale (its value's unit: per 10,000 children, %...).

    ``value``: the goal (a range's lower end); ``upper``: a range's upper end, None for a single
    value; ``polarity``: which side is good; ``source``: where the goal is set (title, body,
    date, section), published with it."""

    value: float
    polarity: GoalPolarity
    source: str
    upper: float | None = None

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise ValueError("a goal needs its source: the document that sets it")
        if not math.isfinite(self.value) or (
            self.upper is not None and not math.isfinite(self.upper)
        ):
            raise ValueError("a goal's values must be finite numbers")
        if self.upper is not None and self.upper < self.value:
            raise ValueError("a goal's upper value cannot be below its lower value")

    @property
    def rule(self) -> str:
        """The comparison rule in plain English, as published in ``dim_indicator``."""
        low = self.polarity == GoalPolarity.LOW_IS_GOOD
        if self.upper is None:
            better = f"at or below {self.value:g}" if low else f"at or above {self.value:g}"
            return f"{BETTER} {better}, otherwise {WORSE.lower()} (Fingertips, single value)"
        good, bad = ("below", "at or above") if low else ("at or above", "below")
        first, second = (self.value, self.upper) if low else (self.upper, self.value)
        return (
            f"{BETTER} {good} {first:g}, {WORSE.lower()} {bad} {second:g}, "
            f"{SIMILAR.lower()} between (Fingertips, range)"
        )


def compare_to_goal(value: float | None, goal: Goal) -> str:
    """Fingertips' "Compared to goal" of one value: "Better", "Similar", "Worse", or "Not
    compared" when there is no value (the module's docstring gives the rule and its source)."""
    if value is None or not math.isfinite(value):
        return NOT_COMPARED
    low = goal.polarity == GoalPolarity.LOW_IS_GOOD
    if goal.upper is None:
        met = value <= goal.value if low else value >= goal.value
        return BETTER if met else WORSE
    if value < goal.value:
        return BETTER if low else WORSE
    if value >= goal.upper:
        return WORSE if low else BETTER
    return SIMILAR
