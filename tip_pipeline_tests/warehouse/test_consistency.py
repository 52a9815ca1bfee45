"""The invariants a killed run must not break, checked on a hand-filled warehouse: a consistent
one passes, and each partial state a kill used to leave is named by table, period and file."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.consistency import partial_states
from tip_pipeline.warehouse.engine import make_engine

TABLE = "ssda903_header"
FILE = "ssda903_header_2023-24.csv"
YEAR = "2023/24"
NOW = datetime(2026, 12, 2, tzinfo=UTC)


@pytest.fixture
def engine(migrated_sqlite_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(migrated_sqlite_url)
    yield engine
    engine.dispose()


def _file_rows(table: sa.Table, run_column: str, run: str, lines) -> list[dict]:
    return [{"period": YEAR, "source_file": FILE, "line_number": n, run_column: run} for n in lines]


def _quarantined(stage: str, run: str, lines) -> list[dict]:
    return [
        {
            "period": YEAR,
            "table_name": TABLE,
            "source_file": FILE,
            "line_number": n,
            "stage": stage,
            "rule_id": f"{TABLE}.rule",
            "rule_text": "a rule",
            "run_id": run,
            "quarantined_at": NOW,
        }
        for n in lines
    ]


def _logged(run: str, rows: int) -> dict:
    return {
        "run_id": run,
        "file_name": FILE,
        "table_name": TABLE,
        "period": YEAR,
        "size_bytes": 100,
        "sha256": run * 8,
        "rows": rows,
        "loaded_at": NOW,
    }


def fill(
    engine: sa.Engine,
    *,
    staged=("r1", range(2, 6)),
    accepted=("r1", range(2, 5)),
    by_rule=("r1", [5]),
    at_reading=("r1", [6]),
    log=(("r1", 5),),
) -> None:
    """One file of TABLE: staged lines 2-5, of which 2-4 accepted and 5 quarantined by a rule,
    line 6 malformed, and the log's five lines read, all by run r1, unless told otherwise."""
    staging, validated = schema.staging_table(TABLE), schema.validated_table(TABLE)
    with engine.begin() as conn:
        conn.execute(sa.insert(staging), _file_rows(staging, "load_run_id", *staged))
        conn.execute(sa.insert(validated), _file_rows(validated, "run_id", *accepted))
        rows = _quarantined("validate", *by_rule) + _quarantined("read", *at_reading)
        conn.execute(sa.insert(schema.quarantine), rows)
        if log:
            conn.execute(sa.insert(schema.ingest_log), [_logged(*entry) for entry in log])


def test_a_warehouse_left_by_completed_runs_has_no_partial_state(engine):
    fill(engine)
    assert partial_states(engine) == []


def test_a_later_log_entry_of_the_same_run_is_fine(engine):
    fill(engine, log=(("r0", 9), ("r1", 5)))
    assert partial_states(engine) == []


def test_new_staged_rows_beside_old_validated_rows(engine):
    # the partial state kills left before staging and validation shared a transaction
    fill(engine, staged=("r2", range(2, 9)), log=(("r1", 5), ("r2", 8)))
    where = f"{TABLE}, {YEAR}, file {FILE}"
    assert partial_states(engine) == [
        f"{where}: staged 7 != accepted 3 + quarantined 1",
        f"{where}: rows of 2 runs",
    ]


def test_records_read_but_neither_staged_nor_set_aside(engine):
    fill(engine, log=(("r1", 7),))
    assert partial_states(engine) == [
        f"{TABLE}, {YEAR}, file {FILE}: ops.ingest_log read 7 != staged 4 + malformed 1"
    ]


def test_rows_without_their_log_entry(engine):
    fill(engine, log=())
    assert partial_states(engine) == [f"{TABLE}, {YEAR}, file {FILE}: no ops.ingest_log entry"]


def _indicator_rows(period: str, run: str) -> dict:
    return {
        "period": period,
        "area_code": "E08000035",
        "base_domain": "cin",
        "other_domain": "cla",
        "age_range": "0-17",
        "base_children": 10,
        "both_children": 5,
        "run_id": run,
        "loaded_at": NOW,
    }


