"""The child universe and the ONS-style population estimates built from it.

Every child who could appear in an extract is simulated as an individual: home LSOA, month of
birth, sex, ethnicity, a frailty (unobserved family risk shared by all services, which makes
the services overlap) and a latent toxic-trio combination. The population files' ages 0-17
are counted from this universe at each mid-year (30 June), so that denominators and records
agree and the cohort ages consistently from year to year. Adults (18-90+) are a separate
cohort-component model per LSOA: ageing, mortality and net in-migration.

Simplification: children do not move between LSOAs or leave the area; a child's home LSOA is
the same in every extract and year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import modelled
from tip_pipeline.sources.generator.config import MAX_AGE_AT_FIRST_MID, Window
from tip_pipeline.sources.generator.geography import Geography

#: Ethnicity of children for a Leeds-like city (2021 census shape): the White British share
#: rises from decile 1 (most deprived) to decile 10; the rest keeps these proportions.
_ETHNIC_OTHER = {
    "WIRI": 0.3,
    "WIRT": 0.2,
    "WOTH": 4.5,
    "WROM": 0.5,
    "MWBC": 2.5,
    "MWBA": 1.0,
    "MWAS": 1.5,
    "MOTH": 2.0,
    "AIND": 2.5,
    "APKN": 6.0,
    "ABAN": 0.8,
    "AOTH": 1.5,
    "CHNE": 0.6,
    "BCRB": 0.5,
    "BAFR": 4.5,
    "BOTH": 1.0,
    "OOTH": 1.5,
    "REFU": 0.9,
    "NOBT": 0.6,
}
_ETHNIC_INDEX = {c: i for i, c in enumerate(codes.ETHNICITY)}


@dataclass
class Universe:
    lsoa: np.ndarray  # int32, index into the national LSOA arrays
    dob_month: np.ndarray  # int32, months since 1970-01
    male: np.ndarray  # bool
    sex_unknown: np.ndarray  # bool: recorded as not known (0 / U)
    ethnicity: np.ndarray  # int8, index into codes.ETHNICITY
    frailty: np.ndarray  # float32, mean 1
    combo: np.ndarray  # int8, latent toxic-trio combination (modelled.COMBOS)
    totals: dict[int, int] = field(default_factory=dict)  # children 0-17 by mid-year (cache)

    @property
    def n(self) -> int:
        return self.lsoa.size

    def has(self, factor: int) -> np.ndarray:
        """Latent factor 0 (domestic abuse), 1 (mental health) or 2 (substance misuse)."""
        return (self.combo >> (2 - factor)) & 1 == 1


def mid_month(year: int) -> int:
    """Month index of June ``year`` (mid-year estimates refer to 30 June)."""
    return (year - 1970) * 12 + 5


def _cohort_sizes(geo: Geography, lsoas: np.ndarray, n_future: int) -> np.ndarray:
    """Expected children per LSOA and birth cohort (ages MAX..0 at the first mid-year, then
    future cohorts). Older cohorts are slightly larger (births fell after 2012)."""
    ages = np.arange(MAX_AGE_AT_FIRST_MID, -n_future - 1, -1)
    slope = 1 + 0.004 * (np.clip(ages, 0, 17) - 8.5)
    weight = np.where(ages >= 0, slope, slope * 1.005 ** np.maximum(-ages, 0))
    norm = (1 + 0.004 * (np.arange(18) - 8.5)).sum()
    return geo.child_mean[lsoas][:, None] * (weight / norm)[None, :]


def build_universe(geo: Geography, win: Window, rng: np.random.Generator) -> Universe:
    """Children without their latent trio (``combo`` is set by :func:`assign_combos` once the
    modelled table has been fitted to this very population)."""
    lsoas = geo.populated
    n_future = len(win.years) + 1
    expected = _cohort_sizes(geo, lsoas, n_future)
    counts = rng.poisson(expected)
    n_cohorts = counts.shape[1]
    lsoa = np.repeat(np.repeat(lsoas, n_cohorts), counts.ravel()).astype("int32")
    cohort = np.repeat(np.tile(np.arange(n_cohorts), lsoas.size), counts.ravel())
    age_at_mid = MAX_AGE_AT_FIRST_MID - cohort
    # Age a on 30 June Y means born July (Y-a-1) to June (Y-a).
    first = mid_month(win.first_mid_year) - 12 * age_at_mid - 11
    dob_month = (first + rng.integers(0, 12, first.size)).astype("int32")
    n = lsoa.size
    male = rng.random(n) < 0.512
    sex_unknown = rng.random(n) < 0.0015
    ethnicity = _draw_ethnicity(rng, geo.decile[lsoa])
    frailty = rng.gamma(0.5, 2.0, n).astype("float32")
    combo = np.zeros(n, dtype="int8")
    return Universe(lsoa, dob_month, male, sex_unknown, ethnicity, frailty, combo)


def band_quintile_counts(uni: Universe, geo: Geography, mid_year: int) -> np.ndarray:
    """Children 0-17 on 30 June ``mid_year`` by age band and national IMD quintile (4 x 5)."""
    age = (mid_month(mid_year) - uni.dob_month.astype("int64")) // 12
    keep = (age >= 0) & (age <= 17)
    flat = modelled.age_band(age[keep]) * 5 + geo.quintile[uni.lsoa[keep]] - 1
    return np.bincount(flat, minlength=20).reshape(4, 5).astype(float)


def assign_combos(
    uni: Universe, geo: Geography, win: Window, shares: np.ndarray, rng: np.random.Generator
) -> None:
    """Draw each child's latent combination from the band (at the first mid-year; later-born
    children use 0-4) and quintile shares, in chunks to bound memory."""
    age = (mid_month(win.first_mid_year) - uni.dob_month.astype("int64")) // 12
    band = modelled.age_band(np.clip(age, 0, 17))
    quintile = geo.quintile[uni.lsoa]
    for lo in range(0, uni.n, 2_000_000):
        hi = min(lo + 2_000_000, uni.n)
        uni.combo[lo:hi] = modelled.draw_combos(rng, shares, band[lo:hi], quintile[lo:hi])


def _wbri_share(decile: np.ndarray) -> np.ndarray:
    return 0.52 + 0.035 * (decile - 1)


def _draw_ethnicity(rng: np.random.Generator, decile: np.ndarray) -> np.ndarray:
    others = np.array([_ETHNIC_INDEX[c] for c in _ETHNIC_OTHER], dtype="int8")
    p_other = np.array(list(_ETHNIC_OTHER.values()))
    p_other = p_other / p_other.sum()
    wbri_share = _wbri_share(decile)
    out = np.full(decile.size, _ETHNIC_INDEX["WBRI"], dtype="int8")
    not_wbri = rng.random(decile.size) >= wbri_share
    out[not_wbri] = others[rng.choice(others.size, size=int(not_wbri.sum()), p=p_other)]
    return out


#: Census 2021 was taken on Sunday 21 March 2021
CENSUS_MONTH = (2021 - 1970) * 12 + 2
#: major groups in the census file's code order (codes.CENSUS_ETHNIC_GROUPS: 1 Asian ... 5 Other)
CENSUS_GROUPS = tuple(group for group, _ in codes.CENSUS_ETHNIC_GROUPS.values())
#: DfE code index -> census group index; -1 for "Not recorded" (REFU, NOBT)
_CENSUS_OF_CODE = np.array(
    [
        CENSUS_GROUPS.index(g) if g in CENSUS_GROUPS else -1
        for g in (codes.ETHNICITY_GROUPS[c] for c in codes.ETHNICITY)
    ],
    dtype="int8",
)


def _census_group_probs(decile: np.ndarray) -> np.ndarray:
    """Each child's chance of each census group given its LSOA's decile, from the very
    distribution the universe's ethnicity is drawn from (:func:`_draw_ethnicity`) with "Not
    recorded" left out: shape (n, 5)."""
    weights = np.zeros(len(CENSUS_GROUPS))
    for code, w in _ETHNIC_OTHER.items():
        g = _CENSUS_OF_CODE[_ETHNIC_INDEX[code]]
        if g >= 0:
            weights[g] += w
    other = weights / sum(_ETHNIC_OTHER.values())  # shares among the non-WBRI children
    wbri = _wbri_share(decile.astype(float))
    probs = (1 - wbri)[:, None] * other[None, :]
    probs[:, CENSUS_GROUPS.index("White")] += wbri
    return probs / probs.sum(axis=1, keepdims=True)


