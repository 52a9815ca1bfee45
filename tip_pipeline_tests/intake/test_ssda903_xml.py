"""The SSDA903 return's XML (root EXPSSDA903): every table's records read from their elements
and converted by the CSV tables' own conversion, giving the same contract rows as the same
records written as CSV; optional elements absent or empty are missing values; dropped
elements never in the output nor in a message; hostile, malformed and other XML refused whole
by file, line and kind; records refused by file, line, element path and reason; unknown and
repeated elements named by path; every table's account adding up; batches changing nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake import ssda903_xml
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import STAFF_NAMESPACE, Pseudonymiser
from tip_pipeline.intake.ssda903 import DATE_REFUSED, ID_REFUSED, LAYOUTS, Refusal, read_ssda903
from tip_pipeline.intake.ssda903_xml import (
    MAX_NAMED_UNKNOWN,
    REPEATED_WHY,
    Ssda903XmlError,
    Ssda903XmlResult,
    read_ssda903_xml,
    root_element,
)
from tip_pipeline.intake.ssda903_xml_layout import RECORDS
from tip_pipeline.periods import FinancialYear

PSEUDONYMISER = Pseudonymiser(b"k" * 32)
LOOKUP_CSV = (
    "PCD7,PCD8,PCDS,DOINTR,DOTERM,USERTYPE,OA21CD,LSOA21CD,MSOA21CD,LADCD\n"
    "LS9 8AB,LS9  8AB,LS9 8AB,198001,,0,E00057001,E01011295,E02002330,E08000035\n"
    "BD1 1AA,BD1  1AA,BD1 1AA,198001,,0,E00053001,E01010600,E02002180,E08000032\n"
)
#: values of the dropped elements, which must appear nowhere in the output nor a message
UPN, MC_DOB, URN, PL_POST = "A123456789012", "23/11/2019", "SC484848", "BD1 1AA"
SECRET_ID, SECRET_DATE = "ZX99", "31/31/2014"

ROOT = "EXPSSDA903"
HEADER_PATH = f"{ROOT}/CHILD/HEADER"
EPISODE_PATH = f"{ROOT}/CHILD/EPISODE"

FULL_CHILD = f"""  <CHILD>
    <HEADER>
      <CHILDID>00123</CHILDID>
      <UPN>{UPN}</UPN>
      <SEX>2</SEX>
      <DOB>17/09/2006</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UASC>1</UASC>
      <DUC>16/09/2024</DUC>
      <DATE_INT>01/06/2023</DATE_INT>
      <DATE_MATCH>01/12/2023</DATE_MATCH>
      <FOSTER_CARE>0</FOSTER_CARE>
      <NB_ADOPTR>2</NB_ADOPTR>
      <SEX_ADOPTR>MF</SEX_ADOPTR>
      <LS_ADOPTR>L2</LS_ADOPTR>
      <AD_PLACED>
        <DATE_PLACED>01/05/2023</DATE_PLACED>
        <DATE_PLACED_CEASED>01/07/2023</DATE_PLACED_CEASED>
        <REASON_PLACED_CEASED>RD1</REASON_PLACED_CEASED>
      </AD_PLACED>
      <MOTHER>1</MOTHER>
      <MC_DOB>{MC_DOB}</MC_DOB>
      <PERMANENCE>
        <PREV_PERM>P2</PREV_PERM>
        <LA_PERM>830</LA_PERM>
        <DATE_PERM>ZZ/05/2019</DATE_PERM>
      </PERMANENCE>
      <AMISSING>
        <MISSING>M</MISSING>
        <MIS_START>03/08/2023</MIS_START>
        <MIS_END>05/08/2023</MIS_END>
      </AMISSING>
      <AMISSING>
        <MISSING>A</MISSING>
        <MIS_START>10/01/2024</MIS_START>
      </AMISSING>
      <IN_TOUCH>YES</IN_TOUCH>
      <ACTIV>F2</ACTIV>
      <ACCOM>S</ACCOM>
      <OC2>
        <SDQ_SCORE>12</SDQ_SCORE>
        <CONVICTED>0</CONVICTED>
        <HEALTH_CHECK>1</HEALTH_CHECK>
        <IMMUNISATIONS>1</IMMUNISATIONS>
        <TEETH_CHECK>1</TEETH_CHECK>
        <HEALTH_ASSESSMENT>1</HEALTH_ASSESSMENT>
        <SUBSTANCE_MISUSE>0</SUBSTANCE_MISUSE>
        <INTERVENTION_RECEIVED>0</INTERVENTION_RECEIVED>
        <INTERVENTION_OFFERED>0</INTERVENTION_OFFERED>
      </OC2>
      <AREVIEW>
        <REVIEW>12/07/2023</REVIEW>
        <REVIEW_CODE>PN1</REVIEW_CODE>
      </AREVIEW>
      <AREVIEW>
        <REVIEW>12/01/2024</REVIEW>
        <REVIEW_CODE>PN4</REVIEW_CODE>
      </AREVIEW>
      <SW_EPISODE>
        <SW_ID>SW100001</SW_ID>
        <SW_DECOM>01/05/2023</SW_DECOM>
        <SW_DEC>01/02/2024</SW_DEC>
        <SW_REASON>MANAGE</SW_REASON>
      </SW_EPISODE>
    </HEADER>
    <EPISODE>
      <DECOM>01/05/2023</DECOM>
      <RNE>S</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>U1</PL>
      <PL_POST>{PL_POST}</PL_POST>
      <HOME_POST>LS9 8AB</HOME_POST>
      <URN>{URN}</URN>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER>
      <DEC>01/02/2024</DEC>
      <REC>E11</REC>
      <REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE>
    </EPISODE>
  </CHILD>
