"""DfE CIN rule 8839: at most one enquiry of an episode awaits its conference; the later open
ones are quarantined. Cases after DfE's validator's own test: two open enquiries of one episode
(ICPCnotRequired false, or blank) fail; one open per episode, or open beside concluded or
not-required ones, pass."""

from tip_pipeline.validate.rules import dfe_8839
from tip_pipeline_tests.validate.rules.section47 import rules_broken

RULE = dfe_8839.RULE


def _enquiry(child: str, referral: str, start: str, not_required: str | None = "0") -> dict:
    return {
        "LAchildID": child,
        "CINreferralDate": referral,
        "S47ActualStartDate": start,
        "DateOfInitialCPC": None,
        "ICPCnotRequired": not_required,
    }


def test_rows_that_pass_and_rows_that_fail():
    broken = rules_broken(
        _enquiry("c1", "2023-05-10", "2023-08-01"),  # c1's second open enquiry, listed first
        _enquiry("c1", "2023-05-10", "2023-05-12"),
        _enquiry("c1", "2023-09-01", "2023-09-03"),  # another episode of c1
        _enquiry("c2", "2023-05-10", "2023-05-12", None),
        _enquiry("c2", "2023-05-10", "2023-06-12", None),
        _enquiry("c3", "2023-05-10", "2023-05-12", "1"),
        _enquiry("c3", "2023-05-10", "2023-06-12", "1"),
        _enquiry("c3", "2023-05-10", "2023-07-12"),
        {**_enquiry("c4", "2023-05-10", "2023-05-12"), "DateOfInitialCPC": "2023-06-01"},
        _enquiry("c4", "2023-05-10", "2023-07-12"),
    )
    assert [RULE.id in rules for rules in broken] == [
        True,
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "8839" and RULE.fault is None
    assert (
        RULE.dfe_message == "Within one CINDetails group there are 2 or more open S47 Assessments"
    )
