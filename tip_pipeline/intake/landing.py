"""The raw landing folder (``TIP_RAW_DIR``): which raw returns it holds, for which reporting
year, converted into the contract files of the data folder.

Nothing but intake reads this folder: it holds the returns as the authority keeps them, with
their identifiers, so it stays on the authority's side of the pipeline (docs/CONVENTIONS.md,
"Raw returns (intake)").

**Where the year comes from.** A return that carries its year in its data is dated by it (the
CIN census XML's ``ReferenceDate``, when its reader is added). The SSDA903 tables do not carry
it, so they are dated by their folder: ``<raw>/2023-24/`` holds the returns of the 2023/24
reporting year (the project's file tag, ``FinancialYear.tag``). A table directly in the raw
folder, or in a folder not named for a year, is refused with that reason: a guessed year would
put a year's children in another.

**What a file is** is told by its content, never by its name alone: a CSV or XLSX table by its
header (``intake.ssda903``). Any other file is refused and listed, never read further; hidden
files and Excel's lock files (``~$...``) are skipped and counted. A link leaving the raw folder
is refused without being read.

**One file per table and year.** Two files recognised as the same table of the same year are
both refused, naming each other: choosing one would silently drop the other's records.

Every message names files by their path in the raw folder, lines, columns and counts, never a
value (a file's first line may be a record).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tip_pipeline.atomic import written_whole
from tip_pipeline.errors import ValueFreeError, describe
from tip_pipeline.ingest.reader import file_sha256
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.ssda903 import IntakeResult, read_ssda903
from tip_pipeline.intake.tables import CSV_SUFFIXES, XLSX_SUFFIXES
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS

#: a reporting year's folder: the project's file tag, e.g. ``2023-24``
YEAR_FOLDER = re.compile(r"^\d{4}-\d{2}$")
TABLE_SUFFIXES = CSV_SUFFIXES | XLSX_SUFFIXES


class LandingError(ValueFreeError):
    """The raw folder cannot be read at all (not set, missing, not a folder)."""


@dataclass(frozen=True)
class RawFile:
    """A landed file: its path, its name relative to the raw folder (what messages show) and
    the reporting year of its folder (None in the raw folder itself)."""

    path: Path
    name: str
    period: FinancialYear | None


@dataclass(frozen=True)
class FileRefusal:
    """A landed file not converted, and why."""

    file: str
    reason: str


@dataclass(frozen=True)
class Landing:
    """What the raw folder holds: the files to convert, the files refused as they lie, and
    how many hidden or lock files were skipped."""

    files: tuple[RawFile, ...]
    refused: tuple[FileRefusal, ...]
    skipped: int

    @property
    def periods(self) -> list[FinancialYear]:
        return sorted({f.period for f in self.files if f.period is not None})

    def of_year(self, period: FinancialYear) -> tuple[RawFile, ...]:
        return tuple(f for f in self.files if f.period == period)


def _is_skipped(path: Path) -> bool:
    """A hidden file (``.DS_Store``) or Excel's lock file of an open workbook (``~$...``)."""
    return path.name.startswith((".", "~$"))


def _period_of_folder(folder: Path, raw_dir: Path) -> FinancialYear | str | None:
    """The year of the folder a file lies in; None for the raw folder itself; the reason as
    text when the folder is not a year's."""
    if folder == raw_dir:
        return None
    if folder.parent != raw_dir or not YEAR_FOLDER.match(folder.name):
        return (
            "in a folder not named for a reporting year (e.g. 2023-24, directly in the raw folder)"
        )
    try:
        return FinancialYear.parse(folder.name)
    except ValueError:
        return "in a folder named for no financial year (the two years must be consecutive)"


def _place(path: Path, raw_dir: Path, name: str) -> RawFile | FileRefusal:
    """The landed file, or why it is refused where it lies."""
    if path.is_symlink() and not path.resolve().is_relative_to(raw_dir.resolve()):
        return FileRefusal(name, "a link to a file outside the raw folder; refused unread")
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return FileRefusal(name, "not a CSV or XLSX table (the raw returns read)")
    period = _period_of_folder(path.parent, raw_dir)
    if isinstance(period, str):
        return FileRefusal(name, period)
    if period is None:
        return FileRefusal(
            name,
            "the reporting year of an SSDA903 table cannot be known from its data: put it in "
            "the folder of its reporting year, e.g. 2023-24/",
        )
    return RawFile(path, name, period)


