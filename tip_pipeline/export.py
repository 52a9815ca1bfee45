"""``tip export``: the published indicator values in the OHID Fingertips bulk-download layout.

Analysts' existing tools (spreadsheets, R scripts written for ``fingertipsR``, Power BI
models) read Fingertips' "all data" CSV. This writes ``published.indicator_values`` in that
layout, as CSV (UTF-8), Parquet or Excel (one sheet), so those tools read the warehouse's
figures unchanged. Only the published (disclosure-controlled) layer is read.

The headings and their order are Fingertips' own (``HEADINGS``), as written by the Fingertips
export code (``CsvBuilderIndicatorDataHeaderWriter`` in PHE's fingertips-open) with the
"Time period range" column that current downloads end with; the sub-national comparison
column takes Fingertips' national-parent heading, "Compared to percentiles". How our columns
map onto them:

- Parent Code / Parent Name: the area's parent in ``published.dim_area`` (ward -> LA ->
  region -> England); empty for England.
- Area Type: Fingertips' names for our area types (``AREA_TYPE_NAMES``).
- Sex: ``Persons`` except for the sex breakdown (``Male``, ``Female``, ``Not known``).
- Age: the age band of the age_band breakdown (``0-4 yrs``), otherwise the indicator's ages
  from ``dim_indicator`` (``0-17 yrs``; ``All ages`` when it is not by age).
- Category Type / Category: the IMD decile and quintile and ethnic-group breakdowns, with
  Fingertips' wording for deciles (``Most deprived decile (IMD2025)``; quintiles in the same
  style, ``Second most deprived quintile``); empty for totals and the sex and age breakdowns.
- Value, limits, Count, Denominator: as published. A suppressed row keeps its place with
  Value, limits and Count empty and the Value note "Value suppressed for disclosure control".
- Compared to England value or percentiles: the benchmark comparison of rows benchmarked
  against England (LAs, regions), in Fingertips' words: Better / Worse for indicators with a
  polarity, Higher / Lower for those without, Similar, Not compared. Rows benchmarked against
  something else (a ward against its LA, a category against its area's total) leave it empty;
  those comparisons are in ``published.ward_profile`` and ``indicator_values``.
- Time period: ``2023/24``; Time period Sortable: ``20230000`` (start year x 10,000, as
  Fingertips sorts financial years); Time period range: ``1y``.
- Recent Trend: from ``published.indicator_trends`` (``tip_pipeline.publish.trends``), in
  Fingertips' words: "Increasing and getting worse", "Decreasing and getting better" (and the
  like) for an indicator with a polarity, "Increasing" / "Decreasing" for one without, "No
  significant change", and "Cannot be calculated" where it cannot be, with the reason in the
  Value note ("Recent trend cannot be calculated: a value in the window is suppressed",
  "...: fewer than five annual points: ..."). Headline rows (area totals) only; the breakdown
  categories' rows leave it empty (no trend is computed for them).
- Compared to percentiles: a local authority's total only, from ``published.la_benchmarking``
  (``tip_pipeline.publish.benchmarking``, its own benchmarking view): its quintile among
  England's authorities in Fingertips' words (Best / Better / Middle / Worse / Worst with a
  polarity, Lowest / Low / Middle / High / Highest without; "Not compared" where fewer than
  five authorities have a value, the Value note saying the benchmark file lacks them). Empty
  with the reason in the Value note elsewhere ("Compared to percentiles: ..."): not a local
  authority's total, no published benchmark for the indicator, or the value suppressed (the
  suppression note says so).
- Compared to goal: from ``published.indicator_goals`` (``tip_pipeline.publish.goals``), in
  Fingertips' words, "Better", "Similar" or "Worse", for every row of an indicator with a goal
  declared in the catalogue (``dim_indicator.goal_*``, with its source); empty elsewhere, with
  the reason in the Value note ("Not compared to goal: no goal declared", "...: value
  suppressed for disclosure control").
- New data: empty (not computed).

CSV and Excel output neutralise any text cell a spreadsheet would run as a formula (a
leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a ``'``;
tip_pipeline.spreadsheet_safe); Parquet keeps values as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import Engine, exc, text

from tip_pipeline.atomic import written_whole
from tip_pipeline.errors import ValueFreeError
from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators.goals import NO_GOAL
from tip_pipeline.periods import FinancialYear
from tip_pipeline.spreadsheet_safe import neutralise_frame
from tip_pipeline.warehouse.engine import make_engine, redact_url, require_existing
from tip_pipeline.warehouse.layers import PUBLISHED

HEADINGS: Final[tuple[str, ...]] = (
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Compared to percentiles",
    "Time period Sortable",
    "New data",
    "Compared to goal",
    "Time period range",
)

FORMATS: Final = ("csv", "parquet", "xlsx")
SUPPRESSED_NOTE: Final = "Value suppressed for disclosure control"
#: Fingertips' "Recent Trend" where it cannot be computed; the reason follows in the Value note
TREND_CANNOT: Final = "Cannot be calculated"
TREND_NOTE_PREFIX: Final = "Recent trend cannot be calculated: "
PERCENTILES_NOTE_PREFIX: Final = "Compared to percentiles: "
#: why "Compared to percentiles" is empty or not compared, after PERCENTILES_NOTE_PREFIX
NOT_LA_TOTAL: Final = "for a local authority's total only"
NO_BENCHMARK: Final = "no published benchmark of England's authorities for this indicator"
TOO_FEW: Final = "the benchmark file lacks authorities (fewer than five with a value)"
NOT_COMPARED: Final = "Not compared"
ENGLAND_CODE: Final = "E92000001"
IMD_VINTAGE: Final = "IMD2025"
#: why "Compared to goal" is empty, before the reason, in the Value note
GOAL_NOTE_PREFIX: Final = "Not compared to goal: "
#: a goal declared after the year was published: its values were not compared then
GOAL_AFTER_PUBLISHING: Final = (
    "the goal was declared after the year was published (publish it again)"
)
#: Excel's row limit, heading row included
XLSX_MAX_ROWS: Final = 1_048_576

AREA_TYPE_NAMES: Final = {
    "country": "England",
    "region": "Regions (statistical)",
    "la": "Counties & UAs (from Apr 2023)",
    "ward": "Wards (2024)",
    "lsoa": "LSOAs (2021)",
}
_AREA_ORDER: Final = {t: i for i, t in enumerate(("country", "region", "la", "ward", "lsoa"))}
_BREAKDOWN_ORDER: Final = {
    b: i
    for i, b in enumerate(
        ("total", "sex", "age_band", "imd_decile", "imd_quintile", "ethnic_group")
    )
}
SEX_NAMES: Final = {"M": "Male", "F": "Female", "U": "Not known"}

_DECILES: Final = (
    "Most deprived decile",
    "Second most deprived decile",
    "Third more deprived decile",
    "Fourth more deprived decile",
    "Fifth more deprived decile",
    "Fifth less deprived decile",
    "Fourth less deprived decile",
    "Third less deprived decile",
    "Second least deprived decile",
    "Least deprived decile",
)
_QUINTILES: Final = (
    "Most deprived quintile",
    "Second most deprived quintile",
    "Middle quintile",
    "Second least deprived quintile",
    "Least deprived quintile",
)
#: the deprivation category of children of unknown home area (``tip_pipeline.home_area``)
UNKNOWN_AREA_CATEGORY: Final = "Unknown home area"
CATEGORY_TYPES: Final = {
    "imd_decile": f"LSOA21 deprivation deciles in England ({IMD_VINTAGE})",
    "imd_quintile": f"LSOA21 deprivation quintiles in England ({IMD_VINTAGE})",
    "ethnic_group": "Ethnic groups",
}

_QUERY: Final = f"""
SELECT v.indicator_id, v.indicator_name, v.period, v.area_type, v.area_code,
       COALESCE(v.area_name, a.area_name) AS area_name,
       a.parent_code, p.area_name AS parent_name,
       v.breakdown, v.category, v.numerator, v.denominator, v.value,
       v.lower_ci_95, v.upper_ci_95, v.lower_ci_99_8, v.upper_ci_99_8,
       v.compared_to_benchmark, v.benchmark_area_code, v.suppressed,
       i.age_min, i.age_max, i.polarity, i.goal_value,
       t.recent_trend, t.note AS trend_note,
       b.compared_to_percentiles, i.benchmark_measure,
       g.compared_to_goal, g.note AS goal_note
