"""The published layer as cells and additive relations, for disclosure control.

A cell is one published count, identified by a tuple:

- ``("iv", indicator_id, area_code, breakdown, category, "numerator" | "denominator")``: an
  indicator's numerator, and its denominator where that is itself a count of service units
  (households owed a duty) rather than an ONS population (public);
- ``("adv", area_code, domains)``: children by number of adversity domains;
- ``("prev", area_code, measure)``: a recorded row of the Prevalence slide;
- ``("flow", period, area_code, from_level, to_level)``: the involvement flows of ``period``
  (``indicators/flows.py``), ``"all"`` on one side for a margin (a level's total);
- ``("cohort", period, entry, entry_period, area_code, outcome, imd_quintile, months_from,
  measure)``: the cohorts published with ``period`` (``indicators/cohorts.py``), ``measure``
  one of at_risk, events, censored.

The relations are every additive identity an analyst could use against the published tables
of one year (docs/CONVENTIONS.md, "Disclosure control"):

- the categories of each breakdown of an area sum to its total;
- IMD deciles 2q-1 and 2q sum to quintile q, and the unknown decile is the unknown quintile
  (children of unknown home area, ``tip_pipeline.home_area``);
- the wards of an LA, its unknown home area among them, sum to the LA (and LAs to their
  region, regions to England, where those rows are published);
- the adversity distribution 0, 1, 2, 3, 4+ sums to the child population (public), and
  2+ = 2 + 3 + 4+;
- a count published twice is one cell in two places: the adversity 2+ row and the LA total of
  ``adversity_two_or_more``; the Prevalence slide's looked-after, youth-justice and
  homelessness rows and the LA totals of the indicators they are counted by;
- each row of a year's flow matrix sums to its margin (the children at that level in the
  previous year), and each column to its margin (at that level in the year); each cell of a
  region's flows (and its margins) is the sum of that cell of its authorities', and each of
  England's the sum of its regions' (where published: a region or England has flows only
  where the delivery holds every one of its authorities, ``indicators/flows.py``); a level's total
  in the previous year is the same count as that year's own margin for the level, where both
  are published and equal (a child who moved LA between the years is counted in the later
  LA, so they can differ);
- a cohort's quintiles (1-5 and unknown) sum to the whole cohort (``all``), for each count; the
  children at risk at the start of an interval are those at risk at the start of the one
  before less its events and its censored; a cohort's children at risk at entry are one count
  published once per outcome, and again with every later year while the cohort is followed.

The flows and the cohorts are the cells related across years: a year's are controlled together
with every earlier year's as published (``earlier_statuses``: their published counts are
known, their withheld ones stay withheld, and so does each count published again), so that no
withheld count of any year can be narrowed by setting the years side by side. Years are
therefore published in order (``tip run`` runs them so); a year published again is controlled
against the earlier years only, and the later ones, which read it, run again.

Where the parts fall short of their total (children whose category is not published), the
shortfall is a hidden remainder cell: never published, it is unknown to an analyst and counts
towards the relation's protection. Parts exceeding their total are not an additive relation
and are not declared as one.

What is published at all is decided here too (``PUBLISHED_SCOPE``): indicator values for
LAs (every breakdown), wards (headline only), regions and England. LSOA values and ward
breakdowns stay in the restricted layer: at ward-by-category level a third to a half of the
cells are counts of 1 to 4, so publishing them would withhold more than it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

import numpy as np
import pandas as pd

from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators.catalogue import CATALOGUE
from tip_pipeline.indicators.cohorts import ALL as ALL_QUINTILES
from tip_pipeline.indicators.cohorts import ANY, INTERVALS, QUINTILES
from tip_pipeline.indicators.flows import ALL, LEVELS, NONE, TRANSITIONS
from tip_pipeline.indicators.prevalence import SERVICE_NUMERATOR
from tip_pipeline.publish.suppression import Cell, Relation

TOTAL = ("total", "all")
#: area types whose indicator values are published, and the breakdowns published for each
PUBLISHED_SCOPE: dict[str, tuple[str, ...] | None] = {
    "country": None,  # None: every breakdown
    "region": None,
    "la": None,
    "ward": ("total",),
}
#: the next area up, by area type
PARENT_TYPE = {"ward": "la", "la": "region", "region": "country"}
ADVERSITY_PARTS = ("0", "1", "2", "3", "4+")
ADVERSITY_TWO_PLUS = ("2", "3", "4+")
#: indicators whose denominator is a count of service units, hence a cell of its own
COUNTED_DENOMINATORS = frozenset(
    i.id for i in CATALOGUE if i.denominator.numerator_name is not None
)


@dataclass
class CellSet:
    """Cells with their true counts, the relations between them and the hidden remainders."""

    values: dict[Cell, float] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    hidden: set[Cell] = field(default_factory=set)

    def add_sum(self, parts: Iterable[Cell], total: Cell, name: str) -> None:
        """Declare ``sum(parts) (+ a hidden remainder) == total``, for cells present."""
        parts = [p for p in parts if p in self.values]
        if not parts or total not in self.values:
            return
        remainder = self.values[total] - sum(self.values[p] for p in parts)
        if remainder < 0:
            return
        terms: dict[Cell, int] = dict.fromkeys(parts, 1)
        if remainder > 0:
            hidden = ("remainder", name)
            self.values[hidden] = remainder
            self.hidden.add(hidden)
            terms[hidden] = 1
        terms[total] = -1
        self.relations.append(Relation(terms=terms, name=name))

    def add_same(self, a: Cell, b: Cell, name: str) -> None:
        """Declare that two cells are one count published twice."""
        if a in self.values and b in self.values and self.values[a] == self.values[b]:
            self.relations.append(Relation(terms={a: 1, b: -1}, name=name))


def in_scope(values: pd.DataFrame) -> pd.Series:
    """Rows of restricted.indicator_values that are published."""
    keep = pd.Series(False, index=values.index)
    for area_type, breakdowns in PUBLISHED_SCOPE.items():
        rows = values["area_type"] == area_type
        if breakdowns is not None:
            rows &= values["breakdown"].isin(breakdowns)
        keep |= rows
    return keep


def indicator_cell(
    indicator: str, area: str, breakdown: str, category: object, measure: str = "numerator"
) -> Cell:
    return ("iv", indicator, area, breakdown, str(category), measure)


def headline_cell(indicator: str, area: str, measure: str = "numerator") -> Cell:
    return indicator_cell(indicator, area, *TOTAL, measure)


#: the columns of an indicator value's key, in ``indicator_cell``'s order
IV_KEYS = ("indicator_id", "area_code", "breakdown", "category")


def measures_of(indicator: str) -> list[str]:
    """The counts of an indicator row: its numerator, and its denominator where that is a
    count of service units."""
    return ["numerator", "denominator"] if indicator in COUNTED_DENOMINATORS else ["numerator"]


def flow_cell(period: str, area: str, from_level: str, to_level: str) -> Cell:
    return ("flow", period, area, from_level, to_level)


def flow_cells(flows: pd.DataFrame | None) -> dict[Cell, float]:
    """The cells of involvement-flow rows (restricted or published; NaN where withheld)."""
    if flows is None:
        return {}
    columns = ("period", "area_code", "from_level", "to_level")
    keys = zip(*(flows[c] for c in columns), strict=True)
    return {flow_cell(*key): _float(n) for key, n in zip(keys, flows["children"], strict=True)}


#: the counts of a cohort row
COHORT_MEASURES = ("at_risk", "events", "censored")
COHORT_KEYS = (
    "period",
    "entry",
    "entry_period",
    "area_code",
    "outcome",
    "imd_quintile",
    "months_from",
)


def cohort_cell(
    period: str,
    entry: str,
    entry_period: str,
    area: str,
    outcome: str,
    quintile: str,
    months_from: object,
    measure: str,
) -> Cell:
    return (
        "cohort",
        period,
        entry,
        entry_period,
        area,
        outcome,
        str(quintile),
        int(months_from),  # type: ignore[call-overload]
        measure,
    )


def cohort_cells(cohorts: pd.DataFrame | None) -> dict[Cell, float]:
    """The cells of cohort rows (restricted or published; NaN where withheld)."""
    if cohorts is None:
        return {}
    out: dict[Cell, float] = {}
    keys = list(zip(*(cohorts[c] for c in COHORT_KEYS), strict=True))
    for measure in COHORT_MEASURES:
        for key, n in zip(keys, cohorts[measure], strict=True):
            out[cohort_cell(*key, measure)] = _float(n)
    return out


def flow_statuses(published: pd.DataFrame, cells: CellSet) -> tuple[set[Cell], set[Cell]]:
    """The earlier years' published flows as disclosure control of a later year must take them
    (``earlier_statuses``)."""
    return earlier_statuses(flow_cells(published), cells)


def earlier_statuses(
    published: Mapping[Cell, float], cells: CellSet
) -> tuple[set[Cell], set[Cell]]:
    """Earlier years' published cells (NaN where withheld) as disclosure control of a later
    year must take them: (withheld cells, published cells) of ``cells``. Already published,
    neither can change, and neither can a cell of the later year that is one of them published
    again (its ``add_same`` relation): it is published, or withheld, as it was."""
    found = {c: v for c, v in published.items() if c in cells.values}
    withheld = {c for c, v in found.items() if np.isnan(v)}
    shown = set(found) - withheld
    for relation in cells.relations:
        if sorted(relation.terms.values()) != [-1, 1] or relation.rhs != 0:
            continue
        a, b = relation.terms
        for cell, twin in ((a, b), (b, a)):
            if twin in withheld:
                withheld.add(cell)
            elif twin in shown:
                shown.add(cell)
    return withheld, shown


def count_cells(
    indicator_values: pd.DataFrame,
    adversity: pd.DataFrame,
    prevalence: pd.DataFrame,
    flows: pd.DataFrame | None = None,
    cohorts: pd.DataFrame | None = None,
) -> dict[Cell, float]:
    """Every count cell of the frames (restricted or published; NaN where a published count is
    withheld)."""
    values: dict[Cell, float] = {**flow_cells(flows), **cohort_cells(cohorts)}
    # column by column, not ``to_dict("records")``: a dict per row of some 300,000 at england
    # scale was most of this function's time (issue #21); the cells and their order are the same
    columns = (*IV_KEYS, "numerator", "denominator")
    for *key, numerator, denominator in zip(*(indicator_values[c] for c in columns), strict=True):
        values[indicator_cell(*key)] = _float(numerator)
        if key[0] in COUNTED_DENOMINATORS:
            values[indicator_cell(*key, "denominator")] = _float(denominator)
    for row in adversity.to_dict("records"):
        values[("adv", row["area_code"], str(row["domains"]))] = _float(row["children"])
    for row in prevalence[prevalence["basis"] == "recorded"].to_dict("records"):
        values[("prev", row["area_code"], row["measure"])] = _float(row["children"])
    return values


def _float(value: object) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def build_cells(
    indicator_values: pd.DataFrame,
    adversity: pd.DataFrame,
    prevalence: pd.DataFrame,
    parents: Mapping[str, str],
    flows: pd.DataFrame | None = None,
    cohorts: pd.DataFrame | None = None,
) -> CellSet:
    """Every published count of one year and every additive relation between them.

    ``indicator_values`` are the restricted rows in scope (``in_scope``); ``parents`` maps an
    area code to the code of the next area up (ward -> LA -> region -> England). A counted
    denominator that is missing (no units at all) is not a cell. ``flows`` and ``cohorts``:
    the restricted involvement flows and cohorts of the year and of every earlier year (related
    across years).
    """
    values = count_cells(indicator_values, adversity, prevalence, flows, cohorts)
    cells = CellSet(values={c: v for c, v in values.items() if not np.isnan(v)})
    for indicator, area, breakdowns in breakdown_groups(indicator_values):
        for measure in measures_of(indicator):
            _breakdown_relations(cells, indicator, area, breakdowns, measure)
    _hierarchy_relations(cells, indicator_values, parents)
    _adversity_relations(cells, adversity)
    _prevalence_relations(cells, prevalence)
    if flows is not None:
        _flow_relations(cells, flows)
        _flow_hierarchy_relations(cells, flows, parents)
    if cohorts is not None:
        _cohort_relations(cells, cohorts)
    return cells


#: (indicator, area, [(breakdown, its categories), ...]): an area's rows by breakdown
BreakdownGroup = tuple[str, str, list[tuple[str, list[object]]]]


def breakdown_groups(indicator_values: pd.DataFrame) -> Iterator[BreakdownGroup]:
    """The rows other than the headline's, by (indicator, area) and then by breakdown, in the
    order pandas' sorted group-bys give them: keys in sorted order, each breakdown's categories
    in the order of the rows.

    Why not ``groupby``: one group-by per (indicator, area) and per measure, some 4,000 at
    england scale, took three quarters of ``build_cells`` (issue #21's profile, 2026-12-04);
    one stable sort and a walk through it give the same groups in the same order (tested),
    so the same relations. Only areas with breakdown rows have breakdown relations: the wards
    (headline only) have none."""
    rows = indicator_values[indicator_values["breakdown"] != TOTAL[0]]
    rows = rows.sort_values(["indicator_id", "area_code", "breakdown"], kind="stable")
    columns = ("indicator_id", "area_code", "breakdown", "category")
    keyed = zip(*(rows[c] for c in columns), strict=True)
    for (indicator, area), of_area in groupby(keyed, key=itemgetter(0, 1)):
        breakdowns = [
            (breakdown, [row[3] for row in of_breakdown])
            for breakdown, of_breakdown in groupby(of_area, key=itemgetter(2))
        ]
        yield indicator, area, breakdowns


def _breakdown_relations(
    cells: CellSet,
    indicator: str,
    area: str,
    breakdowns: list[tuple[str, list[object]]],
    measure: str,
) -> None:
    def cell(breakdown: str, category: object) -> Cell:
        return indicator_cell(indicator, area, breakdown, category, measure)

    total = cell(*TOTAL)
    for breakdown, categories in breakdowns:
        parts = [cell(breakdown, c) for c in categories]
        cells.add_sum(parts, total, f"{indicator}|{area}|{breakdown}|{measure}")
    for quintile in range(1, 6):
        deciles = [cell("imd_decile", 2 * quintile - 1), cell("imd_decile", 2 * quintile)]
        name = f"{indicator}|{area}|quintile {quintile}|{measure}"
        cells.add_sum(deciles, cell("imd_quintile", quintile), name)
    unknown = (cell("imd_decile", UNKNOWN), cell("imd_quintile", UNKNOWN))
    cells.add_same(*unknown, f"{indicator}|{area}|unknown decile = quintile|{measure}")


def _hierarchy_relations(cells: CellSet, values: pd.DataFrame, parents: Mapping[str, str]) -> None:
    """Wards sum to their LA, LAs to their region, regions to England (headline rows)."""
    totals = values[(values["breakdown"] == TOTAL[0]) & (values["category"] == TOTAL[1])]
    for area_type in PARENT_TYPE:
        children = totals[totals["area_type"] == area_type]
        children = children.assign(parent=children["area_code"].map(parents))
        for (indicator, parent), group in children.groupby(["indicator_id", "parent"]):
            for measure in measures_of(indicator):
                parts = [headline_cell(indicator, a, measure) for a in group["area_code"]]
                total = headline_cell(indicator, parent, measure)
                cells.add_sum(parts, total, f"{indicator}|{parent}|{area_type}s|{measure}")


def _adversity_relations(cells: CellSet, adversity: pd.DataFrame) -> None:
    for area, rows in adversity.groupby("area_code"):
        present = set(rows["domains"].astype(str))
        parts = {("adv", area, d): 1 for d in ADVERSITY_PARTS if d in present}
        population = float(rows["denominator"].iloc[0])
        cells.relations.append(Relation(terms=parts, rhs=population, name=f"adversity|{area}"))
        two_plus = [("adv", area, d) for d in ADVERSITY_TWO_PLUS]
        cells.add_sum(two_plus, ("adv", area, "2+"), f"adversity 2+|{area}")
        headline = headline_cell("adversity_two_or_more", area)
        cells.add_same(("adv", area, "2+"), headline, f"adversity 2+ = indicator|{area}")


def _prevalence_relations(cells: CellSet, prevalence: pd.DataFrame) -> None:
    """The slide's service rows are the LA totals of the indicators that count them (the
    prevalence module's SERVICE_NUMERATOR names those numerators, which are the indicators' ids)."""
    recorded = prevalence[prevalence["basis"] == "recorded"]
    for row in recorded.to_dict("records"):
        if row["measure"] in SERVICE_NUMERATOR:
            cell = ("prev", row["area_code"], row["measure"])
            indicator = SERVICE_NUMERATOR[row["measure"]][0]
            headline = headline_cell(indicator, row["area_code"])
            cells.add_same(cell, headline, f"prevalence {row['measure']}|{row['area_code']}")


def _flow_relations(cells: CellSet, flows: pd.DataFrame) -> None:
    """Each row and column of every year's matrix sums to its margin; a level's total in the
    previous year is the previous year's margin of it (where equal: ``add_same``)."""
    for (period, area, previous), _ in flows.groupby(["period", "area_code", "previous_period"]):

        def cell(a: str, b: str, period: str = period, area: str = area) -> Cell:
            return flow_cell(period, area, a, b)

        for level in LEVELS:
            row = [cell(level, b) for a, b in TRANSITIONS if a == level]
            cells.add_sum(row, cell(level, ALL), f"flows {period}|{area}|from {level}")
            column = [cell(a, level) for a, b in TRANSITIONS if b == level]
            cells.add_sum(column, cell(ALL, level), f"flows {period}|{area}|to {level}")
        for level in LEVELS:
            if level != NONE:
                before = flow_cell(previous, area, ALL, level)
                name = f"flows {period}|{area}|{level} in {previous}"
                cells.add_same(cell(level, ALL), before, name)


