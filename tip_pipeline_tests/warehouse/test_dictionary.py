"""The data dictionary, warehouse/README.md, is generated from the schema and kept current."""

from pathlib import Path

from tip_pipeline.warehouse.dictionary import COMMAND, render
from tip_pipeline.warehouse.examples import EXAMPLES
from tip_pipeline.warehouse.schema import metadata
from tip_pipeline.warehouse.views import VIEWS

README = Path(__file__).parents[2] / "warehouse" / "README.md"


def test_warehouse_readme_is_current():
    assert README.exists(), f"warehouse/README.md is missing: run {COMMAND}"
    assert README.read_text(encoding="utf-8") == render(), (
        f"warehouse/README.md is stale: run {COMMAND}"
    )


def test_every_table_column_view_and_example_is_documented():
    text = render()
    for table in metadata.tables.values():
        assert f"### `{table.fullname}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
    for view in VIEWS.values():
        assert f"### `published.{view.name}` (view)" in text
    for example in EXAMPLES.values():
        assert f"{example.title}\n" in text and example.literal_sql() in text


def test_layers_come_published_first_then_restricted_then_ops():
    text = render()
    positions = [
        text.index("\n## Published layer"),
        text.index("\n## Restricted layer"),
        text.index("\n## Ops layer"),
        text.index("\n## Example queries"),
    ]
    assert positions == sorted(positions)
    assert text.index("### `published.") < text.index("### `restricted.")


def test_rendering_is_deterministic_and_independent_of_the_environment(monkeypatch):
    first = render()
    monkeypatch.setenv("TIP_SUPPRESSION_THRESHOLD", "11")
    assert render() == first
    assert "from 1 to 4" in first and "TIP_SUPPRESSION_THRESHOLD" in first
