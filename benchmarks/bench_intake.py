"""Intake throughput of an england-sized year: CIN census XML and SSDA903 tables taken in
(``intake.run.take_in``), then the contract files it wrote staged (``ingest.load``), each in
a child process of its own, with wall and CPU time, rows per second and peak memory.

    python -u benchmarks/bench_intake.py                       # England-sized, several minutes
    python -u benchmarks/bench_intake.py --scale-factor 0.05   # a quick run
    python -u benchmarks/bench_intake.py --children 100000 --looked-after 25000 --keep /tmp/x

The target (issue #14): intake takes no longer than ingesting the rows it writes (wall time,
intake / ingest <= 1) and intake's peak resident set size stays under 1 GB (10**9 bytes).
Exit status 1 when either is missed. CPU time is printed beside wall time: on a shared machine
it varies less.

**What England-sized means** (one reporting year, DfE's national figures for 2023/24):

- CIN census: 399,460 children in need at 31 March 2024 (DfE, "Children in need", reporting
  year 2024, explore-education-statistics.service.gov.uk/find-statistics/children-in-need);
  the default is :data:`CIN_CHILDREN` children in the census XML. A real census holds more:
  every child with an episode open at any time in the year, closed ones included.
- SSDA903: 83,630 children looked after at 31 March 2024, 83,760 a year before and 33,050
  who started to be looked after during the year (DfE, "Children looked after in England
  including adoptions", reporting year 2024): some 116,800 looked after at some time in the
  year, the default :data:`LOOKED_AFTER` children of the Header table.
- Postcode lookup: ONS's postcode products list every live and terminated UK postcode, "over
  2.5 million" and growing each quarter (ONS, postcode directories); an authority reads the
  whole national file whatever its size, hence :data:`LOOKUP_POSTCODES` rows.

**How the volume is made, and what is not real about it.** ``tip generate --format dfe``
writes one authority's returns (leeds scale: about 13,800 CIN children and 2,500 looked-after
children a year). Those returns are replicated with distinct ids until the national volume is
reached, so every replica carries the generator's per-child mix of episodes, assessments,
plans, placements, missing episodes, reviews and outcomes. A replica's LAchildID and CHILD are
the original behind a fixed-width numeric tag, the same in both returns, so that a child links
across them as the original does; its postcodes are the original behind a two-letter tag (no
real postcode's shape: intake only normalises a postcode and looks it up), added to the
lookup with the original's areas. The UPN, which intake drops, is left as it is. The lookup is
padded with filler postcodes (``ZZ...``, which no return uses) to :data:`LOOKUP_POSTCODES`
rows. The key is the generator's synthetic one.

**What is timed.** Intake: ``take_in`` into a fresh SQLite warehouse, as ``tip intake`` does
(migrating it first, not timed), with the time of its phases and of each raw file taken from
the intake modules' own functions, wrapped in the child process only. Ingestion: for the CIN
and the SSDA903 source, every contract file intake wrote is read (``prepare_extract``) and
staged in one transaction (``store_extract`` in ``write_transaction``) into another fresh
SQLite warehouse, as ``validate.source_year.SourceYear.run`` stages a source-year, without
its validation. Peak memory is each child's own maximum resident set size (VmHWM: see
:func:`_rss_bytes`), interpreter and libraries included; the child imports only what its
stage needs. Intake reads a large census in two parts, the first in a worker process of its
own, the rest in its own process (``intake.census_worker``): its peak is then the SUM of the
intake process's peak and the worker's (``getrusage(RUSAGE_CHILDREN)`` once the worker has
ended), an upper bound of what the two held at any one time, which is also sampled
(:class:`RssSampler`, every 20 ms: the largest sum of the two resident sets seen); its CPU
time is the two processes' together.

Not a test: prints figures for docs/PERFORMANCE.md. Nothing printed is a value of a record.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import re
import resource
import shutil
import string
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: DfE: 399,460 children in need at 31 March 2024 (see the module)
CIN_CHILDREN = 400_000
#: DfE: 83,760 looked after at 31 March 2023 + 33,050 starting in the year 2023/24
LOOKED_AFTER = 116_800
#: ONS: "over 2.5 million" live and terminated UK postcodes, and growing
LOOKUP_POSTCODES = 2_700_000
YEAR = "2023/24"
SEED = 4242
#: the peak memory target: under 1 GB
PEAK_LIMIT_BYTES = 10**9
#: the tables of the Episodes table holding postcodes
POSTCODE_COLUMNS = ("HOME_POST", "PL_POST")
CHILD_ID = re.compile(r"<LAchildID>([^<]*)</LAchildID>")
CHILD_ELEMENT = re.compile(r"[ \t]*<Child>.*?</Child>\n", re.DOTALL)


# --- making the year's raw returns ------------------------------------------------------------


def id_tag(replica: int, replicas: int) -> str:
    """The fixed-width numeric prefix of a replica's ids: every replica's the same width, so
    that two replicas' ids never coincide (``10**width + replica``, never a leading zero)."""
    width = len(str(max(replicas - 1, 0)))
    return str(10**width + replica)


