"""Identifier guard: refuse a delivery that still carries direct identifiers.

Runs before anything of a delivery is staged (docs/CONVENTIONS.md, "Identifiers"). Columns outside
the contract are refused by the reader; this module looks inside the allowed columns for what
anonymisation should have removed: full postcodes, NHS numbers, full dates of birth, personal
names and free text.

Each detector is a share: the proportion of a column's non-missing values that look like the
identifier. A column is flagged when the share reaches the threshold, so that a pseudonymised
id that happens to pass the NHS number check digit, or one mistyped date, does not refuse a
good delivery. Findings name the file, column and kind, and never carry a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tip_pipeline.sources.contracts import Column, Extract, Kind

DEFAULT_SHARE = 0.2

# Royal Mail format: outward code (area, district) + inward code (sector, unit).
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)
_NHS_DIGITS = re.compile(r"^\d{3} ?\d{3} ?\d{4}$")
_PERSON_NAME = re.compile(r"^[A-Z][a-z'\-]+(?: [A-Z][a-z'\-]+){1,2}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-(\d{2})$")
_FREE_TEXT_MIN_WORDS = 5


@dataclass(frozen=True)
class Finding:
    file: str
    column: str
    kind: str
    share: float
    values_checked: int

    def message(self) -> str:
        return (
            f"{self.file}, column {self.column}: {self.kind.replace('_', ' ')} "
            f"({self.share:.0%} of {self.values_checked:,} values)"
        )


def nhs_number_valid(digits: str) -> bool:
    """Modulus 11 check digit of an NHS number (NHS Data Dictionary)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _share(values: pd.Series, predicate: Callable[[pd.Series], pd.Series]) -> float:
    return float(predicate(values).mean()) if len(values) else 0.0


def _postcodes(values: pd.Series) -> pd.Series:
    return values.str.strip().str.match(_POSTCODE)


def _nhs_numbers(values: pd.Series) -> pd.Series:
    candidates = values.str.strip().str.match(_NHS_DIGITS).astype(bool)
    digits = values[candidates].str.replace(" ", "", regex=False)
    return pd.Series(values.index.isin(digits[digits.map(nhs_number_valid)].index), values.index)


def _full_dates_of_birth(values: pd.Series) -> pd.Series:
    day = values.str.extract(_ISO_DATE, expand=False)
    return day.notna() & (day != "01")


def _person_names(values: pd.Series) -> pd.Series:
    return values.str.strip().str.match(_PERSON_NAME)


def _free_text(values: pd.Series) -> pd.Series:
    return values.str.split().str.len() >= _FREE_TEXT_MIN_WORDS


#: kind -> (detector, which columns it looks at)
DETECTORS: dict[str, tuple[Callable[[pd.Series], pd.Series], Callable[[Column], bool]]] = {
    "full_postcode": (_postcodes, lambda c: c.kind is not Kind.NAME),
    "nhs_number": (_nhs_numbers, lambda c: c.kind is not Kind.NAME),
    "full_date_of_birth": (_full_dates_of_birth, lambda c: c.kind is Kind.BIRTH_MONTH),
    "person_name": (_person_names, lambda c: c.kind not in (Kind.NAME, Kind.CODES)),
    "free_text": (_free_text, lambda c: c.kind not in (Kind.NAME,)),
}


def scan_frame(
    frame: pd.DataFrame, extract: Extract, file: str, threshold: float = DEFAULT_SHARE
) -> list[Finding]:
    """Findings for every column of ``frame`` (text, as read) whose share reaches threshold."""
    findings = []
    for column in extract.columns:
        if column.name not in frame:
            continue
        values = frame[column.name].dropna().astype("string")
        if values.empty:
            continue
        for kind, (detector, applies) in DETECTORS.items():
            if not applies(column):
                continue
            share = _share(values, detector)
            if share >= threshold and not np.isnan(share):
                findings.append(Finding(file, column.name, kind, share, len(values)))
    return findings


class DeliveryRefused(Exception):
    """The delivery carries direct identifiers, or columns outside its contract, and is
    refused whole: nothing of it is stored."""

    def __init__(self, findings: list[Finding], refusals: list[str] | None = None):
        self.findings = findings
        self.refusals = refusals or []
        problems = [*self.refusals]
        if findings:
            problems.append("direct identifiers found: " + "; ".join(f.message() for f in findings))
        super().__init__(
            f"delivery refused: {' | '.join(problems)}. Nothing of this delivery was stored; "
            "ask the sender to re-extract it anonymised, with the contract's columns only "
            "(data_sources/README.md)."
        )
