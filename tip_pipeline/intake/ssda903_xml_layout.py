"""The SSDA903 return's XML, declared as data: which element holds a record of which SSDA903
table, which elements fill which of the table's raw columns, and which are dropped and why
(docs/DOMAIN.md, "Looked-after children (SSDA903)"; the reader is ``intake.ssda903_xml``).

**The layout and its sources.** DfE publishes, for each collection year, *Children looked after
return: technical specifications* on GOV.UK (e.g.
https://www.gov.uk/government/publications/children-looked-after-return-2023-to-2024-technical-specifications):
the technical specification ("1.1 XML format": "List of XML tags", "Blank tags"; "Annex A: XML
tag to screen field mapping") and the XML schema files (``CLA.XSD``; from 2023/24 a "social
worker XML schema" too). The schema's root is ``EXPSSDA903`` ("Expanded SSDA903 Return"): one
``CHILD`` per child, holding one ``HEADER`` and one ``EPISODE`` per episode of care. The element
names and where they sit were checked against the sector's validator,
data-to-insight/csc-validator-be-903 (``lac_validator/ingress.py``, ``read_xml_from_text``,
and its sample return ``tests/fake_data/fake_903.xml``), which reads DfE's XML into the same
tables as the CSV files: ``CHILDID`` is the CSV's ``CHILD`` and ``PL`` its ``PLACE``; the
reviews (``AREVIEW``), missing periods (``AMISSING``), ``OC2``, the previous permanence
(``PERMANENCE``), the decisions to place for adoption (``AD_PLACED``) and the social worker
episodes (``SW_EPISODE``) are repeated elements of the ``HEADER``; the UASC, AD1 and OC3 items
(``UASC``, ``DUC``; ``DATE_INT`` ... ``LS_ADOPTR``; ``IN_TOUCH``, ``ACTIV``, ``ACCOM``) are the
child's own, read here as elements of the ``HEADER``.

What could not be checked: the schema files themselves were not at hand (GOV.UK publishes
them as attachments of the technical specification), so the nesting above is the validator's,
which reads the AD1, OC3 and UASC items wherever they lie in a ``CHILD``. Should a return
group them in an element of their own, that element is not declared here: it is dropped and
named in the intake report by its path, never read silently as something else, and the
layout below is where it would be declared.

**The collection's identification and the year.** The return's XML has no header naming the
collection or the year (unlike the CIN census's ``CollectionDetails``): the root
``EXPSSDA903``, which is DfE's name for this return and no other's, is what identifies it, and
the year is its folder's, as for the CSV tables (``intake.landing``).

**Records.** One Header record per ``CHILD``; one UASC record for a child whose ``UASC`` is
given and not ``0`` (DfE's code set: 1, the child was an unaccompanied asylum-seeking child in
the year) or who has a ``DUC`` (no date is dropped unread); one AD1 record for a child with
any AD1 item, one OC3 record for a child with any OC3 item; one record per repeated element
(``EPISODE``, ``AREVIEW``, ``AMISSING``, ``OC2``, ``PERMANENCE``, ``AD_PLACED``,
``SW_EPISODE``). Every record takes the child's CHILD (``CHILDID``) and, where its table has
them, DOB and SEX, from the ``HEADER``, as the CSV tables repeat them on every row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tip_pipeline.intake.ssda903 import (
    AD1,
    EPISODES,
    HEADER,
    MISSING,
    OC2,
    OC3,
    PLACED_ADOPTION,
    PREV_PERM,
    REVIEWS,
    SW_EPISODES,
    UASC,
    RawLayout,
)

ROOT = "EXPSSDA903"
CHILD = "CHILD"
HEADER_ELEMENT = "HEADER"
CHILD_PATH = f"{ROOT}/{CHILD}"
HEADER_PATH = f"{CHILD_PATH}/{HEADER_ELEMENT}"

#: the UASC item: whether the child was an unaccompanied asylum-seeking child (DfE's code set
#: 0/1); read only to tell whether the child has a UASC record
UASC_FLAG = "UASC"
NOT_UASC = "0"


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


#: the HEADER's elements read, by element name: the raw column each fills (CHILDID is the
#: CSV's CHILD); the UASC flag only decides the UASC record
HEADER_FIELDS: dict[str, str] = {
    "CHILDID": "CHILD",
    **_same("SEX", "DOB", "ETHNIC", UASC_FLAG, "DUC"),
    **_same("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    **_same("IN_TOUCH", "ACTIV", "ACCOM"),
}
#: the raw columns every record takes from its child's HEADER, where its table has them
FROM_HEADER = ("CHILD", "DOB", "SEX")


@dataclass(frozen=True)
class XmlRecord:
    """Where one SSDA903 table's records lie in the XML.

    ``path``: the repeated element of each record, from the root; None for a table read from
    the HEADER's own elements (one record per CHILD: always for the Header table, else when
    one of ``fields`` is given). ``fields``: element name to raw column, inside ``path`` (or
    the HEADER). ``dropped``: elements of DfE's inside ``path`` that are not kept, with why.
    ``used``: elements read to derive a kept column and then dropped (PL_POST, for PL_LA).
    """

    layout: RawLayout
    path: str | None
    fields: Mapping[str, str]
    dropped: Mapping[str, str] = field(default_factory=dict)
    used: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        kept = {c.raw for c in self.layout.kept if c.required}
        read = set(self.fields.values()) | set(self.header_columns) | set(self.used)
        if not kept <= read:
            raise ValueError(f"{self.layout.name}: raw columns {sorted(kept - read)} not read")

    @property
    def header_columns(self) -> tuple[str, ...]:
        """The raw columns taken from the child's HEADER."""
        kept = {c.raw for c in self.layout.kept}
        own = set(self.fields.values())
        return tuple(c for c in FROM_HEADER if c in kept and c not in own)

    @property
    def columns(self) -> tuple[str, ...]:
        """The raw columns of the table built from the XML, in the CSV's order."""
        read = set(self.fields.values()) | set(self.header_columns) | set(self.used)
        return tuple(c for c in self.layout.dfe_columns if c in read)

    def element_of(self, column: str) -> str:
        """The path, from the root, of the element a raw column is read from."""
        if column in self.header_columns:
            (name,) = (n for n, c in HEADER_FIELDS.items() if c == column)
            return f"{HEADER_PATH}/{name}"
        names = [n for n, c in self.fields.items() if c == column] or [column]  # a used one
        return f"{self.path or HEADER_PATH}/{names[0]}"


