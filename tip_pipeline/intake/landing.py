"""The raw landing folder (``TIP_RAW_DIR``): which raw returns it holds, for which reporting
year, converted into the contract files of the data folder.

Nothing but intake reads this folder: it holds the returns as the authority keeps them, with
their identifiers, so it stays on the authority's side of the pipeline (docs/CONVENTIONS.md,
"Raw returns (intake)").

**Where the year comes from.** A return that carries its year in its data is dated by it: the
CIN census XML by its ``ReferenceDate`` (31 March ends the year), wherever it lies, and refused
if it lies in another year's folder. The SSDA903 return does not carry it, as CSV or XLSX
tables or as its XML, so it is dated by its folder: ``<raw>/2023-24/`` holds the returns of
the 2023/24 reporting year (the project's file tag, ``FinancialYear.tag``). An SSDA903 file
directly in the raw folder, or in a folder not named for a year, is refused with that reason:
a guessed year would put a year's children in another.

**Quarterly returns.** H-CLIC is reported by quarter: each section's file lies in its
quarter's folder inside the year's (``<raw>/2023-24/Q1/`` for April to June) and becomes that
quarter's contract file (``intake.services``). A section outside a quarter folder, or an annual
return inside one, is refused with that reason.

**The cross-reference** of people across the authority's systems (``intake.cross_reference``)
lies in the raw folder itself, since it is no year's return: it is told by its header, read
before any return, and applied to every year's ids before they are hashed. Two such files are
both refused (which one links?), and the returns are then taken in without linking, as they
are when there is none: each service keeps pseudonyms of its own.

**What a file is** is told by its content, never by its name alone: a CSV or XLSX table by
its header (``intake.ssda903``, ``intake.services``), an XML file by its root element (read
with the readers' own protections, ``ssda903_xml.root_element``): ``Message``, then its
collection, for the CIN census (``intake.cin_xml``), ``EXPSSDA903`` for the SSDA903 return
(``intake.ssda903_xml``), anything else refused. Any other file is refused and listed, never
read further; hidden files and Excel's lock files (``~$...``) are skipped and counted. A link
leaving the raw folder is refused without being read.

**One file per table and year.** Two files giving the same table of the same year are both
refused whole, naming each other: choosing one would silently drop the other's records. So the
previous year's Header and Episodes that an authority keeps for DfE's year-on-year checks go
in the previous year's folder: they are that year's return (``intake.ssda903``).

**Tables DfE added later.** A year whose return predates a table (the SW episodes table, from
2023/24) gets that table's contract file with no rows, and the report says why, so that every
year's delivery has every file its contracts name; a year that does give the table keeps it.

Every message names files by their path in the raw folder, lines, columns and counts, never a
value (a file's first line may be a record).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from tip_pipeline.atomic import written_whole
from tip_pipeline.errors import ValueFreeError, describe
from tip_pipeline.ingest.reader import file_sha256
from tip_pipeline.intake.cin_xml import CinXmlResult, read_cin_xml
from tip_pipeline.intake.cross_reference import (
    CrossReference,
    convert_cross_reference,
    is_cross_reference,
)
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.services import read_raw_table
from tip_pipeline.intake.ssda903 import LAYOUTS, IntakeResult
from tip_pipeline.intake.ssda903_xml import read_ssda903_xml, root_element
from tip_pipeline.intake.ssda903_xml_layout import ROOT as SSDA903_ROOT
from tip_pipeline.intake.tables import CSV_SUFFIXES, XLSX_SUFFIXES, read_table
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, Cadence

#: a reporting year's folder: the project's file tag, e.g. ``2023-24``
YEAR_FOLDER = re.compile(r"^\d{4}-\d{2}$")
#: a quarter's folder inside a year's, for a quarterly return (H-CLIC): ``Q1`` to ``Q4``
QUARTER_FOLDER = re.compile(r"^Q([1-4])$")
TABLE_SUFFIXES = CSV_SUFFIXES | XLSX_SUFFIXES
XML_SUFFIXES = frozenset({".xml"})
#: the root element of a CIN census return (``intake.cin_xml``)
CIN_ROOT = "Message"
UNDATED = (
    "the reporting year of a table (SSDA903, youth justice, H-CLIC) or of the SSDA903 XML "
    "cannot be known from its data: put it in the folder of its reporting year, e.g. 2023-24/"
)


class LandingError(ValueFreeError):
    """The raw folder cannot be read at all (not set, missing, not a folder)."""


@dataclass(frozen=True)
class RawFile:
    """A landed file: its path, its name relative to the raw folder (what messages show), the
    reporting year of its folder (None in the raw folder itself) and the quarter of its
    quarter folder (None outside one)."""

    path: Path
    name: str
    period: FinancialYear | None
    quarter: int | None = None


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


def _is_skipped(path: Path) -> bool:
    """A hidden file (``.DS_Store``) or Excel's lock file of an open workbook (``~$...``)."""
    return path.name.startswith((".", "~$"))


