"""The disclosure audit of a published year, from what an analyst can see.

Reads the published tables back from the warehouse and checks them against the restricted
layer's true figures (docs/CONVENTIONS.md, "Disclosure control"):

1. every count from 1 to threshold - 1 is withheld;
2. every published count equals the true count (suppression withholds, it never perturbs);
3. every withheld count's range consistent with everything published (a linear program over
   every additive relation of the year's published tables, ``suppression.feasible_ranges``:
   per connected group of relations, the groups on a thread per core, the same ranges
   whatever the threads) is at least ``threshold`` wide;
4. nothing derived from a withheld count is published: a suppressed row's value and limits,
   a comparison of a withheld value, SII/RII where any decile is withheld, the quintile gap
   where quintile 1 or 5 is, the change since baseline where those quintiles are withheld in
   either year;
5. the involvement flows: a suppressed row shows no count (2 and 3 cover them with every
   earlier year's published flows, to which they are related); the cohorts: no incidence is
   shown where a count it derives from (its row's, or an earlier interval's of its group) is
   withheld (2 and 3 cover their counts with every earlier year's published cohorts);
6. ``published.la_benchmarking`` discloses nothing new: the deploying authorities' values are
   their published ones (NULL where suppressed), the others the benchmark file's, and every
   rank, band and quintile comes from those values alone (``benchmarking.audit_benchmarking``).

It runs inside the publish transaction, on that transaction's own rows, before they commit (a
failed audit rolls the year back), and can be run again at any time on what is committed.

Problems are described by cell (indicator, area, breakdown, category), never by a true count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.store import read_period
from tip_pipeline.publish.benchmarking import audit_benchmarking
from tip_pipeline.publish.cells import COHORT_MEASURES, CellSet, count_cells
from tip_pipeline.publish.inputs import area_parents, read_restricted, read_up_to, restricted_cells
from tip_pipeline.publish.suppression import Suppression, feasible_ranges
from tip_pipeline.publish.tables import (
    CHANGE_COLUMNS,
    GAP_COLUMNS,
    INCIDENCE_COLUMNS,
    SII_COLUMNS,
    VALUE_COLUMNS,
)
from tip_pipeline.warehouse import schema


@dataclass
class Audit:
    period: str
    cells: int = 0
    withheld: int = 0
    narrowest: float = math.inf
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def read_published(bind: sa.Engine | sa.Connection, period: str) -> dict[str, pd.DataFrame]:
    """The year's published twins; the involvement flows of the year and of every earlier year
    (an analyst sets the years side by side: ``cells``)."""
    twins = (
        schema.published_indicator_values,
        schema.published_indicator_comparisons,
        schema.published_inequality_summary,
        schema.published_adversity_distribution,
        schema.published_prevalence_summary,
    )
    frames = {t.name: read_period(bind, t, period) for t in twins}
    flows = schema.published_involvement_flows
    frames[flows.name] = read_up_to(bind, flows, period)
    cohorts = schema.published_cohort_incidence
    frames[cohorts.name] = read_up_to(bind, cohorts, period)
    return frames


def published_counts(published: Mapping[str, pd.DataFrame]) -> dict:
    return count_cells(
        published["indicator_values"],
        published["adversity_distribution"],
        published["prevalence_summary"],
        published.get(schema.published_involvement_flows.name),
        published.get(schema.published_cohort_incidence.name),
    )


def audit_year(
    bind: sa.Engine | sa.Connection,
    period: str,
    threshold: int,
    truth: CellSet | None = None,
) -> Audit:
    """Audit the published rows of ``period`` (see the module docstring), through an engine or
    inside the open publish transaction; ``truth``, the year's true cells, where the caller has
    them already (publishing built them from the rows of the same transaction, so reading them
    again would only repeat the work)."""
    if truth is None:
        parents = area_parents(bind if isinstance(bind, sa.Engine) else bind.engine)
        truth = restricted_cells(read_restricted(bind, period), parents)
    published = read_published(bind, period)
    seen = published_counts(published)
    audit = Audit(period=period)
    _check_counts(audit, truth, seen, threshold)
    _check_ranges(audit, truth, seen, threshold)
    _check_rows(audit, published)
    inequality = published["inequality_summary"]
    baselines = set(inequality["baseline_period"].dropna()) - {period}
    baseline = read_published(bind, min(baselines)) if baselines else None
    _check_inequality(audit, published, baseline)
    audit.problems += audit_benchmarking(bind, period)
    return audit


def _check_counts(audit: Audit, truth: CellSet, seen: Mapping, threshold: int) -> None:
    for cell, true in truth.values.items():
        if cell in truth.hidden:
            continue
        audit.cells += 1
        if cell not in seen:
            audit.problems.append(f"{cell}: missing from the published layer")
            continue
        shown = seen[cell]
        if math.isnan(shown):
            audit.withheld += 1
        elif 0 < shown < threshold:
            audit.problems.append(f"{cell}: a count below {threshold} is published")
        elif shown != true:
            audit.problems.append(f"{cell}: published count differs from the true count")


def _check_ranges(audit: Audit, truth: CellSet, seen: Mapping, threshold: int) -> None:
    withheld = {c for c, v in seen.items() if math.isnan(v) and c in truth.values}
    known = {**truth.values, **{c: v for c, v in seen.items() if not math.isnan(v)}}
    result = Suppression(primary=withheld, hidden=set(truth.hidden))
    failures: list[str] = []
    ranges = feasible_ranges(known, truth.relations, result, failures)
    audit.problems += [f"ranges of withheld cells not found: {f}" for f in failures]
    for cell, (low, high) in ranges.items():
        if math.isnan(low):
            continue  # its group's failure is a problem already
        audit.narrowest = min(audit.narrowest, high - low)
        if high - low < threshold:
            audit.problems.append(f"{cell}: can be narrowed to a range {high - low:g} wide")


def _not_null(frame: pd.DataFrame, columns) -> pd.Series:
    return frame[list(columns)].notna().any(axis=1)


def _check_rows(audit: Audit, published: Mapping[str, pd.DataFrame]) -> None:
    values = published["indicator_values"]
    leaked = values["suppressed"].astype(bool) & _not_null(values, VALUE_COLUMNS)
    for row in values[leaked].itertuples():
        audit.problems.append(
            f"{row.indicator_id} {row.area_code} {row.breakdown}={row.category}: "
            "suppressed but its value or limits are published"
        )
    _check_comparisons(audit, values, published["indicator_comparisons"])
    for name in ("adversity_distribution", "prevalence_summary"):
        frame = published[name]
        shown = frame["suppressed"].astype(bool) & _not_null(frame, ["share_pct", "lower_pct"])
        if shown.any():
            audit.problems.append(f"{name}: {int(shown.sum())} suppressed rows show a share")
    flows = published.get(schema.published_involvement_flows.name)
    if flows is not None:
        shown = flows["suppressed"].astype(bool) & flows["children"].notna()
        if shown.any():
            audit.problems.append(
                f"involvement_flows: {int(shown.sum())} suppressed rows show a count"
            )
    cohorts = published.get(schema.published_cohort_incidence.name)
    if cohorts is not None:
        _check_cohorts(audit, cohorts)


def _check_cohorts(audit: Audit, cohorts: pd.DataFrame) -> None:
    """No cohort incidence shown where a count of its row or of an earlier interval of its
    group is withheld (``tables.published_cohorts``)."""
    group = ["period", "entry", "entry_period", "area_code", "outcome", "imd_quintile"]
    ordered = cohorts.sort_values([*group, "months_from"])
    missing = ordered[list(COHORT_MEASURES)].isna().any(axis=1)
    withheld = missing.groupby([ordered[c] for c in group], sort=False).cummax()
    shown = _not_null(ordered, INCIDENCE_COLUMNS) & withheld.astype(bool)
    if shown.any():
        audit.problems.append(
            f"cohort_incidence: {int(shown.sum())} rows show an incidence made from a withheld "
            "count"
        )


def _check_comparisons(audit: Audit, values: pd.DataFrame, comparisons: pd.DataFrame) -> None:
    """A comparison shows no value where the area's headline value is withheld."""
    headline = values[(values["breakdown"] == "total") & values["suppressed"].astype(bool)]
    withheld = set(zip(headline["indicator_id"], headline["area_code"], strict=True))
    keys = zip(comparisons["indicator_id"], comparisons["area_code"], strict=True)
    shown = comparisons[["value", "lower_ci_95", "upper_ci_95"]].notna().any(axis=1)
    for key, is_shown in zip(keys, shown, strict=True):
        if is_shown and key in withheld:
            audit.problems.append(f"{key}: comparison shows a withheld value")