def _group(layout: RawLayout, element: str, under: str = HEADER_PATH) -> XmlRecord:
    """A table whose records are a repeated element with the table's own columns' names."""
    own = tuple(c.raw for c in layout.kept if c.raw not in FROM_HEADER)
    return XmlRecord(layout, f"{under}/{element}", _same(*own))


def _from_header(layout: RawLayout) -> XmlRecord:
    own = tuple(c.raw for c in layout.kept if c.raw not in FROM_HEADER)
    return XmlRecord(layout, None, _same(*own))


RECORDS: tuple[XmlRecord, ...] = (
    XmlRecord(HEADER, None, _same("ETHNIC"), dropped=dict(HEADER.dropped)),
    XmlRecord(
        EPISODES,
        f"{CHILD_PATH}/EPISODE",
        {
            **_same("DECOM", "RNE", "LS", "CIN"),
            "PL": "PLACE",
            **_same("PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST"),
        },
        dropped={"URN": EPISODES.dropped["URN"]},
        used=("PL_POST",),
    ),
    _group(MISSING, "AMISSING"),
    _group(REVIEWS, "AREVIEW"),
    _group(OC2, "OC2"),
    _from_header(OC3),
    _from_header(UASC),
    _from_header(AD1),
    _group(PLACED_ADOPTION, "AD_PLACED"),
    _group(PREV_PERM, "PERMANENCE"),
    _group(SW_EPISODES, "SW_EPISODE"),
)

#: the records read from the HEADER's own elements, and those of a repeated element by path
HEADER_RECORDS = tuple(r for r in RECORDS if r.path is None)
GROUPS: dict[str, XmlRecord] = {r.path: r for r in RECORDS if r.path is not None}

#: the dropped elements, by path from the root, with why (their text is never read)
DROPPED: dict[str, str] = {
    **{f"{HEADER_PATH}/{name}": why for name, why in HEADER.dropped.items()},
    f"{CHILD_PATH}/EPISODE/URN": EPISODES.dropped["URN"],
}
#: elements read only to derive a column, then dropped, by path, with why
USED: dict[str, str] = {f"{CHILD_PATH}/EPISODE/PL_POST": EPISODES.dropped["PL_POST"]}


def record_condition(record: XmlRecord) -> tuple[str, ...]:
    """For a table read from the HEADER: the raw columns any of which, given, makes a record
    (none: a record for every CHILD, the Header table's)."""
    if record.layout is HEADER:
        return ()
    if record.layout is UASC:
        return (UASC_FLAG, "DUC")
    return tuple(record.fields.values())