NOT_A_YEAR = (
    "in a folder not named for a reporting year (e.g. 2023-24, directly in the raw folder, or "
    "its quarter's folder 2023-24/Q1 for a quarterly return)"
)


def _period_of_folder(folder: Path, raw_dir: Path) -> tuple[FinancialYear | None, int | None] | str:
    """The year (and quarter) of the folder a file lies in; (None, None) for the raw folder
    itself; the reason as text when the folder is not a year's or a year's quarter's."""
    if folder == raw_dir:
        return None, None
    quarter = None
    match = QUARTER_FOLDER.match(folder.name)
    if match and folder.parent.parent == raw_dir:
        quarter, folder = int(match.group(1)), folder.parent
    if folder.parent != raw_dir or not YEAR_FOLDER.match(folder.name):
        return NOT_A_YEAR
    try:
        return FinancialYear.parse(folder.name), quarter
    except ValueError:
        return "in a folder named for no financial year (the two years must be consecutive)"


def _place(path: Path, raw_dir: Path, name: str) -> RawFile | FileRefusal:
    """The landed file, or why it is refused where it lies."""
    if path.is_symlink() and not path.resolve().is_relative_to(raw_dir.resolve()):
        return FileRefusal(name, "a link to a file outside the raw folder; refused unread")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES | XML_SUFFIXES:
        return FileRefusal(name, "not a CSV or XLSX table nor an XML return (the raw returns read)")
    placed = _period_of_folder(path.parent, raw_dir)
    if isinstance(placed, str):
        return FileRefusal(name, placed)
    period, quarter = placed
    raw = RawFile(path, name, period, quarter)
    if period is None and suffix in TABLE_SUFFIXES and not _is_cross_reference_file(raw):
        return FileRefusal(name, UNDATED)
    return raw


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


def years_before(files: Iterable[RawFile], first: FinancialYear) -> list[FinancialYear]:
    """The years of the year folders ``files`` lie in that come before ``first`` (the first
    reporting year), oldest first: the youth-justice history, taken in as the reporting years
    are (a first-time entrant is a child with no earlier caution or conviction, so the years
    before the first reporting year are needed; docs/DOMAIN.md). Only a year folder dates a
    youth-justice table, so a file in the raw folder itself (period None) gives no year."""
    return sorted({f.period for f in files if f.period is not None and f.period < first})


def landing_fingerprint(landing: Landing) -> dict[str, str]:
    """{file name in the raw folder: SHA-256} of every placed file: what the raw-returns sensor
    compares from one look to the next (content, never time stamps)."""
    return {f.name: file_sha256(f.path) for f in landing.files}


# --- converting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConvertedFile:
    """A raw file converted: its year (its folder's, or its own data's), one result per
    contract extract it gave (a CIN census XML gives five), and its file-level report lines
    beyond the results' own (elements dropped, unborn children, ...)."""

    file: str
    period: FinancialYear
    results: tuple[IntakeResult, ...]
    notes: tuple[str, ...] = ()

    @property
    def tables(self) -> tuple[str, ...]:
        """The slots the file fills: its tables, with their quarter where quarterly."""
        return tuple(r.slot for r in self.results)


def _convert_xml(
    raw: RawFile, pseudonymiser: Pseudonymiser, lookup: PostcodeLookup
) -> ConvertedFile | FileRefusal:
    """An XML return, told by its root: the SSDA903 return, dated by its folder, or the CIN
    census return; any other root refuses the file."""
    root, line = root_element(raw.path)
    if root == SSDA903_ROOT:
        return _convert_ssda903_xml(raw, pseudonymiser, lookup)
    if root != CIN_ROOT:
        return FileRefusal(
            raw.name,
            f"{raw.path.name}: line {line}: its root element is neither {CIN_ROOT} (the CIN "
            f"census return) nor {SSDA903_ROOT} (the SSDA903 return): not a return intake reads",
        )
    return _convert_cin_xml(raw, pseudonymiser)


