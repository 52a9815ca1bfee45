"""The CIN census reader of the intake: a local authority's children in need census return, the
XML file it submits to DfE, converted into the project's contract extracts ``cin_children``,
``cin_episodes``, ``cin_assessments``, ``cin_cp_plans`` and ``cin_section47``
(docs/CONVENTIONS.md, "Raw returns (intake)").

The layout is DfE's: *Children in need census: business and technical specification*,
published by the Department for Education for each collection year, section "XML schema"
("XML header" and "Child XML message structure"). A return is one ``Message`` holding a
``Header`` (``CollectionDetails``: Collection, Year, ReferenceDate; ``Source``: SourceLevel,
LEA, SoftwareCode, Release, SerialNo, DateTime) and ``Children``: one ``Child`` per child, with
its ``ChildIdentifiers``, its ``ChildCharacteristics`` and one ``CINdetails`` per episode of
need, each holding its ``Assessments``, ``CINPlanDates``, ``Section47`` (each enquiry) and
``ChildProtectionPlans`` (each plan with its ``Reviews``). The element names and where they sit
were checked against the sector's validator, data-to-insight/csc-validator-be-cin (its XML
reader ``cin_validator/ingress.py``, its table definitions ``rule_engine/__api.py``, the
returns of its ``fake_data`` folder and its rules for 2022/23 and 2024/25). They are declared
as data in ``intake.cin_layout`` (``RecordLayout``): which element is a record of which
contract extract, which elements become which contract column and how, and which are dropped
and why. ``intake.cin_convert`` converts a batch of records into rows and refusals; this
module parses the file, reads its header and gives the result.

What is kept, and how:

- One row per ``Child`` (``cin_children``), per ``CINdetails`` (``cin_episodes``), per
  ``Assessments`` (``cin_assessments``), per ``ChildProtectionPlans`` (``cin_cp_plans``) and
  per ``Section47`` (``cin_section47``: S47ActualStartDate, InitialCPCtarget, DateOfInitialCPC,
  ICPCnotRequired), however many a child or an episode has. An episode's rows carry its child's
  pseudonym; an assessment's, a plan's and a section 47 enquiry's carry their episode's
  CINreferralDate too, the key the contract links them by.
- LAchildID becomes its keyed pseudonym (``intake.pseudonyms``, no declared width, as for
  SSDA903's CHILD: the authority's own id, of no fixed length). A child without one is refused.
- PersonBirthDate is cut to the first of its month. An unborn child has no PersonBirthDate but
  an ExpectedPersonBirthDate (the specification asks for one or the other, DfE rule 8525): the
  expected date is written as PersonBirthDate, cut to the month too, and counted in the report.
- Sex: from 2024/25 the specification's ``Sex`` (N00783, M/F/U) replaces ``GenderCurrent``
  (N00007, 0/1/2/9); the sector's validator reads both (``rule_engine/__api.py``) and checks
  ``Sex`` from 2024/25 (``rules/cin2024_25/rule_4180.py``). Either is written as the contract's
  Sex, unchanged: validation judges the code against the year's list. A child giving both keeps
  ``Sex`` (counted in the report).
- Dates become ISO ``yyyy-mm-dd``. The XML carries XML Schema ``xs:date`` values, so only that
  form is read (through ``intake.dates``); a present date in any other form, or an impossible
  one, refuses its record (an unreadable CINclosureDate written empty would reopen an episode).
- ReferralNFA and ICPCnotRequired are ``xs:boolean``: ``true``/``false`` are written as the
  contract's ``1``/``0`` (the validator's rules accept either spelling). Other codes are passed
  through trimmed.
- The AssessmentFactors of an assessment (``FactorsIdentifiedAtAssessment``, one element per
  factor) are joined with commas in the file's order, as the contract's CODES column and the
  synthetic generator write them (``3B,4B``); none gives an empty value.
- NumberOfPreviousCPP is an ``xs:integer``: written as its digits; anything else refuses the
  plan.

What is dropped: UPN, FormerUPN and UPNunknown (identifiers the contract never holds), the
disabilities, CINPlanDates, the plans' Reviews, the episode's own DateOfInitialCPC (an ICPC
recorded on the CINdetails rather than in its Section47 group, which DfE rule 2884 allows at
one level only) and AssessmentInternalReviewDate (not in the contract). Their text is never
read. Every element not in the declared layout is dropped with all it holds, and named in the
report by its path (at most :data:`MAX_NAMED_UNKNOWN` distinct paths; the rest are counted),
never by its text.

The home LSOA: the CIN census carries no address of the child, so ``HomeLSOA`` is written empty
on every child's row, and the report says so with the count. Each child is then an unknown home
area (``tip_pipeline.home_area``): accepted by validation, counted in completeness and in the
delivering LA's total and breakdowns, in no ward or decile of its own. An address source for
children in need (the authority's case system) is not yet supported.

Recognition and the year: the root element must be ``Message`` and
``Header/CollectionDetails/Collection`` must be ``CIN``, whatever the file is called. The
reporting year is told by ``ReferenceDate``, the census date, 31 March of the year's end (DfE
rule 100): 2024-03-31 is the year 2023/24. A file without a readable 31 March ReferenceDate is
refused, as is one whose ``Children`` come before its ``Header``.

Safety: the file is parsed by expat (``xml.parsers.expat``) with DTDs, entity declarations and
external references forbidden. These are the protections of defusedxml's parser
(``defusedxml.expatreader.DefusedExpatParser`` with ``forbid_dtd``, ``forbid_entities`` and
``forbid_external``), applied directly on expat with defusedxml's own exceptions
(``intake.safe_expat``), without defusedxml's SAX layers, whose Python calls per element were
most of the time a return took to read. A CIN return has none of these constructs, and they
are what entity expansion ("billion laughs") and external entities (reading other files of the
server) need. Such a file, or one that is not well-formed XML, is refused whole
(:class:`CinXmlError`) with its line and the kind of problem, never its text.

Streaming and speed: no tree of the document is built. The file is handed to expat a mebibyte
at a time; each element's handler walks the declared elements one name at a time
(``cin_layout.DOCUMENT``), so that no path is built per element; text is handed over only
inside the fields read, and a dropped or unknown element is followed by its depth only. The
fields' text, lines and records are kept as columns, and children are converted in batches of
:data:`CHUNK_CHILDREN`, so memory grows with the rows written, not with the file.

In two parts: a large file is read by two processes (``intake.census_worker``), cut before a
child's start tag: :func:`read_cin_xml_head` reads from the first byte to the cut and proves
the cut stands between two children, :func:`read_cin_xml_tail` reads from the cut to the end
with a parser of its own, given the root and ``Children`` open and the line breaks before the
cut so that its lines are the file's, and :meth:`CinXmlPart.joined` adds them up as one
reader would have: the same rows in the same order, the same refusals, counts and report.

Accounting: for each contract table, every record read is written or refused
(:class:`ssda903.IntakeResult`), with the file, the line of the element that refused it (of the
record's start tag when the element is missing), the element's path and why, never its value.
A refused record takes its own records with it, so that no row is left without its parent: a
refused Child refuses its CINdetails ("its Child (line n) was refused"), and a refused
CINdetails its Assessments, ChildProtectionPlans and Section47 groups.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import BinaryIO, NamedTuple
from xml.parsers import expat

import pandas as pd
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.cin_convert import (
    DATE_REFUSED,
    INT_REFUSED,
    Accounts,
    Batch,
    Frames,
)
from tip_pipeline.intake.cin_layout import (
    ASSESSMENT,
    CHILD,
    CHILDREN,
    COLLECTION,
    CP_PLAN,
    DOCUMENT,
    DROPPED,
    EPISODE,
    HEADER,
    LEA,
    RECORDS,
    REFERENCE_DATE,
    ROOT,
    SECTION47,
    Element,
    Kind,
)
from tip_pipeline.intake.dates import parse_iso_flagged
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.safe_expat import FORBIDDEN_ERRORS, ParseStopped, defused_parser, parse
from tip_pipeline.intake.ssda903 import IntakeResult
from tip_pipeline.intake.xml_walk import MAX_NAMED_UNKNOWN, ElementCount, Skipping
from tip_pipeline.periods import FinancialYear

__all__ = [
    "ASSESSMENT",
    "CHILD",
    "CP_PLAN",
    "DATE_REFUSED",
    "EPISODE",
    "INT_REFUSED",
    "MAX_NAMED_UNKNOWN",
    "RECORDS",
    "SECTION47",
    "Accounts",
    "CinXmlError",
    "CinXmlPart",
    "CinXmlResult",
    "cut_offset",
    "line_at",
    "read_cin_xml",
    "read_cin_xml_head",
    "read_cin_xml_tail",
    "read_cin_xml_whole",
]

#: children converted at a time: the raw text held is one batch's, whatever the file's size
#: (25,000: a batch's conversion has a fixed cost, paid 16 times for England rather than 40 at
#: 10,000, for some 50 MB more held; docs/PERFORMANCE.md, "CIN census XML intake")
CHUNK_CHILDREN = 25_000


class CinXmlError(ValueFreeError):
    """A file the CIN reader refuses whole: not well-formed XML, a DTD or entity, not a CIN
    census return, or no readable ReferenceDate. The message names the file, the line and the
    reason, never the file's text."""


