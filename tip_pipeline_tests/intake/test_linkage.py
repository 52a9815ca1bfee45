"""Linking people across services in an intake run on a hand-made raw folder: with the
authority's cross-reference the same child has one pseudonym in children's social care, youth
justice and housing, and each year's match rates per service are recorded in ops; without it
each service keeps pseudonyms of its own and nothing is linked. H-CLIC sections are placed by
their quarter folder; every record is written, refused or left out; no raw value reaches a
contract file, ops or the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.intake.run import take_in
from tip_pipeline.intake.store import LinkageChangedError, check_linked
from tip_pipeline.warehouse.engine import make_engine

KEY = b"k" * 32
LOOKUP_CSV = (
    "PCD7,PCD8,PCDS,DOINTR,DOTERM,USERTYPE,OA21CD,LSOA21CD,MSOA21CD,LADCD\n"
    "LS9 8AB,LS9  8AB,LS9 8AB,198001,,0,E00057001,E01011295,E02002330,E08000035\n"
)
FILES = {
    "2023-24/903_header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    "1000123,1,17/09/2008,WBRI,A123456789012,,\n",
    "2023-24/903_episodes.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,"
    "REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "1000123,01/05/2023,S,C2,N1,U1,PR1,,,,LS9 8AB,,\n",
    "2023-24/yj_offences.csv": "YJ_CHILD_ID,OFFENCE_REF,OFFENCE_DATE,OFFENCE_CATEGORY,"
    "GRAVITY_SCORE,DOB,SEX,ETHNICITY,HOME_POSTCODE\n"
    "YJ4411,OF-991,03/06/2023,THEFT,3,17/09/2008,1,WBRI,LS9 8AB\n"
    "YJ4412,OF-992,04/06/2023,VAP,5,02/02/2009,2,WBRI,LS9 8AB\n"
    "YJ4413,OF-993,31/31/2023,VAP,5,02/02/2009,2,WBRI,LS9 8AB\n",
    "2023-24/yj_outcomes.csv": "YJ_CHILD_ID,OFFENCE_REF,OUTCOME_DATE,OUTCOME\n"
    "YJ4411,OF-991,01/08/2023,YC\nYJ4412,OF-992,02/08/2023,RO\n",
    "2023-24/Q1/main.csv": "CASE_REF,APPLICATION_DATE,ASSESSMENT_DATE,ASSESSMENT_OUTCOME,"
    "REASON_LOSS_SETTLED_HOME,HOUSEHOLD_TYPE,DEPENDENT_CHILDREN,SETTLED_HOME_POSTCODE,"
    "DUTY_END_DATE,DUTY_END_REASON\nHOM/0042,2023-05-02,2023-05-09,PREV,DOMABUSE,SPF,1,"
    "LS9 8AB,,\n",
    "2023-24/Q1/people.csv": "CASE_REF,PERSON_REF,DOB,SEX,DEPENDENT_CHILD\n"
    "HOM/0042,P-1,1990-01-15,2,N\nHOM/0042,P-2,2008-09-17,1,Y\n",
    "2023-24/Q1/support.csv": "CASE_REF,SUPPORT_NEED\nHOM/0042,DA\n",
    # a section outside its quarter's folder: refused where it lies
    "2023-24/support_again.csv": "CASE_REF,SUPPORT_NEED\nHOM/0042,MH\n",
}
CROSS_REFERENCE = (
    "SOURCE_SYSTEM,SOURCE_ID,PERSON_ID\n"
    "social_care,1000123,MPI-1\nyouth_justice,YJ4411,MPI-1\nhousing,P-2,MPI-1\n"
)
RAW_VALUES = (
    "1000123", "YJ4411", "YJ4412", "OF-991", "HOM/0042", "P-1", "P-2", "MPI-1",
    "17/09/2008", "2008-09-17", "LS9 8AB", "A123456789012", "31/31/2023",
)  # fmt: skip


@pytest.fixture
def scene(tmp_path, migrated_sqlite_url):
    raw = tmp_path / "raw"
    for name, text in FILES.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(text)
    key = tmp_path / "key"
    key.write_bytes(KEY)
    key.chmod(0o600)
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(LOOKUP_CSV)
    engine = make_engine(migrated_sqlite_url)
    yield raw, tmp_path / "data", engine, key, lookup
    engine.dispose()


def _read(data: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(data / name, dtype=str, keep_default_na=False)


def _ops(engine: sa.Engine, table: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text(f"SELECT * FROM ops.{table}"), conn)


def test_with_the_cross_reference_one_child_has_one_pseudonym_in_every_service(scene):
    raw, data, engine, key, lookup = scene
    (raw / "mpi.csv").write_text(CROSS_REFERENCE)
    summary = take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    header = _read(data, "ssda903_header_2023-24.csv")
    offences = _read(data, "yjs_offences_2023-24.csv")
    children = _read(data, "hclic_children_2023-24_Q1.csv")
    child = header.at[0, "CHILD"]
    assert offences.at[0, "YJ_ID"] == child == children.at[0, "CHILD_ID"]
    assert offences.at[1, "YJ_ID"] != child  # YJ4412 is not listed: its own namespace
    linkage = _ops(engine, "intake_linkage").set_index("service")
    assert linkage.loc["social_care", ["people", "linked"]].tolist() == [1, 1]
    assert linkage.loc["youth_justice", ["people", "linked"]].tolist() == [2, 1]
    assert linkage.loc["housing", ["people", "linked"]].tolist() == [1, 1]
    assert set(linkage["cross_reference_file"]) == {"mpi.csv"}
    report = "\n".join(summary.report())
    assert "youth justice: 2 people, 1 linked by the cross-reference (50.0% matched)" in report
    _nothing_raw(data, engine, report)


def test_without_it_each_service_keeps_its_own_pseudonyms_and_nothing_links(scene):
    raw, data, engine, key, lookup = scene
    summary = take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    header = _read(data, "ssda903_header_2023-24.csv")
    offences = _read(data, "yjs_offences_2023-24.csv")
    children = _read(data, "hclic_children_2023-24_Q1.csv")
    assert header.at[0, "CHILD"] not in set(offences["YJ_ID"]) | set(children["CHILD_ID"])
    linkage = _ops(engine, "intake_linkage")
    assert (linkage["linked"] == 0).all() and linkage["cross_reference_file"].isna().all()
    report = "\n".join(summary.report())
    assert "no cross-reference of people across services" in report
    assert "youth justice: 2 people, not linked" in report
    _nothing_raw(data, engine, report)


def test_every_record_is_written_refused_or_left_out_and_quarters_are_placed(scene):
    raw, data, engine, key, lookup = scene
    summary = take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    tables = _ops(engine, "intake_tables")
    assert (
        tables["records_read"]
        == tables["records_written"] + tables["records_refused"] + tables["records_left_out"]
    ).all()
    people = tables.set_index("raw_file").loc["2023-24/Q1/people.csv"]
    assert people[["records_read", "records_written", "records_left_out"]].tolist() == [2, 1, 1]
    offences = tables.set_index("raw_file").loc["2023-24/yj_offences.csv"]
    assert offences[["records_read", "records_written", "records_refused"]].tolist() == [3, 2, 1]
    log = _ops(engine, "intake_log").set_index("raw_file")
    assert log.at["2023-24/support_again.csv", "status"] == "refused"
    assert "quarter's folder" in log.at["2023-24/support_again.csv", "refused_reason"]
    names = {p.name for p in summary.written}
    assert {"hclic_main_2023-24_Q1.csv", "hclic_support_2023-24_Q1.csv"} <= names
    assert not any(name.endswith("_Q2.csv") for name in names)


def test_two_cross_references_are_both_refused_and_nothing_is_linked(scene):
    raw, data, engine, key, lookup = scene
    (raw / "mpi.csv").write_text(CROSS_REFERENCE)
    (raw / "matching.csv").write_text(CROSS_REFERENCE)
    summary = take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    assert {r.file for r in summary.refused} >= {"mpi.csv", "matching.csv"}
    assert summary.cross_reference is None
    assert (_ops(engine, "intake_linkage")["linked"] == 0).all()


def _nothing_raw(data: Path, engine: sa.Engine, report: str) -> None:
    """No raw id, date of birth or postcode in a contract file, an ops table or the report."""
    texts = [p.read_text() for p in data.glob("*.csv")] + [report]
    for table in ("intake_log", "intake_tables", "intake_refusals", "intake_linkage"):
        texts.append(_ops(engine, table).to_csv(index=False))
    for value in RAW_VALUES:
        assert not any(value in text for text in texts), value


def test_starting_or_stopping_the_cross_reference_is_refused_unless_rekey(scene):
    """The cross-reference changes the listed children's pseudonyms as a new key would: the
    history keeps whether it was linked (ops.pseudonym_keys.linked), as it keeps its key."""
    raw, data, engine, key, lookup = scene
    take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    assert _ops(engine, "pseudonym_keys")["linked"].tolist() == [False]
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    (raw / "mpi.csv").write_text(CROSS_REFERENCE)
    with pytest.raises(LinkageChangedError, match="--rekey"):
        take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before  # nothing rewritten
    take_in(raw, data, engine, key_file=key, lookup_file=lookup, rekey=True)
    assert _ops(engine, "pseudonym_keys")["linked"].tolist() == [True]
    take_in(raw, data, engine, key_file=key, lookup_file=lookup)  # linked is the history now
    (raw / "mpi.csv").unlink()
    with pytest.raises(LinkageChangedError):
        take_in(raw, data, engine, key_file=key, lookup_file=lookup)


def test_the_linkage_check_itself():
    check_linked(None, True, rekey=False)  # the first intake takes either
    check_linked(True, True, rekey=False)
    check_linked(False, True, rekey=True)
    with pytest.raises(LinkageChangedError):
        check_linked(False, True, rekey=False)
