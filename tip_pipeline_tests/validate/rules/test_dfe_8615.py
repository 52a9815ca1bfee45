"""DfE CIN rule 8615: an initial child protection conference never before its section 47
enquiry's start. Cases after DfE's validator's own test: a conference the day the enquiry
started, or after it, passes; one before it fails; an enquiry with no conference passes."""

from tip_pipeline.validate.rules import dfe_8615
from tip_pipeline_tests.validate.rules.section47 import as_text, rules_broken, with_declared_fault

RULE = dfe_8615.RULE


def _enquiry(child: str, start: str, conference: str | None) -> dict:
    return {"LAchildID": child, "S47ActualStartDate": start, "DateOfInitialCPC": conference}


def test_rows_that_pass_and_rows_that_fail():
    broken = rules_broken(
        _enquiry("c1", "2023-06-01", "2023-06-01"),  # the same day
        _enquiry("c2", "2023-06-02", "2023-06-01"),  # the conference the day before
        _enquiry("c3", "2023-06-01", "2023-06-20"),
        _enquiry("c4", "2023-07-01", "2023-06-01"),
        {**_enquiry("c5", "2023-06-01", None), "ICPCnotRequired": "1"},
    )
    assert [RULE.id in rules for rules in broken] == [False, True, False, True, False]


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "8615" and RULE.family == "dfe_8615"
    assert RULE.dfe_message == (
        "Section 47 Enquiry Start Date must be present and cannot be later than the date of the "
        "initial Child Protection Conference"
    )


def test_the_declared_fault_dates_the_conference_before_the_enquiry():
    clean = as_text({})
    faulty = with_declared_fault(RULE, clean)
    assert faulty is not None and faulty["DateOfInitialCPC"] == "2023-05-14"
    assert rules_broken(clean) == [set()]
    assert rules_broken(faulty) == [{RULE.id}]


def test_the_declared_fault_needs_a_conference():
    assert with_declared_fault(RULE, as_text({"DateOfInitialCPC": None})) is None
