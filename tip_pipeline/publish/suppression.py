"""Disclosure control: primary and secondary cell suppression, and the audit that proves it.

Plain Python over abstract cells (any hashable id with a true count) and additive relations
between them; which cells and relations the published layer has is ``cells.py``'s business.

Method (docs/CONVENTIONS.md, "Disclosure control"; the cell-suppression approach of the ONS and of
DfE statistical releases):

1. Primary: every count from 1 to ``threshold - 1`` is suppressed. Zero is published.
2. Secondary: in every additive relation (categories summing to a total, wards summing to the
   LA, deciles pairing into quintiles, ...) that holds a suppressed cell, further cells are
   suppressed until the relation holds at least two unknown cells whose true counts add up to
   at least ``threshold``, so that subtraction cannot recover a suppressed count. A relation's
   unpublished remainder (e.g. children whose category is not among those published) counts as
   an unknown cell. Complements are taken from the same side of the relation as the cell they
   protect (another category before the total), the smallest non-zero count first: the least
   information withheld.
3. Audit: for each suppressed cell, the range of values consistent with everything published
   is computed exactly, by linear programming over all the relations (minimise and maximise the
   cell subject to the relations, the published counts and non-negativity; the classic
   "interval disclosure" audit of statistical disclosure control, e.g. Hundepool et al.,
   *Statistical Disclosure Control*, Wiley 2012, section 5.3). A cell whose range is narrower
   than ``threshold`` gets another complement and the audit runs again, until none does.

Scale (issue #21, "disclosure control that scales"): the cost grows with the cells, not with
the cells times the rounds.

- The audit is decomposed into the connected components of the relations over the unknown
  cells, computed from the relations, never assumed (a region's count is the sum of its
  authorities' and England's of the regions', which ties authorities together): a cell's
  range depends on its component alone. A component that is one relation has its ranges in
  closed form; the others' linear programs are solved warm-started, the components on a
  thread per core (HiGHS releases the interpreter lock while it solves), each from an empty
  model, gathered in the components' order: the same ranges whatever the threads.
- An audit round after the first solves again only the components holding a cell withheld
  since the round before; the others are unchanged, and so are their ranges.
- The protection of step 2 is a worklist: a relation is looked at again only when one of its
  cells is withheld, in the order full sweeps over the relations would meet it, so the same
  complements are chosen in the same order as by sweeping.
"""

from __future__ import annotations

import heapq
import math
import os
import sys
import threading
from collections.abc import (
    Callable,
    Container,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    Set,
)
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
from scipy.optimize import linprog

from tip_pipeline.errors import ValueFreeError

if TYPE_CHECKING:
    import highspy

Cell = Hashable


class UnsolvedAudit(ValueFreeError):
    """A linear program of the disclosure audit has no solution: the published cells
    contradict the relations between them (or the solver gave up)."""


#: most rounds of "audit, then protect what is still too narrow" before giving up
MAX_AUDIT_ROUNDS: Final = 50
#: why ``suppress`` gives up, and what to do about the common cause (value-free)
NOT_CONVERGED: Final = (
    "secondary suppression did not converge: a withheld cell stays too narrow and no cell is "
    "left to withhold beside it. Cells of earlier years are kept as they were published; if "
    "the suppression threshold was raised since they were, publish every year again in "
    "order, from the first reporting year (tip run)."
)


@dataclass(frozen=True)
class Relation:
    """``sum(coefficient * cell) == rhs``, where ``rhs`` is public (e.g. 0, or a population).

    ``hidden`` names cells that are part of the relation but never published (a remainder):
    they are unknowns of the audit and count towards a relation's protection.
    """

    terms: Mapping[Cell, int]
    rhs: float = 0.0
    name: str = ""

    @property
    def cells(self) -> Sequence[Cell]:
        return list(self.terms)


