"""The SSDA903 reader of the intake: every table of a local authority's raw children looked
after return (Header, Episodes, Missing, Reviews, OC2, OC3, UASC, AD1, PlacedAdoption, PrevPerm
and SW episodes), as CSV or XLSX, converted into the project's contract extracts ``ssda903_*``
(docs/CONVENTIONS.md, "Raw returns (intake)").

The raw layouts are DfE's: *Children looked after return (SSDA903): guide to the return*,
published by the Department for Education for each collection year, gives the fields of each
table, and an authority's CSV tables carry them by name: the Header table CHILD, SEX, DOB,
ETHNIC, UPN, MOTHER, MC_DOB; the Episodes table CHILD, DECOM, RNE, LS, CIN, PLACE,
PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN; the Missing table
CHILD, DOB, MISSING, MIS_START, MIS_END; the Reviews table CHILD, DOB, REVIEW, REVIEW_CODE; the
OC2 table CHILD, DOB, SDQ_SCORE, SDQ_REASON, CONVICTED, HEALTH_CHECK, IMMUNISATIONS,
TEETH_CHECK, HEALTH_ASSESSMENT, SUBSTANCE_MISUSE, INTERVENTION_RECEIVED, INTERVENTION_OFFERED;
the OC3 table CHILD, DOB, IN_TOUCH, ACTIV, ACCOM; the UASC table CHILD, SEX, DOB, DUC; the AD1
table CHILD, DOB, DATE_INT, DATE_MATCH, FOSTER_CARE, NB_ADOPTR, SEX_ADOPTR, LS_ADOPTR; the
PlacedAdoption table CHILD, DOB, DATE_PLACED, DATE_PLACED_CEASED, REASON_PLACED_CEASED; the
PrevPerm table CHILD, DOB, PREV_PERM, LA_PERM, DATE_PERM; the SW episodes table CHILD, DOB,
SW_ID, SW_DECOM, SW_DEC, SW_REASON (the same names as the CSV tables of the sector's validator,
data-to-insight/csc-validator-be-903, ``lac_validator/config.py``, ``column_names``). They are
declared below as data (:class:`RawLayout`): which raw columns recognise a table, which become
which contract column and how, which are dropped and why, and, for a table DfE added later,
the first year whose return holds it (``since``: the SW episodes table from 2023/24, when the
validator's rules SW01-SW14 begin; the other tables are in every year the project reads).

A table is recognised by its header alone, never by its file name (an authority names its
files as it likes): names are compared stripped and in capitals, in any order. A header that
matches no table is refused naming the tables it was compared with and what they need, never
its own fields (a header may really be a record).

**The previous year's Header and Episodes.** DfE's checks compare a child's return with the
year before (the validator's ``Header_last`` and ``Episodes_last``), and an authority keeps
that year's tables. They are not a second kind of table: they are the previous reporting
year's return, and belong in that year's folder of the raw landing (``<raw>/2022-23/`` for the
year before 2023/24, ``intake.landing``), where they are read and written as that year's
``ssda903_header`` and ``ssda903_episodes``. Put in the current year's folder beside the
current tables, they would give the same tables twice for one year, and landing refuses both
files whole rather than choose one.

How each value is converted (the contract's column kinds):

- CHILD, the authority's own id of the child (alphanumeric, of no fixed width), becomes its
  keyed pseudonym (``intake.pseudonyms``). With no declared width (``width=None``), an id
  that Excel stored as a number, and so lost its leading zeros, cannot have them restored:
  such ids are counted (:attr:`IntakeResult.numeric_ids`) so that the report says a year may
  not link with a year delivered as text. An empty CHILD refuses the record.
- SW_ID, the social worker's id (DfE: ``SW`` and digits, ``XX`` where none is known), becomes
  a keyed pseudonym with the same key in the staff namespace (``intake.pseudonyms``,
  ``STAFF_NAMESPACE``), so that it never equals a child's. An empty SW_ID refuses the record.
- DOB, in every table, is read (dd/mm/yyyy, ISO, Excel serial or date cell,
  ``intake.dates``) and cut to the first of its month; no flag of these tables needs the day,
  so nothing is derived first.
- DECOM, DEC, MIS_START, MIS_END, REVIEW, DUC, DATE_INT, DATE_MATCH, DATE_PLACED,
  DATE_PLACED_CEASED, SW_DECOM and SW_DEC become ISO ``yyyy-mm-dd``. A present date that cannot
  be read refuses the record (a DEC or MIS_END written empty would turn a closed episode into
  an open one).
- DATE_PERM, the date of a previous permanence order, may be partly unknown: DfE lets each
  unknown part be written ZZ (rule 632), e.g. ``ZZ/05/2019``. A full date becomes
  ``yyyy-mm-dd``; an unknown day keeps the month, ``2019-05``; an unknown month keeps the year,
  ``2019``; an unknown year leaves nothing, written empty. No day is ever made up. Such dates
  are counted in the report; any other form refuses the record.
- HOME_POST, the home postcode, becomes the home LSOA 2021 code (``intake.postcodes``). A
  postcode the lookup lacks is written empty, never guessed: an unknown home area, which
  validation accepts and counts in completeness as ``home_lsoa_missing_or_unknown`` and the
  indicators count in the delivering LA (``tip_pipeline.home_area``). Such postcodes are
  counted here too.
- Codes (SEX, ETHNIC, RNE, LS, CIN, PLACE, PLACE_PROVIDER, REC, REASON_PLACE_CHANGE, PL_LA,
  MISSING, REVIEW_CODE, the OC2 and OC3 answers, the adopters' codes, REASON_PLACED_CEASED,
  PREV_PERM, LA_PERM, SW_REASON) and OC2's SDQ_SCORE are passed through trimmed: validation
  judges them against the year's code lists (the score as a whole number).
- PL_LA is not a column of DfE's CSV table: as DfE derives it, it is the local authority
  district of the placement's postcode (PL_POST), through the ONS lookup's LA column
  (``LADCD``; ``laua`` in the directory); the postcode itself is dropped. An export that
  carries PL_LA keeps its own value. A postcode the lookup cannot place, or a lookup without
  an LA column, leaves PL_LA empty, counted in the report.
- Every other raw column is dropped and named in the report with why; nothing of a dropped
  column is kept.

Every record read is accounted for: written, or refused with its file, line (CSV) or row
(XLSX), column and reason, never its value (:class:`IntakeResult`).
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.dates import birth_month, parse_dates_flagged
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import SOCIAL_CARE, STAFF_NAMESPACE, Pseudonymiser, System
from tip_pipeline.intake.tables import RawTable, column_label, read_table
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import (
    SSDA903_AD1,
    SSDA903_EPISODES,
    SSDA903_HEADER,
    SSDA903_MISSING,
    SSDA903_OC2,
    SSDA903_OC3,
    SSDA903_PLACED_ADOPTION,
    SSDA903_PREV_PERM,
    SSDA903_REVIEWS,
    SSDA903_SW_EPISODES,
    SSDA903_UASC,
    Extract,
)

#: days from Excel's 1904 date system to its 1900 one (1904-01-01 is serial 1462 in the 1900
#: system): a bare number in a date column of a 1904 workbook is shifted by it
EXCEL_1904_OFFSET = 1462

ISO_DATE = "%Y-%m-%d"


class IntakeError(ValueFreeError):
    """A raw table the intake cannot convert at all (a header of no known table). The message
    names the file and the known tables, never a field or value of the file."""


class Conversion(StrEnum):
    """How a raw column becomes its contract column."""

    PSEUDONYM = "pseudonym"
    #: a record key of the source system (a case id, an offence id): keyed-hashed in the
    #: system's records namespace, so no key of the authority's system is written
    RECORD_ID = "record_id"
    #: a member of staff's id (SW_ID): the same key, the staff namespace
    STAFF_PSEUDONYM = "staff_pseudonym"
    BIRTH_MONTH = "birth_month"
    #: a date that would give back a day of birth (UASC's DUC, usually the 18th birthday): cut
    #: to the first of its month as a date of birth is
    MONTH = "month"
    DATE = "date"
    #: a date DfE allows to be partly unknown (DATE_PERM): kept to the day, month or year given
    PARTIAL_DATE = "partial_date"
    HOME_LSOA = "home_lsoa"
    #: PL_LA: the export's own code, else the LA of the placement's postcode (PL_POST)
    PLACEMENT_LA = "placement_la"
    CODE = "code"


@dataclass(frozen=True)
class RawColumn:
    """A raw column that is kept: its contract column and how it is converted. ``required``:
    the raw table must have it (it is part of what recognises the table)."""

    raw: str
    contract: str
    conversion: Conversion
    required: bool = True


@dataclass(frozen=True)
class RowFilter:
    """Which records of a raw table are written, by the value of one raw column (in capitals,
    trimmed): ``kept`` values are written, ``left_out`` ones are left out by design and counted
    (``why``), any other value refuses the record. E.g. H-CLIC's People section lists every
    member of the household; only dependent children are written to ``hclic_children``."""

    raw: str
    kept: tuple[str, ...]
    left_out: tuple[str, ...]
    why: str

    def refused_reason(self) -> str:
        return (
            f"neither {' nor '.join(self.kept + self.left_out)} (which says whether the record "
            "is written): a value of no known meaning"
        )


@dataclass(frozen=True)
class RawLayout:
    """One raw table of the return: DfE's name for it, the contract extract it becomes, the
    columns kept (in any order in the file) and the columns of DfE's table that are dropped,
    each with why. ``since``: the first reporting year whose return holds the table (None:
    every year the project reads). ``system``: whose ids its ids are (children's social care
    for DfE's returns; ``intake.pseudonyms``). ``family``: how messages name the table's
    return and ``collection`` the return itself. ``rows``: which records are written, where not
    all are."""

    name: str
    extract: Extract
    kept: tuple[RawColumn, ...]
    dropped: Mapping[str, str]
    since: FinancialYear | None = None
    system: System = field(default=SOCIAL_CARE)
    family: str = "DfE's"
    collection: str = "SSDA903"
    rows: RowFilter | None = None

    def __post_init__(self) -> None:
        contract = tuple(c.contract for c in self.kept)
        if sorted(contract) != sorted(self.extract.column_names):
            raise ValueError(f"{self.name}: kept columns differ from {self.extract.table}'s")

    @property
    def required(self) -> tuple[str, ...]:
        """The raw columns that recognise the table."""
        kept = tuple(c.raw for c in self.kept if c.required)
        return kept + ((self.rows.raw,) if self.rows else ())

    @property
    def optional(self) -> tuple[str, ...]:
        """Raw columns the table may have: kept ones it may lack, and DfE's dropped ones."""
        return tuple(c.raw for c in self.kept if not c.required) + tuple(self.dropped)

    @property
    def dfe_columns(self) -> tuple[str, ...]:
        """DfE's columns of the table, in the guide's order (the required kept columns, then
        the dropped ones): what an authority's export holds, and what the generator writes."""
        return self.required + tuple(self.dropped)

    def lacks(self, header: set[str]) -> tuple[str, ...]:
        """The required raw columns missing from ``header``."""
        return tuple(c for c in self.required if c not in header)

    def describe(self) -> str:
        return f"{self.family} {self.name} table ({self.extract.table}: {', '.join(self.required)})"

    def in_return(self, period: FinancialYear) -> bool:
        """Whether the return of ``period`` holds the table (DfE added some in later years)."""
        return self.since is None or period >= self.since


HEADER = RawLayout(
    name="Header",
    extract=SSDA903_HEADER,
    kept=(
        RawColumn("CHILD", "CHILD", Conversion.PSEUDONYM),
        RawColumn("SEX", "SEX", Conversion.CODE),
        RawColumn("DOB", "DOB", Conversion.BIRTH_MONTH),
        RawColumn("ETHNIC", "ETHNIC", Conversion.CODE),
    ),
    dropped={
        "UPN": "the Unique Pupil Number, a national identifier of the child: not in the contract",
        "MOTHER": "whether the child is a mother: not in the contract",
        "MC_DOB": "the date of birth of the child's own child, a second person's date of birth: "
        "the contract has no column for it",
    },
)

EPISODES = RawLayout(
    name="Episodes",
    extract=SSDA903_EPISODES,
    kept=(
        RawColumn("CHILD", "CHILD", Conversion.PSEUDONYM),
        RawColumn("DECOM", "DECOM", Conversion.DATE),
        RawColumn("RNE", "RNE", Conversion.CODE),
        RawColumn("LS", "LS", Conversion.CODE),
        RawColumn("CIN", "CIN", Conversion.CODE),
        RawColumn("PLACE", "PLACE", Conversion.CODE),
        RawColumn("PLACE_PROVIDER", "PLACE_PROVIDER", Conversion.CODE),
        RawColumn("DEC", "DEC", Conversion.DATE),
        RawColumn("REC", "REC", Conversion.CODE),
        RawColumn("REASON_PLACE_CHANGE", "REASON_PLACE_CHANGE", Conversion.CODE),
        RawColumn("HOME_POST", "HOME_POST", Conversion.HOME_LSOA),
        # not in DfE's CSV table: derived from PL_POST; an export's own value kept
        RawColumn("PL_LA", "PL_LA", Conversion.PLACEMENT_LA, required=False),
    ),
    dropped={
        "PL_POST": "the placement's postcode tells where foster carers live or where a home "
        "is: only its local authority is kept, as PL_LA (docs/CONVENTIONS.md, 'Identifiers')",
        "URN": "the Ofsted unique reference number of the placement's provider: not in the "
        "contract",
    },
)


def _child_dob() -> tuple[RawColumn, RawColumn]:
    """CHILD and DOB, which DfE repeats at the start of every table after the header."""
    return (
        RawColumn("CHILD", "CHILD", Conversion.PSEUDONYM),
        RawColumn("DOB", "DOB", Conversion.BIRTH_MONTH),
    )


def _codes(*names: str) -> tuple[RawColumn, ...]:
    return tuple(RawColumn(name, name, Conversion.CODE) for name in names)


MISSING = RawLayout(
    name="Missing",
    extract=SSDA903_MISSING,
    kept=(
        *_child_dob(),
        RawColumn("MISSING", "MISSING", Conversion.CODE),
        RawColumn("MIS_START", "MIS_START", Conversion.DATE),
        RawColumn("MIS_END", "MIS_END", Conversion.DATE),
    ),
    dropped={},
)

REVIEWS = RawLayout(
    name="Reviews",
    extract=SSDA903_REVIEWS,
    kept=(
        *_child_dob(),
        RawColumn("REVIEW", "REVIEW", Conversion.DATE),
        RawColumn("REVIEW_CODE", "REVIEW_CODE", Conversion.CODE),
    ),
    dropped={},
)

OC2 = RawLayout(
    name="OC2",
    extract=SSDA903_OC2,
    kept=(
        *_child_dob(),
        # a score is a number, passed through as text like a code: validation reads it
        *_codes(
            "SDQ_SCORE",
            "SDQ_REASON",
            "CONVICTED",
            "HEALTH_CHECK",
            "IMMUNISATIONS",
            "TEETH_CHECK",
            "HEALTH_ASSESSMENT",
            "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED",
            "INTERVENTION_OFFERED",
        ),
    ),
    dropped={},
)

OC3 = RawLayout(
    name="OC3",
    extract=SSDA903_OC3,
    kept=(*_child_dob(), *_codes("IN_TOUCH", "ACTIV", "ACCOM")),
    dropped={},
)

UASC = RawLayout(
    name="UASC",
    extract=SSDA903_UASC,
    kept=(
        RawColumn("CHILD", "CHILD", Conversion.PSEUDONYM),
        RawColumn("SEX", "SEX", Conversion.CODE),
        RawColumn("DOB", "DOB", Conversion.BIRTH_MONTH),
        RawColumn("DUC", "DUC", Conversion.MONTH),
    ),
    dropped={},
)

AD1 = RawLayout(
    name="AD1",
    extract=SSDA903_AD1,
    kept=(
        *_child_dob(),
        RawColumn("DATE_INT", "DATE_INT", Conversion.DATE),
        RawColumn("DATE_MATCH", "DATE_MATCH", Conversion.DATE),
        *_codes("FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    ),
    dropped={},
)

PLACED_ADOPTION = RawLayout(
    name="PlacedAdoption",
    extract=SSDA903_PLACED_ADOPTION,
    kept=(
        *_child_dob(),
        RawColumn("DATE_PLACED", "DATE_PLACED", Conversion.DATE),
        RawColumn("DATE_PLACED_CEASED", "DATE_PLACED_CEASED", Conversion.DATE),
        RawColumn("REASON_PLACED_CEASED", "REASON_PLACED_CEASED", Conversion.CODE),
    ),
    dropped={},
)

PREV_PERM = RawLayout(
    name="PrevPerm",
    extract=SSDA903_PREV_PERM,
    kept=(
        *_child_dob(),
        *_codes("PREV_PERM", "LA_PERM"),
        RawColumn("DATE_PERM", "DATE_PERM", Conversion.PARTIAL_DATE),
    ),
    dropped={},
)

SW_EPISODES = RawLayout(
    name="SWEpisodes",
    extract=SSDA903_SW_EPISODES,
    kept=(
        *_child_dob(),
        RawColumn("SW_ID", "SW_ID", Conversion.STAFF_PSEUDONYM),
        RawColumn("SW_DECOM", "SW_DECOM", Conversion.DATE),
        RawColumn("SW_DEC", "SW_DEC", Conversion.DATE),
        RawColumn("SW_REASON", "SW_REASON", Conversion.CODE),
    ),
    dropped={},
    since=codes.SW_EPISODES_FROM,
)

#: the raw tables recognised, in the order they are compared
LAYOUTS: tuple[RawLayout, ...] = (
    HEADER,
    EPISODES,
    MISSING,
    REVIEWS,
    OC2,
    OC3,
    UASC,
    AD1,
    PLACED_ADOPTION,
    PREV_PERM,
    SW_EPISODES,
)


class Refusal(NamedTuple):
    """A record not written: the raw file, its physical line (CSV) or row (XLSX), the column
    that refused it (None when the record could not be split into columns) and why."""

    file: str
    line: int
    column: str | None
    reason: str

    def message(self, unit: str = "line") -> str:
        where = f"{self.file}: {unit} {self.line}"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.reason}"


class DroppedColumn(NamedTuple):
    """A raw column not kept, named as :func:`tables.column_label` allows, and why."""

    column: str
    why: str


@dataclass(frozen=True)
class IntakeResult:
    """One raw table converted: the contract extract's rows (``frame``, every column text, in
    the contract's order) and the account of every record read (``read == written +
    len(refused)``, checked on creation)."""

    file: str
    table: str
    unit: str
    frame: pd.DataFrame
    read: int
    written: int
    refused: tuple[Refusal, ...]
    dropped: tuple[DroppedColumn, ...] = ()
    #: contract columns the raw table lacks (optional ones), written empty
    absent: tuple[str, ...] = ()
    #: written records whose CHILD Excel stored as a number (leading zeros lost, if any)
    numeric_ids: int = 0
    #: written records whose home postcode the lookup lacks (HOME_POST written empty)
    home_lsoa_unknown: int = 0
    #: written records whose placement postcode the lookup cannot place (PL_LA written empty)
    placement_la_unknown: int = 0
    #: written records whose partly unknown date (DfE's ZZ) is kept to its month or year, or,
    #: its year unknown, written empty
    partial_dates: int = 0
    blank_rows: int = 0
    other_sheets: int = 0
    #: records left out by design (:class:`RowFilter`), and why: read = written + refused +
    #: left out
    left_out: int = 0
    left_out_why: str = ""
    #: the quarter (1-4) of a quarterly return's file (H-CLIC), told by its folder
    quarter: int | None = None

    def __post_init__(self) -> None:
        accounted = self.written + len(self.refused) + self.left_out
        if self.read != accounted or self.written != len(self.frame):
            raise AssertionError(
                f"{self.file}: {self.read} records read, {self.written} written, "
                f"{len(self.refused)} refused and {self.left_out} left out do not add up"
            )

    @property
    def slot(self) -> str:
        """What the result fills in its year: its table, and its quarter for a quarterly one
        (``hclic_main Q1``)."""
        return self.table if self.quarter is None else f"{self.table} Q{self.quarter}"

    def report(self) -> list[str]:
        """What was done, line by line, naming files, lines, columns and counts only."""
        lines = [
            f"{self.file} -> {self.slot}: {self.read} record(s) read, {self.written} "
            f"written, {len(self.refused)} refused"
            + (f", {self.left_out} left out" if self.left_out else "")
        ]
        if self.left_out:
            lines.append(f"{self.left_out} record(s) left out: {self.left_out_why}")
        lines += [f"dropped column {d.column}: {d.why}" for d in self.dropped]
        lines += [f"column {c} is not in the file: written empty" for c in self.absent]
        lines += _notes(self)
        lines += [refusal.message(self.unit) for refusal in self.refused]
        return lines


def _notes(result: IntakeResult) -> list[str]:
    notes = []
    if result.numeric_ids:
        notes.append(
            f"{result.numeric_ids} CHILD id(s) stored by Excel as numbers: an id that had "
            "leading zeros has lost them, and its pseudonym will not link with a year "
            "delivered as text (CHILD has no declared width to restore them to)"
        )
    if result.home_lsoa_unknown:
        notes.append(
            f"{result.home_lsoa_unknown} home postcode(s) not in the postcode lookup: "
            "HOME_POST written empty (an unknown LSOA)"
        )
    if result.placement_la_unknown:
        notes.append(
            f"{result.placement_la_unknown} placement postcode(s) the postcode lookup cannot "
            "place in a local authority: PL_LA written empty"
        )
    if result.partial_dates:
        notes.append(
            f"{result.partial_dates} date(s) partly unknown (DfE's ZZ): kept to the month or "
            "year given, or written empty where the year is not known; no day is made up"
        )
    if result.blank_rows:
        notes.append(f"{result.blank_rows} blank {result.unit}(s) skipped")
    if result.other_sheets:
        notes.append(f"{result.other_sheets} worksheet(s) after the first not read")
    return notes


# --- recognising a table --------------------------------------------------------------------


def recognise(
    header: tuple[str, ...],
    file: str,
    unit: str = "line",
    layouts: tuple[RawLayout, ...] | None = None,
    kinds: str = "SSDA903",
) -> RawLayout:
    """The one raw table of ``layouts`` (by default :data:`LAYOUTS`) whose required columns the
    header (keys, in capitals) has. ``kinds``: how messages name the returns compared.

    Refused when none or several match; the message names the known tables and which of their
    columns the header lacks (the project's own names), never a field of the header.
    """
    layouts = LAYOUTS if layouts is None else layouts
    names = set(header)
    matches = [layout for layout in layouts if not layout.lacks(names)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise IntakeError(
            f"{file}: {unit} 1 has the columns of more than one {kinds} table "
            f"({' and '.join(m.describe() for m in matches)}): give each table its own file"
        )
    compared = "; ".join(
        f"{layout.describe()}, lacking {', '.join(layout.lacks(names))}" for layout in layouts
    )
    raise IntakeError(
        f"{file}: {unit} 1 is not the header of a known {kinds} table. Compared with: "
        f"{compared}. Its {len(header)} field(s) are not repeated here (a header may really "
        "be a record)"
    )


def _dropped(header: tuple[str, ...], layout: RawLayout) -> tuple[DroppedColumn, ...]:
    """Every raw column not kept, in the file's order, with why."""
    kept = {c.raw for c in layout.kept} | ({layout.rows.raw} if layout.rows else set())
    table = " ".join(filter(None, (layout.family, layout.collection, layout.name)))
    other = f"not a column of {table} table, nor of the contract"
    return tuple(
        DroppedColumn(column_label(key), layout.dropped.get(key, other))
        for key in header
        if key not in kept
    )


# --- converting values ----------------------------------------------------------------------


@dataclass(frozen=True)
class Converted:
    """A contract column's values (``string``), why each row cannot be converted (None where
    it can) and which rows the report counts (numeric ids, unknown LSOAs)."""

    values: pd.Series
    reasons: pd.Series
    flagged: pd.Series | None = None


@dataclass(frozen=True)
class _Tools:
    """What the conversions need beyond the values: the key, the lookup, the date system."""

    pseudonymiser: Pseudonymiser
    lookup: PostcodeLookup
    excel_1904: bool = False
    #: whose ids the table's ids are (their namespaces)
    system: System = SOCIAL_CARE
    #: the table's placement postcodes (PL_POST), where it has them, for PL_LA
    placement_postcodes: pd.Series | None = None


def _is_whole_number(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool | np.bool_)
        and np.isfinite(float(value))
        and float(value).is_integer()
    )


def _text(value: object) -> str | None:
    """A cell as text: a whole number as its digits (Excel's 1 for a code ``1``), anything
    else as Python writes it; missing stays None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value
    if _is_whole_number(value):
        return str(int(value))
    return str(value)


def _per_distinct(values: pd.Series, function: Callable[[object], object]) -> pd.Series:
    """``function`` of each value, called once per distinct value (``pd.factorize``): a return
    repeats its codes, ids and dates on many rows. Missing values give ``function(None)``."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    results = [function(value) for value in uniques] + [function(None)]
    table = np.empty(len(results), dtype=object)
    table[:] = results
    return pd.Series(table[codes], index=values.index, dtype=object)


def _as_text(values: pd.Series) -> pd.Series:
    return _per_distinct(values, _text).astype("string")


def _no_reasons(index: pd.Index) -> pd.Series:
    return pd.Series(None, index=index, dtype=object)


def _id_kind(value: object) -> str:
    """``missing``, ``text``, ``number`` (a whole number: Excel's reading of a digit id) or
    ``other``."""
    if _text(value) is None:
        return "missing"
    if isinstance(value, str):
        return "text"
    return "number" if _is_whole_number(value) else "other"


ID_REFUSED = {
    "missing": "empty: a record without the child's id can be neither pseudonymised nor linked",
    "other": "neither text nor a whole number (a spreadsheet cell of another type)",
}


def _pseudonyms(values: pd.Series, tools: _Tools) -> Converted:
    """Keyed pseudonyms of the ids (no declared width: DfE's CHILD is the authority's own id,
    of no fixed length, so zeros Excel dropped cannot be restored), in the namespace of the
    table's system's people, or through the authority's cross-reference where it lists them
    (``intake.pseudonyms``); ids Excel made numbers are flagged for the report."""
    kinds = _per_distinct(values, _id_kind)
    usable = kinds.isin(["text", "number"])
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    if usable.any():
        out[usable] = tools.pseudonymiser.series(
            values[usable], width=None, namespace=tools.system.people
        )
    return Converted(out, kinds.map(ID_REFUSED).astype(object), kinds == "number")


RECORD_ID_REFUSED = {
    "missing": "empty: a record without its key cannot be linked to its other records",
    "other": ID_REFUSED["other"],
}


def _record_ids(values: pd.Series, tools: _Tools) -> Converted:
    """A source system's record keys (H-CLIC's case id, an offence id), keyed-hashed in the
    system's records namespace: the same key gives the same value in every file and quarter,
    so records still link, and no key of the authority's system is written."""
    kinds = _per_distinct(values, _id_kind)
    usable = kinds.isin(["text", "number"])
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    if usable.any():
        out[usable] = tools.pseudonymiser.series(
            values[usable], width=None, namespace=tools.system.records
        )
    return Converted(out, kinds.map(RECORD_ID_REFUSED).astype(object))


def _staff_pseudonyms(values: pd.Series, tools: _Tools) -> Converted:
    """Keyed pseudonyms of staff ids (SW_ID) in the staff namespace, so that a social worker's
    pseudonym is never a child's; an empty id refuses the record, as a child's does."""
    kinds = _per_distinct(values, _id_kind)
    usable = kinds.isin(["text", "number"])
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    if usable.any():
        out[usable] = tools.pseudonymiser.series(
            values[usable], width=None, namespace=STAFF_NAMESPACE
        )
    return Converted(out, kinds.map(STAFF_ID_REFUSED).astype(object))


STAFF_ID_REFUSED = {
    "missing": "empty: DfE's return gives every social worker episode the worker's id (XX "
    "and digits where none is known)",
    "other": ID_REFUSED["other"],
}


def _from_1904(value: object) -> object:
    """A bare number of a 1904-system workbook as its 1900-system serial, which
    ``intake.dates`` reads (date cells come as dates already; text is read as written)."""
    return value + EXCEL_1904_OFFSET if _is_whole_number(value) else value


DATE_REFUSED = "not a date in a form read (dd/mm/yyyy, yyyy-mm-dd, an Excel date or serial)"


def _dates(values: pd.Series, tools: _Tools) -> tuple[pd.Series, pd.Series]:
    """Dates read, and why a present value that is no date is refused."""
    if tools.excel_1904:
        values = values.map(_from_1904)
    parsed = parse_dates_flagged(values.astype(object))
    reasons = _no_reasons(values.index).mask(parsed.unparseable, DATE_REFUSED)
    return parsed.dates, reasons


def _iso(dates: pd.Series) -> pd.Series:
    """Dates as the contract files write them, ``yyyy-mm-dd``; NaT stays missing."""
    return dates.dt.strftime(ISO_DATE).astype("string").mask(dates.isna())


def _date(values: pd.Series, tools: _Tools) -> Converted:
    dates, reasons = _dates(values, tools)
    return Converted(_iso(dates), reasons)


def _birth_month(values: pd.Series, tools: _Tools) -> Converted:
    dates, reasons = _dates(values, tools)
    return Converted(_iso(birth_month(dates)), reasons)


#: DfE's date with unknown parts written ZZ (``ZZ/05/2019``, ``ZZ/ZZ/2019``, ``ZZ/ZZ/ZZZZ``;
#: DfE rule 632): day, month and year, each digits or Z's
PARTLY_UNKNOWN = re.compile(r"^(?P<day>\d{1,2}|ZZ)/(?P<month>\d{1,2}|ZZ)/(?P<year>\d{4}|ZZZZ)$")
PARTIAL_DATE_REFUSED = (
    "not a date in a form read (dd/mm/yyyy, yyyy-mm-dd, an Excel date or serial), nor DfE's "
    "partly unknown date (ZZ for an unknown day or month, ZZZZ for an unknown year)"
)


def known_part(value: object) -> str | None:
    """What a DfE partly unknown date says, at the precision it says it: ``yyyy-mm`` when the
    day is unknown, ``yyyy`` when the month is (a day without its month says nothing), ``""``
    when the year is (nothing usable). None where ``value`` is not such a date (a full date is
    read by ``intake.dates``; a month outside 1-12 is no date at all).

    DfE's guide lets DATE_PERM's unknown parts be written ZZ (rule 632: "one or more elements
    of the date can be replaced by ZZ if part of the date element is not known"); no day is
    ever filled in."""
    if not isinstance(value, str):
        return None
    match = PARTLY_UNKNOWN.fullmatch(value.strip().upper())
    if match is None or codes.UNKNOWN_DATE_PART not in match.group(0):
        return None
    day, month, year = match.group("day", "month", "year")
    if year.startswith(codes.UNKNOWN_DATE_PART):
        return ""
    if month.startswith(codes.UNKNOWN_DATE_PART):
        return year
    if not 1 <= int(month) <= 12 or not day.startswith(codes.UNKNOWN_DATE_PART):
        return None
    return f"{year}-{int(month):02d}"


def _partial_date(values: pd.Series, tools: _Tools) -> Converted:
    """DATE_PERM: a full date read as every date is (ISO ``yyyy-mm-dd``), a partly unknown one
    kept to its month or year (:func:`known_part`), flagged for the report."""
    partial = _per_distinct(values, known_part)
    is_partial = partial.notna()
    dates, reasons = _dates(values.mask(is_partial), tools)
    out = _iso(dates).mask(is_partial, partial.astype("string"))
    out = out.mask(out == "")
    reasons = reasons.mask(reasons.notna(), PARTIAL_DATE_REFUSED)
    return Converted(out, reasons, is_partial)


def _home_lsoa(values: pd.Series, tools: _Tools) -> Converted:
    postcodes = _as_text(values)
    lsoas = tools.lookup.lsoa(postcodes)
    unknown = postcodes.notna() & lsoas.isna()
    return Converted(lsoas, _no_reasons(values.index), unknown)


def _placement_la(values: pd.Series, tools: _Tools) -> Converted:
    """PL_LA: the code an export carries where it has one; otherwise the local authority
    district of the placement's postcode (PL_POST) through the ONS lookup's LA column, as DfE
    derives it. The postcode itself is never kept (it tells where foster carers live).
    Flagged: a postcode the lookup cannot place, written empty."""
    given = _as_text(values).str.strip()
    given = given.mask(given == "")
    postcodes = tools.placement_postcodes
    if postcodes is None:
        return Converted(given, _no_reasons(values.index))
    postcodes = _as_text(postcodes).str.strip()
    postcodes = postcodes.mask(postcodes == "")
    derived = tools.lookup.la(postcodes)
    placed = given.fillna(derived)
    unknown = given.isna() & postcodes.notna() & derived.isna()
    return Converted(placed, _no_reasons(values.index), unknown)


def _code(values: pd.Series, tools: _Tools) -> Converted:
    text = _as_text(values).str.strip()
    return Converted(text.mask(text == ""), _no_reasons(values.index))


CONVERTERS: dict[Conversion, Callable[[pd.Series, _Tools], Converted]] = {
    Conversion.PSEUDONYM: _pseudonyms,
    Conversion.RECORD_ID: _record_ids,
    Conversion.STAFF_PSEUDONYM: _staff_pseudonyms,
    Conversion.BIRTH_MONTH: _birth_month,
    Conversion.MONTH: _birth_month,
    Conversion.DATE: _date,
    Conversion.PARTIAL_DATE: _partial_date,
    Conversion.HOME_LSOA: _home_lsoa,
    Conversion.PLACEMENT_LA: _placement_la,
    Conversion.CODE: _code,
}


def _column_values(table: RawTable, column: RawColumn) -> pd.Series:
    """The raw column, or missing values when an optional column is absent."""
    if column.raw in table.frame:
        return table.frame[column.raw]
    return pd.Series(None, index=table.frame.index, dtype=object)


def _row_reasons(table: RawTable, layout: RawLayout) -> tuple[pd.Series, pd.Series | None]:
    """Records left out by design (:class:`RowFilter`) and why a record's filter value refuses
    it (None where it does not); nothing left out without a filter."""
    index = table.frame.index
    if layout.rows is None:
        return pd.Series(False, index=index), None
    values = _as_text(table.frame[layout.rows.raw]).str.strip().str.upper()
    left_out = values.isin(layout.rows.left_out).fillna(False).astype(bool)
    known = values.isin(layout.rows.kept + layout.rows.left_out).fillna(False).astype(bool)
    reasons = _no_reasons(index).mask(~known, layout.rows.refused_reason())
    return left_out, reasons


def _refusals(
    table: RawTable, layout: RawLayout, converted: Mapping[str, Converted], left_out: pd.Series
) -> tuple[pd.Series, list[Refusal]]:
    """Which records are refused (one reason each, the first column in the layout's order that
    refuses it; a record left out by design is never refused), and the refusals, the malformed
    records included, in the file's order."""
    refused = left_out.copy()
    refusals = [Refusal(table.file, m.position, None, m.problem) for m in table.malformed]
    positions = np.asarray(table.positions, dtype=np.int64)
    _, row_reasons = _row_reasons(table, layout)
    checks = [(column.raw, converted[column.contract].reasons) for column in layout.kept]
    if layout.rows is not None and row_reasons is not None:
        checks.insert(0, (layout.rows.raw, row_reasons))
    for raw, reasons in checks:
        new = reasons.notna() & ~refused
        for i in np.flatnonzero(new.to_numpy()):
            refusals.append(Refusal(table.file, int(positions[i]), raw, str(reasons.iloc[i])))
        refused |= new
    return refused & ~left_out, sorted(refusals, key=lambda r: r.line)


def _frame(layout: RawLayout, converted: Mapping[str, Converted], kept: pd.Series) -> pd.DataFrame:
    """The written rows: the contract's columns in its order, all ``string``."""
    columns = {
        name: converted[name].values[kept].astype("string").reset_index(drop=True)
        for name in layout.extract.column_names
    }
    return pd.DataFrame(columns, columns=list(layout.extract.column_names))


def _flagged(
    converted: Mapping[str, Converted], conversion: Conversion, layout: RawLayout, kept: pd.Series
) -> int:
    """How many written records a conversion flagged (numeric ids, unknown LSOAs)."""
    return sum(
        int(converted[c.contract].flagged[kept].sum())
        for c in layout.kept
        if c.conversion is conversion and converted[c.contract].flagged is not None
    )


def _absent(column: RawColumn, table: RawTable) -> bool:
    """Whether the column's contract column is written empty for want of its raw column
    (PL_LA is derived from PL_POST when the table has that)."""
    derived = column.conversion is Conversion.PLACEMENT_LA and "PL_POST" in table.frame
    return column.raw not in table.frame and not derived


def convert(
    table: RawTable,
    pseudonymiser: Pseudonymiser,
    lookup: PostcodeLookup,
    layout: RawLayout | None = None,
) -> IntakeResult:
    """The contract extract of a raw table already read (:func:`tables.read_table`), its table
    told by its header, or ``layout`` where the caller knows it (the return's XML says which
    table each record is of: ``intake.ssda903_xml``)."""
    layout = layout or recognise(table.header, table.file, table.unit)
    tools = _Tools(
        pseudonymiser, lookup, table.excel_1904, layout.system, table.frame.get("PL_POST")
    )
    converted = {
        c.contract: CONVERTERS[c.conversion](_column_values(table, c), tools) for c in layout.kept
    }
    left_out, _ = _row_reasons(table, layout)
    refused, refusals = _refusals(table, layout, converted, left_out)
    kept = ~refused & ~left_out
    frame = _frame(layout, converted, kept)
    return IntakeResult(
        file=table.file,
        table=layout.extract.table,
        unit=table.unit,
        frame=frame,
        read=table.records,
        written=len(frame),
        refused=tuple(refusals),
        dropped=_dropped(table.header, layout),
        absent=tuple(c.contract for c in layout.kept if _absent(c, table)),
        numeric_ids=_flagged(converted, Conversion.PSEUDONYM, layout, kept),
        home_lsoa_unknown=_flagged(converted, Conversion.HOME_LSOA, layout, kept),
        placement_la_unknown=_flagged(converted, Conversion.PLACEMENT_LA, layout, kept),
        partial_dates=_flagged(converted, Conversion.PARTIAL_DATE, layout, kept),
        blank_rows=table.blank_rows,
        other_sheets=table.other_sheets,
        left_out=int(left_out.sum()),
        left_out_why=layout.rows.why if layout.rows else "",
    )


def read_ssda903(
    path: Path | str, pseudonymiser: Pseudonymiser, lookup: PostcodeLookup
) -> IntakeResult:
    """Read a raw SSDA903 table (CSV or XLSX, any table of :data:`LAYOUTS`) and convert it
    into its contract extract; which table it is, is told by its header."""
    return convert(read_table(path), pseudonymiser, lookup)
