"""``published.la_benchmarking``: benchmarking as DfE's Local Authority Interactive Tool (LAIT)
shows it, with Fingertips' England quintiles, from published values only.

For each catalogue indicator with a published benchmark (``Indicator.benchmark_measure``) and
each year, and for each authority this pipeline publishes (``la_code``, "the deploying LA"),
one row per English upper-tier authority:

- **its value**, published: for an authority this pipeline publishes, its own published value
  (``published.indicator_values``, after disclosure control: a suppressed value is NULL and
  says so, never replaced by the benchmark file's figure); for every other authority the value
  of the published benchmark file (``ref_benchmarks``, DfE's and OHID's national releases),
  NULL where the file has none. Its region is the ONS LA-to-region lookup's.
- **its statistical neighbour rank** (1-10) when it is one of ``la_code``'s ten neighbours
  (``ref_stat_neighbours``, DfE's children's services statistical neighbour benchmarking tool).
- **ranks**: among ``la_code`` and its ten neighbours (``neighbour_group_rank``) and among
  England's authorities (``england_rank``), over the authorities with a value; 1 = best by the
  indicator's polarity (lowest value first where higher is worse, highest first where higher
  is better) and, for an indicator without a polarity, 1 = the highest value, which is no
  judgement (``rank_order`` says which). Ties share the lowest rank (1, 2, 2, 4), as a league
  table ranks them.
- **LAIT's quartile band**: LAIT benchmarks an authority by its rank and position in England
  and bands it A to D by quarters of that ranking (DfE, *Local authority interactive tool
  (LAIT)*, gov.uk/government/publications/local-authority-interactive-tool-lait, and its user
  guide). Here: band ``ceil(4 * england_rank / england_ranked)``, A the quarter ranked first
  (the best quarter with a polarity, the highest values without). The tool's user guide could
  not be read through this project's searches, so the rule is stated here as implemented.
- **Fingertips' quintile among England's authorities** (its "Compared to percentiles" for
  counties and UAs against England): the bounds are the 20th, 40th, 60th and 80th percentiles
  of the authorities' values, linearly interpolated (position (n - 1) p + 1 in the sorted
  values), and a value falls in the first quintile whose upper bound it does not exceed; no
  quintile with fewer than five values (PHE's fingertips-open,
  ``PholioVisualisationWS/Analysis/ValueCategoriesCalculator.cs``, ``QuintilesCalculator.cs``,
  ``QuintilesComparer.cs``). The words are Fingertips' (DHSC's FingertipsNext,
  ``database/fingertips-db/StoredProcedures/GetIndicatorDataWithQuintileBenchmarkComparison.sql``):
  quintile 1 (the lowest values) is Best where low is good and Worst where high is good, then
  Better, Middle, Worse; without a polarity Lowest, Low, Middle, High, Highest; Not compared
  with fewer than five values.

Nothing here is computed from a restricted figure: the values are published ones, and the
ranks, bands and quintiles come from those values alone, so the table discloses nothing the
published values do not. The disclosure audit proves it (``audit_benchmarking``): the deploying
authorities' rows equal their published values (NULL where suppressed), the others equal the
benchmark file, and every derived column equals its recomputation from the table's own values.

Computed in the publish transaction (``store.publish_year``) from the published rows that
transaction sees, so it commits with its year and from the same run. At england scale that is
some 20 indicators x 153 views x 153 authorities: every view at once, not view by view (issue
#21): the England-wide columns depend only on the values, the same in every view, so they are
computed once per indicator; the neighbour columns of all views in one grouped pass. ``derive``
(``neighbour_columns`` and ``england_columns``, grouped by view) is the one definition of the
rules: the audit recomputes every view from that view's own values with it.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Final

import numpy as np
import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.catalogue import INDICATORS, Polarity, by_benchmark_measure
from tip_pipeline.indicators.store import read_through
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import connected

OWN: Final = "this pipeline"
BENCHMARK_FILE: Final = "ref_benchmarks"
LOCAL_AUTHORITY: Final = "Local authority"

SUPPRESSED: Final = "suppressed for disclosure control in this pipeline's published values"
NOT_PUBLISHED: Final = "no value published by this pipeline"
NOT_IN_FILE: Final = "not in the benchmark file"
NO_FILE_VALUE: Final = "no value in the benchmark file"

RANK_ORDERS: Final = {
    Polarity.HIGHER_IS_WORSE: "lowest value first (higher is worse)",
    Polarity.HIGHER_IS_BETTER: "highest value first (higher is better)",
}
NO_POLARITY_ORDER: Final = "highest value first (no polarity: not a judgement)"
BANDS: Final = ("A", "B", "C", "D")
#: fewer values than this give no quintile (fingertips-open's QuintilesComparer)
QUINTILE_MINIMUM: Final = 5
NOT_COMPARED: Final = "Not compared"
#: Fingertips' words for quintiles 1 (lowest values) to 5, by polarity (FingertipsNext)
QUINTILE_LABELS: Final = {
    Polarity.HIGHER_IS_WORSE: ("Best", "Better", "Middle", "Worse", "Worst"),
    Polarity.HIGHER_IS_BETTER: ("Worst", "Worse", "Middle", "Better", "Best"),
}
NO_POLARITY_LABELS: Final = ("Lowest", "Low", "Middle", "High", "Highest")

#: the columns derived from the values (ranks, bands, quintiles), which the audit recomputes
DERIVED: Final = (
    "neighbour_group_rank",
    "neighbour_group_ranked",
    "england_rank",
    "england_ranked",
    "quartile_band",
    "england_quintile",
    "compared_to_percentiles",
)


def rank_order(polarity: str | None) -> str:
    """What rank 1 means for an indicator of this polarity."""
    return RANK_ORDERS.get(polarity, NO_POLARITY_ORDER)  # type: ignore[arg-type]


def ranks(values: pd.Series, polarity: str | None, view: object = None) -> pd.Series:
    """League-table ranks of the values present (1 = best by polarity, 1 = highest without
    one); ties share the lowest rank; a missing value has none. With ``view`` (labels aligned
    with ``values``), each view is ranked on its own."""
    ascending = polarity == Polarity.HIGHER_IS_WORSE
    values = values.astype(float)
    if view is None:
        ranked = values.rank(method="min", ascending=ascending, na_option="keep")
    else:
        grouped = values.groupby(view, sort=False)
        ranked = grouped.rank(method="min", ascending=ascending, na_option="keep")
    return ranked.astype("Int64")


def quartile_bands(rank: pd.Series, ranked: pd.Series | int) -> np.ndarray:
    """LAIT's band of each rank: A for the first quarter of the ranking (``ceil(4 * rank /
    ranked)``), then B, C, D; None without a rank."""
    position = rank.to_numpy(dtype=float, na_value=np.nan)
    of = np.broadcast_to(np.asarray(ranked, dtype=float), position.shape)
    bands = np.full(position.shape, None, dtype=object)
    banded = ~np.isnan(position) & (of > 0)
    quarter = np.ceil(4 * position[banded] / of[banded]).astype(np.int64)
    bands[banded] = np.asarray(BANDS, dtype=object)[quarter - 1]
    return bands


#: the quintile bounds' columns: the minimum, the 20th to 80th percentiles and the maximum
BOUNDS: Final = ("lowest", "p20", "p40", "p60", "p80", "highest")


def quintile_bounds(values: pd.Series, view: object = None) -> pd.DataFrame:
    """Each view's minimum, 20th to 80th percentiles and maximum of the values present (columns
    ``BOUNDS``, one row per view label; one view, label 0, without ``view``); no row for a view
    with fewer than ``QUINTILE_MINIMUM`` values.

    Fingertips' percentile (``ValueCategoriesCalculator.CalculatePercentile``): linear between
    the sorted values at positions ``(n - 1) p + 1`` (1-based), the result rounded to 10
    decimals, or the last value where the position reaches it."""
    labels = np.zeros(len(values), dtype=np.int64) if view is None else view
    codes, names = pd.factorize(np.asarray(labels), sort=False)
    present = values.astype(float).to_numpy()
    kept = ~np.isnan(present)
    codes, present = codes[kept], present[kept]
    order = np.lexsort((present, codes))
    codes, present = codes[order], present[order]
    counts = np.bincount(codes, minlength=len(names))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    enough = np.flatnonzero(counts >= QUINTILE_MINIMUM)
    n, first = counts[enough], starts[enough]
    bounds = {"lowest": present[first]}
    for k in range(1, 5):
        bounds[f"p{20 * k}"] = _percentile(present, first, n, k / 5)
    bounds["highest"] = present[first + n - 1]
    return pd.DataFrame(bounds, index=pd.Index(names[enough]))


def percentile(sorted_values: np.ndarray, fraction: float) -> float:
    """Fingertips' percentile of sorted values: linear between the values at positions
    ``(n - 1) p + 1`` (1-based; ``ValueCategoriesCalculator.CalculatePercentile``), as each
    view's quintile bounds are computed (one view)."""
    one = np.asarray(sorted_values, dtype=float)
    return float(_percentile(one, np.array([0]), np.array([len(one)]), fraction)[0])


