"""Homelessness: children counted once across quarters; households and the domestic-abuse
share."""

from tip_pipeline.indicators.numerator_registry import units_of
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
