"""DfE CIN factor rules 8869, 8898 and 8614, each on a hand-made case."""

import pytest

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline_tests.validate.helpers import delivery, table


def quarantined_rules(**assessment) -> set[str]:
    d = delivery(
        cin_children=table("cin_children", {}),
        cin_episodes=table("cin_episodes", {}),
        cin_assessments=table("cin_assessments", assessment),
    )
    q = validate_delivery(d)["cin_assessments"].quarantined
    rules = set(q["rule_id"])
    for other in q["other_rules"].dropna():
        rules |= set(other.split(","))
    return rules


@pytest.mark.parametrize(
    ("factors", "broken"),
    [("21", False), ("21,3A", True), ("3A,21", True), ("3A,4B", False)],
)
def test_8869_factor_21_alone(factors, broken):
    assert ("cin_assessments.dfe_8869" in quarantined_rules(AssessmentFactors=factors)) is broken


@pytest.mark.parametrize(
    ("factors", "broken"), [("3A,3A", True), ("3A,4B,3A", True), ("3A,3B", False)]
)
def test_8898_same_factor_twice(factors, broken):
    assert ("cin_assessments.dfe_8898" in quarantined_rules(AssessmentFactors=factors)) is broken


@pytest.mark.parametrize(
    ("completed", "factors", "broken"),
    [(None, "3A", True), (None, None, False), ("2023-06-20", "3A", False)],
)
def test_8614_no_factors_before_completion(completed, factors, broken):
    rules = quarantined_rules(AssessmentAuthorisationDate=completed, AssessmentFactors=factors)
    assert ("cin_assessments.dfe_8614" in rules) is broken


def test_unknown_factor_code_is_a_code_list_breach():
    assert "cin_assessments.AssessmentFactors.code_list" in quarantined_rules(
        AssessmentFactors="3A,99Z"
    )