# --- the result ---------------------------------------------------------------------------------


class BothGiven(NamedTuple):
    """Records that gave two elements for one contract column: the first was kept."""

    record: str
    kept: str
    other: str
    count: int


@dataclass(frozen=True)
class CinXmlResult:
    """One CIN census return converted: one account per contract extract (each checked by
    :class:`ssda903.IntakeResult`: ``read == written + len(refused)``) and what the file-level
    report says."""

    file: str
    year: FinancialYear
    #: the authority's DfE number (Header/Source/LEA), or None when the header lacks it
    lea: str | None
    children: IntakeResult
    episodes: IntakeResult
    assessments: IntakeResult
    cp_plans: IntakeResult
    section47: IntakeResult
    dropped: tuple[ElementCount, ...] = ()
    unknown: tuple[ElementCount, ...] = ()
    #: unknown elements whose path is not named (more than MAX_NAMED_UNKNOWN distinct paths)
    unknown_unnamed: int = 0
    #: written children whose PersonBirthDate is their ExpectedPersonBirthDate
    unborn: int = 0
    both_given: tuple[BothGiven, ...] = ()
    #: written children whose HomeLSOA is empty: all of them (the census has no address)
    home_lsoa_unknown: int = 0

    @property
    def results(self) -> tuple[IntakeResult, ...]:
        return (self.children, self.episodes, self.assessments, self.cp_plans, self.section47)

    def report(self) -> list[str]:
        """What was done, line by line, naming files, lines, element paths and counts only."""
        lines = [
            f"{self.file}: CIN census return of {self.year.label} (ReferenceDate 31 March "
            f"{self.year.end_year})"
        ]
        for result in self.results:
            lines += result.report()
        return lines + self.notes()

    def notes(self) -> list[str]:
        """The file's own lines of the report, beyond each extract's account: elements dropped
        or unknown, unborn children, both-given elements, the missing address."""
        lines = [
            f"dropped element {d.path}: {d.count} occurrence(s), {d.why}" for d in self.dropped
        ]
        lines += [
            f"unknown element {u.path}: {u.count} occurrence(s), {u.why}" for u in self.unknown
        ]
        if self.unknown_unnamed:
            lines.append(
                f"{self.unknown_unnamed} more unknown element(s) dropped, their paths not named "
                f"(more than {MAX_NAMED_UNKNOWN} distinct paths)"
            )
        if self.unborn:
            lines.append(
                f"{self.unborn} unborn child(ren): ExpectedPersonBirthDate written as "
                "PersonBirthDate, cut to the month"
            )
        lines += [
            f"{b.count} {b.record} record(s) give both {b.kept} and {b.other}: {b.kept} kept"
            for b in self.both_given
        ]
        if self.home_lsoa_unknown:
            lines.append(
                "the CIN census carries no address: HomeLSOA written empty "
                f"({self.home_lsoa_unknown} child row(s))"
            )
        return lines


