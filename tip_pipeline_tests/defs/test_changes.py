"""Change detection by content hash: fingerprints, affected years, the nightly plan, cursors."""

import hashlib
from pathlib import Path

import pytest

from tip_pipeline.defs.changes import (
    Affected,
    affected_files,
    changed_files,
    dump_cursor,
    expected_versions,
    fingerprint,
    load_cursor,
    nightly_plan,
    version_key,
)
from tip_pipeline.periods import FinancialYear

FIRST = FinancialYear(2021)
OFFERED = ["2021-22", "2022-23", "2023-24"]


def write(folder: Path, name: str, text: str = "a,b\n1,2\n") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_fingerprint_hashes_recognised_files_only(tmp_path):
    path = write(tmp_path, "cin_children_2023-24.csv")
    write(tmp_path, "notes.csv")
    write(tmp_path, "cin_children_2023-24.txt")
    assert fingerprint(tmp_path) == {path.name: hashlib.sha256(path.read_bytes()).hexdigest()}


def test_new_and_changed_files_are_found_unchanged_and_removed_are_not():
    previous = {"a.csv": "1", "b.csv": "2", "gone.csv": "3"}
    current = {"a.csv": "1", "b.csv": "22", "new.csv": "4"}
    assert changed_files(previous, current) == ["b.csv", "new.csv"]
    assert changed_files(current, current) == []


def test_files_map_to_years_reference_and_history():
    assert version_key("cin_children_2023-24.csv", FIRST) == ("cin_children", "2023-24")
    assert version_key("hclic_main_2022-23_Q3.csv", FIRST) == ("hclic_main", "2022-23")
    assert version_key("ref_population_mid2023.csv", FIRST) == ("ref_population", "2023-24")
    assert version_key("ref_imd_2025.csv", FIRST) == ("ref_imd", None)
    assert version_key("yjs_offences_2019-20.csv", FIRST) == ("yjs_history", None)
    assert version_key("cin_children_2019-20.csv", FIRST) is None  # before any partition
    assert version_key("readme.csv", FIRST) is None


def test_affected_years_are_offered_partitions_only():
    names = ["cin_children_2023-24.csv", "cin_episodes_2024-25.csv", "ref_imd_2025.csv"]
    assert affected_files(names, FIRST, OFFERED) == Affected(years=("2023-24",), reference=True)
    assert not affected_files(["cin_children_2024-25.csv"], FIRST, OFFERED)


def test_a_year_looked_back_to_affects_the_years_that_read_it():
    """Re-referrals read the previous year's CIN episodes, long-term stability the two previous
    years' SSDA903 episodes, the involvement flows the previous year's CIN census and SSDA903
    episodes, the cohorts four years of the CIN census, SSDA903 episodes and H-CLIC: a change to
    those files affects the offered years that read them."""
    for name in ("cin_episodes", "ssda903_episodes", "cin_children", "cin_assessments"):
        found = affected_files([f"{name}_2021-22.csv"], FIRST, OFFERED)
        assert found.years == ("2021-22", "2022-23", "2023-24")
    later = affected_files(["cin_cp_plans_2022-23.csv"], FIRST, OFFERED)
    assert later.years == ("2022-23", "2023-24")
    assert affected_files(["ssda903_header_2021-22.csv"], FIRST, OFFERED).years == ("2021-22",)


def test_nightly_plan_latest_year_and_changed_years():
    files = {
        "cin_children_2022-23.csv": "x",
        "cin_children_2023-24.csv": "y",
        "ref_imd_2025.csv": "r",
    }
    expected = expected_versions(files, FIRST)
    # never materialised: everything delivered
    assert nightly_plan(expected, {}, OFFERED) == Affected(("2022-23", "2023-24"), True)
    # all recorded: the latest complete year only
    assert nightly_plan(expected, dict(expected), OFFERED) == Affected(("2023-24",), False)
    # one earlier year changed
    recorded = {**expected, ("cin_children", "2022-23"): "old"}
    assert nightly_plan(expected, recorded, OFFERED).years == ("2022-23", "2023-24")
    # the latest complete year not delivered yet: not requested
    only_old = expected_versions({"cin_children_2022-23.csv": "x"}, FIRST)
    assert not nightly_plan(only_old, dict(only_old), OFFERED)


def test_cursor_round_trip():
    files = {"b.csv": "2", "a.csv": "1"}
    assert load_cursor(dump_cursor(files)) == files
    assert dump_cursor(files).index("a.csv") < dump_cursor(files).index("b.csv")
    assert load_cursor(None) == {} and load_cursor("") == {}
    with pytest.raises(ValueError):
        load_cursor("[1, 2]")
