"""The CIN census reader of the intake: a local authority's children in need census return, the
XML file it submits to DfE, converted into the project's contract extracts ``cin_children``,
``cin_episodes``, ``cin_assessments`` and ``cin_cp_plans`` (docs/CONVENTIONS.md, "Raw returns
(intake)").

The layout is DfE's: *Children in need census: business and technical specification*,
published by the Department for Education for each collection year, section "XML schema"
("XML header" and "Child XML message structure"). A return is one ``Message`` holding a
``Header`` (``CollectionDetails``: Collection, Year, ReferenceDate; ``Source``: SourceLevel,
LEA, SoftwareCode, Release, SerialNo, DateTime) and ``Children``: one ``Child`` per child, with
its ``ChildIdentifiers``, its ``ChildCharacteristics`` and one ``CINdetails`` per episode of
need, each holding its ``Assessments``, ``CINPlanDates``, ``Section47`` and
``ChildProtectionPlans`` (each plan with its ``Reviews``). The element names and where they sit
were checked against the sector's validator, data-to-insight/csc-validator-be-cin (its XML
reader ``cin_validator/ingress.py``, its table definitions ``rule_engine/__api.py``, the
returns of its ``fake_data`` folder and its rules for 2022/23 and 2024/25). They are declared
below as data (:class:`RecordLayout`): which element is a record of which contract extract,
which elements become which contract column and how, and which are dropped and why.

What is kept, and how:

- One row per ``Child`` (``cin_children``), per ``CINdetails`` (``cin_episodes``), per
  ``Assessments`` (``cin_assessments``) and per ``ChildProtectionPlans`` (``cin_cp_plans``),
  however many a child has. An episode's rows carry its child's pseudonym; an assessment's and
  a plan's carry their episode's CINreferralDate too, the key the contract links them by.
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
- ReferralNFA is an ``xs:boolean``: ``true``/``false`` are written as the contract's ``1``/``0``
  (the validator's rules accept either spelling). Other codes are passed through trimmed.
- The AssessmentFactors of an assessment (``FactorsIdentifiedAtAssessment``, one element per
  factor) are joined with commas in the file's order, as the contract's CODES column and the
  synthetic generator write them (``3B,4B``); none gives an empty value.
- NumberOfPreviousCPP is an ``xs:integer``: written as its digits; anything else refuses the
  plan.

What is dropped: UPN, FormerUPN and UPNunknown (identifiers the contract never holds), the
disabilities, CINPlanDates, Section47, the plans' Reviews, DateOfInitialCPC and
AssessmentInternalReviewDate (not in the contract). Their text is never read. Every element not
in the declared layout is dropped with all it holds, and named in the report by its path (at
most :data:`MAX_NAMED_UNKNOWN` distinct paths; the rest are counted), never by its text.

The home LSOA: the CIN census carries no address of the child, so ``HomeLSOA`` is written empty
on every child's row, and the report says so with the count. A home LSOA for children in need
needs an address source that the census does not provide; which source is an open decision of
the project lead, and until it is taken intake derives none.

Recognition and the year: the root element must be ``Message`` and
``Header/CollectionDetails/Collection`` must be ``CIN``, whatever the file is called. The
reporting year is told by ``ReferenceDate``, the census date, 31 March of the year's end (DfE
rule 100): 2024-03-31 is the year 2023/24. A file without a readable 31 March ReferenceDate is
refused, as is one whose ``Children`` come before its ``Header``.

Safety: the file is parsed by expat through defusedxml with DTDs, entity declarations and
external references forbidden: a CIN return has none, and they are what entity expansion
("billion laughs") and external entities (reading other files of the server) need. Such a
file, or one that is not well-formed XML, is refused whole (:class:`CinXmlError`) with its line
and the kind of problem, never its text. The parse is streamed (SAX): no tree of the document
is built, and children are converted in batches of :data:`CHUNK_CHILDREN`, so memory grows
with the rows written, not with the file.

Accounting: for each contract table, every record read is written or refused
(:class:`ssda903.IntakeResult`), with the file, the line of the element that refused it (of the
record's start tag when the element is missing), the element's path and why, never its value.
A refused record takes its own records with it, so that no row is left without its parent: a
refused Child refuses its CINdetails ("its Child (line n) was refused"), and a refused
CINdetails its Assessments and ChildProtectionPlans.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

import pandas as pd
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.expatreader import create_parser

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.dates import ISO, birth_month, parse_dates_flagged
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.ssda903 import ID_REFUSED, ISO_DATE, IntakeResult, Refusal
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import (
    CIN_ASSESSMENTS,
    CIN_CHILDREN,
    CIN_CP_PLANS,
    CIN_EPISODES,
    Extract,
)

#: children converted at a time: the raw text held is one batch's, whatever the file's size
CHUNK_CHILDREN = 10_000
#: distinct unknown element paths named in the report; more are only counted (a hostile file
#: could make each one different)
MAX_NAMED_UNKNOWN = 50

ROOT = "Message"
HEADER = "Message/Header"
CHILDREN = "Message/Children"
COLLECTION = "Message/Header/CollectionDetails/Collection"
REFERENCE_DATE = "Message/Header/CollectionDetails/ReferenceDate"
LEA = "Message/Header/Source/LEA"

#: the header's groups, which hold the elements read
HEADER_GROUPS = ("Message/Header/CollectionDetails", "Message/Header/Source")
#: the header's elements other than those read: they describe the return, not a child, and are
#: neither kept nor reported
HEADER_OTHER = (
    "Message/Header/CollectionDetails/Year",
    "Message/Header/Source/SourceLevel",
    "Message/Header/Source/SoftwareCode",
    "Message/Header/Source/Release",
    "Message/Header/Source/SerialNo",
    "Message/Header/Source/DateTime",
)

DATE_REFUSED = "not a date of the form yyyy-mm-dd (XML Schema xs:date)"
INT_REFUSED = "not a whole number"
WHOLE_NUMBER = re.compile(r"[+-]?\d+")
#: XML Schema's xs:boolean in its two spellings, as the contract's 0/1 code
BOOLEAN_CODES = {"true": "1", "false": "0"}
#: where an unborn child's date of birth is read from (under Child)
UNBORN_SOURCE = "ChildIdentifiers/ExpectedPersonBirthDate"


class CinXmlError(ValueFreeError):
    """A file the CIN reader refuses whole: not well-formed XML, a DTD or entity, not a CIN
    census return, or no readable ReferenceDate. The message names the file, the line and the
    reason, never the file's text."""


