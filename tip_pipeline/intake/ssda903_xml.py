"""The SSDA903 return as DfE's XML (root ``EXPSSDA903``), read as a stream and converted into
the same contract extracts ``ssda903_*`` as the return's CSV or XLSX tables
(docs/CONVENTIONS.md, "Raw returns (intake)"; the layout and its sources are in
``intake.ssda903_xml_layout``).

**Only the reading differs.** Each record of the XML becomes a row of the raw table it is a
record of, under the CSV's column names (``CHILDID`` as CHILD, ``PL`` as PLACE, the child's
CHILD, DOB and SEX repeated from its HEADER), and the rows are converted by the CSV's own
conversion (:func:`ssda903.convert` with the table's :class:`ssda903.RawLayout`): the same
pseudonyms, dates, months of birth, LSOAs, PL_LA and partly unknown dates, the same reasons for
refusing a record. The XML of a year and its CSV tables give the same contract rows
(``tip_pipeline_tests/intake/test_ssda903_xml.py`` and the generator's end-to-end test prove
it on a generated year).

**Recognition and the year.** The root element must be ``EXPSSDA903``, DfE's root for this
return and no other's: any other XML is refused here (``intake.landing`` reads a CIN census by
its own root, ``Message``). The return carries no year, so it is dated by its year folder, as
the CSV tables are; landing refuses one lying in the raw folder itself.

**Safety.** Parsed by expat with defusedxml's protections set directly
(``intake.safe_expat.defused_parser``, as the CIN census is): a document type declaration, an
entity declaration or an external reference refuses the file, before any of it is expanded or
fetched, as does XML that is not well-formed; the message names the file, the line and the
kind of problem (expat's fixed text, or what was forbidden), never the file's text.

**Streaming.** The file is handed to expat a mebibyte at a time; text is handed over only
inside the elements read (expat's ``CharacterDataHandler`` is set at a field's start and
cleared at its end), so a dropped or unknown element's text is never read. One child's
elements are held until its ``CHILD`` ends; children are converted in batches of
:data:`CHUNK_CHILDREN`, so the raw text held is one batch's whatever the file's size, and
memory grows with the rows written.

**Accounting.** For each table, every record read is written or refused, with the file, the
line of the element that refused it (of the record's start tag when the element is missing;
of the HEADER's for a column the record takes from it), the element's path from the root and
why, never a value (:class:`ssda903.IntakeResult`: read = written + refused). Elements DfE's
return has that the contracts do not keep (UPN, MOTHER, MC_DOB, URN; PL_POST once PL_LA is
derived from it) are dropped and counted by path; any element not declared is dropped with all
it holds and named by its path (at most :data:`MAX_NAMED_UNKNOWN` distinct paths, the rest
counted); an element given twice where one is read (a second DOB in a HEADER) keeps the first
and is counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, NamedTuple
from xml.parsers import expat

import pandas as pd
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.safe_expat import ParseStopped, defused_parser, parse
from tip_pipeline.intake.ssda903 import IntakeResult, Refusal, convert
from tip_pipeline.intake.ssda903_xml_layout import (
    CHILD,
    CHILD_PATH,
    DROPPED,
    GROUPS,
    HEADER_ELEMENT,
    HEADER_FIELDS,
    HEADER_PATH,
    HEADER_RECORDS,
    NOT_UASC,
    RECORDS,
    ROOT,
    UASC_FLAG,
    USED,
    XmlRecord,
    record_condition,
)
from tip_pipeline.intake.tables import LINE, RawTable
from tip_pipeline.intake.xml_walk import MAX_NAMED_UNKNOWN, ElementCount, Skipping
from tip_pipeline.periods import FinancialYear

#: children converted at a time: the raw text held is one batch's, whatever the file's size
CHUNK_CHILDREN = 10_000
#: bytes handed to expat at a time
READ_BYTES = 1 << 20

UNKNOWN_WHY = "not an element of DfE's SSDA903 return where it is, nor of the contract: dropped"
REPEATED_WHY = "given again where the return has one: the first is read, this one dropped"

#: what a forbidden construct is; defusedxml's messages repeat the file's declarations, so
#: they are never shown
FORBIDDEN = {
    DTDForbidden: "a document type declaration (DTD) is forbidden: an SSDA903 return has none, "
    "and a DTD can declare entities that expand without bound or read other files",
    EntitiesForbidden: "an entity declaration is forbidden: an SSDA903 return has none",
    ExternalReferenceForbidden: "a reference to an external resource is forbidden: an SSDA903 "
    "return has none",
}


class Ssda903XmlError(ValueFreeError):
    """An XML file refused whole: not well-formed, a DTD or entity, or not an SSDA903 return.
    The message names the file, the line and the reason, never the file's text."""


