"""Reading a delivered file: exact text, physical line numbers, and clear refusals."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.ingest import reader
from tip_pipeline.ingest.discovery import DeliveryError
from tip_pipeline.ingest.load import FileReceipt, IngestResult
from tip_pipeline.ingest.reader import LINE, data_version, file_sha256, read_extract, sha256_of
from tip_pipeline.sources.contracts import EXTRACTS

CHILDREN = EXTRACTS["cin_children"]
HEADER = "LAchildID,PersonBirthDate,Sex,Ethnicity,HomeLSOA,PersonDeathDate"


def write(tmp_path: Path, text: str | bytes, name="cin_children_2023-24.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_values_stay_text_and_blanks_become_missing(tmp_path):
    path = write(tmp_path, f"{HEADER}\n00a1,2010-01-01,1,WBRI,E01011264,\n")
    raw = read_extract(path, CHILDREN)
    row = raw.frame.iloc[0]
    assert row["LAchildID"] == "00a1"  # leading zeros kept: no numeric guessing
    assert row["Sex"] == "1"
    assert pd.isna(row["PersonDeathDate"])
    assert raw.rows == 1 and raw.sha256 == sha256_of(path.read_bytes())
    assert raw.size_bytes == path.stat().st_size


def test_line_numbers_are_physical_lines_even_with_quoted_newlines(tmp_path):
    text = (
        f"{HEADER}\r\n"
        "a1,2010-01-01,1,WBRI,E01,\r\n"
        'a2,2010-01-01,1,"WB\nRI",E01,\r\n'
        "a3,2010-01-01,1,WBRI,E01,\r\n"
    )
    raw = read_extract(write(tmp_path, text), CHILDREN)
    assert list(raw.frame[LINE]) == [2, 3, 5]
    assert list(raw.frame["LAchildID"]) == ["a1", "a2", "a3"]
    assert raw.frame["HomeLSOA"].iloc[2] == "E01"  # no stray carriage return


def test_wrong_field_count_is_set_aside_with_its_line(tmp_path):
    text = f"{HEADER}\na1,2010-01-01,1,WBRI,E01,\na2,2010-01-01,1,WBRI\na3,2010-01-01,1,WBRI,E01,\n"
    raw = read_extract(write(tmp_path, text), CHILDREN)
    assert raw.rows == 2
    assert [(m.line, m.problem) for m in raw.malformed] == [(3, "4 fields where the header has 6")]
    # every record is accounted for: accepted + malformed = records after the header
    assert raw.rows + len(raw.malformed) == raw.physical_lines - 1


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_lines_are_counted_alike_whatever_the_line_ending(tmp_path, end):
    """A lone CR (classic Mac line endings) ends a line as LF and CRLF do: in the line numbers,
    the count of physical lines and a malformed line's text alike."""
    lines = [
        HEADER,
        "a1,2010-01-01,1,WBRI,E01,",
        "a2,2010-01-01,1,WBRI",
        "",
        "a3,2010-01-01,1,WBRI,E01,",
    ]
    raw = read_extract(write(tmp_path, end.join(lines) + end), CHILDREN)
    assert list(raw.frame[LINE]) == [2, 5]
    assert [(m.line, m.text) for m in raw.malformed] == [(3, "a2,2010-01-01,1,WBRI")]
    assert raw.physical_lines == 5 and raw.blank_lines == 1
    assert raw.rows + len(raw.malformed) + raw.blank_lines == raw.physical_lines - 1


def test_byte_order_mark_is_tolerated(tmp_path):
    raw = read_extract(write(tmp_path, f"\ufeff{HEADER}\na1,2010-01-01,1,WBRI,E01,\n"), CHILDREN)
    assert raw.rows == 1


def test_column_order_may_differ_but_frame_follows_the_contract(tmp_path):
    header = "Sex,LAchildID,PersonBirthDate,Ethnicity,HomeLSOA,PersonDeathDate"
    raw = read_extract(write(tmp_path, f"{header}\n2,a1,2010-01-01,WBRI,E01,\n"), CHILDREN)
    assert list(raw.frame.columns) == [LINE, *CHILDREN.column_names]
    assert raw.frame["Sex"].iloc[0] == "2"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("LAchildID,Sex\n", "missing column"),
        (f"{HEADER},NOTES\n", "not in the contract NOTES"),
        (f"{HEADER},Sex\n", "duplicated column"),
        ("LAchildID;PersonBirthDate;Sex;Ethnicity;HomeLSOA;PersonDeathDate\n", "delimited by semi"),
    ],
)
def test_unusable_files_are_refused_naming_file_and_problem(tmp_path, content, message):
    with pytest.raises(DeliveryError, match=message) as err:
        read_extract(write(tmp_path, content), CHILDREN)
    assert "cin_children_2023-24.csv" in str(err.value)


