"""Involvement flows: each child's highest level in a year, and the moves between two years,
on hand-made years whose every count is worked out by hand."""

import pandas as pd

from tip_pipeline.indicators import flows
from tip_pipeline.indicators.data import ENGLAND, YearData
from tip_pipeline.indicators.flows import (
    ALL,
    CHILD_PROTECTION,
    IN_NEED,
    LEVELS,
    LOOKED_AFTER,
    NONE,
    REFERRAL,
)
from tip_pipeline.indicators.look_back import FLOWS, tables_to_read
from tip_pipeline_tests.indicators.helpers import LA, LSOA_A, LSOA_B, YEAR, child, frame, reference

BEFORE = YEAR.shifted(-1)  # 2022/23


def episode(cid: str, referred: str, closed=None, nfa="0", reason=None) -> dict:
    return {
        "la_child_id": cid,
        "cin_referral_date": referred,
        "referral_source": "1A",
        "primary_need_code": "N1",
        "referral_nfa": nfa,
        "cin_closure_date": closed,
        "reason_for_closure": reason,
    }


def plan(cid: str, start: str, end=None) -> dict:
    return {
        "la_child_id": cid,
        "cin_referral_date": start,
        "cpp_start_date": start,
        "cpp_end_date": end,
        "number_of_previous_cpp": 0,
    }


def care(cid: str, start: str, end=None, ls="C2", home=LSOA_B) -> dict:
    return {"child": cid, "decom": start, "dec": end, "ls": ls, "home_post": home}


def levels(period, episodes=(), plans=(), cares=(), children=()) -> dict[str, str]:
    out = flows.child_levels(
        frame("cin_episodes", list(episodes)),
        frame("cin_cp_plans", list(plans)),
        frame("ssda903_episodes", list(cares)),
        frame("cin_children", list(children)),
        period,
    )
    return dict(zip(out["child"], out["level"], strict=True))


def test_the_highest_level_reached_in_the_year_is_the_childs():
    found = levels(
        YEAR,
        episodes=[
            episode("referred_then_in_care", "2023-05-01"),
            episode("nfa", "2023-06-01", "2023-06-01", nfa="1"),
            episode("assessed_not_in_need", "2023-06-01", "2023-07-10", reason="RC8"),
            episode("to_early_help", "2023-06-01", "2023-07-10", reason="RC9"),
            episode("in_need", "2022-11-01"),
            episode("on_a_plan", "2023-04-20"),
            episode("short_breaks", "2020-01-01"),
        ],
        plans=[plan("on_a_plan", "2023-05-01", "2024-03-31")],
        cares=[
            care("referred_then_in_care", "2023-09-01"),
            care("short_breaks", "2023-05-01", ls="V3"),
        ],
    )
    assert found == {
        "referred_then_in_care": LOOKED_AFTER,
        "nfa": REFERRAL,
        "assessed_not_in_need": REFERRAL,
        "to_early_help": REFERRAL,
        "in_need": IN_NEED,
        "on_a_plan": CHILD_PROTECTION,
        "short_breaks": IN_NEED,  # a series of short breaks is not being looked after
    }


def test_something_that_ended_on_31_march_before_the_year_is_not_in_it():
    found = levels(
        YEAR,
        episodes=[episode("ended", "2022-05-01", "2023-03-31"), episode("open", "2022-05-01")],
        plans=[plan("ended", "2022-06-01", "2023-03-31")],
        cares=[care("ended", "2022-07-01", "2023-03-31")],
    )
    assert found == {"open": IN_NEED}
    # ... and 1 April is in the year
    assert levels(YEAR, plans=[plan("p", "2022-06-01", "2023-04-01")]) == {"p": CHILD_PROTECTION}


def test_a_plan_ended_on_31_march_of_the_previous_year_leaves_the_child_none():
    before = pd.DataFrame({"child": ["c"], "level": [CHILD_PROTECTION], "lsoa": [LSOA_A]})
    now = flows.child_levels(
        frame("cin_episodes", []),
        frame("cin_cp_plans", [plan("c", "2022-06-01", "2023-03-31")]),
        frame("ssda903_episodes", []),
        frame("cin_children", [child("c")]),
        YEAR,
    )
    moves = flows.transitions(before, now)
    assert moves[["from_level", "to_level"]].values.tolist() == [[CHILD_PROTECTION, NONE]]


def test_a_child_first_known_this_year_was_none_last_year():
    now = pd.DataFrame({"child": ["new"], "level": [REFERRAL], "lsoa": [LSOA_A]})
    before = now.iloc[:0]
    moves = flows.transitions(before, now)
    assert moves[["from_level", "to_level"]].values.tolist() == [[NONE, REFERRAL]]


