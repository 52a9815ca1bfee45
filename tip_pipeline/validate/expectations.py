"""Great Expectations: the rules that map to an expectation, run on the accepted rows.

The split between GX and the vectorised masks (measured for docs/PERFORMANCE.md): a value-set
expectation on 3 million pandas rows costs about 2.6 s where ``isin`` costs 0.07 s, and a
full-format result with a million failures takes over a minute. So the masks decide
quarantine, row by row, and GX runs once per table on what they accepted, with
``BOOLEAN_ONLY`` results (no values copied out): an independent post-condition that the
accepted rows meet every expectation the rules declare. If a mask were wrong, GX fails the
blocking check instead of letting a bad row through.

GX is imported lazily (it takes seconds) with its usage statistics and progress bars off.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from functools import cache

import pandas as pd

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.rules import rules_for


@dataclass(frozen=True)
class ExpectationResult:
    rule_id: str
    expectation: str
    success: bool


@cache
def _context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("tip_pipeline")
    return context, source


#: rule families whose expectation compares rows with each other (run on every row); the rest
#: judge each value on its own (run on each column's distinct values)
ROW_FAMILIES = frozenset({"unique_key"})


def expectations_for(
    table: str, period: FinancialYear | None
) -> tuple[list[tuple[str, object]], list[tuple[str, object]]]:
    """(rule id, expectation) pairs for every rule of ``table`` that maps to one: those that
    judge single values (with the table's column set), and those that compare rows."""
    import great_expectations.expectations as gxe

    columns = gxe.ExpectTableColumnsToMatchSet(
        column_set=list(EXTRACTS[table].column_names), exact_match=False
    )
    values: list[tuple[str, object]] = [(f"{table}.columns", columns)]
    rows: list[tuple[str, object]] = []
    for rule in rules_for(table):
        expectation = rule.expectation(period) if rule.expectation else None
        if expectation is not None:
            (rows if rule.family in ROW_FAMILIES else values).append((rule.id, expectation))
    return values, rows


def _column_of(expectation) -> str | None:
    return getattr(expectation, "column", None)


def _presence_only(pairs: list[tuple[str, object]], columns: list[str]) -> set[str]:
    """Columns of ``columns`` whose only single-value expectation, if any, is "not null" (ids,
    names, line numbers): for that verdict one present and one missing value stand for all
    of them."""
    by_column: dict[str, set[str]] = {c: set() for c in columns}
    for _, expectation in pairs:
        column = _column_of(expectation)
        if column:
            by_column.setdefault(column, set()).add(type(expectation).__name__)
    allowed = {"ExpectColumnValuesToNotBeNull"}
    return {c for c, kinds in by_column.items() if kinds <= allowed}


def distinct_values(frame: pd.DataFrame, presence_only: set[str] = frozenset()) -> pd.DataFrame:
    """Each column's distinct values (a missing value once, if any), padded to one length by
    repeating the column's first distinct value, which leaves every column's set of values,
    and so every single-value expectation's verdict, unchanged. A ``presence_only`` column
    keeps one present value and one missing value, if it has them."""
    uniques = {
        column: _present_and_missing(frame[column])
        if column in presence_only
        else list(pd.unique(frame[column].astype("string")))
        for column in frame.columns
    }
    length = max((len(u) for u in uniques.values()), default=0)
    return pd.DataFrame(
        {c: u + [u[0] if u else pd.NA] * (length - len(u)) for c, u in uniques.items()},
        dtype="string",
    )


def _present_and_missing(values: pd.Series) -> list:
    """The column's first present value (as text) and a missing value, each if there is one;
    only that one value is converted, not the column."""
    missing = values.isna().to_numpy()
    present = values.iloc[[int(missing.argmin())]] if not missing.all() else values.iloc[:0]
    return present.astype("string").tolist() + ([pd.NA] if missing.any() else [])


@cache
def _batch_definition():
    """One pandas asset and its whole-frame batch definition, made once: each validation
    hands its frame over as a batch parameter."""
    _, source = _context()
    return source.add_dataframe_asset("accepted_rows").add_batch_definition_whole_dataframe("whole")


def _validate(frame: pd.DataFrame, pairs: list[tuple[str, object]], label: str) -> list:
    """Run ``pairs``' expectations on ``frame`` as one suite through ``Batch.validate``.

    The suite is not saved in the context, nor is a validation definition or its results:
    saving serialises the context's whole project configuration each time, which was most of
    GX's cost per table (docs/PERFORMANCE.md, "End to end against the floor")."""
    import great_expectations as gx

    # GX does not keep the suite's order in its results: match them by expectation id
    suite = gx.ExpectationSuite(name=label, expectations=[e for _, e in pairs])
    rule_of = {}
    for (rule_id, _), expectation in zip(pairs, suite.expectations, strict=True):
        expectation.id = uuid.uuid4().hex
        rule_of[expectation.id] = rule_id
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format="BOOLEAN_ONLY")
    return [
        ExpectationResult(rule_of[r.expectation_config.id], r.expectation_config.type, r.success)
        for r in result.results
    ]


def run_expectations(
    accepted: pd.DataFrame, table: str, period: FinancialYear | None
) -> list[ExpectationResult]:
    """Validate the accepted rows (text, as delivered) of one table with GX: single-value
    expectations on each column's distinct values, row-comparing ones on every row."""
    value_pairs, row_pairs = expectations_for(table, period)
    label = f"{table}_{period.tag if period else 'ref'}"
    distinct = distinct_values(accepted, _presence_only(value_pairs, list(accepted)))
    results = _validate(distinct, value_pairs, label)
    if row_pairs:
        keyed = ["source_file", *EXTRACTS[table].key]
        results += _validate(numbered(accepted[keyed]), row_pairs, label)
    return results


def numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column's values replaced by a number per distinct value (``pd.factorize``), a
    missing value kept missing (nullable ``Int64``).

    Why: the row-comparing expectations (a key unique in each file) judge only which values
    are equal and which are missing, and numbering each column keeps both exactly, so GX's
    answer is the same; but GX fingerprints every frame it is given
    (``hash_pandas_object``), and hashing the text keys of an england year's 3.4 million CIN
    rows took some 7 s of the CIN step (issue #21's profile, 2026-12-04), where numbers hash
    in a fraction of that."""
    columns = {}
    for column in frame:
        codes, _ = pd.factorize(frame[column])
        columns[column] = pd.arrays.IntegerArray(codes.astype("int64"), codes < 0)
    return pd.DataFrame(columns, index=frame.index)
