"""Read one delivered CSV exactly as delivered: text columns, physical line numbers, hash.

Every value is read as text (the explicit dtype of a raw extract): typing belongs to
validation, which must be able to quarantine a bad value with the line it came from rather
than lose it in a failed cast. Surrounding spaces are stripped (spreadsheet exports pad
values) and empty fields become missing values; nothing else is changed.

The file is read in chunks and hashed as it is read. A physical line longer than
``MAX_LINE_BYTES`` (a file that is not a CSV, an export that lost its line breaks) is never
held whole: its bytes are skipped as they come, never decoded, and it is set aside as
malformed by its line number and length only, as is a record whose lines include it (as line
1 it refuses the file). Whatever its size, such a line costs no more memory than the limit.
Lines end at LF, CRLF or a lone CR, as the csv module counts them.

The common file, one record per physical line and every quote a whole field's, is split by
Arrow's CSV reader in C (``_read_clean``); any other goes record by record through the csv
module, whose reading is the reference. Both give the same extract.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.ingest.discovery import DeliveryError
from tip_pipeline.sources.contracts import Extract

#: every character ``str.isspace`` accepts (what ``str.split``, ``str.strip`` and ``re``'s
#: ``\s`` take for a space), for Arrow: the reader strips them, the identifier guard looks for
#: them; a test checks it against Python's own
SPACE_CHARACTERS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

#: physical line number of each record (the header is line 1)
LINE = "_line"
_LINE_END = re.compile(r"\r\n|\n|\r")

#: the longest physical line read, in bytes (1 MiB). The widest line of any contract file is
#: the population file's (187 columns of counts: 771 bytes in a generated file, under 2 KB
#: with six-digit counts), so no real record comes near it, and holding one line of this size
#: costs nothing; a longer line is cut out unread (``_LongLineCutter``), so the memory a line
#: can take is bounded by this, not by the file.
MAX_LINE_BYTES = 1024 * 1024


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


def _line_breaks(data: bytes | bytearray, start: int = 0, end: int | None = None) -> int:
    """How many line breaks ``data[start:end]`` holds, counted as the csv module counts lines:
    LF, CRLF and a lone CR are one each (a file saved with classic Mac line endings has only
    CRs). Counted in place, without copying the slice (it can be most of a large file); the
    CRLF pairs, slower to count, only where there is a CR."""
    crs = data.count(b"\r", start, end)
    pairs = data.count(b"\r\n", start, end) if crs else 0
    return data.count(b"\n", start, end) + crs - pairs


def decode_utf8(
    data: bytes | bytearray, file: str, error: type[ValueFreeError] = DeliveryError
) -> str:
    """UTF-8, with or without a byte-order mark; anything else is refused as ``error`` naming
    the file and the line of the first byte that is not, never guessed (a wrong guess turns
    names and codes into other text silently). Used by ingestion and by intake's raw tables."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = _line_breaks(data, 0, err.start) + 1
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


def _first_break(data: bytes) -> int:
    """Where the first line break (LF or CR) of ``data`` is, or -1."""
    found = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
    return min(found, default=-1)


def _last_break(data: bytes) -> int:
    """Where the last line break (LF or CR) of ``data`` is, or -1."""
    return max(data.rfind(b"\n"), data.rfind(b"\r"))


@dataclass(frozen=True)
class _Cut:
    """A line longer than the limit, cut out of the kept bytes unread."""

    #: where in the kept bytes it was (its line breaks are kept on either side)
    offset: int
    #: its length in bytes, without its line break
    size: int