def _percentile(
    present: np.ndarray, first: np.ndarray, n: np.ndarray, fraction: float
) -> np.ndarray:
    """Fingertips' percentile of each view (sorted values ``present[first:first + n]``); the
    arithmetic as ``CalculatePercentile``'s, in doubles, each distinct result rounded once."""
    position = (n - 1) * fraction + 1
    k = position.astype(np.int64)
    beyond = k >= n
    low = present[first + np.minimum(k, n) - 1]
    high = present[first + np.minimum(k, n - 1)]
    raw = low + (position - k) * (high - low)
    distinct, where = np.unique(raw, return_inverse=True)
    rounded = np.array([round(float(x), 10) for x in distinct], dtype=float)[where.reshape(-1)]
    return np.where(beyond, present[first + n - 1], rounded)


def quintiles(values: pd.Series, bounds: pd.DataFrame) -> pd.Series:
    """Each value's quintile (1 = lowest values) by the bounds on its row: the first whose upper
    bound the value does not exceed; NA without a value or without bounds."""
    value = values.astype(float).to_numpy()
    quint = np.full(len(value), 5, dtype=np.int64)
    for k in range(4, 0, -1):
        quint = np.where(value <= bounds[f"p{20 * k}"].to_numpy(), k, quint)
    missing = np.isnan(value) | bounds["highest"].isna().to_numpy()
    return pd.Series(pd.arrays.IntegerArray(quint, missing), index=values.index)