@dataclass
class Suppression:
    """The result: which cells are withheld, and why."""

    primary: set[Cell] = field(default_factory=set)
    secondary: set[Cell] = field(default_factory=set)
    #: cells never published whatever happens (remainders): unknown to everyone
    hidden: set[Cell] = field(default_factory=set)
    #: narrowest feasible range of a suppressed cell at the final audit (inf: none suppressed)
    narrowest: float = float("inf")

    @property
    def suppressed(self) -> set[Cell]:
        """Published cells withheld (primary or secondary); hidden cells are not published."""
        return self.primary | self.secondary

    @property
    def unknown(self) -> set[Cell]:
        return self.suppressed | self.hidden


def primary_cells(values: Mapping[Cell, float], threshold: int) -> set[Cell]:
    """Counts from 1 to ``threshold - 1``."""
    return {cell for cell, v in values.items() if 0 < v < threshold}


def suppress(
    values: Mapping[Cell, float],
    relations: Sequence[Relation],
    threshold: int,
    hidden: Iterable[Cell] = (),
    forced: Iterable[Cell] = (),
    fixed: Iterable[Cell] = (),
    workers: int | None = None,
) -> Suppression:
    """Primary and secondary suppression of ``values`` under ``relations``, audited.

    ``forced`` cells are withheld whatever their count (e.g. a count derived from a cell that
    another table suppresses, or withheld when an earlier year was published). ``fixed`` cells
    are published already (an earlier year's) and are never taken as complements. Raises
    ``RuntimeError`` if the audit cannot be satisfied (it always can when nothing is fixed:
    suppressing every cell of a relation satisfies it). ``workers``: threads solving the
    audit's groups (``feasible_ranges``); the result is the same whatever the number.

    Each audit round after the first solves again only the groups holding a cell withheld
    since the last round; every other group is the same group as then, with the same unknown
    and withheld cells, so its ranges are the same (``_ranges``).
    """
    fixed = published_in_effect(frozenset(fixed), relations)
    result = Suppression(primary=primary_cells(values, threshold) | set(forced), hidden=set(hidden))
    result.primary -= fixed
    indices = _relation_indices(relations)
    ranges: dict[Cell, tuple[float, float]] | None = None
    audited: set[Cell] = set()  # the unknown cells at the last audit
    for _ in range(MAX_AUDIT_ROUNDS):
        _protect_relations(values, relations, threshold, result, fixed, indices)
        unknown = result.unknown
        earlier = None if ranges is None else (ranges, unknown - audited)
        ranges = _ranges(values, relations, unknown, result.suppressed, workers, earlier=earlier)
        audited = unknown
        widths = {c: high - low for c, (low, high) in ranges.items()}
        narrow = [c for c, width in widths.items() if width < threshold]
        if not narrow:
            result.narrowest = min(widths.values(), default=float("inf"))
            return result
        unknown = set(unknown)  # grown below; ``audited`` stays as it was audited
        blocked = _Blocked(unknown, fixed)
        for cell in sorted(narrow, key=repr):
            holding = [relations[i] for i in indices.get(cell, [])]
            _withhold(result, unknown, _complement(values, holding, cell, blocked))
    raise RuntimeError(NOT_CONVERGED)


def published_in_effect(fixed: frozenset[Cell], relations: Sequence[Relation]) -> frozenset[Cell]:
    """``fixed`` and every cell declared the same count as one of them (a two-cell relation
    ``a - b == 0``, ``CellSet.add_same``), followed from cell to cell.

    Such a cell is known to anyone who reads the published one, so withholding it protects
    nothing: taken as a complement it leaves the cell it was to protect exactly known, and
    suppression could not converge. A cohort's children at entry, published the year before,
    are the same count for each of its outcomes this year (``cells._cohort_relations``)."""
    same: dict[Cell, list[Cell]] = {}
    for relation in relations:
        terms = relation.terms
        if len(terms) == 2 and relation.rhs == 0 and sorted(terms.values()) == [-1, 1]:
            a, b = terms
            same.setdefault(a, []).append(b)
            same.setdefault(b, []).append(a)
    known, todo = set(fixed), [c for c in fixed if c in same]
    while todo:
        for other in same[todo.pop()]:
            if other not in known:
                known.add(other)
                todo.append(other)
    return frozenset(known)


