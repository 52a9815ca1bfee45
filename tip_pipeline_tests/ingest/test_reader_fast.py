"""The reader's fast path (Arrow's CSV reader) against its csv-module path, the reference.

``read_extract`` reads a body of one record per physical line through Arrow and anything else
through the csv module. Whatever the bytes, both must give the same extract: the same frame
(columns, dtypes, values, missing values, line numbers) and the same malformed lines, blank
lines, line count, hash and size. Each body here is read both ways and compared; a body the
fast path is meant to take is also read with the csv path made to fail, so that the fast path
is known to be taken, not silently dead.
"""

from __future__ import annotations

import csv
import dataclasses
import tempfile
from pathlib import Path
from unittest import mock

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tip_pipeline.ingest import reader
from tip_pipeline.ingest.reader import MAX_LINE_BYTES, RawExtract, read_extract
from tip_pipeline.sources import contracts
from tip_pipeline.sources.contracts import EXTRACTS, Extract

CHILDREN = EXTRACTS["cin_children"]
HEADER = "LAchildID,PersonBirthDate,Sex,Ethnicity,HomeLSOA,PersonDeathDate"
#: the same columns in another order: the frame takes the contract's order either way
SHUFFLED = "Sex,LAchildID,PersonDeathDate,HomeLSOA,Ethnicity,PersonBirthDate"
SUPPORT = EXTRACTS["hclic_support"]
#: an extract of one column, whose blank line reads as an empty record to Arrow
ONE_COLUMN = dataclasses.replace(SUPPORT, columns=SUPPORT.columns[:1])
#: every character ``str.strip`` strips beyond ASCII's space and tab, and two it does not
#: (a zero-width space and a byte-order mark)
SPACES = "\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u205f\u3000"
NOT_SPACES = "\u200b\ufeff"


def raw_type(frame: pd.DataFrame, column: str) -> pa.DataType:
    return pa.array(frame[column].array).type


def assert_same(fast: RawExtract, slow: RawExtract) -> None:
    """Every field of the two extracts equal, the frame's values exactly."""
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    assert fast.frame.columns.dtype == slow.frame.columns.dtype
    for column in fast.frame.columns[1:]:
        assert raw_type(fast.frame, column) == raw_type(slow.frame, column)
    for name in ("path", "malformed", "blank_lines", "physical_lines", "sha256", "size_bytes"):
        assert getattr(fast, name) == getattr(slow, name), name


def read_both(path: Path, extract: Extract) -> tuple[RawExtract, RawExtract]:
    return read_extract(path, extract), read_extract(path, extract, fast=False)


def read_fast_only(path: Path, extract: Extract) -> RawExtract:
    """``read_extract`` with the csv path made to fail: it passes only on the fast path."""
    fell_back = AssertionError("the fast path was not taken")
    with mock.patch.object(reader, "_read_records", side_effect=fell_back):
        return read_extract(path, extract)


def write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