def postcode_tag(replica: int, replicas: int) -> str:
    """The fixed-width letter prefix of a replica's postcodes (base 26, ``AA``, ``AB``...)."""
    width = max(1, math.ceil(math.log(max(replicas, 2), 26)))
    letters = []
    for _ in range(width):
        replica, digit = divmod(replica, 26)
        letters.append(string.ascii_uppercase[digit])
    return "".join(reversed(letters))


def replica_counts(total: int, per_replica: int) -> list[int]:
    """How many of the original's children each replica takes: whole copies, then the first
    part of one more, ``total`` in all."""
    whole, part = divmod(total, per_replica)
    return [per_replica] * whole + ([part] if part else [])


@dataclass(frozen=True)
class CinTemplate:
    """The original census XML cut where replicas differ: the text before the children, each
    child as (text before its LAchildID's value, the value, the text after), the text after."""

    head: str
    children: tuple[tuple[str, str, str], ...]
    tail: str


def cin_template(xml: str) -> CinTemplate:
    """The census of ``xml`` cut into its head, its children and its tail."""
    found = list(CHILD_ELEMENT.finditer(xml))
    children = []
    for match in found:
        child = match.group(0)
        ident = CHILD_ID.search(child)
        assert ident is not None, "every generated child has its LAchildID"
        children.append((child[: ident.start(1)], ident.group(1), child[ident.end(1) :]))
    return CinTemplate(xml[: found[0].start()], tuple(children), xml[found[-1].end() :])


def write_cin(template: CinTemplate, target: Path, children: int) -> int:
    """The census of ``children`` children, replicas of the template's; its size in bytes."""
    counts = replica_counts(children, len(template.children))
    with target.open("w", encoding="utf-8") as out:
        out.write(template.head)
        for replica, count in enumerate(counts):
            tag = id_tag(replica, len(counts))
            out.writelines(f"{a}{tag}{ident}{b}" for a, ident, b in template.children[:count])
        out.write(template.tail)
    return target.stat().st_size


def replicate_ssda903(tables: dict[str, Any], looked_after: int) -> tuple[dict[str, Any], int]:
    """The SSDA903 tables (file name: frame, every value text) replicated to ``looked_after``
    children of the Header table; and the number of replicas (their postcodes' tags)."""
    import pandas as pd

    header = tables["903_header.csv"]
    counts = replica_counts(looked_after, len(header))
    copies: dict[str, list[pd.DataFrame]] = {name: [] for name in tables}
    for replica, count in enumerate(counts):
        kept = set(header["CHILD"].iloc[:count])
        tag, letters = id_tag(replica, len(counts)), postcode_tag(replica, len(counts))
        for name, frame in tables.items():
            copy = frame[frame["CHILD"].isin(kept)].copy()
            copy["CHILD"] = tag + copy["CHILD"]
            for column in (c for c in POSTCODE_COLUMNS if c in copy):
                copy[column] = copy[column].where(copy[column] == "", letters + copy[column])
            copies[name].append(copy)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in copies.items()}, len(
        counts
    )


