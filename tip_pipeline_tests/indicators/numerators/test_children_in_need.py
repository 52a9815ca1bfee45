"""CIN census rules: snapshots, referrals as events, toxic-trio factors at completed
assessments (recorded and any-adult definitions)."""

from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline_tests.indicators.helpers import child, year


def assessment(cid, done, factors, start="2023-05-01"):
    return {
        "la_child_id": cid,
        "cin_referral_date": "2023-04-01",
        "assessment_actual_start_date": start,
        "assessment_authorisation_date": done,
        "assessment_factors": factors,
    }


def factors_year():
    return year(
        cin_children=[child(c) for c in "abcdefgh"],
        cin_assessments=[
            assessment("a", "2023-06-01", "3B,4B"),
            assessment("a", "2024-02-01", "1B"),  # a: all three across two assessments
            assessment("b", "2023-06-01", "4C,1C"),  # other adult: any-adult definition only
            assessment("c", None, None),  # in progress: nothing identified yet
            assessment("d", "2023-03-31", "3A", start="2023-03-01"),  # completed last year
            assessment("e", "2024-03-31", "2B"),  # completed on the last day: counted
            assessment("f", "2023-09-01", "21"),  # no factors
            assessment("g", "2023-09-01", "3C,3C"),
            assessment("h", "2024-04-01", "3A"),  # completed next year
        ],
    )


def ids(rule, data):
    return sorted(units_of(rule, data)["unit_id"])


def test_recorded_toxic_trio_codes():
    data = factors_year()
    assert ids("factor_domestic_abuse", data) == ["a", "g"]
    assert ids("factor_parental_mental_health", data) == ["a"]
    assert ids("factor_parental_substance_misuse", data) == ["a", "e"]
    assert ids("toxic_trio_any", data) == ["a", "e", "g"]
    assert ids("toxic_trio_all", data) == ["a"]


def test_any_adult_definition_adds_other_adults():
    data = factors_year()
    assert ids("factor_parental_mental_health_any_adult", data) == ["a", "b"]
    assert ids("factor_parental_substance_misuse_any_adult", data) == ["a", "b", "e"]
    assert ids("toxic_trio_any_any_adult", data) == ["a", "b", "e", "g"]


def test_age_is_at_the_assessment():
    data = year(
        cin_children=[child("a", dob="2006-04-01")],
        cin_assessments=[assessment("a", "2024-03-31", "3A")],
    )
    assert units_of("factor_domestic_abuse", data)["age"].tolist() == [17]


def test_in_need_and_protection_plan_at_31_march():
    data = year(
        cin_children=[child(c) for c in "abc"],
        cin_episodes=[
            {"la_child_id": "a", "cin_referral_date": "2023-01-01", "cin_closure_date": None},
            {
                "la_child_id": "b",
                "cin_referral_date": "2023-01-01",
                "cin_closure_date": "2024-03-31",
            },
            {
                "la_child_id": "c",
                "cin_referral_date": "2023-06-01",
                "cin_closure_date": "2023-07-01",
            },
            {"la_child_id": "c", "cin_referral_date": "2023-09-01", "cin_closure_date": None},
        ],
        cin_cp_plans=[
            {"la_child_id": "a", "cpp_start_date": "2023-02-01", "cpp_end_date": "2024-03-31"},
            {"la_child_id": "b", "cpp_start_date": "2023-02-01", "cpp_end_date": None},
        ],
    )
    assert ids("cin_31mar", data) == ["a", "c"]
    assert ids("cpp_31mar", data) == ["b"]
    assert ids("cpp_in_year", data) == ["a", "b"]
    referrals = units_of("cin_referrals", data)
    assert len(referrals) == 2  # c's two referrals in the year are two events
