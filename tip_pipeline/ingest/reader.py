"""Read one delivered CSV exactly as delivered: text columns, physical line numbers, hash.

Every value is read as text (the explicit dtype of a raw extract): typing belongs to
validation, which must be able to quarantine a bad value with the line it came from rather
than lose it in a failed cast. Surrounding spaces are stripped (spreadsheet exports pad
values) and empty fields become missing values; nothing else is changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.ingest.discovery import DeliveryError
from tip_pipeline.sources.contracts import Extract

#: physical line number of each record (the header is line 1)
LINE = "_line"
_LINE_END = re.compile(r"\r\n|\n|\r")


@dataclass(frozen=True)
class MalformedLine:
    line: int
    problem: str
    #: the physical line as delivered (the first line of a record that spans several)
    text: str = ""


@dataclass
class RawExtract:
    """One file as read: its records as text, and what proves which bytes they came from."""

    path: Path
    extract: Extract
    frame: pd.DataFrame
    sha256: str
    size_bytes: int
    physical_lines: int
    malformed: list[MalformedLine] = field(default_factory=list)
    blank_lines: int = 0

    @property
    def rows(self) -> int:
        return len(self.frame)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks (deliveries can be large)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def data_version(files: Iterable[tuple[str, str]]) -> str:
    """One hash for a set of files (name, sha256): changes iff any file's bytes (or the set
    of names) do. The data version of an ingest asset's materialisation, which the nightly
    schedule compares with the files' hashes."""
    joined = "\n".join(f"{name}:{sha}" for name, sha in sorted(files))
    return hashlib.sha256(joined.encode()).hexdigest()


def _line_breaks(data: bytes) -> int:
    """How many line breaks ``data`` holds, counted as the csv module counts lines: LF, CRLF
    and a lone CR are one each (a file saved with classic Mac line endings has only CRs)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def decode_utf8(data: bytes, file: str, error: type[ValueFreeError] = DeliveryError) -> str:
    """UTF-8, with or without a byte-order mark; anything else is refused as ``error`` naming
    the file and the line of the first byte that is not, never guessed (a wrong guess turns
    names and codes into other text silently). Used by ingestion and by intake's raw tables."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = _line_breaks(data[: err.start]) + 1
        raise error(
            f"{file}: line {line} is not UTF-8 (byte 0x{data[err.start]:02x}); save the file "
            "as UTF-8 (in Excel: CSV UTF-8)"
        ) from None


#: a header field shaped like a column name (letters, digits, underscores), which a message may
#: name; any other field is named by its position only, since it may be a record's value
COLUMN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def _field_names(fields: list[str], header: list[str]) -> str:
    """Header fields for a message: column-name-shaped ones by name, others by position."""
    return ", ".join(
        f if COLUMN_NAME.match(f) else f"the field at position {header.index(f) + 1}"
        for f in fields
    )


def _header_hint(header: list[str], allowed: tuple[str, ...]) -> str:
    """Why a line-1 with no contract column is probably not a header, from its shape alone."""
    line = ",".join(header)
    wanted = {c.casefold() for c in allowed}
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        if {f.strip().casefold() for f in line.split(delimiter)} & wanted:
            return f"it looks delimited by {name}: extracts are comma-separated"
    if line.casefold().startswith("sep="):
        return "an Excel 'sep=' line comes before the header: save the file without it"
    if {f.strip().casefold() for f in header} & wanted:
        return "its column names differ from the contract's in case or spacing"
    return "a header line missing, a record in its place, or not an extract"


