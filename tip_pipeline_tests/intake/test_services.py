"""The youth justice tables and H-CLIC sections read from hand-made files: recognised by their
header, converted into the contract extracts (ids hashed in their system's namespace, record
keys hashed, postcodes to LSOAs, dates of birth to the month), dependent children only written
from H-CLIC's People section with the others counted, every record written, refused or left
out, and no raw value in any output or message."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import (
    HOUSING,
    PERSON_NAMESPACE,
    SOCIAL_CARE,
    YOUTH_JUSTICE,
    Pseudonymiser,
)
from tip_pipeline.intake.services import (
    HCLIC_MAIN_SECTION,
    HCLIC_PEOPLE_SECTION,
    HCLIC_SUPPORT_SECTION,
    HCLIC_TA_SECTION,
    SERVICE_LAYOUTS,
    TABLE_LAYOUTS,
    YJ_OFFENCES,
    YJ_OUTCOMES,
    read_raw_table,
)
from tip_pipeline.intake.ssda903 import RECORD_ID_REFUSED, IntakeError, recognise

KEY = b"k" * 32
PSEUDONYMISER = Pseudonymiser(KEY)

OFFENCES_CSV = (
    "YJ_CHILD_ID,OFFENCE_REF,OFFENCE_DATE,OFFENCE_CATEGORY,GRAVITY_SCORE,DOB,SEX,ETHNICITY,"
    "HOME_POSTCODE,PNC_ID,OFFENCE_DESCRIPTION\n"
    "YJ4411,OF-991,03/06/2023,THEFT,3,17/09/2008,1,WBRI,LS9 8AB,12/345678A,took a bike\n"
    "YJ4412,,04/06/2023,VAP,5,02/02/2009,2,WBRI,LS9 8AB,,\n"
    "YJ4413,OF-993,31/31/2023,VAP,5,02/02/2009,2,WBRI,LS9 8AB,,\n"
    "YJ4414,OF-994,05/06/2023,VAP,5,02/02/2009,2,WBRI,ZZ1 1ZZ,,\n"
)
OUTCOMES_CSV = "YJ_CHILD_ID,OFFENCE_REF,OUTCOME_DATE,OUTCOME,COURT\nYJ4411,OF-991,01/08/2023,YC,\n"
MAIN_CSV = (
    "CASE_REF,APPLICATION_DATE,ASSESSMENT_DATE,ASSESSMENT_OUTCOME,REASON_LOSS_SETTLED_HOME,"
    "HOUSEHOLD_TYPE,DEPENDENT_CHILDREN,SETTLED_HOME_POSTCODE,DUTY_END_DATE,DUTY_END_REASON,"
    "CURRENT_POSTCODE\n"
    "HOM/0042,2023-05-02,2023-05-09,PREV,DOMABUSE,SPF,2,LS9 8AB,,,BD1 1AA\n"
)
PEOPLE_CSV = (
    "CASE_REF,PERSON_REF,DOB,SEX,DEPENDENT_CHILD,RELATIONSHIP\n"
    "HOM/0042,P-1,1990-01-15,2,N,MAIN\n"
    "HOM/0042,P-2,2015-03-14,1,Y,CHILD\n"
    "HOM/0042,P-3,2017-11-30,2,y,CHILD\n"
    "HOM/0042,P-4,2019-01-01,2,MAYBE,CHILD\n"
)
SUPPORT_CSV = "CASE_REF,SUPPORT_NEED\nHOM/0042,DA\nHOM/0042,MH\n"
TA_CSV = (
    "CASE_REF,TA_START_DATE,TA_END_DATE,TA_TYPE,TA_POSTCODE,TA_LA\n"
    "HOM/0042,03/05/2023,20/06/2023,BB,BD1 1AA,OWN\n"
    "HOM/0042,20/06/2023,,PSL,BD1 1AA,OWN\n"
)
RAW_VALUES = (
    "YJ4411", "YJ4412", "YJ4413", "YJ4414", "OF-991", "OF-993", "OF-994", "17/09/2008",
    "LS9 8AB", "ZZ1 1ZZ",
    "12/345678A", "took a bike", "HOM/0042", "P-1", "P-2", "P-3", "P-4", "2015-03-14",
    "BD1 1AA", "31/31/2023",
)  # fmt: skip


@pytest.fixture
def lookup() -> PostcodeLookup:
    return PostcodeLookup.from_columns(pd.Series(["LS9 8AB"]), pd.Series(["E01011295"]))


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _hmac(namespace: bytes, value: str) -> str:
    return hmac.new(KEY, namespace + value.encode(), hashlib.sha256).hexdigest()


def _no_raw_value(result) -> None:
    written = result.frame.to_csv(index=False) + "\n".join(result.report())
    for value in RAW_VALUES:
        assert value not in written, value


def test_offences_are_converted_with_ids_in_the_youth_justice_namespaces(tmp_path, lookup):
    result = read_raw_table(_file(tmp_path, "off.csv", OFFENCES_CSV), PSEUDONYMISER, lookup)
    assert result.table == "yjs_offences"
    assert (result.read, result.written, len(result.refused), result.left_out) == (4, 2, 2, 0)
    first = result.frame.iloc[0]
    assert first["YJ_ID"] == _hmac(YOUTH_JUSTICE.people, "yj4411")
    assert first["YJ_ID"] != _hmac(SOCIAL_CARE.people, "yj4411")  # never a social-care child's
    assert first["OFFENCE_ID"] == _hmac(YOUTH_JUSTICE.records, "of-991")
    assert (first["DOB"], first["HOME_LSOA"], first["OFFENCE_DATE"]) == (
        "2008-09-01", "E01011295", "2023-06-03"
    )  # fmt: skip
    # an unknown postcode: an unknown home area, counted; an empty record key: refused
    assert pd.isna(result.frame.iloc[1]["HOME_LSOA"]) and result.home_lsoa_unknown == 1
    empty_key, bad_date = result.refused
    assert (empty_key.line, empty_key.column) == (3, "OFFENCE_REF")
    assert empty_key.reason == RECORD_ID_REFUSED["missing"]
    assert (bad_date.line, bad_date.column) == (4, "OFFENCE_DATE")
    report = "\n".join(result.report())
    assert "dropped column PNC_ID" in report and "dropped column OFFENCE_DESCRIPTION" in report
    _no_raw_value(result)


def test_outcomes_link_to_their_offence_by_the_hashed_record_key(tmp_path, lookup):
    offences = read_raw_table(_file(tmp_path, "o.csv", OFFENCES_CSV), PSEUDONYMISER, lookup)
    outcomes = read_raw_table(_file(tmp_path, "u.csv", OUTCOMES_CSV), PSEUDONYMISER, lookup)
    assert outcomes.table == "yjs_outcomes"
    row = outcomes.frame.iloc[0]
    assert row["OFFENCE_ID"] == offences.frame.iloc[0]["OFFENCE_ID"]
    assert row["YJ_ID"] == offences.frame.iloc[0]["YJ_ID"]
    assert (row["OUTCOME_DATE"], row["OUTCOME_TYPE"]) == ("2023-08-01", "YC")


def test_hclic_main_keeps_the_settled_homes_lsoa_and_hashes_the_case(tmp_path, lookup):
    result = read_raw_table(_file(tmp_path, "m.csv", MAIN_CSV), PSEUDONYMISER, lookup)
    assert result.table == "hclic_main" and result.written == 1
    row = result.frame.iloc[0]
    assert row["CASE_ID"] == _hmac(HOUSING.records, "hom/0042")
    assert (row["HOME_LSOA"], row["INITIAL_DUTY"], row["NUM_DEP_CHILDREN"]) == (
        "E01011295", "PREV", "2"
    )  # fmt: skip
    assert pd.isna(row["DUTY_END_DATE"])
    assert any("CURRENT_POSTCODE" in line for line in result.report())
    _no_raw_value(result)


def test_hclic_people_writes_dependent_children_and_counts_the_others(tmp_path, lookup):
    result = read_raw_table(_file(tmp_path, "p.csv", PEOPLE_CSV), PSEUDONYMISER, lookup)
    assert result.table == "hclic_children"
    assert (result.read, result.written, len(result.refused), result.left_out) == (4, 2, 1, 1)
    assert list(result.frame["CHILD_ID"]) == [
        _hmac(HOUSING.people, "p-2"),
        _hmac(HOUSING.people, "p-3"),
    ]
    assert list(result.frame["CHILD_DOB"]) == ["2015-03-01", "2017-11-01"]
    (refusal,) = result.refused
    assert (refusal.line, refusal.column) == (5, "DEPENDENT_CHILD")
    assert "1 record(s) left out: members of the household who are not dependent children" in (
        "\n".join(result.report())
    )
    _no_raw_value(result)


def test_hclic_support_and_the_case_key_agree_with_main(tmp_path, lookup):
    main = read_raw_table(_file(tmp_path, "m.csv", MAIN_CSV), PSEUDONYMISER, lookup)
    support = read_raw_table(_file(tmp_path, "s.csv", SUPPORT_CSV), PSEUDONYMISER, lookup)
    assert support.table == "hclic_support"
    assert set(support.frame["CASE_ID"]) == {main.frame.iloc[0]["CASE_ID"]}
    assert list(support.frame["SUPPORT_NEED"]) == ["DA", "MH"]


def test_hclic_temporary_accommodation_keeps_dates_and_type_and_drops_the_address(tmp_path, lookup):
    main = read_raw_table(_file(tmp_path, "m.csv", MAIN_CSV), PSEUDONYMISER, lookup)
    ta = read_raw_table(_file(tmp_path, "t.csv", TA_CSV), PSEUDONYMISER, lookup)
    assert ta.table == "hclic_temp_accommodation" and ta.written == 2
    assert set(ta.frame["CASE_ID"]) == {main.frame.iloc[0]["CASE_ID"]}
    assert list(ta.frame["TA_START_DATE"]) == ["2023-05-03", "2023-06-20"]
    assert ta.frame["TA_END_DATE"].iloc[0] == "2023-06-20" and pd.isna(ta.frame["TA_END_DATE"][1])
    assert list(ta.frame["TA_TYPE"]) == ["BB", "PSL"]
    assert "TA_POSTCODE" not in ta.frame.columns
    assert any("TA_POSTCODE" in line for line in ta.report())
    _no_raw_value(ta)


def test_every_layout_is_recognised_by_its_own_header_alone():
    for layout in SERVICE_LAYOUTS:
        header = tuple(layout.required) + tuple(layout.dropped)
        assert recognise(header, "f.csv", layouts=TABLE_LAYOUTS) is layout


def test_an_unknown_header_is_refused_naming_the_services_and_no_value():
    with pytest.raises(IntakeError) as caught:
        recognise(("JANE SMITH", "LS9 8AB"), "x.csv", layouts=TABLE_LAYOUTS, kinds="any")
    message = str(caught.value)
    assert isinstance(caught.value, ValueFreeError)
    for layout in (YJ_OFFENCES, YJ_OUTCOMES, HCLIC_MAIN_SECTION, HCLIC_PEOPLE_SECTION):
        assert layout.extract.table in message
    assert HCLIC_SUPPORT_SECTION.extract.table in message
    assert HCLIC_TA_SECTION.extract.table in message
    assert "JANE SMITH" not in message and "LS9 8AB" not in message


def test_a_linked_id_gets_its_common_persons_pseudonym_in_every_service(tmp_path, lookup):
    links = {("youth_justice", "yj4411"): "mpi-7", ("housing", "p-2"): "mpi-7"}
    linked = PSEUDONYMISER.with_links(links)
    offences = read_raw_table(_file(tmp_path, "o.csv", OFFENCES_CSV), linked, lookup)
    people = read_raw_table(_file(tmp_path, "p.csv", PEOPLE_CSV), linked, lookup)
    common = _hmac(PERSON_NAMESPACE, "mpi-7")
    assert offences.frame.iloc[0]["YJ_ID"] == common == people.frame.iloc[0]["CHILD_ID"]
    # an id it does not list keeps its own system's namespace
    assert people.frame.iloc[1]["CHILD_ID"] == _hmac(HOUSING.people, "p-3")
    # record keys are never linked
    assert offences.frame.iloc[0]["OFFENCE_ID"] == _hmac(YOUTH_JUSTICE.records, "of-991")
    assert linked.linked_pseudonyms() == frozenset({common})
