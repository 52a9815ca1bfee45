"""Read one raw table, a CSV or the first sheet of an XLSX workbook, as a local authority holds
it: a header row, then one record per row, every value as it was written.

Why its own reader (and not ``ingest.reader``): ingest reads the project's contract files,
whose header must be exactly the contract's; a raw return comes as the case-management
system or the analyst saved it, so the header is only read here, and which table it is is
decided by the caller from the columns (``intake.ssda903``).

What is read:

- **CSV**: UTF-8, with or without a byte-order mark. Any other encoding is refused with the
  file and the line of its first undecodable byte, never guessed (a Windows-1252 guess would
  silently turn a name's accent into another letter, and the pseudonym of an id with it into
  another child's). Every value is text (the ``csv`` module infers nothing), so an id such as
  ``00123`` keeps its zeros. A record is numbered by the physical line it starts on (the
  header is line 1), as an editor shows it; a quoted value may span lines.
- **XLSX**: the first worksheet, through openpyxl in read-only mode with the cached values of
  formulas (``data_only``). Each cell comes as openpyxl gives it: text, a number (an id or a
  date Excel stored as a number), a ``datetime`` (a date cell) or None. A record is numbered
  by its row, as Excel shows it (the header is row 1). A boolean cell becomes the text Excel
  shows, ``TRUE`` or ``FALSE``.

Both: header names are stripped and upper-cased (``CHILD``, `` child ``, ``Child`` are one
column; DfE's SSDA903 names are capitals); text values are stripped and an empty one is
missing (None); a row whose every cell is empty is no record and is counted, not read.

A record that cannot be split into the header's columns (a CSV line with more or fewer fields
than the header, which a value's unquoted comma or newline makes; broken quoting; an XLSX cell
right of the header's last column) is kept aside as malformed with its line and the problem,
so that the caller accounts for it: a record is never shifted into the wrong columns.

No message repeats a value: a header field is named only when it is shaped like a column
name, since a file without its header has a record in its place.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.utils.exceptions import InvalidFileException

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.ingest.reader import COLUMN_NAME, decode_utf8

CSV_SUFFIXES = frozenset({".csv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})

#: the kind of a record's position: CSV physical lines, XLSX rows
LINE, ROW = "line", "row"


class TableFileError(ValueFreeError):
    """A raw table that cannot be read at all: no such file, not CSV or XLSX, not UTF-8, empty,
    or a header naming one column twice. The message names the file and the place, never a
    value."""


class Malformed(NamedTuple):
    """A record that could not be split into the header's columns: where it starts and why."""

    position: int
    problem: str


@dataclass(frozen=True)
class RawTable:
    """One raw table as read.

    ``frame``: one column per header field, named by its key (:func:`column_key`), object dtype:
    ``str`` or None for a CSV; for an XLSX, the cells as openpyxl gives them.
    ``positions``: the physical line (CSV) or row (XLSX) of each record of ``frame``.
    """

    file: str
    unit: str
    header: tuple[str, ...]
    frame: pd.DataFrame
    positions: tuple[int, ...]
    malformed: tuple[Malformed, ...] = ()
    blank_rows: int = 0
    #: worksheets of the workbook after the first, which are not read
    other_sheets: int = 0
    #: the workbook counts its dates from 1904 (old Excel for Mac): a date stored as a bare
    #: number is then 1462 days short of the 1900 system's serial
    excel_1904: bool = False

    @property
    def records(self) -> int:
        """Every record read, malformed ones included (blank rows are none)."""
        return len(self.frame) + len(self.malformed)


def column_key(field: object, position: int) -> str:
    """The key of a header field: stripped and upper-cased text; a field that is empty or not
    text (an XLSX number or date in the header) is keyed by its position, ``#3``."""
    text = field.strip().upper() if isinstance(field, str) else ""
    return text or f"#{position}"


def column_label(key: str) -> str:
    """A column for a message: its name when shaped like one, else only its position."""
    if COLUMN_NAME.match(key):
        return key
    if key.startswith("#") and key[1:].isdigit():
        return f"the unnamed column at position {key[1:]}"
    return "a column whose name is not shaped like a column name"


def _header_keys(fields: Iterable[object], file: str, unit: str) -> tuple[str, ...]:
    """The header's keys; a column named twice is refused (which of the two holds the value?)."""
    keys = tuple(column_key(name, i) for i, name in enumerate(fields, start=1))
    if not keys:
        raise TableFileError(f"{file}: {unit} 1 (the header) is empty")
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        named = ", ".join(column_label(k) for k in twice)
        raise TableFileError(f"{file}: {unit} 1 (the header) names a column twice: {named}")
    return keys


def _cell(value: object) -> object:
    """A value as kept: text stripped, empty text missing (None), a boolean cell as the text
    Excel shows (``TRUE``, ``FALSE``: it is neither a number nor a date, and Python's True
    would equal the number 1), anything else as it is."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value


def _frame(keys: tuple[str, ...], records: list[list[object]]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=list(keys), dtype=object)
    return frame if records else pd.DataFrame({k: pd.Series(dtype=object) for k in keys})


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame of text with every value stripped and empty ones missing (None), each distinct
    value of a column stripped once (``pd.factorize``): a return repeats its codes."""
    for key in frame.columns:
        codes, uniques = pd.factorize(frame[key], use_na_sentinel=True)
        table = np.empty(len(uniques) + 1, dtype=object)  # the last, None, for code -1
        table[:-1] = [_cell(value) for value in uniques]
        frame[key] = pd.Series(table[codes], index=frame.index, dtype=object)
    return frame