def _needs_protection(
    values: Mapping[Cell, float],
    relation: Relation,
    suppressed: set[Cell],
    unknown: set[Cell],
    threshold: int,
) -> bool:
    """Whether ``relation`` holds a suppressed cell that its other unknown cells do not
    protect: it is the only unknown one, or the unknown ones sum to less than the threshold."""
    held = [c for c in relation.terms if c in unknown]
    if not any(c in suppressed for c in held):
        return False
    return len(held) < 2 or sum(values[c] for c in held) < threshold


def _relation_indices(relations: Sequence[Relation]) -> dict[Cell, list[int]]:
    """Cell -> the positions in ``relations`` of the relations holding it, in order."""
    index: dict[Cell, list[int]] = {}
    for position, relation in enumerate(relations):
        for cell in relation.terms:
            index.setdefault(cell, []).append(position)
    return index


def _protect_relations(
    values: Mapping[Cell, float],
    relations: Sequence[Relation],
    threshold: int,
    result: Suppression,
    fixed: frozenset[Cell] = frozenset(),
    indices: Mapping[Cell, list[int]] | None = None,
) -> list[Cell]:
    """Add complements until every relation holding a suppressed cell is protected (never a
    ``fixed`` cell); the cells added, in the order they were.

    The order is that of sweeping ``relations`` from first to last, again and again, until a
    sweep adds nothing, protecting each relation met that needs it: the complements chosen
    depend on it (a complement protecting one relation may protect or unprotect another), and
    the published cells must not change. But a sweep looks only at the relations that may
    need protection (a worklist): whether a relation needs it changes only when one of its
    cells is withheld, so a relation not holding a cell withheld since it was last looked at
    would be found protected (or beyond help: every cell of it unknown or fixed, which stays
    so) and left as it is. Every relation is looked at once, then once more per cell withheld
    in it: the cost grows with the cells, not with the cells times the sweeps (issue #21).
    Positions pending in the current sweep are on one heap, those of the next on another.

    The suppressed and unknown sets are built once and grown with each complement (not
    rebuilt from ``result`` per cell tested: at england scale the rebuilding was a third of
    the publish step, issue #21's profile)."""
    if indices is None:
        indices = _relation_indices(relations)
    suppressed, unknown = result.suppressed, result.unknown
    blocked = _Blocked(unknown, fixed)
    pending = [True] * len(relations)
    this_sweep, next_sweep = list(range(len(relations))), []  # a sorted list is a heap
    added: list[Cell] = []
    while this_sweep or next_sweep:
        if not this_sweep:
            this_sweep, next_sweep = next_sweep, []
            heapq.heapify(this_sweep)
        position = heapq.heappop(this_sweep)
        pending[position] = False
        relation = relations[position]
        while _needs_protection(values, relation, suppressed, unknown, threshold):
            protected = next(c for c in relation.terms if c in suppressed)
            cell = _complement(values, [relation], protected, blocked)
            if cell is None:
                break
            _withhold(result, unknown, cell)
            suppressed.add(cell)
            added.append(cell)
            for other in indices[cell]:
                if other != position and not pending[other]:
                    pending[other] = True
                    heapq.heappush(this_sweep if other > position else next_sweep, other)
    return added


class _Blocked:
    """The cells no complement may be: the unknown ones and the fixed, as a view of the two
    sets (a union copied for every complement cost the size of ``unknown`` each time)."""

    __slots__ = ("fixed", "unknown")

    def __init__(self, unknown: Set[Cell], fixed: Set[Cell]) -> None:
        self.unknown, self.fixed = unknown, fixed

    def __contains__(self, cell: object) -> bool:
        return cell in self.unknown or cell in self.fixed


def _withhold(result: Suppression, unknown: set[Cell], cell: Cell | None) -> None:
    """Withhold ``cell`` as a secondary suppression (nothing for None), and count it unknown."""
    if cell is not None:
        result.secondary.add(cell)
        unknown.add(cell)


def _complement(
    values: Mapping[Cell, float],
    relations: Sequence[Relation],
    cell: Cell,
    unknown: Container[Cell],
) -> Cell | None:
    """The cell to suppress next, of the first of ``relations`` that has a candidate (a cell
    not in ``unknown``, which holds the fixed cells too): the same side as ``cell`` first, then
    the smallest non-zero count. None if none is left."""
    for relation in relations:
        side = relation.terms[cell]
        candidates = [c for c in relation.terms if c not in unknown]
        if not candidates:
            continue
        return min(
            candidates,
            key=lambda c: (relation.terms[c] != side, values[c] == 0, values[c], repr(c)),
        )
    return None