def compared_to_percentiles(
    quint: pd.Series, polarity: str | None, enough: np.ndarray, present: np.ndarray
) -> np.ndarray:
    """Fingertips' words for each quintile; "Not compared" where the view has too few values
    (``enough`` false); None without a value (``present`` false)."""
    labels = np.asarray(
        QUINTILE_LABELS.get(polarity, NO_POLARITY_LABELS),  # type: ignore[arg-type]
        dtype=object,
    )
    words = np.full(len(quint), None, dtype=object)
    has = quint.notna().to_numpy()
    words[has] = labels[quint[has].to_numpy(dtype=np.int64) - 1]
    words[present & ~enough] = NOT_COMPARED
    return words


def time_period(period: str) -> int:
    """The benchmark file's ``time_period`` of a financial year: 2023/24 -> 202324."""
    year = FinancialYear.parse(period)
    return year.start_year * 100 + year.end_year % 100


def authority_values(
    own: pd.DataFrame, bench: pd.DataFrame, regions: pd.DataFrame, indicator_id: str
) -> pd.DataFrame:
    """Every authority's published value of one indicator and year: this pipeline's own
    headline (``own``: published LA rows) for the authorities it publishes, the benchmark
    file's (``bench``: its local-authority rows of the indicator's measure) for the rest."""
    mine = own[own["indicator_id"] == indicator_id]
    withheld = mine["suppressed"].astype(bool)
    ours = pd.DataFrame(
        {
            "area_code": mine["area_code"].to_numpy(),
            "area_name": mine["area_name"].to_numpy(),
            "value": mine["value"].astype(float).where(~withheld).to_numpy(),
            "value_source": OWN,
            "value_note": np.where(
                withheld, SUPPRESSED, np.where(mine["value"].isna(), NOT_PUBLISHED, None)
            ),
        }
    )
    file = bench[~bench["area_code"].isin(set(ours["area_code"]))]
    file = file.drop_duplicates("area_code")
    theirs = pd.DataFrame(
        {
            "area_code": file["area_code"].to_numpy(),
            "area_name": file["area_name"].to_numpy(),
            "value": pd.to_numeric(file["value"], errors="coerce").to_numpy(float),
            "value_source": BENCHMARK_FILE,
        }
    )
    theirs["value_note"] = np.where(theirs["value"].isna(), NO_FILE_VALUE, None)
    both = pd.concat([ours, theirs], ignore_index=True)
    region = regions.drop_duplicates("lad24cd").set_index("lad24cd")
    both["region_code"] = both["area_code"].map(region["rgn24cd"])
    both["region_name"] = both["area_code"].map(region["rgn24nm"])
    both["area_name"] = both["area_name"].fillna(both["area_code"].map(region["lad24nm"]))
    return both.sort_values("area_code", ignore_index=True)