def _refuse(file: str, line: int, reason: str) -> Ssda903XmlError:
    return Ssda903XmlError(f"{file}: line {line}: {reason}")


# --- the root, for telling the XML returns apart ----------------------------------------------


class _Root(Exception):
    """Raised by the first start tag to stop the parse once the root is known."""

    def __init__(self, name: str, line: int) -> None:
        super().__init__()
        self.name, self.line = name, line


def _parse(parser: expat.XMLParserType, stream: BinaryIO, file: str) -> None:
    """Hand the file to expat in large pieces; expat's and the protections' errors refuse it
    with the line and the kind of problem."""
    try:
        parse(parser, iter(lambda: stream.read(READ_BYTES), b""), FORBIDDEN)
    except ParseStopped as stopped:
        raise _refuse(file, stopped.line, stopped.reason) from None


def root_element(path: Path) -> tuple[str, int]:
    """The name of an XML file's root element and its line, read with the same protections
    as the file itself (a DTD before the root refuses it): what tells a CIN census return
    (``Message``) from an SSDA903 return (``EXPSSDA903``) before either reader runs."""
    parser = defused_parser()

    def first(name: str, attributes: list[str]) -> None:
        raise _Root(name, parser.CurrentLineNumber)

    parser.StartElementHandler = first
    try:
        with path.open("rb") as stream:
            _parse(parser, stream, path.name)
    except _Root as root:
        return root.name, root.line
    except OSError as error:
        raise Ssda903XmlError(f"{path.name}: cannot be read ({type(error).__name__})") from None
    raise _refuse(path.name, parser.CurrentLineNumber, "no root element")


# --- holding a child's records ------------------------------------------------------------------


class Value(NamedTuple):
    """An element's text (stripped; None when empty) and the line of its start tag."""

    text: str | None
    line: int


@dataclass
class _Group:
    """A repeated element being read: its table, its start line and its fields' values."""

    record: XmlRecord
    line: int
    values: dict[str, Value] = field(default_factory=dict)


@dataclass
class _Child:
    """One CHILD's elements until it ends."""

    line: int
    header_line: int | None = None
    header: dict[str, Value] = field(default_factory=dict)
    groups: list[_Group] = field(default_factory=list)


