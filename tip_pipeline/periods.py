"""Reporting periods: financial years, 1 April to 31 March (docs/CONVENTIONS.md, "Periods").

Three spellings of one year, each used where it has to be:

- label ``2023/24``: what analysts read (warehouse ``period`` column, reports);
- tag ``2023-24``: file names and Dagster partition keys, where ``/`` is not safe;
- ``end_year`` 2024: arithmetic (the year ending 31 March 2024).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PERIOD_RE = re.compile(r"^(\d{4})[/-](\d{2})$")


@dataclass(frozen=True, order=True)
class FinancialYear:
    """The financial year that starts on 1 April of ``start_year``."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """Read ``2023/24`` or ``2023-24``; refuse anything else, including ``2023/25``."""
        match = _PERIOD_RE.match(text.strip())
        if not match:
            raise ValueError(f"not a financial year: {text!r} (expected e.g. 2023/24 or 2023-24)")
        start = int(match.group(1))
        if (start + 1) % 100 != int(match.group(2)):
            raise ValueError(f"not a financial year: {text!r} (the two years must be consecutive)")
        return cls(start)

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        """The financial year in which ``day`` falls."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def end_year(self) -> int:
        return self.start_year + 1

    @property
    def label(self) -> str:
        return f"{self.start_year}/{self.end_year % 100:02d}"

    @property
    def tag(self) -> str:
        return f"{self.start_year}-{self.end_year % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        """31 March: the snapshot date of the year's "at 31 March" indicators."""
        return date(self.end_year, 3, 31)

    @property
    def population_mid_year(self) -> int:
        """The ONS mid-year estimate used as denominator: mid-(YYYY-1) for the year ending
        31 March YYYY (docs/CONVENTIONS.md, "Population, geography and age")."""
        return self.end_year - 1

    def quarter_start(self, quarter: int) -> date:
        """First day of quarter 1-4 (Q1 = April-June)."""
        if quarter not in (1, 2, 3, 4):
            raise ValueError(f"quarter must be 1-4, not {quarter}")
        month = 4 + 3 * (quarter - 1)
        return date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    def shifted(self, years: int) -> FinancialYear:
        return FinancialYear(self.start_year + years)

    def is_complete(self, today: date) -> bool:
        """A year may be published as final only once its 31 March has passed."""
        return today > self.end

    def __str__(self) -> str:
        return self.label


def complete_years(first: FinancialYear, today: date) -> list[FinancialYear]:
    """Every complete financial year from ``first`` up to the last one ended before ``today``."""
    last = FinancialYear.containing(today).shifted(-1)
    return [FinancialYear(y) for y in range(first.start_year, last.start_year + 1)]


def is_financial_year(text: str) -> bool:
    """Whether ``text`` names a financial year (``2023/24`` or ``2023-24``), not a reference
    vintage or another period: ``FinancialYear.parse`` would read it."""
    try:
        FinancialYear.parse(text)
    except ValueError:
        return False
    return True
