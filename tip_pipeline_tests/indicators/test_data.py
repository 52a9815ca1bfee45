"""The year's inputs: membership through Arrow (``member_of``) answers as pandas' ``isin``,
and the validated inputs' versions change when a year is validated again."""

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.indicators.data import member_of, validated_versions
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse.schema import validated_table

COLUMNS = [
    pd.Series(["a", "b", None, "c"]),
    pd.Series(["a", "b", None, "c"], dtype=object),
    pd.Series(["a", "b", np.nan, "c"], dtype="str"),
    pd.Series(["a", 1, None, "c"], dtype=object),  # mixed: answered by pandas itself
    pd.Series([1, 2, 3]),
    pd.Series([], dtype="str"),
]
ALLOWED = [
    {"a", "c"},
    ["a", None],
    set(),
    {1, 3},
    pd.Series(["c", "x"], dtype="str"),
    pd.Series(["c"], dtype=object),
]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("allowed", ALLOWED)
def test_member_of_answers_as_isin(column, allowed):
    found = member_of(column, allowed)
    expected = column.isin(list(allowed))
    assert found.dtype == bool
    assert found.index.equals(column.index)
    assert found.tolist() == expected.tolist()


def test_member_of_keeps_the_index_and_name():
    column = pd.Series(["a", "b"], index=[10, 20], name="unit_id", dtype="str")
    found = member_of(column, ["b"])
    assert found.to_dict() == {10: False, 20: True}
    assert found.name == "unit_id"


def _validated_rows(engine, period: str, run_id: str, lines: int = 2) -> None:
    table = validated_table("cin_children")
    with engine.begin() as conn:
        conn.execute(table.delete().where(table.c.period == period))
        conn.execute(
            table.insert(),
            [
                {
                    "period": period,
                    "source_file": f"{period[:4]}.csv",
                    "line_number": n,
                    "run_id": run_id,
                }
                for n in range(2, 2 + lines)
            ],
        )


def test_validated_versions_change_when_the_year_or_one_before_is_validated_again(warehouse):
    year = FinancialYear(2022)
    _validated_rows(warehouse, "2021/22", "run-1")

    def versions():
        with warehouse.connect() as conn:
            return validated_versions(conn, year)

    before = versions()
    _validated_rows(warehouse, "2023/24", "run-2")  # a later year: not an input
    assert versions() == before
    _validated_rows(warehouse, "2021/22", "run-3")  # the year itself validated again
    again = versions()
    assert again != before
    _validated_rows(warehouse, "2020/21", "run-4")  # a year before it (a look-back)
    assert versions() != again
