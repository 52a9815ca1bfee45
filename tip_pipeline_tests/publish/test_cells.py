"""Which cells and additive relations the published layer has."""

import numpy as np
import pandas as pd

from tip_pipeline.home_area import UNKNOWN, UNKNOWN_WARD
from tip_pipeline.indicators.flows import ALL, LEVELS, TRANSITIONS
from tip_pipeline.publish.cells import (
    breakdown_groups,
    build_cells,
    cohort_cell,
    cohort_cells,
    earlier_statuses,
    flow_cell,
    flow_statuses,
    in_scope,
)
from tip_pipeline.publish.suppression import Suppression, feasible_ranges, suppress

LA, WARD_A, WARD_B, REGION = "E08000999", "E05000001", "E05000002", "E12000003"
PARENTS = {WARD_A: LA, WARD_B: LA, LA: REGION}


def _row(indicator, area_type, area, breakdown, category, numerator, denominator=1000):
    return {
        "indicator_id": indicator,
        "area_type": area_type,
        "area_code": area,
        "breakdown": breakdown,
        "category": category,
        "numerator": numerator,
        "denominator": denominator,
    }


def _values(rows) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _no_values() -> pd.DataFrame:
    return pd.DataFrame(columns=list(_row("x", "la", LA, "total", "all", 0)))


def _empty_adversity() -> pd.DataFrame:
    return pd.DataFrame(columns=["area_code", "domains", "children", "denominator"])


def _empty_prevalence() -> pd.DataFrame:
    return pd.DataFrame(columns=["area_code", "measure", "basis", "children"])


def _relations(cells) -> dict[str, dict]:
    return {r.name: dict(r.terms) for r in cells.relations}


def test_scope_publishes_la_breakdowns_and_ward_headlines_only():
    values = _values(
        [
            _row("cla_31mar", "la", LA, "sex", "F", 10),
            _row("cla_31mar", "ward", WARD_A, "total", "all", 4),
            _row("cla_31mar", "ward", WARD_A, "sex", "F", 2),
            _row("cla_31mar", "lsoa", "E01000001", "total", "all", 1),
        ]
    )
    assert in_scope(values).tolist() == [True, True, False, False]


def test_categories_sum_to_the_total_and_a_shortfall_is_a_hidden_remainder():
    values = _values(
        [
            _row("cla_31mar", "la", LA, "total", "all", 30),
            _row("cla_31mar", "la", LA, "sex", "F", 12),
            _row("cla_31mar", "la", LA, "sex", "M", 18),
            _row("cla_31mar", "la", LA, "age_band", "0-4", 10),
            _row("cla_31mar", "la", LA, "age_band", "5-9", 15),  # 5 children of no band
        ]
    )
    cells = build_cells(values, _empty_adversity(), _empty_prevalence(), PARENTS)
    relations = _relations(cells)
    total = ("iv", "cla_31mar", LA, "total", "all", "numerator")
    assert relations[f"cla_31mar|{LA}|sex|numerator"] == {
        ("iv", "cla_31mar", LA, "sex", "F", "numerator"): 1,
        ("iv", "cla_31mar", LA, "sex", "M", "numerator"): 1,
        total: -1,
    }
    ages = relations[f"cla_31mar|{LA}|age_band|numerator"]
    remainder = ("remainder", f"cla_31mar|{LA}|age_band|numerator")
    assert ages[remainder] == 1 and cells.values[remainder] == 5
    assert remainder in cells.hidden


def test_deciles_pair_into_quintiles_and_wards_sum_to_their_la():
    rows = [_row("cpp_31mar", "la", LA, "total", "all", 9)]
    rows += [_row("cpp_31mar", "la", LA, "imd_decile", str(d), n) for d, n in [(1, 3), (2, 4)]]
    rows += [_row("cpp_31mar", "la", LA, "imd_quintile", "1", 7)]
    rows += [_row("cpp_31mar", "ward", w, "total", "all", n) for w, n in [(WARD_A, 6), (WARD_B, 3)]]
    cells = build_cells(_values(rows), _empty_adversity(), _empty_prevalence(), PARENTS)
    relations = _relations(cells)
    assert set(relations[f"cpp_31mar|{LA}|quintile 1|numerator"]) == {
        ("iv", "cpp_31mar", LA, "imd_decile", "1", "numerator"),
        ("iv", "cpp_31mar", LA, "imd_decile", "2", "numerator"),
        ("iv", "cpp_31mar", LA, "imd_quintile", "1", "numerator"),
    }
    assert set(relations[f"cpp_31mar|{LA}|wards|numerator"]) == {
        ("iv", "cpp_31mar", WARD_A, "total", "all", "numerator"),
        ("iv", "cpp_31mar", WARD_B, "total", "all", "numerator"),
        ("iv", "cpp_31mar", LA, "total", "all", "numerator"),
    }


