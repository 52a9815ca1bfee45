"""The inventory of personal data, docs/PERSONAL_DATA.md, is generated, current and complete."""

from pathlib import Path

from tip_pipeline.sources.contracts import EXTRACTS, ColumnKind
from tip_pipeline.warehouse import personal_data
from tip_pipeline.warehouse.personal_data import COMMAND, Category, entries, render
from tip_pipeline.warehouse.schema import metadata

INVENTORY = Path(__file__).parents[2] / "docs" / "PERSONAL_DATA.md"


def test_the_inventory_is_current():
    assert INVENTORY.read_text(encoding="utf-8") == render(), f"stale: run {COMMAND}"


def test_every_warehouse_table_is_accounted_for_and_no_other():
    """A table added to the schema must be classified before the inventory can be current."""
    assert personal_data.accounted_tables() == set(metadata.tables)


def test_every_column_of_every_service_extract_is_listed():
    text = render()
    for extract in personal_data.service_extracts():
        assert f"### `{extract.table}`" in text
        for column in extract.columns:
            assert f"| `{column.name}` |" in text, (extract.table, column.name)


def test_classification_by_content_names_real_columns():
    for table, column in personal_data.BY_CONTENT:
        assert column in EXTRACTS[table].column_names, (table, column)


def test_ids_are_pseudonyms_and_ethnicity_and_offences_are_special():
    classified = {
        (e.extract, e.delivered_as): e.category
        for extract in personal_data.service_extracts()
        for e in entries(extract)
    }
    for extract in personal_data.service_extracts():
        for column in extract.columns:
            if column.kind is ColumnKind.PSEUDO_ID:
                assert classified[(extract.table, column.name)] is Category.PSEUDONYM
    assert classified[("ssda903_header", "ETHNIC")] is Category.SPECIAL
    assert classified[("yjs_outcomes", "OUTCOME_TYPE")] is Category.CRIMINAL
    assert classified[("cin_children", "PersonBirthDate")] is Category.INDIRECT


def test_reference_data_is_not_an_extract_of_personal_data():
    services = {e.table for e in personal_data.service_extracts()}
    assert services and not any(table.startswith("ref_") for table in services)
