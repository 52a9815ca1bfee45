"""Which cells and additive relations the published layer has."""

import pandas as pd

from tip_pipeline.home_area import UNKNOWN, UNKNOWN_WARD
from tip_pipeline.publish.cells import build_cells, in_scope
from tip_pipeline.publish.suppression import feasible_ranges, suppress

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
