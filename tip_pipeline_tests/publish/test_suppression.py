"""Primary and secondary suppression on small hand-made tables, and the linear-program audit."""

import math
import random

import numpy as np
import pytest

from tip_pipeline.publish.suppression import (
    Relation,
    Suppression,
    UnsolvedAudit,
    _bound,
    _connected,
    _group_ranges,
    _single_sum_ranges,
    feasible_ranges,
    primary_cells,
    published_in_effect,
    suppress,
)

T = 5  # counts 1-4 suppressed


def total_of(parts: list[str], total: str) -> Relation:
    return Relation(terms={**dict.fromkeys(parts, 1), total: -1}, name=total)


def widths(values, relations, result) -> dict:
    return {c: hi - lo for c, (lo, hi) in feasible_ranges(values, relations, result).items()}


def test_primary_suppresses_one_to_four_and_publishes_zero():
    values = {"zero": 0, "one": 1, "four": 4, "five": 5, "many": 120}
    assert primary_cells(values, T) == {"one", "four"}


def test_one_small_category_gets_the_smallest_non_zero_other_category_not_the_total():
    values = {"a": 3, "b": 0, "c": 40, "d": 12, "total": 55}
    result = suppress(values, [total_of(["a", "b", "c", "d"], "total")], T)
    assert result.primary == {"a"}
    assert result.secondary == {"d"}  # 0 protects nothing; 12 is the smallest non-zero
    assert "total" not in result.suppressed


def test_subtraction_cannot_recover_a_suppressed_count():
    values = {"a": 3, "b": 9, "c": 40, "total": 52}
    relations = [total_of(["a", "b", "c"], "total")]
    result = suppress(values, relations, T)
    ranges = feasible_ranges(values, relations, result)
    assert ranges["a"] == pytest.approx((0, 12))  # a + b = 12, both unknown
    assert all(w >= T for w in widths(values, relations, result).values())


def test_two_small_cells_that_add_up_to_the_threshold_protect_each_other():
    values = {"a": 2, "b": 3, "c": 40, "total": 45}
    result = suppress(values, [total_of(["a", "b", "c"], "total")], T)
    assert result.suppressed == {"a", "b"}


def test_two_small_cells_adding_to_less_than_the_threshold_need_a_third():
    values = {"a": 1, "b": 2, "c": 40, "d": 9, "total": 52}
    result = suppress(values, [total_of(["a", "b", "c", "d"], "total")], T)
    assert result.suppressed == {"a", "b", "d"}


def test_a_small_total_takes_a_part_with_it():
    values = {"a": 2, "b": 1, "total": 3}
    result = suppress(values, [total_of(["a", "b"], "total")], T)
    assert result.suppressed == {"a", "b", "total"}


def test_hidden_remainder_counts_towards_protection():
    """Children whose category is not published are an unknown of the relation."""
    values = {"a": 3, "b": 50, "rest": 7, "total": 60}
    relation = total_of(["a", "b", "rest"], "total")
    result = suppress(values, [relation], T, hidden={"rest"})
    assert result.suppressed == {"a"}
    assert widths(values, [relation], result)["a"] == pytest.approx(10)


def test_decile_and_quintile_relations_are_protected_together():
    deciles = {f"d{i}": v for i, v in enumerate([120, 80, 60, 50, 40, 30, 20, 12, 9, 2], 1)}
    quintiles = {f"q{q}": deciles[f"d{2 * q - 1}"] + deciles[f"d{2 * q}"] for q in range(1, 6)}
    values = {**deciles, **quintiles, "total": sum(deciles.values())}
    relations = [
        total_of(list(deciles), "total"),
        total_of(list(quintiles), "total"),
        *(total_of([f"d{2 * q - 1}", f"d{2 * q}"], f"q{q}") for q in range(1, 6)),
    ]
    result = suppress(values, relations, T)
    assert "d10" in result.primary
    assert "d9" in result.secondary  # protects d10 in quintile 5 and among the deciles
    assert min(widths(values, relations, result).values()) >= T


def test_two_way_table_is_audited_across_rows_and_columns():
    """a b | r1 / c d | r2 / c1 c2: suppressing a needs a rectangle of four cells."""
    values = {"a": 1, "b": 30, "c": 20, "d": 45, "r1": 31, "r2": 65, "c1": 21, "c2": 75}
    relations = [
        total_of(["a", "b"], "r1"),
        total_of(["c", "d"], "r2"),
        total_of(["a", "c"], "c1"),
        total_of(["b", "d"], "c2"),
    ]
    result = suppress(values, relations, T)
    assert {"a", "b", "c", "d"} <= result.suppressed
    assert widths(values, relations, result)["a"] >= T


def test_audit_detects_a_cell_that_can_be_worked_out():
    values = {"a": 3, "b": 9, "c": 40, "total": 52}
    relations = [total_of(["a", "b", "c"], "total")]
    only_primary = Suppression(primary={"a"})
    assert feasible_ranges(values, relations, only_primary)["a"] == pytest.approx((3, 3))


