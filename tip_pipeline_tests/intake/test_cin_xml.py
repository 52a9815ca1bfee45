"""The CIN census XML reader: DfE's return (Message, Header, Children/Child with its
identifiers, characteristics and repeated CINdetails, Assessments, ChildProtectionPlans and
Section47) converted into the five CIN contract extracts, one row per repeated element; UPNs and
the other dropped elements never in the output nor in a message; unborn children, Sex and
GenderCurrent;
hostile and malformed files refused whole by file, line and kind of problem; records refused
by file, line, element path and reason, with their own records, every table's account adding
up; unknown elements named by path; the parse done in batches of children."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake import cin_xml
from tip_pipeline.intake.cin_convert import HeldFrames
from tip_pipeline.intake.cin_xml import (
    ASSESSMENT,
    CHILD,
    CP_PLAN,
    DATE_REFUSED,
    EPISODE,
    INT_REFUSED,
    MAX_NAMED_UNKNOWN,
    RECORDS,
    SECTION47,
    CinXmlError,
    CinXmlResult,
    read_cin_xml,
)
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.ssda903 import Refusal
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import (
    CIN_ASSESSMENTS,
    CIN_CHILDREN,
    CIN_CP_PLANS,
    CIN_EPISODES,
    CIN_SECTION47,
)

PSEUDONYMISER = Pseudonymiser(b"k" * 32)

#: values that must appear in no output and no message
UPN, FORMER_UPN, DOB = "A123456789012", "X98765432123B", "2015-03-27"
SECRET_ID, SECRET_DOB = "ZX99", "2014-02-30"

CHILD_PATH = "Message/Children/Child"
EPISODE_PATH = f"{CHILD_PATH}/CINdetails"


def _header(reference_date: str = "2024-03-31", collection: str = "CIN") -> str:
    return f"""<Message>
  <Header>
    <CollectionDetails>
      <Collection>{collection}</Collection>
      <Year>2024</Year>
      <ReferenceDate>{reference_date}</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>201</LEA>
      <SoftwareCode>Local Authority</SoftwareCode>
      <Release>ver 3.1.21</Release>
      <SerialNo>001</SerialNo>
      <DateTime>2024-05-23T11:14:05</DateTime>
    </Source>
  </Header>
"""


def _return(children: str, reference_date: str = "2024-03-31") -> str:
    return f"{_header(reference_date)}  <Children>\n{children}  </Children>\n</Message>\n"


def _write(folder: Path, text: str, name: str = "cin_census.xml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    """The line (from 1) of the ``nth`` occurrence of ``needle``."""
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


def _pseudonym(child_id: str) -> str:
    pseudonym = PSEUDONYMISER.pseudonym(child_id)
    assert pseudonym is not None
    return pseudonym


def _frame(extract, rows: list[dict[str, str]]) -> pd.DataFrame:
    columns = extract.column_names
    data = {c: pd.Series([row.get(c, pd.NA) for row in rows], dtype="string") for c in columns}
    return pd.DataFrame(data, columns=list(columns))


def _everything_said(result: CinXmlResult) -> str:
    return "\n".join(result.report())


def _assert_accounted(result: CinXmlResult) -> None:
    for account, layout in zip(result.results, RECORDS, strict=True):
        assert account.table == layout.extract.table
        assert account.read == account.written + len(account.refused)
        assert len(account.frame) == account.written
        assert tuple(account.frame.columns) == layout.extract.column_names
        assert all(str(dtype) == "string" for dtype in account.frame.dtypes)


def _refused(path: Path) -> str:
    with pytest.raises(CinXmlError) as caught:
        read_cin_xml(path, PSEUDONYMISER)
    assert isinstance(caught.value, ValueFreeError)
    return str(caught.value)


# --- a full return ---------------------------------------------------------------------------


def _assessment(start: str, review: str, authorised: str, factors: tuple[str, ...]) -> str:
    listed = "".join(f"\n            <AssessmentFactors>{f}</AssessmentFactors>" for f in factors)
    return f"""        <Assessments>
          <AssessmentActualStartDate>{start}</AssessmentActualStartDate>
          <AssessmentInternalReviewDate>{review}</AssessmentInternalReviewDate>
          <AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>{listed}
          </FactorsIdentifiedAtAssessment>
        </Assessments>
"""


def _plan(start: str, end: str, initial: str, latest: str, previous: str) -> str:
    return f"""        <ChildProtectionPlans>
          <CPPstartDate>{start}</CPPstartDate>
          <CPPendDate>{end}</CPPendDate>
          <InitialCategoryOfAbuse>{initial}</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>{latest}</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>{start[:8]}28</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
"""


def _section47(start: str, target: str, conference: str, not_required: str) -> str:
    """A further Section47 group, each element left out where its value is empty."""
    elements = (
        ("S47ActualStartDate", start),
        ("InitialCPCtarget", target),
        ("DateOfInitialCPC", conference),
        ("ICPCnotRequired", not_required),
    )
    inner = "".join(f"          <{n}>{v}</{n}>\n" for n, v in elements if v)
    return f"        <Section47>\n{inner}        </Section47>\n"


def _episode(referral: str, closure: str, nfa: str, inner: str, more_s47: str = "") -> str:
    return f"""      <CINdetails>
        <CINreferralDate>{referral}</CINreferralDate>
        <ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N4</PrimaryNeedCode>
        <CINclosureDate>{closure}</CINclosureDate>
        <ReasonForClosure>RC1</ReasonForClosure>
        <DateOfInitialCPC>{referral[:8]}20</DateOfInitialCPC>
{inner}        <CINPlanDates>
          <CINPlanStartDate>{referral[:8]}21</CINPlanStartDate>
          <CINPlanEndDate>{closure}</CINPlanEndDate>
        </CINPlanDates>
        <Section47>
          <S47ActualStartDate>{referral[:8]}09</S47ActualStartDate>
          <InitialCPCtarget>{referral[:8]}19</InitialCPCtarget>
          <DateOfInitialCPC>{referral[:8]}20</DateOfInitialCPC>
          <ICPCnotRequired>false</ICPCnotRequired>
        </Section47>
{more_s47}        <ReferralNFA>{nfa}</ReferralNFA>
      </CINdetails>
