"""Reference files: population estimates, Census 2021 children by ethnic group, IMD, lookups,
statistical neighbours, modelled rates.

For single-LA scales the LSOA-level files (population, IMD, lookup) cover the LA's own LSOAs
(with national ranks and deciles); the statistical neighbours file covers the LA's ten. At
england scale every file covers all 153 LAs. The LA-to-region lookup and the benchmark file
(``benchmarks``) are national at every scale, as ONS and DfE publish them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import (
    CENSUS_AGE_COLUMNS,
    MODELLED_FACTORS,
    REF_CENSUS_ETHNICITY,
    REF_IMD,
    REF_POPULATION,
)
from tip_pipeline.sources.generator.geography import Geography
from tip_pipeline.sources.generator.modelled import COMBOS

AGE_BANDS = ("0-4", "5-9", "10-15", "16-17")


def population(geo: Geography, children: np.ndarray, adults: np.ndarray) -> pd.DataFrame:
    """ONS wide layout. ``children`` (n, 2, 18) and ``adults`` (n, 2, 73): sex 0 = female."""
    lsoas = geo.populated
    ages = np.concatenate([children, adults], axis=2)  # (n, 2, 91)
    la = geo.lsoa_la[lsoas]
    head = pd.DataFrame(
        {
            "LAD 2021 Code": geo.las["code"].to_numpy()[la],
            "LAD 2021 Name": geo.las["name"].to_numpy()[la],
            "LSOA 2021 Code": geo.lsoa_code[lsoas],
            "LSOA 2021 Name": geo.lsoa_name[lsoas],
            "Total": ages.sum(axis=(1, 2)),
        }
    )
    body = pd.DataFrame(
        ages.reshape(len(lsoas), 182), columns=list(REF_POPULATION.column_names[5:])
    )
    return pd.concat([head, body], axis=1)


def census_ethnicity(geo: Geography, counts: np.ndarray) -> pd.DataFrame:
    """ONS custom-dataset layout, one row per LSOA and census ethnic group (code order), a count
    column per DfE age band. ``counts`` (n, 5, 4) from ``population.census_counts``."""
    lsoas = geo.populated
    groups = list(codes.CENSUS_ETHNIC_GROUPS.items())
    cols = REF_CENSUS_ETHNICITY.column_names
    head = pd.DataFrame(
        {
            cols[0]: np.repeat(geo.lsoa_code[lsoas], len(groups)),
            cols[1]: np.repeat(geo.lsoa_name[lsoas], len(groups)),
            cols[2]: np.tile([code for code, _ in groups], lsoas.size),
            cols[3]: np.tile([label for _, (_, label) in groups], lsoas.size),
        }
    ).astype(object)
    body = pd.DataFrame(
        counts.reshape(lsoas.size * len(groups), len(CENSUS_AGE_COLUMNS)),
        columns=list(CENSUS_AGE_COLUMNS.values()),
    )
    return pd.concat([head, body], axis=1)


def imd(geo: Geography) -> pd.DataFrame:
    lsoas = geo.populated
    la = geo.lsoa_la[lsoas]
    cols = REF_IMD.column_names
    return pd.DataFrame(
        {
            cols[0]: geo.lsoa_code[lsoas],
            cols[1]: geo.lsoa_name[lsoas],
            cols[2]: geo.las["code"].to_numpy()[la],
            cols[3]: geo.las["name"].to_numpy()[la],
            cols[4]: [f"{s:.3f}" for s in geo.score[lsoas]],
            cols[5]: geo.rank[lsoas].astype(str),
            cols[6]: geo.decile[lsoas].astype(str),
        }
    ).astype(object)


def lsoa_lookup(geo: Geography) -> pd.DataFrame:
    lsoas = geo.populated
    ward = geo.lsoa_ward[lsoas]
    la = geo.lsoa_la[lsoas]
    return pd.DataFrame(
        {
            "LSOA21CD": geo.lsoa_code[lsoas],
            "LSOA21NM": geo.lsoa_name[lsoas],
            "WD24CD": geo.wards["code"].to_numpy()[ward],
            "WD24NM": geo.wards["name"].to_numpy()[ward],
            "LAD24CD": geo.las["code"].to_numpy()[la],
            "LAD24NM": geo.las["name"].to_numpy()[la],
        }
    ).astype(object)


def neighbours(geo: Geography) -> np.ndarray:
    """Ten nearest LAs to each LA by deprivation profile (share of LSOAs in each national
    decile), shape (n_las, 10), closest first."""
    n = len(geo.las)
    profile = np.zeros((n, 10))
    np.add.at(profile, (geo.lsoa_la, geo.decile - 1), 1.0)
    profile /= profile.sum(axis=1, keepdims=True)
    dist = ((profile[:, None, :] - profile[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(dist, np.inf)
    return np.argsort(dist, axis=1, kind="stable")[:, :10]


def lad_region(geo: Geography) -> pd.DataFrame:
    """ONS's LA-to-region lookup, national as ONS publishes it: every LA at every scale, so that
    every authority of the benchmark file has its region."""
    t = geo.las
    return (
        pd.DataFrame(
            {
                "LAD24CD": t["code"],
                "LAD24NM": t["name"],
                "RGN24CD": t["region_code"],
                "RGN24NM": t["region_name"],
            }
        )
        .reset_index(drop=True)
        .astype(object)
    )


def stat_neighbours(geo: Geography, nbrs: np.ndarray) -> pd.DataFrame:
    las = np.arange(len(geo.las)) if geo.las["populated"].all() else np.array([geo.target])
    code = geo.las["code"].to_numpy()
    return (
        pd.DataFrame(
            {
                "la_code": np.repeat(code[las], 10),
                "neighbour_rank": np.tile(np.arange(1, 11), las.size),
                "neighbour_code": code[nbrs[las]].ravel(),
            }
        )
        .astype(str)
        .astype(object)
    )


def _decimal_shares(shares: np.ndarray) -> np.ndarray:
    """8 decimals per (band, quintile, combination); the "none of the three" share absorbs
    rounding so that every band and quintile sums to exactly 1 in decimal."""
    units = np.round(shares * 1e8).astype(np.int64)
    units[..., 0] = 10**8 - units[..., 1:].sum(axis=-1)
    return units


def modelled_rates(shares: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> pd.DataFrame:
    """The central, lower and upper estimates' shares, each a joint distribution."""
    columns = [_decimal_shares(a) for a in (shares, lower, upper)]
    rows = []
    for b, band in enumerate(AGE_BANDS):
        for q in range(5):
            for c, bits in enumerate(COMBOS):
                ends = (f"{col[b, q, c] / 1e8:.8f}" for col in columns)
                rows.append((band, str(q + 1), *map(str, bits), *ends))
    return pd.DataFrame(
        rows,
        columns=[
            "age_band",
            "imd_quintile",
            *MODELLED_FACTORS,
            "share",
            "share_lower",
            "share_upper",
        ],
    )
