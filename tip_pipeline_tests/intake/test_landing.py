"""The raw landing folder: files placed by the year of their folder and recognised by their
content; refused where they lie (no year, not a table, a link out of the folder) or when a
table of a year comes twice; converted into contract files written whole, under the names
ingestion reads. The previous year's Header and Episodes, which an authority keeps for DfE's
year-on-year checks, are taken as that year's return from that year's folder; a year before
DfE's SW episodes table gets it with no rows. The year folders before the first reporting year
are the history's years."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.ingest.discovery import scan
from tip_pipeline.intake import landing
from tip_pipeline.intake.landing import (
    FileRefusal,
    LandingError,
    RawFile,
    contract_file_name,
    convert_landing,
    scan_landing,
    write_contract_files,
    years_before,
)
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.periods import FinancialYear

YEAR = FinancialYear(2023)
PSEUDONYMISER = Pseudonymiser(b"k" * 32)
HEADER_CSV = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n00123,2,17/09/2014,WBRI,A123456789012,,\n"
EPISODES_CSV = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n00123,01/05/2023,S,C2,N1,U1,PR1,,,,LS9 8AB,BD1 1AA,SC484848\n"
)


@pytest.fixture
def lookup() -> PostcodeLookup:
    return PostcodeLookup.from_columns(pd.Series(["LS9 8AB"]), pd.Series(["E01011295"]))


def _land(raw: Path, name: str, text: str) -> Path:
    path = raw / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_files_are_placed_by_their_year_folder_and_the_rest_refused_with_why(tmp_path):
    raw = tmp_path / "raw"
    _land(raw, "2023-24/header.csv", HEADER_CSV)
    _land(raw, "2023-24/episodes.xlsx", "")
    _land(raw, "loose.csv", HEADER_CSV)
    _land(raw, "2023-24/notes.docx", "")
    _land(raw, "old/2022-23/header.csv", HEADER_CSV)
    _land(raw, "2023-25/header.csv", HEADER_CSV)
    _land(raw, "2023-24/.DS_Store", "")
    _land(raw, "2023-24/~$episodes.xlsx", "")
    landing = scan_landing(raw)
    assert [f.name for f in landing.files] == ["2023-24/episodes.xlsx", "2023-24/header.csv"]
    assert {f.period for f in landing.files} == {YEAR}
    reasons = {r.file: r.reason for r in landing.refused}
    assert set(reasons) == {"loose.csv", "2023-24/notes.docx", "old/2022-23/header.csv",
                            "2023-25/header.csv"}  # fmt: skip
    assert "folder of its reporting year" in reasons["loose.csv"]
    assert "not a CSV or XLSX table nor an XML" in reasons["2023-24/notes.docx"]
    assert "not named for a reporting year" in reasons["old/2022-23/header.csv"]
    assert "consecutive" in reasons["2023-25/header.csv"]
    assert landing.skipped == 2


def test_a_link_out_of_the_raw_folder_is_refused_unread(tmp_path):
    raw = tmp_path / "raw"
    outside = _land(tmp_path, "secret.csv", HEADER_CSV)
    (raw / "2023-24").mkdir(parents=True)
    (raw / "2023-24" / "header.csv").symlink_to(outside)
    landing = scan_landing(raw)
    assert landing.files == ()
    assert landing.refused == (
        FileRefusal(
            "2023-24/header.csv", "a link to a file outside the raw folder; refused unread"
        ),
    )


def test_the_years_before_the_first_reporting_year_are_the_history_years_folders(tmp_path):
    raw = tmp_path / "raw"
    for name in ("2019-20/offences.csv", "2018-19/Q4/main.csv", "2023-24/header.csv"):
        _land(raw, name, HEADER_CSV)
    _land(raw, "2019-20/outcomes.csv", HEADER_CSV)
    _land(raw, "census.xml", "<Message/>")  # in the raw folder itself: no year of its folder
    files = scan_landing(raw).files
    assert years_before(files, YEAR) == [FinancialYear(2018), FinancialYear(2019)]
    assert years_before(files, FinancialYear(2018)) == []


def test_a_missing_raw_folder_is_named(tmp_path):
    with pytest.raises(LandingError, match="TIP_RAW_DIR"):
        scan_landing(tmp_path / "nowhere")


def test_a_year_converted_and_written_under_the_names_ingestion_reads(tmp_path, lookup):
    raw, data = tmp_path / "raw", tmp_path / "data"
    _land(raw, "2023-24/a.csv", HEADER_CSV)
    _land(raw, "2023-24/b.csv", EPISODES_CSV)
    (year,), undated = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    assert year.period == YEAR and year.refused == [] and undated == []
    assert year.sources == {"ssda903_episodes": "2023-24/b.csv", "ssda903_header": "2023-24/a.csv"}
    written = write_contract_files(year, data)
    assert [p.name for p in written] == [
        "ssda903_episodes_2023-24.csv",
        "ssda903_header_2023-24.csv",
    ]
    delivered, unknown = scan(data)
    assert unknown == [] and {f.extract.table for f in delivered} == set(year.sources)
    header = pd.read_csv(data / contract_file_name("ssda903_header", YEAR), dtype=str)
    assert header.to_dict("records") == [
        {
            "CHILD": PSEUDONYMISER.pseudonym("00123"),
            "SEX": "2",
            "DOB": "2014-09-01",
            "ETHNIC": "WBRI",
        }
    ]
    everything = "".join(p.read_text() for p in written)
    for value in ("00123", "A123456789012", "17/09/2014", "BD1 1AA", "SC484848", "LS9 8AB"):
        assert value not in everything
    assert sorted(data.iterdir()) == sorted(written)  # no temporary file left beside them


def test_a_table_given_twice_in_a_year_is_refused_in_both_files(tmp_path, lookup):
    raw = tmp_path / "raw"
    first = _land(raw, "2023-24/a.csv", HEADER_CSV)
    second = _land(raw, "2023-24/b.csv", HEADER_CSV)
    episodes = _land(raw, "2023-24/c.csv", EPISODES_CSV)
    files = [RawFile(p, f"2023-24/{p.name}", YEAR) for p in (first, second, episodes)]
    (year,), _ = convert_landing(files, PSEUDONYMISER, lookup)
    assert list(year.results) == ["ssda903_episodes"]
    assert year.refused == [
        FileRefusal("2023-24/a.csv", "ssda903_header is also in 2023-24/b.csv: give each table "
                    "of a year once"),
        FileRefusal("2023-24/b.csv", "ssda903_header is also in 2023-24/a.csv: give each table "
                    "of a year once"),
    ]  # fmt: skip


#: last year's Header and Episodes, as an authority keeps them: the same child, an earlier
#: episode, which ended when the current one began
LAST_HEADER_CSV = HEADER_CSV
LAST_EPISODES_CSV = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n00123,10/10/2022,S,C1,N1,U1,PR1,01/05/2023,X1,,LS9 8AB,,\n"
)
LAST_YEAR = FinancialYear(2022)


def test_the_previous_years_header_and_episodes_are_that_years_return(tmp_path, lookup):
    """Kept for DfE's year-on-year checks, last year's tables go in last year's folder: each
    year is converted from its own folder into its own contract files."""
    raw, data = tmp_path / "raw", tmp_path / "data"
    _land(raw, "2022-23/header_last.csv", LAST_HEADER_CSV)
    _land(raw, "2022-23/episodes_last.csv", LAST_EPISODES_CSV)
    _land(raw, "2023-24/header.csv", HEADER_CSV)
    _land(raw, "2023-24/episodes.csv", EPISODES_CSV)
    years, undated = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    assert [y.period for y in years] == [LAST_YEAR, YEAR] and undated == []
    last, this = years
    assert last.sources == {
        "ssda903_header": "2022-23/header_last.csv",
        "ssda903_episodes": "2022-23/episodes_last.csv",
    }
    assert this.sources == {
        "ssda903_header": "2023-24/header.csv",
        "ssda903_episodes": "2023-24/episodes.csv",
    }
    assert last.refused == [] and this.refused == []
    written = [p.name for y in years for p in write_contract_files(y, data)]
    # 2022/23's return predates DfE's SW episodes table: its file has no rows
    assert written == [
        "ssda903_episodes_2022-23.csv",
        "ssda903_header_2022-23.csv",
        "ssda903_sw_episodes_2022-23.csv",
        "ssda903_episodes_2023-24.csv",
        "ssda903_header_2023-24.csv",
    ]
    assert last.not_in_return == ("ssda903_sw_episodes",) and this.not_in_return == ()
    assert any("not part of the 2022/23 return" in note for note in last.notes)
    sw = pd.read_csv(data / "ssda903_sw_episodes_2022-23.csv", dtype=str)
    assert sw.empty and tuple(sw.columns) == ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC",
                                              "SW_REASON")  # fmt: skip
    last_episodes = pd.read_csv(data / "ssda903_episodes_2022-23.csv", dtype=str)
    this_episodes = pd.read_csv(data / "ssda903_episodes_2023-24.csv", dtype=str)
    assert last_episodes["DECOM"].tolist() == ["2022-10-10"]
    assert this_episodes["DECOM"].tolist() == ["2023-05-01"]
    # one child, one pseudonym in both years: the same key links them
    assert last_episodes["CHILD"].tolist() == this_episodes["CHILD"].tolist()


def test_the_previous_years_header_in_this_years_folder_is_refused_with_this_years(
    tmp_path, lookup
):
    """Beside this year's Header, last year's would give the table twice: both are refused
    whole, naming each other, rather than one chosen."""
    raw = tmp_path / "raw"
    _land(raw, "2023-24/header.csv", HEADER_CSV)
    _land(raw, "2023-24/header_last.csv", LAST_HEADER_CSV)
    _land(raw, "2023-24/episodes.csv", EPISODES_CSV)
    (year,), _ = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    assert list(year.results) == ["ssda903_episodes"]
    assert [r.file for r in year.refused] == ["2023-24/header.csv", "2023-24/header_last.csv"]
    assert all("give each table of a year once" in r.reason for r in year.refused)


def test_a_year_that_gives_the_sw_table_keeps_it(tmp_path, lookup):
    raw, data = tmp_path / "raw", tmp_path / "data"
    sw = "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n00123,17/09/2014,SW000001,01/05/2023,,\n"
    _land(raw, "2023-24/header.csv", HEADER_CSV)
    _land(raw, "2023-24/sw.csv", sw)
    (year,), _ = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    assert year.not_in_return == () and "ssda903_sw_episodes" in year.results
    written = write_contract_files(year, data)
    rows = pd.read_csv(data / "ssda903_sw_episodes_2023-24.csv", dtype=str)
    assert len(rows) == 1 and "SW000001" not in "".join(p.read_text() for p in written)


def test_an_unrecognised_table_is_refused_with_the_readers_reason_and_no_value(tmp_path, lookup):
    raw = tmp_path / "raw"
    path = _land(raw, "2023-24/x.csv", "Jane Smith,LS9 8AB,17/09/2014\n1,2,3\n")
    (year,), _ = convert_landing([RawFile(path, "2023-24/x.csv", YEAR)], PSEUDONYMISER, lookup)
    assert year.results == {}
    (refusal,) = year.refused
    assert refusal.file == "2023-24/x.csv" and (
        "not the header of a known SSDA903, youth justice or H-CLIC table" in refusal.reason
    )
    for value in ("Jane Smith", "LS9 8AB", "17/09/2014"):
        assert value not in refusal.reason


def test_a_failed_write_leaves_no_partial_contract_file(tmp_path, lookup, monkeypatch):
    raw, data = tmp_path / "raw", tmp_path / "data"
    path = _land(raw, "2023-24/a.csv", HEADER_CSV)
    (year,), _ = convert_landing([RawFile(path, "2023-24/a.csv", YEAR)], PSEUDONYMISER, lookup)

    def disk_full(frame, out):
        Path(out).write_text("CHILD,SEX")
        raise OSError("no space left on device")

    monkeypatch.setattr(landing, "write_csv", disk_full)
    with pytest.raises(OSError):
        write_contract_files(year, data)
    assert list(data.iterdir()) == []


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"A": ["x", None, ""], "B": ["é y", "1", None]}, dtype="string"),
        # values pandas quotes (or, for a lone carriage return, Arrow refuses unquoted)
        pd.DataFrame(
            {"A": ["a,b", 'say "hi"', "two\nlines", "cr\rhere"], "B": "1"}, dtype="string"
        ),
        pd.DataFrame({"A": pd.Series([], dtype="string"), "B": pd.Series([], dtype="string")}),
        pd.DataFrame(columns=["A", "B"]),  # a table the year's return predates
        pd.DataFrame({"A": ["", None]}, dtype="string"),  # one column: csv quotes "" alone
        pd.DataFrame({"A": [1.5, None], "B": ["x", "y"]}),  # not all text
        pd.DataFrame({"A,1": ["x"], "B": ["y"]}, dtype="string"),  # a name to quote
    ],
)
def test_contract_files_are_written_as_pandas_writes_them(tmp_path, frame):
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    landing.write_csv(frame, ours)
    frame.to_csv(theirs, index=False, encoding="utf-8")
    assert ours.read_bytes() == theirs.read_bytes()


def cin_return(reference_date: str = "2024-03-31", child: str = "U1") -> str:
    """A minimal CIN census return: one child with one referral."""
    return f"""<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
      <ReferenceDate>{reference_date}</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>383</LEA></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>{child}</LAchildID><UPN>A123456789012</UPN>
        <PersonBirthDate>2014-09-17</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      <CINdetails><CINreferralDate>2023-05-01</CINreferralDate><ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>false</ReferralNFA></CINdetails>
    </Child>
  </Children>