def _refuse(file: str, line: int, reason: str) -> CinXmlError:
    return CinXmlError(f"{file}: line {line}: {reason}")


class Header(NamedTuple):
    """What the header says: the reporting year and the authority's DfE number."""

    year: FinancialYear
    lea: str | None


def _only_text(fields: Mapping[str, list[tuple[str, int]]], path: str) -> tuple[str, int] | None:
    """A header element's stripped text and line (the first, if repeated); None if absent or
    empty."""
    occurrences = fields.get(path)
    if not occurrences or not occurrences[0][0].strip():
        return None
    return occurrences[0][0].strip(), occurrences[0][1]


def _census_year(text: str) -> FinancialYear | None:
    """The financial year ending on a ReferenceDate of 31 March (DfE rule 100), or None when
    the text is no such date."""
    day = parse_iso_flagged(pd.Series([text], dtype=object)).dates.iloc[0]
    if pd.isna(day) or (day.month, day.day) != (3, 31):
        return None
    return FinancialYear.containing(day.date())


def read_header(fields: Mapping[str, list[tuple[str, int]]], file: str, line: int) -> Header:
    """The header's year and LEA, once the Header element has ended (``line``); a header of
    another collection, or without a readable 31 March ReferenceDate, refuses the file."""
    collection = _only_text(fields, COLLECTION)
    if collection is None:
        raise _refuse(file, line, f"the Header has no {COLLECTION}: not a CIN census return")
    if collection[0] != "CIN":
        raise _refuse(
            file, collection[1], f"{COLLECTION} is not CIN: not a children in need census return"
        )
    reference = _only_text(fields, REFERENCE_DATE)
    if reference is None:
        raise _refuse(
            file, line, f"the Header has no {REFERENCE_DATE}: the reporting year cannot be told"
        )
    year = _census_year(reference[0])
    if year is None:
        raise _refuse(
            file,
            reference[1],
            f"{REFERENCE_DATE} is not a 31 March of the form yyyy-mm-dd (the census date, DfE "
            "rule 100): the reporting year cannot be told",
        )
    lea = _only_text(fields, LEA)
    return Header(year, lea[0] if lea else None)


