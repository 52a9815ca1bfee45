"""Time reading a year's validated tables (``indicators.data.load_year``) and linked
adversity and modelled prevalence, before and after issue #21 point 2's changes, and prove
the outputs the same.

    python -u benchmarks/bench_load_year.py --warehouse URL [--year 2025/26 ...] [--repeat 3]

``--warehouse``: a warehouse ``tip run`` has filled (SQLite or PostgreSQL), read only. For
each year (default: the latest year holding validated CIN rows):

- ``load_year`` as it reads now (``readback.read_frame``: the driver's rows into Arrow, COPY
  on PostgreSQL) and as it read before (``pd.read_sql``, then ``as_objects``: the module's
  reader swapped for ``read_sql``), each the median of ``--repeat``; every table, the
  youth-justice history and the look-back years' rows asserted equal
  (``assert_frame_equal``, ``check_exact``, dtypes included);
- on the year read, ``adversity.overlap`` and ``prevalence.modelled_prevalence`` now and as
  they were (``tip_pipeline_tests/indicators/as_before.py``), and ``adversity.distribution`` and
  ``prevalence.prevalence_summary``, each the median of ``--repeat`` after one call that fills
  the year's numerator units (shared with every indicator's values, so not counted here) and
  whose rows are asserted equal.

``--authorities K`` (K > 1) measures the second part again on the year copied K times as K
authorities, to see how it grows toward England's 153 without an england warehouse: every
numerator's units (ids and LSOAs made distinct per copy; the unknown home area stays the first
copy's) and the LSOAs, wards, LAs and population; the reads are not copied.

The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from pandas.testing import assert_frame_equal

from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators import adversity, prevalence
from tip_pipeline.indicators import data as data_module
from tip_pipeline.indicators.data import YearData, load_year
from tip_pipeline.indicators.numerator_registry import UNITS, units_of
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.schema import validated_table
from tip_pipeline_tests.indicators import as_before

sys.path.insert(0, str(Path(__file__).parent))
from bench_benchmarking import load, median_time


def load_year_before(engine: sa.Engine, period: FinancialYear) -> YearData:
    """``load_year`` as it read before: every query through ``pd.read_sql``, text made
    objects by ``YearData``'s ``as_objects``."""
    reader = data_module.read_frame
    data_module.read_frame = lambda conn, query, **_: pd.read_sql(query, conn)
    try:
        return load_year(engine, period)
    finally:
        data_module.read_frame = reader


def same_inputs(new: YearData, old: YearData) -> int:
    """Assert every frame of the two reads equal; the rows read."""
    assert new.tables.keys() == old.tables.keys() and new.earlier.keys() == old.earlier.keys()
    for name in old.tables:
        assert_frame_equal(new.tables[name], old.tables[name], check_exact=True, obj=name)
    for name in old.earlier:
        assert_frame_equal(new.earlier[name], old.earlier[name], check_exact=True, obj=name)
    assert new.unlinked == old.unlinked
    return sum(map(len, old.tables.values())) + sum(map(len, old.earlier.values()))


def latest_year(engine: sa.Engine) -> str:
    """The latest period of validated CIN children."""
    table = validated_table("cin_children")
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.max(table.c.period))).scalar_one()


def copied(data: YearData, copies: int) -> YearData:
    """``data``'s units, areas and population as ``copies`` authorities (``--authorities``):
    copy ``k`` > 0 has ``_k`` after every id, LSOA, ward and LA code."""
    for name in (
        *{n for n, _, _ in adversity.DOMAINS.values()},
        *prevalence.RECORDED_NUMERATOR.values(),
    ):
        units_of(name, data)
    for numerator_name, _ in prevalence.SERVICE_NUMERATOR.values():
        units_of(numerator_name, data)

    def suffixed(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
        parts = [frame]
        for k in range(1, copies):
            part = frame.copy()
            for column in columns:
                known = part[column] != UNKNOWN
                part.loc[known, column] = part.loc[known, column] + f"_{k}"
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    out = YearData(
        period=data.period, tables=data.tables, earlier=data.earlier, unlinked=data.unlinked
    )
    out.cache.update(
        {
            key: suffixed(frame, ("unit_id", "lsoa"))
            for key, frame in data.cache.items()
            if isinstance(frame, pd.DataFrame) and list(frame.columns) == list(UNITS)
        }
    )
    areas = data.areas
    known = areas[areas["lsoa"] != UNKNOWN]
    copies_of_areas = suffixed(known, ("lsoa", "ward", "la"))
    out.__dict__["areas"] = pd.concat(
        [copies_of_areas, areas[areas["lsoa"] == UNKNOWN]], ignore_index=True
    )
    out.__dict__["population"] = suffixed(data.population, ("lsoa",))
    return out


def measure_functions(data: YearData, label: str, repeat: int) -> None:
    """Print linked adversity's and prevalence's figures on ``data`` (``__doc__``), asserting
    the outputs the same."""
    modelled = prevalence.modelled_prevalence(data)
    measured: list[tuple[str, Callable[[], Any] | None, Callable[[], Any]]] = [
        (
            "adversity.child_domains",
            partial(as_before.child_domains, data),
            partial(adversity.child_domains, data),
        ),
        ("adversity.overlap", partial(as_before.overlap, data), partial(adversity.overlap, data)),
        (
            "prevalence.modelled_prevalence",
            partial(as_before.modelled_prevalence, data),
            partial(prevalence.modelled_prevalence, data),
        ),
        (
            "adversity.distribution",
            partial(as_before.distribution, data),
            partial(adversity.distribution, data),
        ),
        (
            "prevalence.prevalence_summary",
            None,
            partial(prevalence.prevalence_summary, data, modelled),
        ),
    ]
    for name, old_call, new_call in measured:
        result = new_call()  # fills the year's numerator units
        now, _ = median_time(new_call, repeat)
        if old_call is None:
            print(f"{label} {name}: {now:.4f} s ({len(result):,} rows; unchanged)")
            continue
        assert_frame_equal(result, old_call(), check_exact=True, obj=name)
        then, _ = median_time(old_call, repeat)
        print(
            f"{label} {name}: before {then:.4f} s, after {now:.4f} s "
            f"({then / now:.1f}x), {len(result):,} rows identical"
        )


def measure_year(engine: sa.Engine, label: str, repeat: int, authorities: int) -> None:
    """Print one year's figures (``__doc__``), asserting the outputs the same."""
    period = FinancialYear.parse(label)
    after, data = median_time(partial(load_year, engine, period), repeat)
    before, old = median_time(partial(load_year_before, engine, period), repeat)
    rows = same_inputs(data, old)
    print(
        f"{label} load_year: before {before:.3f} s, after {after:.3f} s "
        f"({before / after:.2f}x), {rows:,} rows, frames identical"
    )
    measure_functions(data, label, repeat)
    if authorities > 1:
        measure_functions(copied(data, authorities), f"{label} x{authorities}", repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--year", action="append", help="reporting year, e.g. 2025/26")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--authorities", type=int, default=1, help="copies of the year")
    args = parser.parse_args()
    engine = make_engine(args.warehouse)
    print(f"warehouse: {engine.dialect.name}; load average before: {load()}")
    for label in args.year or [latest_year(engine)]:
        measure_year(engine, label, args.repeat, args.authorities)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
