"""Direct identifiers planted on purpose (``plant_identifiers=True``): each must make the whole
delivery be refused (docs/CONVENTIONS.md, "Identifiers"). Each kind goes into a different file
of the last reporting year: the kinds the guard refuses by share across about 70% of the rows,
the kinds that are never innocent into a single row, to show that one value is enough.

| kind               | file (table)      | column                 | rows | refused as         |
|--------------------|-------------------|------------------------|------|--------------------|
| postcode           | cin_children      | HomeLSOA (``LS9 8AB``) | 70%  | full_postcode      |
| postcode_compact   | hclic_main Q1     | HOME_LSOA (``ls98ab``) | one  | full_postcode      |
| nhs_number         | yjs_outcomes      | YJ_ID (valid mod 11)   | 70%  | nhs_number         |
| nhs_number_spaced  | cin_assessments   | LAchildID (3-3-4)      | one  | nhs_number         |
| phone_number       | yjs_offences      | YJ_ID (UK numbers)     | 70%  | phone_number       |
| email              | ssda903_episodes  | CHILD                  | 70%  | email              |
| full_dob           | ssda903_header    | DOB (yyyy-mm-dd)       | 70%  | full_date_of_birth |
| full_dob_day_first | hclic_children Q1 | CHILD_DOB (dd/mm/yyyy) | 70%  | full_date_of_birth |
| name               | hclic_children Q4 | CHILD_ID               | 70%  | person_name        |
| name_in_codes      | cin_cp_plans      | InitialCategoryOfAbuse | 70%  | person_name        |
| free_text          | cin_episodes      | NOTES (added column)   | 70%  | column outside the |
| unexpected_column  | hclic_support Q4  | HOME_POSTCODE (added)  | all  | contract (reader)  |

Every value planted is synthetic: reserved-range phone numbers (Ofcom's drama numbers),
``example.org`` addresses, NHS numbers that pass the check digit by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SHARE = 0.7
_FIRST = ("Olivia", "Amelia", "Jack", "Harry", "Noah", "Isla", "Ava", "Mohammed", "Leo", "Freya")
_LAST = ("Smith", "Jones", "Taylor", "Brown", "Khan", "Wilson", "Evans", "Hussain", "Walker")
_NOTES = (
    "Mum says dad came back last week, police called twice",
    "Child disclosed at school that she is scared to go home",
    "Family moved in with grandmother after eviction, very overcrowded",
    "Missed two health visitor appointments, no answer at the door",
    "Older brother known to YOT, concerns about county lines",
)
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Plant:
    table: str
    quarter: int | None
    column: str
    kind: str
    #: the guard's kind that must refuse it (None: the reader refuses the added column)
    refused_as: str | None
    #: a share of the rows, or a single row (the kinds that are never innocent)
    single: bool = False


PLANTS = (
    Plant("cin_children", None, "HomeLSOA", "postcode", "full_postcode"),
    Plant("hclic_main", 1, "HOME_LSOA", "postcode_compact", "full_postcode", single=True),
    Plant("yjs_outcomes", None, "YJ_ID", "nhs_number", "nhs_number"),
    Plant("cin_assessments", None, "LAchildID", "nhs_number_spaced", "nhs_number", single=True),
    Plant("yjs_offences", None, "YJ_ID", "phone_number", "phone_number"),
    Plant("ssda903_episodes", None, "CHILD", "email", "email"),
    Plant("ssda903_header", None, "DOB", "full_dob", "full_date_of_birth"),
    Plant("hclic_children", 1, "CHILD_DOB", "full_dob_day_first", "full_date_of_birth"),
    Plant("hclic_children", 4, "CHILD_ID", "name", "person_name"),
    Plant("cin_cp_plans", None, "InitialCategoryOfAbuse", "name_in_codes", "person_name"),
    Plant("cin_episodes", None, "NOTES", "free_text", None),
    Plant("hclic_support", 4, "HOME_POSTCODE", "unexpected_column", None),
)


def nhs_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """Ten-digit NHS numbers with a valid modulus-11 check digit."""
    out: list[str] = []
    weights = np.arange(10, 1, -1)
    while len(out) < n:
        digits = rng.integers(0, 10, (n, 9))
        digits[:, 0] = rng.integers(4, 10, n)
        check = 11 - (digits * weights).sum(axis=1) % 11
        check[check == 11] = 0
        good = check != 10
        out += [
            "".join(map(str, d)) + str(c) for d, c in zip(digits[good], check[good], strict=True)
        ]
    return out[:n]


def postcodes(rng: np.random.Generator, n: int) -> list[str]:
    letters = _POSTCODE_LETTERS
    return [
        f"LS{rng.integers(1, 30)} {rng.integers(0, 10)}{letters[rng.integers(0, 20)]}"
        f"{letters[rng.integers(0, 20)]}"
        for _ in range(n)
    ]


def phone_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """Numbers from Ofcom's ranges reserved for drama (never allocated): Leeds 0113 496 0xxx
    and mobiles 07700 900xxx, written as people write them."""
    out = []
    for i in range(n):
        last = rng.integers(0, 1000)
        out.append(f"0113 496 0{last:03d}" if i % 2 else f"07700 900{last:03d}")
    return out


def emails(rng: np.random.Generator, n: int) -> list[str]:
    """Addresses at ``example.org``, reserved for documentation (RFC 2606)."""
    out = []
    for _ in range(n):
        first = _FIRST[rng.integers(0, len(_FIRST))].lower()
        last = _LAST[rng.integers(0, len(_LAST))].lower()
        out.append(f"{first}.{last}{rng.integers(1, 100)}@example.org")
    return out


def _names(rng: np.random.Generator, n: int) -> list[str]:
    return [
        f"{_FIRST[rng.integers(0, len(_FIRST))]} {_LAST[rng.integers(0, len(_LAST))]}"
        for _ in range(n)
    ]


def _full_dobs(dob: pd.Series, rng: np.random.Generator, fmt: str) -> np.ndarray:
    """The birth month's first day moved to a later day of the month (2nd to 28th)."""
    days = pd.to_timedelta(rng.integers(1, 28, dob.size), unit="D")
    return (pd.to_datetime(dob) + days).dt.strftime(fmt).to_numpy()