def test_the_unknown_home_area_is_a_ward_and_a_decile_and_a_quintile_and_is_protected():
    """Children of unknown home area: the unknown ward sums with the others to the LA, the
    unknown decile is the unknown quintile (one count published twice), and a small unknown
    count cannot be worked back from the LA total, the wards or the deciles."""
    parents = {**PARENTS, UNKNOWN_WARD: LA}
    rows = [_row("cpp_31mar", "la", LA, "total", "all", 40)]
    deciles = [("1", 12), ("2", 9), ("9", 10), ("10", 6), (UNKNOWN, 3)]
    rows += [_row("cpp_31mar", "la", LA, "imd_decile", d, n, None) for d, n in deciles]
    quintiles = [("1", 21), ("5", 16), (UNKNOWN, 3)]
    rows += [_row("cpp_31mar", "la", LA, "imd_quintile", q, n, None) for q, n in quintiles]
    wards = [(WARD_A, 20), (WARD_B, 17), (UNKNOWN_WARD, 3)]
    rows += [_row("cpp_31mar", "ward", w, "total", "all", n, None) for w, n in wards]
    cells = build_cells(_values(rows), _empty_adversity(), _empty_prevalence(), parents)
    relations = _relations(cells)

    def cell(area, breakdown, category):
        return ("iv", "cpp_31mar", area, breakdown, category, "numerator")

    assert relations[f"cpp_31mar|{LA}|unknown decile = quintile|numerator"] == {
        cell(LA, "imd_decile", UNKNOWN): 1,
        cell(LA, "imd_quintile", UNKNOWN): -1,
    }
    assert cell(UNKNOWN_WARD, "total", "all") in relations[f"cpp_31mar|{LA}|wards|numerator"]
    assert not cells.hidden  # every part published: no remainder
    result = suppress(cells.values, cells.relations, 5, hidden=cells.hidden)
    assert {cell(LA, b, UNKNOWN) for b in ("imd_decile", "imd_quintile")} <= result.suppressed
    assert cell(UNKNOWN_WARD, "total", "all") in result.suppressed
    ranges = feasible_ranges(cells.values, cells.relations, result)
    assert all(high - low >= 5 for low, high in ranges.values())


def test_parts_exceeding_their_total_are_not_declared_additive():
    rows = [
        _row("cpp_31mar", "la", LA, "total", "all", 5),
        _row("cpp_31mar", "la", LA, "sex", "F", 4),
        _row("cpp_31mar", "la", LA, "sex", "M", 4),
    ]
    cells = build_cells(_values(rows), _empty_adversity(), _empty_prevalence(), PARENTS)
    assert f"cpp_31mar|{LA}|sex|numerator" not in _relations(cells)


def test_a_counted_denominator_is_a_cell_with_its_own_relations():
    share = "homeless_domestic_abuse_share"
    rows = [
        _row(share, "la", LA, "total", "all", 3, 20),
        _row(share, "la", LA, "imd_quintile", "1", 2, 12),
        _row(share, "la", LA, "imd_quintile", "2", 1, 8),
    ]
    cells = build_cells(_values(rows), _empty_adversity(), _empty_prevalence(), PARENTS)
    assert cells.values[("iv", share, LA, "total", "all", "denominator")] == 20
    assert f"{share}|{LA}|imd_quintile|denominator" in _relations(cells)


def test_adversity_sums_to_the_population_and_two_plus_is_one_cell_published_twice():
    adversity = pd.DataFrame(
        {
            "area_code": LA,
            "domains": ["0", "1", "2", "3", "4+", "2+"],
            "children": [900, 60, 25, 10, 5, 40],
            "denominator": 1000,
        }
    )
    values = _values([_row("adversity_two_or_more", "la", LA, "total", "all", 40)])
    cells = build_cells(values, adversity, _empty_prevalence(), PARENTS)
    relations = {r.name: r for r in cells.relations}
    assert relations[f"adversity|{LA}"].rhs == 1000
    assert len(relations[f"adversity|{LA}"].terms) == 5
    assert dict(relations[f"adversity 2+ = indicator|{LA}"].terms) == {
        ("adv", LA, "2+"): 1,
        ("iv", "adversity_two_or_more", LA, "total", "all", "numerator"): -1,
    }