"""


FIRST_CHILD = f"""    <Child>
      <ChildIdentifiers>
        <LAchildID>DfEX0000001</LAchildID>
        <UPN>{UPN}</UPN>
        <FormerUPN>{FORMER_UPN}</FormerUPN>
        <UPNunknown>UN3</UPNunknown>
        <PersonBirthDate>{DOB}</PersonBirthDate>
        <GenderCurrent>1</GenderCurrent>
        <PersonDeathDate>2024-01-15</PersonDeathDate>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>HAND</Disability>
          <Disability>HEAR</Disability>
        </Disabilities>
      </ChildCharacteristics>
{
    _episode(
        "2022-10-06",
        "2023-09-27",
        "0",
        _assessment("2022-10-07", "2022-10-21", "2022-11-18", ("1C", "6B", "21"))
        + _assessment("2023-01-09", "2023-01-20", "2023-02-10", ("3B", "4B"))
        + _plan("2022-12-06", "2023-03-14", "PHY", "EMO", "0")
        + _plan("2023-04-03", "2023-09-01", "NEG", "MUL", "1"),
    )
}{
    _episode(
        "2023-11-02",
        "2024-03-01",
        "false",
        _assessment("2023-11-03", "2023-11-17", "2023-12-15", ("8F",))
        + _assessment("2024-01-08", "2024-01-19", "2024-02-09", ("2B", "3A", "24A"))
        + _plan("2023-12-20", "2024-01-31", "SAB", "SAB", "2")
        + _plan("2024-02-05", "2024-02-29", "EMO", "EMO", "03"),
        _section47("2024-01-25", "2024-02-14", "", "true"),
    )
}    </Child>
"""

SECOND_CHILD = f"""    <Child>
      <ChildIdentifiers>
        <LAchildID> C77 </LAchildID>
        <UPN>B123456789012</UPN>
        <FormerUPN>Y98765432123B</FormerUPN>
        <UPNunknown>UN1</UPNunknown>
        <PersonBirthDate>2019-11-23</PersonBirthDate>
        <GenderCurrent>2</GenderCurrent>
        <PersonDeathDate>2024-02-02</PersonDeathDate>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>ABAN</Ethnicity>
        <Disabilities>
          <Disability>NONE</Disability>
        </Disabilities>
      </ChildCharacteristics>
{_episode("2023-06-02", "2023-06-05", "true", "")}    </Child>
"""

FULL = _return(FIRST_CHILD + SECOND_CHILD)


def test_layouts_are_the_cin_extracts_and_cover_their_columns():
    assert [layout.extract for layout in RECORDS] == [
        CIN_CHILDREN,
        CIN_EPISODES,
        CIN_ASSESSMENTS,
        CIN_CP_PLANS,
        CIN_SECTION47,
    ]
    for layout in RECORDS:
        assert tuple(c.contract for c in layout.columns) == layout.extract.column_names
    assert set(CHILD.dropped) >= {
        "ChildIdentifiers/UPN",
        "ChildIdentifiers/FormerUPN",
        "ChildIdentifiers/UPNunknown",
    }
    assert [layout.parent for layout in RECORDS] == [
        None,
        CHILD.path,
        EPISODE.path,
        EPISODE.path,
        EPISODE.path,
    ]
    assert SECTION47.path == f"{EPISODE_PATH}/Section47"


def test_a_full_return_gives_one_row_per_repeated_element(tmp_path):
    result = read_cin_xml(_write(tmp_path, FULL), PSEUDONYMISER)
    first, second = _pseudonym("DfEX0000001"), _pseudonym("C77")
    pd.testing.assert_frame_equal(
        result.children.frame,
        _frame(
            CIN_CHILDREN,
            [
                {
                    "LAchildID": first,
                    "PersonBirthDate": "2015-03-01",
                    "Sex": "1",
                    "Ethnicity": "WBRI",
                    "PersonDeathDate": "2024-01-15",
                },
                {
                    "LAchildID": second,
                    "PersonBirthDate": "2019-11-01",
                    "Sex": "2",
                    "Ethnicity": "ABAN",
                    "PersonDeathDate": "2024-02-02",
                },
            ],
        ),
    )
    episode = {"ReferralSource": "1A", "PrimaryNeedCode": "N4", "ReasonForClosure": "RC1"}
    pd.testing.assert_frame_equal(
        result.episodes.frame,
        _frame(
            CIN_EPISODES,
            [
                {
                    "LAchildID": first,
                    "CINreferralDate": "2022-10-06",
                    "ReferralNFA": "0",
                    "CINclosureDate": "2023-09-27",
                    **episode,
                },
                {
                    "LAchildID": first,
                    "CINreferralDate": "2023-11-02",
                    "ReferralNFA": "0",
                    "CINclosureDate": "2024-03-01",
                    **episode,
                },
                {
                    "LAchildID": second,
                    "CINreferralDate": "2023-06-02",
                    "ReferralNFA": "1",
                    "CINclosureDate": "2023-06-05",
                    **episode,
                },
            ],
        ),
    )
    assessments = [
        ("2022-10-06", "2022-10-07", "2022-11-18", "1C,6B,21"),
        ("2022-10-06", "2023-01-09", "2023-02-10", "3B,4B"),
        ("2023-11-02", "2023-11-03", "2023-12-15", "8F"),
        ("2023-11-02", "2024-01-08", "2024-02-09", "2B,3A,24A"),
    ]
    pd.testing.assert_frame_equal(
        result.assessments.frame,
        _frame(
            CIN_ASSESSMENTS,
            [
                dict(
                    zip(
                        CIN_ASSESSMENTS.column_names,
                        (first, *row),
                        strict=True,
                    )
                )
                for row in assessments
            ],
        ),
    )
    plans = [
        ("2022-10-06", "2022-12-06", "2023-03-14", "PHY", "EMO", "0"),
        ("2022-10-06", "2023-04-03", "2023-09-01", "NEG", "MUL", "1"),
        ("2023-11-02", "2023-12-20", "2024-01-31", "SAB", "SAB", "2"),
        ("2023-11-02", "2024-02-05", "2024-02-29", "EMO", "EMO", "3"),  # "03" as its digits
    ]
    pd.testing.assert_frame_equal(
        result.cp_plans.frame,
        _frame(
            CIN_CP_PLANS,
            [dict(zip(CIN_CP_PLANS.column_names, (first, *row), strict=True)) for row in plans],
        ),
    )
    # every Section47 group kept, two of one episode among them; the booleans as 0/1
    enquiries = [
        (first, "2022-10-06", "2022-10-09", "2022-10-19", "2022-10-20", "0"),
        (first, "2023-11-02", "2023-11-09", "2023-11-19", "2023-11-20", "0"),
        (first, "2023-11-02", "2024-01-25", "2024-02-14", pd.NA, "1"),
        (second, "2023-06-02", "2023-06-09", "2023-06-19", "2023-06-20", "0"),
    ]
    pd.testing.assert_frame_equal(
        result.section47.frame,
        _frame(
            CIN_SECTION47,
            [dict(zip(CIN_SECTION47.column_names, row, strict=True)) for row in enquiries],
        ),
    )
    assert result.year == FinancialYear(2023)
    assert result.lea == "201"
    assert [(r.read, r.written, r.refused) for r in result.results] == [
        (2, 2, ()),
        (3, 3, ()),
        (4, 4, ()),
        (4, 4, ()),
        (4, 4, ()),
    ]
    _assert_accounted(result)


def test_the_report_names_what_was_dropped_and_no_value(tmp_path):
    result = read_cin_xml(_write(tmp_path, FULL), PSEUDONYMISER)
    said = _everything_said(result)
    assert said.splitlines()[0] == (
        "cin_census.xml: CIN census return of 2023/24 (ReferenceDate 31 March 2024)"
    )
    assert "cin_census.xml -> cin_children: 2 record(s) read, 2 written, 0 refused" in said
    assert "cin_census.xml -> cin_cp_plans: 4 record(s) read, 4 written, 0 refused" in said
    dropped = {d.path: d.count for d in result.dropped}
    assert dropped == {
        f"{CHILD_PATH}/ChildIdentifiers/UPN": 2,
        f"{CHILD_PATH}/ChildIdentifiers/FormerUPN": 2,
        f"{CHILD_PATH}/ChildIdentifiers/UPNunknown": 2,
        f"{CHILD_PATH}/ChildCharacteristics/Disabilities": 2,
        f"{EPISODE_PATH}/DateOfInitialCPC": 3,
        f"{EPISODE_PATH}/CINPlanDates": 3,
        f"{EPISODE_PATH}/Assessments/AssessmentInternalReviewDate": 4,
        f"{EPISODE_PATH}/ChildProtectionPlans/Reviews": 4,
    }
    assert (
        f"dropped element {CHILD_PATH}/ChildIdentifiers/UPN: 2 occurrence(s), the Unique Pupil "
        "Number" in said
    )
    assert "the CIN census carries no address: HomeLSOA written empty (2 child row(s))" in said
    assert result.home_lsoa_unknown == 2
    assert result.children.frame["HomeLSOA"].isna().all()
    assert result.unknown == () and result.unborn == 0 and result.both_given == ()
    written = {v for r in result.results for v in r.frame.to_numpy().ravel() if pd.notna(v)}
    for value in (UPN, FORMER_UPN, "B123456789012", "UN3", "HAND", DOB, "DfEX0000001", "201"):
        assert value not in said
        assert value not in written


# --- what a child may lack, or have instead ----------------------------------------------------

MINIMAL_CHILD = """    <Child>
      <ChildIdentifiers>
        <LAchildID>M1</LAchildID>
      </ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2023-07-01</CINreferralDate>
        <Assessments>
          <AssessmentActualStartDate>2023-07-02</AssessmentActualStartDate>
          <FactorsIdentifiedAtAssessment/>
        </Assessments>
        <ChildProtectionPlans>
          <CPPstartDate>2023-08-01</CPPstartDate>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