"""
#: a child with every optional element left out or empty
MINIMAL_CHILD = """  <CHILD>
    <HEADER>
      <CHILDID>B7</CHILDID>
      <SEX>1</SEX>
      <DOB>2015-03-27</DOB>
      <ETHNIC>MWBC</ETHNIC>
      <UASC>0</UASC>
      <DUC/>
      <MOTHER></MOTHER>
    </HEADER>
    <EPISODE>
      <DECOM>01/02/2024</DECOM>
      <RNE>P</RNE>
      <LS>V2</LS>
      <CIN>N2</CIN>
      <PL>K2</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER>
      <DEC />
      <REC></REC>
    </EPISODE>
  </CHILD>
"""

#: the same records as the CSV tables of the return (DfE's CSV layout, intake.ssda903)
CSV_TABLES = {
    "header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    f"00123,2,17/09/2006,WBRI,{UPN},1,{MC_DOB}\nB7,1,2015-03-27,MWBC,,,\n",
    "episodes.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n"
    f"00123,01/05/2023,S,C2,N1,U1,PR1,01/02/2024,E11,CARPL,LS9 8AB,{PL_POST},{URN}\n"
    "B7,01/02/2024,P,V2,N2,K2,PR4,,,,,,\n",
    "missing.csv": "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
    "00123,17/09/2006,M,03/08/2023,05/08/2023\n00123,17/09/2006,A,10/01/2024,\n",
    "reviews.csv": "CHILD,DOB,REVIEW,REVIEW_CODE\n"
    "00123,17/09/2006,12/07/2023,PN1\n00123,17/09/2006,12/01/2024,PN4\n",
    "oc2.csv": "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,"
    "TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n"
    "00123,17/09/2006,12,,0,1,1,1,1,0,0,0\n",
    "oc3.csv": "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n00123,17/09/2006,YES,F2,S\n",
    "uasc.csv": "CHILD,SEX,DOB,DUC\n00123,2,17/09/2006,16/09/2024\n",
    "ad1.csv": "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
    "00123,17/09/2006,01/06/2023,01/12/2023,0,2,MF,L2\n",
    "placed.csv": "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\n"
    "00123,17/09/2006,01/05/2023,01/07/2023,RD1\n",
    "prev_perm.csv": "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\n00123,17/09/2006,P2,830,ZZ/05/2019\n",
    "sw.csv": "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
    "00123,17/09/2006,SW100001,01/05/2023,01/02/2024,MANAGE\n",
}


@pytest.fixture
def lookup(tmp_path) -> PostcodeLookup:
    path = tmp_path / "lookup.csv"
    path.write_text(LOOKUP_CSV)
    return PostcodeLookup.from_csv(path)


def _return(children: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{ROOT}>\n{children}</{ROOT}>\n'


def _write(folder: Path, text: str, name: str = "ssda903.xml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, fragment: str, start: int = 0) -> int:
    return text[: text.index(fragment, start)].count("\n") + 1


def _by_table(result: Ssda903XmlResult) -> dict:
    return {r.table: r for r in result.results}


def _assert_accounted(result: Ssda903XmlResult) -> None:
    for account in result.results:
        assert account.read == account.written + len(account.refused)
        assert len(account.frame) == account.written
        layout = next(r.layout for r in RECORDS if r.layout.extract.table == account.table)
        assert tuple(account.frame.columns) == layout.extract.column_names
        assert all(str(dtype) == "string" for dtype in account.frame.dtypes)


def _refused(path: Path, lookup: PostcodeLookup) -> str:
    with pytest.raises(Ssda903XmlError) as caught:
        read_ssda903_xml(path, PSEUDONYMISER, lookup)
    assert isinstance(caught.value, ValueFreeError)
    return str(caught.value)


# --- the layout -------------------------------------------------------------------------------


def test_every_table_of_the_return_has_its_elements_declared_once():
    assert [r.layout for r in RECORDS] == list(LAYOUTS)
    for record in RECORDS:
        assert set(record.layout.required) <= set(record.columns), record.layout.name
        assert len({record.element_of(c) for c in record.columns}) == len(record.columns)


# --- reading ----------------------------------------------------------------------------------


def test_every_table_gives_the_rows_its_csv_table_gives(tmp_path, lookup):
    """The XML only replaces the reading: the same records as CSV tables, converted by the
    CSV's conversion, give the same contract rows, optional elements present or absent."""
    xml = read_ssda903_xml(
        _write(tmp_path, _return(FULL_CHILD + MINIMAL_CHILD)), PSEUDONYMISER, lookup
    )
    _assert_accounted(xml)
    tables = _by_table(xml)
    assert sorted(tables) == sorted(layout.extract.table for layout in LAYOUTS)
    for name, text in CSV_TABLES.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        csv = read_ssda903(path, PSEUDONYMISER, lookup)
        got = tables[csv.table]
        pd.testing.assert_frame_equal(got.frame, csv.frame, obj=csv.table)
        assert (got.read, got.written, got.refused) == (csv.read, csv.written, ())
        assert (got.partial_dates, got.home_lsoa_unknown) == (
            csv.partial_dates,
            csv.home_lsoa_unknown,
        )


