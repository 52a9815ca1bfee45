"""A batch of the CIN census return's raw records converted into its contract extracts' rows
and refusals (``intake.cin_xml`` reads the records; ``intake.cin_layout`` declares them).

Each column of a batch is converted at once, with vectorised pandas; a record is refused by
the first of its columns, in the layout's order, that cannot be converted, with the line and
path of the element that refused it and why, never its value; a record whose enclosing record
was refused is refused with it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from tip_pipeline.intake.cin_layout import (
    CHILD,
    LAYOUTS_BY_PATH,
    RECORDS,
    UNBORN_SOURCE,
    Conversion,
    Element,
    RecordLayout,
    XmlColumn,
)
from tip_pipeline.intake.dates import ISO, birth_month, parse_dates_flagged
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.ssda903 import ID_REFUSED, ISO_DATE, IntakeResult, Refusal

DATE_REFUSED = "not a date of the form yyyy-mm-dd (XML Schema xs:date)"
INT_REFUSED = "not a whole number"
WHOLE_NUMBER = re.compile(r"[+-]?\d+")
#: XML Schema's xs:boolean in its two spellings, as the contract's 0/1 code
BOOLEAN_CODES = {"true": "1", "false": "0"}


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


@dataclass
class Batch:
    """The raw records of a batch of children, each table's in the file's order; a record's
    ``parent`` is its enclosing record's index in the enclosing table."""

    records: dict[str, list[RawRecord]] = field(
        default_factory=lambda: {layout.path: [] for layout in RECORDS}
    )

    @property
    def children(self) -> int:
        return len(self.records[CHILD.path])

    def open_record(self, layout: RecordLayout, line: int) -> None:
        """A record starts (``line``), within the latest record of its enclosing table."""
        parent = len(self.records[layout.parent]) - 1 if layout.parent else -1
        self.records[layout.path].append(RawRecord(line, parent))

    def add_field(self, element: Element, line: int, text: str) -> None:
        """A field's text, kept in the latest record of its table: the one it lies in."""
        record = self.records[element.record.path][-1]
        record.fields.setdefault(element.path, []).append((text, line))


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