"""


def test_a_minimal_child_gives_rows_with_empties(tmp_path):
    result = read_cin_xml(_write(tmp_path, _return(MINIMAL_CHILD)), PSEUDONYMISER)
    child = _pseudonym("M1")
    pd.testing.assert_frame_equal(
        result.children.frame, _frame(CIN_CHILDREN, [{"LAchildID": child}])
    )
    pd.testing.assert_frame_equal(
        result.episodes.frame,
        _frame(CIN_EPISODES, [{"LAchildID": child, "CINreferralDate": "2023-07-01"}]),
    )
    pd.testing.assert_frame_equal(
        result.assessments.frame,
        _frame(
            CIN_ASSESSMENTS,
            [
                {
                    "LAchildID": child,
                    "CINreferralDate": "2023-07-01",
                    "AssessmentActualStartDate": "2023-07-02",
                }
            ],
        ),
    )
    pd.testing.assert_frame_equal(
        result.cp_plans.frame,
        _frame(
            CIN_CP_PLANS,
            [{"LAchildID": child, "CINreferralDate": "2023-07-01", "CPPstartDate": "2023-08-01"}],
        ),
    )
    assert result.dropped == ()
    _assert_accounted(result)


def test_a_return_without_children_gives_empty_extracts(tmp_path):
    result = read_cin_xml(_write(tmp_path, _return("")), PSEUDONYMISER)
    for account, extract in zip(
        result.results,
        (CIN_CHILDREN, CIN_EPISODES, CIN_ASSESSMENTS, CIN_CP_PLANS, CIN_SECTION47),
        strict=True,
    ):
        assert (account.read, account.written) == (0, 0)
        assert tuple(account.frame.columns) == extract.column_names
    assert "HomeLSOA" not in _everything_said(result)


def _child(identifiers: str, child_id: str = "U1") -> str:
    return (
        f"    <Child>\n      <ChildIdentifiers>\n        <LAchildID>{child_id}</LAchildID>\n"
        f"{identifiers}      </ChildIdentifiers>\n    </Child>\n"
    )


def test_an_unborn_child_has_its_expected_birth_date_cut_to_the_month(tmp_path):
    unborn = _child(
        "        <ExpectedPersonBirthDate>2024-06-17</ExpectedPersonBirthDate>\n"
        "        <Sex>U</Sex>\n"
    )
    result = read_cin_xml(_write(tmp_path, _return(unborn)), PSEUDONYMISER)
    assert result.children.frame["PersonBirthDate"].tolist() == ["2024-06-01"]
    assert result.unborn == 1
    said = _everything_said(result)
    assert (
        "1 unborn child(ren): ExpectedPersonBirthDate written as PersonBirthDate, cut to the month"
        in said
    )
    assert "2024-06-17" not in said


def test_a_birth_date_and_an_expected_one_keep_the_birth_date(tmp_path):
    both = _child(
        "        <PersonBirthDate>2024-05-09</PersonBirthDate>\n"
        "        <ExpectedPersonBirthDate>2024-06-17</ExpectedPersonBirthDate>\n"
    )
    result = read_cin_xml(_write(tmp_path, _return(both)), PSEUDONYMISER)
    assert result.children.frame["PersonBirthDate"].tolist() == ["2024-05-01"]
    assert result.unborn == 0
    assert (
        "1 Child record(s) give both ChildIdentifiers/PersonBirthDate and "
        "ChildIdentifiers/ExpectedPersonBirthDate: ChildIdentifiers/PersonBirthDate kept"
    ) in _everything_said(result)


@pytest.mark.parametrize(
    ("reference_date", "identifiers", "sex"),
    [
        # up to 2023/24: GenderCurrent (N00007), 0/1/2/9
        ("2024-03-31", "        <GenderCurrent>9</GenderCurrent>\n", "9"),
        # from 2024/25: Sex (N00783), M/F/U
        ("2025-03-31", "        <Sex>F</Sex>\n", "F"),
        # a file giving both keeps Sex
        ("2025-03-31", "        <GenderCurrent>2</GenderCurrent>\n        <Sex>F</Sex>\n", "F"),
    ],
)
def test_sex_is_read_from_sex_or_gender_current(tmp_path, reference_date, identifiers, sex):
    path = _write(tmp_path, _return(_child(identifiers), reference_date))
    result = read_cin_xml(path, PSEUDONYMISER)
    assert result.children.frame["Sex"].tolist() == [sex]
    assert result.dropped == () and result.unknown == ()
    both = [b for b in result.both_given if b.kept == "ChildIdentifiers/Sex"]
    assert len(both) == ("GenderCurrent" in identifiers and "<Sex>" in identifiers)


def test_referral_nfa_as_xs_boolean_and_other_codes_trimmed(tmp_path):
    episodes = "".join(
        f"      <CINdetails>\n        <CINreferralDate>2023-0{i}-01</CINreferralDate>\n"
        f"        <ReferralNFA>{nfa}</ReferralNFA>\n"
        f"        <PrimaryNeedCode> N{i} </PrimaryNeedCode>\n      </CINdetails>\n"
        for i, nfa in enumerate(("true", "false", "1", "0", " true ", "yes"), start=1)
    )
    children = "    <Child>\n      <ChildIdentifiers><LAchildID>R1</LAchildID>"
    children += f"</ChildIdentifiers>\n{episodes}    </Child>\n"
    result = read_cin_xml(_write(tmp_path, _return(children)), PSEUDONYMISER)
    frame = result.episodes.frame
    assert frame["ReferralNFA"].tolist() == ["1", "0", "1", "0", "1", "yes"]
    assert frame["PrimaryNeedCode"].tolist() == [f"N{i}" for i in range(1, 7)]


# --- the year ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference_date", "year"),
    [("2024-03-31", FinancialYear(2023)), ("2025-03-31", FinancialYear(2024))],
)
def test_the_reporting_year_is_told_by_the_reference_date(tmp_path, reference_date, year):
    result = read_cin_xml(_write(tmp_path, _return("", reference_date)), PSEUDONYMISER)
    assert result.year == year


@pytest.mark.parametrize("reference_date", ["2024-03-30", "31/03/2024", "2024-02-30", "45382", ""])
def test_a_reference_date_that_is_no_31_march_is_refused(tmp_path, reference_date):
    text = _return("", reference_date)
    message = _refused(_write(tmp_path, text))
    line = _line_of(text, "<ReferenceDate>") if reference_date else _line_of(text, "</Header>")
    assert message.startswith(f"cin_census.xml: line {line}: ")
    assert "the reporting year cannot be told" in message
    if reference_date:
        assert reference_date not in message


def test_a_return_without_reference_date_is_refused(tmp_path):
    text = _return("").replace("      <ReferenceDate>2024-03-31</ReferenceDate>\n", "")
    message = _refused(_write(tmp_path, text))
    assert message == (
        f"cin_census.xml: line {_line_of(text, '</Header>')}: the Header has no "
        "Message/Header/CollectionDetails/ReferenceDate: the reporting year cannot be told"
    )


# --- files refused whole ----------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Message [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol3;</LAchildID>
</ChildIdentifiers></Child></Children></Message>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>

<!DOCTYPE Message [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Message><Header><CollectionDetails><Collection>&xxe;</Collection></CollectionDetails></Header>
</Message>
"""

