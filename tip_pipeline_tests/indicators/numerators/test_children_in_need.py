"""CIN census rules: snapshots, referrals as events, toxic-trio factors at completed
assessments (recorded and any-adult definitions)."""

import pytest

from tip_pipeline.indicators.catalogue import indicator
from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline.indicators.values import all_values, indicator_values, not_available
from tip_pipeline_tests.indicators.helpers import LA, LSOA_B, child, frame, year


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


# -- outcome measures: hand-computed cases of DfE's counting rules --------------------------------


def referral(cid, day, nfa="0"):
    return {"la_child_id": cid, "cin_referral_date": day, "referral_nfa": nfa}


def with_earlier(data, table, period, rows):
    """``data`` with the look-back year ``period``'s rows of ``table`` (hand-made)."""
    data.earlier = {**data.earlier, table: frame(table, rows).assign(period=period)}
    return data


def re_referral_year():
    data = year(
        cin_children=[child(c) for c in "abcd"] + [child("f", lsoa=LSOA_B)],
        cin_episodes=[
            referral("a", "2023-05-10"),  # previous 2022-05-10: exactly 12 months, counted
            referral("b", "2023-05-10"),  # previous 2022-05-09: 12 months and a day, not
            referral("c", "2023-06-01"),  # first of two in the year: not a re-referral
            referral("c", "2023-09-01"),  # 3 months after c's first: counted
            referral("d", "2023-07-01"),  # never referred before: not
            referral("f", "2024-03-31"),  # moved from LSOA A to B since: counted, in B
            referral("g", "2022-03-01"),  # an old episode still in the census: not this year
        ],
    )
    return with_earlier(
        data,
        "cin_episodes",
        "2022/23",
        [
            referral("a", "2022-05-10"),
            referral("b", "2022-05-09"),
            referral("e", "2022-06-01"),  # e left the area: not in this year's census at all
            referral("f", "2023-03-31"),
        ],
    )


def test_re_referrals_within_12_months_count_referrals_not_children():
    data = re_referral_year()
    assert ids("cin_re_referrals", data) == ["a|2023-05-10", "c|2023-09-01", "f|2024-03-31"]
    assert len(units_of("cin_referrals", data)) == 6  # g's referral is not in the year
    placed = units_of("cin_re_referrals", data).set_index("unit_id")
    assert placed.loc["f|2024-03-31", "lsoa"] == LSOA_B  # where the child lives now
    value = la_total("cin_re_referrals_12m", data)
    assert (value["numerator"], value["denominator"]) == (3, 6)
    assert value["value"] == pytest.approx(50.0)


def test_re_referrals_are_not_computed_without_the_previous_year():
    data = re_referral_year()
    data.earlier = {}
    reasons = not_available(data)
    assert "2022/23 (cin_episodes)" in reasons["cin_re_referrals_12m"]
    assert "cin_re_referrals_12m" not in set(all_values(data)["indicator_id"])


def timed(cid, start, done, referred="2023-04-01"):
    return {
        "la_child_id": cid,
        "cin_referral_date": referred,
        "assessment_actual_start_date": start,
        "assessment_authorisation_date": done,
    }


def test_assessments_within_45_working_days_skip_weekends_and_bank_holidays():
    # from Monday 3 April 2023, the 45th working day after is Monday 12 June: 5 bank holidays
    # fall between (Good Friday 7 April, Easter Monday 10 April, 1 May, the coronation on
    # 8 May, 29 May), without which the 45th would have been 5 June
    data = year(
        cin_children=[child(c) for c in "abcdefg"],
        cin_assessments=[
            timed("a", "2023-05-02", "2023-05-02"),  # the same day: 0 days, within
            timed("b", "2023-04-03", "2023-06-12"),  # 45 working days: within
            timed("c", "2023-04-03", "2023-06-13"),  # 46: not
            timed("d", "2023-06-17", "2023-06-19"),  # Saturday to Monday: 1 day, within
            timed("e", "2023-05-01", None),  # in progress: not completed
            timed("f", "2023-02-01", "2023-03-31"),  # completed last year
            timed("g", "2022-11-01", "2023-04-03"),  # started last year, done this year: over 45
        ],
    )
    done = units_of("assessments_completed", data)
    assert len(done) == 5 and done["unit_id"].str.startswith(tuple("abcdg")).all()
    assert ids("assessments_within_45_days", data) == [
        "a|2023-04-01|2023-05-02",
        "b|2023-04-01|2023-04-03",
        "d|2023-04-01|2023-06-17",
    ]
    value = la_total("assessments_within_45_days", data)
    assert (value["numerator"], value["denominator"]) == (3, 5)


def plan(cid, start, end=None, previous="0", referred="2020-01-01"):
    return {
        "la_child_id": cid,
        "cin_referral_date": referred,
        "cpp_start_date": start,
        "cpp_end_date": end,
        "number_of_previous_cpp": previous,
    }


