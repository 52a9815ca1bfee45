"""Realistic faults injected into service extracts (never reference files).

Each fault is one kind on one physical line; the rest of that line stays valid so that the
intended rule is the only one it breaks. Inserted lines (copies) are placed right after the row
they copy; an unbalanced-quote line is appended at the end of its file, so that a CSV parser
that runs on past the stray quote swallows no valid row.

| kind                | what the line carries                                           |
|---------------------|-----------------------------------------------------------------|
| invalid_code        | a value outside the period's code list (sex "M" in 2022/23)     |
| malformed_date      | impossible or non-ISO text: 2023-02-30, 31/02/2023, 2023-13-01  |
| future_date         | an end date after 31 March of the last reporting year           |
| dob_after_event     | date of birth (still the 1st) after the child's first event     |
| end_before_start    | closure, DEC, plan end, authorisation or duty end before start  |
| age_out_of_range    | youth-justice DOB (1st of month): 9 or 18 at the offence        |
| duplicate_row       | an exact copy of the valid row above it                         |
| duplicate_key       | a copy of the row above, same key, one other value changed      |
| missing_required    | a required (non-key) value left blank                           |
| unknown_lsoa        | a GSS-shaped LSOA code that is not in the lookup                |
| malformed_line      | a copy with a field too few or too many, or an unbalanced quote |
| rule_8869           | factor 21 ("no factors") together with another factor (*)       |
| rule_8898           | the same factor twice in one assessment (*)                     |
| rule_8614           | factors on an assessment with no authorisation date (*)         |
| rule_8615           | an initial conference dated before its section 47 enquiry (*)   |
| rule_2889           | a section 47 enquiry starting before its referral (*)           |
| rule_8740           | last year's enquiry left with no conference, none required (*)  |
| overlapping_episode | a 903 episode starting inside the child's previous episode      |
| rec_without_dec     | a 903 reason for ceasing on an episode with no end date         |
| orphan_row          | a copy whose parent id (child, episode, offence, case) is absent |

Every fault names its column except duplicate_row and malformed_line (whole-line faults).

(*) Declared with the rule that catches it (``Rule.fault``, a ``FaultExample`` in
``validate/rules/dfe_<number>.py``): which rows can take the fault and what it changes are read
from there, not repeated here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import Extract
from tip_pipeline.sources.generator.fault_kinds import INVALID, KINDS, START_OF
from tip_pipeline.validate.rules import RULES
from tip_pipeline.validate.rules.base import FaultExample

#: fault kind -> the example its rule declares
RULE_FAULTS: dict[str, FaultExample] = {r.fault.kind: r.fault for r in RULES if r.fault}


@dataclass
class Context:
    """What a fault needs to know beyond its own file."""

    last_end: pd.Timestamp
    first_event: dict[str, pd.Series]  # table -> first event date by child id (for DOBs)
    fresh_id: Callable[[str], str]  # a parent id that exists nowhere, by column
    unknown_lsoa: Callable[[], str]


@dataclass
class Result:
    lines: list[str]  # data lines, in final order
    faults: list[dict] = field(default_factory=list)  # line numbers relative to the data


def _render(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(values)
    return buf.getvalue()


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d")


class _Injector:
    def __init__(
        self,
        df: pd.DataFrame,
        extract: Extract,
        period: FinancialYear,
        ctx: Context,
        rng: np.random.Generator,
    ) -> None:
        self.df, self.extract, self.period, self.ctx, self.rng = df, extract, period, ctx, rng
        self.rows = df.to_numpy(dtype=object).copy()
        self.col_names = list(df.columns)
        self.cols = {c: i for i, c in enumerate(df.columns)}
        self.free = np.ones(len(self.rows), dtype=bool)
        self.pools: dict[tuple, list[int]] = {}
        self.after: dict[int, list[tuple[str, str, str | None]]] = {}
        self.edits: list[tuple[int, str, str | None]] = []
        self.tail: list[tuple[str, str, str | None]] = []

    # -- helpers ---------------------------------------------------------------------------
    def col(self, name: str) -> np.ndarray:
        return self.rows[:, self.cols[name]]

    def pick(self, key: tuple, mask: Callable[[], np.ndarray]) -> int | None:
        """A random row satisfying ``mask`` that carries no fault yet. Candidates are listed
        once per (kind, column) and drawn without replacement: rows edited since then are no
        longer free, so a stale candidate list cannot hand out a faulty row."""
        if key not in self.pools:
            candidates = np.flatnonzero(mask())
            self.pools[key] = list(self.rng.permutation(candidates))
        pool = self.pools[key]
        while pool:
            i = int(pool.pop())
            if self.free[i]:
                self.free[i] = False
                return i
        return None

    def nonblank(self, name: str) -> np.ndarray:
        return self.col(name) != ""

    def insert(self, i: int, values: list[str], kind: str, column: str | None) -> None:
        self.after.setdefault(i, []).append((_render(values), kind, column))

    def edit(self, i: int, column: str, value: str, kind: str) -> None:
        self.rows[i, self.cols[column]] = value
        self.edits.append((i, kind, column))

    def allowed(self, column: str) -> tuple[str, ...]:
        return self.extract.column(column).allowed(self.period) or ()

    # -- kinds -----------------------------------------------------------------------------
    def invalid_code(self, column: str) -> bool:
        i = self.pick(("invalid_code", column), lambda: self.nonblank(column))
        if i is None:
            return False
        if column == "AssessmentFactors":
            old = self.rows[i, self.cols[column]]
            value = "99Z" if old == "21" else f"{old},99Z"
        elif column in ("Sex", "SEX", "CHILD_SEX"):
            value = next(v for v in ("M", "F", "1", "2") if v not in self.allowed(column))
        else:
            value = next(v for v in INVALID if v not in self.allowed(column))
        self.edit(i, column, value, "invalid_code")
        return True

    def malformed_date(self, column: str) -> bool:
        i = self.pick(("malformed_date", column), lambda: self.nonblank(column))
        if i is None:
            return False
        year = str(self.rows[i, self.cols[column]])[:4]
        style = self.rng.integers(0, 3)
        value = (f"{year}-02-30", f"31/02/{year}", f"{year}-13-01")[style]
        self.edit(i, column, value, "malformed_date")
        return True

    def future_date(self, column: str) -> bool:
        i = self.pick(
            ("future_date", column), lambda: self.nonblank(column) & self._last_of_chain()
        )
        if i is None:
            return False
        day = self.ctx.last_end + pd.Timedelta(days=int(self.rng.integers(30, 400)))
        self.edit(i, column, _iso(day), "future_date")
        return True

    def end_before_start(self, column: str) -> bool:
        start = self.col(START_OF[column])
        i = self.pick(("end_before_start", column), lambda: self.nonblank(column) & (start != ""))
        if i is None:
            return False
        day = pd.Timestamp(start[i]) - pd.Timedelta(days=int(self.rng.integers(1, 30)))
        self.edit(i, column, _iso(day), "end_before_start")
        return True

    def dob_after_event(self, column: str) -> bool:
        events = self.ctx.first_event.get(self.extract.table)
        if events is None:
            return False
        id_column = "CASE_ID" if self.extract.table == "hclic_children" else self.col_names[0]

        def early_enough() -> np.ndarray:
            first = pd.to_datetime(pd.Series(self.col(id_column)).map(events))
            return (first.notna() & (first < self.ctx.last_end - pd.Timedelta(days=62))).to_numpy()

        i = self.pick(("dob_after_event", column), early_enough)
        if i is None:
            return False
        first = pd.Timestamp(events[self.rows[i, self.cols[id_column]]])
        dob = (first + pd.offsets.MonthBegin(1)).normalize()
        self.edit(i, column, _iso(dob), "dob_after_event")
        return True

    def age_out_of_range(self, column: str) -> bool:
        i = self.pick(("age_out_of_range", column), lambda: self.nonblank("OFFENCE_DATE"))
        if i is None:
            return False
        off = pd.Timestamp(self.rows[i, self.cols["OFFENCE_DATE"]])
        months_back = 18 * 12 + 1 if self.rng.random() < 0.5 else 9 * 12 + 6
        dob = (off.to_period("M") - months_back).to_timestamp()
        self.edit(i, column, _iso(dob), "age_out_of_range")
        return True

    def missing_required(self, column: str) -> bool:
        i = self.pick(("missing_required", column), lambda: self.nonblank(column))
        if i is None:
            return False
        self.edit(i, column, "", "missing_required")
        return True

    def unknown_lsoa(self, column: str) -> bool:
        i = self.pick(("unknown_lsoa", column), lambda: self.nonblank(column))
        if i is None:
            return False
        self.edit(i, column, self.ctx.unknown_lsoa(), "unknown_lsoa")
        return True

    def duplicate_row(self, column: str | None = None) -> bool:
        i = self.pick(("duplicate_row", column), lambda: np.ones(len(self.rows), bool))
        if i is None:
            return False
        self.insert(i, list(self.rows[i]), "duplicate_row", None)
        return True

    def duplicate_key(self, column: str) -> bool:
        i = self.pick(("duplicate_key", column), lambda: self.nonblank(column))
        if i is None:
            return False
        values = list(self.rows[i])
        alternatives = [v for v in self.allowed(column) if v != values[self.cols[column]]]
        values[self.cols[column]] = alternatives[self.rng.integers(0, len(alternatives))]
        self.insert(i, values, "duplicate_key", column)
        return True

    def malformed_line(self, column: str | None = None) -> bool:
        i = self.pick(("malformed_line", column), lambda: np.ones(len(self.rows), bool))
        if i is None:
            return False
        values = [str(v) for v in self.rows[i]]
        style = self.rng.integers(0, 3)
        if style == 2 and not self.tail:
            line = _render(values)
            first = line.index(",") + 1
            self.tail.append((line[:first] + '"' + line[first:], "malformed_line", None))
            return True
        values = values[:-1] if style == 0 else [*values, "EXTRA"]
        self.insert(i, values, "malformed_line", None)
        return True

    def orphan_row(self, column: str) -> bool:
        i = self.pick(("orphan_row", column), lambda: np.ones(len(self.rows), bool))
        if i is None:
            return False
        values = list(self.rows[i])
        values[self.cols[column]] = self.ctx.fresh_id(column)
        self.insert(i, values, "orphan_row", column)
        return True

    def declared_fault(self, example: FaultExample) -> bool:
        """The fault a rule declares with itself: its first way with a free row to break."""
        columns = {name: self.col(name) for name in self.col_names}
        for n, way in enumerate(example.ways):
            i = self.pick((example.kind, n, example.column), lambda w=way: w.applies(columns))
            if i is None:
                continue
            row = dict(zip(self.col_names, self.rows[i], strict=True))
            for column, value in way.change(row).items():
                self.edit(i, column, value, example.kind)
            return True
        return False

    def _follows_long_episode(self) -> np.ndarray:
        """903 rows starting the day their child's previous episode (at least 2 days) ended."""
        child, decom, dec = self.col("CHILD"), self.col("DECOM"), self.col("DEC")
        prev_same = np.r_[False, child[1:] == child[:-1]]
        prev_dec = np.r_[[""], dec[:-1]]
        prev_decom = np.r_[[""], decom[:-1]]
        ok = prev_same & (prev_dec != "") & (prev_dec == decom)
        idx = np.flatnonzero(ok)
        if idx.size:
            span = pd.to_datetime(prev_dec[idx]) - pd.to_datetime(prev_decom[idx])
            ok[idx] = span.days >= 2
        return ok

    def overlapping_episode(self, column: str) -> bool:
        while True:  # the previous episode must itself be untouched
            i = self.pick(("overlapping_episode", column), self._follows_long_episode)
            if i is None:
                return False
            if self.free[i - 1]:
                break
        self.free[i - 1] = False
        start = pd.Timestamp(self.rows[i - 1, self.cols["DECOM"]])
        mid = start + (pd.Timestamp(self.rows[i - 1, self.cols["DEC"]]) - start) / 2
        self.edit(i, column, _iso(mid.floor("D")), "overlapping_episode")
        return True

    def rec_without_dec(self, column: str) -> bool:
        i = self.pick(
            ("rec_without_dec", column), lambda: (self.col("DEC") == "") & (self.col("REC") == "")
        )
        if i is None:
            return False
        self.edit(i, column, "E4A", "rec_without_dec")
        return True

    def _last_of_chain(self) -> np.ndarray:
        """903 rows that are their child's last in the file: moving their DEC cannot make
        the next episode overlap. Other tables: every row."""
        if self.extract.table != "ssda903_episodes":
            return np.ones(len(self.rows), bool)
        child = self.col("CHILD")
        return np.r_[child[1:] != child[:-1], True]

    # -- assembly --------------------------------------------------------------------------
    def apply(self, kind: str, column: str | None) -> bool:
        """One fault of ``kind``; False when no row is left to take it."""
        if kind in RULE_FAULTS:
            return self.declared_fault(RULE_FAULTS[kind])
        return getattr(self, kind)(column)

    def run(self, n_faults: int) -> Result:
        kinds = KINDS[self.extract.table]
        plan = [(k, c) for k, cols in kinds.items() for c in (cols or (None,))]
        order = self.rng.permutation(len(plan))
        done = 0
        attempts = 0
        while done < n_faults and attempts < n_faults * 3 + len(plan):
            kind, column = plan[order[attempts % len(plan)]]
            attempts += 1
            if self.apply(kind, column):
                done += 1
        return self._assemble()

    def _assemble(self) -> Result:
        body = pd.DataFrame(self.rows, columns=self.df.columns).to_csv(
            index=False, header=False, lineterminator="\n"
        )
        base = body.split("\n")[:-1] if body else []
        edited = {i: (k, c) for i, k, c in self.edits}
        lines: list[str] = []
        faults: list[dict] = []
        for i, line in enumerate(base):
            lines.append(line)
            if i in edited:
                kind, column = edited[i]
                faults.append({"line": len(lines), "kind": kind, "column": column})
            for text, kind, column in self.after.get(i, ()):
                lines.append(text)
                faults.append({"line": len(lines), "kind": kind, "column": column})
        for text, kind, column in self.tail:
            lines.append(text)
            faults.append({"line": len(lines), "kind": kind, "column": column})
        return Result(lines, faults)


def inject(
    df: pd.DataFrame,
    extract: Extract,
    period: FinancialYear,
    rate: float,
    ctx: Context,
    rng: np.random.Generator,
) -> Result:
    """Lines of ``df`` with about ``rate`` x rows faults; fault lines are 1-based data lines
    (add 1 for the header)."""
    n_faults = int(np.floor(rate * len(df) + rng.random()))
    return _Injector(df, extract, period, ctx, rng).run(n_faults)