def test_prevalence_service_rows_are_the_indicator_totals():
    prevalence = pd.DataFrame(
        {
            "area_code": LA,
            "measure": ["looked_after", "toxic_trio_any", "toxic_trio_any"],
            "basis": ["recorded", "recorded", "modelled"],
            "children": [30.0, 200.0, 812.5],
        }
    )
    values = _values([_row("cla_31mar", "la", LA, "total", "all", 30)])
    cells = build_cells(values, _empty_adversity(), prevalence, PARENTS)
    assert ("prev", LA, "toxic_trio_any") in cells.values  # recorded rows are cells
    assert all(c[0] != "prev" or c[2] != "modelled" for c in cells.values)
    assert f"prevalence looked_after|{LA}" in _relations(cells)


# -- involvement flows ---------------------------------------------------------------------------


def _flows(
    period: str, previous: str, matrix: dict[tuple[str, str], int], area: str = LA
) -> pd.DataFrame:
    """A year's flow rows for ``area`` from the transitions ``matrix`` (pairs not given are 0),
    with the margins summed as ``indicators.flows`` sums them."""
    cell = {pair: matrix.get(pair, 0) for pair in TRANSITIONS}
    rows = [(a, b, n) for (a, b), n in cell.items()]
    for level in LEVELS:
        rows.append((level, ALL, sum(n for (a, _), n in cell.items() if a == level)))
        rows.append((ALL, level, sum(n for (_, b), n in cell.items() if b == level)))
    frame = pd.DataFrame(rows, columns=["from_level", "to_level", "children"])
    return frame.assign(period=period, previous_period=previous, area_code=area)


#: two years of flows: 2023/24's margins of 2023/24 are 2024/25's margins of 2023/24
FLOWS_2324 = {
    ("none", "referral"): 40,
    ("none", "in_need"): 30,
    ("none", "child_protection"): 3,
    ("in_need", "in_need"): 50,
    ("in_need", "none"): 20,
    ("child_protection", "looked_after"): 6,
    ("looked_after", "looked_after"): 60,
}
FLOWS_2425 = {
    ("referral", "none"): 25,
    ("referral", "in_need"): 15,
    ("in_need", "in_need"): 60,
    ("in_need", "child_protection"): 18,
    ("in_need", "looked_after"): 2,
    ("child_protection", "child_protection"): 3,
    ("looked_after", "looked_after"): 64,
    ("looked_after", "none"): 2,
    ("none", "referral"): 45,
}


def test_flow_rows_and_columns_sum_to_their_margins_and_years_share_their_level_totals():
    flows = pd.concat(
        [_flows("2023/24", "2022/23", FLOWS_2324), _flows("2024/25", "2023/24", FLOWS_2425)]
    )
    cells = build_cells(_no_values(), _empty_adversity(), _empty_prevalence(), PARENTS, flows)
    relations = _relations(cells)
    row = relations[f"flows 2024/25|{LA}|from in_need"]
    assert row[flow_cell("2024/25", LA, "in_need", ALL)] == -1
    assert {c[4] for c, a in row.items() if a == 1} == set(LEVELS)
    column = relations[f"flows 2024/25|{LA}|to none"]
    assert {c[3] for c, a in column.items() if a == 1} == set(LEVELS) - {"none"}
    assert relations[f"flows 2024/25|{LA}|in_need in 2023/24"] == {
        flow_cell("2024/25", LA, "in_need", ALL): 1,
        flow_cell("2023/24", LA, ALL, "in_need"): -1,
    }
    assert not any(r.name.startswith("remainder") for r in cells.relations)  # sums are exact