def census_counts(
    uni: Universe, geo: Geography, lsoas: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Census 2021 usual residents aged 0-17 by populated LSOA, census ethnic group and DfE
    age band on census day: shape (len(lsoas), 5, 4).

    The same children as the population estimates and the service records, with the same
    ethnicity: the census is counted from the universe, so the LSOA totals are close to the
    mid-2020 and mid-2021 estimates and rates by group are consistent with the groups the
    services record. Children whose records say "Not recorded" (REFU, NOBT) have a group in the
    census (ONS imputes missing answers): drawn from their LSOA's mix. The universe must cover
    census day (first reporting year up to 2028/29; later windows miss the oldest census
    children).
    """
    age = (CENSUS_MONTH - uni.dob_month.astype("int64")) // 12
    keep = np.flatnonzero((age >= 0) & (age <= 17))
    group = _CENSUS_OF_CODE[uni.ethnicity[keep]].astype("int64")
    missing = np.flatnonzero(group < 0)
    if missing.size:
        probs = _census_group_probs(geo.decile[uni.lsoa[keep[missing]]])
        draws = rng.random(missing.size)[:, None] > np.cumsum(probs, axis=1)
        group[missing] = np.minimum(draws.sum(axis=1), len(CENSUS_GROUPS) - 1)
    band = modelled.age_band(age[keep])
    pos = np.searchsorted(lsoas, uni.lsoa[keep])
    n_groups = len(CENSUS_GROUPS)
    flat = (pos * n_groups + group) * 4 + band
    return np.bincount(flat, minlength=lsoas.size * n_groups * 4).reshape(lsoas.size, n_groups, 4)


def child_counts(uni: Universe, lsoas: np.ndarray, mid_year: int) -> np.ndarray:
    """Children by populated LSOA, sex (0 female, 1 male) and age 0-17 on 30 June ``mid_year``:
    shape (len(lsoas), 2, 18)."""
    age = (mid_month(mid_year) - uni.dob_month.astype("int64")) // 12
    keep = (age >= 0) & (age <= 17)
    pos = np.searchsorted(lsoas, uni.lsoa[keep])
    flat = (pos * 2 + uni.male[keep]) * 18 + age[keep]
    return np.bincount(flat, minlength=lsoas.size * 36).reshape(lsoas.size, 2, 18)


def adult_counts(
    children_first: np.ndarray, deciles: np.ndarray, n_years: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Adults by LSOA, sex and age 18-90+ for each of ``n_years`` mid-years: shape
    (n_lsoas, 2, 73) per year. About 1,600 people per LSOA with ~21% children; deprived LSOAs
    have fewer adults per child and fewer older people."""
    ages = np.arange(18, 91)
    old = np.clip(ages - 65, 0, None)
    profile = np.where(ages < 30, 1.0, np.where(ages < 50, 1.05, 1.0)) * np.exp(-old / 12)
    profile[-1] = np.exp(-(90 - 65) / 12) * 4  # the 90+ group
    profile = profile / profile.sum()
    kids = children_first.sum(axis=(1, 2)).astype(float)
    adults = kids * (1 / 0.21 - 1) * (0.85 + 0.03 * (deciles - 1))
    female_share = np.where(ages < 65, 0.5, 0.5 + 0.004 * (ages - 65))
    sex_share = np.stack([female_share, 1 - female_share])  # (2, 73)
    expected = adults[:, None, None] * sex_share[None] * profile[None, None, :]
    mortality = np.minimum(0.0002 * np.exp(0.09 * (ages - 18)), 0.5)
    current = rng.poisson(expected)
    years = [current]
    for k in range(1, n_years):
        survived = rng.binomial(current, 1 - mortality[None, None, :])
        aged = np.zeros_like(current)
        aged[:, :, 1:] = survived[:, :, :-1]
        aged[:, :, -1] += survived[:, :, -1]  # 90+ stays 90+
        aged[:, :, 0] = rng.poisson(expected[:, :, 0] * 1.005**k)
        young = (ages >= 20) & (ages <= 40)
        aged[:, :, young] += rng.poisson(expected[:, :, young] * 0.006)
        current = aged
        years.append(current)
    return years


def children_total(uni: Universe, lsoas: np.ndarray, mid_year: int) -> int:
    """Children 0-17 in ``lsoas`` on 30 June ``mid_year`` (cached: services ask repeatedly)."""
    if mid_year not in uni.totals:
        uni.totals[mid_year] = int(child_counts(uni, lsoas, mid_year).sum())
    return uni.totals[mid_year]
