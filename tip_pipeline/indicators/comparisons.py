"""Benchmark comparisons, as Fingertips: an area's 95% limits against a benchmark value
(``stats.compare_to_benchmark``: higher / similar / lower / not compared).

In ``indicator_values`` every row carries one comparison: an LA (or a computed region) with
England, a ward or LSOA with its LA, a breakdown category with its own area's total. The
``indicator_comparisons`` table adds, for each LA, England, its region and the mean of its
statistical neighbours (DfE's statistical-neighbour average), and each ward against its LA.

Comparator values are computed from the warehouse's own data where it holds them (several LAs:
``values.complete_levels``); otherwise they come from the published benchmark file
(restricted.ref_benchmarks), whose ``measure`` ids map to catalogue indicators through
``Indicator.benchmark_measure``. A comparator that is neither is "not compared".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from tip_pipeline.indicators.catalogue import INDICATORS
from tip_pipeline.indicators.data import ENGLAND, YearData
from tip_pipeline.indicators.values import ALL, TOTAL, area_names, factorized
from tip_pipeline.stats import compare_to_benchmark

COMPUTED, PUBLISHED = "computed", "ref_benchmarks"
_LEVEL = {"National": "country", "Regional": "region", "Local authority": "la"}

COMPARISON_COLUMNS = [
    "indicator_id",
    "period",
    "area_type",
    "area_code",
    "comparator_type",
    "comparator_code",
    "comparator_name",
    "comparator_value",
    "comparator_source",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "result",
]


def time_period(data: YearData) -> int:
    """The release's ``time_period`` for the year: 2023/24 -> 202324."""
    return data.period.start_year * 100 + data.period.end_year % 100


def published(data: YearData) -> pd.DataFrame:
    """Published benchmark values of the year, keyed by indicator id and area code."""
    ref = data.table("ref_benchmarks")
    measures = {i.benchmark_measure: i.id for i in INDICATORS.values() if i.benchmark_measure}
    ref = ref[pd.to_numeric(ref["time_period"]) == time_period(data)]
    ref = ref[ref["measure"].isin(measures)]
    return pd.DataFrame(
        {
            "indicator_id": ref["measure"].map(measures).to_numpy(),
            "area_code": ref["area_code"].to_numpy(),
            "area_name": ref["area_name"].to_numpy(),
            "value": pd.to_numeric(ref["value"]).to_numpy(float),
        }
    ).drop_duplicates(["indicator_id", "area_code"])


def headline(values: pd.DataFrame) -> pd.DataFrame:
    """Total rows only."""
    return values[(values["breakdown"] == TOTAL) & (values["category"] == ALL)]


def comparator_lookup(values: pd.DataFrame, data: YearData) -> pd.DataFrame:
    """(indicator_id, area_code) -> value, name, source: computed headline rows first, then
    the published ones for areas the data do not hold."""
    own = headline(values)[["indicator_id", "area_code", "area_name", "value"]].assign(
        source=COMPUTED
    )
    pub = published(data).assign(source=PUBLISHED)
    both = pd.concat([own, pub], ignore_index=True)
    return both.drop_duplicates(["indicator_id", "area_code"], keep="first").set_index(
        ["indicator_id", "area_code"]
    )


def with_benchmark(values: pd.DataFrame, data: YearData) -> pd.DataFrame:
    """``values`` with ``benchmark_area_code`` and ``compared_to_benchmark`` filled."""
    id_codes, ids = factorized(values["indicator_id"])
    codes, benchmarks = benchmark_areas(values, data)
    lookup = comparator_lookup(values, data)["value"]
    keys = pd.MultiIndex(levels=[ids, benchmarks], codes=[id_codes, codes], verify_integrity=False)
    bench_value = lookup.reindex(keys).to_numpy(float)
    return values.assign(
        benchmark_area_code=benchmark_column(codes, benchmarks, values["area_type"]),
        compared_to_benchmark=compare_to_benchmark(
            values["lower_ci_95"], values["upper_ci_95"], bench_value
        ),
    )


def parent_areas(data: YearData) -> pd.Series:
    """Area code -> the code of the area a total is compared with: an LSOA's and a ward's LA,
    an LA's and a region's England."""
    areas = data.areas
    parent = pd.concat(
        [
            pd.Series(areas["la"].to_numpy(), index=areas["lsoa"].to_numpy()),
            pd.Series(areas["la"].to_numpy(), index=areas["ward"].to_numpy()),
            pd.Series(ENGLAND[0], index=areas["la"].to_numpy()),
            pd.Series(ENGLAND[0], index=areas["region"].dropna().to_numpy()),
        ]
    )
    return parent[~parent.index.duplicated()]


def benchmark_areas(values: pd.DataFrame, data: YearData) -> tuple[np.ndarray, np.ndarray]:
    """Each row's benchmark area: a total's parent area (``parent_areas``), a breakdown
    category's own area (its total), none for England's rows; as a code (-1 for none) into
    the distinct benchmark areas (Python objects, no missing one).

    Why codes: the rows' area codes as Python objects, their parents' and the benchmark's
    (some 2 million each at england scale) were the largest part of the year's peak, 4.5 GB
    against issue #21's 4 GB (point 6). An area's parent is looked up once per distinct area
    code, and the codes say the same as the objects did."""
    area_codes, areas = factorized(values["area_code"])
    parents = parent_areas(data).reindex(areas).to_numpy(object)
    own_or_parent, benchmarks = pd.factorize(np.concatenate([areas, parents]))
    is_total = (values["breakdown"] == TOTAL).to_numpy()
    codes = own_or_parent[np.where(is_total, area_codes + len(areas), area_codes)]
    codes[(area_codes < 0) | (values["area_type"] == "country").to_numpy()] = -1
    return codes, benchmarks