def feasible_ranges(
    values: Mapping[Cell, float],
    relations: Sequence[Relation],
    result: Suppression,
    failures: list[str] | None = None,
    workers: int | None = None,
) -> dict[Cell, tuple[float, float]]:
    """For each suppressed cell, the (min, max) consistent with the published cells and the
    relations, cells non-negative, solved per connected group of relations (relations that
    share an unknown cell, found from the relations, never assumed): in closed form where the
    group is one relation (``_single_sum_ranges``), else by two linear programs per cell
    (HiGHS), the groups on ``workers`` threads (default: one per core this process may use).
    ``inf`` where nothing bounds the cell from above. The ranges are the same whatever the
    number of threads and the order they finish in: each group is solved alone, from an
    empty model, and the results are gathered in the groups' order.

    A group whose linear program cannot be solved (the published cells contradict the
    relations, as a tampered layer can) raises :class:`UnsolvedAudit`; with a ``failures``
    list it is recorded there instead (one line per group, value-free) and its cells get no
    range, so that the audit fails with the reason rather than crashing.
    """
    unknown, suppressed = result.unknown, result.suppressed  # each a new set: made once
    return _ranges(values, relations, unknown, suppressed, workers, failures)


#: a group's ranges, or why they could not be found
Outcome = dict[Cell, tuple[float, float]] | UnsolvedAudit


def _ranges(
    values: Mapping[Cell, float],
    relations: Sequence[Relation],
    unknown: Set[Cell],
    suppressed: Set[Cell],
    workers: int | None = None,
    failures: list[str] | None = None,
    earlier: tuple[Mapping[Cell, tuple[float, float]], Set[Cell]] | None = None,
) -> dict[Cell, tuple[float, float]]:
    """``feasible_ranges`` of the ``suppressed`` cells with ``unknown`` cells unknown.

    ``earlier``: the ranges of an audit with fewer unknown cells, and the cells unknown since.
    A group none of whose relations holds one of those cells is taken from it unsolved: its
    relations held no new unknown cell, so no relation joined it (a relation joins a group
    only through an unknown cell it shares with it) and none left it, and its unknown and
    suppressed cells are those it had (a cell withheld since is a new unknown one): the same
    linear programs, the same ranges.
    """
    groups = _connected(relations, unknown)
    outcomes: list[Outcome | None] = [None] * len(groups)
    programs: list[int] = []  # positions of the groups solved by linear programs
    for position, group in enumerate(groups):
        if earlier is not None and _untouched(group, earlier[1]):
            outcomes[position] = {
                c: earlier[0][c] for r in group for c in r.terms if c in suppressed
            }
        elif len(group) == 1:
            outcomes[position] = _attempt(_single_sum_ranges, values, group, unknown, suppressed)
        else:
            programs.append(position)
    solved = _solve_groups(values, [groups[p] for p in programs], unknown, suppressed, workers)
    for position, outcome in zip(programs, solved, strict=True):
        outcomes[position] = outcome
    ranges: dict[Cell, tuple[float, float]] = {}
    for group, outcome in zip(groups, outcomes, strict=True):
        if isinstance(outcome, UnsolvedAudit):
            if failures is None:
                raise outcome
            failures.append(f"{len(group)} relations: {outcome}")
            ranges.update(
                {c: (math.nan, math.nan) for r in group for c in r.terms if c in suppressed}
            )
        elif outcome is not None:
            ranges.update(outcome)
    for cell in suppressed - ranges.keys():
        ranges[cell] = (0.0, float("inf"))  # in no relation: nothing narrows it
    return ranges


def _untouched(group: Sequence[Relation], cells: Set[Cell]) -> bool:
    """Whether no relation of ``group`` holds one of ``cells``."""
    return not any(c in cells for r in group for c in r.terms)