def test_flows_are_controlled_with_the_earlier_years_as_published_and_the_audit_passes():
    """2023/24 is suppressed and published first; 2024/25 is then controlled with it: its
    withheld cells stay withheld, its published ones are never complements, and every
    withheld count of both years keeps a range at least the threshold wide."""
    earlier = _flows("2023/24", "2022/23", FLOWS_2324)
    first = build_cells(_no_values(), _empty_adversity(), _empty_prevalence(), PARENTS, earlier)
    done = suppress(first.values, first.relations, 5, hidden=first.hidden)
    published = earlier.assign(
        children=[
            float("nan") if flow_cell(*key) in done.suppressed else n
            for *key, n in zip(
                earlier["period"],
                earlier["area_code"],
                earlier["from_level"],
                earlier["to_level"],
                earlier["children"],
                strict=True,
            )
        ]
    )
    both = pd.concat([earlier, _flows("2024/25", "2023/24", FLOWS_2425)])
    cells = build_cells(_no_values(), _empty_adversity(), _empty_prevalence(), PARENTS, both)
    withheld, shown = flow_statuses(published, cells)
    assert done.suppressed <= withheld and done.suppressed  # the 3 and its complements ...
    # ... and this year's totals of last year's levels, as last year published them
    assert flow_cell("2024/25", LA, "child_protection", ALL) in withheld
    assert flow_cell("2024/25", LA, "in_need", ALL) in shown
    result = suppress(
        cells.values, cells.relations, 5, hidden=cells.hidden, forced=withheld, fixed=shown
    )
    assert withheld <= result.suppressed
    assert not (shown & result.suppressed)  # nothing published before is withdrawn
    now = {c for c in result.suppressed if c[1] == "2024/25"}
    assert flow_cell("2024/25", LA, "in_need", "looked_after") in now  # a 2
    assert flow_cell("2024/25", LA, "child_protection", "child_protection") in now  # a 3
    ranges = feasible_ranges(cells.values, cells.relations, result)
    assert ranges and all(high - low >= 5 for low, high in ranges.values())


def test_a_later_year_controlled_alone_could_give_away_an_earlier_withheld_total():
    """Why the years are controlled together: 2023/24 withholds its children on a plan (3);
    controlled alone, 2024/25 withholds its own small cells but can leave the row of last
    year's children on a plan recoverable, since that total is a cell of both years."""
    earlier = _flows("2023/24", "2022/23", FLOWS_2324)
    both = pd.concat([earlier, _flows("2024/25", "2023/24", FLOWS_2425)])
    cells = build_cells(_no_values(), _empty_adversity(), _empty_prevalence(), PARENTS, both)
    alone = build_cells(
        _no_values(),
        _empty_adversity(),
        _empty_prevalence(),
        PARENTS,
        _flows("2024/25", "2023/24", FLOWS_2425),
    )
    later = suppress(alone.values, alone.relations, 5, hidden=alone.hidden)
    first = build_cells(_no_values(), _empty_adversity(), _empty_prevalence(), PARENTS, earlier)
    done = suppress(first.values, first.relations, 5, hidden=first.hidden)
    together = Suppression(primary=done.suppressed | later.suppressed)
    ranges = feasible_ranges(cells.values, cells.relations, together)
    assert min(high - low for low, high in ranges.values()) < 5


OTHER_LA, THIRD_LA, OTHER_REGION, ENGLAND = "E08000998", "E06000001", "E12000004", "E92000001"
#: two LAs in REGION, a third in OTHER_REGION, both regions in England
WIDER_PARENTS = {LA: REGION, OTHER_LA: REGION, THIRD_LA: OTHER_REGION}
WIDER_PARENTS |= {REGION: ENGLAND, OTHER_REGION: ENGLAND}
FLOWS_OTHER = {
    ("none", "referral"): 12,
    ("none", "child_protection"): 10,
    ("child_protection", "looked_after"): 10,
}
FLOWS_THIRD = {("in_need", "in_need"): 7}


def _summed(*frames: pd.DataFrame, area: str) -> pd.DataFrame:
    """The flows of an area made of ``frames``' areas: each cell the sum of theirs."""
    rows = pd.concat(frames).groupby(["period", "previous_period", "from_level", "to_level"])
    return rows["children"].sum().reset_index().assign(area_code=area)


def _wider_flows() -> pd.DataFrame:
    """2023/24's flows of the three LAs, their two regions and England, as
    ``indicators.flows`` sums them."""
    las = [
        _flows("2023/24", "2022/23", FLOWS_2324, LA),
        _flows("2023/24", "2022/23", FLOWS_OTHER, OTHER_LA),
        _flows("2023/24", "2022/23", FLOWS_THIRD, THIRD_LA),
    ]
    region = _summed(las[0], las[1], area=REGION)
    other_region = _summed(las[2], area=OTHER_REGION)
    england = _summed(region, other_region, area=ENGLAND)
    return pd.concat([*las, region, other_region, england], ignore_index=True)


