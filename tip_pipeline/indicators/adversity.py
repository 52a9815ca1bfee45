"""Linked adversity: the same child across services, by the shared pseudonymised id.

Each child's distinct adversity *domains* in the year (docs/CONVENTIONS.md, "Linked adversity"):
each toxic-trio factor identified (recorded definition), a child protection plan, being looked
after (short breaks excluded), a youth-justice outcome, and homelessness (a household owed a
duty) -- every domain counted by its own numerator, within its age range. The count is
published as a distribution over all children aged 0-17 (0, 1, 2, 3, 4+; the 0 row is the
population minus the rest), and overlaps between pairs of domains.

A year whose youth-justice or housing people were taken in without being linked to social
care's (``linked_services``) has no distribution and no overlap that pairs the unlinked
domain with another: a child known to both would count as two, and an overlap would be a
silent zero; ``published.indicator_not_available`` says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators.data import YearData, positions_in
from tip_pipeline.indicators.linked_services import unlinked_domains
from tip_pipeline.indicators.numerator_registry import UNITS, units_of
from tip_pipeline.indicators.people import NOT_RECORDED
from tip_pipeline.stats import proportion_ci

#: domain -> (numerator, youngest, oldest); the order decides whose details (area, sex,
#: ethnicity) a child linked across services takes: the first domain that has the child.
DOMAINS: dict[str, tuple[str, int, int]] = {
    "domestic_abuse": ("factor_domestic_abuse", 0, 17),
    "parental_mental_health": ("factor_parental_mental_health", 0, 17),
    "parental_substance_misuse": ("factor_parental_substance_misuse", 0, 17),
    "child_protection_plan": ("cpp_in_year", 0, 17),
    "looked_after": ("cla_in_year", 0, 17),
    "youth_justice": ("yj_outcome", 10, 17),
    "homelessness": ("homeless_children", 0, 17),
}
DISTRIBUTION = ("0", "1", "2", "3", "4+")
TWO_OR_MORE = "2+"
CHILD_AGES = (0, 17)


def domain_units(data: YearData) -> pd.DataFrame:
    """One row per child and domain (``UNITS`` plus ``domain``), within the domain's ages."""
    parts = []
    for domain, (numerator_name, low, high) in DOMAINS.items():
        units = units_of(numerator_name, data)
        units = units[units["age"].between(low, high).fillna(False).astype(bool)]
        parts.append(units.assign(domain=domain))
    return pd.concat(parts, ignore_index=True)


def child_domains(data: YearData) -> pd.DataFrame:
    """One row per child with at least one domain: ``UNITS`` (details from the first domain
    that has the child, ``DOMAINS`` order; the home LSOA from the first that knows it, so a
    child the CIN census places nowhere but the SSDA903 places in an LSOA is counted there) and
    ``domains``, the number of distinct domains.

    On the children's codes (``pd.factorize``, in order of first appearance), not their ids:
    each child's first row and first row with a known LSOA by ``duplicated`` on the codes,
    its distinct domains from a child x domain table, the rows in the order of each child's
    first row, as ``drop_duplicates`` and a group-by and join on the ids gave them (hashing
    and joining the ids was most of its time at scale). A missing id is one child (the
    validated ids are required: none is missing)."""
    units = domain_units(data)
    ids = pd.factorize(units["unit_id"], use_na_sentinel=False)[0]
    domain = positions_in(units["domain"], list(DOMAINS))
    first = np.flatnonzero(~pd.Series(ids).duplicated().to_numpy())  # code c's first row: first[c]
    member = np.zeros((len(first), len(DOMAINS)), dtype=bool)
    member[ids, domain] = True
    known = np.flatnonzero((units["lsoa"] != UNKNOWN).to_numpy())
    known = known[~pd.Series(ids[known]).duplicated().to_numpy()]  # each child's first known
    placed = first.copy()
    placed[ids[known]] = known
    out = units.iloc[first][list(UNITS)].reset_index(drop=True)
    out["lsoa"] = units["lsoa"].iloc[placed].reset_index(drop=True)
    out["domains"] = member.sum(axis=1, dtype=np.int64)
    out["ethnic_group"] = out["ethnic_group"].fillna(NOT_RECORDED)
    return out


def distribution(data: YearData) -> pd.DataFrame:
    """Children by number of domains, per LA: rows 0, 1, 2, 3, 4+ and the derived 2+, with
    the percent of children aged 0-17 and Wilson 95% limits. 0 = population - the rest."""
    kids = child_domains(data)
    pop = _la_population(data)
    # each child's LA (an LSOA the lookup lacks, or an LA with no population, is not counted)
    # and label as positions (1, 2, 3 and 4+ as published: 4 or more domains are 4+), counted
    # with one bincount
    kept, las = _la_of(data.areas, kids["lsoa"])
    la = pop.index.get_indexer(las)
    label = (np.minimum(kids["domains"].to_numpy(np.int64), 4) - 1)[kept]
    counted = (la >= 0) & (label >= 0)
    labels = DISTRIBUTION[1:]
    matrix = np.bincount(
        la[counted] * len(labels) + label[counted], minlength=len(pop) * len(labels)
    ).reshape(len(pop), len(labels))
    counts = pd.DataFrame(matrix, index=pop.index, columns=pd.Index(list(labels), name="label"))
    counts["0"] = pop - counts.sum(axis=1)
    counts[TWO_OR_MORE] = counts[["2", "3", "4+"]].sum(axis=1)
    counts = counts[[*DISTRIBUTION, TWO_OR_MORE]]
    if data.unlinked:  # a child in an unlinked service would count twice: no rows
        counts = counts.iloc[:0]
    long = counts.stack().rename("children").reset_index()
    long.columns = ["area_code", "domains", "children"]
    long["denominator"] = long["area_code"].map(pop).to_numpy()
    est = proportion_ci(long["children"], long["denominator"], 0.95, 100)
    names = data.areas.drop_duplicates("la").set_index("la")["la_name"]
    return long.assign(
        area_name=long["area_code"].map(names),
        share_pct=est.value,
        lower_pct=est.lower,
        upper_pct=est.upper,
        children=long["children"].astype("int64"),
        denominator=long["denominator"].astype("int64"),
    )