class Conversion(StrEnum):
    """How an element's text becomes its contract column."""

    PSEUDONYM = "pseudonym"
    BIRTH_MONTH = "birth_month"
    DATE = "date"
    CODE = "code"
    #: a repeated element, its values joined with commas
    CODES = "codes"
    #: an xs:boolean, as 1/0
    BOOLEAN = "boolean"
    INT = "int"
    #: the value the enclosing record wrote in its column of the same name
    PARENT = "parent"
    #: no element of the census holds it: written empty
    ABSENT = "absent"


@dataclass(frozen=True)
class XmlColumn:
    """A contract column and the elements it is read from (paths under the record's element):
    the first one present wins."""

    contract: str
    conversion: Conversion
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordLayout:
    """One repeated element of the return that becomes one row of a contract extract: DfE's
    name for it, its path from the root, the columns kept, the elements that only hold others
    (``groups``) and those dropped with all they hold, each with why (paths under the
    record's element)."""

    name: str
    path: str
    extract: Extract
    columns: tuple[XmlColumn, ...]
    groups: tuple[str, ...] = ()
    dropped: Mapping[str, str] = field(default_factory=dict)
    #: the path of the enclosing record, whose PARENT columns this record takes
    parent: str | None = None

    def __post_init__(self) -> None:
        contract = tuple(c.contract for c in self.columns)
        if contract != self.extract.column_names:
            raise ValueError(f"{self.name}: columns differ from {self.extract.table}'s")
        if self.parent is None and any(c.conversion is Conversion.PARENT for c in self.columns):
            raise ValueError(f"{self.name}: a PARENT column needs an enclosing record")

    def element(self, relative: str) -> str:
        """The path from the root of an element under the record."""
        return f"{self.path}/{relative}"


