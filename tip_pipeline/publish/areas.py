"""The area hierarchy analysts join to: LSOA 2021 -> ward 2024 -> LA 2024 -> region -> England,
with IoD2025 deprivation for LSOAs (``published.dim_area``), from the reference lookups.

The delivering LA's unknown home area (``tip_pipeline.home_area``) is one more ward of that LA,
``UNKNOWN_WARD`` "Unknown home area", with no LSOA: analysts find its rows' area there, and
disclosure control counts it among the LA's wards.
"""

from __future__ import annotations

import pandas as pd

from tip_pipeline.home_area import UNKNOWN

#: level -> (code column, name column, parent level) in ``indicators.data.area_lookup``
LEVELS = {
    "lsoa": ("lsoa", "lsoa_name", "ward"),
    "ward": ("ward", "ward_name", "la"),
    "la": ("la", "la_name", "region"),
    "region": ("region", "region_name", "country"),
    "country": ("country", "country_name", None),
}
_IMD = "index_of_multiple_deprivation_imd_"


def _level(lookup: pd.DataFrame, level: str) -> pd.DataFrame:
    code, name, parent = LEVELS[level]
    parent_code = lookup[LEVELS[parent][0]] if parent else None
    rows = pd.DataFrame(
        {
            "area_code": lookup[code],
            "area_name": lookup[name],
            "area_type": level,
            "parent_code": parent_code,
            "la_code": lookup["la"] if level in ("lsoa", "ward", "la") else None,
        }
    )
    if level == "lsoa":  # the unknown home area is a ward of its LA, never an LSOA
        rows = rows[rows["area_code"] != UNKNOWN]
    return rows.dropna(subset=["area_code"]).drop_duplicates("area_code")


def parents(lookup: pd.DataFrame) -> dict[str, str]:
    """Area code -> the code of the next area up, for every level but England."""
    frame = pd.concat([_level(lookup, level) for level in LEVELS], ignore_index=True)
    frame = frame.dropna(subset=["parent_code"])
    return dict(zip(frame["area_code"], frame["parent_code"], strict=True))


def dim_area_frame(lookup: pd.DataFrame, imd: pd.DataFrame) -> pd.DataFrame:
    """One row per area of every level; IMD score, rank, decile and quintile on LSOAs only
    (quintile = ceil(decile / 2), docs/CONVENTIONS.md)."""
    frame = pd.concat([_level(lookup, level) for level in LEVELS], ignore_index=True)
    scores = imd.set_index("lsoa_code_2021")
    lsoa = frame["area_type"] == "lsoa"
    for column in ("score", "rank", "decile"):
        mapped = frame["area_code"].map(pd.to_numeric(scores[_IMD + column], errors="coerce"))
        frame[f"imd_{column}"] = mapped.where(lsoa)
    frame["imd_quintile"] = (frame["imd_decile"] + 1) // 2
    integer = ["imd_rank", "imd_decile", "imd_quintile"]
    return frame.astype(dict.fromkeys(integer, "Int64")).drop_duplicates("area_code")