def derive(frame: pd.DataFrame, polarity: str | None) -> pd.DataFrame:
    """The ranks, band and quintile of the rows of one indicator and year, each view (rows of
    one ``la_code``) from its own ``value``, ``neighbour_rank`` and ``la_code`` columns alone:
    the single definition the table is built by and the audit recomputes by."""
    out = frame.copy()
    neighbour = neighbour_columns(frame, polarity)
    england = england_columns(frame["value"], polarity, frame["la_code"].to_numpy())
    for part in (neighbour, england):
        for column in part.columns:
            out[column] = part[column]
    return out


def neighbour_columns(frame: pd.DataFrame, polarity: str | None) -> pd.DataFrame:
    """Each row's rank among its view's ``la_code`` and its neighbours with a value, and how
    many that is, for every view at once (the group: a neighbour rank, or ``la_code`` itself)."""
    value = frame["value"].astype(float)
    group = frame["neighbour_rank"].notna() | (frame["area_code"] == frame["la_code"])
    view = frame["la_code"].to_numpy()
    counted = (group & value.notna()).astype(np.int64)
    return pd.DataFrame(
        {
            "neighbour_group_rank": ranks(value.where(group), polarity, view),
            "neighbour_group_ranked": counted.groupby(view, sort=False).transform("sum"),
        },
        index=frame.index,
    )


def england_columns(values: pd.Series, polarity: str | None, view: object = None) -> pd.DataFrame:
    """Each row's England rank and how many are ranked, LAIT's band, Fingertips' quintile and
    words and the rank order, from the values of its view (all one view without ``view``)."""
    value = values.astype(float)
    labels = np.zeros(len(value), dtype=np.int64) if view is None else np.asarray(view)
    rank = ranks(value, polarity, labels)
    ranked = value.notna().astype(np.int64).groupby(labels, sort=False).transform("sum")
    bounds = quintile_bounds(value, labels).reindex(labels)
    bounds.index = value.index
    quint = quintiles(value, bounds)
    enough = bounds["highest"].notna().to_numpy()
    return pd.DataFrame(
        {
            "england_rank": rank,
            "england_ranked": ranked,
            "quartile_band": quartile_bands(rank, ranked.to_numpy()),
            "england_quintile": quint,
            "compared_to_percentiles": compared_to_percentiles(
                quint, polarity, enough, value.notna().to_numpy()
            ),
            "rank_order": rank_order(polarity),
        },
        index=value.index,
    )


def views(
    authorities: pd.DataFrame, la_codes: list[str], closeness: pd.Series, polarity: str | None
) -> pd.DataFrame:
    """Every ``la_code``'s view of the authorities of one indicator and year, by position: for
    each row of every view, which authority (``row``, its position in ``authorities``) and
    which LA's view (``la_code``), the authority's neighbour rank in that view and the
    neighbour columns (``neighbour_columns``, all views in one grouped pass, over positions
    rather than the codes' text). The England-wide columns are the same in every view: the
    caller computes them once (``england_columns``) and repeats them by ``row``."""
    n = len(authorities)
    each = np.tile(np.arange(n), len(la_codes))
    whose = np.repeat(np.arange(len(la_codes)), n)
    keys = pd.MultiIndex.from_product([la_codes, authorities["area_code"]])
    itself = pd.Index(authorities["area_code"]).get_indexer(la_codes)  # -1: not an authority
    positions = pd.DataFrame(
        {
            "value": authorities["value"].to_numpy(dtype=float)[each],
            "neighbour_rank": neighbour_ranks(keys, closeness),
            "area_code": each,
            "la_code": np.where(itself >= 0, itself, -1 - np.arange(len(la_codes)))[whose],
        }
    )
    neighbour = neighbour_columns(positions, polarity)
    return pd.concat(
        [
            pd.DataFrame({"row": each, "la_code": np.asarray(la_codes, dtype=object)[whose]}),
            positions[["neighbour_rank"]],
            neighbour,
        ],
        axis=1,
    )


