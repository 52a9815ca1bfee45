"""A large CIN census XML converted in a second process, while the intake's own process reads
the postcode lookup and the SSDA903 tables: at England's volume the census is some 60% of
intake's CPU (12.5 s on a quiet machine, against some 9 s for the lookup and the SSDA903
tables; docs/PERFORMANCE.md, "Intake of an england-sized year"), and it needs no lookup.

Why a process and not a thread: the census read is Python called by expat for every element
(``intake.cin_xml``), which holds the interpreter's lock; a second process is the only way to
use a second core for it. Why only the census: it is one file read start to end, with nothing
shared with the other files but the key (and the cross-reference's links), and its result is
five tables whose rows and account come back whole.

What the worker does is what the intake's process would do: ``landing.convert_census`` on the
same file with the same key and the same cross-reference of people (the ``Pseudonymiser``
``take_in`` made ``with_links``: a child the cross-reference lists is hashed as its common
person id there as here), so the same reader with the same protections (``intake.safe_expat``:
DTDs, entities and external references refused), the same messages (file, line, element path
and reason, never a value) and the same accounts (every record read is written or refused).
The accounts are checked again when the result is rebuilt here (``IntakeResult`` checks
``read == written + refused`` on creation).

How the rows come back: each batch of rows the worker converts is appended at once to its
table's Arrow IPC file in a temporary folder of the data folder (hidden, beside the contract
files, whose rows they are, pseudonymised; :class:`SpilledFrames`), so the worker holds one
batch, not the file's rows; this process maps the files (``pyarrow.memory_map``) and removes
them at once: the rows cross without being copied through a pipe, which would hold them
twice in each process while they pass. The key, and the cross-reference's links where the
raw folder has one, cross to the worker through the pipe the standard library opens between
the two (``concurrent.futures``, the ``Pseudonymiser`` pickled), never a file.

Memory: the two processes run at once, so what they hold is added. Before waiting for the
worker, this process hands back to the operating system what Arrow's allocator (mimalloc)
keeps of the memory it has freed converting the other files (``MemoryPool.release_unused``,
once per census: some 50 of 550 MiB after England's SSDA903 tables); the worker is stopped
before its rows are mapped here.

When: only for a census of at least :data:`WORKER_MIN_BYTES`, and only on a machine with more
than one processor available to the process. A worker costs some 1 to 2 s to start (a fresh
interpreter importing pandas and pyarrow, ``spawn``: never a fork of a process that may hold
threads or open connections), which a smaller census takes to read.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd
import pyarrow as pa

from tip_pipeline.intake.cin_layout import RECORDS
from tip_pipeline.intake.landing import ConvertedFile, FileRefusal, RawFile, convert_census
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.ssda903 import IntakeResult
from tip_pipeline.periods import FinancialYear

#: a census XML smaller than this (some 30,000 children as DfE's layout writes them, 1 to
#: 1.5 s of CPU to read) is read in the intake's own process: a worker costs about that to
#: start (its imports: 1 s of CPU)
WORKER_MIN_BYTES = 32 * 2**20


@dataclass(frozen=True)
class SentResult:
    """An :class:`IntakeResult` as the worker sends it: every field but the frame, and the
    Arrow IPC file holding the frame's rows (None for a table without rows, whose frame,
    empty, is sent as it is)."""

    fields: dict[str, Any]
    rows: Path | None
    empty: pd.DataFrame | None = None


@dataclass(frozen=True)
class SentFile:
    """A :class:`ConvertedFile` as the worker sends it."""

    file: str
    period: FinancialYear
    results: tuple[SentResult, ...]
    notes: tuple[str, ...]


def processors() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worth_a_worker(raw: RawFile, min_bytes: int = WORKER_MIN_BYTES) -> bool:
    """Whether the census ``raw`` is read in a worker (see the module)."""
    return processors() > 1 and raw.path.stat().st_size >= min_bytes


def _mapped(rows: Path) -> pd.DataFrame:
    """The frame written to ``rows``, mapped from the file, not read into memory: its pages
    are read when its values are. Its columns are pandas ``string`` again and its index a
    range: the file's schema carries pandas' own description of the frame."""
    return pa.ipc.open_file(pa.memory_map(str(rows))).read_all().to_pandas()


class SpilledFrames:
    """The worker's ``cin_convert.Frames``: each batch's rows appended to its table's Arrow
    IPC file as soon as converted, so that the worker holds one batch of rows, not the
    file's; a table's rows are mapped from its file at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, Path] = {}
        self._writers: dict[str, pa.ipc.RecordBatchFileWriter] = {}

    def append(self, table: str, frame: pd.DataFrame) -> None:
        batch = pa.Table.from_pandas(frame, preserve_index=False)
        if table not in self._writers:
            self.files[table] = self.folder / f"{len(self.files)}.arrow"
            self._writers[table] = pa.ipc.new_file(str(self.files[table]), batch.schema)
        self._writers[table].write_table(batch)

    def frame(self, table: str) -> pd.DataFrame | None:
        if table not in self._writers:
            return None
        self._writers.pop(table).close()
        return _mapped(self.files[table])


