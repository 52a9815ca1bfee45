"""DfE CIN rule 8614: factors only on a completed assessment.

Cases after DfE's validator's own test: an assessment with no authorisation date and factors
fails (two children); completed with one or several factors, completed with none, and in
progress with none pass."""

from tip_pipeline.validate.rules import dfe_8614
from tip_pipeline_tests.validate.rules.assessments import as_text, rules_broken, with_declared_fault

RULE = dfe_8614.RULE
DONE = "2023-06-20"


def test_rows_that_pass_and_rows_that_fail():
    broken = rules_broken(
        {"LAchildID": "c1", "AssessmentAuthorisationDate": DONE, "AssessmentFactors": "6A"},
        {"LAchildID": "c2", "AssessmentAuthorisationDate": DONE, "AssessmentFactors": "6A,6B"},
        {"LAchildID": "c3", "AssessmentAuthorisationDate": None, "AssessmentFactors": "3B"},
        {"LAchildID": "c4", "AssessmentAuthorisationDate": DONE, "AssessmentFactors": None},
        {"LAchildID": "c5", "AssessmentAuthorisationDate": None, "AssessmentFactors": "4B"},
        {"LAchildID": "c6", "AssessmentAuthorisationDate": None, "AssessmentFactors": None},
    )
    assert [RULE.id in rules for rules in broken] == [False, False, True, False, True, False]


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "8614"
    assert RULE.dfe_message == (
        "Parental or child factors at assessment should only be present for a completed assessment."
    )


def test_the_declared_fault_gives_factors_to_an_assessment_in_progress():
    clean = as_text({"AssessmentAuthorisationDate": None, "AssessmentFactors": None})
    faulty = with_declared_fault(RULE, clean)
    assert faulty is not None and faulty["AssessmentFactors"] == dfe_8614.EXAMPLE_FACTOR
    assert rules_broken(clean) == [set()]
    assert rules_broken(faulty) == [{RULE.id}]


def test_the_declared_fault_otherwise_blanks_the_completion_of_an_assessment_with_factors():
    clean = as_text({"AssessmentAuthorisationDate": DONE, "AssessmentFactors": "3B,4B"})
    faulty = with_declared_fault(RULE, clean)
    assert faulty is not None and faulty["AssessmentAuthorisationDate"] == ""
    assert rules_broken(clean) == [set()]
    assert rules_broken(faulty) == [{RULE.id}]


def test_the_declared_fault_leaves_a_completed_assessment_without_factors_alone():
    assert with_declared_fault(RULE, as_text({"AssessmentFactors": None})) is None