@dataclass
class _Rows:
    """One table's raw records of a batch, as columns: values, the line of each value's
    element (0: not given) and of each record's start tag."""

    record: XmlRecord
    values: dict[str, list[str | None]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.values = {c: [] for c in self.record.columns}
        self.lines = {c: [] for c in self.record.columns}

    def add(self, start: int, own: dict[str, Value], header: dict[str, Value]) -> None:
        self.starts.append(start)
        for column in self.record.columns:
            source = header if column in self.record.header_columns else own
            value = source.get(column, Value(None, 0))
            self.values[column].append(value.text)
            self.lines[column].append(value.line)


def _table(rows: _Rows, file: str) -> RawTable:
    """The batch's records as a raw table, numbered by their order (the refusals' lines are
    put back from the elements afterwards, :func:`_placed`)."""
    columns = rows.record.columns
    frame = pd.DataFrame({c: pd.Series(rows.values[c], dtype=object) for c in columns})
    return RawTable(
        file=file, unit=LINE, header=columns, frame=frame, positions=tuple(range(len(rows.starts)))
    )


def _placed(refusal: Refusal, rows: _Rows) -> Refusal:
    """A refusal of record number ``refusal.line`` at the line and path of the element that
    refused it (the record's start tag where the element is not given)."""
    index, column = refusal.line, refusal.column
    line = rows.lines[column][index] if column in rows.lines else 0
    path = rows.record.element_of(column) if column in rows.lines else None
    return refusal._replace(line=line or rows.starts[index], column=path)


@dataclass
class _Account:
    """One table's results so far, batch by batch."""

    frames: list[pd.DataFrame] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    read: int = 0
    home_lsoa_unknown: int = 0
    placement_la_unknown: int = 0
    partial_dates: int = 0

    def add(self, result: IntakeResult) -> None:
        self.frames.append(result.frame)
        self.refused += result.refused
        self.read += result.read
        self.home_lsoa_unknown += result.home_lsoa_unknown
        self.placement_la_unknown += result.placement_la_unknown
        self.partial_dates += result.partial_dates

    def result(self, file: str, record: XmlRecord) -> IntakeResult:
        frame = pd.concat(self.frames, ignore_index=True)
        return IntakeResult(
            file=file,
            table=record.layout.extract.table,
            unit=LINE,
            frame=frame,
            read=self.read,
            written=len(frame),
            refused=tuple(self.refused),
            home_lsoa_unknown=self.home_lsoa_unknown,
            placement_la_unknown=self.placement_la_unknown,
            partial_dates=self.partial_dates,
        )


# --- the result -------------------------------------------------------------------------------


def _counted(kind: str, element: ElementCount) -> str:
    return f"{kind} element {element.path}: {element.count} occurrence(s), {element.why}"


@dataclass(frozen=True)
class Ssda903XmlResult:
    """One SSDA903 return read from its XML: one account per table it gives (each checked by
    :class:`ssda903.IntakeResult`) and the file's own report lines."""

    file: str
    results: tuple[IntakeResult, ...]
    children: int
    dropped: tuple[ElementCount, ...] = ()
    unknown: tuple[ElementCount, ...] = ()
    unknown_unnamed: int = 0
    repeated: tuple[ElementCount, ...] = ()

    def notes(self) -> list[str]:
        """Elements dropped, unknown or repeated, by path and count."""
        lines = [f"SSDA903 return (XML): {self.children} CHILD element(s)"]
        lines += [_counted("dropped", d) for d in self.dropped]
        lines += [_counted("unknown", u) for u in self.unknown]
        if self.unknown_unnamed:
            lines.append(
                f"{self.unknown_unnamed} more unknown element(s) dropped, their paths not named "
                f"(more than {MAX_NAMED_UNKNOWN} distinct paths)"
            )
        lines += [_counted("repeated", r) for r in self.repeated]
        return lines

    def report(self) -> list[str]:
        lines = [f"{self.file}: {note}" for note in self.notes()]
        for result in self.results:
            lines += result.report()
        return lines


# --- the reader ---------------------------------------------------------------------------------


class Ssda903Reader(Skipping):
    """The expat handlers: follow the declared elements as they start and end, keep the
    fields' text, hold a child's records until its CHILD ends, convert each batch."""

    def __init__(
        self,
        parser: expat.XMLParserType,
        file: str,
        pseudonymiser: Pseudonymiser,
        lookup: PostcodeLookup,
        chunk_children: int = CHUNK_CHILDREN,
    ) -> None:
        self.parser = parser
        self.file = file
        self.pseudonymiser = pseudonymiser
        self.lookup = lookup
        self.chunk_children = chunk_children
        #: the paths of the open elements read, from the root down
        self.open: list[str] = []
        self.child: _Child | None = None
        self.group: _Group | None = None
        #: where the text of the field being read goes: its values, its raw column, its line
        self.target: tuple[dict[str, Value], str, int] | None = None
        self.text: list[str] = []
        self.skipped = 0
        self.children = 0
        self.batch_children = 0
        self.batch = self._new_batch()
        self.accounts = {r.layout.name: _Account() for r in RECORDS}
        self.dropped: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.unknown_unnamed = 0
        self.repeated: Counter[str] = Counter()
        self._read()

    @staticmethod
    def _new_batch() -> dict[str, _Rows]:
        return {r.layout.name: _Rows(r) for r in RECORDS}

    # -- reading -------------------------------------------------------------------------

    def start(self, name: str, attributes: list[str]) -> None:
        line = self.parser.CurrentLineNumber
        if not self.open:
            if name != ROOT:
                raise _refuse(
                    self.file, line, f"the root element is not {ROOT}: not an SSDA903 return"
                )
            self.open.append(ROOT)
            return
        parent = self.open[-1]
        path = f"{parent}/{name}"
        if self.target is not None:  # an element inside a field
            self._skip_unknown_path(path)
        elif parent == ROOT and name == CHILD:
            self.child = _Child(line)
            self.open.append(path)
        elif parent == CHILD_PATH and name == HEADER_ELEMENT and self.child is not None:
            self._header_starts(path, line)
        elif parent == HEADER_PATH and name in HEADER_FIELDS and self.child is not None:
            self._field(self.child.header, HEADER_FIELDS[name], path, line)
        elif path in GROUPS and self.child is not None and self.group is None:
            self.group = _Group(GROUPS[path], line)
            self.open.append(path)
        elif self.group is not None and parent == self.group.record.path:
            self._group_field(name, path, line)
        elif path in DROPPED:
            self.dropped[path] += 1
            self._skip()
        else:
            self._skip_unknown_path(path)

    def _header_starts(self, path: str, line: int) -> None:
        assert self.child is not None
        if self.child.header_line is not None:
            self.repeated[path] += 1
            self._skip()
            return
        self.child.header_line = line
        self.open.append(path)

    def _group_field(self, name: str, path: str, line: int) -> None:
        assert self.group is not None
        record = self.group.record
        if name in record.fields:
            self._field(self.group.values, record.fields[name], path, line)
        elif name in record.used:
            self.dropped[path] += 1
            self._field(self.group.values, name, path, line)
        elif path in DROPPED:
            self.dropped[path] += 1
            self._skip()
        else:
            self._skip_unknown_path(path)

    def _field(self, values: dict[str, Value], column: str, path: str, line: int) -> None:
        """A field starts: its text is kept, unless the field was given already."""
        if column in values:
            self.repeated[path] += 1
            self._skip()
            return
        self.target = (values, column, line)
        self.open.append(path)
        self.parser.CharacterDataHandler = self.text.append

    def end(self, name: str) -> None:
        path = self.open.pop()
        if self.target is not None:
            values, column, line = self.target
            self.parser.CharacterDataHandler = None
            text = "".join(self.text).strip()
            self.text.clear()
            values[column] = Value(text or None, line)
            self.target = None
        elif self.group is not None and path == self.group.record.path:
            assert self.child is not None
            self.child.groups.append(self.group)
            self.group = None
        elif path == CHILD_PATH:
            self._child_ends()

    def _child_ends(self) -> None:
        """The child's records, into the batch; a full batch is converted."""
        child = self.child
        assert child is not None
        header_start = child.header_line or child.line
        for record in HEADER_RECORDS:
            if _has_record(record, child.header):
                self.batch[record.layout.name].add(header_start, child.header, child.header)
        for group in child.groups:
            self.batch[group.record.layout.name].add(group.line, group.values, child.header)
        self.child = None
        self.children += 1
        self.batch_children += 1
        if self.batch_children >= self.chunk_children:
            self.flush()

    def _read(self) -> None:
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text.append if self.target else None

    # -- skipping ------------------------------------------------------------------------

    # -- batches and the result ----------------------------------------------------------

    def flush(self) -> None:
        """Convert the batch's records of every table, and start a new batch."""
        for name, rows in self.batch.items():
            result = convert(
                _table(rows, self.file), self.pseudonymiser, self.lookup, rows.record.layout
            )
            placed = sorted((_placed(r, rows) for r in result.refused), key=lambda r: r.line)
            self.accounts[name].add(replace(result, refused=tuple(placed)))
        self.batch = self._new_batch()
        self.batch_children = 0

    def result(self, period: FinancialYear | None) -> Ssda903XmlResult:
        """The file's result, once read to its end: a table for every table of the year's
        return (``period``; all of them when None) and any other the file gives records of."""
        results = tuple(
            self.accounts[r.layout.name].result(self.file, r)
            for r in RECORDS
            if period is None or r.layout.in_return(period) or self.accounts[r.layout.name].read
        )
        return Ssda903XmlResult(
            file=self.file,
            results=results,
            children=self.children,
            dropped=_counts(self.dropped, {**DROPPED, **USED}),
            unknown=_counts(self.unknown, defaultdict(lambda: UNKNOWN_WHY)),
            unknown_unnamed=self.unknown_unnamed,
            repeated=_counts(self.repeated, defaultdict(lambda: REPEATED_WHY)),
        )


def _has_record(record: XmlRecord, header: dict[str, Value]) -> bool:
    """Whether the child's HEADER makes a record of a table read from it: always for the
    Header table, else when one of its items is given (a UASC flag of 0 is none)."""
    condition = record_condition(record)
    if not condition:
        return True
    given = {c for c in condition if c in header and header[c].text is not None}
    if UASC_FLAG in given and header[UASC_FLAG].text == NOT_UASC:
        given.discard(UASC_FLAG)
    return bool(given)


def _counts(counter: Counter[str], why: dict[str, str]) -> tuple[ElementCount, ...]:
    return tuple(ElementCount(path, n, why[path]) for path, n in counter.items())


def read_ssda903_xml(
    path: Path | str,
    pseudonymiser: Pseudonymiser,
    lookup: PostcodeLookup,
    period: FinancialYear | None = None,
    chunk_children: int = CHUNK_CHILDREN,
) -> Ssda903XmlResult:
    """Read an SSDA903 return's XML and convert it into the ``ssda903_*`` contract extracts,
    one per table of ``period``'s return (DfE added the SW episodes table in 2023/24).

    Refused whole with a :class:`Ssda903XmlError` (file, line and reason, never its text) when
    it is no file, not well-formed XML, holds a DTD, an entity declaration or an external
    reference, or its root is not ``EXPSSDA903``."""
    path = Path(path)
    file = path.name
    if not path.is_file():
        raise Ssda903XmlError(f"{file}: no such file")
    parser = defused_parser()
    reader = Ssda903Reader(parser, file, pseudonymiser, lookup, chunk_children)
    try:
        with path.open("rb") as stream:
            _parse(parser, stream, file)
    except OSError as error:
        raise Ssda903XmlError(f"{file}: cannot be read ({type(error).__name__})") from None
    reader.flush()
    return reader.result(period)