def test_constant_right_hand_side_bounds_the_range():
    """The adversity distribution sums to the (public) population."""
    values = {"zero": 990, "one": 6, "two": 3, "three": 1}
    relations = [Relation(terms=dict.fromkeys(values, 1), rhs=1000)]
    result = suppress(values, relations, T)
    ranges = feasible_ranges(values, relations, result)
    assert result.suppressed == {"one", "two", "three"}
    assert ranges["three"] == pytest.approx((0, 10))


def test_published_cells_contradicting_a_relation_fail_the_audit_with_the_reason():
    """A tampered layer: the parts shown exceed the total, so no withheld value fits. Without
    a failures list the audit's error is raised (a bug in suppression); with one, the group is
    recorded, value-free, and its cells get no range."""
    values = {"a": 3, "b": 60, "total": 52}
    relations = [total_of(["a", "b"], "total")]
    withheld = Suppression(primary={"a"})
    with pytest.raises(UnsolvedAudit, match="infeasible"):
        feasible_ranges(values, relations, withheld)
    failures: list[str] = []
    ranges = feasible_ranges(values, relations, withheld, failures)
    assert failures == [
        "1 relations: the linear program was not solved (infeasible: the cells "
        "contradict the relations)"
    ]
    assert all(math.isnan(v) for v in ranges["a"])


def test_a_true_zero_may_be_withheld_as_a_complement_and_the_audit_assumes_so():
    """Where the only complements left are zeros, a zero is withheld (the published rule says a
    suppressed count may be 0), so an analyst's lower bound for a withheld count is 0, the
    bound the audit's linear program uses."""
    values = {"a": 2, "b": 0, "c": 0, "total": 2}
    relations = [total_of(["a", "b", "c"], "total")]
    result = suppress(values, relations, T)
    assert result.primary == {"a", "total"} and result.secondary == {"b", "c"}
    ranges = feasible_ranges(values, relations, result)
    assert all(ranges[cell][0] == 0 for cell in values)


def test_a_cell_in_no_relation_is_unbounded():
    result = Suppression(primary={"alone"})
    assert feasible_ranges({"alone": 2}, [], result)["alone"] == (0.0, math.inf)


def test_forced_cells_are_withheld_and_protected():
    values = {"a": 30, "b": 9, "c": 40, "total": 79}
    result = suppress(values, [total_of(["a", "b", "c"], "total")], T, forced={"a"})
    assert result.suppressed == {"a", "b"}


def test_suppression_is_deterministic():
    values = {"a": 3, "b": 9, "c": 9, "d": 40, "total": 61}
    relations = [total_of(["a", "b", "c", "d"], "total")]
    assert suppress(values, relations, T) == suppress(dict(reversed(values.items())), relations, T)


def _random_single_sum(rng: random.Random) -> tuple[dict, Relation, set, set]:
    """A relation as the published layer has them (parts and remainders +1, totals -1, or a
    constant right-hand side), true counts, and a random choice of unknown and suppressed
    cells among them."""
    parts = {f"p{i}": rng.choice([0, 0, 1, 3, 7, 20, 150]) for i in range(rng.randint(1, 5))}
    if rng.random() < 0.3:  # a constant population on the right
        values, terms, rhs = parts, dict.fromkeys(parts, 1), float(sum(parts.values()))
    else:
        values = {**parts, "total": sum(parts.values())}
        terms, rhs = {**dict.fromkeys(parts, 1), "total": -1}, 0.0
    unknown = {c for c in values if rng.random() < 0.6} or {next(iter(values))}
    suppressed = {c for c in unknown if rng.random() < 0.7} or {next(iter(unknown))}
    return values, Relation(terms=terms, rhs=rhs), unknown, suppressed


def test_a_single_sum_in_closed_form_equals_its_linear_programs():
    """The closed form of a group that is one relation gives, for every withheld cell, the
    range the two linear programs give (2,000 random relations of the published kinds)."""
    rng = random.Random(21)
    for _ in range(2000):
        values, relation, unknown, suppressed = _random_single_sum(rng)
        closed = _single_sum_ranges(values, [relation], unknown, suppressed)
        solved = _group_ranges(values, [relation], unknown, suppressed)
        assert closed.keys() == solved.keys()
        for cell, (low, high) in solved.items():
            assert closed[cell][0] == pytest.approx(low, abs=1e-7)
            assert closed[cell][1] == pytest.approx(high, abs=1e-7)


@pytest.mark.parametrize(
    ("terms", "rhs", "expected"),
    [
        ({"a": 1, "b": 1, "total": -1}, 0.0, (0.0, 12.0)),  # total 12 published: a in [0, 12]
        ({"a": 1, "total": -1}, 0.0, (12.0, 12.0)),  # a alone: worked out exactly
        ({"a": 1, "b": -1, "c": 1}, 0.0, (0.0, math.inf)),  # an unknown total: unbounded
    ],
)
def test_single_sum_closed_form_on_hand_made_cases(terms, rhs, expected):
    values = {"a": 3, "b": 9, "c": 0, "total": 12}
    unknown = {c for c in terms if c != "total"}
    ranges = _single_sum_ranges(values, [Relation(terms=terms, rhs=rhs)], unknown, {"a"})
    assert ranges["a"] == pytest.approx(expected)