DTD_ONLY = """<?xml version="1.0"?>
<!-- a return -->


<!DOCTYPE Message SYSTEM "http://example.invalid/cin.dtd">
<Message/>
"""


@pytest.mark.parametrize(
    ("text", "line", "planted"),
    [
        (BILLION_LAUGHS, 2, ("lol", "ENTITY")),
        (EXTERNAL_ENTITY, 3, ("xxe", "passwd", "file:")),
        (DTD_ONLY, 5, ("example.invalid", "cin.dtd")),
    ],
)
def test_a_dtd_or_entity_refuses_the_file_without_repeating_it(tmp_path, text, line, planted):
    message = _refused(_write(tmp_path, text, "hostile.xml"))
    assert message.startswith(f"hostile.xml: line {line}: a document type declaration (DTD)")
    assert "is forbidden" in message
    for value in planted:
        assert value not in message


@pytest.mark.parametrize(
    ("broken", "kind"),
    [
        ("<LAchildID>A1</LAchildid>", "mismatched tag"),
        ("<LAchildID>A<1</LAchildID>", "not well-formed (invalid token)"),
        ("<LAchildID>&secret;</LAchildID>", "undefined entity"),
    ],
)
def test_malformed_xml_is_refused_with_its_line_and_kind(tmp_path, broken, kind):
    text = _return(_child("", "PLACEHOLDER")).replace("<LAchildID>PLACEHOLDER</LAchildID>", broken)
    message = _refused(_write(tmp_path, text))
    assert message == (
        f"cin_census.xml: line {_line_of(text, broken)}: not well-formed XML ({kind})"
    )
    assert "secret" not in message and "A1" not in message


def test_a_truncated_file_is_refused(tmp_path):
    text = _return(FIRST_CHILD)
    message = _refused(_write(tmp_path, text[: text.index("<PersonBirthDate>")]))
    assert message.startswith("cin_census.xml: line ")
    assert message.endswith("not well-formed XML (no element found)")


def test_a_csv_file_is_not_xml(tmp_path):
    message = _refused(_write(tmp_path, f"LAchildID,UPN\nA1,{UPN}\n", "cin.xml"))
    assert message == "cin.xml: line 1: not well-formed XML (syntax error)"


def test_a_root_other_than_message_is_refused(tmp_path):
    message = _refused(_write(tmp_path, "<?xml version='1.0'?>\n\n<SchoolCensus/>\n"))
    assert message == (
        "cin_census.xml: line 3: the root element is not Message: not a CIN census return"
    )


