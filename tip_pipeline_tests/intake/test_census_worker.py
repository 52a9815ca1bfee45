"""A CIN census converted in a worker process gives what this process gives: the same rows
of all five extracts, Section47 included (contract files byte for byte), the same accounts and
refusals with their lines, the same notes; the children the cross-reference of people lists
hashed through it there as here; a malformed or hostile file refused with the same reason (the
worker reads with the same protections); nothing left in the data folder. ``take_in`` gives
the worker the pseudonymiser with the cross-reference's links, and leaves a census in a
quarter's folder to be refused. The worker is used only for a large file on a machine with
more than one processor."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.intake import census_worker, run
from tip_pipeline.intake.census_worker import CensusWorker, SpilledFrames, worth_a_worker
from tip_pipeline.intake.cin_convert import HeldFrames
from tip_pipeline.intake.cin_xml import CinXmlPart
from tip_pipeline.intake.landing import (
    ConvertedFile,
    FileRefusal,
    RawFile,
    convert_file,
    convert_landing,
    is_census,
    scan_landing,
    write_contract_files,
)
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.run import take_in
from tip_pipeline.intake.ssda903 import IntakeResult
from tip_pipeline.warehouse.engine import make_engine

KEY = b"k" * 32
PSEUDONYMISER = Pseudonymiser(KEY)
#: the cross-reference lists U1 and U3 (normalised ids, as ``intake.cross_reference`` gives
#: them) under one common person id: both are hashed as it, not as their own ids
LINKED = PSEUDONYMISER.with_links({("social_care", "u1"): "mpi-1", ("social_care", "u3"): "mpi-1"})


def _section47(start: str) -> str:
    return f"""
        <Section47><S47ActualStartDate>{start}</S47ActualStartDate>
          <InitialCPCtarget>2023-05-19</InitialCPCtarget>
          <ICPCnotRequired>true</ICPCnotRequired></Section47>"""


def _child(child: str, birth: str, extra: str = "", section47: str = "") -> str:
    return f"""    <Child>
      <ChildIdentifiers><LAchildID>{child}</LAchildID><UPN>A123456789012</UPN>
        <PersonBirthDate>{birth}</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>{extra}
      <CINdetails><CINreferralDate>2023-05-01</CINreferralDate><ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>false</ReferralNFA>
        <Assessments><AssessmentActualStartDate>2023-05-02</AssessmentActualStartDate>
          <FactorsIdentifiedAtAssessment><AssessmentFactors>3B</AssessmentFactors>
          <AssessmentFactors>4B</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>{section47}
      </CINdetails>
    </Child>
"""


def census(reference_date: str = "2024-03-31") -> str:
    """A census of three children: one refused (a birth date that is no date, so its episode,
    assessment and section 47 enquiry are refused with it), one with an unknown element and
    two section 47 enquiries, one refused (a start date that is no date); no plans."""
    children = (
        _child("U1", "2014-09-17", section47=_section47("2023-05-09"))
        + _child("U2", "2014-02-30", section47=_section47("2023-05-09"))
        + _child(
            "U3",
            "2016-01-05",
            "<Nickname>Zed</Nickname>",
            _section47("2023-05-10") + _section47("2023-13-10"),
        )
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
      <ReferenceDate>{reference_date}</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>383</LEA></Source>
  </Header>
  <Children>
{children}  </Children>
</Message>
"""


HOSTILE = """<?xml version="1.0"?>
<!DOCTYPE Message [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Message>&xxe;</Message>
"""


@pytest.fixture
def lookup() -> PostcodeLookup:
    return PostcodeLookup.from_columns(pd.Series(["LS9 8AB"]), pd.Series(["E01011295"]))


def _landing(raw: Path) -> None:
    files = {
        "census.xml": census(),
        "2024-25/census.xml": census("2025-03-31").replace("<LEA>383", "<LEA>384"),
        "2024-25/late.xml": census("2026-03-31"),  # refused: its folder is another year's
        "broken.xml": census().replace("</Children>", "</Childs>"),
        "entity.xml": census().replace("<Sex>F</Sex>", "<Sex>&xxe;</Sex>", 1),
        "hostile.xml": HOSTILE,
    }
    for name, text in files.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(text, encoding="utf-8")


