"""The view-by-view ``published.la_benchmarking`` and its row-by-row audit, as they were before
the table and the audit were computed for every view at once (issue #21, point 2): kept as the
oracle the vectorised module is compared with, row for row and problem for problem
(``test_benchmarking.py``, ``benchmarks/bench_benchmarking.py``). Not used by the pipeline."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Final

import numpy as np
import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.catalogue import INDICATORS, Polarity, by_benchmark_measure
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish.benchmarking import OWN_COLUMNS, published_own, reference
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


def ranks(values: pd.Series, polarity: str | None) -> pd.Series:
    """League-table ranks of the values present (1 = best by polarity, 1 = highest without
    one); ties share the lowest rank; a missing value has none."""
    ascending = polarity == Polarity.HIGHER_IS_WORSE
    ranked = values.astype(float).rank(method="min", ascending=ascending, na_option="keep")
    return ranked.astype("Int64")


def quartile_band(rank: object, ranked: int) -> str | None:
    """LAIT's band: A for the first quarter of the ranking, then B, C, D."""
    if rank is None or pd.isna(rank) or ranked <= 0:
        return None
    return BANDS[math.ceil(4 * int(rank) / ranked) - 1]


def percentile(sorted_values: np.ndarray, fraction: float) -> float:
    """Fingertips' percentile: linear between the values at positions (n - 1) p + 1
    (1-based) of the sorted values (``ValueCategoriesCalculator.CalculatePercentile``)."""
    n = (len(sorted_values) - 1) * fraction + 1
    k = int(n)
    if k >= len(sorted_values):
        return float(sorted_values[-1])
    low, high = sorted_values[k - 1], sorted_values[k]
    return round(float(low + (n - k) * (high - low)), 10)


def quintile_bounds(values: pd.Series) -> list[float] | None:
    """Minimum, the 20th to 80th percentiles and maximum of the values present; None with
    fewer than ``QUINTILE_MINIMUM``."""
    present = np.sort(values.dropna().astype(float).to_numpy())
    if len(present) < QUINTILE_MINIMUM:
        return None
    inner = [percentile(present, k / 5) for k in range(1, 5)]
    return [float(present[0]), *inner, float(present[-1])]


def quintile(value: object, bounds: list[float] | None) -> int | None:
    """The first quintile (1 = lowest values) whose upper bound the value does not exceed."""
    if bounds is None or value is None or pd.isna(value):
        return None
    return next(k for k in range(1, 6) if float(value) <= bounds[k] or k == 5)


def compared_to_percentiles(quint: int | None, polarity: str | None, enough: bool) -> str | None:
    """Fingertips' words for a quintile; "Not compared" where there are too few values."""
    if not enough:
        return NOT_COMPARED
    if quint is None:
        return None
    labels = QUINTILE_LABELS.get(polarity, NO_POLARITY_LABELS)  # type: ignore[arg-type]
    return labels[quint - 1]


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


def view(
    authorities: pd.DataFrame, la_code: str, neighbours: list[str], polarity: str | None
) -> pd.DataFrame:
    """``la_code``'s benchmarking rows: every authority, its neighbour rank, the ranks, band and
    quintile (``derive``)."""
    frame = authorities.assign(la_code=la_code)
    closeness = {code: k + 1 for k, code in enumerate(neighbours)}
    frame["neighbour_rank"] = frame["area_code"].map(closeness).astype("Int64")
    return derive(frame, polarity)


def derive(frame: pd.DataFrame, polarity: str | None) -> pd.DataFrame:
    """The ranks, band and quintile of one view (one indicator, year and ``la_code``) from its
    ``value``, ``neighbour_rank`` and ``la_code`` columns alone."""
    out = frame.copy()
    value = out["value"].astype(float)
    group = out["neighbour_rank"].notna() | (out["area_code"] == out["la_code"])
    out["neighbour_group_rank"] = ranks(value.where(group), polarity)
    out["neighbour_group_ranked"] = int((group & value.notna()).sum())
    out["england_rank"] = ranks(value, polarity)
    ranked = int(value.notna().sum())
    out["england_ranked"] = ranked
    out["quartile_band"] = [quartile_band(r, ranked) for r in out["england_rank"]]
    bounds = quintile_bounds(value)
    quints = [quintile(v, bounds) for v in value]
    out["england_quintile"] = pd.Series(quints, index=out.index, dtype="Int64")
    enough = bounds is not None
    out["compared_to_percentiles"] = [
        compared_to_percentiles(q, polarity, enough) if pd.notna(v) else None
        for q, v in zip(quints, value, strict=True)
    ]
    out["rank_order"] = rank_order(polarity)
    return out