CHILD = RecordLayout(
    name="Child",
    path="Message/Children/Child",
    extract=CIN_CHILDREN,
    columns=(
        XmlColumn("LAchildID", Conversion.PSEUDONYM, ("ChildIdentifiers/LAchildID",)),
        XmlColumn(
            "PersonBirthDate",
            Conversion.BIRTH_MONTH,
            # an unborn child has the expected date only (DfE rule 8525: one or the other)
            ("ChildIdentifiers/PersonBirthDate", UNBORN_SOURCE),
        ),
        # Sex (N00783) from 2024/25, GenderCurrent (N00007) before
        XmlColumn(
            "Sex", Conversion.CODE, ("ChildIdentifiers/Sex", "ChildIdentifiers/GenderCurrent")
        ),
        XmlColumn("Ethnicity", Conversion.CODE, ("ChildCharacteristics/Ethnicity",)),
        # the census carries no address (see the module's docstring)
        XmlColumn("HomeLSOA", Conversion.ABSENT),
        XmlColumn("PersonDeathDate", Conversion.DATE, ("ChildIdentifiers/PersonDeathDate",)),
    ),
    groups=("ChildIdentifiers", "ChildCharacteristics"),
    dropped={
        "ChildIdentifiers/UPN": "the Unique Pupil Number, a national identifier of the child: "
        "never kept (docs/CONVENTIONS.md, 'Identifiers')",
        "ChildIdentifiers/FormerUPN": "a former Unique Pupil Number of the child: never kept",
        "ChildIdentifiers/UPNunknown": "why the child has no UPN: not in the contract",
        "ChildCharacteristics/Disabilities": "the child's disabilities: not in the contract",
    },
)

EPISODE = RecordLayout(
    name="CINdetails",
    path="Message/Children/Child/CINdetails",
    extract=CIN_EPISODES,
    columns=(
        XmlColumn("LAchildID", Conversion.PARENT),
        XmlColumn("CINreferralDate", Conversion.DATE, ("CINreferralDate",)),
        XmlColumn("ReferralSource", Conversion.CODE, ("ReferralSource",)),
        XmlColumn("PrimaryNeedCode", Conversion.CODE, ("PrimaryNeedCode",)),
        XmlColumn("ReferralNFA", Conversion.BOOLEAN, ("ReferralNFA",)),
        XmlColumn("CINclosureDate", Conversion.DATE, ("CINclosureDate",)),
        XmlColumn("ReasonForClosure", Conversion.CODE, ("ReasonForClosure",)),
    ),
    dropped={
        "DateOfInitialCPC": "the date of the initial child protection conference: not in the "
        "contract",
        "CINPlanDates": "the CIN plan's start and end dates: not in the contract",
        "Section47": "the section 47 enquiry's dates: not in the contract",
    },
    parent="Message/Children/Child",
)

ASSESSMENT = RecordLayout(
    name="Assessments",
    path="Message/Children/Child/CINdetails/Assessments",
    extract=CIN_ASSESSMENTS,
    columns=(
        XmlColumn("LAchildID", Conversion.PARENT),
        XmlColumn("CINreferralDate", Conversion.PARENT),
        XmlColumn("AssessmentActualStartDate", Conversion.DATE, ("AssessmentActualStartDate",)),
        XmlColumn("AssessmentAuthorisationDate", Conversion.DATE, ("AssessmentAuthorisationDate",)),
        XmlColumn(
            "AssessmentFactors",
            Conversion.CODES,
            ("FactorsIdentifiedAtAssessment/AssessmentFactors",),
        ),
    ),
    groups=("FactorsIdentifiedAtAssessment",),
    dropped={
        "AssessmentInternalReviewDate": "the assessment's internal review date: not in the "
        "contract",
    },
    parent="Message/Children/Child/CINdetails",
)

CP_PLAN = RecordLayout(
    name="ChildProtectionPlans",
    path="Message/Children/Child/CINdetails/ChildProtectionPlans",
    extract=CIN_CP_PLANS,
    columns=(
        XmlColumn("LAchildID", Conversion.PARENT),
        XmlColumn("CINreferralDate", Conversion.PARENT),
        XmlColumn("CPPstartDate", Conversion.DATE, ("CPPstartDate",)),
        XmlColumn("CPPendDate", Conversion.DATE, ("CPPendDate",)),
        XmlColumn("InitialCategoryOfAbuse", Conversion.CODE, ("InitialCategoryOfAbuse",)),
        XmlColumn("LatestCategoryOfAbuse", Conversion.CODE, ("LatestCategoryOfAbuse",)),
        XmlColumn("NumberOfPreviousCPP", Conversion.INT, ("NumberOfPreviousCPP",)),
    ),
    dropped={"Reviews": "the plan's review dates: not in the contract"},
    parent="Message/Children/Child/CINdetails",
)

#: the records, parents before their own records (the order they are converted in)
RECORDS: tuple[RecordLayout, ...] = (CHILD, EPISODE, ASSESSMENT, CP_PLAN)


# --- what each element is ---------------------------------------------------------------------


