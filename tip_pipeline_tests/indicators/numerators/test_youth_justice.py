"""Youth justice: outcomes in the year, first-time entrants judged against the history."""

from tip_pipeline.indicators.data import HISTORY_KEY
from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline_tests.indicators.helpers import LSOA_B, frame, year


def offence(oid, yj, when, dob="2008-01-01", sex="2", lsoa=LSOA_B):
    return {
        "yj_id": yj,
        "offence_id": oid,
        "offence_date": when,
        "dob": dob,
        "sex": sex,
        "ethnicity": "BCRB",
        "home_lsoa": lsoa,
    }


def outcome(oid, yj, when, kind):
    return {"yj_id": yj, "offence_id": oid, "outcome_date": when, "outcome_type": kind}


HISTORY = [
    outcome("o1", "old", "2019-05-01", "YC"),  # cautioned in a history year
    outcome("o2", "cr", "2019-05-01", "CR"),  # only a community resolution before
]
THIS_YEAR = [
    outcome("o3", "old", "2023-06-01", "RO"),  # not a first-time entrant
    outcome("o4", "cr", "2023-06-01", "YC"),  # first caution: first-time entrant
    outcome("o5", "new", "2023-08-01", "YRO"),  # first conviction: first-time entrant
    outcome("o6", "res", "2023-09-01", "CR"),  # community resolution only: not an entrant
    outcome("o7", "new", "2023-10-01", "RO"),
]


def data():
    offences = [
        offence("o3", "old", "2023-05-01"),
        offence("o4", "cr", "2023-05-01"),
        offence("o5", "new", "2023-07-01"),
        offence("o6", "res", "2023-08-01"),
        offence("o7", "new", "2023-09-01"),
    ]
    return year(
        yjs_offences=offences,
        yjs_outcomes=THIS_YEAR,
        **{HISTORY_KEY: frame("yjs_outcomes", HISTORY + THIS_YEAR)},
    )


def test_children_with_an_outcome_in_the_year():
    units = units_of("yj_outcome", data())
    assert sorted(units["unit_id"]) == ["cr", "new", "old", "res"]
    assert set(units["sex"]) == {"F"} and set(units["ethnic_group"]) == {"Black"}
    assert set(units["lsoa"]) == {LSOA_B}
    assert units.set_index("unit_id").loc["cr", "age"] == 15  # at the offence, May 2023


def test_first_time_entrants_use_the_history_years():
    assert sorted(units_of("yj_first_time_entrants", data())["unit_id"]) == ["cr", "new"]