def test_region_flows_sum_their_authorities_and_england_its_regions():
    flows = _wider_flows()
    cells = build_cells(_no_values(), _empty_adversity(), _empty_prevalence(), WIDER_PARENTS, flows)
    relations = _relations(cells)
    pair = "child_protection->looked_after"
    assert relations[f"flows 2023/24|{REGION}|{pair} = its areas"] == {
        flow_cell("2023/24", LA, "child_protection", "looked_after"): 1,
        flow_cell("2023/24", OTHER_LA, "child_protection", "looked_after"): 1,
        flow_cell("2023/24", REGION, "child_protection", "looked_after"): -1,
    }
    assert relations[f"flows 2023/24|{ENGLAND}|{pair} = its areas"] == {
        flow_cell("2023/24", REGION, "child_protection", "looked_after"): 1,
        flow_cell("2023/24", OTHER_REGION, "child_protection", "looked_after"): 1,
        flow_cell("2023/24", ENGLAND, "child_protection", "looked_after"): -1,
    }
    margin = relations[f"flows 2023/24|{REGION}|all->in_need = its areas"]
    assert margin[flow_cell("2023/24", REGION, ALL, "in_need")] == -1
    # every cell of the region and of England, margins included, has its relation
    wider = flows[flows["area_code"].isin([REGION, ENGLAND])]
    assert all(
        f"flows 2023/24|{r.area_code}|{r.from_level}->{r.to_level} = its areas" in relations
        for r in wider.itertuples()
    )
    assert not any(r.name.startswith("remainder") for r in cells.relations)  # sums are exact
    # a region without flows of its own (incomplete) relates nothing: its LAs stand alone
    alone = flows[flows["area_code"].isin([LA, OTHER_LA])]
    cells = build_cells(_no_values(), _empty_adversity(), _empty_prevalence(), WIDER_PARENTS, alone)
    assert not any(r.name.endswith("= its areas") for r in cells.relations)


def test_region_and_england_flows_pass_the_audit_only_with_their_relations():
    """LA's 3 children first known on a plan are withheld; the region's cell (3 + 10) and
    OTHER_LA's (10) would give it away by subtraction, unless the hierarchy is declared and
    disclosure control withholds a complement across the areas."""
    flows = _wider_flows()
    cells = build_cells(_no_values(), _empty_adversity(), _empty_prevalence(), WIDER_PARENTS, flows)
    result = suppress(cells.values, cells.relations, 5, hidden=cells.hidden)
    assert flow_cell("2023/24", LA, "none", "child_protection") in result.suppressed  # the 3
    ranges = feasible_ranges(cells.values, cells.relations, result)
    assert ranges and all(high - low >= 5 for low, high in ranges.values())
    # controlled area by area (no hierarchy), an analyst setting the areas side by side
    # narrows a withheld count
    by_area = Suppression(primary=set())
    for area in flows["area_code"].unique():
        own = build_cells(
            _no_values(),
            _empty_adversity(),
            _empty_prevalence(),
            {},
            flows[flows["area_code"] == area],
        )
        by_area.primary |= suppress(own.values, own.relations, 5, hidden=own.hidden).suppressed
    ranges = feasible_ranges(cells.values, cells.relations, by_area)
    assert min(high - low for low, high in ranges.values()) < 5


# -- cohorts ----------------------------------------------------------------------------------


def _cohorts():
    """The restricted cohort rows of the hand-made six children (indicators/test_cohorts.py),
    published with 2025/26, and the same rows as if published the year before too."""
    from tip_pipeline.indicators import cohorts
    from tip_pipeline_tests.indicators.test_cohorts import six_children

    now = cohorts.cohorts(six_children())
    return now, pd.concat([now.assign(period="2024/25"), now])


def _cohort_cells(frame):
    return build_cells(
        _no_values(), _empty_adversity(), _empty_prevalence(), PARENTS, cohorts=frame
    )