UNKNOWN_WHY = "not an element of DfE's CIN census where it is, nor of the contract: dropped"

#: what a forbidden construct is, and why it is forbidden (defusedxml's exceptions repeat the
#: names and values of the file's declarations, so their messages are never shown)
FORBIDDEN = {
    DTDForbidden: "a document type declaration (DTD) is forbidden: a CIN census return has "
    "none, and a DTD can declare entities that expand without bound or read other files",
    EntitiesForbidden: "an entity declaration is forbidden: a CIN census return has none",
    ExternalReferenceForbidden: "a reference to an external resource is forbidden: a CIN "
    "census return has none",
}

#: bytes handed to expat at a time
READ_BYTES = 1 << 20

# Kinds compared for every element of the file: an enum member looked up through its class
# costs a call in Python 3.11, a module name does not.
FIELD, HEADER_FIELD, RECORD, GROUP = Kind.FIELD, Kind.HEADER_FIELD, Kind.RECORD, Kind.GROUP
ROOT_ELEMENT = DOCUMENT.children[ROOT]
CHILDREN_ELEMENT = ROOT_ELEMENT.children["Children"]
CHILD_ELEMENT = CHILDREN_ELEMENT.children["Child"]


class CinReader(Skipping):
    """The expat handlers: walk the tree of declared elements (:data:`cin_layout.DOCUMENT`)
    as elements start and end, keep the text of the fields and of the header, open a raw
    record at each record element and hand each batch of children to ``accounts``.

    Two modes: reading, and skipping a dropped or unknown element with all it holds, when
    only its depth is followed and no text is handed over, so that its text is never read.
    Text is handed over only inside a field (expat's ``CharacterDataHandler`` is set at the
    field's start and cleared at its end)."""

    def __init__(
        self,
        parser: expat.XMLParserType,
        file: str,
        pseudonymiser: Pseudonymiser,
        chunk_children: int = CHUNK_CHILDREN,
        frames: Frames | None = None,
        continued: bool = False,
    ) -> None:
        self.parser = parser
        self.file = file
        self.pseudonymiser = pseudonymiser
        self.chunk_children = chunk_children
        #: reading the second part of a file (:func:`read_cin_xml_tail`), whose Header the
        #: first part's reader read: the Children here come after it
        self.continued = continued
        #: the open elements being read, from the document down
        self.open: list[Element] = [DOCUMENT]
        #: the text of the field being read, in the pieces expat gave it
        self.text: list[str] = []
        self.text_append = self.text.append
        #: the line of the start tag of the field being read
        self.field_line = 0
        self.skipped = 0
        self.header_fields: dict[str, list[tuple[str, int]]] = {}
        self.header: Header | None = None
        self.batch = Batch()
        #: where each field's occurrences go in the batch (``Batch.field_slots``)
        self.slots = self.batch.field_slots()
        self.accounts = Accounts() if frames is None else Accounts(frames=frames)
        self.dropped: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.unknown_unnamed = 0
        self._read()

    # -- reading -------------------------------------------------------------------------

    def start(self, name: str, attributes: list[str]) -> None:
        """An element starts: read as its declared kind says, or skipped."""
        element = self.open[-1].children.get(name)
        if element is None:
            self._skip_unknown(name)
            return
        kind = element.kind
        if kind is FIELD or kind is HEADER_FIELD:
            parser = self.parser
            self.field_line = parser.CurrentLineNumber
            parser.CharacterDataHandler = self.text_append
        elif kind is RECORD:
            self.batch.open_record(element.record, self.parser.CurrentLineNumber)
        elif kind is GROUP:
            self._group_starts(element)
        else:
            self._skip_declared(element)
            return
        self.open.append(element)

    def end(self, name: str) -> None:
        """An element read ends: a field's text is kept in its record, a batch of children
        is converted once full, the header is read once it ends."""
        element = self.open.pop()
        kind = element.kind
        if kind is FIELD:  # the commonest end: kept in the latest record of its table, no call
            self.parser.CharacterDataHandler = None
            text = self.text
            record_lines, records, lines, texts = self.slots[element]
            records.append(len(record_lines) - 1)
            lines.append(self.field_line)
            texts.append("".join(text))
            text.clear()
        elif kind is RECORD:
            if element is CHILD_ELEMENT and self.batch.children >= self.chunk_children:
                self.flush()
        elif kind is HEADER_FIELD:
            occurrences = self.header_fields.setdefault(element.path, [])
            occurrences.append((self._take_text(), self.field_line))
        elif element.path == HEADER:
            self.header = read_header(self.header_fields, self.file, self.parser.CurrentLineNumber)
        elif element.path == ROOT and self.header is None and not self.continued:
            raise _refuse(
                self.file, self.parser.CurrentLineNumber, "no Header: not a CIN census return"
            )

    def _take_text(self) -> str:
        """The text of the field that ends, no more handed over until the next field."""
        self.parser.CharacterDataHandler = None
        text = "".join(self.text)
        self.text.clear()
        return text

    def _group_starts(self, element: Element) -> None:
        """Children before the Header refuse the file: the year is not known."""
        if element.path == CHILDREN and self.header is None and not self.continued:
            raise _refuse(
                self.file,
                self.parser.CurrentLineNumber,
                "Children come before a Header: the collection and the year are not known",
            )

    def _read(self) -> None:
        """Read elements (again); text only inside a field."""
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        in_field = self.open[-1].kind in (FIELD, HEADER_FIELD)
        self.parser.CharacterDataHandler = self.text_append if in_field else None

    # -- skipping ------------------------------------------------------------------------

    def _skip_declared(self, element: Element) -> None:
        """Skip a dropped element, counting it, or one of the header's others, not counted."""
        if element.kind is Kind.DROPPED:
            self.dropped[element.path] += 1
        self._skip()

    def _skip_unknown(self, name: str) -> None:
        """Skip an undeclared element, named by its path (up to :data:`MAX_NAMED_UNKNOWN`
        distinct paths); an undeclared root refuses the file."""
        above = self.open[-1]
        if above is DOCUMENT:
            raise _refuse(
                self.file,
                self.parser.CurrentLineNumber,
                f"the root element is not {ROOT}: not a CIN census return",
            )
        self._skip_unknown_path(f"{above.path}/{name}")

    # -- batches and the result ----------------------------------------------------------

    def flush(self) -> None:
        """Convert the children read so far, and start a new batch."""
        if self.batch.children:
            self.accounts.add(self.batch, self.file, self.pseudonymiser)
        self.batch = Batch()
        self.slots = self.batch.field_slots()

    def at_children(self) -> bool:
        """Whether the reader stands between two children of ``Children``, the Header read:
        where a file may be cut in two (:func:`read_cin_xml_head`)."""
        return (
            self.open == [DOCUMENT, ROOT_ELEMENT, CHILDREN_ELEMENT]
            and not self.skipped
            and self.header is not None
        )

    def part(self) -> CinXmlPart:
        """What the reader has read, once it has flushed its last batch."""
        return CinXmlPart(
            file=self.file,
            header=self.header,
            accounts=self.accounts,
            dropped=self.dropped,
            unknown=self.unknown,
            unknown_unnamed=self.unknown_unnamed,
        )


