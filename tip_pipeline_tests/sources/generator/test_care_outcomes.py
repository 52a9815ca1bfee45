"""The SSDA903 outcome tables the generator writes (``care_outcomes`` through
``deliveries.ssda903_tables``): each year's Missing, Reviews, OC2 and OC3 rows are plausible
against the same children's episodes and dates of birth, every child of them is in the year's
header, the keys are unique, and the same seed gives the same tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.sources.generator import _simulate, care_outcomes, deliveries
from tip_pipeline.sources.generator.config import window
from tip_pipeline.sources.generator.pseudonyms import Pseudonyms, StaffPseudonyms

FIRST, LAST = "2022/23", "2024/25"
SEED = 3
OUTCOME_TABLES = ("ssda903_missing", "ssda903_reviews", "ssda903_oc2", "ssda903_oc3")


def _tables(seed: int) -> dict[FinancialYear, dict[str, pd.DataFrame]]:
    win = window(FIRST, LAST)
    sim = _simulate("small", win, seed, lambda _name: None)
    ids = Pseudonyms(seed)
    ids.prepare(np.arange(sim.uni.n))
    people = deliveries.People(sim.uni, sim.geo, ids, StaffPseudonyms(seed))
    return {fy: deliveries.ssda903_tables(sim.care, people, fy) for fy in win.years}


@pytest.fixture(scope="module")
def years() -> dict[FinancialYear, dict[str, pd.DataFrame]]:
    return _tables(SEED)


def test_every_year_has_the_four_tables_in_their_contract_columns(years) -> None:
    for tables in years.values():
        for table in OUTCOME_TABLES:
            frame = tables[table]
            assert tuple(frame.columns) == EXTRACTS[table].column_names
            assert len(frame) > 0, table
            assert not frame.duplicated(list(EXTRACTS[table].key)).any(), table


def test_every_child_is_in_the_header_with_the_same_birth_month(years) -> None:
    for tables in years.values():
        header = tables["ssda903_header"].set_index("CHILD")["DOB"]
        for table in OUTCOME_TABLES:
            frame = tables[table]
            assert frame["CHILD"].isin(header.index).all(), table
            assert (frame["DOB"].to_numpy() == header[frame["CHILD"]].to_numpy()).all(), table


def test_missing_episodes_lie_in_care_and_do_not_overlap(years) -> None:
    for fy, tables in years.items():
        missing = tables["ssda903_missing"]
        start = pd.to_datetime(missing["MIS_START"])
        end = pd.to_datetime(missing["MIS_END"].replace("", None))
        assert (end.isna() | (end >= start)).all()
        assert (end.dropna() <= pd.Timestamp(fy.end)).all()  # a later return is not yet known
        assert set(missing["MISSING"]) <= set(codes.MISSING_TYPE)
        ordered = missing.assign(start=start, end=end).sort_values(["CHILD", "start"])
        previous_end = ordered.groupby("CHILD")["end"].shift()
        assert not (ordered["start"] <= previous_end).any()
        in_care = set(tables["ssda903_episodes"]["CHILD"])
        assert set(missing["CHILD"]) <= in_care
        # a minority of the children in care go missing
        assert 0 < missing["CHILD"].nunique() < 0.5 * len(in_care)


def test_reviews_are_held_in_the_year_about_every_six_months(years) -> None:
    for fy, tables in years.items():
        reviews = tables["ssda903_reviews"]
        day = pd.to_datetime(reviews["REVIEW"])
        assert day.between(pd.Timestamp(fy.start), pd.Timestamp(fy.end)).all()
        assert set(reviews["REVIEW_CODE"]) <= set(codes.REVIEW_PARTICIPATION)
        age = (day - pd.to_datetime(reviews["DOB"])).dt.days / 365.25
        assert (reviews.loc[age < 3.9, "REVIEW_CODE"] == codes.REVIEW_UNDER_4).all()
        assert (reviews.loc[age >= 4.1, "REVIEW_CODE"] != codes.REVIEW_UNDER_4).all()
        gaps = day.groupby(reviews["CHILD"]).diff().dt.days.dropna()
        assert gaps.min() > 0 and 120 < gaps.median() < 200
        assert (gaps > care_outcomes.REVIEW_LATER).any()  # some reviews are late


def test_oc2_children_were_in_care_a_year_and_are_scored_by_age(years) -> None:
    for fy, tables in years.items():
        oc2 = tables["ssda903_oc2"]
        episodes = tables["ssda903_episodes"]
        open_31 = episodes[(episodes["DEC"] == "") | (episodes["DEC"] > str(fy.end))]
        assert set(oc2["CHILD"]) <= set(open_31["CHILD"])
        age = (pd.Timestamp(fy.end) - pd.to_datetime(oc2["DOB"])).dt.days // 365.25
        scored = oc2["SDQ_SCORE"] != ""
        assert (scored != (oc2["SDQ_REASON"] != "")).all()  # a score or its reason
        assert age[scored].between(*codes.SDQ_AGES).all()
        assert oc2.loc[~age.between(*codes.SDQ_AGES), "SDQ_REASON"].eq("SDQ1").all()
        assert oc2.loc[scored, "SDQ_SCORE"].astype(int).between(0, codes.SDQ_MAX).all()
        no_misuse = oc2["SUBSTANCE_MISUSE"] == "0"
        assert (oc2.loc[no_misuse, ["INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]] == "").all(
            axis=None
        )
        assert ((oc2["HEALTH_ASSESSMENT"] == "") == (age >= 5)).all()


def test_oc3_care_leavers_turn_19_to_21_in_the_year(years) -> None:
    for fy, tables in years.items():
        oc3 = tables["ssda903_oc3"]
        born = pd.to_datetime(oc3["DOB"])
        birthdays = [born + pd.DateOffset(years=n) for n in care_outcomes.OC3_BIRTHDAYS]
        in_year = [b.between(pd.Timestamp(fy.start), pd.Timestamp(fy.end)) for b in birthdays]
        assert np.logical_or.reduce(in_year).all()
        assert not oc3["CHILD"].isin(tables["ssda903_episodes"]["CHILD"]).any()
        unknown = oc3["IN_TOUCH"].isin(care_outcomes.IN_TOUCH_UNKNOWN)
        assert (oc3.loc[unknown, ["ACTIV", "ACCOM"]] == "0").all(axis=None)
        assert set(oc3["ACCOM"]) <= set(codes.ACCOMMODATION)
        assert set(oc3["ACTIV"]) <= set(codes.ACTIVITY)


def test_the_same_seed_gives_the_same_tables_and_another_seed_others(years) -> None:
    again = _tables(SEED)
    other = _tables(SEED + 1)
    for fy, tables in years.items():
        for table in OUTCOME_TABLES:
            pd.testing.assert_frame_equal(tables[table], again[fy][table])
            assert not tables[table].equals(other[fy][table])