def _values(
    df: pd.DataFrame, kind: str, column: str, rows: np.ndarray, rng: np.random.Generator
) -> list[str] | np.ndarray:
    """The planted values of ``kind`` for ``rows``."""
    n = rows.size
    if kind == "postcode":
        return postcodes(rng, n)
    if kind == "postcode_compact":
        return [p.replace(" ", "").lower() for p in postcodes(rng, n)]
    if kind == "nhs_number":
        return nhs_numbers(rng, n)
    if kind == "nhs_number_spaced":
        return [f"{d[:3]} {d[3:6]} {d[6:]}" for d in nhs_numbers(rng, n)]
    if kind == "phone_number":
        return phone_numbers(rng, n)
    if kind == "email":
        return emails(rng, n)
    if kind == "full_dob":
        return _full_dobs(df[column].iloc[rows], rng, "%Y-%m-%d")
    if kind == "full_dob_day_first":
        return _full_dobs(df[column].iloc[rows], rng, "%d/%m/%Y")
    if kind in ("name", "name_in_codes"):
        return _names(rng, n)
    raise ValueError(kind)


def plant(df: pd.DataFrame, spec: Plant, rng: np.random.Generator) -> pd.DataFrame:
    df = df.copy()
    n = len(df)
    if spec.kind == "free_text":
        notes = np.full(n, "", dtype=object)
        rows = np.flatnonzero(rng.random(n) < SHARE)
        notes[rows] = [_NOTES[rng.integers(0, len(_NOTES))] for _ in rows]
        df[spec.column] = notes
        return df
    if spec.kind == "unexpected_column":
        df[spec.column] = df.iloc[:, 0].to_numpy()
        return df
    if spec.single:
        rows = np.array([rng.integers(0, n)]) if n else np.array([], dtype=int)
    else:
        rows = np.flatnonzero(rng.random(n) < SHARE)
    df.iloc[rows, df.columns.get_loc(spec.column)] = _values(df, spec.kind, spec.column, rows, rng)
    return df
