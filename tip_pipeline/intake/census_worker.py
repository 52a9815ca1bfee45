"""A large CIN census XML read in two parts by two processes: its first part in a worker
process while the intake's own process reads the postcode lookup and the SSDA903 tables, the
rest in the intake's own process after them, so that the two processors share intake's work.
At England's volume the census is some 60% of intake's CPU (12.5 s on a quiet machine,
against some 9 s for the lookup and the SSDA903 tables; docs/PERFORMANCE.md, "Intake of an
england-sized year"); read whole in the worker, the intake's process waited for it, and
intake took the time of the census alone.

Why a process and not a thread: the census read is Python called by expat for every element
(``intake.cin_xml``), which holds the interpreter's lock; a second process is the only way to
use a second core for it.

**Where the census is cut.** The file is cut before a child's start tag, ``<Child>``: a child
and everything it holds (episodes, assessments, plans, enquiries) is one reader's, so that no
record is split from the records it encloses, and what each part gives is rows, refusals and
counts that add up (``cin_xml.CinXmlPart.joined``). Where: the worker's part ``W`` and the
intake's work are balanced, ``start + W = R + (C - W)``, with ``C`` the censuses' bytes and
``R`` the intake's other work (the lookup and the raw tables), both in bytes of census read
in the same CPU time (:func:`worker_share`, its constants measured on the England year:
``docs/PERFORMANCE.md``, "The census read in two parts"). The cut is the first ``<Child>`` at
or after that share of the file's bytes (``cin_xml.cut_offset``); a file told no cut (a
share of all of it, no ``<Child>`` after it, a file not read as UTF-8) is read whole in the
worker, as before. Why not a dynamic split (the intake's process taking children from the
end until the two meet): each part is read by a parser of its own from its first byte, so
the parts must be fixed before the worker starts; the cost model leaves the imbalance of its
error, a second or two at England's volume, and needs no messages between the processes.

**The same protections and messages on every byte.** Each part is parsed by a parser of
``intake.safe_expat`` (DTDs, entities and external references refused). The worker's parser
reads the file from its first byte to the cut, the Header included (read once: the rest is
read as its continuation, ``CinReader.continued``); it then proves the cut sound: its reader
stands in ``Children`` between two children, and the document closes there
(``cin_xml.read_cin_xml_head``); bytes ``<Child>`` in a comment, a CDATA section or an
element skipped fail the proof, and the worker then reads the file whole. The intake's
parser is given ``<Message><Children>`` and as many line breaks as lie before the cut, then
the file's bytes from it (``cin_xml.read_cin_xml_tail``): every line it names (expat's error
lines, a record's refusal) is the file's own. The file's refusal is the one its whole read
would give: the first part's fault (it comes first in the file), else the second part's
(:func:`answer`). The accounts are checked again when the result is made (``IntakeResult``:
``read == written + refused`` for the file as a whole); rows keep the file's order (the
first part's, then the second's), refusals sort by line, column and record, and the pairs of
sources given both by the layout (``cin_convert.Accounts``), whatever the cut or the batches.
Which unknown element paths the report names (the first :data:`cin_xml.MAX_NAMED_UNKNOWN`)
cannot be told when the second part met more distinct ones than that: the file is then read
whole in the intake's process (a file that odd is not DfE's layout).

What the worker does is what the intake's process would do, with the same key and the same
cross-reference of people (the ``Pseudonymiser`` ``take_in`` made ``with_links``: a child the
cross-reference lists is hashed as its common person id there as here).

How the rows come back: each batch of rows the worker converts is appended at once to its
table's Arrow IPC file in a temporary folder of the data folder (hidden, beside the contract
files, whose rows they are, pseudonymised; :class:`SpilledFrames`), so the worker holds one
batch, not the file's rows; this process maps the files (``pyarrow.memory_map``) and removes
them at once: the rows cross without being copied through a pipe, which would hold them
twice in each process while they pass. The second part's rows are held here as read, and
follow the first's. The key, and the cross-reference's links where the raw folder has one,
cross to the worker through the pipe the standard library opens between the two
(``concurrent.futures``, the ``Pseudonymiser`` pickled), never a file.

Memory: the two processes run at once, so what they hold is added. Before waiting for the
worker, this process hands back to the operating system what Arrow's allocator (mimalloc)
keeps of the memory it has freed converting the other files (``MemoryPool.release_unused``,
once per census); the worker is stopped before its rows are mapped here.

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
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa

from tip_pipeline.errors import ValueFreeError, describe
from tip_pipeline.intake.cin_convert import HeldFrames
from tip_pipeline.intake.cin_layout import RECORDS
from tip_pipeline.intake.cin_xml import (
    CinXmlPart,
    cut_offset,
    read_cin_xml_head,
    read_cin_xml_tail,
    read_cin_xml_whole,
)
from tip_pipeline.intake.landing import ConvertedFile, FileRefusal, RawFile, census_converted
from tip_pipeline.intake.pseudonyms import Pseudonymiser

#: a census XML smaller than this (some 30,000 children as DfE's layout writes them, 1 to
#: 1.5 s of CPU to read) is read in the intake's own process: a worker costs about that to
#: start (its imports: 1 s of CPU)
WORKER_MIN_BYTES = 32 * 2**20
#: what the intake's own process's other work costs, in bytes of census read in the same
#: CPU time (see the module, "Where the census is cut"): a byte of a raw table (SSDA903's
#: CSV, read by Python's ``csv`` and checked field by field) and a byte of the postcode lookup
#: (read by Arrow). Measured on the England year (docs/PERFORMANCE.md, "The census read in two
#: parts"): 13.3 s of CPU for 36 MiB of SSDA903 tables and 3.0 s for the 156 MiB lookup,
#: against 10.3 s for 126 MiB of census read here
TABLE_BYTE_IN_CENSUS_BYTES = 4.5
LOOKUP_BYTE_IN_CENSUS_BYTES = 0.24
#: the worker's start (a fresh interpreter importing pandas and pyarrow, some 1 s of CPU) in
#: bytes of census, net of what the worker's part costs less per byte than the second part
#: here (which also counts the lines before the cut, beside the lookup and the tables' rows):
#: measured on the England year, 24.6 s of CPU for the worker's 309 MiB and its start, 0.080 s
#: a MiB, against 0.082 s here, so none
WORKER_START_IN_CENSUS_BYTES = 0


def processors() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worth_a_worker(raw: RawFile, min_bytes: int = WORKER_MIN_BYTES) -> bool:
    """Whether the census ``raw`` is read in a worker (see the module)."""
    return processors() > 1 and raw.path.stat().st_size >= min_bytes


def worker_share(census_bytes: int, table_bytes: int, lookup_bytes: int) -> float:
    """The share of each census's bytes that the worker reads, so that it ends when the
    intake's own process has read the lookup, the raw tables and the rest of the censuses:
    the worker's start and its part, ``W``, against the rest, ``R`` (in bytes of census),
    and the censuses' other part: ``start + W = R + (C - W)``, so ``W = (C + R - start) /
    2``, kept between none and all of ``C``."""
    if census_bytes <= 0:
        return 1.0
    rest = table_bytes * TABLE_BYTE_IN_CENSUS_BYTES + lookup_bytes * LOOKUP_BYTE_IN_CENSUS_BYTES
    worker = (census_bytes + rest - WORKER_START_IN_CENSUS_BYTES) / 2
    return min(max(worker / census_bytes, 0.0), 1.0)


def _mapped(rows: Path) -> pd.DataFrame:
    """The frame written to ``rows``, mapped from the file, not read into memory: its pages
    are read when its values are. Its columns are pandas ``string`` again and its index a
    range: the file's schema carries pandas' own description of the frame."""
    return pa.ipc.open_file(pa.memory_map(str(rows))).read_all().to_pandas()


class SpilledFrames:
    """The worker's ``cin_convert.Frames``: each batch's rows appended to its table's Arrow
    IPC file in ``folder`` as soon as converted, so that the worker holds one batch of rows,
    not the file's; the files are closed and sent (:meth:`sent`), or removed
    (:meth:`discard`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, Path] = {}
        self._writers: dict[str, pa.ipc.RecordBatchFileWriter] = {}

    def append(self, table: str, frame: pd.DataFrame) -> None:
        batch = pa.Table.from_pandas(frame, preserve_index=False)
        if table not in self._writers:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.files[table] = self.folder / f"{len(self.files)}.arrow"
            self._writers[table] = pa.ipc.new_file(str(self.files[table]), batch.schema)
        self._writers[table].write_table(batch)

    def frame(self, table: str) -> pd.DataFrame | None:
        return self.sent().frame(table)

    def sent(self) -> FrameFiles:
        """The files closed, as this process's reader of them is sent."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        return FrameFiles(dict(self.files))

    def discard(self) -> None:
        """The files closed and removed: a first part whose cut proved unsound."""
        for rows in self.sent().files.values():
            rows.unlink()
        self.files.clear()


@dataclass(frozen=True)
class FrameFiles:
    """The worker's rows as they are sent: the Arrow IPC file of each table's rows, by the
    table's record path; a table's frame is mapped from its file, which is then removed (a
    mapping outlives its file's name)."""

    files: dict[str, Path]

    def append(self, table: str, frame: pd.DataFrame) -> None:
        raise TypeError("the worker's rows are read here, never added to")

    def frame(self, table: str) -> pd.DataFrame | None:
        rows = self.files.get(table)
        if rows is None:
            return None
        frame = _mapped(rows)
        rows.unlink()
        return frame


@dataclass(frozen=True)
class SentPart:
    """What the worker read of a census, its rows in files (:class:`FrameFiles`): the first
    part, cut where it was told; or the whole file (``whole``), when it was told no cut or
    the cut proved unsound."""

    part: CinXmlPart
    whole: bool


def _sent(part: CinXmlPart, frames: SpilledFrames, whole: bool) -> SentPart:
    return SentPart(replace(part, accounts=replace(part.accounts, frames=frames.sent())), whole)


def read_in_worker(
    raw: RawFile, pseudonymiser: Pseudonymiser, folder: Path, cut: int | None
) -> SentPart | FileRefusal:
    """What the worker runs: the census ``raw`` read up to byte ``cut``
    (``cin_xml.read_cin_xml_head``), or whole when ``cut`` is None or proves not to stand
    between two children, its rows written to ``folder`` as they are converted; or the
    file's refusal, for a fault in the bytes read."""
    try:
        if cut is not None:
            head = SpilledFrames(folder / "head")
            part = read_cin_xml_head(raw.path, pseudonymiser, cut, frames=head)
            if part is not None:
                return _sent(part, head, whole=False)
            head.discard()
        whole = SpilledFrames(folder / "whole")
        return _sent(read_cin_xml_whole(raw.path, pseudonymiser, frames=whole), whole, True)
    except ValueFreeError as error:
        return FileRefusal(raw.name, describe(error))


def read_tail(raw: RawFile, pseudonymiser: Pseudonymiser, cut: int) -> CinXmlPart | FileRefusal:
    """The census ``raw`` from byte ``cut`` to its end, read in this process, its rows held
    here (``cin_xml.read_cin_xml_tail``); or the refusal a fault there gives the file, if
    the first part proves the cut sound and has none of its own."""
    try:
        return read_cin_xml_tail(raw.path, pseudonymiser, cut, frames=HeldFrames())
    except ValueFreeError as error:
        return FileRefusal(raw.name, describe(error))


def joined(head: CinXmlPart, tail: CinXmlPart) -> CinXmlPart | None:
    """The two parts as one reader would have read the file: the head's rows (mapped from
    the worker's files) then the tail's, per table; None when that cannot be told
    (``CinXmlPart.joined``)."""
    assert isinstance(tail.accounts.frames, HeldFrames)
    frames = HeldFrames()
    for layout in RECORDS:
        first = head.accounts.frames.frame(layout.path)
        frames.batches[layout.path] = [
            *([] if first is None else [first]),
            *tail.accounts.frames.batches[layout.path],
        ]
    return head.joined(tail, frames)


def answer(
    raw: RawFile,
    sent: SentPart | FileRefusal,
    tail: CinXmlPart | FileRefusal | None,
    pseudonymiser: Pseudonymiser,
) -> ConvertedFile | FileRefusal:
    """The census's result from what the worker sent and the tail read here, as
    ``landing.convert_file`` would give it reading the file whole: the first part's refusal
    (its fault comes first in the file); the worker's whole read; the tail's refusal; or the
    two parts joined. Parts that cannot be joined (``CinXmlPart.joined``) leave the file to
    be read whole here."""
    if isinstance(sent, FileRefusal):
        return sent
    try:
        if sent.whole:
            read = sent.part
        elif tail is None or isinstance(tail, FileRefusal):
            assert tail is not None, "a part sent needs its tail"
            return tail
        else:
            both = joined(sent.part, tail)
            read = both if both is not None else read_cin_xml_whole(raw.path, pseudonymiser)
        return census_converted(raw, read.result())
    except ValueFreeError as error:
        return FileRefusal(raw.name, describe(error))


class CensusWorker:
    """The census files given, each read in two parts (see the module): the first of each in
    one worker process, started on entering, the rest in this process when
    :meth:`result` asks for the file (``landing.Elsewhere``). Leaving removes the temporary
    folder and stops the worker: a file not yet started is not read; after an error, a file
    being read is abandoned without waiting (the worker ends when it has read it, its rows
    written nowhere that stays).

    ``share`` is the part of each file's bytes the worker reads (:func:`worker_share`); the
    file is cut at the first ``<Child>`` from there (``cin_xml.cut_offset``), or not cut.

    The worker is started by ``spawn``, which imports the main module of the program anew
    in the worker: a script calling ``take_in`` must keep its own work under
    ``if __name__ == "__main__":``, as ``tip`` and Dagster's processes do (Python's
    ``multiprocessing``, "Safe importing of main module")."""

    def __init__(
        self,
        files: Iterable[RawFile],
        pseudonymiser: Pseudonymiser,
        data_dir: Path,
        share: float = 1.0,
    ) -> None:
        self._files = list(files)
        self._pseudonymiser = pseudonymiser
        self._data_dir = data_dir
        self._share = share
        self._cuts: dict[Path, int | None] = {}
        self._futures: dict[Path, Future[SentPart | FileRefusal]] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> CensusWorker:
        if not self._files:
            return self
        self._data_dir.mkdir(parents=True, exist_ok=True)
        self._scratch = tempfile.TemporaryDirectory(dir=self._data_dir, prefix=".intake-census-")
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        for number, raw in enumerate(self._files):
            near = int(raw.path.stat().st_size * self._share)
            self._cuts[raw.path] = cut_offset(raw.path, near)
            folder = Path(self._scratch.name) / str(number)
            self._futures[raw.path] = self._pool.submit(
                read_in_worker, raw, self._pseudonymiser, folder, self._cuts[raw.path]
            )
        return self

    def __contains__(self, raw: RawFile) -> bool:
        return raw.path in self._futures

    def result(self, raw: RawFile) -> ConvertedFile | FileRefusal:
        """The file's :class:`ConvertedFile` or :class:`FileRefusal`: its tail read here,
        then the worker's part waited for; an error the worker met is raised here. The
        worker is stopped once it has sent its last file, before that file's rows are mapped
        here: the two processes never hold them at once."""
        cut = self._cuts[raw.path]
        tail = None if cut is None else read_tail(raw, self._pseudonymiser, cut)
        pa.default_memory_pool().release_unused()  # see the module, "Memory"
        sent = self._futures.pop(raw.path).result()
        if not self._futures and self._pool is not None:
            self._pool.shutdown(wait=True)
        return answer(raw, sent, tail, self._pseudonymiser)

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