def _contract_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("share", [1.0, 0.5, 0.0])
def test_the_worker_gives_what_this_process_gives(tmp_path, lookup, share):
    """Whole in the worker (share 1), or cut in two: the first part in the worker, the rest
    here; cut before the first child (share 0), the worker reads the header only."""
    raw = tmp_path / "raw"
    _landing(raw)
    files = scan_landing(raw).files
    # hostile.xml's DTD comes before its root: refused by the check of the root, here
    assert [is_census(f) for f in files] == [True, True, True, True, True, False]

    here_years, here_undated = convert_landing(files, LINKED, lookup)
    data = tmp_path / "data"
    census_files = [f for f in files if is_census(f)]
    with CensusWorker(census_files, LINKED, data, share) as worker:
        assert all(f in worker for f in census_files)
        there_years, there_undated = convert_landing(files, LINKED, lookup, elsewhere=worker)
    assert list(data.iterdir()) == []  # the worker's files are gone

    assert there_undated == here_undated
    assert [u.file for u in here_undated] == ["broken.xml", "entity.xml", "hostile.xml"]
    assert "not well-formed XML (mismatched tag)" in here_undated[0].reason
    assert "line 11: not well-formed XML (undefined entity)" in here_undated[1].reason
    assert "is forbidden" in here_undated[2].reason
    assert len(there_years) == len(here_years) == 2
    for here, there in zip(here_years, there_years, strict=True):
        assert (there.period, there.sources, there.notes) == (here.period, here.sources, here.notes)
        assert there.refused == here.refused
        assert sorted(there.results) == sorted(here.results)
        for slot, result in here.results.items():
            other = there.results[slot]
            assert _fields(other) == _fields(result)  # the accounts, refusals, quarter, ...
            pd.testing.assert_frame_equal(other.frame, result.frame)
        assert _contract_files_of(here, tmp_path / "here") == _contract_files_of(
            there, tmp_path / "there"
        )
    (late,) = here_years[1].refused
    assert late.file == "2024-25/late.xml" and "dates it 2025/26" in late.reason
    children = here_years[0].results["cin_children"]
    assert (children.read, children.written, len(children.refused)) == (3, 2, 1)
    assert here_years[0].results["cin_cp_plans"].written == 0
    section47 = here_years[0].results["cin_section47"]
    assert (section47.read, section47.written, len(section47.refused)) == (4, 2, 2)
    # U1 and U3 through the cross-reference: one person, hashed as its common id, in both
    linked = {LINKED.pseudonym("U1")}
    assert linked == {LINKED.pseudonym("U3")} and linked <= LINKED.linked_pseudonyms()
    assert linked != {PSEUDONYMISER.pseudonym("U1")}
    for year in there_years:
        for table in ("cin_children", "cin_section47"):
            assert set(year.results[table].frame["LAchildID"]) == linked


def _fields(result: IntakeResult) -> dict[str, object]:
    """Every field of a result but its frame (compared on its own)."""
    return {f.name: getattr(result, f.name) for f in fields(result) if f.name != "frame"}


def _contract_files_of(year, folder: Path) -> dict[str, bytes]:
    write_contract_files(year, folder)
    return _contract_files(folder)


def test_spilled_frames_are_held_frames(tmp_path):
    """The worker's batches, written to a file and mapped back, are the frame this process
    would hold: the same values, pandas ``string`` columns, a range index."""
    batches = [
        pd.DataFrame({"A": ["x", None], "B": ["1", ""]}, dtype="string"),
        pd.DataFrame({"A": ["é"], "B": [None]}, dtype="string", index=[7]),
    ]
    held, spilled = HeldFrames(), SpilledFrames(tmp_path)
    for batch in batches:
        held.append("Message/Children/Child", batch)
        spilled.append("Message/Children/Child", batch)
    pd.testing.assert_frame_equal(
        spilled.frame("Message/Children/Child"), held.frame("Message/Children/Child")
    )
    assert spilled.frame("Message/Children/Child/CINdetails") is None
    assert held.frame("Message/Children/Child/CINdetails") is None


