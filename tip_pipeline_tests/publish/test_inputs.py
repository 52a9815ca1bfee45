"""What publishing reads: the published scope of the restricted indicator values in SQL."""

import itertools

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.publish.cells import in_scope
from tip_pipeline.publish.inputs import published_scope


def test_the_published_scope_in_sql_selects_the_rows_in_scope():
    metadata = sa.MetaData()
    table = sa.Table(
        "values",
        metadata,
        sa.Column("area_type", sa.Text),
        sa.Column("breakdown", sa.Text),
    )
    pairs = itertools.product(
        ("lsoa", "ward", "la", "region", "country"), ("total", "sex", "imd_decile")
    )
    frame = pd.DataFrame(list(pairs), columns=["area_type", "breakdown"])
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        metadata.create_all(conn)
        conn.execute(table.insert(), frame.to_dict("records"))
        query = sa.select(table).where(published_scope(table))
        chosen = set(map(tuple, conn.execute(query)))
    assert chosen == set(map(tuple, frame[in_scope(frame)].to_numpy()))
    assert ("ward", "total") in chosen and ("ward", "sex") not in chosen
    assert not any(area_type == "lsoa" for area_type, _ in chosen)
