"""Looked after at 31 March: DfE snapshot, short breaks excluded, home LSOA."""

import pandas as pd

from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline.indicators.numerators.care import placements
from tip_pipeline.indicators.values import not_available
from tip_pipeline_tests.indicators.helpers import LSOA_A, LSOA_B, frame, year
from tip_pipeline_tests.indicators.numerators.test_children_in_need import la_total


def header(child, sex="1", dob="2012-05-01", eth="WBRI"):
    return {"child": child, "sex": sex, "dob": dob, "ethnic": eth}


def episode(child, start, end=None, ls="C2", home=LSOA_A):
    return {"child": child, "decom": start, "dec": end, "ls": ls, "home_post": home}


def data():
    return year(
        ssda903_header=[header(c) for c in "abcdefg"] + [header("h", sex="F")],
        ssda903_episodes=[
            episode("a", "2022-01-01"),  # open: counted
            episode("b", "2022-01-01", "2024-03-31"),  # ended ON 31 March: ceased
            episode("c", "2022-01-01", "2024-04-02"),  # ended after: counted
            episode("d", "2024-03-01", ls="V3"),  # short breaks only: excluded
            episode("e", "2024-03-01", ls="V4"),  # short breaks only: excluded
            episode("f", "2023-05-01", "2023-07-01", ls="V3"),  # short break, then
            episode("f", "2023-07-01", home=LSOA_B),  # a care episode: counted, home B
            episode("g", "2024-04-01"),  # starts after 31 March
            episode("h", "2021-01-01", "2021-06-01"),  # ended before the year
        ],
    )


def test_looked_after_on_31_march():
    units = units_of("cla_31mar", data())
    assert sorted(units["unit_id"]) == ["a", "c", "f"]
    assert units.set_index("unit_id").loc["f", "lsoa"] == LSOA_B
    assert set(units["age"]) == {11}  # born May 2012, on 31 March 2024


def test_looked_after_at_any_time_in_the_year_excludes_short_breaks():
    units = units_of("cla_in_year", data())
    assert sorted(units["unit_id"]) == ["a", "b", "c", "f"]


# -- outcome measures: hand-computed cases of DfE's counting rules --------------------------------


def ep(child, start, end=None, rne="P", place="U1", ls="C2", home=LSOA_A, pl_la=None):
    """An episode with its reason for the new episode and its placement."""
    return {
        "child": child,
        "decom": start,
        "dec": end,
        "rne": rne,
        "place": place,
        "ls": ls,
        "home_post": home,
        "pl_la": pl_la,
    }


def placements_year():
    return year(
        ssda903_header=[header(c) for c in "abcdefg"],
        ssda903_episodes=[
            # a: the placement open on 1 April and two more: 3
            ep("a", "2023-01-01", "2023-06-01", rne="S"),
            ep("a", "2023-06-01", "2023-10-01", place="R1"),
            ep("a", "2023-10-01", place="U1"),
            # b: a stay in hospital (T1) and the return to the same carers, then a change of
            # legal status only (L): 1 placement
            ep("b", "2023-05-01", "2023-06-01", rne="S"),
            ep("b", "2023-06-01", "2023-06-10", place="T1"),
            ep("b", "2023-06-10", "2023-08-01", place="U1"),
            ep("b", "2023-08-01", rne="L", ls="E1"),
            # c: foster carers who become adopters (T: same carers): 2 placements
            ep("c", "2023-04-10", "2023-05-01", rne="S"),
            ep("c", "2023-05-01", "2023-07-01", place="U3"),
            ep("c", "2023-07-01", rne="T", place="A3", ls="E1"),
            # d: three placements, but no longer looked after on 31 March
            ep("d", "2023-04-10", "2023-05-01", rne="S"),
            ep("d", "2023-05-01", "2023-06-01", place="U2"),
            ep("d", "2023-06-01", "2023-09-01", place="U3"),
            # e: a placement ending on 1 April was one of the year's: 3
            ep("e", "2022-01-01", "2023-04-01", rne="S"),
            ep("e", "2023-04-01", "2023-12-01", place="U2"),
            ep("e", "2023-12-01", place="U3"),
            # f: series of short breaks only: not in the cohort
            ep("f", "2023-04-10", "2023-04-12", rne="S", ls="V3"),
            ep("f", "2023-05-10", "2023-05-12", rne="S", ls="V3"),
            ep("f", "2024-03-10", rne="S", ls="V3"),
            # g: placed outside the authority, three placements: counted at home
            ep("g", "2023-04-05", "2023-08-01", rne="S", pl_la="E08000001", home=LSOA_B),
            ep("g", "2023-08-01", "2024-01-01", place="U2", pl_la="E08000001", home=LSOA_B),
            ep("g", "2024-01-01", place="U3", pl_la="E08000001", home=LSOA_B),
        ],
    )


def test_three_or_more_placements_leave_out_what_dfe_leaves_out():
    data = placements_year()
    assert sorted(units_of("cla_31mar", data)["unit_id"]) == ["a", "b", "c", "e", "g"]
    spells = placements(data.table("ssda903_episodes")).groupby("child").size()
    assert spells.to_dict() == {"a": 3, "b": 1, "c": 2, "d": 3, "e": 3, "g": 3}
    units = units_of("cla_three_or_more_placements", data)
    assert sorted(units["unit_id"]) == ["a", "e", "g"]
    assert units.set_index("unit_id").loc["g", "lsoa"] == LSOA_B
    value = la_total("cla_three_or_more_placements", data)
    assert (value["numerator"], value["denominator"]) == (3, 5)