def test_the_values_are_converted_as_the_contracts_want(tmp_path, lookup):
    xml = _by_table(
        read_ssda903_xml(
            _write(tmp_path, _return(FULL_CHILD + MINIMAL_CHILD)), PSEUDONYMISER, lookup
        )
    )
    child, other = PSEUDONYMISER.pseudonym("00123"), PSEUDONYMISER.pseudonym("B7")
    header = xml["ssda903_header"].frame
    assert header.to_dict("list") == {
        "CHILD": [child, other],
        "SEX": ["2", "1"],
        "DOB": ["2006-09-01", "2015-03-01"],
        "ETHNIC": ["WBRI", "MWBC"],
    }
    episodes = xml["ssda903_episodes"].frame
    assert episodes["PLACE"].tolist() == ["U1", "K2"]  # DfE's PL
    assert episodes["HOME_POST"].tolist() == ["E01011295", pd.NA]
    assert episodes["PL_LA"].tolist() == ["E08000032", pd.NA]  # from PL_POST
    assert episodes["DEC"].isna().tolist() == [False, True]  # <DEC /> and <REC></REC>
    assert episodes["REC"].isna().tolist() == [False, True]
    assert episodes["REASON_PLACE_CHANGE"].isna().tolist() == [False, True]  # left out
    assert xml["ssda903_prev_perm"].frame["DATE_PERM"].tolist() == ["2019-05"]
    assert xml["ssda903_uasc"].frame["DUC"].tolist() == ["2024-09-01"]
    assert xml["ssda903_missing"].frame["MIS_END"].isna().tolist() == [False, True]
    sw = xml["ssda903_sw_episodes"].frame
    assert sw["SW_ID"].tolist() == [PSEUDONYMISER.pseudonym("SW100001", namespace=STAFF_NAMESPACE)]
    for table in ("ssda903_missing", "ssda903_reviews", "ssda903_oc2", "ssda903_oc3"):
        assert set(xml[table].frame["CHILD"]) == {child}, table


