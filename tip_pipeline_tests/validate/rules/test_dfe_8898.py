"""DfE CIN rule 8898: no factor twice in one assessment.

Cases after DfE's validator's own test: the same factor twice in one assessment fails; the
same factor in another assessment of the same episode passes, as do different factors."""

from tip_pipeline.validate.rules import dfe_8898
from tip_pipeline_tests.validate.rules.assessments import as_text, rules_broken, with_declared_fault

RULE = dfe_8898.RULE


def test_rows_that_pass_and_rows_that_fail():
    broken = rules_broken(
        # c1, one episode, two assessments
        {
            "LAchildID": "c1",
            "AssessmentActualStartDate": "2023-05-12",
            "AssessmentFactors": "3A,3A",
        },
        {"LAchildID": "c1", "AssessmentActualStartDate": "2023-06-01", "AssessmentFactors": "3A"},
        {"LAchildID": "c2", "AssessmentFactors": "4B,3A"},  # passes: different factors
        {"LAchildID": "c3", "AssessmentFactors": "3A,4B,3A"},  # fails: repeat further on
        {"LAchildID": "c4", "AssessmentFactors": "3A,3B"},  # passes: same number, other person
    )
    assert [RULE.id in rules for rules in broken] == [True, False, False, True, False]


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "8898"
    assert RULE.dfe_message == (
        "The assessment has more than one parental or child factors with the same code"
    )


def test_the_declared_fault_is_caught_by_this_rule_alone():
    clean = as_text({"AssessmentFactors": "3B,4B"})
    faulty = with_declared_fault(RULE, clean)
    assert faulty is not None and faulty["AssessmentFactors"] == "3B,4B,3B"
    assert rules_broken(clean) == [set()]
    assert rules_broken(faulty) == [{RULE.id}]


def test_the_declared_fault_leaves_a_lone_21_and_a_blank_alone():
    # "21,21" would break rule 8869 too
    assert with_declared_fault(RULE, as_text({"AssessmentFactors": "21"})) is None
    assert with_declared_fault(RULE, as_text({"AssessmentFactors": None})) is None