def test_only_a_large_census_on_several_processors_goes_to_a_worker(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    _landing(raw)
    (file, *_) = scan_landing(raw).files
    assert not worth_a_worker(file)
    assert worth_a_worker(file, min_bytes=0) == (census_worker.processors() > 1)
    monkeypatch.setattr(census_worker, "processors", lambda: 1)
    assert not worth_a_worker(file, min_bytes=0)


LOOKUP_CSV = (
    "PCD7,PCD8,PCDS,DOINTR,DOTERM,USERTYPE,OA21CD,LSOA21CD,MSOA21CD,LADCD\n"
    "LS9 8AB,LS9  8AB,LS9 8AB,198001,,0,E00057001,E01011295,E02002330,E08000035\n"
)


def test_take_in_gives_the_worker_the_cross_references_links(
    tmp_path, monkeypatch, migrated_sqlite_url
):
    """The census's child listed in the cross-reference has, through the worker, the
    pseudonym the SSDA903 tables give it in this process; the contract files are those of a
    run without the worker; the cross-reference and a census in a quarter's folder (refused,
    as without the worker) are not sent to it."""
    raw = tmp_path / "raw"
    files = {
        "census.xml": census(),
        "2023-24/Q1/census.xml": census(),
        "2023-24/903_header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        "U1,2,17/09/2014,WBRI,,,\n",
        "mpi.csv": "SOURCE_SYSTEM,SOURCE_ID,PERSON_ID\nsocial_care,U1,MPI-1\n",
    }
    for name, text in files.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(text, encoding="utf-8")
    key = tmp_path / "key"
    key.write_bytes(KEY)
    key.chmod(0o600)
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(LOOKUP_CSV)
    sent: list[str] = []

    class Recorded(CensusWorker):
        def __init__(self, files, pseudonymiser, data_dir, share) -> None:
            files = list(files)
            sent.extend(raw.name for raw in files)
            assert 0 <= share <= 1
            super().__init__(files, pseudonymiser, data_dir, share)

    engine = make_engine(migrated_sqlite_url)
    try:
        monkeypatch.setattr(run, "CensusWorker", Recorded)
        monkeypatch.setattr(run, "worth_a_worker", lambda raw: True)
        there = take_in(raw, tmp_path / "there", engine, key_file=key, lookup_file=lookup)
        assert sent == ["census.xml"]
        monkeypatch.setattr(run, "worth_a_worker", lambda raw: False)
        here = take_in(raw, tmp_path / "here", engine, key_file=key, lookup_file=lookup)
        assert sent == ["census.xml"]  # nothing more sent
    finally:
        engine.dispose()

    assert _contract_files(tmp_path / "there") == _contract_files(tmp_path / "here")
    children = pd.read_csv(tmp_path / "there" / "cin_children_2023-24.csv", dtype=str)
    header = pd.read_csv(tmp_path / "there" / "ssda903_header_2023-24.csv", dtype=str)
    (child,) = header["CHILD"]
    assert child in set(children["LAchildID"])
    assert child == LINKED.pseudonym("U1") != PSEUDONYMISER.pseudonym("U1")
    for summary in (there, here):
        (quarter,) = [r for y in summary.years for r in y.refused if "Q1" in r.file]
        assert "quarter's folder" in quarter.reason


def _cut_census(tmp_path: Path, text: str) -> tuple[RawFile, int]:
    path = tmp_path / "census.xml"
    path.write_text(text, encoding="utf-8")
    data = path.read_bytes()
    cut = data.index(b"<Child>", data.index(b"<Child>") + 1)  # before the second child
    return RawFile(path, "census.xml", None), cut


def test_a_fault_in_the_first_part_comes_before_one_in_the_tail(tmp_path):
    """Both parts faulty: the first part's fault refuses the file, as read whole (its fault
    comes first); the tail's alone refuses it with its own line."""
    text = census().replace("<Sex>F</Sex>", "<Sex>&a;</Sex>").replace("</Children>", "</Kids>")
    raw, cut = _cut_census(tmp_path, text)
    head = census_worker.read_in_worker(raw, LINKED, tmp_path / "w", cut)
    tail = census_worker.read_tail(raw, LINKED, cut)
    assert isinstance(head, FileRefusal) and isinstance(tail, FileRefusal)
    whole = convert_census_here(raw)
    assert census_worker.answer(raw, head, tail, LINKED) == whole == head
    assert "line 11: not well-formed XML (undefined entity)" in whole.reason

    raw, cut = _cut_census(tmp_path, census().replace("</Children>", "</Kids>"))
    head = census_worker.read_in_worker(raw, LINKED, tmp_path / "w2", cut)
    tail = census_worker.read_tail(raw, LINKED, cut)
    assert isinstance(head, census_worker.SentPart) and not head.whole
    answer = census_worker.answer(raw, head, tail, LINKED)
    assert answer == tail == convert_census_here(raw)
    assert f"line {census().count(chr(10)) - 1}: not well-formed XML (mismatched tag)" in (
        answer.reason
    )


def test_a_cut_in_a_comment_is_read_whole_by_the_worker(tmp_path):
    text = census().replace("<Nickname>Zed</Nickname>", "<!-- <Child> -->")
    path = tmp_path / "census.xml"
    path.write_text(text, encoding="utf-8")
    raw = RawFile(path, "census.xml", None)
    cut = path.read_bytes().index(b"<!-- <Child>") + len(b"<!-- ")
    sent = census_worker.read_in_worker(raw, LINKED, tmp_path / "w", cut)
    assert isinstance(sent, census_worker.SentPart) and sent.whole
    assert not list((tmp_path / "w").glob("head/*"))  # the first part's rows removed
    tail = census_worker.read_tail(raw, LINKED, cut)  # read, and never used
    answer = census_worker.answer(raw, sent, tail, LINKED)
    _assert_same_file(answer, convert_census_here(raw))


def test_a_tail_that_cannot_be_joined_is_read_whole_here(tmp_path):
    many = "".join(f"<Extra{i}/>" for i in range(60))
    raw, cut = _cut_census(tmp_path, census().replace("<Nickname>Zed</Nickname>", many))
    sent = census_worker.read_in_worker(raw, LINKED, tmp_path / "w", cut)
    tail = census_worker.read_tail(raw, LINKED, cut)
    assert isinstance(tail, CinXmlPart) and tail.unknown_unnamed
    answer = census_worker.answer(raw, sent, tail, LINKED)
    _assert_same_file(answer, convert_census_here(raw))
    assert any("10 more unknown element(s)" in note for note in answer.notes)


def test_the_worker_s_share_balances_the_two_processes(monkeypatch):
    """The worker's start and part against the rest of intake, in bytes of census: W = (C +
    R - start) / 2; all of the census when the rest is larger, none when it is smaller than
    the start."""
    mib = 2**20
    monkeypatch.setattr(census_worker, "WORKER_START_IN_CENSUS_BYTES", 20 * mib)
    assert census_worker.worker_share(400 * mib, 0, 0) == pytest.approx(190 / 400)
    tables, lookup = 10 * mib, 100 * mib
    rest = (
        tables * census_worker.TABLE_BYTE_IN_CENSUS_BYTES
        + lookup * census_worker.LOOKUP_BYTE_IN_CENSUS_BYTES
    )
    assert census_worker.worker_share(400 * mib, tables, lookup) == pytest.approx(
        (400 * mib + rest - 20 * mib) / 2 / (400 * mib)
    )
    assert census_worker.worker_share(400 * mib, 400 * mib, 0) == 1.0
    assert census_worker.worker_share(mib, 0, 0) == 0.0
    assert census_worker.worker_share(0, mib, 0) == 1.0  # no census: nothing to cut


def convert_census_here(raw: RawFile):
    return convert_file(raw, LINKED, PostcodeLookup.from_columns(pd.Series([]), pd.Series([])))


def _assert_same_file(one, other) -> None:
    assert isinstance(one, ConvertedFile) and isinstance(other, ConvertedFile)
    assert (one.file, one.period, one.notes) == (other.file, other.period, other.notes)
    for mine, theirs in zip(one.results, other.results, strict=True):
        assert _fields(mine) == _fields(theirs)
        pd.testing.assert_frame_equal(mine.frame, theirs.frame)
