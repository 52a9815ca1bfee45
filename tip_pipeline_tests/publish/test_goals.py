"""published.indicator_goals: each published value of an indicator with a goal compared with
it, a suppressed or missing value not compared (with why), written in the year's publish
transaction."""

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.goals import Goal, GoalPolarity
from tip_pipeline.publish import goals
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import write_transaction

PERIOD = "2024/25"
LA, WARD_A, WARD_B, WARD_C = "E08000035", "E05000001", "E05000002", "E05000003"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
GOAL = Goal(600.0, GoalPolarity.LOW_IS_GOOD, "Hand-made case")
GOALS = {"cin_referrals": GOAL}


def _row(ind, area, value, suppressed=False, area_type="ward", breakdown="total", cat="all"):
    return {
        "indicator_id": ind,
        "indicator_name": ind,
        "period": PERIOD,
        "area_type": area_type,
        "area_code": area,
        "breakdown": breakdown,
        "category": cat,
        "numerator": None if value is None else 1.0,
        "denominator": 5_000.0,
        "value": value,
        "unit": "per 10,000",
        "suppressed": suppressed,
    }


def _values() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _row("cin_referrals", LA, 612.0, area_type="la"),
            _row("cin_referrals", LA, 580.0, area_type="la", breakdown="sex", cat="F"),
            _row("cin_referrals", WARD_A, 600.0),
            _row("cin_referrals", WARD_B, None, suppressed=True),
            _row("cin_referrals", WARD_C, None),  # no denominator: no value
            _row("cla_31mar", LA, 71.0, area_type="la"),  # no goal: no row
        ]
    )


def _by_key(frame: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r["area_code"], r["category"]): r for _, r in frame.iterrows()}


def test_every_value_of_an_indicator_with_a_goal_is_compared():
    rows = _by_key(goals.indicator_goals(_values(), GOALS))
    assert set(rows) == {(LA, "all"), (LA, "F"), (WARD_A, "all"), (WARD_B, "all"),
                         (WARD_C, "all")}  # fmt: skip
    assert rows[(LA, "all")]["compared_to_goal"] == "Worse"
    assert rows[(LA, "F")]["compared_to_goal"] == "Better"  # breakdowns are compared too
    assert rows[(WARD_A, "all")]["compared_to_goal"] == "Better"  # at the goal meets it
    for key in ((LA, "all"), (WARD_A, "all")):
        assert pd.isna(rows[key]["note"])
        assert (rows[key]["goal_value"], rows[key]["goal_polarity"]) == (600.0, "lower is better")


def test_a_suppressed_or_missing_value_is_not_compared_and_says_why():
    rows = _by_key(goals.indicator_goals(_values(), GOALS))
    assert pd.isna(rows[(WARD_B, "all")]["compared_to_goal"])
    assert rows[(WARD_B, "all")]["note"] == goals.SUPPRESSED
    assert pd.isna(rows[(WARD_C, "all")]["compared_to_goal"])
    assert rows[(WARD_C, "all")]["note"] == goals.NO_VALUE


def test_a_suppressed_row_is_not_compared_even_with_a_value_left_in_it():
    values = pd.DataFrame([_row("cin_referrals", WARD_B, 900.0, suppressed=True)])
    row = goals.indicator_goals(values, GOALS).iloc[0]
    assert pd.isna(row["compared_to_goal"]) and row["note"] == goals.SUPPRESSED


def test_no_goal_no_rows():
    frame = goals.indicator_goals(_values(), {})
    assert frame.empty
    assert list(frame.columns) == [
        c.name for c in schema.indicator_goals.columns if c.name not in ("run_id", "loaded_at")
    ]


def test_the_declared_goals_are_the_catalogue_s():
    from tip_pipeline.indicators.catalogue import CATALOGUE

    assert goals.declared_goals() == {i.id: i.goal for i in CATALOGUE if i.goal is not None}


def test_publish_goals_writes_the_year_in_the_caller_s_transaction(warehouse):
    values = _values().assign(run_id="r", loaded_at=NOW)
    with write_transaction(warehouse, PERIOD) as conn:
        replace_rows(conn, schema.published_indicator_values, values, {})
        written = goals.publish_goals(conn, PERIOD, "r", NOW, GOALS)
        assert goals.publish_goals(conn, "2023/24", "r", NOW, GOALS) == 0  # no values then
    assert written == 5
    with warehouse.connect() as conn:
        stored = pd.read_sql(sa.select(schema.indicator_goals), conn)
    assert set(stored["period"]) == {PERIOD} and set(stored["run_id"]) == {"r"}
    la = stored[(stored["area_code"] == LA) & (stored["category"] == "all")].iloc[0]
    assert la["compared_to_goal"] == "Worse" and la["area_type"] == "la"