def test_a_collection_other_than_cin_is_refused(tmp_path):
    text = _header(collection="SchoolCensusSecret") + "  <Children/>\n</Message>\n"
    message = _refused(_write(tmp_path, text))
    assert message == (
        f"cin_census.xml: line {_line_of(text, '<Collection>')}: "
        "Message/Header/CollectionDetails/Collection is not CIN: not a children in need census "
        "return"
    )


@pytest.mark.parametrize(
    "text",
    [
        "<Message>\n  <Children>\n  </Children>\n</Message>\n",
        "<Message>\n  <Children/>\n" + _header()[len("<Message>\n") :] + "</Message>\n",
    ],
)
def test_children_before_a_header_are_refused(tmp_path, text):
    message = _refused(_write(tmp_path, text))
    assert message == (
        "cin_census.xml: line 2: Children come before a Header: the collection and the year "
        "are not known"
    )


def test_a_message_without_header_is_refused(tmp_path):
    assert _refused(_write(tmp_path, "<Message>\n</Message>\n")) == (
        "cin_census.xml: line 2: no Header: not a CIN census return"
    )


def test_no_such_file(tmp_path):
    assert _refused(tmp_path / "absent.xml") == "absent.xml: no such file"


# --- records refused --------------------------------------------------------------------------

REFUSED_CHILDREN = f"""    <Child>
      <ChildIdentifiers>
        <UPN>{UPN}</UPN>
        <PersonBirthDate>{DOB}</PersonBirthDate>
      </ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2023-05-01</CINreferralDate>
        <Assessments>
          <AssessmentActualStartDate>2023-05-02</AssessmentActualStartDate>
        </Assessments>
        <ChildProtectionPlans>
          <CPPstartDate>2023-06-01</CPPstartDate>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>{SECRET_ID}</LAchildID>
        <PersonBirthDate>{SECRET_DOB}</PersonBirthDate>
      </ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2023-05-03</CINreferralDate>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>K1</LAchildID>
        <PersonBirthDate>17/09/2014</PersonBirthDate>
      </ChildIdentifiers>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>OK1</LAchildID>
        <PersonBirthDate>2014-09-17</PersonBirthDate>
      </ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2023-07-01</CINreferralDate>
        <CINclosureDate>2023-31-12</CINclosureDate>
        <Assessments>
          <AssessmentActualStartDate>2023-07-02</AssessmentActualStartDate>
        </Assessments>
        <ChildProtectionPlans>
          <CPPstartDate>2023-07-10</CPPstartDate>
        </ChildProtectionPlans>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2023-09-01</CINreferralDate>
        <ChildProtectionPlans>
          <CPPstartDate>2023-09-10</CPPstartDate>
          <NumberOfPreviousCPP>two</NumberOfPreviousCPP>
        </ChildProtectionPlans>
        <ChildProtectionPlans>
          <CPPstartDate>2023-10-10</CPPstartDate>
          <NumberOfPreviousCPP>1.5</NumberOfPreviousCPP>
        </ChildProtectionPlans>
        <ChildProtectionPlans>
          <CPPstartDate>2023-11-10</CPPstartDate>
          <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>T1</LAchildID>
        <LAchildID>T2</LAchildID>
      </ChildIdentifiers>
    </Child>
"""

ID_REFUSED = "empty: a record without the child's id can be neither pseudonymised nor linked"


def test_records_are_refused_with_line_element_and_reason(tmp_path):
    text = _return(REFUSED_CHILDREN)
    result = read_cin_xml(_write(tmp_path, text), PSEUDONYMISER)
    file = "cin_census.xml"

    def line(needle: str, nth: int = 1) -> int:
        return _line_of(text, needle, nth)

    child_1, child_2 = line("<Child>", 1), line("<Child>", 2)
    assert result.children.refused == (
        Refusal(file, child_1, f"{CHILD_PATH}/ChildIdentifiers/LAchildID", ID_REFUSED),
        Refusal(
            file,
            line(f"<PersonBirthDate>{SECRET_DOB}"),
            f"{CHILD_PATH}/ChildIdentifiers/PersonBirthDate",
            DATE_REFUSED,
        ),
        Refusal(
            file,
            line("<PersonBirthDate>17/09/2014"),
            f"{CHILD_PATH}/ChildIdentifiers/PersonBirthDate",
            DATE_REFUSED,
        ),
        Refusal(
            file,
            line("<LAchildID>T1"),
            f"{CHILD_PATH}/ChildIdentifiers/LAchildID",
            "given more than once in one Child: which one is meant cannot be told",
        ),
    )
    assert result.episodes.refused == (
        Refusal(
            file,
            line("<CINdetails>", 1),
            EPISODE_PATH,
            f"its Child (line {child_1}) was refused",
        ),
        Refusal(
            file,
            line("<CINdetails>", 2),
            EPISODE_PATH,
            f"its Child (line {child_2}) was refused",
        ),
        Refusal(file, line("<CINclosureDate>"), f"{EPISODE_PATH}/CINclosureDate", DATE_REFUSED),
    )
    assert result.assessments.refused == (
        Refusal(
            file,
            line("<Assessments>", 1),
            ASSESSMENT.path,
            f"its CINdetails (line {line('<CINdetails>', 1)}) was refused",
        ),
        Refusal(
            file,
            line("<Assessments>", 2),
            ASSESSMENT.path,
            f"its CINdetails (line {line('<CINdetails>', 3)}) was refused",
        ),
    )
    plans = CP_PLAN.path
    assert result.cp_plans.refused == (
        Refusal(
            file,
            line("<ChildProtectionPlans>", 1),
            plans,
            f"its CINdetails (line {line('<CINdetails>', 1)}) was refused",
        ),
        Refusal(
            file,
            line("<ChildProtectionPlans>", 2),
            plans,
            f"its CINdetails (line {line('<CINdetails>', 3)}) was refused",
        ),
        Refusal(file, line(">two<"), f"{plans}/NumberOfPreviousCPP", INT_REFUSED),
        Refusal(file, line(">1.5<"), f"{plans}/NumberOfPreviousCPP", INT_REFUSED),
    )
    ok = _pseudonym("OK1")
    assert result.children.frame["LAchildID"].tolist() == [ok]
    assert result.episodes.frame["CINreferralDate"].tolist() == ["2023-09-01"]
    assert result.assessments.frame.empty
    assert result.cp_plans.frame[
        ["LAchildID", "CPPstartDate", "NumberOfPreviousCPP"]
    ].to_numpy().tolist() == [[ok, "2023-11-10", "1"]]
    assert [(r.read, r.written) for r in result.results] == [
        (5, 1),
        (4, 1),
        (2, 0),
        (5, 1),
        (0, 0),
    ]
    _assert_accounted(result)


