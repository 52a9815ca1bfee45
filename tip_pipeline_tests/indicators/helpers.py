"""Tiny hand-made years for the indicator rules: two LSOAs in two wards of one LA."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.indicators.data import YearData, columns_of
from tip_pipeline.periods import FinancialYear

YEAR = FinancialYear(2023)  # 1 April 2023 - 31 March 2024
LA = "E08000999"
LSOA_A, LSOA_B = "E01000001", "E01000002"  # decile 1 (ward W1), decile 10 (ward W2)
WARD_A, WARD_B = "E05000001", "E05000002"


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A validated-table frame: the contract's columns, missing values None."""
    cols = columns_of(table)
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def population(per_age: int = 10, lsoas=(LSOA_A, LSOA_B)) -> pd.DataFrame:
    """``per_age`` girls and boys of every age 0-90 in each LSOA (ONS wide layout)."""
    rows = []
    for lsoa in lsoas:
        row = {"lad_2021_code": LA, "lsoa_2021_code": lsoa, "total": per_age * 2 * 91}
        row.update({f"{s}{a}": per_age for s in ("f", "m") for a in range(91)})
        rows.append(row)
    return pd.DataFrame(rows)


#: Census 2021 children per LSOA by ethnic group code (1 Asian, 2 Black, 3 Mixed, 4 White,
#: 5 Other) and DfE age band 0-4, 5-9, 10-15, 16-17: 360 per LSOA, like ``population()``
CENSUS = {
    "1": (25, 25, 30, 10),
    "2": (10, 10, 12, 4),
    "3": (10, 10, 12, 4),
    "4": (50, 50, 60, 20),
    "5": (5, 5, 6, 2),
}


def census(lsoas=(LSOA_A, LSOA_B)) -> pd.DataFrame:
    """``CENSUS`` in each LSOA (validated ref_census_ethnicity columns)."""
    bands = ("aged_4_years_and_under", "aged_5_to_9_years", "aged_10_to_15_years")
    bands += ("aged_16_to_17_years",)
    rows = [
        {"lsoa_code_2021": lsoa, "ethnic_group_code": code, **dict(zip(bands, n, strict=True))}
        for lsoa in lsoas
        for code, n in CENSUS.items()
    ]
    return frame("ref_census_ethnicity", rows)


def reference() -> dict[str, pd.DataFrame]:
    return {
        "ref_lsoa_lookup": frame(
            "ref_lsoa_lookup",
            [
                {
                    "lsoa21cd": LSOA_A,
                    "lsoa21nm": "A",
                    "wd24cd": WARD_A,
                    "wd24nm": "W1",
                    "lad24cd": LA,
                    "lad24nm": "Town",
                },
                {
                    "lsoa21cd": LSOA_B,
                    "lsoa21nm": "B",
                    "wd24cd": WARD_B,
                    "wd24nm": "W2",
                    "lad24cd": LA,
                    "lad24nm": "Town",
                },
            ],
        ),
        "ref_imd": pd.DataFrame(
            {
                "lsoa_code_2021": [LSOA_A, LSOA_B],
                "index_of_multiple_deprivation_imd_decile": ["1", "10"],
            }
        ),
        "ref_lad_region": frame(
            "ref_lad_region",
            [{"lad24cd": LA, "lad24nm": "Town", "rgn24cd": "E12000003", "rgn24nm": "Yorks"}],
        ),
        "ref_population": population(),
        "ref_census_ethnicity": census(),
    }


def year(**tables: list[dict] | pd.DataFrame) -> YearData:
    """A YearData of YEAR with the reference frames and the given service tables."""
    frames = reference()
    for name, rows in tables.items():
        frames[name] = rows if isinstance(rows, pd.DataFrame) else frame(name, rows)
    return YearData(period=YEAR, tables=frames)


#: what a YearData computes from its reference tables alone: the area lookup, the population
#: and the census (cached properties) and the denominators counted from them (``data.cache``)
_FROM_REFERENCE = ("areas", "population", "census")


def on_reference(reference: YearData, **tables: list[dict] | pd.DataFrame) -> YearData:
    """``reference``'s year with the given service tables: its reference frames, and what was
    computed from them alone, shared rather than computed again (for a property test that
    builds a year per example). ``reference`` holds reference tables only (``year()``)."""
    frames = dict(reference.tables)
    for name, rows in tables.items():
        frames[name] = rows if isinstance(rows, pd.DataFrame) else frame(name, rows)
    cache = {key: v for key, v in reference.cache.items() if key[0] in _FROM_REFERENCE}
    data = YearData(period=reference.period, tables=frames, cache=cache)
    for name in _FROM_REFERENCE:
        if name in vars(reference):
            vars(data)[name] = vars(reference)[name]
    return data


def child(cid: str, dob: str = "2015-06-01", sex: str = "1", eth: str = "WBRI", lsoa=LSOA_A):
    """A cin_children row."""
    return {
        "la_child_id": cid,
        "person_birth_date": dob,
        "sex": sex,
        "ethnicity": eth,
        "home_lsoa": lsoa,
    }
