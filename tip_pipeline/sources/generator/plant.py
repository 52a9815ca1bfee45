"""Direct identifiers planted on purpose (``plant_identifiers=True``): each must make the whole
delivery be refused (docs/CONVENTIONS.md, "Identifiers"). Each kind goes into a different file
of the last reporting year, across about 70% of the rows, so that a share-threshold detector
fires.

| kind              | file (table)       | column                  |
|-------------------|--------------------|-------------------------|
| postcode          | cin_children       | HomeLSOA                |
| nhs_number        | yjs_outcomes       | YJ_ID (valid modulus 11)|
| full_dob          | ssda903_header     | DOB (day not the 1st)   |
| name              | hclic_children Q4  | CHILD_ID                |
| free_text         | cin_episodes       | NOTES (added column)    |
| unexpected_column | ssda903_episodes   | PL_POST (added column)  |
"""

from __future__ import annotations

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
#: (table, quarter or None, column, kind)
PLANTS = (
    ("cin_children", None, "HomeLSOA", "postcode"),
    ("yjs_outcomes", None, "YJ_ID", "nhs_number"),
    ("ssda903_header", None, "DOB", "full_dob"),
    ("hclic_children", 4, "CHILD_ID", "name"),
    ("cin_episodes", None, "NOTES", "free_text"),
    ("ssda903_episodes", None, "PL_POST", "unexpected_column"),
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
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return [
        f"LS{rng.integers(1, 30)} {rng.integers(0, 10)}{letters[rng.integers(0, 20)]}"
        f"{letters[rng.integers(0, 20)]}"
        for _ in range(n)
    ]


def plant(df: pd.DataFrame, kind: str, column: str, rng: np.random.Generator) -> pd.DataFrame:
    df = df.copy()
    n = len(df)
    rows = np.flatnonzero(rng.random(n) < SHARE)
    if kind == "postcode":
        df.iloc[rows, df.columns.get_loc(column)] = postcodes(rng, rows.size)
    elif kind == "nhs_number":
        df.iloc[rows, df.columns.get_loc(column)] = nhs_numbers(rng, rows.size)
    elif kind == "full_dob":
        dob = pd.to_datetime(df[column].iloc[rows])
        days = pd.to_timedelta(rng.integers(1, 28, rows.size), unit="D")
        df.iloc[rows, df.columns.get_loc(column)] = (dob + days).dt.strftime("%Y-%m-%d").to_numpy()
    elif kind == "name":
        df.iloc[rows, df.columns.get_loc(column)] = [
            f"{_FIRST[rng.integers(0, len(_FIRST))]} {_LAST[rng.integers(0, len(_LAST))]}"
            for _ in rows
        ]
    elif kind == "free_text":
        notes = np.full(n, "", dtype=object)
        notes[rows] = [_NOTES[rng.integers(0, len(_NOTES))] for _ in rows]
        df[column] = notes
    elif kind == "unexpected_column":
        df[column] = df["PL_LA"].to_numpy()
    else:
        raise ValueError(kind)
    return df