</Message>
"""


def test_a_cin_return_is_dated_by_its_reference_date_wherever_it_lies(tmp_path, lookup):
    raw = tmp_path / "raw"
    _land(raw, "census.xml", cin_return())
    _land(raw, "2023-24/header.csv", HEADER_CSV)
    landing = scan_landing(raw)
    assert landing.refused == ()
    (year,), undated = convert_landing(landing.files, PSEUDONYMISER, lookup)
    assert year.period == YEAR and undated == []
    assert year.sources == {
        "cin_assessments": "census.xml",
        "cin_children": "census.xml",
        "cin_cp_plans": "census.xml",
        "cin_episodes": "census.xml",
        "cin_section47": "census.xml",  # written with no rows: the return has no Section47
        "ssda903_header": "2023-24/header.csv",
    }
    assert year.converted_files == ["2023-24/header.csv", "census.xml"]
    assert any("HomeLSOA written empty" in note for note in year.notes)
    assert not any("record(s) read" in note for note in year.notes)  # the accounts come once
    written = write_contract_files(year, tmp_path / "data")
    children = pd.read_csv(tmp_path / "data" / "cin_children_2023-24.csv", dtype=str)
    assert children["LAchildID"].tolist() == [PSEUDONYMISER.pseudonym("U1")]
    everything = "".join(p.read_text() for p in written) + "\n".join(year.notes)
    assert "A123456789012" not in everything and "2014-09-17" not in everything


def test_a_cin_return_in_another_years_folder_is_refused(tmp_path, lookup):
    raw = tmp_path / "raw"
    _land(raw, "2024-25/census.xml", cin_return("2024-03-31"))
    (year,), _ = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    assert year.period == FinancialYear(2024) and year.results == {}
    (refusal,) = year.refused
    assert "dates it 2023/24" in refusal.reason and "2023-24/" in refusal.reason


def test_two_cin_returns_of_a_year_are_both_refused_and_an_unreadable_one_has_no_year(
    tmp_path, lookup
):
    raw = tmp_path / "raw"
    _land(raw, "a.xml", cin_return(child="U1"))
    _land(raw, "b.xml", cin_return(child="U2"))
    _land(raw, "c.xml", "<Message><Header></Message>")
    (year,), undated = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    assert year.results == {}
    assert [r.file for r in year.refused] == ["a.xml", "b.xml"]
    assert "is also in b.xml" in year.refused[0].reason
    (unreadable,) = undated
    assert unreadable.file == "c.xml" and "not well-formed" in unreadable.reason


def test_only_the_years_asked_for_are_converted(tmp_path, lookup):
    raw = tmp_path / "raw"
    _land(raw, "2023-24/header.csv", HEADER_CSV)
    _land(raw, "2024-25/header.csv", HEADER_CSV)
    years, _ = convert_landing(
        scan_landing(raw).files, PSEUDONYMISER, lookup, periods=[FinancialYear(2024)]
    )
    assert [y.period for y in years] == [FinancialYear(2024)]


SSDA903_XML = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER><CHILDID>00123</CHILDID><UPN>A123456789012</UPN><SEX>2</SEX><DOB>17/09/2014</DOB>
      <ETHNIC>WBRI</ETHNIC></HEADER>
    <EPISODE><DECOM>01/05/2023</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><HOME_POST>LS9 8AB</HOME_POST></EPISODE>
  </CHILD>
</EXPSSDA903>
"""


