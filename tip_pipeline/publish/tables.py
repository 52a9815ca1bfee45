"""The published tables of one year: the restricted rows in scope, with every suppressed count
and every figure derived from one withheld (docs/CONVENTIONS.md: "a figure derived from a
suppressed cell is suppressed too").

What each published figure is derived from:

- an indicator value and its limits: its numerator (and denominator where that is a count);
  the benchmark comparison of a withheld value is "not compared";
- a comparison row: the compared area's headline value, and for a ward its LA's;
- an inequality row: SII and RII from every decile; quintile gap and ratio from quintiles 1
  and 5; "poorest fastest" from quintiles 1 and 5 of this year and of the baseline year;
- an adversity, prevalence or involvement-flow row: its own count;
- a cohort row: its own three counts; its Kaplan-Meier incidence and limits every count of
  its own and of the earlier intervals of the same cohort, outcome and quintile (the estimate
  before an interval's end is made from the follow-up up to it).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import pandas as pd

from tip_pipeline.publish.cells import (
    COHORT_KEYS,
    COHORT_MEASURES,
    COUNTED_DENOMINATORS,
    cohort_cell,
    flow_cell,
    headline_cell,
    in_scope,
    indicator_cell,
    measures_of,
)
from tip_pipeline.publish.suppression import Cell

NOT_COMPARED = "not compared"
VALUE_COLUMNS = ("value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")
SII_COLUMNS = (
    "sii",
    "lower_sii_95",
    "upper_sii_95",
    "rii",
    "lower_rii_95",
    "upper_rii_95",
    "sii_intercept",
    "rii_note",
    "gradient",
    "statement",
)
GAP_COLUMNS = (
    "most_deprived_value",
    "least_deprived_value",
    "gap",
    "lower_gap_95",
    "upper_gap_95",
    "ratio",
)
CHANGE_COLUMNS = (
    "change_most_deprived",
    "change_least_deprived",
    "poorest_fastest",
    "lower_poorest_fastest_95",
    "upper_poorest_fastest_95",
    "poorest_fastest_p",
    "poorest_fastest_statement",
)

#: is this cell withheld?
Withheld = Callable[[Cell], bool]
#: the quintiles the gap, the ratio and the change since the baseline year are made from
EXTREME_QUINTILES = (1, 5)


def withheld_in(suppressed: Collection[Cell]) -> Withheld:
    return lambda cell: cell in suppressed


def _blank(frame: pd.DataFrame, rows: pd.Series, columns: Collection[str]) -> pd.DataFrame:
    """``columns`` set to missing on ``rows`` (object columns so text and numbers both hold)."""
    out = frame.copy()
    for column in columns:
        if rows.any():
            out[column] = out[column].astype(object).where(~rows, None)
    return out


def _per_row(frame: pd.DataFrame, columns: list[str], test: Callable[..., bool]) -> pd.Series:
    """``test(*row[columns])`` for every row, as a boolean Series on the frame's index."""
    results = [test(*values) for values in zip(*(frame[c] for c in columns), strict=True)]
    return pd.Series(results, index=frame.index, dtype=bool)


def _cell_withheld(withheld: Withheld, measure: str) -> Callable[..., bool]:
    return lambda i, a, b, c: withheld(indicator_cell(i, a, b, c, measure))


def _headline_withheld(withheld: Withheld) -> Callable[..., bool]:
    """Whether an (indicator, area)'s headline value is withheld: its numerator, or its
    denominator where that is a count."""
    return lambda i, a: any(withheld(headline_cell(i, a, m)) for m in measures_of(i))


def _any_withheld(
    withheld: Withheld, breakdown: str, categories: Collection[object]
) -> Callable[..., bool]:
    """Whether any of an (indicator, area)'s ``categories`` of ``breakdown`` is withheld."""
    return lambda i, a: any(
        withheld(indicator_cell(i, a, breakdown, c, m)) for c in categories for m in measures_of(i)
    )


KEY_COLUMNS = ["indicator_id", "area_code", "breakdown", "category"]
AREA_COLUMNS = ["indicator_id", "area_code"]


