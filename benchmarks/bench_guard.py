"""The identifier guard against staging, over one delivered year (issue #21, point 4: "scanning
a year's files for identifiers costs less than staging them").

    python -u benchmarks/bench_guard.py --data /work/england_clean --year 2023/24
    python -u benchmarks/bench_guard.py --data /tmp/leeds_guard
    python -u benchmarks/bench_guard.py --data /tmp/leeds_guard --profile 25

**What is timed**, file by file, over the files of the year's per-period contract tables
(``contracts.tables(per_period=True)``, as the ``ingest/delivery_guard`` asset scans them):

- the guard: what ``validate.guard.scan_file`` does for one file, in its two calls timed apart:
  the read (``ingest.reader.read_extract``) and the scan (``validate.guard.scan_extract``:
  every column, and the malformed lines);
- staging, without a database: ``read_extract``, then ``ingest.load.staging_frame`` and
  ``malformed_frame``, the functions ``ingest.load.prepare_extract`` calls for each file (it
  then concatenates the quarters of a quarterly extract, not timed here). Writing the rows to
  the warehouse (``store_extract``) is not included, so this staging is a lower bound;
- staging with its write, table by table as ``ingest.load.ingest_extract`` does it: the
  table's files read and framed (``prepare_extract``: the read, the frames, the quarters
  concatenated), then written (``store_extract`` in a ``write_transaction`` of its own: the
  staged rows, the malformed lines and the ingest log) to a temporary SQLite warehouse,
  migrated before the clock starts and deleted after. This is what an ingest step costs, the
  full staging the guard's cost is set against; the pipeline's own warehouse may be
  PostgreSQL, whose write costs otherwise.

The three read each file with the same function; the guard's own work is its scan, printed
apart. Each side runs in a spawned child of its own, so that its peak resident set size
(VmHWM, interpreter and libraries included) is its own, and one after the other: the read's
time differs between them by what the machine's other work takes. CPU time is the child's
user and system time (pyarrow may use threads): on a shared machine it varies less than wall
time.

A file the reader refuses whole (a column outside the contract) counts as read, with no rows,
on both sides, the guard's refusal among its findings. A table whose files are all missing is
skipped and named (the guard's discovery refuses a year with a missing file; an older
generated delivery lacks newer tables); a table with some of its files missing is refused the
same way. ``--reference`` adds the reference files of their own
vintage (the ``ingest/reference_guard`` asset).

``--profile N`` runs the guard alone, under cProfile in this process, and prints its N most
expensive functions by cumulative time.

Not a test: prints figures for docs/PERFORMANCE.md. Nothing printed is a value of a record: a
finding is printed as the guard's own message (file, column, kind, counts).
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import pstats
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tip_pipeline.ingest.discovery import DeliveryError, expected_names, files_for
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.sources.contracts import EXTRACTS

RUN_ID = "bench_guard"
#: (table, period, path) of each file, in the guard's order
Files = list[tuple[str, FinancialYear | None, Path]]


@dataclass(frozen=True)
class FileTime:
    """One file's figures on one side: rows read, wall and CPU seconds, and the read's share
    of them."""

    name: str
    rows: int
    wall: float
    cpu: float
    read_wall: float = 0.0
    read_cpu: float = 0.0


@dataclass(frozen=True)
class Side:
    """What one child process measured over every file."""

    files: tuple[FileTime, ...]
    peak: int
    #: the guard's findings as its messages (never a value); empty for staging
    findings: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def wall(self) -> float:
        return sum(f.wall for f in self.files)

    @property
    def cpu(self) -> float:
        return sum(f.cpu for f in self.files)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_bytes() -> int:
    """This process's peak resident set size (VmHWM), which starts afresh at exec; not
    ``getrusage``, whose ru_maxrss a spawned child inherits from its parent."""
    status = Path("/proc/self/status").read_text()
    (line,) = (line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def delivered_files(data: Path, period: FinancialYear, reference: bool) -> Files:
    """(table, period, path) of every file the guard would scan, in the guard's order; tables
    whose files are all missing are named on stderr and left out."""
    units: list[tuple[str, FinancialYear | None]] = [
        (t, period) for t in contracts.tables(per_period=True)
    ]
    if reference:
        units += [(t, None) for t in contracts.tables(per_period=False)]
    found = []
    for table, when in units:
        if not any((data / n).is_file() for n in expected_names(table, when)):
            print(f"skipped {table}: no file of it in {data}", file=sys.stderr)
            continue
        found += [(table, when, path) for path in files_for(data, table, when)]
    return found


def guard_side(files: Files) -> Side:
    """The guard's work on each file, timed file by file: the two calls of
    ``validate.guard.scan_file``, the read (``read_extract``) and the scan (``scan_extract``)."""
    from tip_pipeline.ingest.reader import read_extract
    from tip_pipeline.validate.guard import scan_extract

    times, messages = [], []
    for table, when, path in files:
        wall, cpu = time.perf_counter(), _cpu()
        try:
            raw = read_extract(path, EXTRACTS[table])
        except DeliveryError as err:  # the guard refuses the file unread (a value-free message)
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            times.append(FileTime(path.name, 0, wall, cpu, wall, cpu))
            messages.append(str(err))
            continue
        read_wall, read_cpu = time.perf_counter() - wall, _cpu() - cpu
        found = scan_extract(raw, when)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        times.append(FileTime(path.name, raw.rows, wall, cpu, read_wall, read_cpu))
        messages += [f.message() for f in found]
    return Side(tuple(times), _peak_bytes(), tuple(messages))


def staging_side(files: Files) -> Side:
    """Each file read and framed as ``prepare_extract`` does it, timed file by file."""
    from datetime import UTC, datetime

    from tip_pipeline.ingest.load import malformed_frame, period_key, staging_frame
    from tip_pipeline.ingest.reader import read_extract

    times = []
    for table, when, path in files:
        extract = EXTRACTS[table]
        name = contracts.parse_file_name(path.name)
        quarter = name.quarter if name else None
        wall, cpu = time.perf_counter(), _cpu()
        try:
            raw = read_extract(path, extract)
        except DeliveryError:  # refused unread, as the guard does
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            times.append(FileTime(path.name, 0, wall, cpu, wall, cpu))
            continue
        read_wall, read_cpu = time.perf_counter() - wall, _cpu() - cpu
        key = period_key(extract, when)
        staging_frame(raw, key, quarter, RUN_ID)
        malformed_frame(raw, key, RUN_ID, datetime.now(UTC))
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        times.append(FileTime(path.name, raw.rows, wall, cpu, read_wall, read_cpu))
    return Side(tuple(times), _peak_bytes())


def stored_side(files: Files) -> Side:
    """Each table staged and written to a temporary SQLite warehouse as ``ingest_extract``
    does it, timed table by table: the read part is ``prepare_extract``, the rest the write."""
    import tempfile

    from tip_pipeline.ingest.discovery import DeliveryError
    from tip_pipeline.ingest.load import prepare_extract, store_extract
    from tip_pipeline.warehouse.engine import make_engine, write_transaction
    from tip_pipeline.warehouse.migrate import upgrade

    tables = {(table, when): path.parent for table, when, path in files}
    times = []
    with tempfile.TemporaryDirectory(prefix="bench_guard_") as folder:
        engine = make_engine(f"sqlite:///{folder}/warehouse/tip.db")
        upgrade(engine)
        for (table, when), data in tables.items():
            wall, cpu = time.perf_counter(), _cpu()
            try:
                prepared = prepare_extract(data, table, when, RUN_ID)
            except DeliveryError:  # a file refused unread, as the guard refuses it
                wall, cpu = time.perf_counter() - wall, _cpu() - cpu
                times.append(FileTime(table, 0, wall, cpu, wall, cpu))
                continue
            read_wall, read_cpu = time.perf_counter() - wall, _cpu() - cpu
            with write_transaction(engine, prepared.period) as conn:
                result = store_extract(conn, prepared)
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            times.append(FileTime(table, result.rows, wall, cpu, read_wall, read_cpu))
        engine.dispose()
    return Side(tuple(times), _peak_bytes())


def in_child(function: Callable[[Files], Side], files: Files) -> Side:
    """``function(files)`` in a fresh spawned process, so that its peak memory is its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, files).result()