def replicate_lookup(lookup: Any, replicas: int, rows: int) -> Any:
    """The generator's lookup with each replica's tagged postcodes, padded with filler
    postcodes (``ZZ`` and a number, each mapped to a filler LSOA) to ``rows`` rows."""
    import pandas as pd

    postcode_columns = [c for c in ("PCD7", "PCD8", "PCDS") if c in lookup]
    parts = []
    for replica in range(replicas):
        copy = lookup.copy()
        letters = postcode_tag(replica, replicas)
        for column in postcode_columns:
            copy[column] = letters + copy[column]
        parts.append(copy)
    filler = max(rows - replicas * len(lookup), 0)
    if filler:
        numbers = pd.Series(range(filler)).astype(str).str.zfill(7)
        pad = pd.DataFrame({c: "" for c in lookup.columns}, index=range(filler))
        for column in postcode_columns:
            pad[column] = "ZZ" + numbers.str[:3] + " " + numbers.str[3:]
        pad["LSOA21CD"] = "E0199" + numbers.str[-4:]
        pad["DOINTR"] = "198001"
        parts.append(pad)
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Year:
    """Where the made-up year lies and what it holds."""

    raw: Path
    lookup: Path
    key: Path
    cin_children: int
    looked_after: int
    cin_bytes: int
    ssda903_bytes: int
    lookup_rows: int


PATHS = ("raw", "lookup", "key")


def make_year(folder: Path, cin_children: int, looked_after: int, lookup_rows: int) -> Year:
    """Generate one leeds year of raw returns and replicate it to the volumes asked for."""
    import pandas as pd

    from tip_pipeline.periods import FinancialYear
    from tip_pipeline.sources.generator import dfe, generate

    leeds = folder / "leeds"
    generate(
        leeds, "leeds", seed=SEED, first_year=YEAR, last_year=YEAR, format="dfe", ssda903="csv"
    )
    tag = FinancialYear.parse(YEAR).tag
    source, raw = leeds / dfe.RAW / tag, folder / "raw" / tag
    raw.mkdir(parents=True, exist_ok=True)
    (census,) = source.glob("*.xml")
    cin_bytes = write_cin(
        cin_template(census.read_text(encoding="utf-8")), raw / census.name, cin_children
    )
    read = {"dtype": str, "keep_default_na": False}
    names = [dfe.HEADER_FILE, dfe.EPISODES_FILE, *dfe.OUTCOME_FILES.values()]
    tables, replicas = replicate_ssda903(
        {name: pd.read_csv(source / name, **read) for name in names}, looked_after
    )
    for name, frame in tables.items():
        frame.to_csv(raw / name, index=False)
    support = folder / "support"
    support.mkdir(exist_ok=True)
    lookup = replicate_lookup(
        pd.read_csv(leeds / dfe.SUPPORT / dfe.LOOKUP_FILE, **read), replicas, lookup_rows
    )
    lookup.to_csv(support / dfe.LOOKUP_FILE, index=False)
    dfe.write_key(support / dfe.KEY_FILE, (leeds / dfe.SUPPORT / dfe.KEY_FILE).read_bytes())
    shutil.rmtree(leeds)
    return Year(
        raw=folder / "raw",
        lookup=support / dfe.LOOKUP_FILE,
        key=support / dfe.KEY_FILE,
        cin_children=cin_children,
        looked_after=looked_after,
        cin_bytes=cin_bytes,
        ssda903_bytes=sum((raw / name).stat().st_size for name in names),
        lookup_rows=len(lookup),
    )


# --- the two stages, each in a child process ----------------------------------------------


@dataclass
class Clock:
    """Wall and CPU seconds of named parts of a stage, added up over their calls."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    #: the process's peak RSS and its RSS when the part last ended: when the peak was reached,
    #: and what each part left held
    peak: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)

    def add(self, part: str, wall: float, cpu: float) -> None:
        self.wall[part] = self.wall.get(part, 0.0) + wall
        self.cpu[part] = self.cpu.get(part, 0.0) + cpu
        self.peak[part], self.held[part] = _rss_bytes(), _rss_bytes("VmRSS")

    def timed(self, part: Callable[..., str], function: Callable) -> Callable:
        """``function``, adding each call's time to the part ``part(*args)`` names."""

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(part(*args), time.perf_counter() - start, time.process_time() - start_cpu)

        return wrapper