def test_single_sum_contradicted_by_its_published_cells_is_unsolved():
    values = {"a": 3, "b": 60, "total": 52}
    with pytest.raises(UnsolvedAudit, match="infeasible"):
        _single_sum_ranges(values, [total_of(["a", "b"], "total")], {"a"}, {"a"})


def _random_two_way_table(rng: random.Random) -> tuple[dict, list[Relation], set, set]:
    """A two-way table with its row and column totals and grand total (rows and columns each
    sum to their totals), true counts, and a random set of withheld cells."""
    rows, columns = rng.randint(2, 4), rng.randint(2, 4)
    values = {(r, c): rng.choice([0, 1, 2, 6, 15, 40]) for r in range(rows) for c in range(columns)}
    relations = []
    for r in range(rows):
        values[(r, "total")] = sum(values[(r, c)] for c in range(columns))
        relations.append(total_of([(r, c) for c in range(columns)], (r, "total")))
    for c in range(columns):
        values[("total", c)] = sum(values[(r, c)] for r in range(rows))
        relations.append(total_of([(r, c) for r in range(rows)], ("total", c)))
    values[("total", "total")] = sum(values[("total", c)] for c in range(columns))
    relations.append(total_of([("total", c) for c in range(columns)], ("total", "total")))
    unknown = {cell for cell in values if rng.random() < 0.35} or {(0, 0)}
    return values, relations, unknown, unknown


def test_warm_started_programs_equal_programs_solved_from_scratch():
    """The group's programs solved one after another from the last basis (highspy) give the
    bounds ``scipy.optimize.linprog`` gives each program solved alone (300 random tables)."""
    rng = random.Random(2026)
    for _ in range(300):
        values, relations, unknown, suppressed = _random_two_way_table(rng)
        for group in _connected(relations, unknown):
            warm = _group_ranges(values, group, unknown, suppressed)
            variables = sorted({c for r in group for c in r.terms if c in unknown}, key=repr)
            a_eq, b_eq = _equations(values, group, variables)
            for cell, (low, high) in warm.items():
                index = variables.index(cell)
                assert low == pytest.approx(_bound(a_eq, b_eq, index, 1.0), abs=1e-7)
                assert high == pytest.approx(-_bound(a_eq, b_eq, index, -1.0), abs=1e-7)


def _equations(values: dict, group: list[Relation], variables: list) -> tuple:
    a_eq = np.zeros((len(group), len(variables)))
    b_eq = np.zeros(len(group))
    for row, relation in enumerate(group):
        for cell, coefficient in relation.terms.items():
            if cell in variables:
                a_eq[row, variables.index(cell)] = coefficient
            else:
                b_eq[row] -= coefficient * values[cell]
        b_eq[row] += relation.rhs
    return a_eq, b_eq


def test_a_cell_the_same_count_as_a_published_one_is_never_a_complement():
    """``y`` is published already as ``f`` (the same count under another name: a cohort's
    children at entry, published the year before): withholding ``y`` to protect ``x`` would
    leave ``x = z - f`` exactly known, and suppression would never converge."""
    values = {"x": 2, "y": 10, "z": 12, "f": 10}
    relations = [
        Relation(terms={"x": 1, "y": 1, "z": -1}, name="x + y = z"),
        Relation(terms={"y": 1, "f": -1}, name="y is f"),
    ]
    result = suppress(values, relations, threshold=5, fixed={"f"})
    assert result.suppressed == {"x", "z"}
    assert result.narrowest >= 5


def test_published_in_effect_follows_same_counts_from_cell_to_cell():
    relations = [
        Relation(terms={"a": 1, "b": -1}),
        Relation(terms={"b": 1, "c": -1}),
        Relation(terms={"c": 1, "d": 1, "e": -1}),  # a sum, not a same count
        Relation(terms={"d": 1, "g": -1}, rhs=3.0),  # not the same count: differs by 3
    ]
    assert published_in_effect(frozenset({"a"}), relations) == {"a", "b", "c"}
    assert published_in_effect(frozenset(), relations) == frozenset()


def test_an_earlier_year_published_at_a_lower_threshold_cannot_be_protected_and_says_what_to_do():
    # b and the total were published (fixed) when the threshold was lower: a, now below the
    # threshold, is the only unknown cell of its relation and nothing can be withheld beside it
    values = {"a": 3, "b": 7, "total": 10}
    relation = Relation({"a": 1, "b": 1, "total": -1})
    with pytest.raises(RuntimeError, match="from the first reporting year") as raised:
        suppress(values, [relation], threshold=5, fixed={"b", "total"})
    assert "3" not in str(raised.value) and "7" not in str(raised.value)