def _convert_ssda903_xml(
    raw: RawFile, pseudonymiser: Pseudonymiser, lookup: PostcodeLookup
) -> ConvertedFile | FileRefusal:
    """The SSDA903 return's XML, dated by its year folder as the return's tables are."""
    if raw.period is None:
        return FileRefusal(raw.name, UNDATED)
    read = read_ssda903_xml(raw.path, pseudonymiser, lookup, raw.period)
    return ConvertedFile(raw.name, raw.period, read.results, tuple(read.notes()))


def _convert_cin_xml(raw: RawFile, pseudonymiser: Pseudonymiser) -> ConvertedFile | FileRefusal:
    """A CIN census return read whole in this process (:func:`census_converted`)."""
    return census_converted(raw, read_cin_xml(raw.path, pseudonymiser))


def census_converted(raw: RawFile, read: CinXmlResult) -> ConvertedFile | FileRefusal:
    """A CIN census return read (here, or in two parts by ``intake.census_worker``), dated by
    its ReferenceDate; refused if its folder says otherwise."""
    if raw.period is not None and raw.period != read.year:
        return FileRefusal(
            raw.name,
            f"its ReferenceDate dates it {read.year.label}, but it lies in the folder of "
            f"{raw.period.label}: move it to {read.year.tag}/ or to the raw folder itself",
        )
    notes = tuple(read.notes())  # each extract's account is reported with the year's
    return ConvertedFile(raw.name, read.year, read.results, notes)


def is_census(raw: RawFile) -> bool:
    """Whether the file is an XML file whose root element is the CIN census return's (read
    with the readers' protections), outside a quarter's folder; a file that cannot tell, or
    one in a quarter's folder, is not, and is left to :func:`convert_file`, which refuses it
    with its reason."""
    if raw.path.suffix.lower() not in XML_SUFFIXES or raw.quarter is not None:
        return False
    try:
        return root_element(raw.path)[0] == CIN_ROOT
    except ValueFreeError:
        return False


def _quarter_misplaced(raw: RawFile, result: IntakeResult) -> str | None:
    """Why a table's result cannot be placed by its folder: a quarterly return outside a
    quarter's folder, or an annual one inside."""
    quarterly = EXTRACTS[result.table].cadence is Cadence.QUARTERLY
    if quarterly and raw.quarter is None:
        return (
            f"{result.table} is reported by quarter: put the file in its quarter's folder "
            "(e.g. 2023-24/Q1/ for April to June)"
        )
    if not quarterly and raw.quarter is not None:
        return f"{result.table} is not a quarterly return: put the file in its year's folder"
    return None


def convert_file(
    raw: RawFile, pseudonymiser: Pseudonymiser, lookup: PostcodeLookup
) -> ConvertedFile | FileRefusal:
    """One raw file converted, or refused whole with its reader's value-free reason. A table
    in the raw folder itself is refused: it carries no year (the cross-reference, which is
    read there, is taken out first: :func:`take_cross_reference`)."""
    try:
        if raw.path.suffix.lower() in XML_SUFFIXES:
            if raw.quarter is not None:
                return FileRefusal(raw.name, "an XML return in a quarter's folder: not read")
            return _convert_xml(raw, pseudonymiser, lookup)
        if raw.period is None:
            return FileRefusal(raw.name, UNDATED)
        result = read_raw_table(raw.path, pseudonymiser, lookup)
    except ValueFreeError as error:
        return FileRefusal(raw.name, describe(error))
    misplaced = _quarter_misplaced(raw, result)
    if misplaced is not None:
        return FileRefusal(raw.name, misplaced)
    return ConvertedFile(raw.name, raw.period, (replace(result, quarter=raw.quarter),))