def test_plans_ended_that_lasted_two_years_or_more():
    data = year(
        cin_children=[child(c) for c in "abcdefg"],
        cin_cp_plans=[
            plan("a", "2021-06-15", "2023-06-15"),  # exactly two years: counted
            plan("b", "2021-06-16", "2023-06-15"),  # a day short: not
            plan("c", "2020-02-29", "2022-02-28"),  # ended before the year
            plan("d", "2022-01-01"),  # still open
            plan("e", "2020-05-01", "2023-05-01"),  # two plans of one child, both long:
            plan("e", "2021-01-01", "2024-03-31"),  # each counts (plans, not children)
            plan("f", "2023-05-01", "2023-11-01"),  # six months
            plan("g", "2021-04-01", "2024-02-01"),  # ended as the child moved away: counted
        ],
    )
    assert len(units_of("cpp_ended", data)) == 6
    assert ids("cpp_ended_two_years_or_more", data) == [
        "a|2021-06-15",
        "e|2020-05-01",
        "e|2021-01-01",
        "g|2021-04-01",
    ]
    value = la_total("cpp_ended_two_years_or_more", data)
    assert (value["numerator"], value["denominator"]) == (4, 6)


def test_second_or_subsequent_plan_counts_children():
    data = year(
        cin_children=[child(c) for c in "abcde"],
        cin_cp_plans=[
            plan("a", "2023-05-01"),  # a first plan
            plan("b", "2023-06-01", previous="1"),  # one plan before, in any year
            plan("c", "2023-04-10", "2023-07-01"),  # c: a plan, then another in the year
            plan("c", "2023-12-01"),  # which the census's count does not hold yet
            plan("d", "2022-01-01", previous="3"),  # started before the year: not starting
            plan("e", "2023-05-01", "2023-08-01", previous="2"),  # two plans, counted once
            plan("e", "2023-10-01", previous="3"),
        ],
    )
    assert ids("cpp_started_children", data) == ["a", "b", "c", "e"]
    assert ids("cpp_second_or_subsequent", data) == ["b", "c", "e"]
    value = la_total("cpp_second_or_subsequent", data)
    assert (value["numerator"], value["denominator"]) == (3, 4)


def la_total(indicator_id, data):
    """The LA's total row of an indicator for ``data``."""
    values = indicator_values(indicator(indicator_id), data)
    rows = values[(values["area_code"] == LA) & (values["breakdown"] == "total")]
    (row,) = rows.to_dict("records")
    return row


def enquiry(cid, start, conference=None, not_required="0", referred="2023-03-01"):
    return {
        "la_child_id": cid,
        "cin_referral_date": referred,
        "s_47_actual_start_date": start,
        "initial_cpc_target": None,
        "date_of_initial_cpc": conference,
        "icpc_not_required": not_required,
    }


def section47_year():
    """2023/24's enquiries, by hand: the year's edges, a conference in the next year, none
    required, two enquiries of one child."""
    return year(
        cin_children=[child(c) for c in "abcdefg"],
        cin_section47=[
            enquiry("a", "2023-04-01", "2023-04-20"),  # the year's first day: counted, and its ICPC
            enquiry("b", "2024-03-31"),  # the last day: counted; its conference not yet held
            enquiry("c", "2023-03-31", "2023-04-14"),  # started last year: its ICPC only
            enquiry("d", "2024-03-20", "2024-04-08"),  # ICPC in the next year: the enquiry only
            enquiry("e", "2023-06-01", None, "1"),  # ICPC not required: the enquiry only
            enquiry("f", "2023-05-02", "2023-05-20", referred="2023-05-01"),  # f's first two
            enquiry("f", "2023-09-04", None, "1", referred="2023-05-01"),
            enquiry("g", "2024-04-01"),  # next year's: nothing
        ],
    )


def test_section47_enquiries_count_enquiries_started_in_the_year():
    data = section47_year()
    assert ids("s47_enquiries", data) == [
        "a|2023-03-01|2023-04-01",
        "b|2023-03-01|2024-03-31",
        "d|2023-03-01|2024-03-20",
        "e|2023-03-01|2023-06-01",
        "f|2023-05-01|2023-05-02",
        "f|2023-05-01|2023-09-04",
    ]
    value = la_total("s47_enquiries", data)
    # 6 enquiries, 7 children with one of them over a population of 2 x 18 x 20 = 720
    assert (value["numerator"], value["denominator"]) == (6, 720)
    assert value["value"] == pytest.approx(6 / 720 * 10_000)


def test_initial_conferences_count_conferences_held_in_the_year():
    data = section47_year()
    assert ids("icpcs_after_s47", data) == [
        "a|2023-03-01|2023-04-01",
        "c|2023-03-01|2023-03-31",
        "f|2023-05-01|2023-05-02",
    ]
    units = units_of("icpcs_after_s47", data).set_index("unit_id")
    assert value_of(la_total("icpcs_after_s47", data)) == (3, 720)
    assert units.loc["c|2023-03-01|2023-03-31", "age"] == 7  # at the conference, April 2023


def value_of(row):
    return (row["numerator"], row["denominator"])


def test_section47_measures_are_rates_of_events_per_10000_children():
    for indicator_id in ("s47_enquiries", "icpcs_after_s47"):
        declared = indicator(indicator_id)
        assert declared.kind == "rate" and declared.multiplier == 10_000
        assert declared.denominator.ages == (0, 17)
        assert "Characteristics of children in need" in declared.definition
        assert "not of children" in declared.notes
