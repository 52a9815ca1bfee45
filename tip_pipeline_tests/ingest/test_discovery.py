from pathlib import Path

import pytest

from tip_pipeline.ingest.discovery import (
    DeliveryError,
    delivered_periods,
    expected_names,
    files_for,
    missing_names,
    scan,
    unknown_files,
)
from tip_pipeline.periods import FinancialYear


def touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_text("x\n")


def test_scan_recognises_by_name_and_reports_the_rest(tmp_path):
    touch(tmp_path, "cin_children_2023-24.csv", "ref_imd_2025.csv", "notes.csv", "x_2023-25.csv")
    known, unknown = scan(tmp_path)
    assert sorted(f.extract.table for f in known) == ["cin_children", "ref_imd"]
    assert sorted(p.name for p in unknown) == ["notes.csv", "x_2023-25.csv"]


def test_delivered_periods_come_from_service_extracts(tmp_path):
    touch(
        tmp_path,
        "cin_children_2022-23.csv",
        "ssda903_header_2023-24.csv",
        "ref_population_mid2019.csv",
    )
    assert [p.label for p in delivered_periods(tmp_path)] == ["2022/23", "2023/24"]


def test_a_quarterly_extract_needs_all_four_quarters(tmp_path):
    touch(tmp_path, *(f"hclic_main_2023-24_Q{q}.csv" for q in (1, 2, 4)))
    with pytest.raises(DeliveryError, match=r"missing hclic_main_2023-24_Q3\.csv"):
        files_for(tmp_path, "hclic_main", FinancialYear(2023))
    touch(tmp_path, "hclic_main_2023-24_Q3.csv")
    assert len(files_for(tmp_path, "hclic_main", FinancialYear(2023))) == 4


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(DeliveryError, match="does not exist"):
        scan(tmp_path / "nowhere")


def test_reference_file_found_by_vintage(tmp_path):
    touch(tmp_path, "ref_imd_2025.csv")
    assert files_for(tmp_path, "ref_imd", None) == [tmp_path / "ref_imd_2025.csv"]
    with pytest.raises(ValueError, match="give a period"):
        files_for(tmp_path, "cin_children", None)


def test_a_link_leaving_the_data_folder_is_refused_without_reading_it(tmp_path):
    outside = tmp_path / "elsewhere" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "ref_imd_2025.csv").symlink_to(outside)
    with pytest.raises(DeliveryError, match="a link to a file outside the data folder") as err:
        files_for(folder, "ref_imd", None)
    assert "root" not in str(err.value).replace(str(tmp_path), "")


def test_a_link_inside_the_data_folder_is_followed(tmp_path):
    touch(tmp_path, "imd_copy.csv")
    (tmp_path / "ref_imd_2025.csv").symlink_to(tmp_path / "imd_copy.csv")
    assert [p.name for p in files_for(tmp_path, "ref_imd", None)] == ["ref_imd_2025.csv"]


def test_files_matching_no_contract_are_listed_by_name(tmp_path):
    (tmp_path / "cin_children_2023-24.csv").write_text("x\n")
    (tmp_path / "cin_children_2023.csv").write_text("x\n")  # misnamed
    (tmp_path / "referrals.xlsx").write_bytes(b"PK")
    (tmp_path / "archive").mkdir()
    assert unknown_files(tmp_path) == ["cin_children_2023.csv", "referrals.xlsx"]
    assert unknown_files(tmp_path / "no-such-folder") == []


def test_missing_names_lists_every_missing_file_of_every_table(tmp_path):
    year = FinancialYear(2023)
    touch(tmp_path, "cin_children_2023-24.csv", "hclic_main_2023-24_Q1.csv")
    missing = missing_names(tmp_path, ("cin_children", "hclic_main", "yjs_offences"), year)
    assert missing == [
        *(f"hclic_main_2023-24_Q{q}.csv" for q in (2, 3, 4)),
        "yjs_offences_2023-24.csv",
    ]
    assert missing_names(tmp_path, ("ref_imd",), None) == ["ref_imd_2025.csv"]
    assert expected_names("ref_population", year) == ["ref_population_mid2023.csv"]