@dataclass
class YearIntake:
    """A reporting year's raw files converted: one result per contract extract written (with
    the raw file it came from), the files refused whole (unreadable, unrecognised, dated in
    another year's folder, or giving a table another file gives too), and file-level notes."""

    period: FinancialYear
    #: each result by its slot (its table, and its quarter for a quarterly one)
    results: dict[str, IntakeResult] = field(default_factory=dict)
    #: raw file name of each slot's result
    sources: dict[str, str] = field(default_factory=dict)
    refused: list[FileRefusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: contract tables written with no rows: DfE's return of the year does not hold them yet
    not_in_return: tuple[str, ...] = ()

    @property
    def converted_files(self) -> list[str]:
        return sorted(set(self.sources.values()))


def _twice_given(files: list[ConvertedFile]) -> dict[str, str]:
    """Files of one year giving a table another file gives too: file -> why it is refused."""
    holders: dict[str, list[str]] = defaultdict(list)
    for converted in files:
        for table in converted.tables:
            holders[table].append(converted.file)
    why: dict[str, str] = {}
    for table, names in sorted(holders.items()):
        for name in names if len(names) > 1 else ():
            others = ", ".join(n for n in names if n != name)
            why.setdefault(name, f"{table} is also in {others}: give each table of a year once")
    return why


def assemble_year(period: FinancialYear, files: list[ConvertedFile]) -> YearIntake:
    """The year from its converted files; files giving the same table are all refused whole
    (choosing one would silently drop the other's records). A year with SSDA903 tables whose
    return predates a table DfE added later gets it with no rows (:func:`not_yet_in_return`)."""
    year = YearIntake(period)
    twice = _twice_given(files)
    for converted in sorted(files, key=lambda c: c.file):
        if converted.file in twice:
            year.refused.append(FileRefusal(converted.file, twice[converted.file]))
            continue
        for result in converted.results:
            year.results[result.slot] = result
            year.sources[result.slot] = converted.file
        year.notes += [f"{converted.file}: {note}" for note in converted.notes]
    tables = {result.table for result in year.results.values()}
    if any(EXTRACTS[table].source == "ssda903" for table in tables):
        year.not_in_return = not_yet_in_return(period, tables)
        year.notes += [
            f"{table}: not part of the {period.label} return (DfE's table begins in "
            f"{since.label}): its contract file is written with no rows"
            for table, since in _since(year.not_in_return)
        ]
    return year


def not_yet_in_return(period: FinancialYear, given: set[str]) -> tuple[str, ...]:
    """The SSDA903 contract tables that ``period``'s return does not hold yet (DfE added them
    in a later year) and that no file of the year gives."""
    return tuple(
        layout.extract.table
        for layout in LAYOUTS
        if not layout.in_return(period) and layout.extract.table not in given
    )


def _since(tables: tuple[str, ...]) -> list[tuple[str, FinancialYear]]:
    """Each table with the first year whose return holds it."""
    since = {layout.extract.table: layout.since for layout in LAYOUTS if layout.since}
    return [(table, since[table]) for table in tables]


class Elsewhere(Protocol):
    """Files converted by someone else (``intake.census_worker``): which, and each one's
    result, as :func:`convert_file` would give it."""

    def __contains__(self, raw: RawFile) -> bool: ...

    def result(self, raw: RawFile) -> ConvertedFile | FileRefusal: ...


def is_read(raw: RawFile, periods: Collection[FinancialYear] | None) -> bool:
    """Whether a run limited to ``periods`` reads the file: one of those years' folders, or
    the raw folder itself (a CIN XML there is read to learn its year)."""
    return periods is None or raw.period is None or raw.period in periods


@dataclass(frozen=True)
class CrossReferences:
    """The raw folder's cross-reference (None where there is none, or where two files both
    claim to be it), the files it was looked for in that are something else, and the
    cross-reference files refused."""

    cross_reference: CrossReference | None
    others: tuple[RawFile, ...]
    refused: tuple[FileRefusal, ...]


def _is_cross_reference_file(raw: RawFile) -> bool:
    """A table in the raw folder itself whose header is the cross-reference's (its header is
    read; a file that cannot be read is left to be refused as any other)."""
    if raw.period is not None or raw.path.suffix.lower() not in TABLE_SUFFIXES:
        return False
    try:
        return is_cross_reference(read_table(raw.path).header)
    except ValueFreeError:
        return False


def take_cross_reference(files: Iterable[RawFile]) -> CrossReferences:
    """The cross-reference among the files of the raw folder itself. Two or more are all
    refused, naming each other: which one links is not for intake to choose."""
    files = list(files)
    found = [raw for raw in files if _is_cross_reference_file(raw)]
    others = tuple(raw for raw in files if raw not in found)
    if len(found) > 1:
        refused = tuple(
            FileRefusal(
                raw.name,
                "a cross-reference, as "
                + ", ".join(o.name for o in found if o is not raw)
                + " is: give one (the returns are taken in without linking)",
            )
            for raw in found
        )
        return CrossReferences(None, others, refused)
    if not found:
        return CrossReferences(None, others, ())
    try:
        table = read_table(found[0].path)
        return CrossReferences(convert_cross_reference(table), others, ())
    except ValueFreeError as error:
        return CrossReferences(None, others, (FileRefusal(found[0].name, describe(error)),))


def convert_landing(
    files: Iterable[RawFile],
    pseudonymiser: Pseudonymiser,
    lookup: PostcodeLookup,
    periods: Collection[FinancialYear] | None = None,
    elsewhere: Elsewhere | None = None,
) -> tuple[list[YearIntake], list[FileRefusal]]:
    """Every file converted (each read once) and gathered by its year, and the files refused
    before their year was known (a CIN XML in the raw folder itself that cannot be read, a
    table there). ``periods`` limits the years: a file in another year's folder is not read; a
    CIN XML in the raw folder itself is read to learn its year. The cross-reference, if the
    caller has one, is applied through ``pseudonymiser`` (``Pseudonymiser.with_links``). A
    file ``elsewhere`` holds is taken from it, in its place among the files, rather than
    converted here (converted there with the same ``pseudonymiser``, links and all)."""
    converted: dict[FinancialYear, list[ConvertedFile]] = defaultdict(list)
    refused: dict[FinancialYear, list[FileRefusal]] = defaultdict(list)
    undated: list[FileRefusal] = []
    for raw in files:
        if not is_read(raw, periods):
            continue
        if elsewhere is not None and raw in elsewhere:
            done = elsewhere.result(raw)
        else:
            done = convert_file(raw, pseudonymiser, lookup)
        if isinstance(done, ConvertedFile):
            if periods is None or done.period in periods:
                converted[done.period].append(done)
        elif raw.period is None:
            undated.append(done)
        else:
            refused[raw.period].append(done)
    years = []
    for period in sorted(set(converted) | set(refused)):
        year = assemble_year(period, converted.get(period, []))
        year.refused = refused.get(period, []) + year.refused
        years.append(year)
    return years, undated


# --- writing the contract files -------------------------------------------------------------


def contract_file_name(table: str, period: FinancialYear, quarter: int | None = None) -> str:
    """The data folder's name of a year's (or a year's quarter's) contract file
    (``data_sources/README.md``)."""
    names = EXTRACTS[table].file_names(period)
    if quarter is not None:
        return names[quarter - 1]
    (name,) = names
    return name


def write_contract_files(year: YearIntake, data_dir: Path) -> list[Path]:
    """Each converted table of the year as its contract file in ``data_dir``, and the tables
    its return does not hold yet as contract files with no rows (their header only)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    frames = {
        contract_file_name(result.table, year.period, result.quarter): result.frame
        for result in year.results.values()
    }
    frames |= {
        contract_file_name(table, year.period): pd.DataFrame(
            columns=list(EXTRACTS[table].column_names)
        )
        for table in year.not_in_return
    }
    written = []
    for name, frame in sorted(frames.items()):
        target = data_dir / name
        with written_whole(target) as temporary:  # ingestion never reads half a file
            write_csv(frame, temporary)
        written.append(target)
    return written


#: what makes pandas' CSV writer (Python's ``csv``, ``QUOTE_MINIMAL``) quote a column name
QUOTED_IN_NAMES = frozenset(',"\r\n')


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame.to_csv(path, index=False, encoding="utf-8")``, byte for byte, in a fraction of
    its time when every column is text: Arrow's CSV writer (``pyarrow.csv.write_csv``) writes
    the rows, never quoting (``quoting_style="none"``), after the header written here, and
    refuses any value holding a delimiter, a quote or a line break, which is then written by
    pandas as before (so quoted as pandas quotes it). A missing value is an empty field in
    both. Not taken: a column not of pandas' ``string`` type (another type may print
    otherwise), a name that needs quoting, a single column (where Python's ``csv`` quotes an
    empty value as ``""``). Writing the contract files was some 13% of intake's time with
    pandas alone (docs/PERFORMANCE.md, "Intake of an england-sized year")."""
    names = [str(name) for name in frame.columns]
    plain = (
        len(names) > 1
        and all(isinstance(dtype, pd.StringDtype) for dtype in frame.dtypes)
        and not any(QUOTED_IN_NAMES.intersection(name) for name in names)
    )
    if plain:
        try:
            _write_arrow_csv(frame, names, path)
            return
        except pa.ArrowInvalid:
            pass  # a value to quote: pandas writes the file anew
    frame.to_csv(path, index=False, encoding="utf-8")


def _write_arrow_csv(frame: pd.DataFrame, names: list[str], path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    with pa.OSFile(str(path), "wb") as sink:
        sink.write((",".join(names) + "\n").encode("utf-8"))
        pacsv.write_csv(table, sink, write_options=options)