def report(guard: Side, staging: Side, stored: Side) -> None:
    """Per file and in total: the guard (its read and its scan), staging (its read and its
    frame), staging with its write (prepared, then written), and the ratios of the guard
    and its scan to each staging."""
    print(
        f"{'file':38} {'rows':>10} {'guard wall (cpu)':>17} {'of it scan':>16} "
        f"{'staging wall (cpu)':>19} {'g/s':>5}"
    )
    for g, s in zip(guard.files, staging.files, strict=True):
        ratio = g.wall / s.wall if s.wall else float("nan")
        print(
            f"{g.name:38} {g.rows:>10,} {g.wall:>7.2f} s ({g.cpu:>5.2f}) "
            f"{g.wall - g.read_wall:>6.2f} s ({g.cpu - g.read_cpu:>5.2f}) "
            f"{s.wall:>8.2f} s ({s.cpu:>6.2f}) {ratio:>5.2f}"
        )
    rows = guard.rows
    print()
    sides = (
        ("guard", guard, "the read", "the scan"),
        ("staging", staging, "the read", "the frame"),
        ("staging + write", stored, "the prepare", "the write"),
    )
    for label, side, first, rest in sides:
        read_wall = sum(f.read_wall for f in side.files)
        read_cpu = sum(f.read_cpu for f in side.files)
        for part, wall, cpu in (
            (label, side.wall, side.cpu),
            (f"  {first}", read_wall, read_cpu),
            (f"  {rest}", side.wall - read_wall, side.cpu - read_cpu),
        ):
            print(f"{part:24} {wall:8.2f} s wall {cpu:8.2f} s CPU {rows / wall:>12,.0f} rows/s")
    print(f"{'rows':24} {rows:,} in {len(guard.files)} files")
    print(
        f"{'peak (VmHWM)':24} guard {guard.peak / 2**20:,.0f} MiB, "
        f"staging {staging.peak / 2**20:,.0f} MiB, staging + write {stored.peak / 2**20:,.0f} MiB"
    )
    if stored.rows != rows:
        print(f"rows staged with the write: {stored.rows:,} (the guard read {rows:,})")
    scan_wall = guard.wall - sum(f.read_wall for f in guard.files)
    scan_cpu = guard.cpu - sum(f.read_cpu for f in guard.files)
    for label, side in (("staging", staging), ("staging + write", stored)):
        met = "met" if guard.wall < side.wall else "not met"
        print(
            f"guard / {label}: {guard.wall / side.wall:.2f}x wall, "
            f"{guard.cpu / side.cpu:.2f}x CPU; target (guard cheaper): {met}"
        )
        print(
            f"scan alone / {label}: {scan_wall / side.wall:.2f}x wall, "
            f"{scan_cpu / side.cpu:.2f}x CPU"
        )
    print(f"findings: {len(guard.findings)}")
    for message in guard.findings:
        print(f"  {message}")


def profile(files: Files, top: int) -> None:
    """The guard under cProfile (its modules imported first), its ``top`` functions by
    cumulative and by own time."""
    import tip_pipeline.validate.guard  # noqa: F401

    profiler = cProfile.Profile()
    profiler.runcall(guard_side, files)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a delivery folder")
    parser.add_argument("--year", default="2023/24", help="the reporting year (2023/24)")
    parser.add_argument("--reference", action="store_true", help="add the static reference")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile, top N")
    args = parser.parse_args(argv)
    files = delivered_files(args.data, FinancialYear.parse(args.year), args.reference)
    if args.profile:
        profile(files, args.profile)
        return 0
    guard = in_child(guard_side, files)
    staging = in_child(staging_side, files)
    stored = in_child(stored_side, files)
    report(guard, staging, stored)
    return 0


if __name__ == "__main__":
    sys.exit(main())
