"""Scales, calendar window and calibration targets of the synthetic generator.

Every rate below is a *target* the generator is calibrated to (docs/DOMAIN.md, "The question the
pipeline answers": the Leeds 2020 estimates) or a plausible England-wide figure from DfE
statistical releases (Children in need, Children looked after) used as a rough guide.
"""

from __future__ import annotations

from dataclasses import dataclass

from tip_pipeline.periods import FinancialYear

VERSION = "1.0.0"
SCALES: tuple[str, ...] = ("small", "leeds", "england")

#: Years of youth-justice history delivered before the first reporting year, so that
#: first-time entrants in the first reporting years are not inflated by a missing past.
YJ_HISTORY_YEARS = 7
#: Years simulated before the first reporting year for children's social care, so that
#: episodes and periods of care are already open on 1 April of the first year.
CIN_HISTORY_YEARS = 4
CARE_HISTORY_YEARS = 16
HCLIC_HISTORY_YEARS = 1
#: Universe children are aged up to this at the first mid-year (youth-justice history needs
#: the children who were 10-17 seven years earlier).
MAX_AGE_AT_FIRST_MID = 17 + YJ_HISTORY_YEARS + 1


@dataclass(frozen=True)
class ScaleSpec:
    """One deployment size. ``target`` is the local authority the delivery is for (single-LA
    scales) or the LA placed at the Leeds slot of the national model (england)."""

    name: str
    national: bool
    target_code: str
    target_name: str
    target_lsoas: int
    target_wards: int
    children_per_lsoa: float
    #: share of the target LA's LSOAs in each national IMD decile (1 = most deprived)
    target_deciles: tuple[float, ...]


#: Leeds: about 24% of LSOAs in England's most deprived decile (docs/DOMAIN.md); deciles are
#: national, so the middle is thinner and the least deprived tail still present.
LEEDS_DECILES = (0.24, 0.10, 0.08, 0.07, 0.07, 0.07, 0.08, 0.09, 0.10, 0.10)
SMALL_DECILES = (0.20, 0.12, 0.10, 0.10, 0.10, 0.10, 0.08, 0.08, 0.06, 0.06)

SCALE_SPECS: dict[str, ScaleSpec] = {
    # A synthetic metropolitan district code: E08 numbers stop at 37, so 999 is never real.
    "small": ScaleSpec("small", False, "E08000999", "Small Town", 40, 6, 225.0, SMALL_DECILES),
    # 169,600 children / 488 LSOAs = 347.5 children per LSOA (seed slide: 33,580 / 19.8%).
    "leeds": ScaleSpec("leeds", False, "E08000035", "Leeds", 488, 33, 347.5, LEEDS_DECILES),
    "england": ScaleSpec("england", True, "E08000035", "Leeds", 488, 33, 347.5, LEEDS_DECILES),
}

ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"
ENGLAND_LSOAS = 33_755
#: England's children 0-17 (about 12 million) over 33,755 LSOAs.
ENGLAND_CHILDREN_PER_LSOA = 355.0


@dataclass(frozen=True)
class Targets:
    """Calibration targets as shares of children aged 0-17 (per year unless a snapshot)."""

    #: looked after at 31 March (seed: 0.76%, 1,288)
    lac_31mar: float = 0.0076
    #: children with a youth-justice outcome in the year (seed: 0.4%, 676)
    yj_children: float = 0.0040
    #: dependent children in households owed a prevention or relief duty (seed: 0.13%, 228)
    homeless_children: float = 0.0013
    #: modelled toxic trio (seed slide)
    trio_any: float = 0.198
    trio_all: float = 0.012
    domestic_abuse: float = 0.073
    parental_substance_misuse: float = 0.05
    parental_mental_health: float = 0.15


TARGETS = Targets()


@dataclass(frozen=True)
class Window:
    """The calendar the generator simulates: reporting years plus their history."""

    first: FinancialYear
    last: FinancialYear

    @property
    def years(self) -> list[FinancialYear]:
        return [FinancialYear(y) for y in range(self.first.start_year, self.last.start_year + 1)]

    @property
    def yj_years(self) -> list[FinancialYear]:
        start = self.first.start_year - YJ_HISTORY_YEARS
        return [FinancialYear(y) for y in range(start, self.last.start_year + 1)]

    @property
    def first_mid_year(self) -> int:
        return self.first.population_mid_year


def window(first_year: str, last_year: str) -> Window:
    first, last = FinancialYear.parse(first_year), FinancialYear.parse(last_year)
    if last < first:
        raise ValueError(f"last_year {last} is before first_year {first}")
    return Window(first, last)