class Kind(StrEnum):
    """What the reader does with an element, told by its path from the root."""

    #: Message, Header, Children and the groups of a record: only holds others
    GROUP = "group"
    #: the header's Collection, ReferenceDate and LEA: text read
    HEADER_FIELD = "header_field"
    #: the header's other elements: skipped, not reported
    HEADER_OTHER = "header_other"
    #: a repeated element that becomes a row
    RECORD = "record"
    #: an element read into a contract column
    FIELD = "field"
    #: declared, not kept: skipped with all it holds, counted in the report
    DROPPED = "dropped"
    #: not declared: skipped with all it holds, named in the report
    UNKNOWN = "unknown"


def _kinds() -> dict[str, Kind]:
    """Every declared element path and its kind."""
    kinds = dict.fromkeys((ROOT, HEADER, *HEADER_GROUPS, CHILDREN), Kind.GROUP)
    kinds |= dict.fromkeys((COLLECTION, REFERENCE_DATE, LEA), Kind.HEADER_FIELD)
    kinds |= dict.fromkeys(HEADER_OTHER, Kind.HEADER_OTHER)
    for layout in RECORDS:
        kinds[layout.path] = Kind.RECORD
        kinds |= {layout.element(g): Kind.GROUP for g in layout.groups}
        kinds |= {layout.element(d): Kind.DROPPED for d in layout.dropped}
        for column in layout.columns:
            kinds |= {layout.element(s): Kind.FIELD for s in column.sources}
    return kinds


KINDS: dict[str, Kind] = _kinds()
#: why each dropped element is dropped, by its path from the root
DROPPED: dict[str, str] = {
    layout.element(relative): why for layout in RECORDS for relative, why in layout.dropped.items()
}
LAYOUTS_BY_PATH: dict[str, RecordLayout] = {layout.path: layout for layout in RECORDS}


#: the kinds skipped with all they hold
SKIPPED = frozenset((Kind.DROPPED, Kind.UNKNOWN, Kind.HEADER_OTHER))


def element_kind(path: str) -> Kind:
    """The kind of the element at ``path`` (names joined by ``/`` from the root)."""
    return KINDS.get(path, Kind.UNKNOWN)


# --- the result ---------------------------------------------------------------------------------


