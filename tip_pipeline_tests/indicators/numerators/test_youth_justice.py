"""Youth justice: outcomes in the year, first-time entrants judged against the history,
custodial sentences, and the local reoffending proxy (cohort, follow-up and waiting period by
hand, at their edges)."""

from datetime import date

import pandas as pd
import pytest

from tip_pipeline.indicators import look_back
from tip_pipeline.indicators.catalogue import indicator
from tip_pipeline.indicators.data import HISTORY_KEY
from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline.indicators.numerators.youth_justice import reoffending_cohort_period
from tip_pipeline.indicators.values import indicator_values
from tip_pipeline_tests.indicators.helpers import LSOA_B, YEAR, frame, year


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


# --- custodial sentences ------------------------------------------------------------------------


def test_custodial_sentences_count_sentencing_occasions_in_the_year():
    """One sentence per child and day, however many offences the court sentenced; a second
    day is a second sentence; 1 April and 31 March are in the year, 31 March before is not;
    other outcomes are not custody."""
    rows = [
        ("a1", "two_days", "2023-05-01", "CUST"),
        ("a2", "two_days", "2023-05-01", "CUST"),  # same occasion as a1
        ("a3", "two_days", "2023-11-01", "CUST"),  # a second occasion
        ("b1", "first_day", "2023-04-01", "CUST"),
        ("c1", "last_day", "2024-03-31", "CUST"),
        ("d1", "before", "2023-03-31", "CUST"),  # the year before
        ("e1", "community", "2023-06-01", "YRO"),  # not custody
    ]
    offences = [offence(oid, yj, "2023-03-01") for oid, yj, _, _ in rows]
    data = year(yjs_offences=offences, yjs_outcomes=[outcome(*r) for r in rows])
    units = units_of("yj_custodial_sentences", data)
    assert sorted(units["unit_id"]) == [
        "first_day|2023-04-01",
        "last_day|2024-03-31",
        "two_days|2023-05-01",
        "two_days|2023-11-01",
    ]
    assert set(units["age"]) == {15}  # at the offence (March 2023), born January 2008


# --- the local reoffending proxy ------------------------------------------------------------------

#: 2023/24 follows the children of 1 October 2021 to 30 September 2022
#: (yj id, offence id, offence date, outcome date, outcome), by the year of the outcome
EARLIER_ROWS = {
    "2021/22": [
        ("first_day", "f1", "2021-09-01", "2021-10-01", "YC"),  # index on the cohort's first day
        ("too_early", "t1", "2021-09-01", "2021-09-30", "YC"),  # the day before the cohort
        ("earlier", "e1", "2021-05-01", "2021-06-01", "YC"),  # before the cohort...
        ("earlier", "e2", "2021-07-01", "2022-01-20", "RO"),  # ...so the index is this one
        ("late_offence", "l1", "2021-12-01", "2022-01-10", "YRO"),
        ("late_proof", "p1", "2022-02-01", "2022-03-15", "DIS"),
        ("cr_only", "c1", "2021-12-01", "2022-01-01", "CR"),  # no caution or conviction
        ("cr_later", "r1", "2022-01-15", "2022-02-01", "YC"),
        ("custody", "k1", "2022-01-01", "2022-02-01", "CUST"),  # starts at release: not held
        ("custody_same_day", "s1", "2022-02-01", "2022-03-01", "YC"),
        ("custody_same_day", "s2", "2022-02-01", "2022-03-01", "CUST"),
        ("custody_first", "u1", "2021-10-01", "2021-11-01", "CUST"),  # not an index...
        ("custody_first", "u2", "2022-03-01", "2022-04-01", "YC"),  # ...this caution is
        ("adult", "a1", "2021-12-01", "2022-01-05", "YC"),  # 18 at the offence
    ],
    "2022/23": [
        ("last_day", "d1", "2022-08-01", "2022-09-30", "FINE"),  # the cohort's last day
        ("too_late", "t2", "2022-09-01", "2022-10-01", "YC"),  # the day after the cohort
        ("first_day", "f2", "2022-10-01", "2023-01-10", "RO"),  # offence: exactly 12 months
        ("late_offence", "l2", "2023-01-11", "2023-02-01", "YC"),  # 12 months and a day
        ("before_index", "b1", "2022-04-01", "2022-05-01", "YCC"),
        ("before_index", "b2", "2022-04-15", "2022-06-01", "YC"),  # committed before the index
        ("before_index", "b3", "2022-05-01", "2022-07-01", "YC"),  # committed on the index day
        ("cr_later", "r2", "2022-06-01", "2022-07-01", "CR"),  # a community resolution proves none
    ],
}
THIS_YEAR_ROWS = [
    ("late_proof", "p2", "2022-06-01", "2023-09-16", "YC"),  # proven 18 months and a day after
    ("last_day", "d2", "2023-09-30", "2024-03-30", "CUST"),  # 12 months; proven at 18 months
]


