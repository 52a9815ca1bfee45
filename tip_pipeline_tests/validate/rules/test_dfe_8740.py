"""DfE CIN rule 8740 (year 2023/24): an enquiry awaiting its conference at 31 March (no
DateOfInitialCPC, ICPCnotRequired false or blank) must have started in the year; cases after
DfE's validator's own test, with the year's edges (1 April and 31 March in it)."""

from tip_pipeline.validate.rules import dfe_8740
from tip_pipeline_tests.validate.rules.section47 import as_text, rules_broken, with_declared_fault

RULE = dfe_8740.RULE


def _enquiry(child: str, start: str, conference: str | None, not_required: str | None) -> dict:
    return {
        "LAchildID": child,
        "CINreferralDate": "2022-01-10",
        "S47ActualStartDate": start,
        "DateOfInitialCPC": conference,
        "ICPCnotRequired": not_required,
    }


def test_rows_that_pass_and_rows_that_fail():
    broken = rules_broken(
        _enquiry("c1", "2023-04-01", None, "0"),  # the year's first day
        _enquiry("c2", "2024-03-31", None, "0"),  # its last
        _enquiry("c3", "2023-03-31", None, "0"),  # the day before the year
        _enquiry("c4", "2022-05-26", None, None),  # not-required blank: awaiting too
        _enquiry("c5", "2022-05-26", None, "1"),  # none required
        _enquiry("c6", "2023-03-20", "2023-04-12", "0"),  # conference held in the year
    )
    assert [RULE.id in rules for rules in broken] == [False, False, True, True, False, False]


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "8740"
    assert RULE.dfe_message == (
        "For a Section 47 Enquiry that has not held the Initial Child Protection Conference by "
        "the end of the census year, the start date must fall within the census year"
    )


def test_the_declared_fault_takes_away_the_conference_of_last_years_enquiry():
    clean = as_text(
        {"CINreferralDate": "2023-03-01", "S47ActualStartDate": "2023-03-20"}
        | {"DateOfInitialCPC": "2023-04-12"}
    )
    faulty = with_declared_fault(RULE, clean)
    assert faulty is not None
    assert (faulty["DateOfInitialCPC"], faulty["ICPCnotRequired"]) == ("", "0")
    assert rules_broken(clean) == [set()]
    assert rules_broken(faulty) == [{RULE.id}]


def test_the_declared_fault_leaves_an_enquiry_of_the_year_alone():
    assert with_declared_fault(RULE, as_text({})) is None
    assert with_declared_fault(RULE, as_text({"DateOfInitialCPC": None})) is None
