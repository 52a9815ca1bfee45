"""Every example query, on SQLite and PostgreSQL, against a hand-made published layer: the rows
it returns are the rows expected, not merely "it runs". Through plain connections, as analysts
open the warehouse: SQLAlchemy's own engine on ``tip.db`` alone, and on PostgreSQL a session
whose ``search_path`` is ``published`` (the analyst role's: test_roles.py runs them as that
role), never the project's engine."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, text

from tip_pipeline.warehouse.examples import EXAMPLE_PARAMS, EXAMPLES
from tip_pipeline_tests import published as sample

CLA, FTE = "Children looked after at 31 March", "First-time entrants to the youth justice system"
CIN = "Referrals to children's social care"
ANY_LABEL = "live in households with any of the 'toxic trio'"

#: the examples' parameters select 2023/24 (the layer's hand-written year); the latest values
#: and the trend also read the computed years (limits: Wilson for cla_31mar, Byar for
#: cin_referrals, by tip_pipeline.stats; compared with 6 decimal places)
EXPECTED: dict[str, list[tuple]] = {
    "latest_for_la": [
        ("cin_referrals", CIN, "2024/25", 10_400, 170_000, 611.764706, 600.062987, 623.637242,
         sample.CLA_UNIT, 550.0, "similar", False),
        ("cla_31mar", CLA, "2024/25", 1210, 170_000, 71.176471, 67.290197, 75.285491,
         sample.CLA_UNIT, 70.0, "similar", False),
        ("yj_first_time_entrants", FTE, "2023/24", 150, 60_000, 250.0, 211.6, 293.3,
         sample.FTE_UNIT, 160.0, "higher", False),
    ],
    "ward_profile": [
        (sample.WARD_A, "Armley", 60, 5_000, 120.0, 91.6, 154.5, 80.0, "higher", False),
        (sample.WARD_B, "Headingley", None, 4_000, None, None, None, 80.0, "not compared",
         True),
    ],
    "inequality": [
        ("cla_31mar", CLA, "no judgement", 130.0, 35.0, 95.0, 3.714, -95.5, 0.31,
         "Higher in more deprived areas.", "No significant difference in change.", False),
        ("yj_first_time_entrants", FTE, "higher is worse", None, None, None, None, None, None,
         "Not published: a quintile is suppressed.", None, True),
    ],
    "trend": [
        ("2019/20", 1288, 170_000, 75.764706, 71.752543, 79.999408, "similar", False),
        ("2020/21", 1270, 170_000, 74.705882, 70.722417, 78.911934, "similar", False),
        ("2021/22", 1251, 170_000, 73.588235, 69.635289, 77.763819, "similar", False),
        ("2022/23", 1400, 170_000, 82.35, 78.1, 86.8, "higher", False),
        ("2023/24", 1360, 170_000, 80.0, 75.8, 84.4, "higher", False),
        ("2024/25", 1210, 170_000, 71.176471, 67.290197, 75.285491, "similar", False),
    ],
    "adversity": [
        ("0", 150_000, 170_000, 88.24, None, None, False),
        ("1", 15_000, 170_000, 8.82, None, None, False),
        ("2", 4_000, 170_000, 2.35, None, None, False),
        ("3", None, 170_000, None, None, None, True),
        ("4+", None, 170_000, None, None, None, True),
        ("2+", 5_000, 170_000, 2.94, None, None, False),
    ],
    "prevalence": [
        (1, "toxic_trio_any", ANY_LABEL, 19.8, 33_660.0, 3.0, 5_100.0, 0),
        (6, "looked_after", "are looked after (in care)", None, None, 0.8, 1_360.0, 0),
        (8, "homelessness", "are at risk of homelessness", None, None, None, None, 1),
    ],
    "data_quality": [
        ("cin", "cin_children", 2000, 30, 1.5),
        ("ssda903", "ssda903_episodes", 4000, 8, 0.2),
        ("yjs", "yjs_outcomes", 0, 0, None),
    ],
}  # fmt: skip


def _neighbours_expected() -> list[tuple]:
    """The LA's benchmarking rows of the hand-made layer (computed as publishing computes them)
    and its neighbours' values, summarised by pandas rather than SQL."""
    table = sample.la_benchmarking(sample.indicator_values())
    table = table[(table["indicator_id"] == "cla_31mar") & (table["la_code"] == sample.LA)]
    rows = []
    for period, part in table.groupby("period"):
        own = part[part["area_code"] == sample.LA].iloc[0]
        near = part.loc[part["neighbour_rank"].notna(), "value"]
        columns = ("value", "neighbour_group_rank", "neighbour_group_ranked", "england_rank",
                   "england_ranked", "quartile_band", "compared_to_percentiles")  # fmt: skip
        rows.append((period, *(own[c] for c in columns), near.min(), near.max(), near.mean()))
    return rows


