"""The checks ``tip run`` makes before starting Dagster: each refusal says what is wrong and
what to do, in one line, naming folders, files and years only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tip_pipeline.periods import FinancialYear
from tip_pipeline.preflight import (
    NotReady,
    check_delivery,
    check_warehouse_reachable,
    check_warehouse_url,
    connection_problem,
)
from tip_pipeline_tests.named_delivery import named_delivery

FIRST = FinancialYear(2022)  # 2022/23
TODAY = date(2025, 6, 1)  # 2024/25 has ended, 2025/26 has not


def test_a_complete_delivery_gives_the_years_to_run(tmp_path: Path):
    years = [FinancialYear(y) for y in (2021, 2022, 2023, 2024, 2025)]
    named_delivery(tmp_path, years)
    # 2021/22 is before the first reporting year, 2025/26 has not ended: neither is run
    assert check_delivery(tmp_path, FIRST, TODAY) == years[1:4]


def test_a_missing_folder_says_which_and_how_to_give_one(tmp_path: Path):
    with pytest.raises(NotReady, match=r"data folder .*nowhere does not exist: give --data"):
        check_delivery(tmp_path / "nowhere", FIRST, TODAY)


def test_a_folder_without_a_delivery_names_its_files(tmp_path: Path):
    with pytest.raises(NotReady, match="holds no delivery: it is empty"):
        check_delivery(tmp_path, FIRST, TODAY)
    for name in ("tip.db", "notes.txt", "cin_children.csv"):
        (tmp_path / name).touch()
    with pytest.raises(NotReady) as refused:
        check_delivery(tmp_path, FIRST, TODAY)
    assert "(cin_children.csv, notes.txt, tip.db) match no contract's file name" in str(
        refused.value
    )


def test_only_years_not_ended_is_no_delivery_to_run(tmp_path: Path):
    named_delivery(tmp_path, [FinancialYear(2025)])
    with pytest.raises(NotReady, match="no reporting year from 2022/23 on that has ended"):
        check_delivery(tmp_path, FIRST, TODAY)


def test_every_missing_file_is_named_at_once(tmp_path: Path):
    named_delivery(tmp_path, [FinancialYear(2023), FinancialYear(2024)])
    for name in ("ref_imd_2025.csv", "hclic_main_2024-25_Q3.csv", "cin_episodes_2024-25.csv"):
        (tmp_path / name).unlink()
    with pytest.raises(NotReady) as refused:
        check_delivery(tmp_path, FIRST, TODAY)
    message = str(refused.value)
    assert "reference data: ref_imd_2025.csv; 2024/25: cin_episodes_2024-25.csv, " in message
    assert "hclic_main_2024-25_Q3.csv" in message and "2023/24" not in message
    assert "\n" not in message and message.endswith("(data_sources/README.md)")


def test_a_long_list_is_cut_short(tmp_path: Path):
    named_delivery(tmp_path, [FinancialYear(2023)])
    for path in tmp_path.glob("ref_*.csv"):
        path.unlink()
    with pytest.raises(NotReady, match=r"reference data: (\S+, ){4}\S+ and \d+ more"):
        check_delivery(tmp_path, FIRST, TODAY)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://tip@db:5432/tip", "postgresql+psycopg://tip@db:5432/tip"),
        ("sqlite:///warehouse/tip.db", "sqlite+pysqlite:///warehouse/tip.db"),
    ],
)
def test_supported_urls_pass_as_the_engine_uses_them(url: str, expected: str):
    assert check_warehouse_url(url).render_as_string() == expected


def test_an_unsupported_url_is_named_without_its_password():
    with pytest.raises(NotReady) as refused:
        check_warehouse_url("mysql://tip:s3cret@db/tip")
    message = str(refused.value)
    assert "unsupported warehouse URL 'mysql://tip:***@db/tip'" in message
    assert "s3cret" not in message and message.endswith("(--warehouse or TIP_WAREHOUSE_URL)")


@pytest.mark.parametrize("url", ["s3cret", "", "warehouse/tip.db"])
def test_something_that_is_not_a_url_is_not_repeated(url: str):
    """It may be a password pasted into the wrong place: the message is the same whatever."""
    with pytest.raises(NotReady) as refused:
        check_warehouse_url(url)
    assert str(refused.value) == (
        "the warehouse URL is not a URL: give postgresql+psycopg://user@host:5432/db or "
        "sqlite:///path/tip.db (--warehouse or TIP_WAREHOUSE_URL)"
    )


def test_sqlite_in_memory_is_refused():
    with pytest.raises(NotReady, match="must be a file path"):
        check_warehouse_url("sqlite://")


def test_a_sqlite_warehouse_needs_no_connection(tmp_path: Path):
    check_warehouse_reachable(check_warehouse_url(f"sqlite:///{tmp_path}/new/tip.db"))
    assert not (tmp_path / "new").exists()  # nothing made: tip run makes it


def test_nothing_listening_is_said_plainly():
    url = check_warehouse_url("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/tip")
    with pytest.raises(NotReady) as refused:
        check_warehouse_reachable(url)
    message = str(refused.value)
    assert "postgresql+psycopg://postgres:***@127.0.0.1:1/tip" in message
    assert "nothing accepts connections at that host and port" in message
    assert "s3cret" not in message


@pytest.mark.postgres
def test_a_mistyped_database_or_role_is_said_plainly(postgres_server_url: str):
    server = check_warehouse_url(postgres_server_url)
    check_warehouse_reachable(server)
    with pytest.raises(NotReady, match="the database does not exist"):
        check_warehouse_reachable(server.set(database="tip_no_such_database"))
    with pytest.raises(NotReady, match="the role does not exist"):
        check_warehouse_reachable(server.set(username="tip_no_such_role", password=None))


def test_an_unknown_failure_is_described_without_its_message():
    said = connection_problem(RuntimeError("FATAL: something about 'Olivia'"))
    assert "RuntimeError" in said and "Olivia" not in said
