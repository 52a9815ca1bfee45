"""England's geography as the generator models it: 153 upper-tier local authorities in nine
regions, 33,755 LSOAs (2021) with IoD2025-like scores, ranks and exactly national deciles,
wards, and LSOA/ward/LA names and GSS-shaped codes.

The 153 are England's upper-tier authorities since 1 April 2023, when Cumbria was replaced by
Cumberland and Westmorland and Furness (both in the North West, which has 24 since; ONS,
*Local authority districts, counties and unitary authorities (April 2023) names and codes*;
DfE's LA numbers, ``codes.LA_NUMBERS``, hold the same 153). The generator models today's
structure in every year it writes, earlier years included: a real authority's earlier returns
would name the authorities of their time, which the synthetic data does not try to reproduce.
It draws the 152 authorities of before April 2023 and then splits one North West unitary
authority in two by its wards (``_split``), as Cumbria was split, so that the random draws, and
with them every LSOA, deprivation score and generated child, are those the 152 gave.

The national model exists at every scale: for single-LA scales only the target LA's LSOAs are
populated with children, but national ranks, deciles, statistical neighbours and benchmarks all
come from the same model, so that they are consistent with the LA's own data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tip_pipeline.sources.generator import names
from tip_pipeline.sources.generator.config import (
    ENGLAND_CHILDREN_PER_LSOA,
    ENGLAND_LSOAS,
    ScaleSpec,
)

#: (code, name, number of upper-tier LAs, mean deprivation of the region on the latent scale)
REGIONS = (
    ("E12000001", "North East", 12, 0.45),
    ("E12000002", "North West", 24, 0.35),
    ("E12000003", "Yorkshire and The Humber", 15, 0.30),
    ("E12000004", "East Midlands", 10, 0.00),
    ("E12000005", "West Midlands", 14, 0.25),
    ("E12000006", "East of England", 11, -0.35),
    ("E12000007", "London", 33, 0.10),
    ("E12000008", "South East", 19, -0.50),
    ("E12000009", "South West", 15, -0.25),
)
TARGET_REGION = "E12000003"
#: the region of the authority split in two on 1 April 2023 (Cumbria)
SPLIT_REGION = "E12000002"


@dataclass(frozen=True)
class Geography:
    las: pd.DataFrame  # code, name, region_code, region_name, n_lsoas, populated
    wards: pd.DataFrame  # code, name, la
    lsoa_code: np.ndarray
    lsoa_name: np.ndarray
    lsoa_la: np.ndarray  # index into las
    lsoa_ward: np.ndarray  # index into wards
    score: np.ndarray
    rank: np.ndarray  # 1 = most deprived
    decile: np.ndarray  # 1 = most deprived, exactly national
    child_mean: np.ndarray  # expected children 0-17 per LSOA at the first mid-year
    target: int  # index of the target LA

    @property
    def populated(self) -> np.ndarray:
        """Indices of the LSOAs whose children the generator simulates."""
        return np.flatnonzero(self.las["populated"].to_numpy()[self.lsoa_la])

    @property
    def quintile(self) -> np.ndarray:
        return (self.decile + 1) // 2


def _la_table(spec: ScaleSpec) -> pd.DataFrame:
    """The 152 authorities of before April 2023 (the split region one short, ``_split``)."""
    rows = []
    counters = {"E06": 101, "E08": 101, "E09": 101, "E10": 101}
    fixed = {spec.target_name}
    pool = iter(names.la_names(200, exclude=fixed))
    for code, name, n, _ in REGIONS:
        for i in range(n - (code == SPLIT_REGION)):
            if code == TARGET_REGION and i == 0:
                rows.append((spec.target_code, spec.target_name, code, name, True))
                continue
            prefix = "E09" if code == "E12000007" else ("E08", "E06", "E10")[i % 3]
            la_code = f"{prefix}{counters[prefix]:06d}"
            counters[prefix] += 1
            rows.append((la_code, next(pool), code, name, spec.national))
    return pd.DataFrame(rows, columns=["code", "name", "region_code", "region_name", "populated"])


def _la_sizes(rng: np.random.Generator, n_las: int, target: int, target_size: int) -> np.ndarray:
    raw = np.exp(rng.normal(5.2, 0.45, n_las))
    raw[target] = 0
    rest = ENGLAND_LSOAS - target_size
    sizes = np.floor(raw / raw.sum() * rest).astype(int)
    sizes[np.argsort(-(raw / raw.sum() * rest - sizes))[: rest - sizes.sum()]] += 1
    sizes[target] = target_size
    return sizes


def _allocate(n: int, shares: tuple[float, ...]) -> np.ndarray:
    """Largest-remainder allocation of ``n`` items to ``shares``."""
    exact = np.asarray(shares) / sum(shares) * n
    counts = np.floor(exact).astype(int)
    counts[np.argsort(-(exact - counts))[: n - counts.sum()]] += 1
    return counts


def _latent_scores(
    rng: np.random.Generator, las: pd.DataFrame, lsoa_la: np.ndarray, target: int, spec: ScaleSpec
) -> np.ndarray:
    """Latent deprivation per LSOA (higher = more deprived). The target LA's LSOAs are placed in
    the national distribution so that its decile profile follows ``spec.target_deciles``."""
    region_mean = dict((code, m) for code, _, _, m in REGIONS)
    la_mean = las["region_code"].map(region_mean).to_numpy() + rng.normal(0, 0.35, len(las))
    latent = la_mean[lsoa_la] + rng.normal(0, 0.85, lsoa_la.size)
    in_target = lsoa_la == target
    others = np.sort(latent[~in_target])[::-1]
    edges = np.quantile(others, np.linspace(1, 0, 11)) if others.size else np.linspace(3, -3, 11)
    counts = _allocate(int(in_target.sum()), spec.target_deciles)
    deciles = np.repeat(np.arange(10), counts)
    rng.shuffle(deciles)
    hi, lo = edges[deciles], edges[deciles + 1]
    latent[in_target] = lo + (hi - lo) * rng.uniform(0.02, 0.98, deciles.size)
    return latent


def _split(
    spec: ScaleSpec,
    las: pd.DataFrame,
    wards: pd.DataFrame,
    lsoa_ward: np.ndarray,
    lsoa_name: np.ndarray,
    target: int,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray, int]:
    """Cumbria's split of 1 April 2023, modelled: the first unitary authority (E06) of the North
    West keeps the first half of its wards and its code; the second half becomes a new unitary
    authority of the same region, placed after it, with the next E06 code and the next name of
    the pool, and its wards' and LSOAs' names follow it. No random number is drawn, so the
    LSOAs, scores, deciles and children are unchanged; the authorities after it move up one."""
    codes = las["code"].astype(str)
    old = int(np.flatnonzero((las["region_code"] == SPLIT_REGION) & codes.str.startswith("E06"))[0])
    number = 1 + max(int(c[3:]) for c in codes if c.startswith("E06"))
    taken = {spec.target_name, *las["name"]}
    name = next(n for n in names.la_names(200, exclude={spec.target_name}) if n not in taken)
    new_row = las.iloc[[old]].assign(code=f"E06{number:06d}", name=name)
    las = pd.concat([las.iloc[: old + 1], new_row, las.iloc[old + 1 :]], ignore_index=True)
    own = np.flatnonzero(wards["la"].to_numpy() == old)
    moved = own[len(own) // 2 :]
    la_of_ward = wards["la"].to_numpy().copy()
    la_of_ward[la_of_ward > old] += 1
    la_of_ward[moved] = old + 1
    wards = wards.assign(la=la_of_ward)
    wards.loc[moved, "name"] = names.ward_names(name, len(moved))
    lsoa_la = la_of_ward[lsoa_ward]
    lsoa_name = lsoa_name.copy()
    mine = np.flatnonzero(lsoa_la == old + 1)
    lsoa_name[mine] = names.lsoa_names(name, mine.size)
    sizes = np.bincount(lsoa_la, minlength=len(las))
    las["n_lsoas"] = sizes
    return las, wards, lsoa_la, lsoa_name, target + (target > old)


def build(spec: ScaleSpec, rng: np.random.Generator) -> Geography:
    las = _la_table(spec)
    target = int(np.flatnonzero(las["code"] == spec.target_code)[0])
    sizes = _la_sizes(rng, len(las), target, spec.target_lsoas)
    las["n_lsoas"] = sizes
    lsoa_la = np.repeat(np.arange(len(las)), sizes)
    latent = _latent_scores(rng, las, lsoa_la, target, spec)
    n = latent.size
    order = np.argsort(-latent, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(1, n + 1)
    decile = np.ceil(rank * 10 / n).astype(int)
    score = np.round(2.0 + 18.0 * np.exp(0.55 * latent), 3)

    m = 1.25 - 0.05 * (decile - 1)  # more children in deprived LSOAs
    child_mean = ENGLAND_CHILDREN_PER_LSOA * m / m.mean()
    tgt = lsoa_la == target
    child_mean[tgt] = spec.children_per_lsoa * m[tgt] / m[tgt].mean()

    lsoa_code = np.array([f"E01{i + 1:06d}" for i in range(n)], dtype=object)
    lsoa_name = np.empty(n, dtype=object)
    lsoa_ward = np.empty(n, dtype=int)
    ward_rows: list[tuple[str, str, int]] = []
    starts = np.concatenate([[0], np.cumsum(sizes)])
    for la in range(len(las)):
        lo, hi = starts[la], starts[la + 1]
        la_name = las.at[la, "name"]
        lsoa_name[lo:hi] = names.lsoa_names(la_name, hi - lo)
        n_wards = spec.target_wards if la == target else max(1, round((hi - lo) / 15))
        # Wards are contiguous in deprivation (with noise), as real wards are.
        by_dep = np.argsort(latent[lo:hi] + rng.normal(0, 0.5, hi - lo), kind="stable")
        for w, chunk in enumerate(np.array_split(by_dep, n_wards)):
            lsoa_ward[lo + chunk] = len(ward_rows) + w
        for ward_name in names.ward_names(la_name, n_wards):
            ward_rows.append((f"E05{len(ward_rows) + 1:06d}", ward_name, la))
    wards = pd.DataFrame(ward_rows, columns=["code", "name", "la"])
    las, wards, lsoa_la, lsoa_name, target = _split(spec, las, wards, lsoa_ward, lsoa_name, target)
    return Geography(
        las=las,
        wards=wards,
        lsoa_code=lsoa_code,
        lsoa_name=lsoa_name,
        lsoa_la=lsoa_la,
        lsoa_ward=lsoa_ward,
        score=score,
        rank=rank,
        decile=decile,
        child_mean=child_mean,
        target=target,
    )