@dataclass
class _LongLineCutter:
    """Keep a file's bytes as they are read, chunk by chunk, except any line longer than
    ``limit``: once a line is past the limit, its bytes are dropped as they come and the line
    is recorded as a ``_Cut``. Its line breaks are kept, so an empty line stands in its place
    and the lines after it keep their physical numbers.

    Chunks must be no longer than the limit: a line that starts and ends inside one chunk is
    then within it, and only the line still open at a chunk's end needs measuring.
    """

    limit: int
    kept: bytearray = field(default_factory=bytearray)
    cuts: list[_Cut] = field(default_factory=list)
    #: the bytes so far of the line not ended yet, while they are within the limit
    open_line: bytearray = field(default_factory=bytearray)
    #: the length so far of the line not ended yet once it is past the limit (0 otherwise)
    dropped: int = 0

    def add(self, chunk: bytes) -> None:
        first = _first_break(chunk)
        if first < 0:
            self._extend_open_line(chunk)
            return
        self._extend_open_line(chunk[:first])
        self._end_open_line(next_break=chunk[first : first + 1])
        last = _last_break(chunk)
        self.kept += chunk[first : last + 1]  # whole lines, each within the limit
        self._extend_open_line(chunk[last + 1 :])

    def finish(self) -> None:
        """The file's end ends the line still open."""
        self._end_open_line(next_break=b"")

    def _extend_open_line(self, data: bytes) -> None:
        if self.dropped:
            self.dropped += len(data)
        elif len(self.open_line) + len(data) > self.limit:
            self.dropped = len(self.open_line) + len(data)
            self.open_line.clear()
        else:
            self.open_line += data

    def _end_open_line(self, next_break: bytes) -> None:
        if not self.dropped:
            self.kept += self.open_line
            self.open_line.clear()
            return
        self.cuts.append(_Cut(len(self.kept), self.dropped))
        self.dropped = 0
        if not next_break or (self.kept.endswith(b"\r") and next_break == b"\n"):
            # the empty line left in the cut line's place needs a break of its own at the end
            # of the file, and after a lone CR when LF follows (CR and LF would read as one
            # CRLF, and the line would vanish from the count): a CR gives it one in both cases
            self.kept += b"\r"


@dataclass
class _Bounded:
    """A file read with its long lines cut out, and the hash and size of all its bytes."""

    kept: bytearray
    cuts: list[_Cut]
    sha256: str
    size_bytes: int


def _read_bounded(path: Path, limit: int) -> _Bounded:
    """Read ``path`` in chunks of ``limit`` bytes (never more than a line may hold), hashing
    every byte, long lines included, and keeping all but the lines longer than ``limit``."""
    digest = hashlib.sha256()
    size = 0
    cutter = _LongLineCutter(limit)
    with path.open("rb") as handle:
        while chunk := handle.read(limit):
            digest.update(chunk)
            size += len(chunk)
            cutter.add(chunk)
    cutter.finish()
    return _Bounded(cutter.kept, cutter.cuts, digest.hexdigest(), size)


def _long_lines(kept: bytearray, cuts: list[_Cut]) -> dict[int, int]:
    """The physical line number of each cut line, with its length: the lines before it are
    counted in the kept bytes, whose line breaks are the file's."""
    lines: dict[int, int] = {}
    line, previous = 1, 0
    for cut in cuts:
        line += _line_breaks(kept, previous, cut.offset)
        lines[line] = cut.size
        previous = cut.offset
    return lines


def _too_long(long_lines: dict[int, int], start: int, end: int) -> str | None:
    """Why the record on lines ``start``-``end`` is malformed if one of them was cut out for
    being too long (its values are missing, so the record is never accepted), or None."""
    line = next((n for n in range(start, end + 1) if n in long_lines), None)
    if line is None:
        return None
    where = "line" if start == end else f"line {line} of the record (lines {start}-{end})"
    return f"{where} longer than {MAX_LINE_BYTES:,} bytes ({long_lines[line]:,} bytes)"


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


def _split_records(
    body: str, width: int, first_line: int, long_lines: dict[int, int] | None = None
) -> _Split:
    """Split the CSV text after the header into records, with the physical line each starts on.

    The csv module follows quoted newlines, so ``line_num`` stays a physical line count. A
    record with the wrong number of fields, a NUL byte, or broken quoting is set aside as
    malformed with the lines it spans, and reading goes on with the next record: every
    physical line ends up in a record, a malformed record or the blank-line count. A line cut
    out for its length (``long_lines``: line number to length) reads as an empty line here:
    it, or the record whose lines include it, is malformed, never blank nor accepted. Its
    content is unknown, so a quote it may have opened or closed is not followed: the next line
    is read as the start of a record.
    """
    long_lines = long_lines or {}
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
            problem = _too_long(long_lines, start, end) or f"unreadable CSV ({err}) in {span}"
            split.malformed.append(MalformedLine(start, problem))
            continue
        too_long = _too_long(long_lines, start, reader.line_num + offset) if long_lines else None
        if too_long:
            split.malformed.append(MalformedLine(start, too_long))
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


