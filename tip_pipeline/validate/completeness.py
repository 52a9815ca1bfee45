"""Completeness: gaps in accepted rows that the rules allow but that weaken the indicators.

What is measured is declared as data below: which coded columns count a code meaning "not
recorded" (``NOT_RECORDED``, found by each column's code list, so a new extract with an
ethnicity or sex column is measured without a change here), which tables count a column left
empty where another is filled (``RECORDED_WITHOUT``), and the home LSOA of every extract that
has one (``Extract.home_lsoa``): left empty on an accepted row (an unknown home area) or
quarantined. ``completeness_rows`` reads the declarations. The measures are stored per run in
``ops.completeness`` (history), beside the quarantine's own measures, which ``validate.store``
adds for every table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import pandas as pd

from tip_pipeline.home_area import is_unknown
from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import EXTRACTS, Column
from tip_pipeline.validate.engine import TableOutcome
from tip_pipeline.warehouse.schema import completeness

HOME_LSOA_MISSING: Final = "home_lsoa_missing_or_unknown"


@dataclass(frozen=True)
class NotRecorded:
    """Accepted rows whose value, in a column ``columns`` picks out, is a code meaning "not
    recorded"; out of the accepted rows."""

    measure: str
    columns: Callable[[Column], bool]
    codes: frozenset[str]


@dataclass(frozen=True)
class RecordedWithout:
    """Accepted rows of ``table`` with ``recorded`` filled but ``without`` empty; out of the
    accepted rows with ``recorded`` filled."""

    measure: str
    table: str
    recorded: str
    without: str


def _ethnicity(column: Column) -> bool:
    return column.codes == codes.ETHNICITY


def _sex(column: Column) -> bool:
    """Sex is the one code list that changes with the year (1/2/0/9, then M/F/U)."""
    return callable(column.codes)


NOT_RECORDED: Final = (
    NotRecorded(
        "ethnicity_not_recorded",
        _ethnicity,
        frozenset(c for c, group in codes.ETHNICITY_GROUPS.items() if group == "Not recorded"),
    ),
    NotRecorded(
        "sex_not_recorded",
        _sex,
        frozenset(c for c, sex in {**codes.SEX_NUMERIC, **codes.SEX_LETTER}.items() if sex == "U"),
    ),
)
RECORDED_WITHOUT: Final = (
    RecordedWithout(
        "completed_assessments_without_factors",
        "cin_assessments",
        recorded="AssessmentAuthorisationDate",
        without="AssessmentFactors",
    ),
)


def completeness_rows(outcome: TableOutcome) -> dict[str, tuple[int, int]]:
    """The declared gaps of one table's outcome: measure -> (rows with the gap, rows looked
    at). The home LSOA is missing or unknown on the accepted rows left empty (an unknown home
    area, counted in the delivering LA: ``tip_pipeline.home_area``) and on the rows a rule on
    the column quarantined (not in the lookup; empty where the LA cannot be told), out of
    every row validated."""
    accepted = outcome.accepted
    extract = EXTRACTS[outcome.table]
    measures: dict[str, tuple[int, int]] = {}
    for column in extract.columns:
        for gap in NOT_RECORDED:
            if gap.columns(column):
                count = accepted[column.name].isin(gap.codes).sum()
                measures[gap.measure] = (int(count), len(accepted))
    if extract.home_lsoa:
        broken = sum(n for rule, n in outcome.rule_counts.items() if extract.home_lsoa in rule)
        empty = int(is_unknown(accepted[extract.home_lsoa]).sum())
        measures[HOME_LSOA_MISSING] = (broken + empty, outcome.rows_in)
    for gap in RECORDED_WITHOUT:
        if gap.table == extract.table:
            recorded = accepted[gap.recorded].notna()
            without = recorded & accepted[gap.without].isna()
            measures[gap.measure] = (int(without.sum()), int(recorded.sum()))
    return measures


def completeness_frame(
    outcome: TableOutcome,
    also: Mapping[str, tuple[int, int]],
    key: str,
    run_id: str,
    at: datetime,
) -> pd.DataFrame:
    """The ``ops.completeness`` rows of one table and run: the declared gaps, then the measures
    ``also`` gives (measure -> (numerator, denominator))."""
    measures = {**completeness_rows(outcome), **also}
    return pd.DataFrame(
        [
            {
                "run_id": run_id,
                "period": key,
                "table_name": outcome.table,
                "measure": measure,
                "source": EXTRACTS[outcome.table].source,
                "numerator": num,
                "denominator": den,
                "checked_at": at,
            }
            for measure, (num, den) in measures.items()
        ],
        columns=[c.name for c in completeness.columns],
    )