def published_indicator_values(values: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    """Rows in scope; withheld counts, values and limits NULL; ``suppressed`` set."""
    rows = values[in_scope(values)].copy()
    numerator = _per_row(rows, KEY_COLUMNS, _cell_withheld(withheld, "numerator"))
    counted = rows["indicator_id"].isin(COUNTED_DENOMINATORS)
    denominator = _per_row(rows, KEY_COLUMNS, _cell_withheld(withheld, "denominator")) & counted
    suppressed = numerator | denominator
    rows = _blank(rows, numerator, ["numerator"])
    rows = _blank(rows, denominator, ["denominator"])
    rows = _blank(rows, suppressed, VALUE_COLUMNS)
    rows.loc[suppressed, "compared_to_benchmark"] = NOT_COMPARED
    return rows.assign(suppressed=suppressed.to_numpy())


def published_comparisons(comparisons: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    """A comparison is withheld when the compared area's value is; a ward's comparator (its
    LA) is withheld when the LA's value is."""
    rows = comparisons.assign(comparator_code=comparisons["comparator_code"].fillna(""))
    own = _per_row(rows, AREA_COLUMNS, _headline_withheld(withheld))
    comparator = _per_row(rows, ["indicator_id", "comparator_code"], _headline_withheld(withheld))
    comparator &= rows["comparator_type"] == "la"
    rows = comparisons.copy()
    rows = _blank(rows, own, ["value", "lower_ci_95", "upper_ci_95"])
    rows = _blank(rows, comparator, ["comparator_value"])
    suppressed = own | comparator
    rows.loc[suppressed, "result"] = NOT_COMPARED
    return rows.assign(suppressed=suppressed.to_numpy())


def withheld_extremes(published_values: pd.DataFrame) -> set[tuple[str, str]]:
    """The (indicator, area) pairs whose quintile 1 or 5 a year's published indicator values
    withhold (``suppressed``): what the change since the baseline year is derived from in
    that year.

    Why from the published rows: they are what disclosure control decided for the baseline
    year when it was published, and what the disclosure audit checks the change against; a
    later year that computed the baseline's suppression again instead re-read its restricted
    rows and ran its disclosure control a second time (at england some 25 s a later year,
    issue #21). A row is suppressed exactly when one of its counts (``cells.measures_of``) is
    withheld (``published_indicator_values``), so the pairs are those a withheld cell gives."""
    rows = published_values[
        (published_values["breakdown"] == "imd_quintile")
        & published_values["category"].isin([str(q) for q in EXTREME_QUINTILES])
        & published_values["suppressed"].astype(bool)
    ]
    return set(zip(rows["indicator_id"], rows["area_code"], strict=True))


def published_inequality(
    inequality: pd.DataFrame, withheld: Withheld, baseline_withheld: Collection[tuple[str, str]]
) -> pd.DataFrame:
    """SII/RII withheld if any decile is; gap and ratio if quintile 1 or 5 is; the change
    since baseline if quintile 1 or 5 is, this year or in the baseline year
    (``baseline_withheld``: the baseline year's ``withheld_extremes``)."""
    rows = inequality.copy()
    sii = _per_row(rows, AREA_COLUMNS, _any_withheld(withheld, "imd_decile", range(1, 11)))
    gap = _per_row(rows, AREA_COLUMNS, _any_withheld(withheld, "imd_quintile", EXTREME_QUINTILES))
    then = _per_row(rows, AREA_COLUMNS, lambda i, a: (i, a) in baseline_withheld)
    change = gap | then
    rows = _blank(rows, sii, SII_COLUMNS)
    rows = _blank(rows, gap, GAP_COLUMNS)
    rows = _blank(rows, change, CHANGE_COLUMNS)
    return rows.assign(suppressed=(sii | gap | change).to_numpy())


def _own_count(frame: pd.DataFrame, flags: pd.Series) -> pd.DataFrame:
    """A row withheld with its count, share and limits."""
    rows = _blank(frame, flags, ["children", "share_pct", "lower_pct", "upper_pct"])
    return rows.assign(suppressed=flags.to_numpy())


def published_adversity(adversity: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    flags = _per_row(adversity, ["area_code", "domains"], lambda a, d: withheld(("adv", a, str(d))))
    return _own_count(adversity, flags)


def published_prevalence(prevalence: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    """Recorded rows are counts; modelled rows are expected numbers from public rates and
    populations, never withheld."""
    flags = _per_row(
        prevalence,
        ["area_code", "measure", "basis"],
        lambda a, m, basis: basis == "recorded" and withheld(("prev", a, m)),
    )
    return _own_count(prevalence, flags)


def published_flows(flows: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    """The year's involvement flows, each withheld count NULL and ``suppressed`` set."""
    flags = _per_row(
        flows,
        ["period", "area_code", "from_level", "to_level"],
        lambda p, a, f, t: withheld(flow_cell(p, a, f, t)),
    )
    rows = _blank(flows, flags, ["children"])
    return rows.assign(suppressed=flags.to_numpy())


#: a cohort row's figures derived from its counts and the earlier intervals'
INCIDENCE_COLUMNS = ("incidence_pct", "lower_ci_95", "upper_ci_95")


def published_cohorts(cohorts: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    """The year's cohort rows: each withheld count NULL; the incidence and its limits NULL
    where any count of the row or of an earlier interval of the same group is withheld;
    ``suppressed`` set where anything of the row is withheld."""
    rows = cohorts.copy()
    flags = {
        m: _per_row(rows, list(COHORT_KEYS), lambda *key, m=m: withheld(cohort_cell(*key, m)))
        for m in COHORT_MEASURES
    }
    own = flags["at_risk"] | flags["events"] | flags["censored"]
    group = ["period", "entry", "entry_period", "area_code", "outcome", "imd_quintile"]
    ordered = rows.assign(_own=own).sort_values([*group, "months_from"])
    derived = ordered.groupby(group, sort=False)["_own"].cummax().reindex(rows.index)
    derived = derived.astype(bool)
    for measure, flag in flags.items():
        rows = _blank(rows, flag, [measure])
    rows = _blank(rows, derived, INCIDENCE_COLUMNS)
    return rows.assign(suppressed=(own | derived).to_numpy())