def _split_header(text: str) -> tuple[str, int]:
    """The header line, and where the text after it starts, whatever the line ending (LF,
    CRLF or a lone CR)."""
    match = _LINE_END.search(text)
    if not match:
        return text, len(text)
    return text[: match.start()], match.end()


def _count_lines(data: bytes | bytearray) -> int:
    """Physical lines, as the csv module numbers them (a last line without a break counts)."""
    return _line_breaks(data) + (0 if data.endswith((b"\n", b"\r")) else 1)


def _malformed_text(line: int, physical: list[str], long_lines: dict[int, int]) -> str:
    """A malformed record's first line as delivered (NUL bytes dropped), for the quarantine;
    nothing of a line cut out for its length, which was never read."""
    if line in long_lines:
        return ""
    return physical[line - 2].replace("\x00", "")


#: a field as the csv module and Arrow read it alike: unquoted and free of quotes, or quoted
#: whole (from the comma or line start before it to the comma or line end after it), its
#: inner quotes doubled; on one line, with no NUL byte (which the csv module sets aside)
_FIELD = r'(?:[^",\r\n\x00]*|"(?:[^"\r\n\x00]|"")*")'
#: a record of one field on a line of its own: not empty (an empty line is a blank line)
_LONE_FIELD = r'(?:[^",\r\n\x00]+|"(?:[^"\r\n\x00]|"")*")'
_BREAK = r"(?:\r\n|\n|\r)"
_BOM = "\ufeff".encode()
#: the bytes Arrow's CSV reader parses at a time (in parallel): more than a line may hold
_BLOCK_BYTES = 4 * MAX_LINE_BYTES


def _clean_body_pattern(width: int) -> str:
    """A regular expression (RE2) that matches a whole body of records of ``width`` fields
    (``_FIELD``), one per physical line, the last line's break optional. No line is blank:
    a record of two fields or more has a comma, a lone field must not be empty.

    On such a body the csv module's and Arrow's readers cannot differ: a record is a line,
    its fields are split at its commas outside quotes, a quoted field's value is what is
    between its quotes with each doubled quote made one. Any other body (a line of another
    width, a blank line, a quoted line break, a quote inside a field, a NUL byte) is left
    to the csv module, whose reading of it is the reference.
    """
    line = _LONE_FIELD if width == 1 else f"{_FIELD}(?:,{_FIELD}){{{width - 1}}}"
    return rf"\A(?:{line}{_BREAK})*{line}{_BREAK}?\z"


def _one_record_per_line(body: pa.Buffer, width: int) -> bool:
    """Whether ``body`` matches ``_clean_body_pattern``: checked by RE2 in one pass over the
    bytes in place (a few nanoseconds a byte), as one binary value. UTF-8 has no byte of a
    quote, comma, line break or NUL inside another character, so bytes and text agree."""
    offsets = pa.array([0, body.size], pa.int64()).buffers()[1]
    value = pa.LargeBinaryArray.from_buffers(pa.large_binary(), 1, [None, offsets, body])
    try:
        return pc.match_substring_regex(value, _clean_body_pattern(width))[0].as_py()
    except pa.ArrowInvalid:  # a width past RE2's repetition limit (1,000)
        return False


def _text_column(column: pa.ChunkedArray) -> pd.arrays.ArrowStringArray:
    """A column as the csv path makes it: stripped of what ``str.strip`` strips (every
    character ``str.isspace`` accepts, not only ASCII), an empty value missing, in pandas'
    ``string`` dtype (Arrow's large strings, missing as ``pd.NA``)."""
    stripped = pc.utf8_trim(column, characters=SPACE_CHARACTERS)
    missing = pa.scalar(None, stripped.type)
    return pd.arrays.ArrowStringArray(pc.if_else(pc.equal(stripped, ""), missing, stripped))