def benchmark_column(
    codes: np.ndarray, benchmarks: np.ndarray, area_type: pd.Series
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """The ``benchmark_area_code`` column of the rows' benchmark codes (``benchmark_areas``):
    text taken by code in Arrow (no Python object per row), missing where a row has none.
    Where no row has one, the objects pandas would keep as they are (None for England's rows,
    NaN for a total whose area has no parent), as the column has always been."""
    if not (codes >= 0).any():
        return np.where(area_type == "country", None, np.nan).astype(object)
    taken = pa.array(benchmarks, type=pa.large_string()).take(pa.array(codes, mask=codes < 0))
    return pd.array(taken, dtype="str")


def comparisons(values: pd.DataFrame, data: YearData) -> pd.DataFrame:
    """Each LA against England, its region and its statistical neighbours' mean; each ward
    against its LA (headline rows)."""
    lookup = by_key(comparator_lookup(values, data))
    names = comparator_names(data)
    areas = data.areas
    region_of = areas.drop_duplicates("la").set_index("la")["region"]
    la_of_ward = areas.drop_duplicates("ward").set_index("ward")["la"]
    sn = data.table("ref_stat_neighbours")
    sn = sn.assign(rank=pd.to_numeric(sn["neighbour_rank"])).sort_values(["la_code", "rank"])
    neighbours = sn.groupby("la_code")["neighbour_code"].apply(list)
    rows = []
    top = headline(values)
    for row in top[top["area_type"] == "la"].itertuples(index=False):
        for kind, code in (("england", ENGLAND[0]), ("region", region_of.get(row.area_code))):
            rows.append(_single(row, kind, code, lookup, names))
        rows.append(_neighbours(row, neighbours.get(row.area_code, []), lookup))
    for row in top[top["area_type"] == "ward"].itertuples(index=False):
        rows.append(_single(row, "la", la_of_ward.get(row.area_code), lookup, names))
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    frame["result"] = compare_to_benchmark(
        frame["lower_ci_95"].astype(float),
        frame["upper_ci_95"].astype(float),
        frame["comparator_value"].astype(float),
    )
    return frame


#: a comparator's name when the lookup has neither the area nor its name
UNNAMED = {
    "england": ENGLAND[1],
    "region": "the region",
    "la": "the local authority",
    "stat_neighbours": "statistical neighbours",
}


def comparator_names(data: YearData) -> pd.Series:
    """Area code -> name for every comparator: the lookup's names, and England's."""
    names = area_names(data)
    return pd.concat([names, pd.Series({ENGLAND[0]: ENGLAND[1]})]).groupby(level=0).first()


def _name(kind: str, code: str | None, found: object, names: pd.Series) -> str:
    """The comparator's name, whether or not its value is known: a comparison row always
    says what it is compared with (a missing value makes it "not compared", not nameless)."""
    if isinstance(found, str) and found:
        return found
    if code is not None and isinstance(names.get(code), str):
        return str(names[code])
    return UNNAMED[kind]


#: (indicator, area) -> (value, area name, source): ``comparator_lookup`` as a dict
Lookup = dict[tuple[str, str], tuple[float, object, str]]


def by_key(lookup: pd.DataFrame) -> Lookup:
    """``comparator_lookup``'s rows by key. Why a dict: a ``.loc`` per comparison, some
    130,000 at england scale, was most of ``comparisons``' time (issue #21's profile)."""
    found = zip(lookup["value"], lookup["area_name"], lookup["source"], strict=True)
    return dict(zip(lookup.index.to_flat_index(), found, strict=True))


def _single(row, kind: str, code: str | None, lookup: Lookup, names: pd.Series) -> tuple:
    hit = lookup.get((row.indicator_id, code)) if code is not None else None
    value, found, source = hit if hit is not None else (np.nan, None, "none")
    return _row(row, kind, code or "", _name(kind, code, found, names), value, source)


def _neighbours(row, codes: list[str], lookup: Lookup) -> tuple:
    """The mean of the neighbours' values that are known (computed or published)."""
    found = [lookup[key] for key in ((row.indicator_id, c) for c in codes) if key in lookup]
    if not found:
        name = f"Statistical neighbours (mean of {len(codes)}; no values known)"
        return _row(row, "stat_neighbours", ",".join(codes), name, np.nan, "none")
    sources = sorted({source for _, _, source in found})
    value = float(np.mean([value for value, _, _ in found]))
    name = f"Mean of {len(found)} statistical neighbours"
    return _row(row, "stat_neighbours", ",".join(codes), name, value, "+".join(sources))


def _row(row, kind, code, name, value, source) -> tuple:
    return (
        row.indicator_id,
        row.period,
        row.area_type,
        row.area_code,
        kind,
        code,
        name,
        value,
        source,
        row.value,
        row.lower_ci_95,
        row.upper_ci_95,
        None,
    )