FROM {PUBLISHED}.indicator_values AS v
LEFT JOIN {PUBLISHED}.dim_area AS a ON a.area_code = v.area_code
LEFT JOIN {PUBLISHED}.dim_area AS p ON p.area_code = a.parent_code
LEFT JOIN {PUBLISHED}.dim_indicator AS i ON i.indicator_id = v.indicator_id
LEFT JOIN {PUBLISHED}.indicator_trends AS t
  ON t.indicator_id = v.indicator_id AND t.period = v.period AND t.area_code = v.area_code
  AND t.breakdown = v.breakdown AND t.category = v.category
LEFT JOIN {PUBLISHED}.la_benchmarking AS b
  ON b.indicator_id = v.indicator_id AND b.period = v.period AND b.la_code = v.area_code
  AND b.area_code = v.area_code AND v.area_type = 'la' AND v.breakdown = 'total'
LEFT JOIN {PUBLISHED}.indicator_goals AS g
  ON g.indicator_id = v.indicator_id AND g.period = v.period AND g.area_code = v.area_code
  AND g.breakdown = v.breakdown AND g.category = v.category
"""


class ExportError(ValueFreeError):
    """Why nothing was exported, in one sentence for the command line."""


def published_values(engine: Engine) -> pd.DataFrame:
    """The published indicator values joined to their areas, parents and indicators."""
    try:
        with engine.connect() as conn:
            result = conn.execute(text(_QUERY))
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    except exc.DBAPIError as err:
        raise ExportError(
            f"cannot read {PUBLISHED}.indicator_values from the warehouse "
            f"({type(err.orig).__name__}): is it migrated and published (tip run)?"
        ) from err


def fingertips_frame(values: pd.DataFrame) -> pd.DataFrame:
    """``published_values`` in the Fingertips layout: ``HEADINGS``, one row per value."""
    v = values.assign(
        _area=values["area_type"].map(_AREA_ORDER),
        _breakdown=values["breakdown"].map(_BREAKDOWN_ORDER),
        _category=[
            _category_key(b, c)
            for b, c in zip(values["breakdown"], values["category"], strict=True)
        ],
    ).sort_values(
        ["indicator_id", "period", "_area", "area_code", "_breakdown", "_category"],
        kind="stable",
    )
    v = v.reset_index(drop=True)
    suppressed = v["suppressed"].astype(bool).to_numpy()
    breakdown = v["breakdown"]
    start_year = v["period"].map(lambda p: FinancialYear.parse(p).start_year)
    empty = pd.Series([None] * len(v), dtype=object)

    def numbers(name: str) -> pd.Series:
        return v[name].astype("Float64").mask(suppressed)

    frame = pd.DataFrame(
        {
            "Indicator ID": v["indicator_id"],
            "Indicator Name": v["indicator_name"],
            "Parent Code": v["parent_code"],
            "Parent Name": v["parent_name"],
            "Area Code": v["area_code"],
            "Area Name": v["area_name"],
            "Area Type": v["area_type"].map(AREA_TYPE_NAMES).fillna(v["area_type"]),
            "Sex": _sex(breakdown, v["category"]),
            "Age": _age(breakdown, v["category"], v["age_min"], v["age_max"]),
            "Category Type": breakdown.map(CATEGORY_TYPES),
            "Category": _category(breakdown, v["category"]),
            "Time period": v["period"],
            "Value": numbers("value"),
            "Lower CI 95.0 limit": numbers("lower_ci_95"),
            "Upper CI 95.0 limit": numbers("upper_ci_95"),
            "Lower CI 99.8 limit": numbers("lower_ci_99_8"),
            "Upper CI 99.8 limit": numbers("upper_ci_99_8"),
            "Count": v["numerator"].astype("Int64").mask(suppressed),
            "Denominator": v["denominator"].astype("Int64"),
            "Value note": _value_note(
                suppressed,
                v["recent_trend"],
                v["trend_note"],
                _percentiles_reason(v),
                _goal_why(v),
            ),
            "Recent Trend": v["recent_trend"].astype(object),
            "Compared to England value or percentiles": _compared_to_england(v),
            "Compared to percentiles": v["compared_to_percentiles"].astype(object),
            "Time period Sortable": (start_year * 10_000).astype("int64"),
            "New data": empty,
            "Compared to goal": v["compared_to_goal"].astype(object),
            "Time period range": "1y",
        },
        columns=list(HEADINGS),
    )
    for heading in _TEXT_HEADINGS:  # text columns: strings or None, never NaN
        column = frame[heading].astype(object)
        frame[heading] = column.where(column.notna(), None)
    return frame


#: the headings holding numbers (value, limits, count, denominator, sortable period)
_NUMBER_HEADINGS: Final = frozenset(
    h for h in HEADINGS if h in ("Value", "Count", "Denominator", "Time period Sortable")
) | frozenset(h for h in HEADINGS if " CI " in h)
_TEXT_HEADINGS: Final = tuple(h for h in HEADINGS if h not in _NUMBER_HEADINGS)


def _category_key(breakdown: str, category: str) -> str:
    """Categories in their natural order: deciles 1..10, Male before Female, ages rising."""
    if breakdown in ("imd_decile", "imd_quintile"):
        return f"{int(category):03d}" if category.isdigit() else f"999{category}"
    if breakdown == "sex":
        return f"{list(SEX_NAMES).index(category) if category in SEX_NAMES else 9}{category}"
    if breakdown == "age_band":
        low = category.split("-")[0].rstrip("+")
        return f"{int(low):03d}" if low.isdigit() else category
    return category


def _sex(breakdown: pd.Series, category: pd.Series) -> pd.Series:
    return category.map(SEX_NAMES).fillna(category).where(breakdown == "sex", "Persons")


def _age(
    breakdown: pd.Series, category: pd.Series, age_min: pd.Series, age_max: pd.Series
) -> pd.Series:
    def ages(low: object, high: object) -> str:
        if pd.isna(low) or pd.isna(high):
            return "All ages"
        return f"{int(low)}-{int(high)} yrs"

    default = pd.Series([ages(lo, hi) for lo, hi in zip(age_min, age_max, strict=True)])
    return (category + " yrs").where(breakdown == "age_band", default)


def _category(breakdown: pd.Series, category: pd.Series) -> pd.Series:
    def one(kind: str, value: str) -> str | None:
        if kind in ("imd_decile", "imd_quintile") and value == UNKNOWN:
            return UNKNOWN_AREA_CATEGORY
        if kind == "imd_decile":
            return f"{_DECILES[int(value) - 1]} ({IMD_VINTAGE})"
        if kind == "imd_quintile":
            return f"{_QUINTILES[int(value) - 1]} ({IMD_VINTAGE})"
        if kind == "ethnic_group":
            return value
        return None

    return pd.Series([one(b, c) for b, c in zip(breakdown, category, strict=True)], dtype=object)


def _value_note(
    suppressed: np.ndarray,
    trend: pd.Series,
    reason: pd.Series,
    percentiles: pd.Series,
    goal_why: pd.Series,
) -> pd.Series:
    """The suppression note, why the recent trend cannot be calculated where it cannot, why
    "Compared to percentiles" is empty or not compared, and why the row is not compared with
    a goal where it is not."""

    def one(
        withheld: bool, label: object, why: object, quintile: object, not_goal: object
    ) -> str | None:
        notes = [SUPPRESSED_NOTE] if withheld else []
        if label == TREND_CANNOT and isinstance(why, str):
            notes.append(f"{TREND_NOTE_PREFIX}{why}")
        if isinstance(quintile, str):
            notes.append(f"{PERCENTILES_NOTE_PREFIX}{quintile}")
        if isinstance(not_goal, str):
            notes.append(f"{GOAL_NOTE_PREFIX}{not_goal}")
        return "; ".join(notes) or None

    rows = zip(suppressed, trend, reason, percentiles, goal_why, strict=True)
    return pd.Series([one(*row) for row in rows], dtype=object)


def _percentiles_reason(v: pd.DataFrame) -> pd.Series:
    """Why a row's "Compared to percentiles" is empty or "Not compared" (None where it is
    filled, or empty because the value is suppressed: the suppression note says so)."""

    def one(area_type: object, breakdown: object, measure: object, label: object,
            withheld: bool) -> str | None:  # fmt: skip
        if area_type != "la" or breakdown != "total":
            return NOT_LA_TOTAL
        if not isinstance(measure, str) or not measure:
            return NO_BENCHMARK
        if label == NOT_COMPARED:
            return TOO_FEW
        return None

    columns = ("area_type", "breakdown", "benchmark_measure", "compared_to_percentiles")
    rows = zip(*(v[c] for c in columns), v["suppressed"].astype(bool), strict=True)
    return pd.Series([one(*row) for row in rows], dtype=object)


def _goal_why(v: pd.DataFrame) -> pd.Series:
    """Why a row has no "Compared to goal": no goal declared, the comparison's own reason
    (a suppressed value, no value), or a goal declared after its year was published; None
    where it is compared."""

    def one(goal: object, compared: object, note: object) -> str | None:
        if isinstance(compared, str):
            return None
        if pd.isna(goal):
            return NO_GOAL
        return note if isinstance(note, str) else GOAL_AFTER_PUBLISHING

    rows = zip(v["goal_value"], v["compared_to_goal"], v["goal_note"], strict=True)
    return pd.Series([one(*row) for row in rows], dtype=object)


def _compared_to_england(v: pd.DataFrame) -> pd.Series:
    """Fingertips' wording, for rows whose benchmark is England."""

    def one(result: object, benchmark: object, polarity: object) -> str | None:
        if benchmark != ENGLAND_CODE or not isinstance(result, str):
            return None
        if result == "similar":
            return "Similar"
        if result in ("higher", "lower"):
            if polarity in ("higher is worse", "higher is better"):
                worse = "higher" if polarity == "higher is worse" else "lower"
                return "Worse" if result == worse else "Better"
            return result.capitalize()
        return "Not compared"

    return pd.Series(
        [
            one(r, b, p)
            for r, b, p in zip(
                v["compared_to_benchmark"], v["benchmark_area_code"], v["polarity"], strict=True
            )
        ],
        dtype=object,
    )