EXPECTED["neighbours"] = _neighbours_expected()


def _normalised(rows: list[tuple]) -> list[tuple]:
    """Both backends' values in one form: numbers as floats rounded to 6 places (PostgreSQL
    returns ROUND() as Decimal), booleans as 0/1 (SQLite's storage)."""

    def one(value: object) -> object:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, Decimal | float):
            return round(float(value), 6)
        return value

    return [tuple(one(v) for v in row) for row in rows]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sample_warehouse(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The hand-made published layer, loaded once per session on each backend (conftest.py):
    the tests here only read it."""
    if request.param == "sqlite":
        engine = create_engine(request.getfixturevalue("published_url"))
    else:
        engine = create_engine(
            request.getfixturevalue("published_postgres_url"),
            connect_args={"options": "-c search_path=published"},
        )
    yield engine
    engine.dispose()


def test_every_example_has_expected_rows():
    assert set(EXPECTED) == set(EXAMPLES)


def test_examples_use_plain_names_and_declared_parameters():
    """Plain names: ``published.x`` means nothing in ``tip.db`` opened alone."""
    for example in EXAMPLES.values():
        names = re.findall(r"\b(?:FROM|JOIN)\s+([\w.]+)", example.sql)
        assert names and all("." not in n for n in names), example.key
        used = set(re.findall(r"(?<!:):(\w+)", example.sql))
        assert used == set(example.params), example.key
        assert all(example.params[p] == EXAMPLE_PARAMS[p] for p in used)


@pytest.mark.parametrize("key", list(EXPECTED))
def test_example_returns_the_expected_rows(sample_warehouse: Engine, key: str):
    with sample_warehouse.connect() as conn:
        rows = EXAMPLES[key].run(conn)
    assert _normalised(rows) == _normalised(EXPECTED[key])


@pytest.mark.parametrize("key", list(EXPECTED))
def test_example_as_the_dictionary_shows_it_returns_the_same_rows(
    sample_warehouse: Engine, key: str
):
    literal = EXAMPLES[key].literal_sql()
    assert not re.search(r"(?<!:):\w", literal) and literal.endswith(";")
    with sample_warehouse.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text(literal))]
    assert _normalised(rows) == _normalised(EXPECTED[key])


def test_literal_values_are_quoted_as_sql_strings():
    example = EXAMPLES["trend"]
    quoted = dataclasses.replace(example, params={**example.params, "area_code": "O'Brien"})
    assert "area_code = 'O''Brien'" in quoted.literal_sql()


def test_pandas_reads_a_published_table_by_its_plain_name(sample_warehouse: Engine):
    table = pd.read_sql_table("indicator_values", sample_warehouse)
    assert len(table) == len(sample.indicator_values())


def test_parameters_select_other_areas_and_years(sample_warehouse: Engine):
    with sample_warehouse.connect() as conn:
        assert _normalised(EXAMPLES["trend"].run(conn, area_code=sample.WARD_A)) == _normalised(
            [
                ("2023/24", 60, 5_000, 120.0, 91.6, 154.5, "higher", False),
                ("2024/25", 40, 5_000, 80.0, 58.806817, 108.74737, "similar", False),
            ]
        )
        assert EXAMPLES["adversity"].run(conn, period="2022/23") == []
        assert EXAMPLES["ward_profile"].run(conn, indicator_id="yj_first_time_entrants") == []
