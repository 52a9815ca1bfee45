"""published.child_population: the ONS estimate of the year's children by local authority, sex
and single year of age 0-17, summed over the authority's LSOAs, written in the year's publish
transaction."""

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.publish import population
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import write_transaction
from tip_pipeline.warehouse.schema import validated_table

PERIOD = "2024/25"
LEEDS, BRADFORD = "E08000035", "E08000032"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
LSOAS = {
    "E01000001": (LEEDS, "Leeds"),
    "E01000002": (LEEDS, "Leeds"),
    "E01000003": (BRADFORD, "Bradford"),
}


def _wide(lsoa: str, base: int) -> dict:
    """An LSOA's row in the ONS wide layout: females base + age, males base + 100 + age, and
    adults (who are not children) at 18 and 90."""
    row = {"lsoa_2021_code": lsoa, "f18": 999, "m90": 999}
    row |= {f"f{a}": base + a for a in range(18)} | {f"m{a}": base + 100 + a for a in range(18)}
    return row


def _population() -> pd.DataFrame:
    rows = [_wide("E01000001", 10), _wide("E01000002", 20), _wide("E01000003", 30)]
    rows.append(_wide("E01099999", 40))  # not in the lookup: in no authority
    return pd.DataFrame(rows)


def _lookup() -> pd.DataFrame:
    return pd.DataFrame(
        [(lsoa, la, name) for lsoa, (la, name) in LSOAS.items()],
        columns=["lsoa21cd", "lad24cd", "lad24nm"],
    )


def test_children_by_authority_sex_and_single_year_of_age():
    frame = population.child_population(_population(), _lookup(), PERIOD)
    assert len(frame) == 2 * 2 * 18  # two authorities, two sexes, ages 0-17
    leeds = frame[frame["area_code"] == LEEDS].set_index(["sex", "age"])["population"]
    assert leeds[("F", 0)] == 10 + 20 and leeds[("F", 17)] == 27 + 37
    assert leeds[("M", 5)] == 115 + 125
    assert set(frame["age"]) == set(range(18))  # adults left out
    assert set(frame["mid_year"]) == {2024}  # 2024/25's denominator is mid-2024
    assert set(frame["area_type"]) == {"la"} and set(frame["period"]) == {PERIOD}
    assert set(frame.loc[frame["area_code"] == BRADFORD, "area_name"]) == {"Bradford"}


def _validated(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(period=PERIOD, source_file=f"{name}.csv", run_id="load",
                        line_number=range(2, len(frame) + 2))  # fmt: skip


def test_publish_population_writes_the_year_in_the_caller_s_transaction(warehouse):
    pop = _validated("ref_population", _population().drop(columns=["f18", "m90"]))
    lookup = _validated("ref_lsoa_lookup", _lookup())
    with write_transaction(warehouse, PERIOD) as conn:
        conn.execute(sa.insert(validated_table("ref_population")), pop.to_dict("records"))
        conn.execute(sa.insert(validated_table("ref_lsoa_lookup")), lookup.to_dict("records"))
        written = population.publish_population(conn, PERIOD, "r", NOW)
        assert population.publish_population(conn, "2023/24", "r", NOW) == 0
    assert written == 2 * 2 * 18
    with warehouse.connect() as conn:
        stored = pd.read_sql(sa.select(schema.child_population), conn)
    assert set(stored["run_id"]) == {"r"}
    leeds = stored[stored["area_code"] == LEEDS]
    females = sum((10 + a) + (20 + a) for a in range(18))
    males = sum((110 + a) + (120 + a) for a in range(18))
    assert leeds["population"].sum() == females + males == 5292
    expected = population.child_population(_population(), _lookup(), PERIOD)
    key = ["area_code", "sex", "age"]
    pd.testing.assert_frame_equal(
        stored.drop(columns=["run_id", "loaded_at"]).sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