Solve = Callable[
    [Mapping[Cell, float], Sequence[Relation], Set[Cell], Set[Cell]],
    dict[Cell, tuple[float, float]],
]


def _attempt(
    solve: Solve,
    values: Mapping[Cell, float],
    group: Sequence[Relation],
    unknown: Set[Cell],
    suppressed: Set[Cell],
) -> Outcome:
    """``solve``'s ranges of the group, or the reason it found none (kept, not raised, so that
    a worker's failure is reported in the groups' order, as a sequential audit reports it)."""
    try:
        return solve(values, group, unknown, suppressed)
    except UnsolvedAudit as error:
        return error


def available_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform
        return os.cpu_count() or 1


def _solve_groups(
    values: Mapping[Cell, float],
    groups: Sequence[Sequence[Relation]],
    unknown: Set[Cell],
    suppressed: Set[Cell],
    workers: int | None = None,
) -> list[Outcome]:
    """Each group's ``_group_ranges`` (or its failure), in the groups' order, on ``workers``
    threads (default: ``available_cores``).

    Threads, not processes: HiGHS's ``run`` releases the interpreter lock (highspy's binding;
    measured: a Python loop runs at full speed while another thread solves), and the groups
    share ``values`` and the cell sets without pickling them. Each thread solves with its
    own HiGHS model (``_highs``). The groups go out largest first, in batches of about equal
    work (the number of terms of their relations), so that one large group does not finish
    last alone and small ones do not each pay a task's overhead; the outcomes are put back in
    the groups' order, so the result does not depend on which thread finished first.
    """
    workers = available_cores() if workers is None else workers
    if workers <= 1 or len(groups) < 2:
        return [_attempt(_group_ranges, values, g, unknown, suppressed) for g in groups]

    def solve(batch: Sequence[int]) -> list[Outcome]:
        return [_attempt(_group_ranges, values, groups[i], unknown, suppressed) for i in batch]

    batches = _batches([sum(len(r.terms) for r in g) for g in groups], workers)
    outcomes: list[Outcome | None] = [None] * len(groups)
    with ThreadPoolExecutor(workers, thread_name_prefix="disclosure-audit") as pool:
        for batch, solved in zip(batches, pool.map(solve, batches), strict=True):
            for position, outcome in zip(batch, solved, strict=True):
                outcomes[position] = outcome
    return outcomes  # type: ignore[return-value]  # every position filled


#: batches per worker: enough that the workers finish close together
_BATCHES_PER_WORKER: Final = 8


def _batches(weights: Sequence[int], workers: int) -> list[list[int]]:
    """Positions of ``weights`` cut into batches of about ``total / (8 * workers)`` each,
    heaviest first (a heavier one makes a batch alone); ties in the positions' order."""
    order = sorted(range(len(weights)), key=lambda i: (-weights[i], i))
    target = sum(weights) / (_BATCHES_PER_WORKER * workers)
    batches: list[list[int]] = []
    batch: list[int] = []
    load = 0
    for position in order:
        batch.append(position)
        load += weights[position]
        if load >= target:
            batches.append(batch)
            batch, load = [], 0
    if batch:
        batches.append(batch)
    return batches


def _connected(relations: Sequence[Relation], unknown: set[Cell]) -> list[list[Relation]]:
    """Relations holding unknown cells, grouped by the unknown cells they share."""
    parent: dict[Cell, Cell] = {}

    def find(c: Cell) -> Cell:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    involved = [r for r in relations if any(c in unknown for c in r.terms)]
    for relation in involved:
        cells = [c for c in relation.terms if c in unknown]
        for other in cells[1:]:
            parent[find(other)] = find(cells[0])
    groups: dict[Cell, list[Relation]] = {}
    for relation in involved:
        first = next(c for c in relation.terms if c in unknown)
        groups.setdefault(find(first), []).append(relation)
    return list(groups.values())


