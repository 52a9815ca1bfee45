"""Time ``published.la_benchmarking``: the table (``la_benchmarking``) and its audit
(``audit_benchmarking``), view by view as they were (``tip_pipeline_tests/publish/
benchmarking_by_view.py``) against every view at once (``publish/benchmarking.py``), and prove
the two give the same rows and the same problems.

    python benchmarks/bench_benchmarking.py --shape {leeds,england} [--repeat 3] [--seed 0]
    python benchmarks/bench_benchmarking.py --warehouse sqlite:///DIR/tip.db [--read-only]

``--shape``: random inputs of that shape (``england_shaped``: every benchmarked indicator, 153
authorities in the benchmark file, 1 (leeds) or 153 (england) published by the pipeline),
written to a temporary SQLite warehouse migrated to head. ``--warehouse``: every year of
``published.la_benchmarking`` in an existing warehouse; ``--read-only`` opens a SQLite
warehouse's three files read-only (``mode=ro``) and writes nothing, else the rows are
published by each module inside a transaction that is rolled back and compared as read back.

Each year or shape: the median wall time of ``--repeat`` calls of each function, old and new,
the rows' equality (``assert_frame_equal``, exact, dtypes included) and the audits' equality,
on the good table and on the table tampered (one own value shown behind a suppression, ranks
and bands of another view altered); the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.publish import benchmarking as new
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import make_engine, sqlite_layer_paths
from tip_pipeline.warehouse.layers import PUBLISHED
from tip_pipeline.warehouse.migrate import upgrade
from tip_pipeline_tests.publish import benchmarking_by_view as old

PERIOD = "2023/24"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def load() -> str:
    """The load averages (1, 5, 15 minutes)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def median_time(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of ``repeat`` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def read_only_engine(url: str) -> sa.Engine:
    """An engine on a SQLite warehouse's three files opened read-only, nothing set or created."""
    paths = sqlite_layer_paths(url)

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{paths[PUBLISHED]}?mode=ro", uri=True)
        for layer, path in paths.items():
            conn.execute(f"ATTACH DATABASE ? AS {layer}", (f"file:{path}?mode=ro",))
        return conn

    return sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.StaticPool)


def tampered(table: pd.DataFrame) -> pd.DataFrame:
    """The stored table with a suppressed own value shown (the first own NULL, given the
    largest value of its view) and the first other view's ranks and bands altered."""
    out = table.copy()
    own_null = out.index[(out["value_source"] == new.OWN) & out["value"].isna()]
    if len(own_null):
        at = own_null[0]
        view = (out["indicator_id"] == out.at[at, "indicator_id"]) & (
            out["la_code"] == out.at[at, "la_code"]
        )
        out.loc[at, ["value", "value_note"]] = [out.loc[view, "value"].max(), None]
    first = out[["indicator_id", "la_code"]].drop_duplicates().iloc[-1]
    view = (out["indicator_id"] == first["indicator_id"]) & (out["la_code"] == first["la_code"])
    out.loc[view & out["england_rank"].notna(), "england_rank"] = 1
    out.loc[view, "quartile_band"] = "A"
    return out


def compare_audits(table: pd.DataFrame, own: pd.DataFrame, bench: pd.DataFrame) -> int:
    """Both audits' problems on the table and on it tampered: the same lists (asserted); the
    tampered table's count."""
    for frame in (table, tampered(table)):
        before = old.audit_frames(frame, own, bench)
        after = new.value_problems(frame, own, bench) + new.derived_problems(frame)
        assert before == after, (len(before), len(after))
    return len(before)


def one_year(bind: sa.Engine, period: str, repeat: int, write: bool) -> None:
    """Time and compare both modules on one year of a warehouse."""
    print(f"{period}: load {load()}", flush=True)
    with bind.connect() as conn:
        t_old, rows_old = median_time(lambda: old.expected(conn, period), repeat)
        t_new, rows_new = median_time(lambda: new.expected(conn, period), repeat)
    pd.testing.assert_frame_equal(rows_old, rows_new, check_exact=True)
    views = rows_new[["indicator_id", "la_code"]].drop_duplicates()
    print(
        f"  la_benchmarking: {len(rows_new):,} rows, {len(views)} views; "
        f"view by view {t_old:.2f} s, at once {t_new:.3f} s ({t_old / t_new:.0f}x); equal"
    )
    if write:
        written = []
        for module in (old, new):
            with bind.connect() as conn, conn.begin() as transaction:
                module.publish_benchmarking(conn, period, "bench", NOW)
                written.append(new.stored(conn, period))
                transaction.rollback()
        pd.testing.assert_frame_equal(*written, check_exact=True)
        print("  published rows read back: equal (values and dtypes)")
    with bind.connect() as conn:
        stored = new.stored(conn, period)
        t_old, p_old = median_time(lambda: old.audit_benchmarking(conn, period), repeat)
        t_new, p_new = median_time(lambda: new.audit_benchmarking(conn, period), repeat)
        assert p_old == p_new, (len(p_old), len(p_new))
        own = new.published_own(conn, period)
        bench = new.reference(conn, period)["ref_benchmarks"]
    found = compare_audits(stored, own, bench)
    print(
        f"  audit_benchmarking ({len(stored):,} stored rows, {len(p_new)} problems): row by row "
        f"{t_old:.2f} s, at once {t_new:.3f} s ({t_old / t_new:.0f}x); the same problems, "
        f"and the same {found} on the table tampered"
    )
    print(f"  load after {load()}", flush=True)


def warehouse(url: str, read_only: bool, repeat: int) -> None:
    """Every year of ``published.la_benchmarking`` in an existing warehouse."""
    bind = read_only_engine(url) if read_only else make_engine(url)
    t = schema.la_benchmarking
    with bind.connect() as conn:
        periods = [
            p for (p,) in conn.execute(sa.select(t.c.period).distinct().order_by(t.c.period))
        ]
    for period in periods:
        one_year(bind, period, repeat, write=not read_only)
    bind.dispose()


def shaped(shape: str, seed: int, repeat: int) -> None:
    """Random inputs of a shape in a temporary warehouse."""
    inputs = old.england_shaped(seed, publishing=1 if shape == "leeds" else 153)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/tip.db"
        upgrade(url)
        bind = make_engine(url)
        with bind.begin() as conn:
            old.write_inputs(conn, inputs, PERIOD, NOW)
            new.publish_benchmarking(conn, PERIOD, "bench", NOW)
        print(f"{shape} shape (seed {seed}, repeat {repeat})")
        one_year(bind, PERIOD, repeat, write=True)
        bind.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=["leeds", "england"])
    parser.add_argument("--warehouse")
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.warehouse:
        warehouse(args.warehouse, args.read_only, args.repeat)
    else:
        shaped(args.shape or "leeds", args.seed, args.repeat)


if __name__ == "__main__":
    main()