def neighbour_ranks(keys: pd.MultiIndex, closeness: pd.Series) -> pd.Series:
    """Each (LA code, authority code)'s place (1 = most similar) among the LA's neighbours, NA
    if the authority is not one of them."""
    at = closeness.index.get_indexer(keys)
    place = np.append(closeness.to_numpy(dtype=np.int64), 0)[at]  # -1 (none): the 0 appended
    return pd.Series(pd.arrays.IntegerArray(place, at < 0))


def la_benchmarking(
    own: pd.DataFrame,
    bench: pd.DataFrame,
    regions: pd.DataFrame,
    neighbours: pd.DataFrame,
    period: str,
) -> pd.DataFrame:
    """The rows of ``published.la_benchmarking`` for ``period``: for each indicator, its
    authorities' values and England-wide columns once, every view's neighbour columns by
    position (``views``); the rows of all indicators then taken from those in one pass.

    ``own``: the year's published headline LA rows (indicator_id, area_code, area_name, value,
    suppressed); ``bench``: the benchmark file's rows; ``regions``: the LA-to-region lookup;
    ``neighbours``: the statistical neighbours file (validated column names)."""
    rows = bench[pd.to_numeric(bench["time_period"]) == time_period(period)]
    rows = rows[rows["geographic_level"] == LOCAL_AUTHORITY]
    closeness = _closeness(neighbours)
    blocks, parts, offset = [], [], 0
    for measure, ind in by_benchmark_measure().items():
        mine = own[own["indicator_id"] == ind.id]
        if mine.empty:
            continue  # no deploying authority publishes it this year
        authorities = authority_values(own, rows[rows["measure"] == measure], regions, ind.id)
        polarity = str(ind.polarity)
        england = england_columns(authorities["value"], polarity)
        blocks.append(pd.concat([authorities, england], axis=1).assign(indicator_id=ind.id))
        part = views(authorities, sorted(mine["area_code"]), closeness, polarity)
        parts.append(part.assign(row=part["row"] + offset))
        offset += len(authorities)
    columns = [c.name for c in schema.content_columns(schema.la_benchmarking)]
    if not blocks:
        return pd.DataFrame(columns=columns)
    every = pd.concat(parts, ignore_index=True)
    out = pd.concat(blocks, ignore_index=True).iloc[every["row"].to_numpy()]
    out = out.reset_index(drop=True).assign(period=period)
    for column in every.columns.drop("row"):
        out[column] = every[column]
    return out[columns]


def _closeness(neighbours: pd.DataFrame) -> pd.Series:
    """(LA code, neighbour code) -> the neighbour's place in the LA's list, closest first
    (1-based, by the file's rank; a neighbour listed twice keeps its later place)."""
    if neighbours.empty:
        return pd.Series([], index=pd.MultiIndex.from_arrays([[], []]), dtype=np.int64)
    sn = neighbours.assign(rank=pd.to_numeric(neighbours["neighbour_rank"]))
    sn = sn[sn["la_code"].notna()].sort_values(["la_code", "rank"])
    place = sn.groupby("la_code").cumcount().to_numpy() + 1
    keys = pd.MultiIndex.from_arrays([sn["la_code"].astype(str), sn["neighbour_code"]])
    closeness = pd.Series(place, index=keys)
    return closeness[~closeness.index.duplicated(keep="last")]


#: the published headline columns the table reads
OWN_COLUMNS: Final = ("indicator_id", "area_code", "area_name", "value", "suppressed")