def test_an_ssda903_xml_return_is_recognised_by_its_root_and_dated_by_its_folder(tmp_path, lookup):
    raw = tmp_path / "raw"
    _land(raw, "2023-24/return.xml", SSDA903_XML)
    _land(raw, "census.xml", cin_return())
    (year,), undated = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    assert undated == [] and year.refused == [] and year.period == YEAR
    ssda903 = {t: f for t, f in year.sources.items() if t.startswith("ssda903_")}
    assert len(ssda903) == 11 and set(ssda903.values()) == {"2023-24/return.xml"}
    assert year.not_in_return == ()  # the XML gives every table of 2023/24, SW episodes too
    assert "2023-24/return.xml: SSDA903 return (XML): 1 CHILD element(s)" in year.notes
    write_contract_files(year, tmp_path / "data")
    header = pd.read_csv(tmp_path / "data" / "ssda903_header_2023-24.csv", dtype=str)
    assert header["CHILD"].tolist() == [PSEUDONYMISER.pseudonym("00123")]
    episodes = pd.read_csv(tmp_path / "data" / "ssda903_episodes_2023-24.csv", dtype=str)
    assert episodes["HOME_POST"].tolist() == ["E01011295"]


def test_an_ssda903_xml_return_outside_a_year_folder_is_refused(tmp_path, lookup):
    raw = tmp_path / "raw"
    _land(raw, "return.xml", SSDA903_XML)
    years, (refusal,) = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    assert years == [] and refusal.file == "return.xml"
    assert "folder of its reporting year" in refusal.reason


