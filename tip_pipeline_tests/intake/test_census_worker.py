"""A CIN census converted in a worker process gives what this process gives: the same rows
(contract files byte for byte), the same accounts and refusals with their lines, the same
notes; a malformed or hostile file refused with the same reason (the worker reads with the
same protections); nothing left in the data folder. The worker is used only for a large file
on a machine with more than one processor."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.intake import census_worker
from tip_pipeline.intake.census_worker import CensusWorker, SpilledFrames, worth_a_worker
from tip_pipeline.intake.cin_convert import HeldFrames
from tip_pipeline.intake.landing import (
    convert_landing,
    is_census,
    scan_landing,
    write_contract_files,
)
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import Pseudonymiser

PSEUDONYMISER = Pseudonymiser(b"k" * 32)


def _child(child: str, birth: str, extra: str = "") -> str:
    return f"""    <Child>
      <ChildIdentifiers><LAchildID>{child}</LAchildID><UPN>A123456789012</UPN>
        <PersonBirthDate>{birth}</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>{extra}
      <CINdetails><CINreferralDate>2023-05-01</CINreferralDate><ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>false</ReferralNFA>
        <Assessments><AssessmentActualStartDate>2023-05-02</AssessmentActualStartDate>
          <FactorsIdentifiedAtAssessment><AssessmentFactors>3B</AssessmentFactors>
          <AssessmentFactors>4B</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>
      </CINdetails>
    </Child>
"""


def census(reference_date: str = "2024-03-31") -> str:
    """A census of three children: one refused (a birth date that is no date, so its episode
    and assessment are refused with it), one with an unknown element; no plans."""
    children = (
        _child("U1", "2014-09-17")
        + _child("U2", "2014-02-30")
        + _child("U3", "2016-01-05", "<Nickname>Zed</Nickname>")
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


def test_the_worker_gives_what_this_process_gives(tmp_path, lookup):
    raw = tmp_path / "raw"
    _landing(raw)
    files = scan_landing(raw).files
    # hostile.xml's DTD comes before its root: refused by the check of the root, here
    assert [is_census(f) for f in files] == [True, True, True, True, True, False]

    here_years, here_undated = convert_landing(files, PSEUDONYMISER, lookup)
    data = tmp_path / "data"
    census_files = [f for f in files if is_census(f)]
    with CensusWorker(census_files, PSEUDONYMISER, data) as worker:
        assert all(f in worker for f in census_files)
        there_years, there_undated = convert_landing(files, PSEUDONYMISER, lookup, elsewhere=worker)
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
        for table, result in here.results.items():
            other = there.results[table]
            assert other.refused == result.refused and other.read == result.read
            pd.testing.assert_frame_equal(other.frame, result.frame)
        assert _contract_files_of(here, tmp_path / "here") == _contract_files_of(
            there, tmp_path / "there"
        )
    (late,) = here_years[1].refused
    assert late.file == "2024-25/late.xml" and "dates it 2025/26" in late.reason
    children = here_years[0].results["cin_children"]
    assert (children.read, children.written, len(children.refused)) == (3, 2, 1)
    assert here_years[0].results["cin_cp_plans"].written == 0


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