def scan_landing(raw_dir: Path) -> Landing:
    """Every file of the raw folder and its year folders, placed or refused."""
    if not raw_dir.is_dir():
        raise LandingError(f"raw folder {raw_dir} does not exist (set TIP_RAW_DIR)")
    files: list[RawFile] = []
    refused: list[FileRefusal] = []
    skipped = 0
    for path in sorted(p for p in raw_dir.rglob("*") if not p.is_dir()):
        if _is_skipped(path):
            skipped += 1
            continue
        placed = _place(path, raw_dir, path.relative_to(raw_dir).as_posix())
        (files if isinstance(placed, RawFile) else refused).append(placed)
    return Landing(tuple(files), tuple(refused), skipped)


def landing_fingerprint(landing: Landing) -> dict[str, str]:
    """{file name in the raw folder: SHA-256} of every placed file: what the raw-returns sensor
    compares from one look to the next (content, never time stamps)."""
    return {f.name: file_sha256(f.path) for f in landing.files}


# --- converting a year ----------------------------------------------------------------------

#: a reader of one raw file: its contract extract's rows and the account of its records
Reader = Callable[[Path, Pseudonymiser, PostcodeLookup], IntakeResult]


@dataclass
class YearIntake:
    """A reporting year's raw files converted: one result per contract table written, and the
    files refused whole (unreadable, unrecognised, or a table given twice)."""

    period: FinancialYear
    results: dict[str, IntakeResult] = field(default_factory=dict)
    #: raw file name of each table's result
    sources: dict[str, str] = field(default_factory=dict)
    refused: list[FileRefusal] = field(default_factory=list)


def _converted(
    files: Iterable[RawFile], read: Reader, pseudonymiser: Pseudonymiser, lookup: PostcodeLookup
) -> tuple[list[tuple[RawFile, IntakeResult]], list[FileRefusal]]:
    """Each file read and converted, or refused with the reader's value-free reason."""
    done, refused = [], []
    for raw in files:
        try:
            done.append((raw, read(raw.path, pseudonymiser, lookup)))
        except ValueFreeError as error:
            refused.append(FileRefusal(raw.name, describe(error)))
    return done, refused


def convert_year(
    period: FinancialYear,
    files: Iterable[RawFile],
    pseudonymiser: Pseudonymiser,
    lookup: PostcodeLookup,
    read: Reader = read_ssda903,
) -> YearIntake:
    """Convert a year's raw files; a table given by two files is refused in both."""
    done, refused = _converted(files, read, pseudonymiser, lookup)
    by_table: dict[str, list[tuple[RawFile, IntakeResult]]] = defaultdict(list)
    for raw, result in done:
        by_table[result.table].append((raw, result))
    year = YearIntake(period, refused=refused)
    for table, given in sorted(by_table.items()):
        if len(given) == 1:
            raw, result = given[0]
            year.results[table] = result
            year.sources[table] = raw.name
            continue
        names = [raw.name for raw, _ in given]
        for raw, _ in given:
            others = ", ".join(n for n in names if n != raw.name)
            year.refused.append(
                FileRefusal(
                    raw.name,
                    f"{table} of {period.label} is also in {others}: give each table of a year "
                    "in one file",
                )
            )
    return year


# --- writing the contract files -------------------------------------------------------------


def contract_file_name(table: str, period: FinancialYear) -> str:
    """The data folder's name of a year's contract file (``data_sources/README.md``)."""
    (name,) = EXTRACTS[table].file_names(period)
    return name


def write_contract_files(year: YearIntake, data_dir: Path) -> list[Path]:
    """Each converted table of the year as its contract file in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table, result in sorted(year.results.items()):
        target = data_dir / contract_file_name(table, year.period)
        with written_whole(target) as temporary:  # ingestion never reads half a file
            result.frame.to_csv(temporary, index=False, encoding="utf-8")
        written.append(target)
    return written