@pytest.mark.parametrize(
    ("items", "uasc_rows"),
    [
        ("<UASC>1</UASC>", 1),  # still UASC at 31 March: DUC empty
        ("<UASC>0</UASC><DUC/>", 0),
        ("<UASC/>", 0),
        ("", 0),
        ("<DUC>16/09/2024</DUC>", 1),  # a date is never dropped unread
    ],
)
def test_a_uasc_record_is_made_by_the_uasc_flag_or_a_duc(tmp_path, lookup, items, uasc_rows):
    text = _return(
        f"<CHILD><HEADER><CHILDID>C1</CHILDID><SEX>1</SEX><DOB>01/01/2008</DOB>"
        f"<ETHNIC>WBRI</ETHNIC>{items}</HEADER></CHILD>\n"
    )
    result = _by_table(read_ssda903_xml(_write(tmp_path, text), PSEUDONYMISER, lookup))
    assert result["ssda903_uasc"].written == uasc_rows
    assert result["ssda903_ad1"].written == result["ssda903_oc3"].written == 0


def test_a_return_without_children_gives_every_table_with_no_rows(tmp_path, lookup):
    result = read_ssda903_xml(_write(tmp_path, f"<{ROOT}/>"), PSEUDONYMISER, lookup)
    assert len(result.results) == len(LAYOUTS) and result.children == 0
    assert all(r.read == 0 for r in result.results)
    _assert_accounted(result)


def test_a_year_before_the_sw_table_has_none_unless_the_file_gives_it(tmp_path, lookup):
    path = _write(tmp_path, _return(MINIMAL_CHILD))
    tables = {
        r.table for r in read_ssda903_xml(path, PSEUDONYMISER, lookup, FinancialYear(2022)).results
    }
    assert "ssda903_sw_episodes" not in tables and len(tables) == len(LAYOUTS) - 1
    given = _write(tmp_path, _return(FULL_CHILD), "with_sw.xml")
    result = _by_table(read_ssda903_xml(given, PSEUDONYMISER, lookup, FinancialYear(2022)))
    assert result["ssda903_sw_episodes"].written == 1


def test_the_report_names_what_was_dropped_and_no_value(tmp_path, lookup):
    result = read_ssda903_xml(
        _write(tmp_path, _return(FULL_CHILD + MINIMAL_CHILD)), PSEUDONYMISER, lookup
    )
    notes = result.notes()
    assert notes[0] == "SSDA903 return (XML): 2 CHILD element(s)"
    dropped = {d.path: d.count for d in result.dropped}
    assert dropped == {
        f"{HEADER_PATH}/UPN": 1,
        f"{HEADER_PATH}/MOTHER": 2,
        f"{HEADER_PATH}/MC_DOB": 1,
        f"{EPISODE_PATH}/PL_POST": 1,
        f"{EPISODE_PATH}/URN": 1,
    }
    assert result.unknown == () and result.repeated == ()
    everything = "\n".join(result.report()) + "".join(
        r.frame.to_csv(index=False) for r in result.results
    )
    for value in (UPN, MC_DOB, URN, PL_POST, "00123", "17/09/2006", "2006-09-17"):
        assert value not in everything


# --- files refused ----------------------------------------------------------------------------

BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE {ROOT} [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<{ROOT}><CHILD><HEADER><CHILDID>&lol3;</CHILDID></HEADER></CHILD></{ROOT}>
"""
EXTERNAL_ENTITY = f"""<?xml version="1.0"?>

<!DOCTYPE {ROOT} [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<{ROOT}><CHILD><HEADER><CHILDID>&xxe;</CHILDID></HEADER></CHILD></{ROOT}>
"""
DTD_ONLY = f"""<?xml version="1.0"?>
<!-- a return -->


<!DOCTYPE {ROOT} SYSTEM "http://example.invalid/cla.dtd">
<{ROOT}/>
"""


@pytest.mark.parametrize(
    ("text", "line", "planted"),
    [
        (BILLION_LAUGHS, 2, ("lol", "ENTITY")),
        (EXTERNAL_ENTITY, 3, ("xxe", "passwd", "file:")),
        (DTD_ONLY, 5, ("example.invalid", "cla.dtd")),
    ],
)
def test_a_dtd_or_entity_refuses_the_file_without_repeating_it(
    tmp_path, lookup, text, line, planted
):
    path = _write(tmp_path, text, "hostile.xml")
    for message in (_refused(path, lookup), _root_refused(path)):
        assert message.startswith(f"hostile.xml: line {line}: a document type declaration (DTD)")
        assert "is forbidden" in message
        for value in planted:
            assert value not in message


def _root_refused(path: Path) -> str:
    with pytest.raises(Ssda903XmlError) as caught:
        root_element(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("broken", "kind"),
    [
        (f"<CHILDID>{SECRET_ID}</childid>", "mismatched tag"),
        (f"<CHILDID>{SECRET_ID}<1</CHILDID>", "not well-formed (invalid token)"),
        ("<CHILDID>&secret;</CHILDID>", "undefined entity"),
    ],
)
def test_malformed_xml_is_refused_with_its_file_line_and_kind(tmp_path, lookup, broken, kind):
    text = _return(FULL_CHILD + MINIMAL_CHILD).replace("<CHILDID>B7</CHILDID>", broken)
    message = _refused(_write(tmp_path, text), lookup)
    assert message == f"ssda903.xml: line {_line_of(text, broken)}: not well-formed XML ({kind})"
    assert SECRET_ID not in message and "secret" not in message


def test_a_truncated_file_is_refused(tmp_path, lookup):
    text = _return(FULL_CHILD)
    message = _refused(_write(tmp_path, text[: text.index("<EPISODE>")]), lookup)
    assert re.fullmatch(
        r"ssda903\.xml: line \d+: not well-formed XML \(no element found\)", message
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("<?xml version='1.0'?>\n\n<Message><Header/></Message>\n", 3),  # a CIN census
        ("<SchoolCensus><CHILD/></SchoolCensus>", 1),
    ],
)
def test_xml_of_another_return_is_refused(tmp_path, lookup, text, line):
    assert _refused(_write(tmp_path, text), lookup) == (
        f"ssda903.xml: line {line}: the root element is not {ROOT}: not an SSDA903 return"
    )


def test_a_csv_file_is_not_xml(tmp_path, lookup):
    path = _write(tmp_path, CSV_TABLES["header.csv"], "header.xml")
    assert _refused(path, lookup) == "header.xml: line 1: not well-formed XML (syntax error)"


def test_no_such_file(tmp_path, lookup):
    assert _refused(tmp_path / "absent.xml", lookup) == "absent.xml: no such file"


def test_the_root_element_is_read_with_its_line(tmp_path):
    path = _write(tmp_path, _return(FULL_CHILD))
    assert root_element(path) == (ROOT, 2)
    assert root_element(_write(tmp_path, "\n\n<Message>", "cut.xml")) == ("Message", 3)


# --- records refused --------------------------------------------------------------------------


def test_records_are_refused_with_line_element_path_and_reason(tmp_path, lookup):
    no_id = MINIMAL_CHILD.replace("<CHILDID>B7</CHILDID>", "")
    bad_decom = FULL_CHILD.replace("<DECOM>01/05/2023</DECOM>", f"<DECOM>{SECRET_DATE}</DECOM>")
    bad_dob = FULL_CHILD.replace("<CHILDID>00123", "<CHILDID>C9").replace(
        "<DOB>17/09/2006</DOB>", f"<DOB>{SECRET_DATE}</DOB>"
    )
    text = _return(no_id + bad_decom + bad_dob)
    result = read_ssda903_xml(_write(tmp_path, text), PSEUDONYMISER, lookup)
    _assert_accounted(result)
    tables = _by_table(result)

    second = text.index("<CHILD>", 1)
    third = text.index("<CHILD>", second + 1)
    no_id_header = _line_of(text, "<HEADER>")
    assert tables["ssda903_header"].refused[0] == Refusal(
        "ssda903.xml", no_id_header, f"{HEADER_PATH}/CHILDID", ID_REFUSED["missing"]
    )
    assert tables["ssda903_episodes"].refused[0] == Refusal(
        "ssda903.xml", _line_of(text, "<EPISODE>"), f"{HEADER_PATH}/CHILDID", ID_REFUSED["missing"]
    )
    assert tables["ssda903_episodes"].refused[1] == Refusal(
        "ssda903.xml",
        _line_of(text, f"<DECOM>{SECRET_DATE}"),
        f"{EPISODE_PATH}/DECOM",
        DATE_REFUSED,
    )
    dob_line = _line_of(text, f"<DOB>{SECRET_DATE}", third)
    for table in ("ssda903_header", "ssda903_missing", "ssda903_oc3", "ssda903_sw_episodes"):
        last = tables[table].refused[-1]
        assert (last.line, last.column, last.reason) == (
            dob_line,
            f"{HEADER_PATH}/DOB",
            DATE_REFUSED,
        ), table
    # the third child's episode keeps its rows (Episodes has no DOB)
    assert tables["ssda903_episodes"].written == 1
    assert tables["ssda903_missing"].written == 2 and len(tables["ssda903_missing"].refused) == 2
    everything = "\n".join(result.report())
    assert SECRET_DATE not in everything and "C9" not in everything
    assert "ssda903.xml: line" in everything and f"{HEADER_PATH}/DOB:" in everything


def test_unknown_elements_are_dropped_and_named_by_path(tmp_path, lookup):
    text = _return(
        FULL_CHILD.replace("<ETHNIC>", "<NICKNAME>Secret</NICKNAME><ETHNIC>")
        .replace("<RNE>S</RNE>", "<RNE>S<NOTE>Secret</NOTE></RNE>")
        .replace("</HEADER>", "<ADOPTION><DATE_INT>01/01/2020</DATE_INT></ADOPTION></HEADER>")
        + "  <LA_NOTES>Secret</LA_NOTES>\n"
    )
    result = read_ssda903_xml(_write(tmp_path, text), PSEUDONYMISER, lookup)
    assert {u.path: u.count for u in result.unknown} == {
        f"{HEADER_PATH}/NICKNAME": 1,
        f"{EPISODE_PATH}/RNE/NOTE": 1,
        f"{HEADER_PATH}/ADOPTION": 1,
        f"{ROOT}/LA_NOTES": 1,
    }
    assert _by_table(result)["ssda903_episodes"].frame["RNE"].tolist() == ["S"]
    assert "Secret" not in "\n".join(result.report())


def test_unknown_paths_beyond_the_limit_are_counted_not_named(tmp_path, lookup):
    extra = "".join(f"<X{i}/>" for i in range(MAX_NAMED_UNKNOWN + 5))
    text = _return(MINIMAL_CHILD.replace("</HEADER>", f"{extra}</HEADER>"))
    result = read_ssda903_xml(_write(tmp_path, text), PSEUDONYMISER, lookup)
    assert len(result.unknown) == MAX_NAMED_UNKNOWN and result.unknown_unnamed == 5
    assert "5 more unknown element(s) dropped" in "\n".join(result.notes())


def test_an_element_given_twice_keeps_the_first(tmp_path, lookup):
    text = _return(
        MINIMAL_CHILD.replace(
            "<DOB>2015-03-27</DOB>", "<DOB>2015-03-27</DOB><DOB>2001-01-01</DOB>"
        ).replace("</HEADER>", "</HEADER><HEADER><CHILDID>Z1</CHILDID></HEADER>")
    )
    result = read_ssda903_xml(_write(tmp_path, text), PSEUDONYMISER, lookup)
    assert {r.path: (r.count, r.why) for r in result.repeated} == {
        f"{HEADER_PATH}/DOB": (1, REPEATED_WHY),
        HEADER_PATH: (1, REPEATED_WHY),
    }
    header = _by_table(result)["ssda903_header"].frame
    assert header["DOB"].tolist() == ["2015-03-01"] and len(header) == 1


# --- streaming --------------------------------------------------------------------------------


def test_children_are_converted_in_batches_with_the_same_result(tmp_path, lookup, monkeypatch):
    """One batch of children is held at a time; batch boundaries change nothing."""
    refused = MINIMAL_CHILD.replace("<CHILDID>B7</CHILDID>", "")
    text = _return((FULL_CHILD + refused + MINIMAL_CHILD) * 3)
    path = _write(tmp_path, text)
    whole = read_ssda903_xml(path, PSEUDONYMISER, lookup)
    flushes: list[int] = []
    flush = ssda903_xml.Ssda903Reader.flush

    def counting(self):
        flushes.append(self.batch_children)
        flush(self)

    monkeypatch.setattr(ssda903_xml.Ssda903Reader, "flush", counting)
    in_twos = read_ssda903_xml(path, PSEUDONYMISER, lookup, chunk_children=2)
    assert flushes == [2, 2, 2, 2, 1]
    for one, other in zip(whole.results, in_twos.results, strict=True):
        pd.testing.assert_frame_equal(one.frame, other.frame)
        assert one.refused == other.refused
    assert whole.report() == in_twos.report()
    _assert_accounted(in_twos)
