"""A batch of the CIN census return's raw records converted into its contract extracts' rows
and refusals (``intake.cin_xml`` reads the records; ``intake.cin_layout`` declares them).

Each column of a batch is converted at once, with vectorised pandas; a record is refused by
the first of its columns, in the layout's order, that cannot be converted, with the line and
path of the element that refused it and why, never its value; a record whose enclosing record
was refused is refused with it.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import numpy as np
import pandas as pd

from tip_pipeline.intake.cin_layout import (
    CHILD,
    FIELDS,
    LAYOUTS_BY_PATH,
    RECORDS,
    UNBORN_SOURCE,
    Conversion,
    Element,
    RecordLayout,
    XmlColumn,
)
from tip_pipeline.intake.dates import birth_month, parse_iso_flagged
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.ssda903 import ID_REFUSED, ISO_DATE, IntakeResult, Refusal

DATE_REFUSED = "not a date of the form yyyy-mm-dd (XML Schema xs:date)"
INT_REFUSED = "not a whole number"
WHOLE_NUMBER = re.compile(r"[+-]?\d+")
#: XML Schema's xs:boolean in its two spellings, as the contract's 0/1 code
BOOLEAN_CODES = {"true": "1", "false": "0"}


def _numbers() -> array[int]:
    """A growing list of whole numbers held as machine integers (``array('q')``): no object
    per number, and handed to numpy without a copy."""
    return array("q")


@dataclass(slots=True)
class Occurrences:
    """Where one field element occurred in a batch, in the file's order: the index of the
    record it lies in (in its table), the line of its start tag and its text. Parallel lists,
    not an object per occurrence: a return has millions of fields, and objects that hold
    others are what the garbage collector keeps walking."""

    records: array[int] = field(default_factory=_numbers)
    lines: array[int] = field(default_factory=_numbers)
    texts: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RawTable:
    """One record's raw records in a batch: each one's start line and its enclosing record's
    index in the enclosing table (-1 for a child), and the occurrences of each of its field
    elements, by path."""

    lines: array[int]
    parents: array[int]
    fields: dict[str, Occurrences]

    @classmethod
    def empty(cls, layout: RecordLayout) -> RawTable:
        sources = (layout.element(s) for column in layout.columns for s in column.sources)
        return cls(_numbers(), _numbers(), {source: Occurrences() for source in sources})

    def __len__(self) -> int:
        return len(self.lines)


class RawColumn(NamedTuple):
    """One contract column's raw text for every record of a batch (None where absent), where it
    was read (line and element path; the record's own line, and its first source, when absent),
    whether its element was repeated and whether a later source was present too."""

    values: pd.Series
    lines: np.ndarray
    elements: np.ndarray
    repeated: np.ndarray
    both: np.ndarray


class Converted(NamedTuple):
    """A contract column's values (``string``) and why each record cannot be converted (None
    where it can)."""

    values: pd.Series
    reasons: pd.Series


def _per_record(occurrences: Occurrences) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The records an element occurred in, the index of its first occurrence in each and how
    many times it occurred there. Occurrences are in the file's order, so that those of one
    record follow each other."""
    records = np.asarray(occurrences.records)
    starts = np.flatnonzero(np.diff(records, prepend=-1))
    counts = np.diff(starts, append=len(records))
    return records[starts], starts, counts


