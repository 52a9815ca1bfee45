"""Measures across years: how far back each indicator looks, and what follows from it.

An indicator's numerator may read earlier reporting years' validated tables (the catalogue's
``look_back`` years of its ``look_back_tables``): a referral early in the year is a re-referral
if the child was referred in the 12 months before, which may be the year before; a child's
long-term placement stability needs the episodes of the two and a half years before 31 March;
the involvement flows (``FLOWS``, not a catalogue indicator) need each child's level in the
year before; the cohorts (``COHORTS``) need, for the children who entered in a year, that year's
wash-out year before it and every year after it up to the one published.
From the declaration follow:

- which earlier years' tables ``data.load_year`` reads (``tables_to_read``);
- whether a year can be computed: every look-back year delivered (its table holds rows for
  that year), or else the indicator is not available for the year, with the reason
  (``not_available``), never computed from part of its window;
- which years a change to one year makes stale: the years up to the longest look-back after
  it (``dependent_years``; Dagster's dependency in ``defs/indicators.py`` and the nightly
  plan in ``defs/changes.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from tip_pipeline.indicators.catalogue import CATALOGUE, Indicator
from tip_pipeline.periods import FinancialYear


@dataclass(frozen=True)
class Measure:
    """A published measure that is not a catalogue indicator but reads earlier years like one:
    its ``id`` (the name ``published.indicator_not_available`` gives it), how many years back
    it reads and of which validated tables."""

    id: str
    look_back: int
    look_back_tables: tuple[str, ...]
    #: as ``Indicator.home_area_recorded``: a measure's units all have a home area or none
    home_area_recorded: bool = True


#: the involvement flows (``indicators/flows.py``): each child's level in the previous year,
#: read from that year's CIN census and SSDA903 episodes (docs/DOMAIN.md, "Involvement flows")
FLOWS = Measure(
    "involvement_flows", 1, ("cin_children", "cin_episodes", "cin_cp_plans", "ssda903_episodes")
)
#: the validated tables the cohorts read in every year they follow a child (entry: CIN
#: assessments and referrals, birth, death and home LSOA; events: plans, care, homelessness;
#: censoring: CIN closures). Youth-justice outcomes are read across years anyway (history).
COHORT_TABLES: tuple[str, ...] = (
    "cin_children",
    "cin_episodes",
    "cin_assessments",
    "cin_cp_plans",
    "ssda903_episodes",
    "hclic_main",
    "hclic_children",
)
#: how many years before the year published a cohort may have entered: 3, so that the
#: earliest is followed for 36 months (docs/DOMAIN.md, "Cohorts across years")
COHORT_YEARS_BEFORE: Final = 3


def cohort_measure_id(years_before: int) -> str:
    """The id of the cohorts that entered ``years_before`` years before the year published,
    as ``published.indicator_not_available`` names them (``cohort_incidence_entered_Y-2``)."""
    return "cohort_incidence_entered_Y" + (f"-{years_before}" if years_before else "")


#: the cohorts (``indicators/cohorts.py``), one measure per entry year: the children who entered
#: ``k`` years before the year Y published need the years from their wash-out year Y-k-1 to
#: Y-1 (and Y itself): a look-back of k + 1 years
COHORTS: tuple[Measure, ...] = tuple(
    Measure(cohort_measure_id(k), k + 1, COHORT_TABLES) for k in range(COHORT_YEARS_BEFORE + 1)
)
#: everything that looks back: the catalogue's indicators, the flows and the cohorts
MEASURES: tuple[Indicator | Measure, ...] = (*CATALOGUE, FLOWS, *COHORTS)

#: the longest look-back of any measure (years): how far forward a year's change reaches
LONGEST: int = max((i.look_back for i in MEASURES), default=0)


def tables_to_read(indicators: Iterable[Indicator | Measure] = MEASURES) -> dict[str, int]:
    """Table -> how many years before the year are read of it (the longest look-back of the
    indicators that name it)."""
    out: dict[str, int] = {}
    for ind in indicators:
        for table in ind.look_back_tables:
            out[table] = max(out.get(table, 0), ind.look_back)
    return out


def window(period: FinancialYear, years: int) -> list[FinancialYear]:
    """The ``years`` reporting years before ``period``, oldest first."""
    return [period.shifted(-k) for k in range(years, 0, -1)]


def not_available(
    ind: Indicator | Measure, period: FinancialYear, delivered: Mapping[str, set[str]]
) -> str | None:
    """Why ``ind`` cannot be computed for ``period`` (None when it can): the look-back years
    whose tables were not delivered. ``delivered`` maps a table to the period labels of the
    earlier years it holds rows for (``YearData.delivered_earlier``)."""
    missing: dict[str, list[str]] = {}
    for year in window(period, ind.look_back):
        for table in ind.look_back_tables:
            if year.label not in delivered.get(table, set()):
                missing.setdefault(year.label, []).append(table)
    if not missing:
        return None
    what = "; ".join(f"{year} ({', '.join(tables)})" for year, tables in missing.items())
    return (
        f"Not available for {period.label}: the measure looks back {ind.look_back} year(s) and "
        f"these were not delivered: {what}. Published when they are."
    )


#: why an indicator whose units have no recorded home area is not available (``reasons``)
NO_DELIVERING_LA: Final = (
    "Not available for {period}: the returns hold no home area for its units (care leavers), "
    "so they count in the delivering local authority, and this delivery covers several "
    "authorities with none named (TIP_HOME_LA)."
)


def reasons(
    period: FinancialYear,
    delivered: Mapping[str, set[str]],
    indicators: Iterable[Indicator | Measure] = MEASURES,
    delivering_la_known: bool = True,
) -> dict[str, str]:
    """Indicator (or measure) id -> why it is not computed for ``period``, for each that is
    not: its look-back years not delivered (``not_available``), or units with no recorded home
    area (``Indicator.home_area_recorded``) and no delivering LA to count them in."""
    found = {i.id: not_available(i, period, delivered) for i in indicators}
    if not delivering_la_known:
        for ind in indicators:
            if not ind.home_area_recorded:
                found[ind.id] = found[ind.id] or NO_DELIVERING_LA.format(period=period.label)
    return {key: reason for key, reason in found.items() if reason}


def not_available_frame(
    period: FinancialYear, delivered: Mapping[str, set[str]], delivering_la_known: bool = True
) -> pd.DataFrame:
    """The rows of ``published.indicator_not_available`` for ``period``: the catalogue's
    indicators and the flows (``FLOWS``) not computed for want of their look-back years, or of
    a delivering LA (``reasons``)."""
    found = reasons(period, delivered, delivering_la_known=delivering_la_known)
    return pd.DataFrame(
        {
            "indicator_id": list(found),
            "period": period.label,
            "reason": list(found.values()),
        },
        columns=["indicator_id", "period", "reason"],
    )


def dependent_years(
    years: Iterable[str], offered: Iterable[str], reach: int = LONGEST
) -> list[str]:
    """The offered partition keys (``2023-24``) up to ``reach`` years after one of ``years``:
    the years whose look-back a change to ``years`` reaches, ``years`` themselves excluded."""
    changed = {FinancialYear.parse(y) for y in years}
    out = []
    for key in offered:
        year = FinancialYear.parse(key)
        if year not in changed and any(y in changed for y in window(year, reach)):
            out.append(key)
    return out


def downstream_by_upstream(keys: list[str], reach: int) -> dict[str, list[str]]:
    """Each partition key -> itself and the keys of the ``reach`` years after it: the years
    whose figures read that year's validated table (``dagster.StaticPartitionMapping``)."""
    return {key: [key, *dependent_years([key], keys, reach)] for key in keys}