def _send(done: ConvertedFile | FileRefusal, frames: SpilledFrames) -> SentFile | FileRefusal:
    """A converted file as the worker sends it, each table's rows left in the file they were
    written to while read (:class:`SpilledFrames`); a refusal as it is."""
    if isinstance(done, FileRefusal):
        return done
    by_table = {layout.extract.table: layout.path for layout in RECORDS}
    sent = []
    for result in done.results:
        kept = {f.name: getattr(result, f.name) for f in fields(result) if f.name != "frame"}
        rows = frames.files.get(by_table[result.table])
        sent.append(SentResult(kept, rows, result.frame if rows is None else None))
    return SentFile(done.file, done.period, tuple(sent), done.notes)


def convert_in_worker(
    raw: RawFile, pseudonymiser: Pseudonymiser, folder: Path
) -> SentFile | FileRefusal:
    """What the worker runs: :func:`landing.convert_census` of ``raw``, its rows written to
    ``folder`` (made here) as they are converted, sent back as a :class:`SentFile`, or the
    file's refusal."""
    folder.mkdir()
    frames = SpilledFrames(folder)
    return _send(convert_census(raw, pseudonymiser, frames), frames)


def _frame(sent: SentResult) -> pd.DataFrame:
    """A table's rows as the worker sent them; the file is removed once mapped (a mapping
    outlives its file's name)."""
    if sent.rows is None:
        assert sent.empty is not None
        return sent.empty
    frame = _mapped(sent.rows)
    sent.rows.unlink()
    return frame


def _received(sent: SentFile | FileRefusal) -> ConvertedFile | FileRefusal:
    """The worker's answer as :func:`landing.convert_census` gave it: a
    :class:`ConvertedFile` whose results are rebuilt (their accounts checked again on
    creation), or the file's refusal."""
    if isinstance(sent, FileRefusal):
        return sent
    results = tuple(IntakeResult(**r.fields, frame=_frame(r)) for r in sent.results)
    return ConvertedFile(sent.file, sent.period, results, sent.notes)


class CensusWorker:
    """The census files given, converted in one worker process started on entering; each
    file's result taken by :meth:`result` (``landing.Elsewhere``). Leaving removes the
    temporary folder and stops the worker: a file not yet started is not read; after an
    error, a file being read is abandoned without waiting (the worker ends when it has read
    it, its rows written nowhere that stays).

    The worker is started by ``spawn``, which imports the main module of the program anew
    in the worker: a script calling ``take_in`` must keep its own work under
    ``if __name__ == "__main__":``, as ``tip`` and Dagster's processes do (Python's
    ``multiprocessing``, "Safe importing of main module")."""

    def __init__(
        self, files: Iterable[RawFile], pseudonymiser: Pseudonymiser, data_dir: Path
    ) -> None:
        self._files = list(files)
        self._pseudonymiser = pseudonymiser
        self._data_dir = data_dir
        self._futures: dict[Path, Future[SentFile | FileRefusal]] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> CensusWorker:
        if not self._files:
            return self
        self._data_dir.mkdir(parents=True, exist_ok=True)
        self._scratch = tempfile.TemporaryDirectory(dir=self._data_dir, prefix=".intake-census-")
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        for number, raw in enumerate(self._files):
            folder = Path(self._scratch.name) / str(number)
            self._futures[raw.path] = self._pool.submit(
                convert_in_worker, raw, self._pseudonymiser, folder
            )
        return self

    def __contains__(self, raw: RawFile) -> bool:
        return raw.path in self._futures

    def result(self, raw: RawFile) -> ConvertedFile | FileRefusal:
        """The file's :class:`ConvertedFile` or :class:`FileRefusal`, once the worker has it;
        an error the worker met is raised here. The worker is stopped once it has sent its
        last file, before that file's rows are mapped here: the two processes never hold
        them at once."""
        pa.default_memory_pool().release_unused()  # see the module, "Memory"
        sent = self._futures.pop(raw.path).result()
        if not self._futures and self._pool is not None:
            self._pool.shutdown(wait=True)
        return _received(sent)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:  # after an error here, not waiting for the worker's file
            self._pool.shutdown(wait=kind is None, cancel_futures=True)
        if self._scratch is not None:
            self._scratch.cleanup()
