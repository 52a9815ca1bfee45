"""Plausible dates: end before start, birth after events, youth-justice ages."""

import pandas as pd
import pytest

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules.dates import age_in_years
from tip_pipeline_tests.validate.helpers import delivery, table


def rules_of(outcome) -> dict[int, str]:
    q = outcome.quarantined
    return dict(zip(q["line_number"], q["rule_id"], strict=True))


def test_end_before_start():
    d = delivery(
        cin_children=table("cin_children", {}),
        cin_episodes=table(
            "cin_episodes", {"CINclosureDate": "2023-05-09", "ReasonForClosure": "RC1"}
        ),
    )
    assert rules_of(validate_delivery(d)["cin_episodes"]) == {
        2: "cin_episodes.CINclosureDate.end_before_start"
    }


def test_a_date_of_birth_after_the_childs_first_referral_quarantines_the_child():
    d = delivery(
        cin_children=table("cin_children", {"PersonBirthDate": "2023-06-01"}),
        cin_episodes=table("cin_episodes", {"CINreferralDate": "2023-05-10"}),
    )
    out = validate_delivery(d)
    assert rules_of(out["cin_children"]) == {2: "cin_children.PersonBirthDate.born_before_events"}
    assert rules_of(out["cin_episodes"]) == {2: "cin_episodes.parent_quarantined"}


@pytest.mark.parametrize(
    ("dob", "offence", "broken"),
    [
        ("2013-06-01", "2023-06-01", False),  # 10th birthday that day
        ("2013-07-01", "2023-06-30", True),  # still 9
        ("2005-07-01", "2023-06-30", False),  # 17, a day before 18
        ("2005-06-01", "2023-06-01", True),  # 18 that day
    ],
)
def test_youth_justice_age_at_offence(dob, offence, broken):
    d = delivery(yjs_offences=table("yjs_offences", {"DOB": dob, "OFFENCE_DATE": offence}))
    assert bool(rules_of(validate_delivery(d)["yjs_offences"])) is broken


def test_age_in_years_counts_birthdays():
    birth = pd.to_datetime(pd.Series(["2010-03-01", "2010-03-01"]))
    on = pd.to_datetime(pd.Series(["2024-02-29", "2024-03-01"]))
    assert list(age_in_years(birth, on)) == [13, 14]