def test_latin1_file_is_refused_with_the_line(tmp_path):
    data = f"{HEADER}\na1,2010-01-01,1,WBRI,E01,\n".encode() + "a2,2010-01-01,1,WBRI,Sé,\n".encode(
        "latin-1"
    )
    with pytest.raises(DeliveryError, match=r"line 3 is not UTF-8"):
        read_extract(write(tmp_path, data), CHILDREN)
    with pytest.raises(DeliveryError, match=r"line 3 is not UTF-8"):
        read_extract(write(tmp_path, data.replace(b"\n", b"\r")), CHILDREN)


def test_header_only_file_has_no_rows(tmp_path):
    raw = read_extract(write(tmp_path, f"{HEADER}\n"), CHILDREN)
    assert raw.rows == 0 and not raw.malformed


def test_file_sha256_is_the_hash_of_the_bytes(tmp_path):
    path = write(tmp_path, f"{HEADER}\n")
    assert (
        file_sha256(path)
        == hashlib.sha256(path.read_bytes()).hexdigest()
        == sha256_of(path.read_bytes())
    )


def test_data_version_is_the_ingest_assets_and_ignores_order():
    files = [("b_Q2.csv", "22"), ("b_Q1.csv", "11")]
    result = IngestResult("b", "2023/24", tuple(FileReceipt(n, 1, s, 1) for n, s in files))
    assert data_version(files) == data_version(reversed(files)) == result.data_version
    assert data_version(files) != data_version([("b_Q1.csv", "11")])


def test_a_record_in_place_of_the_header_is_refused_without_repeating_it(tmp_path):
    """A header line that is a record (here an NHS number, a name and a postcode) is refused
    naming the file and the problem, and none of its values."""
    record = "943 476 5919,Abigail Hollins,LS9 8AB,2011-05-17,1,WBRI"
    with pytest.raises(DeliveryError, match="line 1 is not the header") as err:
        read_extract(write(tmp_path, f"{record}\n{record}\n"), CHILDREN)
    for value in record.split(",")[:4]:  # the identifying ones (a code such as 1 says nothing)
        assert value not in str(err.value)


def test_an_unknown_field_that_is_not_column_shaped_is_named_by_position(tmp_path):
    with pytest.raises(DeliveryError, match="the field at position 7") as err:
        read_extract(write(tmp_path, f"{HEADER},Abigail Hollins\n"), CHILDREN)
    assert "Abigail" not in str(err.value)


# Lines longer than the limit. The limit is lowered to 64 bytes so the files stay tiny; the
# reader then reads in 64-byte chunks, so a long line also runs over several chunks' ends.
LIMIT = 64
A1, A3 = "a1,2010-01-01,1,WBRI,E01,", "a3,2010-01-01,1,WBRI,E01,"


@pytest.fixture
def limit(monkeypatch):
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", LIMIT)


def accounted_for(raw) -> bool:
    """Every physical line after the header is a record, a malformed record or a blank line."""
    return raw.rows + len(raw.malformed) + raw.blank_lines == raw.physical_lines - 1


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_a_long_line_is_malformed_by_its_number_and_length_only(tmp_path, limit, end):
    long = b"x" * 200  # several chunks of 64
    data = end.join([HEADER.encode(), A1.encode(), long, b"", A3.encode()]) + end
    path = write(tmp_path, data)
    raw = read_extract(path, CHILDREN)
    assert [(m.line, m.problem, m.text) for m in raw.malformed] == [
        (3, "line longer than 64 bytes (200 bytes)", "")
    ]
    assert list(raw.frame[LINE]) == [2, 5] and list(raw.frame["LAchildID"]) == ["a1", "a3"]
    assert raw.blank_lines == 1 and raw.physical_lines == 5 and accounted_for(raw)
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert raw.size_bytes == len(data) == path.stat().st_size