@dataclass(frozen=True)
class TableRows:
    """One table's records in a stage: read, written (or staged), refused (or malformed)."""

    table: str
    read: int
    written: int
    refused: int


@dataclass(frozen=True)
class Stage:
    """What a child process measured: the stage's wall and CPU seconds (its own worker's
    included), its parts', its tables' rows, and its peak RSS before the stage's work (after
    its imports) and at its end; the peak of the worker processes it started (0 if none),
    and the largest sum of its and its workers' resident sets sampled."""

    wall: float
    cpu: float
    clock: Clock
    tables: tuple[TableRows, ...]
    rss_before: int
    rss_peak: int
    workers_peak: int = 0
    workers_cpu: float = 0.0
    sampled_peak: int = 0

    @property
    def peak(self) -> int:
        """The stage's peak memory: its own and its workers' peaks added (an upper bound of
        what they held together at any one time)."""
        return self.rss_peak + self.workers_peak


class RssSampler:
    """The largest sum of the resident set sizes (VmRSS) of this process and its child
    processes, read from /proc every ``every`` seconds in a thread while in the ``with``."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, sum(_rss_of(pid) for pid in _family()))


def _family() -> list[str]:
    """This process's id and its children's (of any of its threads), from /proc."""
    pids = ["self"]
    for children in Path("/proc/self/task").glob("*/children"):
        try:
            pids += children.read_text().split()
        except OSError:
            continue
    return pids


def _rss_of(pid: str) -> int:
    """A process's resident set size now (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    lines = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(lines[0].split()[1]) * 1024 if lines else 0


def _rss_bytes(field: str = "VmHWM") -> int:
    """This process's peak resident set size so far: the kernel's high-water mark of its
    memory map (VmHWM), which starts afresh at exec; or its resident set size now (VmRSS). Not
    ``getrusage``: on Linux a spawned child's ru_maxrss starts at its parent's peak (the forked
    map's mark survives the exec), which would count the making of the year against intake."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux: the process's own peak, an upper bound of either
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    (line,) = (line for line in status.splitlines() if line.startswith(f"{field}:"))
    return int(line.split()[1]) * 1024


def _instrument_intake(clock: Clock) -> None:
    """Time intake's phases and each raw file, by wrapping the functions ``take_in`` calls
    (in this child process only)."""
    from tip_pipeline.intake import census_worker, landing, run
    from tip_pipeline.intake.postcodes import PostcodeLookup

    for name in ("scan_landing", "write_contract_files", "record_intake"):
        setattr(run, name, clock.timed(lambda *a, n=name: n, getattr(run, name)))
    landing.convert_file = clock.timed(lambda raw, *a: f"convert {raw.name}", landing.convert_file)
    census_worker.cut_offset = clock.timed(
        lambda path, near: f"cut {path.name} near {near / path.stat().st_size:.0%} of it",
        census_worker.cut_offset,
    )
    census_worker.read_tail = clock.timed(
        lambda raw, *a: f"read {raw.name}'s second part here", census_worker.read_tail
    )
    census_worker.CensusWorker.result = clock.timed(
        lambda worker, raw: f"{raw.name}: second part, wait, join",
        census_worker.CensusWorker.result,
    )
    read_lookup = PostcodeLookup.from_csv.__func__
    PostcodeLookup.from_csv = classmethod(
        clock.timed(lambda cls, *a: "read postcode lookup", read_lookup)
    )


def intake_stage(raw: Path, data: Path, url: str, key: Path, lookup: Path) -> Stage:
    """``take_in`` of ``raw`` into ``data`` and a fresh warehouse at ``url`` (child process)."""
    from tip_pipeline.intake.run import take_in
    from tip_pipeline.warehouse.engine import make_engine
    from tip_pipeline.warehouse.migrate import upgrade

    clock = Clock()
    _instrument_intake(clock)
    engine = make_engine(url)
    upgrade(engine)
    before = _rss_bytes()
    start, start_cpu = time.perf_counter(), time.process_time()
    with RssSampler() as sampler:
        summary = take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the census worker, ended
    workers_cpu = workers.ru_utime + workers.ru_stime
    engine.dispose()
    tables = tuple(
        TableRows(table, r.read, r.written, len(r.refused))
        for year in summary.years
        for table, r in sorted(year.results.items())
    )
    if summary.refused or any(year.refused for year in summary.years):
        raise SystemExit("intake refused a file: the made-up year is not what it should be")
    return Stage(
        wall,
        cpu + workers_cpu,
        clock,
        tables,
        before,
        _rss_bytes(),
        workers_peak=workers.ru_maxrss * 1024 if workers_cpu else 0,
        workers_cpu=workers_cpu,
        sampled_peak=sampler.peak,
    )


def _by_source(tables: list[str]) -> dict[str, list[str]]:
    """The tables grouped by their source, in the contracts' order."""
    from tip_pipeline.sources import contracts

    grouped: dict[str, list[str]] = {}
    for table in contracts.tables(per_period=True):
        if table in tables:
            grouped.setdefault(contracts.EXTRACTS[table].source, []).append(table)
    return grouped


