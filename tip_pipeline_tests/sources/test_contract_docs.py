from pathlib import Path

from tip_pipeline.sources.contract_docs import render
from tip_pipeline.sources.contracts import EXTRACTS

README = Path(__file__).parents[2] / "data_sources" / "README.md"


def test_data_sources_readme_is_current():
    assert README.read_text(encoding="utf-8") == render(), (
        "data_sources/README.md is stale: run "
        "python -m tip_pipeline.sources.contract_docs > data_sources/README.md"
    )


def test_every_extract_and_column_is_documented():
    text = render()
    for extract in EXTRACTS.values():
        assert f"### {extract.table}" in text
        if extract.table != "ref_population":
            for column in extract.column_names:
                assert f"`{column}`" in text