def test_a_line_of_exactly_the_limit_is_read(tmp_path, limit):
    record = "a2,2010-01-01,1,WBRI,E01,".ljust(LIMIT, " ")
    raw = read_extract(write(tmp_path, f"{HEADER}\n{A1}\n{record}\n"), CHILDREN)
    assert raw.rows == 2 and not raw.malformed


@pytest.mark.parametrize("shift", range(LIMIT))
def test_long_lines_anywhere_in_the_chunks_are_counted_right(tmp_path, limit, shift):
    """Long lines at every position against the chunks' ends (line 2 shifts them), the last
    one without a line break, between records whose line numbers must not move."""
    lines = [HEADER, "p" * shift, A1, "x" * 65, A3, "y" * 130, "a5,2010-01-01,1,WBRI", "z" * 64]
    path = write(tmp_path, "\r\n".join([*lines, "w" * 100]))
    raw = read_extract(path, CHILDREN)
    assert list(raw.frame[LINE]) == [3, 5]
    assert [(m.line, m.problem) for m in raw.malformed if "longer" in m.problem] == [
        (4, "line longer than 64 bytes (65 bytes)"),
        (6, "line longer than 64 bytes (130 bytes)"),
        (9, "line longer than 64 bytes (100 bytes)"),
    ]
    assert raw.physical_lines == 9 and accounted_for(raw)
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_long_line_inside_a_quoted_value_makes_its_record_malformed(tmp_path, limit):
    text = f'{HEADER}\n{A1}\na2,2010-01-01,1,"WB\n{"x" * 100}\nRI",E01,\n{A3}\n'
    raw = read_extract(write(tmp_path, text), CHILDREN)
    assert [(m.line, m.problem, m.text) for m in raw.malformed] == [
        (
            3,
            "line 4 of the record (lines 3-5) longer than 64 bytes (100 bytes)",
            'a2,2010-01-01,1,"WB',
        )
    ]
    assert list(raw.frame[LINE]) == [2, 6] and raw.physical_lines == 6


def test_a_long_header_is_refused_without_its_content(tmp_path, limit):
    header = HEADER + ",Abigail Hollins" * 5
    with pytest.raises(DeliveryError) as err:
        read_extract(write(tmp_path, f"{header}\n{A1}\n"), CHILDREN)
    message = str(err.value)
    assert "cin_children_2023-24.csv" in message and "line 1" in message
    assert "longer than 64 bytes" in message and "Abigail" not in message


def test_bytes_that_are_not_utf8_in_a_long_line_are_never_decoded(tmp_path, limit):
    data = f"{HEADER}\n{A1}\n".encode() + "Sé,".encode("latin-1") * 40 + f"\n{A3}\n".encode()
    raw = read_extract(write(tmp_path, data), CHILDREN)
    assert [(m.line, m.text) for m in raw.malformed] == [(3, "")]
    assert raw.rows == 2 and accounted_for(raw)


def test_lines_after_a_long_line_keep_their_number_in_a_utf8_error(tmp_path, limit):
    data = f"{HEADER}\n{'x' * 100}\n{A1}\n".encode() + "a2,Sé,\n".encode("latin-1")
    with pytest.raises(DeliveryError, match=r"line 4 is not UTF-8"):
        read_extract(write(tmp_path, data), CHILDREN)


def test_a_long_line_between_a_lone_cr_and_a_line_feed_keeps_its_line(tmp_path, limit):
    """Mixed line endings: the long line's neighbours, CR and LF, must not read as one CRLF."""
    text = f"{HEADER}\r{A1}\r{'x' * 100}\n{A3}\n"
    raw = read_extract(write(tmp_path, text), CHILDREN)
    assert [m.line for m in raw.malformed] == [3]
    assert list(raw.frame[LINE]) == [2, 4] and raw.physical_lines == 4 and accounted_for(raw)


def test_a_file_of_long_lines_after_its_header_has_no_records(tmp_path, limit):
    raw = read_extract(write(tmp_path, f"{HEADER}\n{'x' * 100}\n{'y' * 300}"), CHILDREN)
    assert [m.line for m in raw.malformed] == [2, 3]
    assert raw.rows == 0 and raw.physical_lines == 3 and accounted_for(raw)
