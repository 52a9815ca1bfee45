"""Indicator values by area and breakdown, with 95% and 99.8% limits (Fingertips layout).

For every catalogue indicator: the numerator's units, kept within the denominator's ages (a
proportion's numerator must be part of its denominator), placed in areas by their home LSOA
(LSOA -> ward -> LA best-fit lookup, IoD2025 national decile of the LSOA), counted by area and
breakdown category, and set against the denominator counted the same way. Limits by the
indicator's method (``stats.proportion_ci`` Wilson / ``stats.rate_ci`` exact-Byar).

Area types: ``lsoa`` (total only), ``ward`` and ``la`` (every breakdown); ``region`` and
``country`` only when every LA of that region (of England) is in the data, since a region
cannot be computed from some of its LAs (the comparison then uses ref_benchmarks instead).
Ethnic group: the ONS mid-year estimates have no ethnicity, so the denominator of a category
is the Census 2021 count of children of that group in the area and in the indicator's ages
(``ref_census_ethnicity``, by DfE age band; ``people.census_bands``), as OHID Fingertips does.
It is a different base from the mid-year estimates (another date and method), so the groups'
denominators do not add up to the total's and their rates do not average to the total's rate.
"Not recorded" has no census count: its rows carry the count only, denominator and value NULL.
Units of unknown home area (no home LSOA: ``tip_pipeline.home_area``) count in the delivering
LA (and its region and England) and in its person breakdowns; in the area-based ones they are
the ward ``UNKNOWN_WARD`` and the IMD decile and quintile ``UNKNOWN``, so every breakdown still
sums to its total, and they are in no LSOA. Those rows have no population denominator: the
count only, denominator and value NULL, like "Not recorded"; they appear where there is at
least one such unit (a row with no unit and no denominator is no row, as everywhere).
An indicator whose denominator is not a population (a numerator's units) has no census
denominator: its breakdowns are counted from the same units.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators import linked_services, look_back
from tip_pipeline.indicators.catalogue import BREAKDOWNS, CATALOGUE, Indicator
from tip_pipeline.indicators.data import (
    Lookup,
    YearData,
    lookup,
    member_of,
    merge_one,
    places_in,
    release_freed_memory,
)
from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline.indicators.people import age_band, census_bands
from tip_pipeline.stats import proportion_ci, rate_ci

TOTAL, ALL = "total", "all"
AREA_LEVELS = ("lsoa", "ward", "la", "region", "country")
#: area levels published with every breakdown; the others with the total only
BREAKDOWN_LEVELS = ("ward", "la", "region", "country")
#: breakdowns whose denominator is Census 2021 (not the mid-year estimates): their categories'
#: denominators do not sum to the total's
CENSUS_BREAKDOWNS = ("ethnic_group",)
CONFIDENCE = (0.95, 0.998)
#: age-band categories of units outside the child ages 0-17 (shares of service units only)
UNBORN, ADULT, ADULT_AGE = "unborn", "18 and over", 18
#: the lookup's columns counting reads from a unit's area (``with_areas``)
COUNTED_AREA_COLUMNS = ("imd_decile", "imd_quintile")
#: the units' columns counting reads (``numerator_registry.UNITS`` but the unit's id)
COUNTED_UNIT_COLUMNS = ("lsoa", "sex", "ethnic_group", "age")
#: the most numerator units placed and counted at once (``unit_batches``): a leeds year's
#: indicators of the same breakdowns in one batch, an england year's a few at a time
UNITS_AT_ONCE = 500_000

VALUE_COLUMNS = [
    "indicator_id",
    "indicator_name",
    "period",
    "area_type",
    "area_code",
    "area_name",
    "breakdown",
    "category",
    "numerator",
    "denominator",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
    "unit",
]


def complete_levels(data: YearData) -> dict[str, set[str]]:
    """Area codes that can be computed, per area type: every LSOA, ward and LA of the lookup;
    a region only when several LAs are in the data and all the region's LAs (ref_lad_region)
    are among them; England only when all are. A single-LA deployment compares with the
    published benchmarks (ref_benchmarks) instead."""
    areas = data.areas
    present = set(areas["la"].dropna())
    several = len(present) > 1
    regions = data.table("ref_lad_region")
    by_region = regions.groupby("rgn24cd")["lad24cd"].apply(set)
    complete_regions = {r for r, las in by_region.items() if several and las <= present}
    all_las = set(regions["lad24cd"])
    country = set(areas["country"]) if several and all_las <= present else set()
    return {
        "lsoa": set(areas["lsoa"]) - {UNKNOWN},
        "ward": set(areas["ward"].dropna()),
        "la": present,
        "region": complete_regions,
        "country": country,
    }


def category(frame: pd.DataFrame, breakdown: str) -> pd.Series:
    """The breakdown category of each row (``frame`` has the ``UNITS`` columns and areas)."""
    if breakdown == TOTAL:
        return pd.Series(ALL, index=frame.index, dtype=object)
    if breakdown in ("imd_decile", "imd_quintile"):
        return frame[breakdown].astype("Int64").astype("string").fillna(UNKNOWN).astype(object)
    if breakdown == "age_band":
        return age_categories(frame["age"])
    return frame[breakdown].astype(object)


def category_codes(frame: pd.DataFrame, breakdown: str) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(category(frame, breakdown).to_numpy(object))``: each row's code (-1
    where the row has no category) and the categories in order of first appearance, as
    Python objects.

    How: the breakdown's column is numbered first (``pd.factorize`` of the column itself:
    Arrow's dictionary encoding for its text, NA kept as a value) and only its distinct values
    are given their category, which are numbered in turn. Why: ``category`` makes one Python
    object per row (a million units' sex or ethnic group), held while a breakdown is counted;
    at england scale that and the other per-row objects put the indicators' values at 4.3 GB,
    above issue #21's 4 GB (point 6). A category is a function of its row's value, and the
    distinct values come in order of first appearance, so the codes and categories are the
    same, in the same order."""
    if breakdown == TOTAL:
        rows = len(frame)
        return np.zeros(rows, dtype=np.intp), np.array([ALL] if rows else [], dtype=object)
    column = "age" if breakdown == "age_band" else breakdown
    values, distinct = pd.factorize(frame[column].array, use_na_sentinel=False)
    of_distinct = category(pd.DataFrame({column: distinct}), breakdown)
    codes, categories = pd.factorize(of_distinct.to_numpy(object))
    return codes[values], categories