def _single_sum_ranges(
    values: Mapping[Cell, float],
    group: Sequence[Relation],
    unknown: set[Cell],
    suppressed: set[Cell],
) -> dict[Cell, tuple[float, float]]:
    """The ranges of a group that is one relation ``sum(a_i x_i) = b``, ``x >= 0``, in closed
    form: what the two linear programs per cell would give, without solving them.

    For a cell ``x_j``, the other unknown cells' sum ``S = sum(a_i x_i, i != j)`` can take any
    value in a cone: ``{0}`` with no other unknown, ``[0, inf)`` if every other coefficient is
    positive, ``(-inf, 0]`` if every one is negative, any real if both signs occur. So
    ``a_j x_j = b - S`` ranges over ``[b - max S, b - min S]``, divided by ``a_j`` (reversed
    when it is negative) and cut at 0. An empty range means the published cells contradict
    the relation (``UnsolvedAudit``, as the linear program reports it).

    Why: at england scale most groups are a single sum (a small category and its complement
    in one breakdown), and a closed form costs microseconds where a linear program costs
    about a millisecond (issue #21, "closed-form bounds where a component is a single sum").
    """
    (relation,) = group
    terms = {c: a for c, a in relation.terms.items() if c in unknown}
    b = relation.rhs - sum(a * values[c] for c, a in relation.terms.items() if c not in unknown)
    out = {}
    for cell, a_j in terms.items():
        if cell not in suppressed:
            continue
        others = [a for c, a in terms.items() if c != cell]
        s_min = -math.inf if any(a < 0 for a in others) else 0.0
        s_max = math.inf if any(a > 0 for a in others) else 0.0
        ends = sorted(((b - s_max) / a_j, (b - s_min) / a_j))
        low, high = max(ends[0], 0.0), ends[1]
        if high < low - _TOLERANCE * max(1.0, abs(b)):
            raise UnsolvedAudit(f"the linear program was not solved ({_LP_STATUS[2]})")
        out[cell] = (low, max(high, low))
    return out


#: relative slack before a single sum is called contradictory (the linear programs' own
#: feasibility tolerance is of this order)
_TOLERANCE: Final = 1e-9


def _group_ranges(
    values: Mapping[Cell, float],
    group: Sequence[Relation],
    unknown: set[Cell],
    suppressed: set[Cell],
) -> dict[Cell, tuple[float, float]]:
    variables = sorted({c for r in group for c in r.terms if c in unknown}, key=repr)
    column = {c: i for i, c in enumerate(variables)}
    a_eq = np.zeros((len(group), len(variables)))
    b_eq = np.zeros(len(group))
    for row, relation in enumerate(group):
        known = 0.0
        for cell, coefficient in relation.terms.items():
            if cell in column:
                a_eq[row, column[cell]] = coefficient
            else:
                known += coefficient * values[cell]
        b_eq[row] = relation.rhs - known
    solver = _WarmStarted(a_eq, b_eq)
    out = {}
    for cell in variables:
        if cell in suppressed:
            out[cell] = (solver.bound(column[cell], 1.0), -solver.bound(column[cell], -1.0))
    return out


#: how close to a whole number a bound must be to be taken as it: the relations have whole
#: coefficients and right-hand sides, so the bounds are whole numbers up to the solver's
#: tolerance (a width of 4.9999999 must not read as narrower than 5)
_WHOLE: Final = 1e-7


def _whole(value: float) -> float:
    nearest = round(value) if math.isfinite(value) else value
    return float(nearest) if abs(value - nearest) <= _WHOLE * max(1.0, abs(value)) else value