def stability_year(drop_earliest=False):
    """31 March 2024: 30 months before is 30 September 2021, two years before 31 March 2022."""
    now = [
        # a: in care from exactly 30 months before (an episode only the 2021/22 return holds),
        # in the same placement for exactly two years
        ep("a", "2022-03-31", place="U2"),
        # b: in care a day short of 30 months: not in the denominator
        ep("b", "2021-10-01", rne="S"),
        # c: in care since 2020, in this placement since 2023: not stable
        ep("c", "2020-01-01", "2023-01-01", rne="S"),
        ep("c", "2023-01-01", place="U2"),
        # d: placed for adoption with new carers in 2023, after a placement begun in 2020
        ep("d", "2020-05-01", "2023-06-01", rne="S"),
        ep("d", "2023-06-01", place="A4", ls="E1"),
        # e: 16 on 31 March: too old for the measure
        ep("e", "2019-01-01", rne="S"),
        # f: a stay in hospital and back to the same carers: the same placement since 2021
        ep("f", "2021-01-01", "2023-05-01", rne="S"),
        ep("f", "2023-05-01", "2023-05-10", place="T1"),
        ep("f", "2023-05-10", place="U1"),
        # g: left care in January 2022 and came back in February: care began in 2022
        ep("g", "2022-02-01", rne="S"),
    ]
    # the returns of the two years before: the episodes open at some time in each year, as
    # each return held them (an episode open then has no end date there)
    open_then = [
        ep("a", "2022-03-31", place="U2"),
        ep("c", "2020-01-01", rne="S"),
        ep("d", "2020-05-01", rne="S"),
        ep("e", "2019-01-01", rne="S"),
        ep("f", "2021-01-01", rne="S"),
        ep("g", "2022-02-01", rne="S"),
    ]
    first_year = [
        *open_then,
        ep("a", "2021-09-30", "2022-03-31", rne="S"),
        ep("g", "2020-01-01", "2022-01-01", rne="S"),
    ]
    data = year(
        ssda903_header=[header(c, dob="2012-05-01") for c in "abcdfg"]
        + [header("e", dob="2008-01-01")],
        ssda903_episodes=now,
    )
    years = [("2021/22", first_year), ("2022/23", open_then)]
    if drop_earliest:
        years = years[1:]
    data.earlier = {
        "ssda903_episodes": pd.concat(
            [frame("ssda903_episodes", rows).assign(period=p) for p, rows in years],
            ignore_index=True,
        )
    }
    return data


def test_long_term_stability_two_and_a_half_years_in_care_two_in_the_placement():
    data = stability_year()
    assert sorted(units_of("cla_long_term", data)["unit_id"]) == ["a", "c", "d", "f"]
    assert sorted(units_of("cla_long_term_stable", data)["unit_id"]) == ["a", "d", "f"]
    value = la_total("cla_long_term_stability", data)
    assert (value["numerator"], value["denominator"]) == (3, 4)
    assert "cla_long_term_stability" not in not_available(data)


def test_long_term_stability_needs_both_look_back_years():
    data = stability_year(drop_earliest=True)
    reason = not_available(data)["cla_long_term_stability"]
    assert "2021/22 (ssda903_episodes)" in reason and "2022/23" not in reason


def test_missing_from_care_counts_children_looked_after_who_went_missing():
    data = year(
        ssda903_header=[header(c) for c in "abcd"],
        ssda903_episodes=[
            episode("a", "2022-01-01"),
            episode("b", "2022-01-01"),
            episode("c", "2022-01-01"),
            episode("d", "2023-06-01", "2023-06-03", ls="V3"),  # short breaks only
        ],
        ssda903_missing=[
            {"child": "a", "missing": "M", "mis_start": "2023-05-01", "mis_end": "2023-05-02"},
            {"child": "a", "missing": "M", "mis_start": "2023-07-01", "mis_end": "2023-07-02"},
            {"child": "b", "missing": "A", "mis_start": "2023-05-01"},  # away, not missing
            {"child": "c", "missing": "M", "mis_start": "2023-03-20", "mis_end": "2023-04-02"},
            {"child": "d", "missing": "M", "mis_start": "2023-06-02", "mis_end": "2023-06-02"},
        ],
    )
    assert sorted(units_of("cla_missing", data)["unit_id"]) == ["a"]
    value = la_total("cla_missing", data)
    assert (value["numerator"], value["denominator"]) == (1, 3)


def test_care_leavers_in_education_employment_training_and_suitable_accommodation():
    def leaver(c, activ, accom, in_touch="YES"):
        return {
            "child": c,
            "dob": "2004-06-01",
            "in_touch": in_touch,
            "activ": activ,
            "accom": accom,
        }

    data = year(
        ssda903_header=[header(c, dob="2004-06-01", sex="2") for c in "abcd"],
        ssda903_oc3=[
            leaver("a", "F1", "D1"),  # higher education, semi-independent and suitable
            leaver("b", "G4", "S2"),  # NEET (illness), no fixed abode
            leaver("c", "0", "0", in_touch="NO"),  # not in touch: in the denominator only
            leaver("d", "P5", "B2"),  # part-time work, with parents but not suitable
        ],
    )
    leavers = units_of("care_leavers_19_21", data)
    assert sorted(leavers["unit_id"]) == list("abcd")
    assert set(leavers["age"]) == {19} and set(leavers["lsoa"]) == {UNKNOWN}
    assert sorted(units_of("care_leavers_eet", data)["unit_id"]) == ["a", "d"]
    assert sorted(units_of("care_leavers_suitable_accommodation", data)["unit_id"]) == ["a"]
    eet = la_total("care_leavers_eet", data)
    assert (eet["numerator"], eet["denominator"]) == (2, 4)
    housed = la_total("care_leavers_suitable_accommodation", data)
    assert (housed["numerator"], housed["denominator"]) == (1, 4)
