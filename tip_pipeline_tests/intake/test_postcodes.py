"""Postcodes to LSOA 2021: both ONS layouts recognised by their header, case and spacing
variants matched, terminated postcodes found, unknown and empty postcodes missing, a file of
another layout refused with the columns it needs; no message names a postcode."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake import postcodes
from tip_pipeline.intake.postcodes import (
    BEST_FIT,
    DIRECTORY,
    LookupFileError,
    PostcodeLookup,
    normalise_postcode,
    positions_in,
)

#: the ONS best-fit lookup's header as published (capitals), a live and a terminated postcode
BEST_FIT_CSV = (
    "PCD7,PCD8,PCDS,DOINTR,DOTERM,USERTYPE,OA21CD,LSOA21CD,MSOA21CD,LADCD,LSOA21NM,MSOA21NM,"
    "LADNM,LADNMW\n"
    "LS9 8AB,LS9  8AB,LS9 8AB,198001,,0,E00057001,E01011295,E02002330,E08000035,"
    "Leeds 054A,Leeds 054,Leeds,\n"
    "LS6 2QT,LS6  2QT,LS6 2QT,198001,201206,0,E00056500,E01011400,E02002340,E08000035,"
    "Leeds 010B,Leeds 010,Leeds,\n"
    "CF101AA,CF10 1AA,CF10 1AA,199101,,1,W00009000,W01001700,W02000400,W06000015,"
    "Caerdydd 032A,Cardiff 032,Cardiff,Caerdydd\n"
)

#: the ONSPD/NSPL header (lower case, many more columns), LSOA 2021 as lsoa21
DIRECTORY_CSV = (
    "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,oa21,lsoa11,msoa11,lsoa21,msoa21,"
    "lat,long\n"
    "LS9 8AB,LS9  8AB,LS9 8AB,198001,,0,432000,433000,E00057001,E01011111,E02002222,E01011295,"
    "E02002330,53.79,-1.51\n"
    "LS6 2QT,LS6  2QT,LS6 2QT,198001,201206,0,428000,436000,E00056500,E01011112,E02002223,"
    "E01011400,E02002340,53.82,-1.57\n"
    "ZZ991ZZ,ZZ99 1ZZ,ZZ99 1ZZ,200001,,1,,,,,,,,99.99,0.00\n"
)


def _file(folder: Path, text: str, name: str = "lookup.csv", encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(params=["best_fit", "directory"])
def lookup(request, tmp_path) -> PostcodeLookup:
    text = BEST_FIT_CSV if request.param == "best_fit" else DIRECTORY_CSV
    return PostcodeLookup.from_csv(_file(tmp_path, text))


def test_normalise_postcode():
    values = pd.Series(
        ["ls9 8ab", "LS98AB", " LS9  8AB ", "ls9\t8ab", "LS9\u00a08AB", "", " ", None]
    )
    result = normalise_postcode(values)
    assert result.dtype == "string"
    assert result.iloc[:5].tolist() == ["LS98AB"] * 5
    assert result.iloc[5:].isna().all()


def test_spaces_are_python_s_spaces():
    """Arrow's regular expressions (RE2) spell the spaces themselves: the result is that of
    pandas' ``str.replace`` with Python's ``\\s``, for every space and every other character
    below U+3100 (NUL aside)."""
    characters = [chr(c) for c in range(1, 0x3100)]
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    values = pd.Series([f"ls9{c}8ab" for c in characters + spaces])
    before = values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    assert normalise_postcode(values).tolist() == before.tolist()
    assert normalise_postcode(pd.Series([f"ls9{c}8ab" for c in spaces])).eq("LS98AB").all()


def test_both_layouts_are_recognised(lookup):
    assert len(lookup) >= 2
    assert lookup.lsoa(pd.Series(["LS9 8AB"])).tolist() == ["E01011295"]


def test_case_and_spacing_variants_match(lookup):
    postcodes = pd.Series(["ls9 8ab", "LS98AB", " LS9  8AB ", "Ls9 8aB"], index=[5, 6, 7, 8])
    result = lookup.lsoa(postcodes)
    assert result.dtype == "string"
    assert list(result.index) == [5, 6, 7, 8]
    assert result.tolist() == ["E01011295"] * 4


def test_terminated_postcodes_are_found(lookup):
    assert lookup.lsoa(pd.Series(["ls6 2qt"])).tolist() == ["E01011400"]


def test_unknown_and_empty_postcodes_have_no_lsoa(lookup):
    result = lookup.lsoa(pd.Series(["LS1 1AA", "", None, "   ", pd.NA], dtype=object))
    assert result.isna().all()
    assert len(result) == 5


def test_a_postcode_without_an_lsoa_in_the_lookup_has_none(tmp_path):
    lookup = PostcodeLookup.from_csv(_file(tmp_path, DIRECTORY_CSV))
    assert lookup.lsoa(pd.Series(["ZZ99 1ZZ"])).isna().all()


def test_the_best_fit_lookup_reads_lsoa21cd_not_another_lsoa(tmp_path):
    lookup = PostcodeLookup.from_csv(_file(tmp_path, BEST_FIT_CSV))
    assert lookup.lsoa(pd.Series(["CF10 1AA", "cf101aa"])).tolist() == ["W01001700"] * 2


def test_the_directory_reads_lsoa21_not_lsoa11(tmp_path):
    lookup = PostcodeLookup.from_csv(_file(tmp_path, DIRECTORY_CSV))
    assert lookup.lsoa(pd.Series(["LS9 8AB"])).tolist() == ["E01011295"]


def test_a_directory_with_lsoa21cd(tmp_path):
    text = "pcd,pcd2,pcds,dointr,doterm,lsoa21cd\nLS9 8AB,LS9  8AB,LS9 8AB,198001,,E01011295\n"
    lookup = PostcodeLookup.from_csv(_file(tmp_path, text))
    assert lookup.lsoa(pd.Series(["ls98ab"])).tolist() == ["E01011295"]


def test_a_byte_order_mark_and_names_in_windows_1252(tmp_path):
    """A header after a UTF-8 byte-order mark, and a name column in Windows-1252 (ô as one
    byte, not UTF-8): the codes are read all the same."""
    text = BEST_FIT_CSV.replace("Caerdydd\n", "Caerdydd M\xf4n\n")
    path = tmp_path / "lookup.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))
    lookup = PostcodeLookup.from_csv(path)
    assert lookup.lsoa(pd.Series(["LS9 8AB", "CF10 1AA"])).tolist() == ["E01011295", "W01001700"]


def test_only_the_postcode_and_lsoa_columns_are_read(tmp_path, monkeypatch):
    read: list[list[str]] = []
    original = pacsv.read_csv

    def recording(*args, **kwargs):
        read.append(list(kwargs["convert_options"].include_columns))
        return original(*args, **kwargs)

    monkeypatch.setattr(pacsv, "read_csv", recording)
    PostcodeLookup.from_csv(_file(tmp_path, DIRECTORY_CSV))
    assert [c.lower() for c in read[-1]] == ["pcds", "lsoa21"]


#: files on which Arrow's reader must give pandas' columns, and whether Arrow reads them
#: (None: Arrow is not tried or fails, and pandas reads)
READER_CASES = {
    "plain": (BEST_FIT_CSV, True),
    "crlf": (BEST_FIT_CSV.replace("\n", "\r\n"), True),
    "bom": ("\ufeff" + BEST_FIT_CSV, True),
    "quoted, a comma, a doubled quote, a line break": (
        'pcds,lsoa21cd,pcd7,pcd8,dointr,doterm\n"LS9 8AB","E0101,1"",x",a,"b\nc",,\n"",  ,,,,\n',
        True,
    ),
    "names in mixed case, spaced": (
        " PCDS ,Lsoa21CD,pcd7,PCD8,dointr,doterm\nLS9 8AB, E01011295 ,,,,\n",
        True,
    ),
    "blank lines among the rows": (
        "pcds,lsoa21cd,pcd7,pcd8,dointr,doterm\n\nLS9 8AB,E01011295,,,,\n\n\nLS6 2QT,E01,,,,\n",
        True,
    ),
    "a repeated name elsewhere": (
        "pcds,lsoa21cd,pcd7,pcd8,dointr,doterm,x,x\nLS9 8AB,E01011295,,,,,1,2\n",
        True,
    ),
    "a blank line before the header": (
        "\npcds,lsoa21cd,pcd7,pcd8,dointr,doterm\nLS9 8AB,E01011295,,,,\n",
        False,
    ),
    "a row with a field too few": (
        "pcds,lsoa21cd,pcd7,pcd8,dointr,doterm\nLS9 8AB,E01011295,,,\n",
        False,
    ),
    "a wanted column named twice": (
        "pcds,lsoa21cd,pcd7,pcd8,dointr,doterm,PCDS\nLS9 8AB,E01011295,,,,,x\n",
        False,
    ),
}


@pytest.mark.parametrize("case", READER_CASES)
def test_arrow_reads_the_columns_pandas_reads(tmp_path, case):
    """Arrow's reader gives the columns pandas' gives, or declines and pandas reads."""
    text, by_arrow = READER_CASES[case]
    path = _file(tmp_path, text)
    names = postcodes._header_names(path)
    wanted = ("pcds", "lsoa21cd")
    arrow = postcodes._read_columns_arrow(path, names, wanted)
    assert (arrow is not None) == by_arrow
    expected = postcodes._read_columns_pandas(path, wanted)
    if arrow is not None:
        assert list(arrow.columns) == list(expected.columns)
        for column in wanted:
            assert arrow[column].dtype == "string"
            assert arrow[column].tolist() == expected[column].tolist()


def test_a_byte_not_utf8_in_a_column_read_is_replaced_as_pandas_replaces_it(tmp_path):
    """Arrow refuses the byte; pandas reads the file and replaces it."""
    path = tmp_path / "lookup.csv"
    path.write_bytes(b"pcds,lsoa21cd,pcd7,pcd8,dointr,doterm\nLS9 8AB,E0101\xf4,,,,\n")
    names = postcodes._header_names(path)
    assert postcodes._read_columns_arrow(path, names, ("pcds", "lsoa21cd")) is None
    lookup = PostcodeLookup.from_csv(path)
    assert lookup.lsoa(pd.Series(["LS98AB"])).tolist() == ["E0101\ufffd"]


def test_the_setting_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TIP_POSTCODE_LOOKUP", str(_file(tmp_path, BEST_FIT_CSV)))
    assert PostcodeLookup.from_csv().lsoa(pd.Series(["LS98AB"])).tolist() == ["E01011295"]


def test_no_setting_is_refused(monkeypatch):
    monkeypatch.delenv("TIP_POSTCODE_LOOKUP", raising=False)
    with pytest.raises(LookupFileError, match="TIP_POSTCODE_LOOKUP is not set"):
        PostcodeLookup.from_csv()


def test_a_missing_file_is_refused_naming_it(tmp_path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(LookupFileError) as refused:
        PostcodeLookup.from_csv(missing)
    assert str(missing) in str(refused.value) and "no such file" in str(refused.value)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(LookupFileError, match=r"cannot be read \(IsADirectoryError\)"):
        PostcodeLookup.from_csv(tmp_path)


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(LookupFileError, match="the file is empty"):
        PostcodeLookup.from_csv(_file(tmp_path, ""))


@pytest.mark.parametrize(
    "text",
    [
        # an LSOA 2011 lookup: the right product, the wrong areas
        "pcd7,pcd8,pcds,dointr,doterm,usertype,oa11cd,lsoa11cd\n"
        "LS9 8AB,LS9  8AB,LS9 8AB,,,0,E00057001,E01011111\n",
        # a directory without any LSOA 2021 column
        "pcd,pcd2,pcds,dointr,doterm,lsoa11\nLS9 8AB,LS9  8AB,LS9 8AB,,,E01011111\n",
        # a file whose header is a record: a child's postcode and name
        "LS9 8AB,Freya Walker,17/09/2014\nLS6 2QT,Olivia Hussain,14/03/2015\n",
        # postcode columns without doterm
        "pcds,lsoa21cd\nLS9 8AB,E01011295\n",
    ],
)
def test_a_file_of_another_layout_is_refused_naming_the_columns_it_needs(tmp_path, text):
    path = _file(tmp_path, text)
    with pytest.raises(LookupFileError) as refused:
        PostcodeLookup.from_csv(path)
    message = str(refused.value)
    assert isinstance(refused.value, ValueFreeError)
    assert str(path) in message
    assert "pcd7, pcd8, pcds, dointr, doterm and lsoa21cd" in message
    assert "pcd, pcd2, pcds, doterm and lsoa21 or lsoa21cd" in message
    assert BEST_FIT.product in message and DIRECTORY.product in message
    for value in ("LS9 8AB", "LS6 2QT", "Freya", "Walker", "17/09/2014", "E01011295"):
        assert value not in message


def test_a_postcode_listed_twice_keeps_its_first_lsoa():
    lookup = PostcodeLookup.from_columns(
        pd.Series(["LS9 8AB", "ls98ab", "LS6 2QT", ""]),
        pd.Series(["E01011295", "E01099999", " E01011400 ", "E01000000"]),
    )
    assert len(lookup) == 2
    assert lookup.lsoa(pd.Series(["LS9 8AB", "LS6 2QT"])).tolist() == ["E01011295", "E01011400"]


def test_many_postcodes_against_a_lookup():
    lookup = PostcodeLookup.from_columns(
        pd.Series([f"LS{i // 100} {i % 100:02d}A" for i in range(5_000)]),
        pd.Series([f"E01{i:06d}" for i in range(5_000)]),
    )
    postcodes = pd.Series([" ls0 01a", "LS49 99A", "XX1 1XX"] * 20_000)
    result = lookup.lsoa(postcodes)
    assert result.iloc[:3].tolist() == ["E01000001", "E01004999", pd.NA]
    assert int(result.isna().sum()) == 20_000


@pytest.mark.parametrize(
    "queries",
    [
        ["B", None, "Z", "A", "B", "C", None, "Q"],
        [None, None],
        [],
        ["C", "C", "C"],
    ],
)
def test_positions_in_are_index_in_s(queries):
    """The lookup's keys looked up among the queries' distinct values give each query the
    position ``index_in`` gives it: null for a missing query or one not a key."""
    keys = pa.array(["A", "B", "C", "D"], type=pa.large_string())
    queries = pa.array(queries, type=pa.large_string())
    expected = pc.index_in(queries, value_set=keys, skip_nulls=True).cast(pa.int64())
    assert positions_in(queries, keys).equals(expected)