def published_own(conn: sa.Connection, period: str) -> pd.DataFrame:
    """The year's published headline LA rows as ``conn`` sees them (inside the publish
    transaction: the year's own rows just written)."""
    v = schema.published_indicator_values
    query = sa.select(*(v.c[c] for c in OWN_COLUMNS)).where(
        v.c.period == period, v.c.area_type == "la", v.c.breakdown == "total", v.c.category == "all"
    )
    return pd.read_sql(query, conn)


def reference(conn: sa.Connection, period: str) -> dict[str, pd.DataFrame]:
    """The validated benchmark file of the year, the LA-to-region lookup and the statistical
    neighbours (published reference data, whatever their vintage)."""
    bench = schema.validated_table("ref_benchmarks")
    query = sa.select(bench).where(bench.c.time_period == time_period(period))
    return {
        "ref_benchmarks": pd.read_sql(query, conn),
        "ref_lad_region": pd.read_sql(sa.select(schema.validated_table("ref_lad_region")), conn),
        "ref_stat_neighbours": pd.read_sql(
            sa.select(schema.validated_table("ref_stat_neighbours")), conn
        ),
    }


def expected(conn: sa.Connection, period: str) -> pd.DataFrame:
    """The year's rows from the published values and the reference files ``conn`` sees."""
    ref = reference(conn, period)
    return la_benchmarking(
        published_own(conn, period),
        ref["ref_benchmarks"],
        ref["ref_lad_region"],
        ref["ref_stat_neighbours"],
        period,
    )


def publish_benchmarking(conn: sa.Connection, period: str, run_id: str, now: datetime) -> int:
    """Replace the year's rows of ``published.la_benchmarking`` in the caller's transaction;
    the rows written."""
    frame = expected(conn, period).assign(run_id=run_id, loaded_at=now)
    return replace_rows(conn, schema.la_benchmarking, frame, {"period": period})


#: the columns the audit reads: the cell, its value and source, what is derived from the values
AUDITED: Final = (
    "indicator_id",
    "la_code",
    "area_code",
    "value",
    "value_source",
    "neighbour_rank",
    *DERIVED,
)