def test_a_years_indicator_tables_from_two_runs(engine):
    fill(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(schema.adversity_overlap),
            [_indicator_rows(YEAR, "r1"), _indicator_rows("2024/25", "r3")],
        )
        conn.execute(
            sa.insert(schema.adversity_distribution),
            [
                {
                    "period": YEAR,
                    "area_code": "E08000035",
                    "domains": "0",
                    "children": 10,
                    "denominator": 100,
                    "run_id": "r2",
                    "loaded_at": NOW,
                }
            ],
        )
    assert partial_states(engine) == [f"restricted indicator tables, {YEAR}: rows of 2 runs"]


def _value_row(table: sa.Table, run: str) -> dict:
    row = {
        "indicator_id": "cla_31mar",
        "indicator_name": "Children looked after",
        "period": YEAR,
        "area_type": "la",
        "area_code": "E08000035",
        "breakdown": "total",
        "category": "all",
        "unit": "per 10,000",
        "run_id": run,
        "loaded_at": NOW,
    }
    return row | ({"suppressed": False} if table.schema == "published" else {"numerator": 7})


def test_a_published_year_beside_true_counts_of_another_run(engine):
    """The window the kill harness found: a run's indicator tables committed, its publish not:
    the published year is then audited against true counts it was not made from."""
    fill(engine)
    with engine.begin() as conn:
        for table, run in (
            (schema.published_indicator_values, "r1"),
            (schema.indicator_values, "r2"),
        ):
            conn.execute(sa.insert(table), [_value_row(table, run)])
    assert partial_states(engine) == [f"true counts and published figures, {YEAR}: rows of 2 runs"]


def test_a_published_year_beside_trends_of_another_run(engine):
    """A year's recent trends are published in its publish transaction: trends of another run
    beside its published values are a partial state."""
    fill(engine)
    trend = {
        "indicator_id": "cla_31mar",
        "period": YEAR,
        "area_type": "la",
        "area_code": "E08000035",
        "breakdown": "total",
        "category": "all",
        "first_period": "2019/20",
        "method": "chi-squared test for trend",
        "recent_trend": "Cannot be calculated",
        "run_id": "r2",
        "loaded_at": NOW,
    }
    with engine.begin() as conn:
        conn.execute(
            sa.insert(schema.indicator_values), [_value_row(schema.indicator_values, "r1")]
        )
        published = schema.published_indicator_values
        conn.execute(sa.insert(published), [_value_row(published, "r1")])
        conn.execute(sa.insert(schema.indicator_trends), [trend])
    assert partial_states(engine) == [
        f"published tables, {YEAR}: rows of 2 runs",
        f"true counts and published figures, {YEAR}: rows of 2 runs",
    ]


@pytest.mark.parametrize(
    ("table", "row"),
    [
        (
            schema.indicator_goals,
            {"indicator_id": "cla_31mar", "area_type": "la", "area_code": "E08000035",
             "breakdown": "total", "category": "all", "goal_value": 70.0,
             "goal_polarity": "lower is better", "compared_to_goal": "Worse"},
        ),
        (
            schema.child_population,
            {"mid_year": 2023, "area_type": "la", "area_code": "E08000035", "sex": "F",
             "age": 0, "population": 4_000},
        ),
    ],
    ids=["goals", "child_population"],
)  # fmt: skip
def test_a_published_year_beside_goals_or_population_of_another_run(engine, table, row):
    with engine.begin() as conn:
        conn.execute(
            sa.insert(schema.indicator_values), [_value_row(schema.indicator_values, "r1")]
        )
        published = schema.published_indicator_values
        conn.execute(sa.insert(published), [_value_row(published, "r1")])
        conn.execute(sa.insert(table), [{**row, "period": YEAR, "run_id": "r2", "loaded_at": NOW}])
    assert partial_states(engine) == [
        f"published tables, {YEAR}: rows of 2 runs",
        f"true counts and published figures, {YEAR}: rows of 2 runs",
    ]