ROW = "a1,2010-01-01,1,WBRI,E01011264,"
#: (body after "HEADER\n", whether the fast path takes it)
BODIES = {
    "LF": (f"{ROW}\n{ROW}\n", True),
    "CRLF": (f"{ROW}\r\n{ROW}\r\n", True),
    "lone CR": (f"{ROW}\r{ROW}\r", True),
    "mixed endings": (f"{ROW}\r\n{ROW}\r{ROW}\n{ROW}", True),
    "no last break": (f"{ROW}\n{ROW}", True),
    "every field empty": (",,,,,\n,,,,,\n", True),
    "quoted comma": ('a1,2010-01-01,1,"WB,RI",E01,\n', True),
    "doubled quotes": ('a1,2010-01-01,1,"W""B""",E01,""\n', True),
    "quoted padding": ('" a1 ",2010-01-01,1," ",E01,\n', True),
    "quoted last field, CRLF": ('a1,2010-01-01,1,WBRI,E01,"x"\r\n', True),
    "quoted line break": ('a1,2010-01-01,1,"WB\nRI",E01,\n' + ROW + "\n", False),
    "quoted CR": ('a1,2010-01-01,1,"WB\rRI",E01,\n', False),
    "quote inside a field": ('a1,2010-01-01,1,WB"RI,E01,\n', False),
    "text after a closing quote": ('a1,2010-01-01,1,"WB"RI,E01,\n', False),
    "space before a quote": ('a1,2010-01-01,1, "WBRI",E01,\n', False),
    "unclosed quote": ('a1,2010-01-01,1,"WBRI,E01,\n' + ROW + "\n", False),
    "blank line": (f"{ROW}\n\n{ROW}\n", False),
    "blank CRLF line": (f"{ROW}\r\n\r\n{ROW}\r\n", False),
    "blank first line": (f"\n{ROW}\n", False),
    "blank last line": (f"{ROW}\n\n", False),
    "spaces line": (f"{ROW}\n   \n{ROW}\n", False),
    "too few fields": (f"{ROW}\na2,2010-01-01\n", False),
    "too many fields": (f"{ROW}\n{ROW},x\n", False),
    "NUL byte": (f"{ROW}\na2,2010-01-01,1,WB\x00RI,E01,\n", False),
    "byte-order mark first": (f"\ufeff{ROW}\n", False),
    "byte-order mark later": (f"{ROW}\n\ufeff{ROW}\n", True),
    "padding beyond ASCII": (
        "".join(f"{s}a{i}{s},2010-01-01,{s},\t{s}WBRI {s},E01,{s}\n" for i, s in enumerate(SPACES)),
        True,
    ),
    "not spaces": (f"{NOT_SPACES}a1{NOT_SPACES},2010-01-01,1,WBRI,E01,\u200b\n", True),
    "beyond ASCII": ("é1,2010-01-01,1,WBRI,Ünïcödé 🙂,\n", True),
    "only the header": ("", False),
    "field past the csv limit": (f"a1,{'x' * (csv.field_size_limit() + 1)},1,W,E,\n", False),
    "line past the reader's limit": (f"{ROW}\n{'x' * (MAX_LINE_BYTES + 1)}\n{ROW}\n", False),
}


@pytest.mark.parametrize("header", [HEADER, SHUFFLED, "\ufeff" + HEADER])
@pytest.mark.parametrize("header_end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("name", list(BODIES))
def test_hand_made_bodies_read_alike(tmp_path, name, header, header_end):
    body, fast = BODIES[name]
    path = write(tmp_path / "cin_children_2023-24.csv", header + header_end + body)
    assert_same(*read_both(path, CHILDREN))
    if fast:
        read_fast_only(path, CHILDREN)


def test_a_header_without_a_line_break(tmp_path):
    path = write(tmp_path / "cin_children_2023-24.csv", HEADER)
    assert_same(*read_both(path, CHILDREN))


@pytest.mark.parametrize(
    ("body", "fast"),
    [
        ("x\ny\n", True),
        ('""\n"a,b"\n', True),
        ("x\n\ny\n", False),
        ("\nx\n", False),
        ("x\r\n\r\n", False),
        (" \nx\n", True),  # a line of a space is a record (its value missing), not blank
    ],
)
def test_one_column_blank_lines_are_left_to_the_csv_module(tmp_path, body, fast):
    path = write(tmp_path / "hclic_support_2023-24_Q1.csv", "CASE_ID\n" + body)
    assert_same(*read_both(path, ONE_COLUMN))
    if fast:
        read_fast_only(path, ONE_COLUMN)


def test_a_clean_delivery_takes_the_fast_path_and_numbers_its_lines(tmp_path):
    path = write(tmp_path / "cin_children_2023-24.csv", f"{HEADER}\r\n{ROW}\r\n , ,\xa0,,,x\r\n")
    raw = read_fast_only(path, CHILDREN)
    assert list(raw.frame[reader.LINE]) == [2, 3]
    assert raw.frame.iloc[1].isna().tolist() == [False, True, True, True, True, True, False]
    assert (raw.malformed, raw.blank_lines, raw.physical_lines) == ([], 0, 3)


#: characters that make reading hard: the CSV's own, line breaks, NUL, spaces of every kind,
#: a byte-order mark, letters beyond ASCII
HARD = ',"\r\n\x00 \t' + SPACES + NOT_SPACES + "aZ09é"
#: what a field may hold and still be read alike, unquoted and quoted
PLAIN = st.text(st.sampled_from(" \t" + SPACES + "\u200baZ09é-"), max_size=6)
QUOTED = st.text(st.sampled_from(' ,"\t' + SPACES + "aZ9é"), max_size=6).map(
    lambda text: '"' + text.replace('"', '""') + '"'
)
END = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def clean_bodies(draw: st.DrawFn, min_rows: int = 1) -> str:
    """Bodies the fast path must take: records of the header's width, one per line, every
    quote a whole field's, any line ending, the last line's optional."""
    record = st.lists(PLAIN | QUOTED, min_size=6, max_size=6)
    rows = draw(st.lists(record, min_size=min_rows, max_size=max(min_rows * 2, 10)))
    lines = [",".join(row) + draw(END) for row in rows]
    if draw(st.booleans()):
        lines[-1] = lines[-1].rstrip("\r\n")
    return "".join(lines)


@st.composite
def damaged_bodies(draw: st.DrawFn) -> str:
    """A clean body with hard characters put in at random places."""
    body = draw(clean_bodies())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.text(st.sampled_from(HARD), min_size=1, max_size=3)) + body[at:]
    return body


FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(body=clean_bodies(), header_end=END)
def test_generated_clean_bodies_read_alike_on_the_fast_path(tmp_path, body, header_end):
    path = write(tmp_path / "cin_children_2023-24.csv", HEADER + header_end + body)
    slow = read_extract(path, CHILDREN, fast=False)
    assert_same(read_fast_only(path, CHILDREN), slow)


@settings(max_examples=30, deadline=None)
@given(body=clean_bodies(min_rows=100), header_end=END)
def test_records_across_arrows_blocks_read_alike(body, header_end):
    """Arrow parses a body in blocks, in parallel: with blocks of 512 bytes, many records and
    CRLF pairs fall across a block's end."""
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(reader, "_BLOCK_BYTES", 512):
        path = write(Path(folder) / "cin_children_2023-24.csv", HEADER + header_end + body)
        slow = read_extract(path, CHILDREN, fast=False)
        assert_same(read_fast_only(path, CHILDREN), slow)


@FUZZ
@given(body=damaged_bodies() | st.text(st.sampled_from(HARD)), header_end=END)
def test_generated_damaged_bodies_read_alike(tmp_path, body, header_end):
    path = write(tmp_path / "cin_children_2023-24.csv", HEADER + header_end + body)
    assert_same(*read_both(path, CHILDREN))


def delivered(folder: Path) -> list[tuple[Path, Extract]]:
    """Every contract file of a delivery folder, with its extract."""
    named = [(path, contracts.parse_file_name(path.name)) for path in sorted(folder.glob("*.csv"))]
    return [(path, name.extract) for path, name in named if name]


@pytest.mark.integration
@pytest.mark.parametrize("delivery", ["small_delivery", "faulty_delivery"])
def test_generated_deliveries_read_alike(request, delivery):
    """Every file of a generated delivery, every year, read both ways: a clean delivery's
    files with records all on the fast path, a faulty one's too, some with malformed lines
    (read by the csv module)."""
    folder, _ = request.getfixturevalue(delivery)
    files = delivered(folder)
    assert files
    malformed = 0
    for path, extract in files:
        fast, slow = read_both(path, extract)
        assert_same(fast, slow)
        malformed += bool(slow.malformed)
        if delivery == "small_delivery" and slow.rows:
            read_fast_only(path, extract)
    assert (malformed > 0) == (delivery == "faulty_delivery")