def test_an_ssda903_xml_and_csv_tables_of_one_year_are_both_refused(tmp_path, lookup):
    raw = tmp_path / "raw"
    _land(raw, "2023-24/return.xml", SSDA903_XML)
    _land(raw, "2023-24/header.csv", HEADER_CSV)
    (year,), _ = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    assert year.results == {}
    assert [r.file for r in year.refused] == ["2023-24/header.csv", "2023-24/return.xml"]


def test_an_xml_file_of_no_return_intake_reads_is_refused_by_its_root(tmp_path, lookup):
    raw = tmp_path / "raw"
    _land(raw, "2023-24/school.xml", "<?xml version='1.0'?>\n<SchoolCensus><A>secret</A>")
    _land(raw, "2023-24/broken.xml", "<?xml version='1.0'?>\n\n<<EXPSSDA903>")
    (year,), _ = convert_landing(scan_landing(raw).files, PSEUDONYMISER, lookup)
    reasons = {r.file: r.reason for r in year.refused}
    assert reasons["2023-24/school.xml"] == (
        "school.xml: line 2: its root element is neither Message (the CIN census return) nor "
        "EXPSSDA903 (the SSDA903 return): not a return intake reads"
    )
    assert reasons["2023-24/broken.xml"].startswith("broken.xml: line 3: not well-formed XML")
    assert "secret" not in "".join(reasons.values())
