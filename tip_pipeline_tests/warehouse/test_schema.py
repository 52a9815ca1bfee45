from __future__ import annotations

import pytest

from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.warehouse.layers import LAYERS
from tip_pipeline.warehouse.schema import (
    MAX_IDENTIFIER,
    STAGING_META_COLUMNS,
    db_column_name,
    metadata,
    staging_columns,
    staging_table,
)


@pytest.mark.parametrize(
    ("contract_name", "db_name"),
    [
        ("LAchildID", "la_child_id"),
        ("CINreferralDate", "cin_referral_date"),
        ("CPPstartDate", "cpp_start_date"),
        ("NumberOfPreviousCPP", "number_of_previous_cpp"),
        ("HomeLSOA", "home_lsoa"),
        ("HOME_POST", "home_post"),
        ("LSOA21CD", "lsoa21cd"),
        ("F90", "f90"),
        ("LAD 2021 Code", "lad_2021_code"),
        ("LSOA code (2021)", "lsoa_code_2021"),
        ("Index of Multiple Deprivation (IMD) Score", "index_of_multiple_deprivation_imd_score"),
        (
            "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
            "index_of_multiple_deprivation_imd_decile",
        ),
        ("neighbour_rank", "neighbour_rank"),
    ],
)
def test_db_column_name(contract_name: str, db_name: str) -> None:
    assert db_column_name(contract_name) == db_name


def test_overlong_names_are_cut_with_a_hash() -> None:
    long_a, long_b = "word " * 20 + "a", "word " * 20 + "b"
    assert len(db_column_name(long_a)) <= MAX_IDENTIFIER
    assert db_column_name(long_a) != db_column_name(long_b)


@pytest.mark.parametrize("table_name", sorted(EXTRACTS))
def test_staging_table_mirrors_the_contract(table_name: str) -> None:
    extract = EXTRACTS[table_name]
    table = staging_table(table_name)
    names = staging_columns(table_name)
    assert table.schema == "restricted"
    assert table.name == f"stg_{table_name}"
    assert list(names) == list(extract.column_names)
    assert [c.name for c in table.columns] == [*STAGING_META_COLUMNS, *names.values()]
    assert all(len(name) <= MAX_IDENTIFIER for name in names.values())
    assert [c.name for c in table.primary_key] == ["source_file", "line_number"]
    assert any([c.name for c in ix.columns] == ["period"] for ix in table.indexes)


def test_unknown_extract() -> None:
    with pytest.raises(KeyError, match="no contract extract"):
        staging_table("nope")


def test_every_table_is_in_a_layer_and_documented() -> None:
    for table in metadata.tables.values():
        assert table.schema in LAYERS
        assert table.comment, table.fullname
        assert all(column.comment for column in table.columns), table.fullname
