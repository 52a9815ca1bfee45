"""The published tables of one year: the restricted rows in scope, with every suppressed count
and every figure derived from one withheld (CONVENTIONS.md: "a figure derived from a
suppressed cell is suppressed too").

What each published figure is derived from:

- an indicator value and its limits: its numerator (and denominator where that is a count);
  the benchmark comparison of a withheld value is "not compared";
- a comparison row: the compared area's headline value, and for a ward its LA's;
- an inequality row: SII and RII from every decile; quintile gap and ratio from quintiles 1
  and 5; "poorest fastest" from quintiles 1 and 5 of this year and of the baseline year;
- an adversity or prevalence row: its own count.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np
import pandas as pd

from tip_pipeline.publish.cells import COUNTED_DENOMINATORS, TOTAL, in_scope
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


def withheld_in(suppressed: Collection[Cell]) -> Withheld:
    return lambda cell: cell in suppressed


def _blank(frame: pd.DataFrame, rows: pd.Series, columns: Collection[str]) -> pd.DataFrame:
    """``columns`` set to missing on ``rows`` (object columns so text and numbers both hold)."""
    out = frame.copy()
    for column in columns:
        if rows.any():
            out[column] = out[column].astype(object).where(~rows, None)
    return out


def _indicator_cell(indicator: str, area: str, breakdown: str, category: object, measure: str):
    return ("iv", indicator, area, breakdown, str(category), measure)


def _row_flags(frame: pd.DataFrame, withheld: Withheld, measure: str) -> pd.Series:
    return pd.Series(
        [
            withheld(_indicator_cell(i, a, b, c, measure))
            for i, a, b, c in zip(
                frame["indicator_id"],
                frame["area_code"],
                frame["breakdown"],
                frame["category"],
                strict=True,
            )
        ],
        index=frame.index,
        dtype=bool,
    )


def published_indicator_values(values: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    """Rows in scope; withheld counts, values and limits NULL; ``suppressed`` set."""
    rows = values[in_scope(values)].copy()
    numerator = _row_flags(rows, withheld, "numerator")
    denominator = _row_flags(rows, withheld, "denominator") & rows["indicator_id"].isin(
        COUNTED_DENOMINATORS
    )
    suppressed = numerator | denominator
    rows = _blank(rows, numerator, ["numerator"])
    rows = _blank(rows, denominator, ["denominator"])
    rows = _blank(rows, suppressed, VALUE_COLUMNS)
    rows.loc[suppressed, "compared_to_benchmark"] = NOT_COMPARED
    return rows.assign(suppressed=suppressed.to_numpy())


def _headline_withheld(indicators: pd.Series, areas: pd.Series, withheld: Withheld) -> np.ndarray:
    """Whether each (indicator, area)'s headline value is withheld (numerator or counted
    denominator)."""
    return np.array(
        [
            any(withheld(_indicator_cell(i, a, *TOTAL, m)) for m in ("numerator", "denominator"))
            for i, a in zip(indicators, areas, strict=True)
        ],
        dtype=bool,
    )


def published_comparisons(comparisons: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    """A comparison is withheld when the compared area's value is; a ward's comparator (its
    LA) is withheld when the LA's value is."""
    rows = comparisons.copy()
    own = pd.Series(
        _headline_withheld(rows["indicator_id"], rows["area_code"], withheld), index=rows.index
    )
    is_la = rows["comparator_type"] == "la"
    comparator = (
        pd.Series(
            _headline_withheld(rows["indicator_id"], rows["comparator_code"].fillna(""), withheld),
            index=rows.index,
        )
        & is_la
    )
    rows = _blank(rows, own, ["value", "lower_ci_95", "upper_ci_95"])
    rows = _blank(rows, comparator, ["comparator_value"])
    suppressed = own | comparator
    rows.loc[suppressed, "result"] = NOT_COMPARED
    return rows.assign(suppressed=suppressed.to_numpy())


def _any_withheld(
    indicator: str, area: str, breakdown: str, categories: Collection[object], withheld: Withheld
) -> bool:
    measures = ("numerator", "denominator")
    return any(
        withheld(_indicator_cell(indicator, area, breakdown, c, m))
        for c in categories
        for m in measures
    )


def published_inequality(
    inequality: pd.DataFrame, withheld: Withheld, baseline_withheld: Withheld
) -> pd.DataFrame:
    """SII/RII withheld if any decile is; gap and ratio if quintile 1 or 5 is; the change
    since baseline if quintile 1 or 5 is, this year or in the baseline year."""
    rows = inequality.copy()
    deciles = range(1, 11)
    extremes = (1, 5)
    sii = pd.Series(
        [
            _any_withheld(i, a, "imd_decile", deciles, withheld)
            for i, a in zip(rows["indicator_id"], rows["area_code"], strict=True)
        ],
        index=rows.index,
        dtype=bool,
    )
    gap = pd.Series(
        [
            _any_withheld(i, a, "imd_quintile", extremes, withheld)
            for i, a in zip(rows["indicator_id"], rows["area_code"], strict=True)
        ],
        index=rows.index,
        dtype=bool,
    )
    then = pd.Series(
        [
            _any_withheld(i, a, "imd_quintile", extremes, baseline_withheld)
            for i, a in zip(rows["indicator_id"], rows["area_code"], strict=True)
        ],
        index=rows.index,
        dtype=bool,
    )
    change = gap | then
    rows = _blank(rows, sii, SII_COLUMNS)
    rows = _blank(rows, gap, GAP_COLUMNS)
    rows = _blank(rows, change, CHANGE_COLUMNS)
    return rows.assign(suppressed=(sii | gap | change).to_numpy())


def published_adversity(adversity: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    rows = adversity.copy()
    flags = pd.Series(
        [
            withheld(("adv", a, str(d)))
            for a, d in zip(rows["area_code"], rows["domains"], strict=True)
        ],
        index=rows.index,
        dtype=bool,
    )
    rows = _blank(rows, flags, ["children", "share_pct", "lower_pct", "upper_pct"])
    return rows.assign(suppressed=flags.to_numpy())


def published_prevalence(prevalence: pd.DataFrame, withheld: Withheld) -> pd.DataFrame:
    rows = prevalence.copy()
    flags = pd.Series(
        [
            basis == "recorded" and withheld(("prev", a, m))
            for a, m, basis in zip(rows["area_code"], rows["measure"], rows["basis"], strict=True)
        ],
        index=rows.index,
        dtype=bool,
    )
    rows = _blank(rows, flags, ["children", "share_pct", "lower_pct", "upper_pct"])
    return rows.assign(suppressed=flags.to_numpy())