def write(frame: pd.DataFrame, fmt: str, out: Path) -> None:
    """Write ``frame`` as ``fmt`` (csv, parquet or xlsx) to ``out``, whole (``atomic``)."""
    with written_whole(out) as temporary:
        _write_format(frame, fmt, temporary)


def _write_format(frame: pd.DataFrame, fmt: str, out: Path) -> None:
    if fmt in ("csv", "xlsx"):  # read by spreadsheets: no text cell may run as a formula
        frame = neutralise_frame(frame)
    if fmt == "csv":
        frame.to_csv(out, index=False, encoding="utf-8")
    elif fmt == "parquet":
        frame.to_parquet(out, index=False, engine="pyarrow")
    elif fmt == "xlsx":
        if len(frame) + 1 > XLSX_MAX_ROWS:
            raise ExportError(
                f"{len(frame):,} rows do not fit on one Excel sheet: use --format csv or parquet"
            )
        frame.to_excel(out, index=False, sheet_name="Indicator data", engine="openpyxl")
    else:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def export(url: str, fmt: str, out: Path | str) -> int:
    """Export the published indicator values of the warehouse at ``url``; the rows written."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    require_existing(url)
    engine = make_engine(url)
    try:
        values = published_values(engine)
    finally:
        engine.dispose()
    if values.empty:
        raise ExportError(
            f"the published layer of {redact_url(url)} is empty: nothing to export "
            "(publish a year first: tip run)"
        )
    frame = fingertips_frame(values)
    write(frame, fmt, Path(out))
    return len(frame)


def format_from(out: Path | str, fmt: str | None) -> str:
    """The format asked for, else the output file's suffix (``.csv`` -> csv)."""
    return fmt if fmt else Path(out).suffix.lstrip(".").lower()


__all__: Sequence[str] = (
    "FORMATS",
    "HEADINGS",
    "ExportError",
    "export",
    "fingertips_frame",
    "format_from",
    "published_values",
    "write",
)
