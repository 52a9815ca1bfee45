"""The CIN census return's layout, declared as data: which element of DfE's XML is a record of
which contract extract (:class:`RecordLayout`), which elements become which contract column and
how (:class:`XmlColumn`, :class:`Conversion`), which are dropped and why, and so what the reader
does with every element it meets (:class:`Kind`). Why each element is kept or dropped, and where
the layout was checked, is told in ``intake.cin_xml``'s docstring; ``sources.contract_docs``
renders these records into ``data_sources/README.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tip_pipeline.sources.contracts import (
    CIN_ASSESSMENTS,
    CIN_CHILDREN,
    CIN_CP_PLANS,
    CIN_EPISODES,
    CIN_SECTION47,
    Extract,
)

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

#: where an unborn child's date of birth is read from (under Child)
UNBORN_SOURCE = "ChildIdentifiers/ExpectedPersonBirthDate"


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
        "DateOfInitialCPC": "an initial child protection conference recorded on the episode "
        "rather than in a Section47 group (DfE rule 2884: one or the other): not in the "
        "contract; a Section47 group's DateOfInitialCPC is kept",
        "CINPlanDates": "the CIN plan's start and end dates: not in the contract",
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

SECTION47 = RecordLayout(
    name="Section47",
    path="Message/Children/Child/CINdetails/Section47",
    extract=CIN_SECTION47,
    columns=(
        XmlColumn("LAchildID", Conversion.PARENT),
        XmlColumn("CINreferralDate", Conversion.PARENT),
        XmlColumn("S47ActualStartDate", Conversion.DATE, ("S47ActualStartDate",)),
        XmlColumn("InitialCPCtarget", Conversion.DATE, ("InitialCPCtarget",)),
        XmlColumn("DateOfInitialCPC", Conversion.DATE, ("DateOfInitialCPC",)),
        # an xs:boolean, as the contract's 1/0 (like ReferralNFA)
        XmlColumn("ICPCnotRequired", Conversion.BOOLEAN, ("ICPCnotRequired",)),
    ),
    parent="Message/Children/Child/CINdetails",
)

#: the records, parents before their own records (the order they are converted in)
RECORDS: tuple[RecordLayout, ...] = (CHILD, EPISODE, ASSESSMENT, CP_PLAN, SECTION47)


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


@dataclass(frozen=True, eq=False)
class Element:
    """A declared element: its path from the root, its kind, the record it is or belongs to
    (None above the records and in the header) and its declared elements by name.

    The reader walks this tree one name at a time, from the element it is in to the one that
    starts, so that no path is built and no path is looked up for an element of the file: a
    return has some fifty elements per child, twenty million for England."""

    path: str
    kind: Kind
    record: RecordLayout | None
    children: dict[str, Element] = field(default_factory=dict)


def _record_of(path: str) -> RecordLayout | None:
    """The innermost record that the element at ``path`` is or lies in."""
    holding = [r for r in RECORDS if path == r.path or path.startswith(f"{r.path}/")]
    return max(holding, key=lambda r: len(r.path), default=None)


def _tree() -> Element:
    """The declared elements as a tree, under a document element whose only declared element
    is the root, ``Message``."""
    document = Element("", Kind.GROUP, None)
    by_path = {"": document}
    for path, kind in sorted(KINDS.items(), key=lambda item: item[0].count("/")):
        above, _, name = path.rpartition("/")
        element = Element(path, kind, _record_of(path))
        by_path[above].children[name] = element
        by_path[path] = element
    return document


#: the document: its only declared element is the root, whose are the header and the children
DOCUMENT: Element = _tree()


def _fields(element: Element) -> list[Element]:
    """The field elements (:attr:`Kind.FIELD`) at or under ``element``."""
    below = [field for child in element.children.values() for field in _fields(child)]
    return [element, *below] if element.kind is Kind.FIELD else below


#: every element read into a contract column
FIELDS: tuple[Element, ...] = tuple(_fields(DOCUMENT))
