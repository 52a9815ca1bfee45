"""The rest of the SSDA903 return the generator writes (``care_records`` through
``deliveries.ssda903_tables``): each year's UASC, AD1, PlacedAdoption, PrevPerm and SW episodes
rows are consistent with the same children's episodes (PlacedAdoption only with an adoption
placement A3-A6, AD1 only for an adoption E11/E12 in the year, UASC for teenagers accommodated
under section 20, SW episodes for every looked-after child from 2023/24, none before), every
child is in the year's header, and the keys are unique."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.sources.generator import _simulate, deliveries
from tip_pipeline.sources.generator.config import window
from tip_pipeline.sources.generator.pseudonyms import Pseudonyms, StaffPseudonyms
from tip_pipeline.validate.parse import partial_dates_readable

FIRST, LAST = "2021/22", "2024/25"
SEED = 3
TABLES = (
    "ssda903_uasc",
    "ssda903_ad1",
    "ssda903_placed_adoption",
    "ssda903_prev_perm",
    "ssda903_sw_episodes",
)


@pytest.fixture(scope="module")
def years() -> dict[FinancialYear, dict[str, pd.DataFrame]]:
    win = window(FIRST, LAST)
    sim = _simulate("small", win, SEED, lambda _name: None)
    ids = Pseudonyms(SEED)
    ids.prepare(np.arange(sim.uni.n))
    people = deliveries.People(sim.uni, sim.geo, ids, StaffPseudonyms(SEED))
    return {fy: deliveries.ssda903_tables(sim.care, people, fy) for fy in win.years}


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.replace("", None))


def test_the_tables_have_their_contract_columns_unique_keys_and_header_children(years) -> None:
    for tables in years.values():
        header = set(tables["ssda903_header"]["CHILD"])
        for table in TABLES:
            frame = tables[table]
            assert tuple(frame.columns) == EXTRACTS[table].column_names, table
            assert not frame.duplicated(list(EXTRACTS[table].key)).any(), table
            assert set(frame["CHILD"]) <= header, table
    for table in TABLES[:4]:  # the SW table is empty before 2023/24
        assert sum(len(t[table]) for t in years.values()) > 5, table


def test_placed_for_adoption_only_with_an_adoption_placement(years) -> None:
    """Every child with a decision to place is placed for adoption (A3-A6) in some year of
    the window: the decision comes first, up to some months before the placement."""
    adopting = {
        c
        for tables in years.values()
        for c in tables["ssda903_episodes"].query("PLACE in @codes.ADOPTION_PLACEMENTS")["CHILD"]
    }
    for fy, tables in years.items():
        placed = tables["ssda903_placed_adoption"]
        assert set(placed["CHILD"]) <= adopting
        ceased = placed["DATE_PLACED_CEASED"] != ""
        assert (ceased == (placed["REASON_PLACED_CEASED"] != "")).all()
        placed_on = _dates(placed["DATE_PLACED"])
        assert (_dates(placed.loc[ceased, "DATE_PLACED_CEASED"]) >= placed_on[ceased]).all()
        assert (placed_on <= pd.Timestamp(fy.end)).all()


def test_ad1_only_for_the_years_adoptions_with_consistent_adopters(years) -> None:
    for tables in years.values():
        ad1 = tables["ssda903_ad1"]
        episodes = tables["ssda903_episodes"]
        adopted = episodes[episodes["REC"].isin(codes.ADOPTED)]
        assert set(ad1["CHILD"]) == set(adopted["CHILD"])
        assert (_dates(ad1["DATE_INT"]) <= _dates(ad1["DATE_MATCH"])).all()
        two = ad1["NB_ADOPTR"] == "2"
        assert not ad1.loc[two, "SEX_ADOPTR"].isin(codes.SEX_OF_ONE_ADOPTER).any()  # rule 511
        assert ad1.loc[~two, "SEX_ADOPTR"].isin(codes.SEX_OF_ONE_ADOPTER).all()
        assert (ad1.loc[~two, "LS_ADOPTR"] == "L0").all() and (
            ad1.loc[two, "LS_ADOPTR"] != "L0"
        ).all()
        by_child = adopted.set_index("CHILD")["PLACE"]
        with_carers = ad1["CHILD"].map(by_child).isin(codes.ADOPTION_WITH_FOSTER_CARERS)
        assert (ad1["FOSTER_CARE"] == np.where(with_carers, "1", "0")).all()
        placed = tables["ssda903_placed_adoption"]
        open_decisions = placed[placed["DATE_PLACED_CEASED"] == ""]
        assert set(ad1["CHILD"]) <= set(open_decisions["CHILD"])


def test_uasc_teenagers_whose_status_ends_by_18(years) -> None:
    for fy, tables in years.items():
        uasc = tables["ssda903_uasc"]
        born = _dates(uasc["DOB"])
        ended = uasc["DUC"] != ""
        last_day = born + pd.DateOffset(years=18) + pd.offsets.MonthEnd(0)
        assert (_dates(uasc.loc[ended, "DUC"]) <= last_day[ended]).all()  # rule 304
        assert (
            _dates(uasc.loc[ended, "DUC"])
            .between(pd.Timestamp(fy.start), pd.Timestamp(fy.end))
            .all()
        )
        header = tables["ssda903_header"].set_index("CHILD")
        assert (uasc["SEX"].to_numpy() == header.loc[uasc["CHILD"], "SEX"].to_numpy()).all()


def test_prev_perm_for_children_starting_care_with_dates_never_made_up(years) -> None:
    for fy, tables in years.items():
        prev = tables["ssda903_prev_perm"]
        episodes = tables["ssda903_episodes"]
        starting = episodes[
            (episodes["RNE"] == "S") & (_dates(episodes["DECOM"]) >= pd.Timestamp(fy.start))
        ]
        assert set(prev["CHILD"]) <= set(starting["CHILD"])
        none = prev["PREV_PERM"] == codes.NO_PREVIOUS_PERMANENCE
        assert ((prev.loc[none, "LA_PERM"] == "") & (prev.loc[none, "DATE_PERM"] == "")).all()
        dated = prev.loc[prev["DATE_PERM"] != "", "DATE_PERM"]
        assert partial_dates_readable(dated.astype("string")).all()
        assert set(prev["LA_PERM"]) - {""} <= set(codes.LA_PERM)
    precisions = {len(d) for t in years.values() for d in t["ssda903_prev_perm"]["DATE_PERM"]}
    assert precisions >= {10, 7, 4}  # days, months and years


def test_sw_episodes_from_2023_24_for_every_looked_after_child(years) -> None:
    for fy, tables in years.items():
        sw = tables["ssda903_sw_episodes"]
        if fy < codes.SW_EPISODES_FROM:
            assert sw.empty
            continue
        episodes = tables["ssda903_episodes"]
        in_care = set(episodes.loc[~episodes["LS"].isin(codes.SHORT_BREAK_LEGAL_STATUS), "CHILD"])
        assert set(sw["CHILD"]) == in_care
        ended = sw["SW_DEC"] != ""
        assert (
            _dates(sw.loc[ended, "SW_DEC"])
            .between(pd.Timestamp(fy.start), pd.Timestamp(fy.end))
            .all()
        )
        assert (_dates(sw.loc[ended, "SW_DEC"]) > _dates(sw.loc[ended, "SW_DECOM"])).all()
        assert set(sw["SW_REASON"]) <= set(codes.SOCIAL_WORKER_CHANGE)
        assert sw["SW_ID"].str.fullmatch(r"[0-9a-f]{16}").all()
        assert set(sw["SW_ID"]).isdisjoint(tables["ssda903_header"]["CHILD"])
        # a pool of workers, each with several children, two successive never the same
        assert 1 < sw["SW_ID"].nunique() < sw["CHILD"].nunique()
        ordered = sw.sort_values(["CHILD", "SW_DECOM"])
        previous = ordered.groupby("CHILD")["SW_ID"].shift()
        assert not (ordered["SW_ID"] == previous).any()