def overlap(data: YearData) -> pd.DataFrame:
    """For every ordered pair of domains and LA: of the base domain's children within both
    domains' ages (e.g. looked-after children aged 10-17 for youth justice), how many are also
    in the other domain; percent with Wilson 95% limits.

    Computed for every pair at once (issue #21's profile: one filter, membership test and
    group-by per pair was half of linked adversity and prevalence at leeds scale): each unit
    row's membership of every domain is read from one child x domain table, its age tested
    against every pair's range, and each (base, other, LA) counted with one ``bincount``; the
    rows come out in the order of ``DOMAINS`` for the base, then the other, then the LA
    sorted, an LA only where the pair has base children (as a group-by per pair gave them)."""
    units = domain_units(data).merge(data.areas[["lsoa", "la"]], on="lsoa")
    names = list(DOMAINS)
    n_domains = len(names)
    domain = positions_in(units["domain"], names)
    # a missing id is one id, as ``isin`` counts a missing value a member of a set holding one
    ids = pd.factorize(units["unit_id"], use_na_sentinel=False)[0]
    la_codes, las = pd.factorize(units["la"], sort=True)
    member = np.zeros((ids.max() + 1 if len(ids) else 0, n_domains), dtype=bool)
    member[ids, domain] = True
    low = np.array([DOMAINS[d][1] for d in names])
    high = np.array([DOMAINS[d][2] for d in names])
    pair_low = np.maximum.outer(low, low)  # [base, other]
    pair_high = np.minimum.outer(high, high)
    unlinked = unlinked_domains(data.unlinked)
    wanted = np.array(
        [[b != o and not {b, o} & unlinked for o in names] for b in names], dtype=bool
    )
    age = units["age"].to_numpy(dtype=float, na_value=np.nan)[:, None]
    counted = ((age >= pair_low[domain]) & (age <= pair_high[domain]) & wanted[domain]) & (
        la_codes >= 0
    )[:, None]
    keys = (domain[:, None] * n_domains + np.arange(n_domains)) * len(las) + la_codes[:, None]
    cells = n_domains * n_domains * len(las)
    size = np.bincount(keys[counted], minlength=cells)
    both = np.bincount(keys[counted & member[ids]], minlength=cells)
    base, other, la = np.nonzero(size.reshape(n_domains, n_domains, len(las)))
    flat = np.ravel_multi_index((base, other, la), (n_domains, n_domains, len(las)))
    ranges = [
        f"{lo}-{hi}" for lo, hi in zip(pair_low[base, other], pair_high[base, other], strict=True)
    ]
    rows = list(
        zip(
            las[la],
            np.array(names, dtype=object)[base],
            np.array(names, dtype=object)[other],
            ranges,
            size[flat].tolist(),
            both[flat].tolist(),
            strict=True,
        )
    )
    frame = pd.DataFrame(
        rows,
        columns=[
            "area_code",
            "base_domain",
            "other_domain",
            "age_range",
            "base_children",
            "both_children",
        ],
    )
    est = proportion_ci(frame["both_children"], frame["base_children"], 0.95, 100)
    return frame.assign(share_pct=est.value, lower_pct=est.lower, upper_pct=est.upper)


def _la_population(data: YearData) -> pd.Series:
    """Children aged 0-17 per LA (ONS mid-year estimate of the year), the LAs sorted: the
    LSOAs' LAs as codes and summed with one bincount (exact: whole numbers under 2**53)."""
    pop = data.population
    pop = pop[pop["age"].between(*CHILD_AGES)]
    kept, placed = _la_of(data.areas, pop["lsoa"])
    codes, las = pd.factorize(placed, sort=True)
    people = pop["population"].to_numpy(np.int64)[kept]
    sums = np.bincount(codes[codes >= 0], weights=people[codes >= 0], minlength=len(las))
    return pd.Series(sums.astype(np.int64), index=pd.Index(las, name="la"), name="population")


def _la_of(areas: pd.DataFrame, lsoa: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``lsoa`` ``areas`` holds (one row an LSOA, ``area_lookup``), and the LA of
    each of those, in order: an inner merge on the LSOA, without the merge."""
    where = positions_in(lsoa, areas["lsoa"])
    kept = where >= 0
    return kept, areas["la"].to_numpy()[where[kept]]
