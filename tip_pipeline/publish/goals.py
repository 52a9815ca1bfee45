"""``published.indicator_goals``: each published value of an indicator with a declared goal,
compared with that goal as OHID Fingertips compares a value with a target.

The goal is the catalogue's (``Indicator.goal``, published with its source in
``dim_indicator``); the comparison is ``indicators.goals.compare_to_goal`` (Fingertips'
``SingleValueTargetComparer`` and ``RangeTargetComparer``: the value alone, no confidence
limits). Every published row of such an indicator is compared, whatever its area, breakdown
and category, as Fingertips compares every value it shows. A suppressed value is not compared:
its value is withheld, and a comparison would say which side of the goal it lies
(docs/CONVENTIONS.md, "Disclosure control": nothing derived from a withheld figure is
published); a row without a value (no denominator) is not compared either. Either way
``compared_to_goal`` is NULL and ``note`` says why.

Computed in the publish transaction (``store.publish_year``) from the year's published rows as
that transaction sees them, so the comparisons commit with the values they compare and come
from the same run. An indicator without a goal has no rows (the export says "no goal
declared").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.catalogue import CATALOGUE
from tip_pipeline.indicators.goals import NOT_COMPARED, Goal, compare_to_goal
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows

SUPPRESSED: Final = "value suppressed for disclosure control"
NO_VALUE: Final = "no value published (no denominator)"
#: the published columns a comparison is made from
VALUE_COLUMNS: Final = (
    "indicator_id", "period", "area_type", "area_code", "breakdown", "category", "value",
    "suppressed",
)  # fmt: skip


def declared_goals() -> dict[str, Goal]:
    """The catalogue's goals by indicator id (indicators without one left out)."""
    return {i.id: i.goal for i in CATALOGUE if i.goal is not None}


def _one(value: object, suppressed: bool, goal: Goal) -> tuple[str | None, str | None]:
    """(compared_to_goal, note) of one published value."""
    if suppressed:
        return None, SUPPRESSED
    number = float(value) if pd.notna(value) else None  # type: ignore[arg-type]
    result = compare_to_goal(number, goal)
    return (None, NO_VALUE) if result == NOT_COMPARED else (result, None)


def indicator_goals(values: pd.DataFrame, goals: Mapping[str, Goal]) -> pd.DataFrame:
    """The rows of ``published.indicator_goals`` from published ``indicator_values`` rows: one
    per row of an indicator in ``goals``."""
    columns = [c.name for c in schema.content_columns(schema.indicator_goals)]
    rows = []
    for row in values[values["indicator_id"].isin(list(goals))].itertuples(index=False):
        goal = goals[str(row.indicator_id)]
        result, note = _one(row.value, bool(row.suppressed), goal)
        rows.append(
            {
                **{k: getattr(row, k) for k in VALUE_COLUMNS if k in columns},
                "goal_value": goal.value,
                "goal_upper": goal.upper,
                "goal_polarity": str(goal.polarity),
                "compared_to_goal": result,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def published_values(conn: sa.Connection, period: str, ids: list[str]) -> pd.DataFrame:
    """The year's published rows of the indicators ``ids`` as ``conn`` sees them."""
    v = schema.published_indicator_values
    query = sa.select(*(v.c[c] for c in VALUE_COLUMNS)).where(
        v.c.period == period, v.c.indicator_id.in_(ids)
    )
    return pd.read_sql(query, conn)


def publish_goals(
    conn: sa.Connection,
    period: str,
    run_id: str,
    now: datetime,
    goals: Mapping[str, Goal] | None = None,
) -> int:
    """Replace the year's rows of ``published.indicator_goals`` in the caller's transaction,
    from the published values it sees (``goals``: the catalogue's unless given); the rows
    written."""
    goals = declared_goals() if goals is None else goals
    values = published_values(conn, period, sorted(goals))
    frame = indicator_goals(values, goals).assign(run_id=run_id, loaded_at=now)
    return replace_rows(conn, schema.indicator_goals, frame, {"period": period})