# --- CSV ----------------------------------------------------------------------------------------


def _csv_records(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """``(first physical line, fields, problem)`` of each record; fields None when the record
    cannot be read (broken quoting), with the problem. The csv module follows quoted newlines,
    so ``line_num`` stays a count of physical lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # csv's own message may quote the line; say where only
            yield start, None, f"unreadable CSV (broken quoting) from line {start}"
            continue
        yield start, fields, None


def read_csv(path: Path) -> RawTable:
    """A raw CSV table (see the module's docstring)."""
    file = path.name
    text = decode_utf8(path.read_bytes(), file, TableFileError)
    records = _csv_records(text)
    first = next(records, None)
    if first is None or not first[1]:
        raise TableFileError(f"{file}: line 1 holds no header (the file is empty or starts blank)")
    keys = _header_keys(first[1], file, LINE)
    rows: list[list[object]] = []
    positions: list[int] = []
    malformed: list[Malformed] = []
    blank = 0
    for line, fields, problem in records:
        if fields is None:
            malformed.append(Malformed(line, problem or "unreadable CSV"))
        elif not "".join(fields).strip():
            blank += 1
        elif len(fields) != len(keys):
            malformed.append(
                Malformed(line, f"{len(fields)} fields where the header has {len(keys)}")
            )
        else:
            rows.append(fields)
            positions.append(line)
    return RawTable(
        file=file,
        unit=LINE,
        header=keys,
        frame=_stripped(_frame(keys, rows)),
        positions=tuple(positions),
        malformed=tuple(malformed),
        blank_rows=blank,
    )


# --- XLSX ---------------------------------------------------------------------------------------


def _trim(row: tuple[object, ...]) -> list[object]:
    """A row without its trailing empty cells (a formatted but empty cell is read as None)."""
    cells = list(row)
    while cells and _cell(cells[-1]) is None:
        cells.pop()
    return cells


def _xlsx_record(cells: list[object], width: int) -> list[object] | None:
    """The row's cells padded to the header's width (a row ends at its last filled cell), or
    None when a filled cell lies right of the header's last column."""
    if len(cells) > width:
        return None
    return [_cell(v) for v in cells] + [None] * (width - len(cells))


#: what openpyxl, and the zip and XML layers under it, raise on a damaged workbook; their
#: messages may quote a cell, so only the class is named
WORKBOOK_ERRORS = (
    InvalidFileException,
    zipfile.BadZipFile,
    ParseError,
    KeyError,
    ValueError,
    TypeError,
    OSError,
)


def _unreadable(file: str, error: BaseException) -> TableFileError:
    return TableFileError(f"{file}: cannot be read as an XLSX workbook ({type(error).__name__})")


@dataclass
class _Body:
    records: list[list[object]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)
    blank: int = 0


def _xlsx_body(rows: Iterator[tuple[object, ...]], width: int) -> _Body:
    """The records after the header row, numbered as Excel numbers its rows."""
    body = _Body()
    for number, row in enumerate(rows, start=2):
        cells = _trim(row)
        if not cells:
            body.blank += 1
            continue
        record = _xlsx_record(cells, width)
        if record is None:
            body.malformed.append(Malformed(number, "a value right of the header's last column"))
        else:
            body.records.append(record)
            body.positions.append(number)
    return body


def _first_sheet(book: Workbook, file: str) -> RawTable:
    sheets = book.worksheets
    if not sheets:
        raise TableFileError(f"{file}: the workbook has no worksheet")
    sheet = sheets[0]
    sheet.reset_dimensions()  # a saved dimension may be wrong: read every cell written
    rows = sheet.iter_rows(values_only=True)
    header = _trim(next(rows, ()))
    if not header:
        raise TableFileError(f"{file}: row 1 holds no header (the sheet is empty)")
    keys = _header_keys(header, file, ROW)
    body = _xlsx_body(rows, len(keys))
    return RawTable(
        file=file,
        unit=ROW,
        header=keys,
        frame=_frame(keys, body.records),
        positions=tuple(body.positions),
        malformed=tuple(body.malformed),
        blank_rows=body.blank,
        other_sheets=len(sheets) - 1,
        excel_1904=book.epoch == CALENDAR_MAC_1904,
    )


def read_xlsx(path: Path) -> RawTable:
    """The first worksheet of an XLSX workbook (see the module's docstring)."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except WORKBOOK_ERRORS as error:
        raise _unreadable(path.name, error) from None
    try:
        return _first_sheet(book, path.name)
    except WORKBOOK_ERRORS as error:
        raise _unreadable(path.name, error) from None
    finally:
        book.close()


def read_table(path: Path | str) -> RawTable:
    """A raw table from a CSV or XLSX file, told apart by the file's suffix (the table itself
    is recognised by its header, by the caller). An old binary ``.xls`` is refused: save it as
    ``.xlsx``."""
    path = Path(path)
    if not path.is_file():
        raise TableFileError(f"{path.name}: no such file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv(path)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path)
    raise TableFileError(
        f"{path.name}: neither a CSV nor an XLSX file (by its suffix); save it as CSV UTF-8 or "
        "as an Excel workbook (.xlsx)"
    )