class ElementCount(NamedTuple):
    """An element path not kept, how many times it occurred, and why it was not kept."""

    path: str
    count: int
    why: str


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
        return (self.children, self.episodes, self.assessments, self.cp_plans)

    def report(self) -> list[str]:
        """What was done, line by line, naming files, lines, element paths and counts only."""
        lines = [
            f"{self.file}: CIN census return of {self.year.label} (ReferenceDate 31 March "
            f"{self.year.end_year})"
        ]
        for result in self.results:
            lines += result.report()
        lines += [
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


# --- converting a batch of records ------------------------------------------------------------


@dataclass(slots=True)
class RawRecord:
    """One record as read: the line of its start tag, the index of its enclosing record in the
    batch (-1 for a child) and the text of each field element read, by path, with its line."""

    line: int
    parent: int
    fields: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class RawColumn(NamedTuple):
    """One contract column's raw text for every record of a batch, where it was read (line and
    element path, the record's own when absent), whether its element was repeated and whether a
    later source was present too."""

    values: pd.Series
    lines: list[int]
    elements: list[str]
    repeated: pd.Series
    both: pd.Series


class Converted(NamedTuple):
    """A contract column's values (``string``) and why each record cannot be converted (None
    where it can)."""

    values: pd.Series
    reasons: pd.Series


def _raw_column(layout: RecordLayout, column: XmlColumn, records: list[RawRecord]) -> RawColumn:
    """The raw text of one column for every record (None where absent), from the first of its
    sources the record has. A CODES column joins every occurrence; any other takes its
    element's only occurrence (``repeated`` when there are more)."""
    sources = [layout.element(source) for source in column.sources]
    absent_at = sources[0] if sources else layout.path
    joins = column.conversion is Conversion.CODES
    values: list[str | None] = []
    lines: list[int] = []
    elements: list[str] = []
    repeated: list[bool] = []
    both: list[bool] = []
    for record in records:
        present = [element for element in sources if element in record.fields]
        if not present:
            values.append(None)
            lines.append(record.line)
            elements.append(absent_at)
            repeated.append(False)
            both.append(False)
            continue
        occurrences = record.fields[present[0]]
        values.append(_joined(t for t, _ in occurrences) if joins else occurrences[0][0])
        lines.append(occurrences[0][1])
        elements.append(present[0])
        repeated.append(not joins and len(occurrences) > 1)
        both.append(len(present) > 1)
    return RawColumn(
        pd.Series(values, dtype=object),
        lines,
        elements,
        pd.Series(repeated, dtype=bool),
        pd.Series(both, dtype=bool),
    )


def _joined(texts: Iterable[str]) -> str:
    """Codes joined with commas, each trimmed, empty ones left out."""
    return ",".join(code for code in (text.strip() for text in texts) if code)


def _no_reasons(index: pd.Index) -> pd.Series:
    return pd.Series(None, index=index, dtype=object)


def _stripped(values: pd.Series) -> pd.Series:
    """Text trimmed, empty as missing."""
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _pseudonyms(values: pd.Series, pseudonymiser: Pseudonymiser) -> Converted:
    """Keyed pseudonyms of LAchildID (no declared width); an empty one refuses its record."""
    ids = _stripped(values)
    present = ids.notna()
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    if present.any():
        out[present] = pseudonymiser.series(ids[present].astype(object), width=None)
    return Converted(out, _no_reasons(values.index).mask(~present, ID_REFUSED["missing"]))


def _dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """xs:date values read (``intake.dates``), and why a present value that is none is
    refused: only the ISO form is read, so that a number is never taken for a serial day."""
    text = _stripped(values)
    iso = text.str.match(ISO).fillna(False).astype(bool)
    parsed = parse_dates_flagged(text.where(iso).astype(object))
    refused = (text.notna() & ~iso) | parsed.unparseable
    return parsed.dates, _no_reasons(values.index).mask(refused, DATE_REFUSED)


def _iso(dates: pd.Series) -> pd.Series:
    """Dates as the contract files write them, ``yyyy-mm-dd``; NaT stays missing."""
    return dates.dt.strftime(ISO_DATE).astype("string").mask(dates.isna())


def _date(values: pd.Series) -> Converted:
    dates, reasons = _dates(values)
    return Converted(_iso(dates), reasons)


def _birth_month(values: pd.Series) -> Converted:
    dates, reasons = _dates(values)
    return Converted(_iso(birth_month(dates)), reasons)


def _code(values: pd.Series) -> Converted:
    return Converted(_stripped(values), _no_reasons(values.index))


def _boolean(values: pd.Series) -> Converted:
    """xs:boolean's ``true``/``false`` as ``1``/``0``; ``1``/``0`` and anything else as
    written, for validation to judge."""
    text = _stripped(values)
    return Converted(text.replace(BOOLEAN_CODES), _no_reasons(values.index))


def _int(values: pd.Series) -> Converted:
    """An xs:integer as its digits (``03`` is ``3``); present text of another form refuses
    its record."""
    text = _stripped(values)
    whole = text.str.fullmatch(WHOLE_NUMBER.pattern).fillna(False).astype(bool)
    out = text.where(whole).map(lambda v: str(int(v)), na_action="ignore").astype("string")
    refused = text.notna() & ~whole
    return Converted(out, _no_reasons(values.index).mask(refused, INT_REFUSED))


def _absent(values: pd.Series) -> Converted:
    return Converted(
        pd.Series(pd.NA, index=values.index, dtype="string"), _no_reasons(values.index)
    )


CONVERTERS: dict[Conversion, Callable[[pd.Series], Converted]] = {
    Conversion.BIRTH_MONTH: _birth_month,
    Conversion.DATE: _date,
    Conversion.CODE: _code,
    Conversion.CODES: _code,
    Conversion.BOOLEAN: _boolean,
    Conversion.INT: _int,
    Conversion.ABSENT: _absent,
}


class TableBatch(NamedTuple):
    """One table's batch converted: every record's contract values (refused ones too, so that
    their own records can look them up), which were refused, the refusals, the records' start
    lines, the written rows and what the report counts."""

    values: dict[str, pd.Series]
    refused: pd.Series
    refusals: list[Refusal]
    lines: list[int]
    frame: pd.DataFrame
    unborn: int
    both_given: Counter[tuple[str, str]]


def _parent_values(
    column: XmlColumn, records: list[RawRecord], parent: TableBatch, parent_name: str
) -> Converted:
    """The enclosing record's value of the same column; refused when the enclosing record
    was."""
    at = [record.parent for record in records]
    index = pd.RangeIndex(len(records))
    values = pd.Series(parent.values[column.contract].to_numpy()[at], index=index, dtype="string")
    parent_refused = parent.refused.to_numpy()[at]
    reasons = [
        f"its {parent_name} (line {parent.lines[i]}) was refused" if gone else None
        for i, gone in zip(at, parent_refused, strict=True)
    ]
    return Converted(values, pd.Series(reasons, index=index, dtype=object))


def _convert_column(
    layout: RecordLayout,
    column: XmlColumn,
    records: list[RawRecord],
    raw: RawColumn | None,
    parent: TableBatch | None,
    pseudonymiser: Pseudonymiser,
) -> Converted:
    """One column of a batch converted; a single-valued element given twice refuses."""
    if column.conversion is Conversion.PARENT:
        if parent is None or layout.parent is None:
            raise ValueError(f"{layout.name}: a PARENT column needs its parent's batch")
        return _parent_values(column, records, parent, LAYOUTS_BY_PATH[layout.parent].name)
    if raw is None:
        raise ValueError(f"{layout.name}: {column.contract} was not read")
    if column.conversion is Conversion.PSEUDONYM:
        converted = _pseudonyms(raw.values, pseudonymiser)
    else:
        converted = CONVERTERS[column.conversion](raw.values)
    repeated = f"given more than once in one {layout.name}: which one is meant cannot be told"
    return Converted(converted.values, converted.reasons.mask(raw.repeated, repeated))


def _refusals(
    layout: RecordLayout,
    records: list[RawRecord],
    raws: Mapping[str, RawColumn],
    converted: Mapping[str, Converted],
    file: str,
) -> tuple[pd.Series, list[Refusal]]:
    """Which records are refused (one reason each: the first column, in the layout's order,
    that refuses it) and the refusals. A field's refusal names its element and line; a record
    refused with its enclosing record names its own start tag."""
    refused = pd.Series(False, index=pd.RangeIndex(len(records)))
    refusals: list[Refusal] = []
    for column in layout.columns:
        reasons = converted[column.contract].reasons
        new = reasons.notna() & ~refused
        for i in new.index[new]:
            if column.conversion is Conversion.PARENT:
                line, element = records[i].line, layout.path
            else:
                line, element = raws[column.contract].lines[i], raws[column.contract].elements[i]
            refusals.append(Refusal(file, line, element, str(reasons.iloc[i])))
        refused |= new
    return refused, refusals


def _both_given(
    layout: RecordLayout, raws: Mapping[str, RawColumn], kept: pd.Series
) -> Counter[tuple[str, str]]:
    """Written records that gave two sources of one column, by (kept, other) source."""
    counts: Counter[tuple[str, str]] = Counter()
    for column in layout.columns:
        if len(column.sources) > 1:
            both = int((raws[column.contract].both & kept).sum())
            if both:
                counts[column.sources[0], column.sources[1]] += both
    return counts


def _unborn(raws: Mapping[str, RawColumn], kept: pd.Series) -> int:
    """Written children whose birth date was read from ExpectedPersonBirthDate."""
    elements = pd.Series(raws["PersonBirthDate"].elements, dtype=object)
    return int(((elements == CHILD.element(UNBORN_SOURCE)) & kept).sum())


def convert_batch(
    layout: RecordLayout,
    records: list[RawRecord],
    parent: TableBatch | None,
    file: str,
    pseudonymiser: Pseudonymiser,
) -> TableBatch:
    """A batch of one record's raw records converted into its contract extract's rows."""
    raws = {
        c.contract: _raw_column(layout, c, records)
        for c in layout.columns
        if c.conversion is not Conversion.PARENT
    }
    converted = {
        c.contract: _convert_column(layout, c, records, raws.get(c.contract), parent, pseudonymiser)
        for c in layout.columns
    }
    refused, refusals = _refusals(layout, records, raws, converted, file)
    kept = ~refused
    frame = pd.DataFrame(
        {
            name: converted[name].values[kept].astype("string").reset_index(drop=True)
            for name in layout.extract.column_names
        },
        columns=list(layout.extract.column_names),
    )
    return TableBatch(
        values={name: c.values for name, c in converted.items()},
        refused=refused,
        refusals=refusals,
        lines=[record.line for record in records],
        frame=frame,
        unborn=_unborn(raws, kept) if layout is CHILD else 0,
        both_given=_both_given(layout, raws, kept),
    )


# --- reading the XML ----------------------------------------------------------------------------


@dataclass
class Batch:
    """The raw records of up to :data:`CHUNK_CHILDREN` children, each table's in the file's
    order; a record's ``parent`` is its enclosing record's index in the enclosing table."""

    records: dict[str, list[RawRecord]] = field(
        default_factory=lambda: {layout.path: [] for layout in RECORDS}
    )

    @property
    def children(self) -> int:
        return len(self.records[CHILD.path])


@dataclass
class Accounts:
    """What every batch converted adds up to, per table and for the report."""

    frames: dict[str, list[pd.DataFrame]] = field(
        default_factory=lambda: {layout.path: [] for layout in RECORDS}
    )
    read: Counter[str] = field(default_factory=Counter)
    refusals: dict[str, list[Refusal]] = field(
        default_factory=lambda: {layout.path: [] for layout in RECORDS}
    )
    unborn: int = 0
    both_given: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def add(self, batch: Batch, file: str, pseudonymiser: Pseudonymiser) -> None:
        """Convert a batch, parents first, and add it up."""
        converted: dict[str, TableBatch] = {}
        for layout in RECORDS:
            records = batch.records[layout.path]
            parent = converted[layout.parent] if layout.parent else None
            table = convert_batch(layout, records, parent, file, pseudonymiser)
            converted[layout.path] = table
            self.frames[layout.path].append(table.frame)
            self.read[layout.path] += len(records)
            self.refusals[layout.path] += table.refusals
            self.unborn += table.unborn
            for (kept, other), count in table.both_given.items():
                self.both_given[layout.name, kept, other] += count

    def result(self, layout: RecordLayout, file: str) -> IntakeResult:
        """The account of one table."""
        frames = [f for f in self.frames[layout.path] if not f.empty]
        if frames:
            frame = pd.concat(frames, ignore_index=True)
        else:
            frame = pd.DataFrame(
                {name: pd.Series(dtype="string") for name in layout.extract.column_names}
            )
        refusals = sorted(self.refusals[layout.path], key=lambda r: r.line)
        return IntakeResult(
            file=file,
            table=layout.extract.table,
            unit="line",
            frame=frame,
            read=self.read[layout.path],
            written=len(frame),
            refused=tuple(refusals),
        )


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
    parsed = parse_dates_flagged(pd.Series([text], dtype=object))
    day = parsed.dates.iloc[0]
    if re.match(ISO, text) is None or pd.isna(day) or (day.month, day.day) != (3, 31):
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


class CinHandler(ContentHandler):
    """The SAX handler: follows the path of the open elements, reads the text of the fields
    and of the header, opens a raw record at each record element and hands each batch of
    children to ``accounts``. Dropped and unknown elements are skipped with all they hold;
    their text is never kept."""

    def __init__(
        self, file: str, pseudonymiser: Pseudonymiser, chunk_children: int = CHUNK_CHILDREN
    ) -> None:
        super().__init__()
        self.file = file
        self.pseudonymiser = pseudonymiser
        self.chunk_children = chunk_children
        self.locator: Locator | None = None
        #: the open elements: path, kind and start line
        self.stack: list[tuple[str, Kind, int]] = []
        #: depth inside a skipped (dropped or unknown) element; 0 when not in one
        self.skipped = 0
        #: the text of the field being read, None when not in a field
        self.text: list[str] | None = None
        #: the open records: layout and index in the batch
        self.open_records: list[tuple[RecordLayout, int]] = []
        self.header_fields: dict[str, list[tuple[str, int]]] = {}
        self.header: Header | None = None
        self.batch = Batch()
        self.accounts = Accounts()
        self.dropped: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.unknown_unnamed = 0

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator is not None else 0

    # -- elements -------------------------------------------------------------------------

    def startElement(self, name: str, attrs: object) -> None:
        if self.skipped:
            self.skipped += 1
            return
        path = f"{self.stack[-1][0]}/{name}" if self.stack else name
        if not self.stack and path != ROOT:
            raise _refuse(
                self.file, self.line(), f"the root element is not {ROOT}: not a CIN census return"
            )
        kind = element_kind(path)
        if kind in SKIPPED:
            self._skip(path, kind)
            return
        line = self.line()
        if path == CHILDREN and self.header is None:
            raise _refuse(
                self.file,
                line,
                "Children come before a Header: the collection and the year are not known",
            )
        self.stack.append((path, kind, line))
        if kind is Kind.RECORD:
            self._open_record(LAYOUTS_BY_PATH[path], line)
        elif kind in (Kind.FIELD, Kind.HEADER_FIELD):
            self.text = []

    def endElement(self, name: str) -> None:
        if self.skipped:
            self.skipped -= 1
            return
        path, kind, line = self.stack.pop()
        if kind is Kind.FIELD:
            self._field(path, line)
        elif kind is Kind.HEADER_FIELD:
            self.header_fields.setdefault(path, []).append(("".join(self.text or ()), line))
            self.text = None
        elif kind is Kind.RECORD:
            self._close_record(path)
        elif path == HEADER:
            self.header = read_header(self.header_fields, self.file, self.line())
        elif path == ROOT and self.header is None:
            raise _refuse(self.file, self.line(), "no Header: not a CIN census return")

    def characters(self, content: str) -> None:
        if self.text is not None and not self.skipped:
            self.text.append(content)

    def endDocument(self) -> None:
        self._flush()

    # -- steps ---------------------------------------------------------------------------

    def _skip(self, path: str, kind: Kind) -> None:
        """Skip an element with all it holds, counting it (a header element is not)."""
        self.skipped = 1
        if kind is Kind.DROPPED:
            self.dropped[path] += 1
        elif kind is Kind.UNKNOWN:
            if path in self.unknown or len(self.unknown) < MAX_NAMED_UNKNOWN:
                self.unknown[path] += 1
            else:
                self.unknown_unnamed += 1

    def _open_record(self, layout: RecordLayout, line: int) -> None:
        records = self.batch.records[layout.path]
        parent = self.open_records[-1][1] if layout.parent else -1
        records.append(RawRecord(line, parent))
        self.open_records.append((layout, len(records) - 1))

    def _close_record(self, path: str) -> None:
        self.open_records.pop()
        if path == CHILD.path and self.batch.children >= self.chunk_children:
            self._flush()

    def _field(self, path: str, line: int) -> None:
        """A field's text, kept in the innermost open record."""
        layout, index = self.open_records[-1]
        record = self.batch.records[layout.path][index]
        record.fields.setdefault(path, []).append(("".join(self.text or ()), line))
        self.text = None

    def _flush(self) -> None:
        """Convert the children read so far, and start a new batch."""
        if self.batch.children:
            self.accounts.add(self.batch, self.file, self.pseudonymiser)
        self.batch = Batch()

    # -- the result ----------------------------------------------------------------------

    def result(self) -> CinXmlResult:
        if self.header is None:  # the end of Message refuses such a file first
            raise _refuse(self.file, self.line(), "no Header: not a CIN census return")
        children = self.accounts.result(CHILD, self.file)
        return CinXmlResult(
            file=self.file,
            year=self.header.year,
            lea=self.header.lea,
            children=children,
            episodes=self.accounts.result(EPISODE, self.file),
            assessments=self.accounts.result(ASSESSMENT, self.file),
            cp_plans=self.accounts.result(CP_PLAN, self.file),
            dropped=tuple(ElementCount(p, n, DROPPED[p]) for p, n in self.dropped.items()),
            unknown=tuple(ElementCount(p, n, UNKNOWN_WHY) for p, n in self.unknown.items()),
            unknown_unnamed=self.unknown_unnamed,
            unborn=self.accounts.unborn,
            both_given=tuple(
                BothGiven(record, kept, other, n)
                for (record, kept, other), n in self.accounts.both_given.items()
            ),
            home_lsoa_unknown=children.written,
        )


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


def _forbidden_reason(error: Exception) -> str:
    for kind, reason in FORBIDDEN.items():
        if isinstance(error, kind):
            return reason
    raise error


def read_cin_xml(
    path: Path | str, pseudonymiser: Pseudonymiser, chunk_children: int = CHUNK_CHILDREN
) -> CinXmlResult:
    """Read a CIN census return (XML) and convert it into the four CIN contract extracts.

    Refused whole with a :class:`CinXmlError` (file, line and reason, never the file's text)
    when it is no file, not well-formed XML (expat's kind of error, such as "mismatched tag"),
    holds a DTD, an entity declaration or an external reference, or is not a CIN census return
    with a readable ReferenceDate.
    """
    path = Path(path)
    file = path.name
    if not path.is_file():
        raise CinXmlError(f"{file}: no such file")
    handler = CinHandler(file, pseudonymiser, chunk_children)
    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(handler)
    try:
        with path.open("rb") as stream:
            parser.parse(stream)
    except SAXParseException as error:
        # expat's messages are fixed texts of its error table, never the document's
        raise _refuse(
            file, error.getLineNumber(), f"not well-formed XML ({error.getMessage()})"
        ) from None
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as error:
        raise _refuse(file, parser.getLineNumber(), _forbidden_reason(error)) from None
    except OSError as error:
        raise CinXmlError(f"{file}: cannot be read ({type(error).__name__})") from None
    return handler.result()