def ingest_stage(data: Path, url: str, tables: list[str]) -> Stage:
    """Stage ``tables`` of the year from ``data`` into a fresh warehouse at ``url``, one
    transaction per source, as a source-year is staged (child process)."""
    from tip_pipeline.ingest.load import prepare_extract, store_extract
    from tip_pipeline.periods import FinancialYear
    from tip_pipeline.warehouse.engine import make_engine, write_transaction
    from tip_pipeline.warehouse.migrate import upgrade

    clock = Clock()
    prepare = clock.timed(lambda d, table, *a: f"read {table}", prepare_extract)
    store = clock.timed(lambda conn, p: f"stage {p.table}", store_extract)
    period = FinancialYear.parse(YEAR)
    engine = make_engine(url)
    upgrade(engine)
    before = _rss_bytes()
    rows = []
    start, start_cpu = time.perf_counter(), time.process_time()
    for _source, names in _by_source(tables).items():
        prepared = [prepare(data, table, period, "bench") for table in names]
        with write_transaction(engine, *(p.period for p in prepared)) as conn:
            for result in (store(conn, p) for p in prepared):
                rows.append(
                    TableRows(
                        result.table, result.rows + result.malformed, result.rows, result.malformed
                    )
                )
        del prepared
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    engine.dispose()
    return Stage(wall, cpu, clock, tuple(rows), before, _rss_bytes())


def in_child(function: Callable[..., Stage], *args: Any) -> Stage:
    """``function(*args)`` in a fresh spawned process, so that its peak memory is its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# --- the report ---------------------------------------------------------------------------


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def print_stage(name: str, stage: Stage) -> None:
    """A stage's tables, parts, totals and memory."""
    print(f"-- {name}")
    print(f"  {'table':<28} {'read':>10} {'written':>10} {'refused':>8}")
    for t in stage.tables:
        print(f"  {t.table:<28} {t.read:>10,} {t.written:>10,} {t.refused:>8,}")
    clock = stage.clock
    for part in clock.wall:
        print(
            f"  {part:<40} wall {clock.wall[part]:6.1f} s  cpu {clock.cpu[part]:6.1f} s  "
            f"peak {_mib(clock.peak[part]):>9} held {_mib(clock.held[part]):>9}"
        )
    written = sum(t.written for t in stage.tables)
    print(
        f"  total {written:,} rows written: wall {stage.wall:.1f} s, cpu {stage.cpu:.1f} s, "
        f"{written / stage.wall:,.0f} rows/s; peak RSS {_mib(stage.rss_peak)} "
        f"({_mib(stage.rss_before)} before the stage's work)",
        flush=True,
    )
    if stage.workers_cpu:
        print(
            f"  its worker process: cpu {stage.workers_cpu:.1f} s (in the total), peak RSS "
            f"{_mib(stage.workers_peak)}; peak of the two added {_mib(stage.peak)}, largest "
            f"sum sampled {_mib(stage.sampled_peak)}",
            flush=True,
        )