def test_the_home_area_is_the_care_episodes_else_the_cin_childs():
    out = flows.child_levels(
        frame("cin_episodes", [episode("a", "2023-05-01"), episode("b", "2023-05-01")]),
        frame("cin_cp_plans", []),
        frame("ssda903_episodes", [care("a", "2023-06-01", home=LSOA_B)]),
        frame("cin_children", [child("a", lsoa=LSOA_A), child("b", lsoa=None)]),
        YEAR,
    )
    assert dict(zip(out["child"], out["lsoa"], strict=True)) == {"a": LSOA_B, "b": "unknown"}


def two_years() -> YearData:
    """Five children across 2022/23 and 2023/24 in the one LA (``flows`` read the previous
    year from ``earlier``, as ``data.load_year`` reads it)."""
    kids = [child(c) for c in ("stays", "escalates", "leaves", "new", "steps_down")]
    this = {
        "cin_children": frame("cin_children", kids),
        "cin_episodes": frame(
            "cin_episodes",
            [
                episode("stays", "2022-10-01"),
                episode("escalates", "2023-01-01"),
                episode("new", "2023-10-01", "2023-10-01", nfa="1"),
                episode("steps_down", "2022-06-01"),
            ],
        ),
        "cin_cp_plans": frame(
            "cin_cp_plans",
            [plan("escalates", "2023-05-01"), plan("steps_down", "2022-07-01", "2023-03-31")],
        ),
        "ssda903_episodes": frame("ssda903_episodes", []),
    }
    earlier = {
        "cin_children": frame("cin_children", kids[:3] + kids[4:]),
        "cin_episodes": frame(
            "cin_episodes",
            [
                episode("stays", "2022-10-01"),
                episode("escalates", "2023-01-01"),
                episode("leaves", "2022-05-01", "2022-09-01", reason="RC7"),
                episode("steps_down", "2022-06-01"),
            ],
        ),
        "cin_cp_plans": frame("cin_cp_plans", [plan("steps_down", "2022-07-01", "2023-03-31")]),
        "ssda903_episodes": frame("ssda903_episodes", [care("leaves", "2022-08-01", "2022-12-01")]),
    }
    tables = {**reference(), **this}
    earlier = {name: rows.assign(period=BEFORE.label) for name, rows in earlier.items()}
    return YearData(period=YEAR, tables=tables, earlier=earlier)


def test_the_flows_of_two_years_with_their_margins():
    out = flows.flows(two_years())
    assert set(out["period"]) == {"2023/24"} and set(out["previous_period"]) == {"2022/23"}
    assert set(out["area_code"]) == {LA}
    n = {(r.from_level, r.to_level): r.children for r in out.itertuples()}
    assert (NONE, NONE) not in n
    assert len(n) == len(LEVELS) ** 2 - 1 + 2 * len(LEVELS)
    moved = {pair: count for pair, count in n.items() if count and ALL not in pair}
    assert moved == {
        (IN_NEED, IN_NEED): 1,  # stays
        (IN_NEED, CHILD_PROTECTION): 1,  # escalates
        (LOOKED_AFTER, NONE): 1,  # leaves
        (NONE, REFERRAL): 1,  # new
        (CHILD_PROTECTION, IN_NEED): 1,  # steps down: the plan ended on 31 March 2023
    }
    # margins: last year's levels (to "all") and this year's (from "all")
    assert {lv: n[(lv, ALL)] for lv in LEVELS} == {
        NONE: 1,
        REFERRAL: 0,
        IN_NEED: 2,
        CHILD_PROTECTION: 1,
        LOOKED_AFTER: 1,
    }
    assert {lv: n[(ALL, lv)] for lv in LEVELS} == {
        NONE: 1,
        REFERRAL: 1,
        IN_NEED: 2,
        CHILD_PROTECTION: 1,
        LOOKED_AFTER: 0,
    }


def test_the_margins_are_the_rows_and_columns_summed():
    out = flows.flows(two_years())
    n = {(r.from_level, r.to_level): r.children for r in out.itertuples()}
    for level in LEVELS:
        assert n[(level, ALL)] == sum(n.get((level, b), 0) for b in LEVELS)
        assert n[(ALL, level)] == sum(n.get((a, level), 0) for a in LEVELS)


def test_a_year_whose_previous_year_was_not_delivered_has_no_flows():
    data = two_years()
    data.earlier = {}
    assert flows.flows(data).empty


def test_the_flows_read_the_previous_years_cin_census_and_ssda903_episodes():
    assert FLOWS.look_back == 1
    read = tables_to_read()
    assert all(read[t] >= 1 for t in FLOWS.look_back_tables)


OTHER_LA, LSOA_C, WARD_C = "E08000998", "E01000003", "E05000003"
REGION = "E12000003"


