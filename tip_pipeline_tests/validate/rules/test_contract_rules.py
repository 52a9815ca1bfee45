"""Rules generated from the contracts: required, format, code lists, birth month, plausible
dates of birth, not future, not negative, unique keys, home LSOA in the lookup."""

import dataclasses
import importlib
from pathlib import Path

import pytest

from tip_pipeline.sources.generator.fault_kinds import KINDS
from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules import RULES
from tip_pipeline_tests.validate.helpers import delivery, table


def first_rule(**child) -> str | None:
    out = validate_delivery(delivery(cin_children=table("cin_children", child)))["cin_children"]
    return None if out.quarantined.empty else out.quarantined.iloc[0]["rule_id"]


@pytest.mark.parametrize(
    ("override", "rule"),
    [
        ({}, None),
        ({"LAchildID": None}, "cin_children.LAchildID.required"),
        ({"PersonBirthDate": "2015-02-30"}, "cin_children.PersonBirthDate.format"),
        ({"PersonBirthDate": "01/06/2015"}, "cin_children.PersonBirthDate.format"),
        ({"PersonBirthDate": "2015-06-17"}, "cin_children.PersonBirthDate.birth_month"),
        ({"PersonBirthDate": "2031-06-01"}, "cin_children.PersonBirthDate.birth_range"),
        ({"PersonBirthDate": "2024-12-01"}, None),  # unborn: expected within 9 months
        ({"PersonBirthDate": "2025-01-01"}, "cin_children.PersonBirthDate.birth_range"),
        ({"PersonBirthDate": "1997-04-01"}, None),  # 25 on 1 April 2023
        ({"PersonBirthDate": "1997-03-01"}, "cin_children.PersonBirthDate.birth_range"),
        ({"PersonDeathDate": "2024-04-01"}, "cin_children.PersonDeathDate.not_future"),
        ({"PersonDeathDate": "2024-03-31"}, None),
        ({"Ethnicity": "WHIT"}, "cin_children.Ethnicity.code_list"),
        ({"HomeLSOA": "LS9 8AB"}, "cin_children.HomeLSOA.format"),
        ({"HomeLSOA": "E01099999"}, "cin_children.HomeLSOA.lsoa_known"),
    ],
)
def test_each_contract_rule_catches_its_fault(override, rule):
    assert first_rule(**override) == rule


def test_duplicate_key_keeps_the_first_and_quarantines_the_rest():
    d = delivery(cin_children=table("cin_children", {}, {}, {"Sex": "2"}, {"LAchildID": "c9"}))
    q = validate_delivery(d)["cin_children"].quarantined
    assert list(q["line_number"]) == [3, 4]
    assert set(q["rule_id"]) == {"cin_children.unique_key"}


def test_every_rule_has_text_and_a_quarantine_statement():
    for rule in RULES:
        assert rule.text and rule.quarantines and rule.table in rule.id


def test_dfe_rules_carry_their_numbers():
    numbered = {r.dfe_rule for r in RULES if r.dfe_rule}
    assert {"8869", "8898", "8614"} <= numbered


def test_each_dfe_rule_has_its_module_message_and_test_file():
    """One module and one test file per DfE rule, DfE's message beside the plain text."""
    for rule in (r for r in RULES if r.dfe_rule):
        name = f"dfe_{rule.dfe_rule.lower()}"  # DfE's SW rules are numbered SW07STG2
        module = importlib.import_module(f"tip_pipeline.validate.rules.{name}")
        assert module.RULE is rule and rule.family == name
        assert rule.dfe_message and rule.dfe_message != rule.text
        assert (Path(__file__).parent / f"test_{name}.py").is_file()


def test_a_dfe_number_needs_dfe_message():
    rule = RULES[0]
    with pytest.raises(ValueError, match="DfE"):
        dataclasses.replace(rule, dfe_rule="9999")


def test_every_declared_fault_is_one_the_generator_injects_into_its_table():
    for rule in (r for r in RULES if r.fault):
        assert KINDS[rule.table][rule.fault.kind] == (rule.fault.column,)


def test_unknown_factor_code_is_a_code_list_breach():
    d = delivery(
        cin_children=table("cin_children", {}),
        cin_episodes=table("cin_episodes", {}),
        cin_assessments=table("cin_assessments", {"AssessmentFactors": "3A,99Z"}),
    )
    q = validate_delivery(d)["cin_assessments"].quarantined
    assert set(q["rule_id"]) == {"cin_assessments.AssessmentFactors.code_list"}


def test_a_negative_count_is_quarantined():
    d = delivery(
        cin_children=table("cin_children", {}),
        cin_episodes=table("cin_episodes", {}),
        cin_cp_plans=table("cin_cp_plans", {"NumberOfPreviousCPP": "-1"}),
    )
    q = validate_delivery(d)["cin_cp_plans"].quarantined
    assert set(q["rule_id"]) == {"cin_cp_plans.NumberOfPreviousCPP.not_negative"}


