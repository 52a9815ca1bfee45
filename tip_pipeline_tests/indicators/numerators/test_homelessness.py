"""Homelessness: children counted once across quarters; households and the domestic-abuse
share; children in temporary accommodation at the end of 31 March."""

from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline.indicators.numerators import homelessness
from tip_pipeline_tests.indicators.helpers import LSOA_A, frame, year


def case(cid, duty="PREV", reason="OTHER", kids=1, app="2023-05-01", end=None, q=1):
    return {
        "case_id": cid,
        "application_date": app,
        "initial_duty": duty,
        "reason_loss": reason,
        "num_dep_children": kids,
        "home_lsoa": LSOA_A,
        "duty_end_date": end,
        "quarter": q,
    }


def data():
    main = frame(
        "hclic_main",
        [
            case("h1", q=1),
            case("h1", q=2),  # reported in two quarters: counted once
            case("h2", duty="RELIEF", reason="DOMABUSE", kids=2),
            case("h3", duty="NODUTY"),  # no duty owed
            case("h4", app="2022-12-01", end="2023-03-01"),  # ended before the year
            case("h5", kids=0),  # no dependent children
        ],
    )
    main["quarter"] = [1, 2, 1, 1, 1, 1]
    kids = [
        {"case_id": "h1", "child_id": "k1", "child_dob": "2015-01-01", "child_sex": "1"},
        {"case_id": "h1", "child_id": "k1", "child_dob": "2015-01-01", "child_sex": "1"},
        {"case_id": "h2", "child_id": "k2", "child_dob": "2016-01-01", "child_sex": "2"},
        {"case_id": "h2", "child_id": "k3", "child_dob": "2018-01-01", "child_sex": "2"},
        {"case_id": "h3", "child_id": "k4", "child_dob": "2018-01-01", "child_sex": "2"},
        {"case_id": "h4", "child_id": "k5", "child_dob": "2018-01-01", "child_sex": "2"},
    ]
    return year(hclic_main=main, hclic_children=kids)


def test_children_in_households_owed_a_duty_once_per_year():
    units = units_of("homeless_children", data())
    assert sorted(units["unit_id"]) == ["k1", "k2", "k3"]


def test_households_with_children_and_domestic_abuse():
    d = data()
    assert sorted(units_of("households_with_children_owed_duty", d)["unit_id"]) == ["h1", "h2"]
    assert units_of("households_with_children_domestic_abuse", d)["unit_id"].tolist() == ["h2"]


def placement(cid, start, end=None, q=4, ta_type="NIGHTLY"):
    return {
        "case_id": cid,
        "ta_start_date": start,
        "ta_end_date": end,
        "ta_type": ta_type,
        "quarter": q,
    }


def ta_data():
    """Year 2023/24: the snapshot is the end of 31 March 2024, from the Q4 return."""
    main = frame(
        "hclic_main",
        [
            case("t1", duty="RELIEF", app="2024-01-10", q=4),
            case("t2", duty="RELIEF", app="2024-01-10", q=4),
            case("t3", duty="RELIEF", app="2024-03-31", q=4),
            case("t4", duty="RELIEF", app="2023-11-01", q=3),
            case("t4", duty="RELIEF", app="2023-11-01", q=4),
            case("t5", duty="RELIEF", app="2023-05-01", q=1),
            case("t6", duty="RELIEF", app="2024-02-01", q=4),
            case("t7", duty="RELIEF", app="2023-10-01", q=3),
        ],
    )
    main["quarter"] = [4, 4, 4, 3, 4, 1, 4, 3]
    ta = frame(
        "hclic_temp_accommodation",
        [
            placement("t1", "2024-01-12"),  # still placed: counted
            placement("t2", "2024-01-12", end="2024-03-31"),  # moved out on 31 March: not
            placement("t3", "2024-03-31"),  # placed on 31 March: counted
            # moved from a hostel to a leased home: two placements, one household
            placement("t4", "2023-11-02", end="2024-01-15", q=3, ta_type="HOSTEL"),
            placement("t4", "2023-11-02", end="2024-01-15", ta_type="HOSTEL"),
            placement("t4", "2024-01-15", ta_type="PSL"),
            # open at the end of Q1 but absent from Q4: the last quarter's return decides
            placement("t5", "2023-05-02", q=1),
            placement("t7", "2023-10-02", end="2023-12-01", q=3),  # left before the year's end
        ],
    )
    ta["quarter"] = [4, 4, 4, 3, 4, 4, 1, 3]
    kids = [
        {"case_id": "t1", "child_id": "c1", "child_dob": "2015-04-01", "child_sex": "1"},
        {"case_id": "t1", "child_id": "c2", "child_dob": "2020-06-01", "child_sex": "2"},
        {"case_id": "t2", "child_id": "c3", "child_dob": "2016-01-01", "child_sex": "2"},
        {"case_id": "t3", "child_id": "c4", "child_dob": "2017-01-01", "child_sex": "1"},
        {"case_id": "t4", "child_id": "c5", "child_dob": "2018-01-01", "child_sex": "2"},
        {"case_id": "t4", "child_id": "c5", "child_dob": "2018-01-01", "child_sex": "2"},
        {"case_id": "t5", "child_id": "c6", "child_dob": "2018-01-01", "child_sex": "2"},
        # a family owed a duty and never placed: not in temporary accommodation
        {"case_id": "t6", "child_id": "c7", "child_dob": "2019-01-01", "child_sex": "1"},
        {"case_id": "t7", "child_id": "c8", "child_dob": "2019-01-01", "child_sex": "1"},
    ]
    return year(hclic_main=main, hclic_children=kids, hclic_temp_accommodation=ta)


def test_households_in_temporary_accommodation_at_the_end_of_31_march():
    cases = homelessness.cases_in_temporary_accommodation(ta_data())
    # t2 moved out on 31 March; t5's placement is not in the Q4 return; t6 was never placed;
    # t7 left in December; t4's two placements are one household
    assert sorted(cases) == ["t1", "t3", "t4"]


def test_children_in_temporary_accommodation_counted_once_with_age_on_31_march():
    units = units_of("homeless_children_temp_accommodation", ta_data()).set_index("unit_id")
    # children, not households: t1's two children both count
    assert sorted(units.index) == ["c1", "c2", "c4", "c5"]
    assert units.loc["c1", "age"] == 8  # born April 2015: 8 on 31 March 2024
    assert units.loc["c2", "age"] == 3
    assert units.loc["c1", "sex"] == "M" and units.loc["c2", "sex"] == "F"
    assert set(units["lsoa"]) == {LSOA_A}


def test_a_table_without_quarters_is_read_whole():
    d = ta_data()
    d.tables["hclic_temp_accommodation"] = d.tables["hclic_temp_accommodation"].drop(
        columns="quarter"
    )
    # t5's placement, open when last reported, now counts too
    assert sorted(homelessness.cases_in_temporary_accommodation(d)) == ["t1", "t3", "t4", "t5"]