def test_no_refused_value_is_said_or_written(tmp_path):
    result = read_cin_xml(_write(tmp_path, _return(REFUSED_CHILDREN)), PSEUDONYMISER)
    said = _everything_said(result)
    assert "cin_census.xml: line " in said
    written = {v for r in result.results for v in r.frame.to_numpy().ravel() if pd.notna(v)}
    for value in (UPN, DOB, SECRET_ID, SECRET_DOB, "17/09/2014", "2014-09-17", "two", "1.5"):
        assert value not in said
    for value in (UPN, _pseudonym(SECRET_ID), _pseudonym("T1"), _pseudonym("T2"), "2014-09-17"):
        assert value not in written


def test_a_refused_value_is_not_repeated_by_a_file_refusal(tmp_path):
    """A file refused after records were read says nothing of them either."""
    text = _return(REFUSED_CHILDREN).replace("</Children>", "</Children></Wrong>")
    message = _refused(_write(tmp_path, text))
    assert message.endswith("not well-formed XML (mismatched tag)")
    for value in (UPN, DOB, SECRET_ID, SECRET_DOB):
        assert value not in message


# --- unknown elements ---------------------------------------------------------------------------


def test_unknown_elements_are_dropped_and_named_by_path(tmp_path):
    children = _child(
        f"        <Nickname>Freya<Surname>Walker</Surname></Nickname>\n"
        f"        <PersonBirthDate>{DOB}</PersonBirthDate>\n",
        "N1",
    ).replace(
        "    </Child>\n",
        "      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Foo>x</Foo><Foo/>"
        "</ChildCharacteristics>\n"
        "      <CINdetails><CINreferralDate>2023-01-01</CINreferralDate>"
        "<PreProceedingsandFGDM><PPStartDate>2026-09-09</PPStartDate></PreProceedingsandFGDM>"
        "</CINdetails>\n    </Child>\n",
    )
    result = read_cin_xml(_write(tmp_path, _return(children)), PSEUDONYMISER)
    unknown = {u.path: u.count for u in result.unknown}
    assert unknown == {
        f"{CHILD_PATH}/ChildIdentifiers/Nickname": 1,
        f"{CHILD_PATH}/ChildCharacteristics/Foo": 2,
        f"{EPISODE_PATH}/PreProceedingsandFGDM": 1,
    }
    said = _everything_said(result)
    assert (
        f"unknown element {CHILD_PATH}/ChildCharacteristics/Foo: 2 occurrence(s), not an "
        "element of DfE's CIN census where it is, nor of the contract: dropped"
    ) in said
    for value in ("Freya", "Walker", "Surname", "2026-09-09"):
        assert value not in said
    assert result.children.frame["Ethnicity"].tolist() == ["WBRI"]
    assert result.episodes.written == 1


def test_unknown_paths_beyond_the_limit_are_counted_not_named(tmp_path):
    many = "".join(f"<Extra{i}/>" for i in range(MAX_NAMED_UNKNOWN + 5))
    children = _child(f"        {many}\n")
    result = read_cin_xml(_write(tmp_path, _return(children)), PSEUDONYMISER)
    assert len(result.unknown) == MAX_NAMED_UNKNOWN
    assert result.unknown_unnamed == 5
    assert "5 more unknown element(s) dropped, their paths not named" in _everything_said(result)


def test_the_header_s_own_elements_are_not_reported(tmp_path):
    result = read_cin_xml(_write(tmp_path, _return(MINIMAL_CHILD)), PSEUDONYMISER)
    said = _everything_said(result)
    for name in ("Year", "SourceLevel", "SoftwareCode", "Release", "SerialNo", "DateTime"):
        assert name not in said


# --- streaming --------------------------------------------------------------------------------


def test_children_are_converted_in_batches_with_the_same_result(tmp_path, monkeypatch):
    """The parse holds one batch of children at a time (memory grows with the rows written,
    not with the file); batch boundaries change nothing, refusals included."""
    text = _return((FIRST_CHILD + REFUSED_CHILDREN + MINIMAL_CHILD + SECOND_CHILD) * 3)
    path = _write(tmp_path, text)
    whole = read_cin_xml(path, PSEUDONYMISER)
    batches: list[int] = []
    add = cin_xml.Accounts.add

    def counting_add(self, batch, file, pseudonymiser):
        batches.append(batch.children)
        add(self, batch, file, pseudonymiser)

    monkeypatch.setattr(cin_xml.Accounts, "add", counting_add)
    in_threes = read_cin_xml(path, PSEUDONYMISER, chunk_children=3)
    assert batches == [3] * 8
    for one, other in zip(whole.results, in_threes.results, strict=True):
        pd.testing.assert_frame_equal(one.frame, other.frame)
        assert one.refused == other.refused
    assert whole.report() == in_threes.report()
    _assert_accounted(in_threes)


S47_REFUSED = """    <Child>
      <ChildIdentifiers>
        <LAchildID>S1</LAchildID>
      </ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2023-05-01</CINreferralDate>
        <Section47>
          <S47ActualStartDate>2023-05-02</S47ActualStartDate>
          <DateOfInitialCPC>20/05/2023</DateOfInitialCPC>
        </Section47>
        <Section47>
          <S47ActualStartDate>2023-06-02</S47ActualStartDate>
          <ICPCnotRequired>true</ICPCnotRequired>
        </Section47>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2023-02-30</CINreferralDate>
        <Section47>
          <S47ActualStartDate>2023-03-02</S47ActualStartDate>
        </Section47>
      </CINdetails>
    </Child>
"""


def test_a_section47_is_refused_by_its_own_date_or_with_its_episode(tmp_path):
    text = _return(S47_REFUSED)
    result = read_cin_xml(_write(tmp_path, text), PSEUDONYMISER)
    file, s47 = "cin_census.xml", SECTION47.path

    def line(needle: str, nth: int = 1) -> int:
        return _line_of(text, needle, nth)

    assert result.section47.refused == (
        Refusal(file, line("<DateOfInitialCPC>"), f"{s47}/DateOfInitialCPC", DATE_REFUSED),
        Refusal(
            file,
            line("<Section47>", 3),
            s47,
            f"its CINdetails (line {line('<CINdetails>', 2)}) was refused",
        ),
    )
    pd.testing.assert_frame_equal(
        result.section47.frame,
        _frame(
            CIN_SECTION47,
            [
                {
                    "LAchildID": _pseudonym("S1"),
                    "CINreferralDate": "2023-05-01",
                    "S47ActualStartDate": "2023-06-02",
                    "ICPCnotRequired": "1",
                }
            ],
        ),
    )
    assert "20/05/2023" not in _everything_said(result)
    _assert_accounted(result)