def verdict(intake: Stage, ingest: Stage) -> bool:
    """Print the ratios and whether both targets hold."""
    ratio, cpu_ratio = intake.wall / ingest.wall, intake.cpu / ingest.cpu
    fast, small = ratio <= 1, intake.peak < PEAK_LIMIT_BYTES
    print(f"intake / ingest: wall {ratio:.2f}x, cpu {cpu_ratio:.2f}x (target wall <= 1): "
          f"{'met' if fast else 'NOT met'}")  # fmt: skip
    print(f"intake peak RSS {intake.peak / 1e9:.3f} GB, its processes' peaks added "
          f"(target < 1 GB): "
          f"{'met' if small else 'NOT met'}", flush=True)  # fmt: skip
    return fast and small


def made_year(folder: Path, cin_children: int, looked_after: int, lookup_rows: int) -> Year:
    """The year made in ``folder`` before (``--keep``) if its volumes are these, else made."""
    record = folder / "year.json"
    if record.exists():
        fields = json.loads(record.read_text())
        year = Year(**{k: Path(v) if k in PATHS else v for k, v in fields.items()})
        if (year.cin_children, year.looked_after) == (cin_children, looked_after):
            return year
    shutil.rmtree(folder / "raw", ignore_errors=True)
    year = make_year(folder, cin_children, looked_after, lookup_rows)
    record.write_text(json.dumps({k: str(v) if k in PATHS else v for k, v in asdict(year).items()}))
    return year


def run(folder: Path, cin_children: int, looked_after: int, lookup_rows: int) -> bool:
    start = time.perf_counter()
    year = made_year(folder, cin_children, looked_after, lookup_rows)
    print(
        f"{YEAR}: CIN census {year.cin_children:,} children ({_mib(year.cin_bytes)}), "
        f"SSDA903 {year.looked_after:,} children ({_mib(year.ssda903_bytes)}), postcode "
        f"lookup {year.lookup_rows:,} rows; made or found in {time.perf_counter() - start:.0f} s",
        flush=True,
    )
    data = folder / "data"
    shutil.rmtree(data, ignore_errors=True)
    for stale in folder.glob("*.db*"):
        stale.unlink()
    intake = in_child(
        intake_stage, year.raw, data, f"sqlite:///{folder}/intake.db", year.key, year.lookup
    )
    print_stage("intake (take_in)", intake)
    tables = [t.table for t in intake.tables]
    ingest = in_child(ingest_stage, data, f"sqlite:///{folder}/ingest.db", tables)
    print_stage("ingest (prepare_extract + store_extract)", ingest)
    return verdict(intake, ingest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale-factor", type=float, default=1.0, help="of every default volume")
    parser.add_argument("--children", type=int, help=f"CIN children (default {CIN_CHILDREN:,})")
    parser.add_argument(
        "--looked-after", type=int, help=f"SSDA903 children (default {LOOKED_AFTER:,})"
    )
    parser.add_argument(
        "--lookup-postcodes", type=int, help=f"lookup rows (default {LOOKUP_POSTCODES:,})"
    )
    parser.add_argument(
        "--keep", type=Path, help="make the year here and keep it; a year kept there is used again"
    )
    args = parser.parse_args(argv)
    scale = args.scale_factor
    volumes = (
        args.children or round(CIN_CHILDREN * scale),
        args.looked_after or round(LOOKED_AFTER * scale),
        args.lookup_postcodes or round(LOOKUP_POSTCODES * scale),
    )
    with tempfile.TemporaryDirectory(prefix="tip-bench-intake-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        return 0 if run(folder, *volumes) else 1


if __name__ == "__main__":
    sys.exit(main())