@pytest.mark.parametrize(
    ("table_name", "column", "earliest", "latest"),
    [
        ("ssda903_header", "DOB", "2001-04-01", "2024-03-31"),  # care leavers to 21
        ("yjs_offences", "DOB", "2002-04-01", "2014-03-31"),  # 10 to 17, outcomes to 20
        ("hclic_children", "CHILD_DOB", "2004-04-01", "2024-03-31"),  # dependants to 18
        ("ssda903_missing", "DOB", "2005-04-01", "2024-03-31"),  # looked after, to 17
        ("ssda903_oc2", "DOB", "2005-04-01", "2023-03-31"),  # a year in care at 31 March
        ("ssda903_oc3", "DOB", "2001-04-01", "2005-03-31"),  # 19th-21st birthday in the year
    ],
)
def test_plausible_dates_of_birth_are_declared_per_extract(table_name, column, earliest, latest):
    from tip_pipeline.sources.contracts import EXTRACTS
    from tip_pipeline_tests.validate.helpers import PERIOD

    declared = next(c for c in EXTRACTS[table_name].columns if c.name == column).birth_range
    assert str(declared.earliest_birth(PERIOD)) == earliest
    assert str(declared.latest_birth(PERIOD)) == latest


def _ssda903_outcome_rules(name: str, **row) -> list[str]:
    """The rules the one row of an SSDA903 outcome table breaks first, with its child's
    header."""
    d = delivery(ssda903_header=table("ssda903_header", {}), **{name: table(name, row)})
    return sorted(validate_delivery(d)[name].quarantined["rule_id"])


@pytest.mark.parametrize(
    ("name", "override", "rules"),
    [
        ("ssda903_missing", {}, []),
        ("ssda903_missing", {"MISSING": "X"}, ["ssda903_missing.MISSING.code_list"]),
        ("ssda903_missing", {"MIS_START": None}, ["ssda903_missing.MIS_START.required"]),
        ("ssda903_missing", {"MIS_END": "2023-06-31"}, ["ssda903_missing.MIS_END.format"]),
        ("ssda903_missing", {"CHILD": "c9"}, ["ssda903_missing.parent_present"]),
        ("ssda903_reviews", {}, []),
        ("ssda903_reviews", {"REVIEW_CODE": "PN8"}, ["ssda903_reviews.REVIEW_CODE.code_list"]),
        ("ssda903_reviews", {"DOB": "2010-06-17"}, ["ssda903_reviews.DOB.birth_month"]),
        ("ssda903_oc2", {}, []),
        ("ssda903_oc2", {"SDQ_SCORE": "-3"}, ["ssda903_oc2.SDQ_SCORE.not_negative"]),
        ("ssda903_oc2", {"SDQ_SCORE": "12.5"}, ["ssda903_oc2.SDQ_SCORE.format"]),
        ("ssda903_oc2", {"CONVICTED": "Y"}, ["ssda903_oc2.CONVICTED.code_list"]),
        ("ssda903_oc3", {}, []),
        # no fixed abode and custody are never suitable accommodation (DfE rule 133's list)
        ("ssda903_oc3", {"ACCOM": "S1"}, ["ssda903_oc3.ACCOM.code_list"]),
        ("ssda903_oc3", {"ACCOM": "S2"}, []),
        ("ssda903_oc3", {"IN_TOUCH": "MAYBE"}, ["ssda903_oc3.IN_TOUCH.code_list"]),
        ("ssda903_oc3", {"DOB": "2010-06-01"}, ["ssda903_oc3.DOB.birth_range"]),
        ("ssda903_uasc", {}, []),
        ("ssda903_uasc", {"SEX": "M"}, ["ssda903_uasc.SEX.code_list"]),  # letters from 2024/25
        ("ssda903_uasc", {"DUC": "2024-04-01"}, ["ssda903_uasc.DUC.not_future"]),
        ("ssda903_ad1", {}, []),
        ("ssda903_ad1", {"LS_ADOPTR": "L1"}, ["ssda903_ad1.LS_ADOPTR.code_list"]),
        ("ssda903_ad1", {"DATE_MATCH": None}, ["ssda903_ad1.DATE_MATCH.required"]),
        ("ssda903_placed_adoption", {}, []),
        (
            "ssda903_placed_adoption",
            {"REASON_PLACED_CEASED": "RD5"},
            ["ssda903_placed_adoption.REASON_PLACED_CEASED.code_list"],
        ),
        ("ssda903_prev_perm", {}, []),
        ("ssda903_prev_perm", {"PREV_PERM": "P2", "DATE_PERM": "2019-05"}, []),
        ("ssda903_prev_perm", {"PREV_PERM": "P2", "DATE_PERM": "2019"}, []),
        ("ssda903_prev_perm", {"PREV_PERM": "P2", "LA_PERM": "NUK"}, []),
        (
            "ssda903_prev_perm",
            {"PREV_PERM": "P2", "DATE_PERM": "2019-13"},
            ["ssda903_prev_perm.DATE_PERM.format"],
        ),
        (
            "ssda903_prev_perm",
            {"PREV_PERM": "P2", "DATE_PERM": "ZZ/05/2019"},
            ["ssda903_prev_perm.DATE_PERM.format"],
        ),
        ("ssda903_prev_perm", {"LA_PERM": "E08000035"}, ["ssda903_prev_perm.LA_PERM.code_list"]),
        ("ssda903_sw_episodes", {}, []),
        ("ssda903_sw_episodes", {"SW_REASON": None}, []),  # DfE allows it before April 2023
        (
            "ssda903_sw_episodes",
            {"SW_REASON": "BORED"},
            ["ssda903_sw_episodes.SW_REASON.code_list"],
        ),
        ("ssda903_sw_episodes", {"SW_ID": None}, ["ssda903_sw_episodes.SW_ID.required"]),
    ],
)
def test_ssda903_outcome_rows_are_judged_by_their_contract(name, override, rules):
    assert _ssda903_outcome_rules(name, **override) == rules