def _withheld_categories(values: pd.DataFrame, breakdown: str, categories) -> set:
    rows = values[(values["breakdown"] == breakdown) & values["category"].isin(categories)]
    rows = rows[rows["suppressed"].astype(bool)]
    return set(zip(rows["indicator_id"], rows["area_code"], strict=True))


def _check_inequality(
    audit: Audit,
    published: Mapping[str, pd.DataFrame],
    baseline: Mapping[str, pd.DataFrame] | None,
) -> None:
    values = published["indicator_values"]
    deciles = _withheld_categories(values, "imd_decile", [str(d) for d in range(1, 11)])
    extremes = _withheld_categories(values, "imd_quintile", ["1", "5"])
    before = set()
    if baseline is not None:
        before = _withheld_categories(baseline["indicator_values"], "imd_quintile", ["1", "5"])
    rules = (
        (SII_COLUMNS, deciles, "SII/RII published though a decile is withheld"),
        (GAP_COLUMNS, extremes, "quintile gap published though quintile 1 or 5 is withheld"),
        (CHANGE_COLUMNS, extremes | before, "change published though its quintiles are withheld"),
    )
    inequality = published["inequality_summary"]
    keys = list(zip(inequality["indicator_id"], inequality["area_code"], strict=True))
    for columns, withheld, problem in rules:
        shown = _not_null(inequality, columns)
        for key, is_shown in zip(keys, shown, strict=True):
            if is_shown and key in withheld:
                audit.problems.append(f"{key}: {problem}")