def stored(
    bind: sa.Engine | sa.Connection, period: str, columns: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """The year's rows of ``published.la_benchmarking`` as ``bind`` sees them (only
    ``columns``, if given), through Arrow (``read_through``: ``read_sql``'s frame in about half
    the time; the audit reads some 375,000 rows at england scale)."""
    t = schema.la_benchmarking
    chosen = [t.c[c] for c in columns] if columns else [t]
    return read_through(bind, sa.select(*chosen).where(t.c.period == period))


def audit_benchmarking(bind: sa.Engine | sa.Connection, period: str) -> list[str]:
    """Problems proving that the year's benchmarking rows disclose nothing new (none on a good
    table), by cell (indicator, view, authority), never by a value:

    1. an authority this pipeline publishes shows its own published value, after disclosure
       control (NULL where suppressed), never the benchmark file's;
    2. every other authority's value is the benchmark file's;
    3. every rank, band and quintile equals its recomputation (``derive``) from the table's own
       values, view by view.

    Checked for every row at once (joins and grouped recomputation); the problems are listed in
    the table's row order, then by indicator and view as sorted."""
    table = stored(bind, period, AUDITED)
    if table.empty:
        return []
    with connected(bind) as conn:
        own = published_own(conn, period)
        ref = reference(conn, period)
    return value_problems(table, own, ref["ref_benchmarks"]) + derived_problems(table)


def value_problems(table: pd.DataFrame, own: pd.DataFrame, bench: pd.DataFrame) -> list[str]:
    """Rows whose value is not the one they must show: an authority this pipeline publishes its
    own published value (None where suppressed), any other the benchmark file's (None where the
    file has none), within ``_same``'s tolerance."""
    keys = pd.MultiIndex.from_arrays([table["indicator_id"], table["area_code"]])
    published = pd.MultiIndex.from_arrays([own["indicator_id"], own["area_code"]])
    at = published.get_indexer(keys)
    mine = at >= 0
    shown = own["value"].astype(float).where(~own["suppressed"].astype(bool)).to_numpy()
    file = bench[bench["geographic_level"] == LOCAL_AUTHORITY]
    in_file = pd.Series(
        pd.to_numeric(file["value"]).astype(float).to_numpy(),
        index=pd.MultiIndex.from_arrays([file["measure"], file["area_code"]]),
    )
    in_file = in_file[~in_file.index.duplicated(keep="last")]
    measures = {i.id: i.benchmark_measure for i in INDICATORS.values() if i.benchmark_measure}
    measure = table["indicator_id"].map(measures)
    found = in_file.index.get_indexer(pd.MultiIndex.from_arrays([measure, table["area_code"]]))
    file_value = np.where(found >= 0, in_file.to_numpy()[found], np.nan)
    must = pd.Series(np.where(mine, shown[at], file_value), index=table.index)
    source = np.where(mine, OWN, BENCHMARK_FILE)
    wrong = (table["value_source"].to_numpy() != source) | ~_same_cells(table["value"], must)
    cells = table.loc[wrong, ["indicator_id", "la_code", "area_code"]]
    whose = np.where(
        mine[wrong], "not this pipeline's published value", "not the benchmark file's value"
    )
    return [
        f"{i} {la} {area}: {why}"
        for (i, la, area), why in zip(cells.itertuples(index=False), whose, strict=True)
    ]


def derived_problems(table: pd.DataFrame) -> list[str]:
    """Views with a derived column (``DERIVED``) that is not its recomputation from the view's
    own values (``derive``, every view of an indicator at once)."""
    again = pd.concat(
        [
            derive(part, _polarity(str(indicator_id)))
            for indicator_id, part in table.groupby("indicator_id", sort=False)
        ]
    ).reindex(table.index)
    wrong = pd.DataFrame({c: ~_same_cells(table[c], again[c]) for c in DERIVED}, index=table.index)
    by_view = wrong.groupby([table["indicator_id"], table["la_code"]]).any().stack()
    return [
        f"{indicator_id} {la_code}: {column} not from the values shown"
        for (indicator_id, la_code, column) in by_view.index[by_view.to_numpy()]
    ]


def _polarity(indicator_id: str) -> str | None:
    """The catalogue polarity of an indicator; None for one the catalogue lacks."""
    ind = INDICATORS.get(indicator_id)
    return str(ind.polarity) if ind else None


def _same(a: object, b: object) -> bool:
    """Equal, NULL equal to NULL, numbers within rounding."""
    a_missing = a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA
    b_missing = b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _same_cells(a: pd.Series, b: pd.Series) -> np.ndarray:
    """``_same`` of each pair of cells, at once for two numeric columns (``math.isclose``'s
    rule) or two text columns; cell by cell only for columns of mixed kinds (a table whose
    column holds what its type does not)."""
    if _kind(a) == _kind(b) == "number" or {_kind(a), _kind(b)} == {"number", "empty"}:
        x = a.to_numpy(dtype=float, na_value=np.nan)
        y = b.to_numpy(dtype=float, na_value=np.nan)
        x_missing, y_missing = np.isnan(x), np.isnan(y)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(x - y)
            tolerance = np.maximum(1e-9 * np.maximum(np.abs(x), np.abs(y)), 1e-9)
            close = (x == y) | (np.isfinite(diff) & (diff <= tolerance))
        return (x_missing & y_missing) | (~x_missing & ~y_missing & close)
    if {_kind(a), _kind(b)} <= {"text", "empty"}:
        x_missing, y_missing = a.isna().to_numpy(), b.isna().to_numpy()
        equal = a.fillna("").to_numpy(dtype=object) == b.fillna("").to_numpy(dtype=object)
        return (x_missing & y_missing) | (~x_missing & ~y_missing & equal)
    return np.fromiter((_same(x, y) for x, y in zip(a, b, strict=True)), bool, len(a))


def _kind(column: pd.Series) -> str:
    """ "number" (a numeric column), "text" (strings and NULLs), "empty" (NULLs only) or
    "mixed" (anything else: compared cell by cell)."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return "number"
    missing = column[column.isna()].unique()
    if not all(v is None or v is pd.NA or (isinstance(v, float) and v != v) for v in missing):
        return "mixed"  # a missing kind _same does not treat as NULL (NaT, say)
    inferred = pd.api.types.infer_dtype(column, skipna=True)
    return {"empty": "empty", "string": "text"}.get(inferred, "mixed")