def _check_header(header: list[str], extract: Extract, path: Path) -> None:
    """Refuse a header that is not the contract's, naming the problem but never a value.

    A header line with no contract column at all is taken for a record (a header missing, a
    record in its place, or a file that is not an extract): none of its fields is repeated,
    since they may be a person's values.
    """
    allowed = extract.column_names
    if not set(header) & set(allowed):
        raise DeliveryError(
            f"{path.name}: line 1 is not the header of {extract.table}: none of its "
            f"{len(header)} field(s) is a column of the contract ({_header_hint(header, allowed)}"
            "); its fields are not repeated here. The contract allows exactly: "
            f"{', '.join(allowed)}"
        )
    missing = [c for c in allowed if c not in header]
    extra = [c for c in header if c not in allowed]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        problems.append(f"column(s) not in the contract {_field_names(extra, header)}")
    if duplicated:
        problems.append(f"duplicated column(s) {_field_names(duplicated, header)}")
    if problems:
        raise DeliveryError(
            f"{path.name}: line 1 (header): {'; '.join(problems)}. The contract for "
            f"{extract.table} allows exactly: {', '.join(allowed)}"
        )


@dataclass
class _Split:
    records: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    malformed: list[MalformedLine] = field(default_factory=list)
    blank_lines: int = 0


def _problem(record: list[str], width: int, may_hold_nul: bool) -> str | None:
    if len(record) != width:
        return f"{len(record)} fields where the header has {width}"
    if may_hold_nul and any("\x00" in value for value in record):
        return "a NUL byte inside a field"
    return None


def _split_records(body: str, width: int, first_line: int) -> _Split:
    """Split the CSV text after the header into records, with the physical line each starts on.

    The csv module follows quoted newlines, so ``line_num`` stays a physical line count. A
    record with the wrong number of fields, a NUL byte, or broken quoting is set aside as
    malformed with the lines it spans, and reading goes on with the next record: every
    physical line ends up in a record, a malformed record or the blank-line count.
    """
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    may_hold_nul = "\x00" in body  # look record by record only when the file has one
    split = _Split()
    offset = first_line - 1
    while True:
        start = reader.line_num + 1 + offset
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            end = reader.line_num + offset
            span = f"line {start}" if end <= start else f"lines {start}-{end}"
            split.malformed.append(MalformedLine(start, f"unreadable CSV ({err}) in {span}"))
            continue
        if not record:
            split.blank_lines += 1
            continue
        problem = _problem(record, width, may_hold_nul)
        if problem:
            split.malformed.append(MalformedLine(start, problem))
        else:
            split.records.append(record)
            split.lines.append(start)
    return split


def _split_header(text: str) -> tuple[str, str]:
    """The header line and the rest, whatever the line ending (LF, CRLF or a lone CR)."""
    match = _LINE_END.search(text)
    if not match:
        return text, ""
    return text[: match.start()], text[match.end() :]


def _count_lines(data: bytes) -> int:
    """Physical lines, as the csv module numbers them (a last line without a break counts)."""
    return _line_breaks(data) + (0 if data.endswith((b"\n", b"\r")) else 1)


def read_extract(path: Path, extract: Extract) -> RawExtract:
    """Read ``path`` against ``extract``'s contract.

    Raises DeliveryError, naming the file and line, when the file is unusable as a whole
    (undecodable, empty, header not the contract's).
    """
    data = path.read_bytes()
    text = decode_utf8(data, path.name)
    if not text.strip():
        raise DeliveryError(f"{path.name}: the file is empty (no header line)")
    header_text, body = _split_header(text)
    header = next(csv.reader([header_text]))
    _check_header(header, extract, path)
    split = _split_records(body, width=len(header), first_line=2)
    physical = _LINE_END.split(body) if split.malformed else []
    malformed = [
        MalformedLine(m.line, m.problem, physical[m.line - 2].replace("\x00", ""))
        for m in split.malformed
    ]
    frame = pd.DataFrame(split.records, columns=header, dtype="string")
    frame = frame[list(extract.column_names)].apply(lambda column: column.str.strip())
    frame = frame.replace("", pd.NA)
    frame.insert(0, LINE, pd.array(split.lines, dtype="Int64"))
    return RawExtract(
        path=path,
        extract=extract,
        frame=frame,
        sha256=sha256_of(data),
        size_bytes=len(data),
        physical_lines=_count_lines(data),
        malformed=malformed,
        blank_lines=split.blank_lines,
    )