# --- a file read in two parts (``intake.census_worker``) ---------------------------------------

BOTH_GIVEN_CHILD = _child(
    "        <PersonBirthDate>2014-09-17</PersonBirthDate>\n"
    "        <ExpectedPersonBirthDate>2014-10-01</ExpectedPersonBirthDate>\n"
    "        <Sex>F</Sex><GenderCurrent>2</GenderCurrent>\n",
    "B1",
)
ODD_CHILD = _child(
    "        <Nickname>N</Nickname><!-- a comment: <Child> -->\n"
    "        <PersonBirthDate><![CDATA[2014-09-17]]></PersonBirthDate>\n",
    "O1",
)
#: every kind of record, refusals, unknown, dropped and both-given elements, a comment and a
#: CDATA section; twice, so that what the two parts give must be added up
MIXED = _return(
    (FIRST_CHILD + REFUSED_CHILDREN + ODD_CHILD + MINIMAL_CHILD + BOTH_GIVEN_CHILD + SECOND_CHILD)
    * 2
)


def _child_offsets(data: bytes) -> list[int]:
    offsets, at = [], data.find(b"<Child>")
    while at >= 0:
        offsets.append(at)
        at = data.find(b"<Child>", at + 1)
    return offsets


def _in_parts(path: Path, cut: int, chunk_children: int = 25_000) -> CinXmlResult | None:
    """The file read as ``intake.census_worker`` reads it: its head, its tail, joined."""
    head = cin_xml.read_cin_xml_head(path, PSEUDONYMISER, cut, chunk_children)
    if head is None:
        return None
    tail = cin_xml.read_cin_xml_tail(path, PSEUDONYMISER, cut, chunk_children=chunk_children)
    frames = HeldFrames()
    for layout in RECORDS:
        frames.batches[layout.path] = [
            *[f for f in [head.accounts.frames.frame(layout.path)] if f is not None],
            *tail.accounts.frames.batches[layout.path],
        ]
    joined = head.joined(tail, frames)
    assert joined is not None
    return joined.result()


def _assert_same(one: CinXmlResult, other: CinXmlResult) -> None:
    """The same rows, accounts, refusals (lines and order), notes and report."""
    assert (one.file, one.year, one.lea) == (other.file, other.year, other.lea)
    for mine, theirs in zip(one.results, other.results, strict=True):
        pd.testing.assert_frame_equal(mine.frame, theirs.frame)
        assert (mine.read, mine.written, mine.refused) == (
            theirs.read,
            theirs.written,
            theirs.refused,
        )
    assert one.report() == other.report()
    _assert_accounted(other)


@pytest.mark.parametrize("chunk_children", [25_000, 2])
def test_a_file_cut_before_any_child_reads_as_whole(tmp_path, chunk_children):
    """Cut before each of its children in turn, the return gives, its two parts joined, what
    it gives read whole: rows in the same order, refusals with the same lines in the same
    order, the same counts of unknown, dropped, unborn and both-given elements."""
    path = _write(tmp_path, MIXED)
    whole = read_cin_xml(path, PSEUDONYMISER)
    assert whole.both_given and whole.unknown and whole.dropped and whole.cp_plans.refused
    offsets = _child_offsets(path.read_bytes())
    assert len(offsets) == 22  # 20 children, and a "<Child>" in a comment of two of them
    in_comments = 0
    for cut in offsets:
        in_parts = _in_parts(path, cut, chunk_children)
        if in_parts is None:  # not between two children: the worker reads the file whole
            in_comments += 1
            continue
        _assert_same(whole, in_parts)
    assert in_comments == 2


@pytest.mark.parametrize("read_bytes", [cin_xml.READ_BYTES, 5])
def test_the_cut_is_the_next_child_start_tag(tmp_path, monkeypatch, read_bytes):
    """Near the middle of a child, the cut is the start of the next; past the last child
    there is none; a file of one child is cut before it or not at all; the same when the
    tag lies across two pieces read."""
    monkeypatch.setattr(cin_xml, "READ_BYTES", read_bytes)
    path = _write(tmp_path, MIXED)
    data = path.read_bytes()
    offsets = _child_offsets(data)
    assert cin_xml.cut_offset(path, 0) == offsets[0]
    assert cin_xml.cut_offset(path, offsets[3]) == offsets[3]
    assert cin_xml.cut_offset(path, offsets[3] + 1) == offsets[4]
    middle = (offsets[9] + offsets[10]) // 2  # a child spanning the middle of the file
    assert cin_xml.cut_offset(path, middle) == offsets[10]
    assert cin_xml.cut_offset(path, offsets[-1] + 1) is None
    assert cin_xml.cut_offset(path, len(data)) is None

    one = _write(tmp_path, _return(MINIMAL_CHILD), "one.xml")
    (only,) = _child_offsets(one.read_bytes())
    assert cin_xml.cut_offset(one, one.stat().st_size // 2) is None
    assert cin_xml.cut_offset(one, 0) == only
    _assert_same(read_cin_xml(one, PSEUDONYMISER), _in_parts(one, only))


def test_a_tiny_file_or_one_without_children_reads_as_whole_in_parts(tmp_path):
    none = _write(tmp_path, _return(""), "none.xml")
    assert cin_xml.cut_offset(none, 0) is None
    tiny = _write(
        tmp_path,
        _header() + "<Children><Child><ChildIdentifiers><LAchildID>T"
        "</LAchildID></ChildIdentifiers></Child></Children></Message>",
        "tiny.xml",
    )
    cut = cin_xml.cut_offset(tiny, 0)
    assert cut is not None
    _assert_same(read_cin_xml(tiny, PSEUDONYMISER), _in_parts(tiny, cut))


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n' + MIXED,
        "\ufeff".encode("utf-16-le").decode("utf-16-le") + MIXED,  # a BOM: UTF-8 here, fine
        "\n" + MIXED,  # expat reads it, but what comes first is not told here
    ],
)
def test_a_file_not_told_to_be_utf8_is_not_cut(tmp_path, text):
    path = tmp_path / "census.xml"
    path.write_bytes(text.encode("latin-1") if "ISO" in text else text.encode("utf-8"))
    cut = cin_xml.cut_offset(path, 0)
    if text.startswith("\ufeff"):
        assert cut == _child_offsets(path.read_bytes())[0]
    else:
        assert cut is None


