"""DfE CIN rule 8869: factor "21" (no factors identified) alone or not at all.

Cases after DfE's validator's own test: a "21" with another factor fails whichever comes
first; "21" alone, another factor alone and no factor pass; each child is judged on its own."""

from tip_pipeline.validate.rules import dfe_8869
from tip_pipeline_tests.validate.rules.assessments import as_text, rules_broken, with_declared_fault

RULE = dfe_8869.RULE


def test_rows_that_pass_and_rows_that_fail():
    broken = rules_broken(
        {"LAchildID": "c1", "AssessmentFactors": "21,1B"},  # fails: 21 beside another factor
        {"LAchildID": "c2", "AssessmentFactors": "2B"},  # passes: one factor
        {"LAchildID": "c3", "AssessmentFactors": None},  # passes: nothing recorded
        {"LAchildID": "c4", "AssessmentFactors": "4B"},  # passes
        {"LAchildID": "c5", "AssessmentFactors": "3A,21"},  # fails: 21 last
        {"LAchildID": "c6", "AssessmentFactors": "21"},  # passes: 21 alone
    )
    assert [RULE.id in rules for rules in broken] == [True, False, False, False, True, False]


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "8869"
    assert RULE.dfe_message == (
        "The assessment factors code “21” cannot be used in conjunction with any other "
        "assessment factors."
    )


def test_the_declared_fault_is_caught_by_this_rule_alone():
    clean = as_text({"AssessmentFactors": "3B,4B"})
    faulty = with_declared_fault(RULE, clean)
    assert faulty is not None and faulty["AssessmentFactors"] == "3B,4B,21"
    assert rules_broken(clean) == [set()]
    assert rules_broken(faulty) == [{RULE.id}]


def test_the_declared_fault_leaves_a_lone_21_and_a_blank_alone():
    assert with_declared_fault(RULE, as_text({"AssessmentFactors": "21"})) is None
    assert with_declared_fault(RULE, as_text({"AssessmentFactors": None})) is None
