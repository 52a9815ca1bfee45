"""A delivery folder validated in memory: a hand-made folder's broken rows and malformed lines
are counted by rule."""

from pathlib import Path

import pytest

from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.dry_run import MALFORMED, grouped, quarantine_by_rule

[LOOKUP] = EXTRACTS["ref_lsoa_lookup"].file_names(None)


def _write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _lookup(folder: Path) -> None:
    columns = EXTRACTS["ref_lsoa_lookup"].column_names
    row = {
        "LSOA21CD": "E01000001",
        "LSOA21NM": "Leeds 001A",
        "WD24CD": "E05000001",
        "WD24NM": "A ward",
        "LAD24CD": "E08000035",
        "LAD24NM": "Leeds",
    }
    _write(folder, LOOKUP, [",".join(columns), ",".join(row.get(c, "x") for c in columns)])


def test_groups_by_source_and_year_and_counts_malformed_lines(tmp_path):
    _lookup(tmp_path)
    (tmp_path / "notes.txt").write_text("not a contract file")
    groups, malformed = grouped(tmp_path, [LOOKUP, "notes.txt"])
    assert list(groups) == [("ref", None)] and malformed == 0
    assert groups[("ref", None)]["ref_lsoa_lookup"]["source_file"].tolist() == [LOOKUP]


def test_a_broken_row_and_a_malformed_line_are_counted(tmp_path):
    _lookup(tmp_path)
    header = "CHILD,SEX,DOB,ETHNIC"
    child = "0123456789abcdef"
    name = "ssda903_header_2023-24.csv"
    rows = [f"{child},1,2010-05-01,WBRI", f"{child},2,2010-05-01,WBRI", "a,b,c,d,e"]
    _write(tmp_path, name, [header, *rows])
    broken = quarantine_by_rule(tmp_path, [LOOKUP, name])
    assert broken == {"ssda903_header.unique_key": 1, MALFORMED: 1}


def test_a_folder_without_the_lsoa_lookup_is_refused_with_the_reason(tmp_path):
    with pytest.raises(ValueError, match="no ref_lsoa_lookup file"):
        quarantine_by_rule(tmp_path, [])