def _flow_hierarchy_relations(
    cells: CellSet, flows: pd.DataFrame, parents: Mapping[str, str]
) -> None:
    """Each cell of a region's flows is the sum of its LAs' same cell, and each of England's
    the sum of its regions' (a parent with flows of its own: ``add_sum`` declares nothing
    where the parent's cell is absent). ``parents``: area -> the next area up."""
    keys = ["period", "from_level", "to_level"]
    placed = flows.assign(parent=flows["area_code"].map(parents))
    with_parent = placed[placed["parent"].isin(set(flows["area_code"]))]
    for (period, a, b, parent), rows in with_parent.groupby([*keys, "parent"], sort=True):
        parts = [flow_cell(period, area, a, b) for area in rows["area_code"]]
        name = f"flows {period}|{parent}|{a}->{b} = its areas"
        cells.add_sum(parts, flow_cell(period, parent, a, b), name)


def _cohort_relations(cells: CellSet, cohorts: pd.DataFrame) -> None:
    """A cohort's quintiles sum to ``all``; at risk at the start of an interval = at risk at
    the start of the one before - its events - its censored; the children at risk at entry are
    one count for every outcome, and one with the same cohort's count published the year
    before (where equal: ``add_same``)."""
    groups = cohorts.groupby(["period", "entry", "entry_period", "area_code"], sort=True)
    previous: dict[tuple, str] = {}
    for (period, entry, entry_period, area), rows in groups:
        key = (entry, entry_period, area)
        outcomes = sorted(set(rows["outcome"]))
        quintiles = [q for q in QUINTILES if q in set(rows["imd_quintile"])]

        def cell(
            outcome: str, quintile: str, months: int, measure: str, p: str = period, key=key
        ) -> Cell:
            return cohort_cell(p, *key, outcome, quintile, months, measure)

        name = f"cohort {period}|{entry} {entry_period}|{area}"
        for outcome in outcomes:
            for low, _ in INTERVALS:
                for measure in COHORT_MEASURES:
                    parts = [cell(outcome, q, low, measure) for q in quintiles]
                    total = cell(outcome, ALL_QUINTILES, low, measure)
                    cells.add_sum(parts, total, f"{name}|{outcome}|{low}|{measure} by quintile")
            for quintile in (*quintiles, ALL_QUINTILES):
                for low, high in INTERVALS[:-1]:  # the next interval starts at ``high``
                    parts = [
                        cell(outcome, quintile, low, "events"),
                        cell(outcome, quintile, low, "censored"),
                        cell(outcome, quintile, high, "at_risk"),
                    ]
                    total = cell(outcome, quintile, low, "at_risk")
                    cells.add_sum(parts, total, f"{name}|{outcome}|{quintile}|{low} carried")
        for quintile in (*quintiles, ALL_QUINTILES):
            entered = cell(ANY, quintile, 0, "at_risk")
            for outcome in outcomes:
                if outcome != ANY:
                    same = cell(outcome, quintile, 0, "at_risk")
                    cells.add_same(entered, same, f"{name}|{quintile}|{outcome} entered")
            before = previous.get(key)
            if before is not None:
                earlier = cell(ANY, quintile, 0, "at_risk", before)
                cells.add_same(entered, earlier, f"{name}|{quintile} entered, as in {before}")
        previous[key] = period
