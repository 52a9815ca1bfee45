"""Rows per second of ``warehouse.bulk.replace_rows`` on SQLite and PostgreSQL.

    python benchmarks/bench_bulk_load.py [--rows 1000000] [--postgres-url URL]

The frame has ten text columns (about 10% NULL in one, empty strings in another), the table
ten Text columns and no index. SQLite writes to a temporary directory; PostgreSQL to a
scratch database created on the server of ``--postgres-url`` (default ``TIP_TEST_POSTGRES_URL``
or postgres@127.0.0.1:5432) and dropped afterwards. Target: >= 200,000 rows/s on both.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Column, Engine, MetaData, Table, Text, func, select

from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import (
    create_database,
    drop_database,
    ensure_schemas,
    make_engine,
)
from tip_pipeline.warehouse.layers import RESTRICTED

COLUMNS = [f"c{i}" for i in range(10)]
TABLE = Table("bench_bulk_load", MetaData(), *(Column(c, Text) for c in COLUMNS), schema=RESTRICTED)


def make_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = {c: pd.Series(rng.integers(0, 100_000, rows)).map("v{:05d}".format) for c in COLUMNS}
    frame = pd.DataFrame(values).astype("str")
    frame.loc[frame.index % 10 == 0, "c3"] = None
    frame.loc[frame.index % 7 == 0, "c4"] = ""
    return frame


def rows_per_second(engine: Engine, frame: pd.DataFrame) -> float:
    ensure_schemas(engine)
    TABLE.create(engine, checkfirst=True)
    try:
        started = time.perf_counter()
        with engine.begin() as conn:
            inserted = replace_rows(conn, TABLE, frame, {})
        elapsed = time.perf_counter() - started
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(TABLE)) == inserted == len(frame)
        return inserted / elapsed
    finally:
        TABLE.drop(engine)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TIP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    frame = make_frame(args.rows)
    print(f"{args.rows:,} rows x {len(COLUMNS)} text columns")

    with tempfile.TemporaryDirectory() as tmp:
        rate = rows_per_second(make_engine(f"sqlite:///{Path(tmp) / 'tip.db'}"), frame)
        print(f"SQLite      executemany: {rate:>12,.0f} rows/s")

    name = f"tip_bench_{uuid.uuid4().hex[:8]}"
    url = create_database(args.postgres_url, name)
    try:
        rate = rows_per_second(make_engine(url), frame)
        print(f"PostgreSQL  COPY:        {rate:>12,.0f} rows/s")
    finally:
        drop_database(args.postgres_url, name)


if __name__ == "__main__":
    main()