def _read_clean(
    data: bytearray, start: int, lines: int, header: list[str], extract: Extract
) -> pd.DataFrame | None:
    """The records of ``data[start:]`` (the ``lines`` physical lines after the header) split
    by Arrow's CSV reader in C, or None where the csv module might read them otherwise: the
    caller then reads them record by record. The csv module's loop and the frame made from
    its lists cost seconds per million records.

    Only a body of one record per physical line is taken (``_one_record_per_line``), so the
    records' line numbers are 2 to ``lines`` + 1 and nothing is malformed or blank. Arrow
    drops a byte-order mark at the start of what it reads, which the csv module keeps as part
    of the first value: a body starting with one is left to the csv module, as is one in
    which Arrow finds another number of records, or with a field longer than the csv
    module's limit (which it sets aside).
    """
    if start == len(data) or data.startswith(_BOM, start):  # Arrow would drop the mark
        return None
    body = pa.py_buffer(memoryview(data)[start:])
    if not _one_record_per_line(body, len(header)):
        return None
    names = [f"f{i}" for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            body,
            read_options=pa_csv.ReadOptions(column_names=names, block_size=_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(
                quote_char='"', double_quote=True, escape_char=False, newlines_in_values=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                check_utf8=False,  # decode_utf8 has checked every byte
            ),
        )
    except pa.ArrowInvalid:
        return None
    limit = csv.field_size_limit()
    if table.num_rows != lines or any(
        (pc.max(pc.binary_length(c)).as_py() or 0) >= limit for c in table.columns
    ):
        return None
    frame = pd.DataFrame(
        {name: _text_column(table.column(header.index(name))) for name in extract.column_names}
    )
    frame.insert(0, LINE, pd.array(np.arange(2, lines + 2), dtype="Int64"))
    return frame


def _body_start(data: bytes | bytearray) -> int:
    """Where the bytes after the header line begin (where ``_split_header`` splits the text:
    a line break is the same bytes in UTF-8 and in the text)."""
    match = re.search(rb"\r\n|\n|\r", data)
    return match.end() if match else len(data)


def _read_records(
    body: str, header: list[str], extract: Extract, long_lines: dict[int, int]
) -> tuple[pd.DataFrame, list[MalformedLine], int]:
    """The records of ``body`` (the text after the header) read by the csv module, one by
    one: the frame, the malformed lines and the count of blank lines."""
    split = _split_records(body, width=len(header), first_line=2, long_lines=long_lines)
    physical = _LINE_END.split(body) if split.malformed else []
    malformed = [
        MalformedLine(m.line, m.problem, _malformed_text(m.line, physical, long_lines))
        for m in split.malformed
    ]
    frame = pd.DataFrame(split.records, columns=header, dtype="string")
    frame = frame[list(extract.column_names)].apply(lambda column: column.str.strip())
    frame = frame.replace("", pd.NA)
    frame.insert(0, LINE, pd.array(split.lines, dtype="Int64"))
    return frame, malformed, split.blank_lines


def read_extract(path: Path, extract: Extract, fast: bool = True) -> RawExtract:
    """Read ``path`` against ``extract``'s contract.

    Raises DeliveryError, naming the file and line, when the file is unusable as a whole
    (undecodable, empty, header not the contract's or longer than a line may be).
    ``fast=False`` reads the records through the csv module whatever the file (the reference
    the fast path is tested against).
    """
    read = _read_bounded(path, MAX_LINE_BYTES)
    long_lines = _long_lines(read.kept, read.cuts)
    if 1 in long_lines:
        raise DeliveryError(
            f"{path.name}: line 1 (the header) is longer than {MAX_LINE_BYTES:,} bytes "
            f"({long_lines[1]:,} bytes): not an extract's header; it was not read"
        )
    text = decode_utf8(read.kept, path.name)
    if (not text or text.isspace()) and not long_lines:  # as ``not text.strip()``, uncopied
        raise DeliveryError(f"{path.name}: the file is empty (no header line)")
    header_text, body_at = _split_header(text)
    header = next(csv.reader([header_text]))
    _check_header(header, extract, path)
    physical_lines = _count_lines(read.kept)
    clean = None
    if fast and not long_lines:
        start = _body_start(read.kept)
        clean = _read_clean(read.kept, start, physical_lines - 1, header, extract)
    frame, malformed, blank_lines = (
        (clean, [], 0)
        if clean is not None
        else _read_records(text[body_at:], header, extract, long_lines)
    )
    return RawExtract(
        path=path,
        extract=extract,
        frame=frame,
        sha256=read.sha256,
        size_bytes=read.size_bytes,
        physical_lines=physical_lines,
        malformed=malformed,
        blank_lines=blank_lines,
    )