def factorized(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(column.to_numpy(object))``: codes (-1 where missing) and the distinct
    values as Python objects, in order of first appearance. Text is numbered as it is
    (Arrow's dictionary encoding for pandas' Arrow-backed strings), making a Python object of
    each distinct value only, not of each row (issue #21 point 6, as ``category_codes``)."""
    if not pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
        return pd.factorize(column.to_numpy(object))
    codes, distinct = pd.factorize(column.array)
    return codes, distinct.to_numpy(dtype=object)


def age_categories(age: pd.Series) -> pd.Series:
    """The age-band breakdown's category: the DfE band of a child aged 0-17, and for a unit
    outside those ages (counted only by a share of service units, whose denominator is not a
    population of ages: assessments of an unborn child, a plan ending at 18) ``UNBORN``,
    ``ADULT`` or, with no age, ``home_area.UNKNOWN``, so that the categories still sum to the
    total."""
    years = pd.to_numeric(age, errors="coerce").astype(float)
    band = age_band(age).mask(years < 0, UNBORN).mask(years >= ADULT_AGE, ADULT)
    return band.fillna(UNKNOWN).astype(object)


class UnplacedUnits(ValueFreeError):
    """Units of unknown home area whose LA the lookup cannot tell (validation accepts them only
    where it can: the lookup or ``TIP_HOME_LA`` changed since)."""


def with_areas(
    units: pd.DataFrame, data: YearData, columns: Sequence[str] = COUNTED_AREA_COLUMNS
) -> pd.DataFrame:
    """Units placed in areas by home LSOA, those of unknown home area (``home_area.UNKNOWN``)
    in the delivering LA's unknown ward; units whose LSOA is not in the lookup are dropped
    (validation has already refused unknown LSOAs). Units of unknown home area that no LA
    can take are an error, never dropped.

    Only the lookup's ``columns`` are joined: by default those counting reads (the breakdowns
    that are areas'), the other levels being summed from the LSOA counts (``at_level``). Why:
    every column of the lookup on every unit was a copy of its text per row (issue #21 point
    6, the indicators' values at 4.3 GB at england scale)."""
    placed = merge_one(units, data.areas[["lsoa", *columns]], on="lsoa")
    unknown = int((units["lsoa"] == UNKNOWN).sum())
    if unknown and not (data.areas["lsoa"] == UNKNOWN).any():
        raise UnplacedUnits(
            f"{unknown} unit(s) of unknown home area and no delivering LA: the LSOA lookup "
            "covers several LAs and TIP_HOME_LA names none of them (docs/CONVENTIONS.md, "
            '"Population, geography and age")'
        )
    return placed


def counts_by_lsoa(
    frame: pd.DataFrame,
    breakdowns: Iterable[str],
    weight: str | None = None,
    by: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Sum of ``weight`` (or rows) by LSOA, breakdown and category: the finest level, from
    which every area level is summed (``at_level``); kept apart by the columns ``by`` too (the
    indicator, where several are counted together). Rows with a missing key are not counted,
    and the rows come sorted by ``by``, LSOA, breakdown and category, as a pandas group-by of
    the long table (breakdown by breakdown) gives them.

    How: the keys are numbered once (``pd.factorize``) and each breakdown's rows are summed by
    one integer per group. Why: grouping a long table of text keys, the rows repeated once per
    breakdown, took a fifth of the england indicators' time (issue #21); the sums are pandas'
    own group sums over the same rows in the same order, so they are equal to the last bit."""
    w = frame[weight].to_numpy() if weight else np.ones(len(frame), dtype=np.int64)
    keys = [*by, "lsoa"]
    numbered = {c: factorized(frame[c]) for c in keys}
    parts = [
        _summed_by_codes({**numbered, "category": category_codes(frame, b)}, w).assign(breakdown=b)
        for b in breakdowns
    ]
    # a breakdown none of whose rows has a category adds nothing (and would turn the text
    # columns of the others into objects)
    parts = [part for part in parts if len(part)]
    columns = [*keys, "breakdown", "category"]
    if not parts:
        empty = {c: pd.Series(dtype=object) for c in columns}
        return pd.DataFrame({**empty, "count": pd.Series(dtype=w.dtype)})
    out = pd.concat(parts, ignore_index=True)[[*columns, "count"]]
    return out.sort_values(columns, ignore_index=True)


def _summed_by_codes(
    numbered: dict[str, tuple[np.ndarray, np.ndarray]], weights: np.ndarray
) -> pd.DataFrame:
    """``weights`` summed by the combination of the numbered keys (column -> its
    ``pd.factorize``: codes, -1 for a missing value, and values): one row per combination
    present, with the keys' values and ``count``."""
    codes = [c for c, _ in numbered.values()]
    present = np.logical_and.reduce([c >= 0 for c in codes])
    sizes = tuple(max(len(values), 1) for _, values in numbered.values())
    key = np.ravel_multi_index([c[present] for c in codes], sizes)
    sums = pd.Series(weights[present]).groupby(key, sort=False).sum()
    places = np.unravel_index(sums.index.to_numpy(), sizes)
    columns = {
        name: values[place]
        for (name, (_, values)), place in zip(numbered.items(), places, strict=True)
    }
    return pd.DataFrame(columns).assign(count=sums.to_numpy())


def at_level(
    counts: pd.DataFrame, areas: pd.DataFrame, level: str, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """LSOA counts summed to ``level`` (lsoa, ward, la, region or country), kept apart by the
    columns ``by`` too (the indicator, where several are counted together): the rows a
    pandas group-by of the counts joined to the level's areas gives, sorted by their keys.
    Summed by numbered keys (``_numbered_at_level``) where the lookup's LSOAs are text, each
    once, and some count is in an area of the level."""
    if level == "lsoa":
        return counts.rename(columns={"lsoa": "area_code"})
    keys = [*by, "area_code", "breakdown", "category"]
    table = lookup(areas, "lsoa")
    if len(counts) and len(areas) and table.keys is not None:
        numbered = _numbered_at_level(counts, table, level, by)
        summed = _summed_by_codes(numbered, counts["count"].to_numpy())
        if len(summed):  # else the group-by's empty frame, of the counts' column types
            return summed.sort_values(keys, ignore_index=True)
    placed = merge_one(counts, areas[["lsoa", level]], on="lsoa")
    placed = placed.rename(columns={level: "area_code"})
    return placed.groupby(keys, as_index=False)["count"].sum()


def _numbered_at_level(
    counts: pd.DataFrame, areas: Lookup, level: str, by: tuple[str, ...]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The keys of ``counts`` summed to ``level`` numbered (``pd.factorize``): ``by``, the
    area of the level each LSOA is in (-1 where the lookup has no LSOA or no such area),
    breakdown and category.

    Why: the LSOA counts joined to their areas and grouped by their text (some 4 million
    rows at england scale, copied with a column more for each level) were held beside the
    counts themselves (issue #21 point 6); here each row's area is found by place in the
    lookup, and every key is numbered from its Arrow text."""
    place = places_in(counts["lsoa"], areas)
    level_codes, level_areas = factorized(areas.frame[level])
    area_codes = np.where(place >= 0, level_codes[place], -1)
    return {
        **{c: factorized(counts[c]) for c in by},
        "area_code": (area_codes, level_areas),
        "breakdown": factorized(counts["breakdown"]),
        "category": factorized(counts["category"]),
    }


def in_ages(units: pd.DataFrame, ages: tuple[int, int]) -> pd.DataFrame:
    """Units aged within ``ages`` (inclusive) at their reference date."""
    return units[units["age"].between(*ages).fillna(False).astype(bool)]


def numerator_units(ind: Indicator, data: YearData) -> pd.DataFrame:
    """The numerator's units that its denominator holds: those within the denominator's ages,
    or among the denominator's own units."""
    units = units_of(ind.numerator_name, data)
    if ind.denominator.ages is not None:
        return in_ages(units, ind.denominator.ages)
    base = units_of(ind.denominator.numerator_name, data)
    return units[member_of(units["unit_id"], base["unit_id"])]


def denominators(ind: Indicator, data: YearData) -> dict[str, pd.DataFrame]:
    """Denominator counts by area level, breakdown and category: the child population within
    the indicator's ages (the census for ``CENSUS_BREAKDOWNS``), or the denominator's units."""
    if ind.denominator.ages is None:
        base = units_of(ind.denominator.numerator_name, data)
        lsoa = counts_by_lsoa(with_areas(base, data), ind.breakdowns)
        return {level: at_level(lsoa, data.areas, level) for level in AREA_LEVELS}
    key = ("denominators", ind.denominator.ages, tuple(ind.breakdowns))
    if key not in data.cache:
        with_den = tuple(b for b in ind.breakdowns if b not in CENSUS_BREAKDOWNS)
        den = population_counts(data, ind.denominator.ages, with_den)
        if set(CENSUS_BREAKDOWNS) & set(ind.breakdowns):
            census = census_counts(data, ind.denominator.ages)
            den = {
                level: pd.concat([den[level], census[level]], ignore_index=True)
                for level in AREA_LEVELS
            }
        data.cache[key] = den
    return data.cache[key]


def numerator_counts(indicators: Sequence[Indicator], data: YearData) -> pd.DataFrame:
    """Every indicator's numerator counts by LSOA, breakdown and category (``indicator_id``):
    those of the indicators with the same breakdowns together (``group_counts``), sorted by
    indicator id, as counting all their units in one table gives them."""
    groups: dict[tuple[str, ...], list[Indicator]] = {}
    for ind in indicators:
        groups.setdefault(tuple(ind.breakdowns), []).append(ind)
    counts = [group_counts(sorted(group, key=lambda i: i.id), data) for group in groups.values()]
    return pd.concat(counts, ignore_index=True)


def group_counts(group: Sequence[Indicator], data: YearData) -> pd.DataFrame:
    """The numerator counts of indicators of the same breakdowns, in ``group``'s order (of
    their ids): their units placed and counted together (one pass for many indicators: issue
    #21 point 2) in batches of at most ``UNITS_AT_ONCE`` (``unit_batches``).

    Why batches: the units of every indicator of a set of breakdowns, with their ids and every
    column of the lookup, were held at once (some 3 million rows at england scale) and the
    values peaked at 4.3 GB, above issue #21's 4 GB (point 6). A batch's counts come sorted by
    indicator, and the batches hold consecutive indicators, so they follow each other in the
    order one table's counts would have."""
    breakdowns = group[0].breakdowns
    batches = [
        counts_by_lsoa(with_areas(units, data), breakdowns, by=("indicator_id",))
        for units in unit_batches(group, data)
    ]
    found = [counts for counts in batches if len(counts)]
    # an empty batch's counts would turn the text columns of the others into objects
    return pd.concat(found, ignore_index=True) if found else batches[0]


def unit_batches(group: Sequence[Indicator], data: YearData) -> Iterator[pd.DataFrame]:
    """The numerator units of ``group`` (``numerator_units``, the columns counting reads and
    ``indicator_id``), those of consecutive indicators together up to ``UNITS_AT_ONCE`` rows;
    an indicator of more units is a batch of its own. Made one batch at a time."""
    batch: list[pd.DataFrame] = []
    for ind in group:
        units = numerator_units(ind, data)[list(COUNTED_UNIT_COLUMNS)].assign(indicator_id=ind.id)
        if batch and sum(map(len, batch)) + len(units) > UNITS_AT_ONCE:
            yield pd.concat(batch, ignore_index=True)
            batch = []
        batch.append(units)
    yield pd.concat(batch, ignore_index=True)


def population_counts(
    data: YearData, ages: tuple[int, int], breakdowns: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """The child population within ``ages`` by area level, breakdown and category (computed
    once per year and age range: most indicators share it)."""
    key = ("population", ages, breakdowns)
    if key not in data.cache:
        pop = data.population
        pop = with_areas(pop[pop["age"].between(*ages)], data)
        lsoa = counts_by_lsoa(pop, breakdowns, "population")
        data.cache[key] = {level: at_level(lsoa, data.areas, level) for level in AREA_LEVELS}
    return data.cache[key]


def census_counts(data: YearData, ages: tuple[int, int]) -> dict[str, pd.DataFrame]:
    """Census 2021 children of each ethnic group within ``ages`` (whole DfE age bands) by area
    level, as the ``ethnic_group`` breakdown's denominators (cached per year and ages)."""
    key = ("census", ages)
    if key not in data.cache:
        census = data.census
        census = with_areas(census[census["age_band"].isin(census_bands(ages))], data)
        lsoa = counts_by_lsoa(census, CENSUS_BREAKDOWNS, "population")
        data.cache[key] = {level: at_level(lsoa, data.areas, level) for level in AREA_LEVELS}
    return data.cache[key]


def indicator_values(ind: Indicator, data: YearData) -> pd.DataFrame:
    """Every value of one indicator for the year: area types x breakdowns x categories."""
    return values_of([ind], data)


def values_of(indicators: Sequence[Indicator], data: YearData) -> pd.DataFrame:
    """Every value of ``indicators`` for the year, in their order, each by area type, area,
    breakdown and category.

    The numerators' units are placed in areas and counted together, those of indicators with
    the same breakdowns in one pass (``numerator_counts``); the denominators are each
    indicator's own (shared where the ages and breakdowns are); then every indicator is summed
    to each area level, joined with its denominators, given its limits and sorted together,
    one operation per area level for all of them. Why: at
    leeds scale most indicators have a few hundred units, and doing those steps indicator by
    indicator cost some 0.2 s each in pandas' fixed costs, 5 of a year's 7 s of values
    (issue #21's profile of 2026-12-03, point 2: no per-group Python loops). The rows are the
    same as one indicator at a time gives, row for row (tested)."""
    if not indicators:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in VALUE_COLUMNS})
    out = level_rows(indicators, data)
    out["numerator"] = out["numerator"].fillna(0).astype("int64")
    out["denominator"] = out["denominator"].astype("Float64").astype("Int64")
    out = add_limits(out, indicators)
    position = {ind.id: i for i, ind in enumerate(indicators)}
    order = {b: i for i, b in enumerate(BREAKDOWNS)}
    sort_key = {"indicator_id": position, "breakdown": order}
    out = out.sort_values(
        ["indicator_id", "area_type", "area_code", "breakdown", "category"],
        key=lambda s: s.map(sort_key[s.name]) if s.name in sort_key else s,
    )
    by_id = {ind.id: ind for ind in indicators}
    ids = out["indicator_id"]
    return out.assign(
        indicator_name=ids.map({i: ind.name for i, ind in by_id.items()}),
        period=data.period.label,
        area_name=out["area_code"].map(area_names(data)),
        unit=ids.map({i: ind.unit for i, ind in by_id.items()}),
    )[VALUE_COLUMNS].reset_index(drop=True)


def level_rows(indicators: Sequence[Indicator], data: YearData) -> pd.DataFrame:
    """The numerator and denominator of every indicator (``indicator_id``) in every area of
    each level that can be computed (``complete_levels``; ``area_type``), by breakdown and
    category (the total only at a level not in ``BREAKDOWN_LEVELS``): a numerator of no unit
    is NaN, as a denominator of none. Rows by level, each level's in the order of an outer
    merge (sorted by indicator, area, breakdown and category).

    A function of its own so that the counts it is made from are let go as it returns, before
    the rows are given their limits and sorted (issue #21 point 6: held to the end, they were
    part of the england year's 4.3 GB)."""
    num = numerator_counts(indicators, data)
    dens = level_denominators(indicators, data)
    levels = complete_levels(data)
    keys = ["indicator_id", "area_code", "breakdown", "category"]
    parts = []
    for level in AREA_LEVELS:
        if not levels[level]:
            continue
        n = at_level(num, data.areas, level, by=("indicator_id",))
        if level not in BREAKDOWN_LEVELS:
            n = n[n["breakdown"] == TOTAL]
        frame = n.rename(columns={"count": "numerator"}).merge(
            pd.concat(dens[level], ignore_index=True).rename(columns={"count": "denominator"}),
            on=keys,
            how="outer",
        )
        frame = frame[member_of(frame["area_code"], levels[level])]
        parts.append(frame.assign(area_type=level))
    return pd.concat(parts, ignore_index=True)


def level_denominators(
    indicators: Sequence[Indicator], data: YearData
) -> dict[str, list[pd.DataFrame]]:
    """Each area level's denominator counts, one frame per indicator (``indicator_id``), of
    the total only at a level not in ``BREAKDOWN_LEVELS``.

    Why the total is taken from each indicator's counts, not from their concatenation: an
    LSOA's denominators by every breakdown, repeated for each indicator, were some 9 million
    rows at england scale, of which the totals (a fourteenth) were kept (issue #21 point 6).
    The rows kept are the same, in the same order, and a concatenation's column types depend
    on its frames' types alone (pandas 3), so the outer merge they go to gives the same."""
    dens: dict[str, list[pd.DataFrame]] = {level: [] for level in AREA_LEVELS}
    for ind in indicators:
        den = denominators(ind, data)
        for level in AREA_LEVELS:
            counts = den[level]
            if level not in BREAKDOWN_LEVELS:
                counts = counts[counts["breakdown"] == TOTAL]
            dens[level].append(counts.assign(indicator_id=ind.id))
    return dens


def add_limits(frame: pd.DataFrame, indicators: Sequence[Indicator]) -> pd.DataFrame:
    """Value and limits at 95% and 99.8% of the rows of ``indicators`` (``indicator_id``),
    each by its own method (docs/CONVENTIONS.md) and multiplier, one computation per method
    and multiplier."""
    x = frame["numerator"].to_numpy(float)
    n = frame["denominator"].astype("Float64").to_numpy(float, na_value=np.nan)
    columns = {"value": np.full(len(frame), np.nan)}
    for suffix in ("95", "99_8"):
        columns[f"lower_ci_{suffix}"] = np.full(len(frame), np.nan)
        columns[f"upper_ci_{suffix}"] = np.full(len(frame), np.nan)
    methods: dict[tuple[str, float], list[str]] = {}
    for ind in indicators:
        methods.setdefault((ind.kind, ind.multiplier), []).append(ind.id)
    for (kind, multiplier), ids in methods.items():
        rows = member_of(frame["indicator_id"], ids).to_numpy()
        method = proportion_ci if kind == "proportion" else rate_ci
        for level, suffix in zip(CONFIDENCE, ("95", "99_8"), strict=True):
            est = method(x[rows], n[rows], level, multiplier)
            columns["value"][rows] = est.value
            columns[f"lower_ci_{suffix}"][rows] = est.lower
            columns[f"upper_ci_{suffix}"][rows] = est.upper
    return frame.assign(**columns)


def area_names(data: YearData) -> pd.Series:
    """Area code -> name for every level of the lookup."""
    a = data.areas
    pairs = [
        (a["lsoa"], a["lsoa_name"]),
        (a["ward"], a["ward_name"]),
        (a["la"], a["la_name"]),
        (a["region"], a["region_name"]),
        (a["country"], a["country_name"]),
    ]
    codes = pd.concat([p[0] for p in pairs], ignore_index=True)
    names = pd.concat([p[1] for p in pairs], ignore_index=True)
    return pd.Series(names.to_numpy(), index=codes.to_numpy()).dropna().groupby(level=0).first()


def not_available(data: YearData, indicators: Iterable[Indicator] = CATALOGUE) -> dict[str, str]:
    """Indicator id -> why it is not computed for the year: a look-back year not delivered
    (``look_back.not_available``), or units with no recorded home area and no delivering LA
    (the lookup's areas have no unknown home area), or people of a service not linked to social
    care's (``linked_services``). Such an indicator has no values for the year, never values
    from part of its window, of its units or of its linkage."""
    delivering = bool((data.areas["lsoa"] == UNKNOWN).any())  # the delivering LA's unknown area
    indicators = list(indicators)
    found = look_back.reasons(data.period, data.delivered_earlier(), indicators, delivering)
    ids = {i.id for i in indicators}
    unlinked = linked_services.reasons(data.period, data.unlinked)
    return {**{k: v for k, v in unlinked.items() if k in ids}, **found}


def all_values(data: YearData, indicators: Iterable[Indicator] = CATALOGUE) -> pd.DataFrame:
    """Values of every indicator for the year that can be computed (``not_available``), before
    benchmark comparison."""
    indicators = list(indicators)
    missing = not_available(data, indicators)
    values = values_of([i for i in indicators if i.id not in missing], data)
    # counting the units and sorting the rows pass them through Arrow's arrays: after the
    # england year's values its pool held 0.85 GB freed beside 0.94 GB live, which the phases
    # after them carried in their peaks (issue #21 point 6, docs/PERFORMANCE.md)
    release_freed_memory()
    return values