@dataclass
class CinXmlPart:
    """What a reader read of a file, whole or a part of it, before its result is made: the
    header (None in a second part, whose header the first part read), the accounts of the
    records converted, and the counts of the elements not kept."""

    file: str
    header: Header | None
    accounts: Accounts
    dropped: Counter[str]
    unknown: Counter[str]
    unknown_unnamed: int

    def joined(self, after: CinXmlPart, frames: Frames) -> CinXmlPart | None:
        """This part and the part of the file that follows it, as one reader would have read
        them both, the rows of both in ``frames`` (this part's first); None when that cannot
        be told: ``after`` met more distinct unknown paths than it names, so which of them
        the whole file would name is not known (:data:`MAX_NAMED_UNKNOWN`)."""
        if after.unknown_unnamed:
            return None
        unknown = Counter(self.unknown)
        unnamed = self.unknown_unnamed
        for path, count in after.unknown.items():
            if path in unknown or len(unknown) < MAX_NAMED_UNKNOWN:
                unknown[path] += count
            else:
                unnamed += count
        dropped = Counter(self.dropped)
        dropped.update(after.dropped)
        return CinXmlPart(
            file=self.file,
            header=self.header,
            accounts=self.accounts.joined(after.accounts, frames),
            dropped=dropped,
            unknown=unknown,
            unknown_unnamed=unnamed,
        )

    def result(self) -> CinXmlResult:
        """The file's result, once it has been read to its end (its parts joined)."""
        if self.header is None:  # the end of Message refuses such a file first
            raise CinXmlError(f"{self.file}: no Header: not a CIN census return")
        accounts = self.accounts
        children = accounts.result(CHILD, self.file)
        return CinXmlResult(
            file=self.file,
            year=self.header.year,
            lea=self.header.lea,
            children=children,
            episodes=accounts.result(EPISODE, self.file),
            assessments=accounts.result(ASSESSMENT, self.file),
            cp_plans=accounts.result(CP_PLAN, self.file),
            section47=accounts.result(SECTION47, self.file),
            dropped=tuple(ElementCount(p, n, DROPPED[p]) for p, n in self.dropped.items()),
            unknown=tuple(ElementCount(p, n, UNKNOWN_WHY) for p, n in self.unknown.items()),
            unknown_unnamed=self.unknown_unnamed,
            unborn=accounts.unborn,
            both_given=tuple(
                BothGiven(record, kept, other, n)
                for (record, kept, other), n in accounts.both_given_in_order()
            ),
            home_lsoa_unknown=children.written,
        )