def _joined(texts: list[str], first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Each record's codes joined with commas in the file's order, each trimmed, empty ones
    left out."""
    joined = [
        ",".join(code for code in (text.strip() for text in texts[start : start + count]) if code)
        for start, count in zip(first.tolist(), counts.tolist(), strict=True)
    ]
    return np.array(joined, dtype=object)


def _raw_column(layout: RecordLayout, column: XmlColumn, table: RawTable) -> RawColumn:
    """The raw text of one column for every record (None where absent), from the first of its
    sources the record has. A CODES column joins every occurrence; any other takes its
    element's first occurrence (``repeated`` when there are more)."""
    sources = [layout.element(source) for source in column.sources]
    joins = column.conversion is Conversion.CODES
    values = np.full(len(table), None, dtype=object)
    lines = np.array(table.lines)
    elements = np.full(len(table), sources[0] if sources else layout.path, dtype=object)
    found = np.zeros(len(table), dtype=bool)
    repeated = np.zeros(len(table), dtype=bool)
    both = np.zeros(len(table), dtype=bool)
    for source in sources:
        occurrences = table.fields[source]
        if not occurrences.records:
            continue
        records, first, counts = _per_record(occurrences)
        earlier = found[records]
        both[records[earlier]] = True
        records, first, counts = records[~earlier], first[~earlier], counts[~earlier]
        if joins:
            values[records] = _joined(occurrences.texts, first, counts)
        else:
            values[records] = np.array(occurrences.texts, dtype=object)[first]
            repeated[records] = counts > 1
        lines[records] = np.asarray(occurrences.lines)[first]
        elements[records] = source
        found[records] = True
    return RawColumn(pd.Series(values, dtype=object), lines, elements, repeated, both)


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
    """xs:date values read, and why a present value that is none is refused: only the ISO
    form is read (``dates.parse_iso_flagged``), so that a number is never taken for a serial
    day nor a text for a day-first date."""
    parsed = parse_iso_flagged(values)
    return parsed.dates, _no_reasons(values.index).mask(parsed.unparseable, DATE_REFUSED)


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


def _each_distinct(values: pd.Series, convert: Callable[[pd.Series], Converted]) -> Converted:
    """``convert`` applied once to each distinct raw text, its answer given to every record
    with that text: a return repeats the same dates and codes on many records, and pandas'
    string and date methods, vectorised as they are, still cost per value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # one more value, missing, at the end: the one that records without the element take
    distinct = convert(pd.Series([*uniques, None], dtype=object))
    at = np.where(codes < 0, len(uniques), codes)
    return Converted(
        distinct.values.take(at).reset_index(drop=True),
        distinct.reasons.take(at).reset_index(drop=True),
    )


class TableBatch(NamedTuple):
    """One table's batch converted: every record's contract values (refused ones too, so that
    their own records can look them up), which were refused, the refusals, the records' start
    lines, the written rows and what the report counts."""

    values: dict[str, pd.Series]
    refused: pd.Series
    refusals: list[Refused]
    lines: np.ndarray
    frame: pd.DataFrame
    unborn: int
    both_given: Counter[tuple[str, str]]


def _parent_values(
    column: XmlColumn, table: RawTable, parent: TableBatch, parent_name: str
) -> Converted:
    """The enclosing record's value of the same column; refused when the enclosing record
    was."""
    at = np.asarray(table.parents)
    values = parent.values[column.contract].take(at).reset_index(drop=True)
    gone = parent.refused.to_numpy()[at]
    reasons = np.full(len(at), None, dtype=object)
    reasons[gone] = [
        f"its {parent_name} (line {line}) was refused" for line in parent.lines[at[gone]].tolist()
    ]
    return Converted(values, pd.Series(reasons, dtype=object))


def _convert_column(
    layout: RecordLayout,
    column: XmlColumn,
    table: RawTable,
    raw: RawColumn | None,
    parent: TableBatch | None,
    pseudonymiser: Pseudonymiser,
) -> Converted:
    """One column of a batch converted; a single-valued element given twice refuses."""
    if column.conversion is Conversion.PARENT:
        if parent is None or layout.parent is None:
            raise ValueError(f"{layout.name}: a PARENT column needs its parent's batch")
        return _parent_values(column, table, parent, LAYOUTS_BY_PATH[layout.parent].name)
    if raw is None:
        raise ValueError(f"{layout.name}: {column.contract} was not read")
    if column.conversion is Conversion.PSEUDONYM:
        converted = _pseudonyms(raw.values, pseudonymiser)
    else:
        converted = _each_distinct(raw.values, CONVERTERS[column.conversion])
    repeated = f"given more than once in one {layout.name}: which one is meant cannot be told"
    return Converted(converted.values, converted.reasons.mask(raw.repeated, repeated))


class Refused(NamedTuple):
    """A record's refusal and where it sorts among the table's: by its line, then by the
    column that refused it (the layout's order), then by the record's place in the file
    (``Accounts.result``), so that the order never depends on how the file was cut into
    batches or parts."""

    line: int
    column: int
    record: int
    refusal: Refusal


def _refusals(
    layout: RecordLayout,
    table: RawTable,
    raws: Mapping[str, RawColumn],
    converted: Mapping[str, Converted],
    file: str,
) -> tuple[pd.Series, list[Refused]]:
    """Which records are refused (one reason each: the first column, in the layout's order,
    that refuses it) and the refusals, each with its column's number and its record's index
    in the batch. A field's refusal names its element and line; a record refused with its
    enclosing record names its own start tag."""
    refused = pd.Series(False, index=pd.RangeIndex(len(table)))
    refusals: list[Refused] = []
    for number, column in enumerate(layout.columns):
        reasons = converted[column.contract].reasons
        new = reasons.notna() & ~refused
        for i in new.index[new]:
            if column.conversion is Conversion.PARENT:
                line, element = table.lines[i], layout.path
            else:
                raw = raws[column.contract]
                line, element = int(raw.lines[i]), str(raw.elements[i])
            refusal = Refusal(file, line, element, str(reasons.iloc[i]))
            refusals.append(Refused(line, number, int(i), refusal))
        refused |= new
    return refused, refusals


def _both_given(
    layout: RecordLayout, raws: Mapping[str, RawColumn], kept: pd.Series
) -> Counter[tuple[str, str]]:
    """Written records that gave two sources of one column, by (kept, other) source."""
    counts: Counter[tuple[str, str]] = Counter()
    for column in layout.columns:
        if len(column.sources) > 1:
            both = int((raws[column.contract].both & kept.to_numpy()).sum())
            if both:
                counts[column.sources[0], column.sources[1]] += both
    return counts


def _unborn(raws: Mapping[str, RawColumn], kept: pd.Series) -> int:
    """Written children whose birth date was read from ExpectedPersonBirthDate."""
    unborn = raws["PersonBirthDate"].elements == CHILD.element(UNBORN_SOURCE)
    return int((unborn & kept.to_numpy()).sum())


def convert_batch(
    layout: RecordLayout,
    table: RawTable,
    parent: TableBatch | None,
    file: str,
    pseudonymiser: Pseudonymiser,
) -> TableBatch:
    """A batch of one record's raw records converted into its contract extract's rows."""
    raws = {
        c.contract: _raw_column(layout, c, table)
        for c in layout.columns
        if c.conversion is not Conversion.PARENT
    }
    converted = {
        c.contract: _convert_column(layout, c, table, raws.get(c.contract), parent, pseudonymiser)
        for c in layout.columns
    }
    refused, refusals = _refusals(layout, table, raws, converted, file)
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
        lines=np.array(table.lines),
        frame=frame,
        unborn=_unborn(raws, kept) if layout is CHILD else 0,
        both_given=_both_given(layout, raws, kept),
    )


@dataclass
class Batch:
    """The raw records of a batch of children, each table's in the file's order."""

    tables: dict[str, RawTable] = field(
        default_factory=lambda: {layout.path: RawTable.empty(layout) for layout in RECORDS}
    )

    @property
    def children(self) -> int:
        return len(self.tables[CHILD.path])

    def open_record(self, layout: RecordLayout, line: int) -> None:
        """A record starts (``line``), within the latest record of its enclosing table."""
        table = self.tables[layout.path]
        table.lines.append(line)
        table.parents.append(len(self.tables[layout.parent]) - 1 if layout.parent else -1)

    def field_slots(self) -> dict[Element, tuple[array[int], array[int], array[int], list[str]]]:
        """For each field element of the layout, where its occurrences go: its table's record
        lines (the latest record is the one a field lies in), and the occurrences' records,
        lines and texts. The reader appends to them itself, without a call per field: an
        England return has some 5.7 million fields."""
        slots = {}
        for element in FIELDS:
            table = self.tables[element.record.path]
            occurrences = table.fields[element.path]
            slots[element] = (
                table.lines,
                occurrences.records,
                occurrences.lines,
                occurrences.texts,
            )
        return slots


class Frames(Protocol):
    """Where the rows of each table's batches are kept until the file has been read, by the
    table's record path."""

    def append(self, table: str, frame: pd.DataFrame) -> None:
        """Keep a batch's rows (a frame with at least one row)."""

    def frame(self, table: str) -> pd.DataFrame | None:
        """Every batch's rows of the table, in order, on a new range index; None if none."""


@dataclass
class HeldFrames:
    """Each table's batches held in this process, concatenated at the end."""

    batches: dict[str, list[pd.DataFrame]] = field(
        default_factory=lambda: {layout.path: [] for layout in RECORDS}
    )

    def append(self, table: str, frame: pd.DataFrame) -> None:
        self.batches[table].append(frame)

    def frame(self, table: str) -> pd.DataFrame | None:
        batches = self.batches[table]
        return pd.concat(batches, ignore_index=True) if batches else None


def _both_given_order() -> dict[tuple[str, str, str], int]:
    """Each (record, kept, other) pair of sources a record may give both of, in the layout's
    order (records, then columns): the order the report names them in."""
    pairs = [
        (layout.name, column.sources[0], column.sources[1])
        for layout in RECORDS
        for column in layout.columns
        if len(column.sources) > 1
    ]
    return {pair: number for number, pair in enumerate(pairs)}


BOTH_GIVEN_ORDER = _both_given_order()


@dataclass
class Accounts:
    """What every batch converted adds up to, per table and for the report. The rows go to
    ``frames``: held here unless the reader is given somewhere else to keep them
    (``intake.census_worker`` writes them to a file).

    Nothing here depends on where the batches began and ended: each refusal sorts by its line,
    its column and its record's place in the table (:class:`Refused`, the record counted
    from the first converted here), and the pairs of sources given both by the layout's order,
    so that a file read in batches, or in two parts whose accounts are :meth:`joined`, is
    accounted for as if read whole."""

    frames: Frames = field(default_factory=HeldFrames)
    read: Counter[str] = field(default_factory=Counter)
    refusals: dict[str, list[Refused]] = field(
        default_factory=lambda: {layout.path: [] for layout in RECORDS}
    )
    unborn: int = 0
    both_given: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def add(self, batch: Batch, file: str, pseudonymiser: Pseudonymiser) -> None:
        """Convert a batch, parents first, and add it up."""
        converted: dict[str, TableBatch] = {}
        for layout in RECORDS:
            raw = batch.tables[layout.path]
            parent = converted[layout.parent] if layout.parent else None
            table = convert_batch(layout, raw, parent, file, pseudonymiser)
            converted[layout.path] = table
            if not table.frame.empty:
                self.frames.append(layout.path, table.frame)
            before = self.read[layout.path]
            self.refusals[layout.path] += [
                r._replace(record=before + r.record) for r in table.refusals
            ]
            self.read[layout.path] += len(raw)
            self.unborn += table.unborn
            for (kept, other), count in table.both_given.items():
                self.both_given[layout.name, kept, other] += count

    def joined(self, after: Accounts, frames: Frames) -> Accounts:
        """These accounts and those of the records that follow them in the file (``after``),
        as if one reader had converted both; the rows of both go to ``frames``, these
        first."""
        refusals = {
            path: self.refusals[path]
            + [r._replace(record=self.read[path] + r.record) for r in after.refusals[path]]
            for path in self.refusals
        }
        return Accounts(
            frames=frames,
            read=self.read + after.read,
            refusals=refusals,
            unborn=self.unborn + after.unborn,
            both_given=self.both_given + after.both_given,
        )

    def both_given_in_order(self) -> list[tuple[tuple[str, str, str], int]]:
        """The pairs of sources given both, with their counts, in the layout's order."""
        return sorted(self.both_given.items(), key=lambda item: BOTH_GIVEN_ORDER[item[0]])

    def result(self, layout: RecordLayout, file: str) -> IntakeResult:
        """The account of one table."""
        frame = self.frames.frame(layout.path)
        if frame is None:
            frame = pd.DataFrame(
                {name: pd.Series(dtype="string") for name in layout.extract.column_names}
            )
        refusals = sorted(self.refusals[layout.path], key=lambda r: r[:3])
        return IntakeResult(
            file=file,
            table=layout.extract.table,
            unit="line",
            frame=frame,
            read=self.read[layout.path],
            written=len(frame),
            refused=tuple(r.refusal for r in refusals),
        )