@pytest.mark.parametrize(
    "planted",
    [
        "<!-- <Child> -->",  # in a comment
        "<![CDATA[ <Child> ]]>",  # in a CDATA section (of a field)
        "<Nickname><Child></Child></Nickname>",  # in an element skipped
        "<UPN><Child>x</Child></UPN>",  # in an element dropped
    ],
)
def test_a_cut_inside_a_child_is_refused_by_the_head(tmp_path, planted):
    """``<Child>`` found where no child starts: the first part's reader says so (None), and
    the worker reads the file whole."""
    field = "<Ethnicity>" if "CDATA" in planted else ""
    text = _return(
        _child(f"        <PersonBirthDate>2014-09-17</PersonBirthDate>{planted}\n")
        if not field
        else MINIMAL_CHILD.replace(
            "</ChildIdentifiers>",
            f"</ChildIdentifiers>"
            f"<ChildCharacteristics>{field}{planted}</Ethnicity>"
            "</ChildCharacteristics>",
        )
    )
    path = _write(tmp_path, text)
    read_cin_xml(path, PSEUDONYMISER)  # the file itself is sound
    data = path.read_bytes()
    cut = data.index(b"<Child>", data.index(b"<Child>") + 1)
    assert cin_xml.read_cin_xml_head(path, PSEUDONYMISER, cut) is None


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_fault_in_the_tail_names_its_true_line(tmp_path, newline):
    """Lines are the file's in the second part too, whatever ends its lines: a record's
    refusal and a file's fault there name the line they name read whole."""
    broken = REFUSED_CHILDREN + SECOND_CHILD.replace("</Ethnicity>", "</Ethnic>", 1)
    text = _return(FIRST_CHILD + MINIMAL_CHILD + broken).replace("\n", newline)
    path = tmp_path / "cin_census.xml"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(CinXmlError) as whole:
        read_cin_xml(path, PSEUDONYMISER)
    assert "line 1:" not in str(whole.value) and "mismatched tag" in str(whole.value)
    cut = _child_offsets(path.read_bytes())[2]  # REFUSED_CHILDREN and the fault after it
    assert cin_xml.read_cin_xml_head(path, PSEUDONYMISER, cut) is not None
    with pytest.raises(CinXmlError) as tail:
        cin_xml.read_cin_xml_tail(path, PSEUDONYMISER, cut)
    assert str(tail.value) == str(whole.value)

    sound = _return(FIRST_CHILD + MINIMAL_CHILD + REFUSED_CHILDREN).replace("\n", newline)
    path.write_bytes(sound.encode("utf-8"))
    whole_read = read_cin_xml(path, PSEUDONYMISER)
    assert whole_read.children.refused
    _assert_same(whole_read, _in_parts(path, _child_offsets(path.read_bytes())[2]))


def test_an_entity_in_the_tail_is_refused_as_read_whole(tmp_path):
    text = _return(FIRST_CHILD + MINIMAL_CHILD.replace("<LAchildID>", "<LAchildID>&xxe;", 1))
    path = _write(tmp_path, text)
    with pytest.raises(CinXmlError) as whole:
        read_cin_xml(path, PSEUDONYMISER)
    cut = _child_offsets(path.read_bytes())[1]
    with pytest.raises(CinXmlError) as tail:
        cin_xml.read_cin_xml_tail(path, PSEUDONYMISER, cut)
    assert str(tail.value) == str(whole.value)
    assert f"line {_line_of(text, '&xxe;')}: not well-formed XML (undefined entity)" in str(
        tail.value
    )


def test_line_at_counts_lines_as_expat_does(tmp_path, monkeypatch):
    """Line feeds, carriage returns and the pair, a pair split between two pieces read."""
    monkeypatch.setattr(cin_xml, "READ_BYTES", 3)
    text = b"<a>\r\n<b/>\r<b/>\n\r\n\r<b/>\r\r\n<b/></a>"
    path = tmp_path / "lines.xml"
    path.write_bytes(text)
    parser = cin_xml.defused_parser()
    seen: list[tuple[int, int]] = []
    parser.StartElementHandler = lambda name, attributes: seen.append(
        (parser.CurrentByteIndex, parser.CurrentLineNumber)
    )
    parser.Parse(text, True)
    assert len(seen) == 5
    for offset, line in seen:
        assert cin_xml.line_at(path, offset) == line


def test_refusals_on_one_line_keep_their_order_whatever_the_batches(tmp_path):
    """A return written on one line: refusals of one line sort by column, then by record,
    however the children were batched or the file cut."""
    children = "".join(
        f"<Child><ChildIdentifiers><LAchildID>{'' if i % 3 == 0 else f'C{i}'}</LAchildID>"
        f"<PersonBirthDate>{'2014-02-30' if i % 2 else '2014-02-03'}</PersonBirthDate>"
        "</ChildIdentifiers></Child>"
        for i in range(7)
    )
    path = _write(
        tmp_path, _header().replace("\n", "") + f"<Children>{children}</Children></Message>"
    )
    whole = read_cin_xml(path, PSEUDONYMISER)
    columns = [r.column.rsplit("/", 1)[1] for r in whole.children.refused]
    assert columns == ["LAchildID"] * 3 + ["PersonBirthDate"] * 2
    for chunk in (1, 2, 3):
        _assert_same(whole, read_cin_xml(path, PSEUDONYMISER, chunk_children=chunk))
        for cut in _child_offsets(path.read_bytes()):
            _assert_same(whole, _in_parts(path, cut, chunk))


def test_a_tail_with_too_many_unknown_paths_cannot_be_joined(tmp_path):
    """Which unknown paths the whole file names (the first MAX_NAMED_UNKNOWN) cannot be
    told when the second part met more than that: the file is then read whole."""
    many = "".join(f"<Extra{i}/>" for i in range(MAX_NAMED_UNKNOWN + 1))
    path = _write(tmp_path, _return(MINIMAL_CHILD + _child(f"        {many}\n")))
    cut = _child_offsets(path.read_bytes())[1]
    head = cin_xml.read_cin_xml_head(path, PSEUDONYMISER, cut)
    tail = cin_xml.read_cin_xml_tail(path, PSEUDONYMISER, cut)
    assert head is not None and head.joined(tail, HeldFrames()) is None
    few = _write(tmp_path, _return(_child(f"        {many}\n") + MINIMAL_CHILD), "few.xml")
    cut = _child_offsets(few.read_bytes())[1]
    _assert_same(read_cin_xml(few, PSEUDONYMISER), _in_parts(few, cut))