def la_benchmarking(
    own: pd.DataFrame,
    bench: pd.DataFrame,
    regions: pd.DataFrame,
    neighbours: pd.DataFrame,
    period: str,
) -> pd.DataFrame:
    """The rows of ``published.la_benchmarking`` for ``period``.

    ``own``: the year's published headline LA rows (indicator_id, area_code, area_name, value,
    suppressed); ``bench``: the benchmark file's rows; ``regions``: the LA-to-region lookup;
    ``neighbours``: the statistical neighbours file (validated column names)."""
    rows = bench[pd.to_numeric(bench["time_period"]) == time_period(period)]
    rows = rows[rows["geographic_level"] == LOCAL_AUTHORITY]
    lists = _neighbour_lists(neighbours)
    frames = []
    for measure, ind in by_benchmark_measure().items():
        mine = own[own["indicator_id"] == ind.id]
        if mine.empty:
            continue  # no deploying authority publishes it this year
        authorities = authority_values(own, rows[rows["measure"] == measure], regions, ind.id)
        for la_code in sorted(mine["area_code"]):
            one = view(authorities, la_code, lists.get(la_code, []), str(ind.polarity))
            frames.append(one.assign(indicator_id=ind.id))
    columns = [c.name for c in schema.la_benchmarking.columns if c.name not in _LINEAGE]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True).assign(period=period)
    return out[columns]


_LINEAGE: Final = ("run_id", "loaded_at")


def _neighbour_lists(neighbours: pd.DataFrame) -> dict[str, list[str]]:
    """LA code -> its neighbours, closest first."""
    if neighbours.empty:
        return {}
    sn = neighbours.assign(rank=pd.to_numeric(neighbours["neighbour_rank"]))
    sn = sn.sort_values(["la_code", "rank"])
    return {str(k): list(v) for k, v in sn.groupby("la_code")["neighbour_code"]}


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


def stored(bind: sa.Engine | sa.Connection, period: str) -> pd.DataFrame:
    """The year's rows of ``published.la_benchmarking`` as ``bind`` sees them."""
    t = schema.la_benchmarking
    return pd.read_sql(sa.select(t).where(t.c.period == period), bind)


def audit_benchmarking(bind: sa.Engine | sa.Connection, period: str) -> list[str]:
    """Problems proving that the year's benchmarking rows disclose nothing new (none on a good
    table), by cell (indicator, view, authority), never by a value:

    1. an authority this pipeline publishes shows its own published value, after disclosure
       control (NULL where suppressed), never the benchmark file's;
    2. every other authority's value is the benchmark file's;
    3. every rank, band and quintile equals its recomputation from the table's own values.
    """
    table = stored(bind, period)
    if table.empty:
        return []
    with connected(bind) as conn:
        own = published_own(conn, period)
        ref = reference(conn, period)
    return audit_frames(table, own, ref["ref_benchmarks"])


def _same(a: object, b: object) -> bool:
    """Equal, NULL equal to NULL, numbers within rounding."""
    a_missing = a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA
    b_missing = b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def audit_frames(table: pd.DataFrame, own: pd.DataFrame, bench: pd.DataFrame) -> list[str]:
    """``audit_benchmarking``'s checks as they were (row by row, then ``derive`` view by view),
    on the frames it reads: the stored table, the published headline rows, the benchmark file."""
    problems: list[str] = []
    published = own.set_index(["indicator_id", "area_code"])
    file = bench[bench["geographic_level"] == LOCAL_AUTHORITY]
    measures = {i.id: i.benchmark_measure for i in INDICATORS.values() if i.benchmark_measure}
    file_value = {
        (m, a): v
        for m, a, v in zip(
            file["measure"], file["area_code"], pd.to_numeric(file["value"]), strict=True
        )
    }
    for row in table.itertuples(index=False):
        key = (row.indicator_id, row.area_code)
        cell = f"{row.indicator_id} {row.la_code} {row.area_code}"
        if key in published.index:
            truth = published.loc[key]
            shown = None if bool(truth["suppressed"]) else truth["value"]
            if row.value_source != OWN or not _same(row.value, shown):
                problems.append(f"{cell}: not this pipeline's published value")
        elif row.value_source != BENCHMARK_FILE or not _same(
            row.value, file_value.get((measures.get(row.indicator_id), row.area_code))
        ):
            problems.append(f"{cell}: not the benchmark file's value")
    for (indicator_id, la_code), part in table.groupby(["indicator_id", "la_code"]):
        ind = INDICATORS.get(str(indicator_id))
        again = derive(part, str(ind.polarity) if ind else None)
        for column in DERIVED:
            if not all(_same(a, b) for a, b in zip(part[column], again[column], strict=True)):
                problems.append(f"{indicator_id} {la_code}: {column} not from the values shown")
    return problems


# -- england-shaped inputs -------------------------------------------------------------------


def authority_codes(count: int = 153) -> list[str]:
    """``count`` upper-tier authority codes of England's shapes (unitaries, metropolitan
    districts, London boroughs, counties)."""
    prefixes = ("E06", "E08", "E09", "E10")
    return [f"{prefixes[k % 4]}{k:06d}" for k in range(count)]