def two_authorities(third_la: bool = False) -> dict[str, pd.DataFrame]:
    """The reference tables of ``two_years`` with a second LA (one LSOA, LSOA_C) in the same
    region; ``third_la``: the ONS LA-to-region lookup places a third LA in the region, which
    the LSOA lookup does not cover (a region missing one of its authorities)."""
    tables = reference()
    lookup = tables["ref_lsoa_lookup"]
    extra = {c: None for c in lookup.columns} | {
        "lsoa21cd": LSOA_C,
        "lsoa21nm": "C",
        "wd24cd": WARD_C,
        "wd24nm": "W3",
        "lad24cd": OTHER_LA,
        "lad24nm": "Other town",
    }
    tables["ref_lsoa_lookup"] = pd.concat([lookup, pd.DataFrame([extra])], ignore_index=True)
    tables["ref_imd"] = pd.DataFrame(
        {
            "lsoa_code_2021": [LSOA_A, LSOA_B, LSOA_C],
            "index_of_multiple_deprivation_imd_decile": ["1", "10", "5"],
        }
    )
    las = [(LA, "Town"), (OTHER_LA, "Other town")] + ([("E08000997", "Third")] if third_la else [])
    tables["ref_lad_region"] = frame(
        "ref_lad_region",
        [{"lad24cd": c, "lad24nm": n, "rgn24cd": REGION, "rgn24nm": "Yorks"} for c, n in las],
    )
    return tables


def two_years_two_authorities(third_la: bool = False) -> YearData:
    """``two_years``'s five children in LA (LSOA_A), and two more in OTHER_LA (LSOA_C): one in
    need in both years, one referred this year only."""
    data = two_years()
    others = [child("other_stays", lsoa=LSOA_C), child("other_new", lsoa=LSOA_C)]
    extra = {
        "cin_children": frame("cin_children", others),
        "cin_episodes": frame(
            "cin_episodes",
            [
                episode("other_stays", "2022-10-01"),
                episode("other_new", "2023-11-01", "2023-11-01", nfa="1"),
            ],
        ),
    }
    tables = {**data.tables, **two_authorities(third_la)}
    for name, rows in extra.items():
        tables[name] = pd.concat([tables[name], rows], ignore_index=True)
    earlier = dict(data.earlier)
    for name in ("cin_children", "cin_episodes"):
        keep = extra[name].iloc[:1].assign(period=BEFORE.label)  # other_stays only
        earlier[name] = pd.concat([earlier[name], keep], ignore_index=True)
    return YearData(period=YEAR, tables=tables, earlier=earlier)


def by_area(out: pd.DataFrame) -> dict[str, dict[tuple[str, str], int]]:
    return {
        area: {(r.from_level, r.to_level): r.children for r in rows.itertuples()}
        for area, rows in out.groupby("area_code")
    }


def test_a_complete_region_and_england_have_the_sum_of_their_authorities_flows():
    out = flows.flows(two_years_two_authorities())
    n = by_area(out)
    assert set(n) == {LA, OTHER_LA, REGION, ENGLAND[0]}
    for pair in n[LA]:
        assert n[REGION][pair] == n[LA][pair] + n[OTHER_LA][pair]
        assert n[ENGLAND[0]][pair] == n[REGION][pair]
    assert n[OTHER_LA][(IN_NEED, IN_NEED)] == 1 and n[OTHER_LA][(NONE, REFERRAL)] == 1
    assert n[REGION][(IN_NEED, IN_NEED)] == 2 and n[REGION][(NONE, REFERRAL)] == 2
    assert n[REGION][(ALL, REFERRAL)] == 2 and n[REGION][(IN_NEED, ALL)] == 3
    names = dict(zip(out["area_code"], out["area_name"], strict=True))
    assert names[REGION] == "Yorks" and names[ENGLAND[0]] == ENGLAND[1]
    assert flows.wider_area_reasons(two_years_two_authorities()) == {}


def test_a_region_missing_one_of_its_authorities_has_no_flows_and_says_why():
    data = two_years_two_authorities(third_la=True)
    out = flows.flows(data)
    assert set(out["area_code"]) == {LA, OTHER_LA}  # neither the region nor England
    reasons = flows.wider_area_reasons(data)
    assert set(reasons) == {REGION, ENGLAND[0]}
    assert "1 of 3 not in the LSOA lookup" in reasons[REGION]
    assert reasons[REGION].startswith("no flows: the delivery does not hold every local")


def test_a_single_authority_has_la_flows_only():
    out = flows.flows(two_years())
    assert set(out["area_code"]) == {LA}
    assert set(flows.wider_area_reasons(two_years())) == {"E12000003", ENGLAND[0]}
