"""DfE CIN rule 2889: a section 47 enquiry never starts before its episode's referral; on the
referral day or after passes."""

from tip_pipeline.validate.rules import dfe_2889
from tip_pipeline_tests.validate.rules.section47 import as_text, rules_broken, with_declared_fault

RULE = dfe_2889.RULE


def _enquiry(child: str, referral: str, start: str) -> dict:
    return {
        "LAchildID": child,
        "CINreferralDate": referral,
        "S47ActualStartDate": start,
        "DateOfInitialCPC": "2023-06-30",
    }


def test_rows_that_pass_and_rows_that_fail():
    broken = rules_broken(
        _enquiry("c1", "2023-05-10", "2023-05-10"),  # the referral day
        _enquiry("c2", "2023-05-10", "2023-05-09"),
        _enquiry("c3", "2023-05-10", "2023-06-01"),
        _enquiry("c4", "2023-05-10", "2023-04-01"),
    )
    assert [RULE.id in rules for rules in broken] == [False, True, False, True]


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "2889"
    assert RULE.dfe_message == "The S47 start date cannot be before the referral date."


def test_the_declared_fault_starts_a_concluded_enquiry_the_day_before_its_referral():
    clean = as_text({})
    faulty = with_declared_fault(RULE, clean)
    assert faulty is not None and faulty["S47ActualStartDate"] == "2023-05-09"
    assert rules_broken(clean) == [set()]
    assert rules_broken(faulty) == [{RULE.id}]
    not_required = as_text({"DateOfInitialCPC": None, "ICPCnotRequired": "1"})
    assert rules_broken(with_declared_fault(RULE, not_required)) == [{RULE.id}]


def test_the_declared_fault_leaves_an_enquiry_awaiting_its_conference_alone():
    """Moving such an enquiry's start could take it out of the year (rule 8740 too)."""
    assert with_declared_fault(RULE, as_text({"DateOfInitialCPC": None})) is None