class _WarmStarted:
    """One group's linear program ``a_eq x = b_eq``, ``x >= 0``, solved for one objective after
    another from the previous solution's basis (HiGHS's simplex warm start, through highspy).

    Why: a group's programs differ only in their objective, and solving each from scratch
    through ``scipy.optimize.linprog`` cost some 2 ms of set-up per program: at england scale
    13,000 programs, 26 s per audit (issue #21); warm-started, 4.5 s, the same bounds. A
    program HiGHS does not solve to optimality or to unboundedness is solved again from
    scratch by ``_bound``, which names the reason (``UnsolvedAudit``)."""

    def __init__(self, a_eq: np.ndarray, b_eq: np.ndarray) -> None:
        import highspy  # imported when a program is solved, not with the code location

        self.status = highspy.HighsModelStatus
        self.a_eq, self.b_eq = a_eq, b_eq
        self.highs = _highs()
        rows, columns = a_eq.shape
        self.highs.addVars(columns, np.zeros(columns), np.full(columns, float("inf")))
        nonzero = a_eq != 0
        starts = np.concatenate([[0], np.cumsum(nonzero.sum(axis=1))[:-1]]).astype(np.int32)
        indices = np.nonzero(nonzero)[1].astype(np.int32)
        self.highs.addRows(
            rows, b_eq, b_eq, int(nonzero.sum()), starts, indices, a_eq[nonzero].astype(float)
        )

    def bound(self, index: int, sign: float) -> float:
        """min of ``sign * x[index]`` (``-inf`` where unbounded)."""
        self.highs.changeColCost(index, sign)
        self.highs.run()
        status = self.highs.getModelStatus()
        value = self.highs.getObjectiveValue()  # before the cost is reset
        self.highs.changeColCost(index, 0.0)
        if status == self.status.kOptimal:
            return _whole(value)
        if status == self.status.kUnbounded:
            return -float("inf")
        return _bound(self.a_eq, self.b_eq, index, sign)


#: each thread's solver, emptied for each group (``_highs``)
_SOLVERS = threading.local()
#: held while the process's first solver is made, its standard output redirected meanwhile
_MAKING = threading.Lock()
#: set once the process's first solver is made (HiGHS's banner written to the null device)
_BANNER_DISCARDED = threading.Event()
#: HiGHS's options for the audit's programs: silent, on the calling thread alone (``_highs``),
#: and the simplex method without presolve (a group's programs are small, and each after the
#: first starts from the last one's basis): on an england year's first 600 groups 2.9 s ->
#: 1.6 s, and the same range for every one of its 40,043 withheld cells (docs/PERFORMANCE.md)
_OPTIONS: Final = {"output_flag": False, "threads": 1, "presolve": "off", "solver": "simplex"}


def _highs() -> highspy.Highs:
    """This thread's HiGHS solver, empty and silent, solving on this thread alone.

    HiGHS writes a banner on the process's standard output when its first solver is made; that
    one is made with the output sent to the null device, so that no line of the solver's
    reaches a run's logs (under a lock: the redirection is the process's; later solvers, one
    per audit thread, are made without it, so other threads' output is not lost meanwhile).
    ``threads`` is 1 (``_OPTIONS``): the audit runs a solver per thread of its own
    (``_solve_groups``), and HiGHS would otherwise start a scheduler of worker threads for
    each of them."""
    solver = getattr(_SOLVERS, "highs", None)
    if solver is None:
        import highspy

        solver = _first_highs() if not _BANNER_DISCARDED.is_set() else highspy.Highs()
        for option, value in _OPTIONS.items():
            solver.setOptionValue(option, value)
        _SOLVERS.highs = solver
    solver.clearModel()
    return solver


def _first_highs() -> highspy.Highs:
    """A solver, made with the standard output discarded if it is the process's first."""
    import highspy

    with _MAKING:
        if _BANNER_DISCARDED.is_set():
            return highspy.Highs()
        with _standard_output_discarded():
            solver = highspy.Highs()
        _BANNER_DISCARDED.set()
        return solver


@contextmanager
def _standard_output_discarded() -> Iterator[None]:
    """File descriptor 1 pointed at the null device for the block (output written from C,
    which ``contextlib.redirect_stdout`` does not see)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


#: scipy.optimize.linprog's status codes (other than 0, solved, and 3, unbounded)
_LP_STATUS = {
    1: "iteration limit reached",
    2: "infeasible: the cells contradict the relations",
    4: "numerical difficulties",
}


def _bound(a_eq: np.ndarray, b_eq: np.ndarray, index: int, sign: float) -> float:
    """min of ``sign * x[index]`` subject to ``a_eq x = b_eq``, ``x >= 0``."""
    objective = np.zeros(a_eq.shape[1])
    objective[index] = sign
    solution = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if solution.status == 3:  # unbounded
        return -float("inf")
    if solution.status != 0:
        reason = _LP_STATUS.get(solution.status, f"status {solution.status}")
        raise UnsolvedAudit(f"the linear program was not solved ({reason})")
    return _whole(float(solution.fun))