def england_shaped(
    seed: int, publishing: int, authorities: int = 153, year: int = 202324
) -> dict[str, pd.DataFrame]:
    """Random inputs of ``la_benchmarking`` of england's shape: every benchmarked indicator,
    ``authorities`` authorities in the benchmark file, ``publishing`` of them published by
    this pipeline. Values are drawn from a few levels (ties), some missing from the file or
    without a value, some of the pipeline's own suppressed (the first at least) or
    unpublished; each publishing LA
    lists ten neighbours, except the first, which lists none, and the second, which lists one
    neighbour twice. Keys ``own``, ``bench``, ``regions``, ``neighbours``."""
    rng = np.random.default_rng(seed)
    codes = authority_codes(authorities)
    mine = sorted(rng.choice(codes, size=publishing, replace=False).tolist())
    bench_rows, own_rows = [], []
    for measure, ind in by_benchmark_measure().items():
        levels = rng.choice([3, 8, 40, 1000])  # few levels, many ties
        for code in codes:
            if rng.random() < 0.05:
                continue  # not in the file
            value = float(rng.integers(0, levels)) / 7 if rng.random() > 0.05 else None
            bench_rows.append((year, LOCAL_AUTHORITY, code, f"Area {code}", measure, value))
        bench_rows.append((year, "National", "E92000001", "England", measure, 1.0))
        bench_rows.append((year - 101, LOCAL_AUTHORITY, codes[0], "Area", measure, 5.0))
        for code in mine:
            first = code == mine[0] and not own_rows  # one suppressed value at least
            if rng.random() < 0.05 and not first:
                continue  # not published for this LA this year
            draw = 0.0 if first else rng.random()
            suppressed = draw < 0.1
            value = None if suppressed or draw > 0.95 else float(rng.integers(0, levels)) / 7
            own_rows.append((ind.id, code, f"Own {code}", value, suppressed))
    columns = ["time_period", "geographic_level", "area_code", "area_name", "measure", "value"]
    bench = pd.DataFrame(bench_rows, columns=columns)
    own = pd.DataFrame(own_rows, columns=list(OWN_COLUMNS))
    listed = [c for c in codes if rng.random() > 0.03]  # a few authorities lack a region
    regions = pd.DataFrame(
        {
            "lad24cd": listed,
            "lad24nm": [f"Name {c}" for c in listed],
            "rgn24cd": [f"E1200000{k % 9 + 1}" for k in range(len(listed))],
            "rgn24nm": [f"Region {k % 9 + 1}" for k in range(len(listed))],
        }
    )
    neighbour_rows = []
    for k, code in enumerate(mine[1:], start=1):
        others = rng.choice([c for c in codes if c != code], size=10, replace=False).tolist()
        if k == 1:
            others[9] = others[2]
        ranked = rng.permutation(10) + 1
        neighbour_rows += [(code, str(r), c) for r, c in zip(ranked, others, strict=True)]
    neighbours = pd.DataFrame(
        neighbour_rows, columns=["la_code", "neighbour_rank", "neighbour_code"]
    )
    return {"own": own, "bench": bench, "regions": regions, "neighbours": neighbours}


def write_inputs(
    conn: sa.Connection, inputs: dict[str, pd.DataFrame], period: str, now: datetime
) -> None:
    """Write ``england_shaped``'s inputs where ``expected`` and the audit read them: the own
    rows as published headline LA rows, the files as validated reference tables."""
    own = inputs["own"]
    published = own.assign(
        indicator_name=own["indicator_id"],
        period=period,
        area_type="la",
        breakdown="total",
        category="all",
        numerator=None,
        denominator=None,
        lower_ci_95=None,
        upper_ci_95=None,
        unit="per 10,000",
        run_id="r",
        loaded_at=now,
    )
    values = schema.published_indicator_values
    published = published.assign(
        **{c.name: None for c in values.columns if c.name not in published}
    )
    replace_rows(conn, values, published[[c.name for c in values.columns]], {})
    neighbours = inputs["neighbours"].assign(
        neighbour_rank=lambda f: f["neighbour_rank"].astype(int)
    )
    files = {"ref_benchmarks": inputs["bench"], "ref_lad_region": inputs["regions"]}
    files["ref_stat_neighbours"] = neighbours
    for name, frame in files.items():
        table = schema.validated_table(name)
        frame = frame.assign(
            source_file=f"{name}.csv", line_number=range(2, 2 + len(frame)), run_id="load"
        )
        frame = frame.assign(period=period if name == "ref_benchmarks" else "2024")
        frame = frame.assign(**{c.name: None for c in table.columns if c.name not in frame})
        replace_rows(conn, table, frame[[c.name for c in table.columns]], {})