def test_cohort_quintiles_sum_to_all_and_at_risk_carries_over():
    now, _ = _cohorts()
    cells = _cohort_cells(now)
    relations = _relations(cells)
    key = ("2025/26", "toxic_trio", "2023/24", LA)
    by_quintile = relations[f"cohort 2025/26|toxic_trio 2023/24|{LA}|any|0|at_risk by quintile"]
    assert by_quintile[cohort_cell(*key, "any", "all", 0, "at_risk")] == -1
    assert {c[6] for c, a in by_quintile.items() if a == 1} == {"1", "2", "3", "4", "5"}
    carried = relations[f"cohort 2025/26|toxic_trio 2023/24|{LA}|any|all|12 carried"]
    assert carried == {
        cohort_cell(*key, "any", "all", 12, "events"): 1,
        cohort_cell(*key, "any", "all", 12, "censored"): 1,
        cohort_cell(*key, "any", "all", 24, "at_risk"): 1,
        cohort_cell(*key, "any", "all", 12, "at_risk"): -1,
    }
    entered = relations[f"cohort 2025/26|toxic_trio 2023/24|{LA}|all|child_protection entered"]
    assert set(entered.values()) == {1, -1}
    for relation in cells.relations:  # every relation holds on the true counts
        total = sum(a * cells.values[c] for c, a in relation.terms.items())
        assert total == relation.rhs


def test_a_cohort_published_again_the_next_year_is_the_same_count_at_entry():
    _, both = _cohorts()
    relations = _relations(_cohort_cells(both))
    name = f"cohort 2025/26|toxic_trio 2023/24|{LA}|all entered, as in 2024/25"
    assert relations[name] == {
        cohort_cell("2025/26", "toxic_trio", "2023/24", LA, "any", "all", 0, "at_risk"): 1,
        cohort_cell("2024/25", "toxic_trio", "2023/24", LA, "any", "all", 0, "at_risk"): -1,
    }


def test_cohorts_suppressed_with_the_earlier_year_as_published_pass_the_audit():
    now, both = _cohorts()
    earlier = now.assign(period="2024/25")
    first = _cohort_cells(earlier)
    done = suppress(first.values, first.relations, 5, hidden=first.hidden)
    published = {
        c: float("nan") if c in done.suppressed else v for c, v in cohort_cells(earlier).items()
    }
    cells = _cohort_cells(both)
    withheld, shown = earlier_statuses(published, cells)
    assert done.suppressed <= withheld
    result = suppress(
        cells.values, cells.relations, 5, hidden=cells.hidden, forced=withheld, fixed=shown
    )
    assert not (shown & result.suppressed)
    # the six children's counts are all below 5 where not 0: every non-zero count is withheld
    assert all(c in result.suppressed for c, v in cells.values.items() if 0 < v < 5)
    ranges = feasible_ranges(cells.values, cells.relations, result)
    assert ranges and all(high - low >= 5 for low, high in ranges.values())


def _grouped_by_pandas(values: pd.DataFrame) -> list:
    """The groups as ``build_cells`` took them before: a sorted group-by per (indicator, area)
    and then per breakdown, the headline rows left out."""
    rows = values[values["breakdown"] != "total"]
    return [
        (indicator, area, [(b, list(g["category"])) for b, g in of_area.groupby("breakdown")])
        for (indicator, area), of_area in rows.groupby(["indicator_id", "area_code"])
    ]


def _area_row(key: tuple) -> tuple:
    indicator, area, breakdown, category = key
    return indicator, "la", area, breakdown, category


def test_breakdown_groups_are_pandas_sorted_group_bys_with_the_rows_in_their_order():
    rng = np.random.default_rng(7)
    keys = [
        (indicator, area, breakdown, category)
        for indicator in ("cla_31mar", "cin_rate", "Z_upper", "a-lower")
        for area in (LA, REGION, "E08000035", "W06000001")
        for breakdown in ("total", "sex", "imd_decile", "age_band", "ethnic_group")
        for category in ("all", "F", "M", "10", "2", "Unknown", "é", "0-4")
    ]
    picked = rng.choice(len(keys), size=400, replace=False)
    values = _values([_row(*_area_row(keys[i]), numerator=n) for n, i in enumerate(picked)])
    values = values.astype({"category": "str", "breakdown": "str", "area_code": "str"})
    assert list(breakdown_groups(values)) == _grouped_by_pandas(values)
    assert list(breakdown_groups(values.iloc[::-1])) == _grouped_by_pandas(values.iloc[::-1])
    assert list(breakdown_groups(values[values["breakdown"] == "total"])) == []
