"""``published.child_population``: the child population (0-17) by local authority, sex and
single year of age, the report's population pyramid ("start with populations", the
strategy's first principle: docs/DOMAIN.md).

It is the ONS mid-year population estimate each year's denominators come from (mid-(YYYY-1)
for the year ending 31 March YYYY: docs/CONVENTIONS.md, "Population, geography and age"), the
LSOA estimates (ONS, *Lower layer Super Output Area population estimates*, single year of age
and sex) summed to the local authority of the ONS best-fit lookup. ONS publishes these
estimates, down to the LSOA, so publishing their sums discloses nothing about any child and
no disclosure control applies; the indicators' population denominators are published
already (``indicator_values.denominator``).

Written in the year's publish transaction (``store.publish_year``), from the year's validated
reference rows, so the pyramid commits with the year's indicators and comes from the same run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.data import population_long
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.schema import validated_table

LA: Final = "la"
CHILD_AGES: Final = range(18)
_POPULATION_COLUMNS: Final = ("lsoa_2021_code", *(f"{s}{a}" for s in "fm" for a in CHILD_AGES))
_LOOKUP_COLUMNS: Final = ("lsoa21cd", "lad24cd", "lad24nm")


def child_population(population: pd.DataFrame, lookup: pd.DataFrame, period: str) -> pd.DataFrame:
    """The rows of ``published.child_population`` for ``period`` (lineage aside).

    ``population``: the year's ``ref_population`` rows (ONS wide layout, ``f0``..``m17``);
    ``lookup``: LSOA to local authority (``lsoa21cd``, ``lad24cd``, ``lad24nm``). An LSOA the
    lookup lacks belongs to no authority of the warehouse and is left out."""
    long = population_long(population)
    areas = lookup.drop_duplicates("lsoa21cd").set_index("lsoa21cd")
    long = long[long["lsoa"].isin(areas.index)].assign(
        area_code=lambda f: f["lsoa"].map(areas["lad24cd"]),
        area_name=lambda f: f["lsoa"].map(areas["lad24nm"]),
    )
    sums = (
        long.groupby(["area_code", "area_name", "sex", "age"], as_index=False)["population"]
        .sum()
        .sort_values(["area_code", "sex", "age"])
    )
    return pd.DataFrame(
        {
            "period": period,
            "mid_year": FinancialYear.parse(period).population_mid_year,
            "area_type": LA,
            "area_code": sums["area_code"].to_numpy(object),
            "area_name": sums["area_name"].to_numpy(object),
            "sex": sums["sex"].to_numpy(object),
            "age": sums["age"].astype("int64").to_numpy(),
            "population": sums["population"].astype("int64").to_numpy(),
        }
    )


def _read(conn: sa.Connection, name: str, columns: tuple[str, ...], **where: str) -> pd.DataFrame:
    table = validated_table(name)
    query = sa.select(*(table.c[c] for c in columns if c in table.c))
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    return pd.read_sql(query, conn)


def publish_population(conn: sa.Connection, period: str, run_id: str, now: datetime) -> int:
    """Replace the year's rows of ``published.child_population`` in the caller's transaction,
    from the year's validated population estimate and the LSOA lookup; the rows written."""
    population = _read(conn, "ref_population", _POPULATION_COLUMNS, period=period)
    lookup = _read(conn, "ref_lsoa_lookup", _LOOKUP_COLUMNS)
    frame = child_population(population, lookup, period).assign(run_id=run_id, loaded_at=now)
    return replace_rows(conn, schema.child_population, frame, {"period": period})
