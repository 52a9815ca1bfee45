"""Looked after at 31 March: DfE snapshot, short breaks excluded, home LSOA."""

from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline_tests.indicators.helpers import LSOA_A, LSOA_B, year


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