def _pieces(stream: BinaryIO, end: int | None = None) -> Iterator[bytes]:
    """The file from where ``stream`` stands to byte ``end`` (its end if None), in pieces of
    :data:`READ_BYTES` (expat's own ``ParseFile`` reads 2 KiB at a time)."""
    left = end - stream.tell() if end is not None else None
    while left is None or left > 0:
        piece = stream.read(READ_BYTES if left is None else min(READ_BYTES, left))
        if not piece:
            return
        if left is not None:
            left -= len(piece)
        yield piece


def _parse(
    parser: expat.XMLParserType, file: str, pieces: Iterable[bytes], final: bool = True
) -> None:
    """Hand ``pieces`` to expat, then say the document has ended if ``final``; expat's
    errors, the protections' and the file's own become a :class:`CinXmlError` naming the
    file, the line and the kind of problem, never the file's text."""
    try:
        parse(parser, pieces, FORBIDDEN, final)
    except ParseStopped as stopped:
        raise _refuse(file, stopped.line, stopped.reason) from None
    except OSError as error:
        raise CinXmlError(f"{file}: cannot be read ({type(error).__name__})") from None


def _existing(path: Path | str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise CinXmlError(f"{path.name}: no such file")
    return path


def _opened(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as error:
        raise CinXmlError(f"{path.name}: cannot be read ({type(error).__name__})") from None


def read_cin_xml(
    path: Path | str,
    pseudonymiser: Pseudonymiser,
    chunk_children: int = CHUNK_CHILDREN,
    frames: Frames | None = None,
) -> CinXmlResult:
    """Read a CIN census return (XML) and convert it into the five CIN contract extracts
    (their rows kept in ``frames`` until the end, by default in this process).

    Refused whole with a :class:`CinXmlError` (file, line and reason, never the file's text)
    when it is no file, not well-formed XML (expat's kind of error, such as "mismatched tag"),
    holds a DTD, an entity declaration or an external reference, or is not a CIN census return
    with a readable ReferenceDate.
    """
    return read_cin_xml_whole(path, pseudonymiser, chunk_children, frames).result()


def read_cin_xml_whole(
    path: Path | str,
    pseudonymiser: Pseudonymiser,
    chunk_children: int = CHUNK_CHILDREN,
    frames: Frames | None = None,
) -> CinXmlPart:
    """:func:`read_cin_xml`'s reading of the whole file, before its result is made."""
    path = _existing(path)
    parser = defused_parser()
    reader = CinReader(parser, path.name, pseudonymiser, chunk_children, frames)
    with _opened(path) as stream:
        _parse(parser, path.name, _pieces(stream))
    reader.flush()
    return reader.part()


# --- a file read in two parts (``intake.census_worker``) ------------------------------------

#: the start tag a file is cut before: DfE's layout writes a child's without attributes
CHILD_TAG = b"<Child>"
#: what closes the first part's document at the cut, and opens the second's
CLOSE_AT_CUT = b"</Children></Message>"
OPEN_AT_CUT = b"<Message><Children>"
UTF8_BOM = b"\xef\xbb\xbf"
XML_DECLARATION = re.compile(rb"<\?xml\s[^>]*?\?>")
DECLARED_ENCODING = re.compile(rb"""\sencoding\s*=\s*["']([A-Za-z0-9._-]*)["']""")
#: bytes read to tell how expat will decode a file
HEAD_BYTES = 4096


def read_as_utf8(head: bytes) -> bool:
    """Whether expat reads a file beginning with ``head`` as UTF-8, the encoding the second
    part's parser assumes (it is given no declaration): an optional UTF-8 byte order mark,
    then ``<`` and no NUL (expat takes ``<`` and NUL for UTF-16), and an XML declaration, if
    any, naming UTF-8 or no encoding (XML 1.0, section 4.3.3 and appendix F). A file this
    cannot tell is not cut."""
    head = head.removeprefix(UTF8_BOM)
    if not head.startswith(b"<") or head[1:2] in (b"", b"\0"):
        return False
    if not head.startswith(b"<?xml"):
        return True
    declaration = XML_DECLARATION.match(head)
    if declaration is None:
        return False
    encoding = DECLARED_ENCODING.search(declaration.group(0))
    return encoding is None or encoding.group(1).upper() == b"UTF-8"


def cut_offset(path: Path | str, near: int) -> int | None:
    """Where the file may be cut in two: the first byte of the first ``<Child>`` at or after
    byte ``near``; None when there is none, or when the file is not read as UTF-8
    (:func:`read_as_utf8`). Only a place to try: whether it stands between two children is
    told by the first part's reader (:func:`read_cin_xml_head`), since the bytes could lie in
    a comment, a CDATA section or an element skipped."""
    with Path(path).open("rb") as stream:
        if not read_as_utf8(stream.read(HEAD_BYTES)):
            return None
        start = max(near, 0)
        stream.seek(start)
        carried = b""
        for piece in _pieces(stream):
            text = carried + piece
            found = text.find(CHILD_TAG)
            if found >= 0:
                return start - len(carried) + found
            carried = text[-(len(CHILD_TAG) - 1) :]
            start += len(piece)
    return None


def line_at(path: Path | str, offset: int) -> int:
    """The line that byte ``offset`` of the file lies on, as expat counts lines: a line feed,
    a carriage return and the pair of them each end one (XML 1.0, section 2.11, "End-of-Line
    Handling"; expat's position counting)."""
    line, after_return = 1, False
    with Path(path).open("rb") as stream:
        for piece in _pieces(stream, offset):
            line += piece.count(b"\n") + piece.count(b"\r") - piece.count(b"\r\n")
            if after_return and piece.startswith(b"\n"):
                line -= 1
            after_return = piece.endswith(b"\r")
    return line


def read_cin_xml_head(
    path: Path | str,
    pseudonymiser: Pseudonymiser,
    cut: int,
    chunk_children: int = CHUNK_CHILDREN,
    frames: Frames | None = None,
) -> CinXmlPart | None:
    """The file's first part, its bytes before ``cut`` (:func:`cut_offset`), read as
    :func:`read_cin_xml` reads the whole, the Header included. A fault in those bytes refuses
    the file as it would when read whole (:class:`CinXmlError`, the same line and reason: expat
    reports a fault once the token holding it is complete, and one that the cut leaves
    incomplete is not reported here). None when ``cut`` proves not to stand between two
    children: the reader is elsewhere, or the document cannot be closed there
    (:data:`CLOSE_AT_CUT`, given to this parser only to end it: a comment, a CDATA section, a
    tag or a reference the cut falls in leaves it unclosed); the file is then read whole."""
    path = _existing(path)
    parser = defused_parser()
    reader = CinReader(parser, path.name, pseudonymiser, chunk_children, frames)
    with _opened(path) as stream:
        _parse(parser, path.name, _pieces(stream, cut), final=False)
    if not reader.at_children():
        return None
    try:
        parser.Parse(CLOSE_AT_CUT, True)
    except (expat.ExpatError, ValueFreeError, *FORBIDDEN_ERRORS):
        return None
    reader.flush()
    return reader.part()


def _opening(line: int) -> Iterator[bytes]:
    """What the second part's parser is given before the file's bytes: the root and Children
    open, as at the cut, and line breaks enough that the file's first byte read is on its
    own line, ``line``, so that every line named is the file's."""
    yield OPEN_AT_CUT
    left = line - 1
    while left > 0:
        yield b"\n" * min(left, READ_BYTES)
        left -= READ_BYTES


def read_cin_xml_tail(
    path: Path | str,
    pseudonymiser: Pseudonymiser,
    cut: int,
    line: int | None = None,
    chunk_children: int = CHUNK_CHILDREN,
    frames: Frames | None = None,
) -> CinXmlPart:
    """The file's second part, its bytes from ``cut`` (a ``<Child>`` start tag on ``line``,
    counted if not given: :func:`line_at`) to its end, with the same protections
    (``safe_expat``): a parser of its own is given :func:`_opening`, then those bytes, so
    that it stands in ``Children`` as the first part's parser stood at the cut, on the same
    line. Its Header is the first part's (the reader is ``continued``). A fault refuses the
    file with its true line, valid only if the first part proves the cut sound and has no
    fault of its own (:func:`read_cin_xml_head`): ``intake.census_worker`` decides."""
    path = _existing(path)
    line = line_at(path, cut) if line is None else line
    parser = defused_parser()
    reader = CinReader(parser, path.name, pseudonymiser, chunk_children, frames, continued=True)
    with _opened(path) as stream:
        stream.seek(cut)
        _parse(parser, path.name, chain(_opening(line), _pieces(stream)))
    reader.flush()
    return reader.part()