def _reoffending_year():
    def offences(rows):
        dob = {"adult": "2003-01-01"}
        return [
            offence(oid, yj, when, dob=dob.get(yj, "2008-01-01")) for yj, oid, when, _, _ in rows
        ]

    def outcomes(rows):
        return [outcome(oid, yj, on, kind) for yj, oid, _, on, kind in rows]

    every = [row for rows in EARLIER_ROWS.values() for row in rows] + THIS_YEAR_ROWS
    data = year(
        yjs_offences=offences(THIS_YEAR_ROWS),
        yjs_outcomes=outcomes(THIS_YEAR_ROWS),
        **{HISTORY_KEY: frame("yjs_outcomes", outcomes(every))},
    )
    earlier = [
        frame("yjs_offences", offences(rows)).assign(period=label)
        for label, rows in EARLIER_ROWS.items()
    ]
    data.earlier = {"yjs_offences": pd.concat(earlier, ignore_index=True)}
    return data


def test_the_cohort_period_ends_18_months_before_the_year():
    assert reoffending_cohort_period(YEAR) == (date(2021, 10, 1), date(2022, 9, 30))


def test_the_reoffending_cohort_by_hand():
    """In: an index on the cohort's first and last days; the first caution or non-custodial
    conviction in the period, not an earlier one, nor a custodial sentence before it. Out: the
    day before and the day after; a community resolution only; custody (the release is not
    held), and a caution the same day as custody; 18 at the offence."""
    units = units_of("yj_reoffending_cohort", _reoffending_year())
    assert sorted(units["unit_id"]) == [
        "before_index",
        "cr_later",
        "custody_first",
        "earlier",
        "first_day",
        "last_day",
        "late_offence",
        "late_proof",
    ]
    assert units.set_index("unit_id").loc["first_day", "age"] == 13  # at the index offence


def test_reoffenders_by_hand():
    """Reoffended: an offence exactly 12 months after the index, and one proven exactly 18
    months after it (by custody). Not: an offence 12 months and a day after; one proven 18
    months and a day after; offences committed before or on the index day; an offence dealt
    with by a community resolution."""
    data = _reoffending_year()
    assert sorted(units_of("yj_reoffenders", data)["unit_id"]) == ["first_day", "last_day"]
    share = indicator_values(indicator("yj_reoffending_local_proxy"), data)
    total = share[(share["area_type"] == "la") & (share["breakdown"] == "total")].iloc[0]
    assert (total["numerator"], total["denominator"]) == (2, 8)
    assert total["value"] == pytest.approx(200 / 8)


def test_the_proxy_is_not_available_without_its_two_look_back_years():
    proxy = indicator("yj_reoffending_local_proxy")
    both = {"yjs_offences": {"2021/22", "2022/23"}}
    assert look_back.not_available(proxy, YEAR, both) is None
    reason = look_back.not_available(proxy, YEAR, {"yjs_offences": {"2022/23"}})
    assert "2021/22 (yjs_offences)" in reason
