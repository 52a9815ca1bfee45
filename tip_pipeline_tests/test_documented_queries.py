"""Every query and Python example of README.md and warehouse/README.md runs, pasted as written,
in the clients analysts use, opened on ``warehouse/tip.db`` alone (the hand-made published
layer, with its sibling files as the pipeline leaves them): the ``sqlite3`` shell, Python's
``sqlite3``, plain SQLAlchemy and pandas, never the project's engine. Each client returns the
same rows, and a query of the published layer returns some. PostgreSQL's analyst role runs the
same text in tip_pipeline_tests/warehouse/test_roles.py."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tip_pipeline.warehouse.examples import EXAMPLES
from tip_pipeline_tests.docs import SQLITE_URL, Block, blocks, is_query

SQL = blocks("sql")
DOCUMENT_NAMES = sorted({block.document for block in SQL})
PYTHON = blocks("python")


@pytest.fixture
def analyst_folder(published_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder of an analyst holding ``warehouse/tip.db`` (the session's published
    layer, only read here), made the current folder as the documents' paths assume."""
    folder = Path(make_url(published_url).database).parents[1]
    monkeypatch.chdir(folder)
    return folder


def _sessions() -> list[list[Block]]:
    """The SQL blocks of each document: one session each, as its reader pastes them."""
    return [[b for b in SQL if b.document == document] for document in DOCUMENT_NAMES]


def _python_sqlite3_rows() -> list[int]:
    """Rows of every query, each document's blocks run statement by statement on a
    connection of its own."""
    counts = []
    for session in _sessions():
        conn = sqlite3.connect("warehouse/tip.db")
        try:
            for block in session:
                for statement in block.statements():
                    rows = conn.execute(statement).fetchall()
                    if is_query(statement):
                        counts.append(len(rows))
        finally:
            conn.close()
    return counts


def test_the_documents_hold_the_examples_and_the_attach_line():
    codes = [block.code.strip() for block in SQL]
    for example in EXAMPLES.values():
        assert example.literal_sql().strip() in codes, example.key
    assert "ATTACH DATABASE 'warehouse/tip.ops.db' AS ops;" in codes
    assert any("read_sql_table" in block.code for block in PYTHON)
    assert all(SQLITE_URL in b.code or "sqlite3.connect" in b.code for b in PYTHON)
    assert not any("tip_pipeline" in block.code for block in PYTHON)  # nothing of the project


def test_every_query_runs_in_python_sqlite3_and_the_published_ones_return_rows(
    analyst_folder: Path,
):
    counts = _python_sqlite3_rows()
    queries = [block for block in SQL for s in block.statements() if is_query(s)]
    assert len(counts) == len(queries) >= len(EXAMPLES) + 1
    empty = [b.code for n, b in zip(counts, queries, strict=True) if n == 0 and not b.other_layers]
    assert empty == []


def test_every_query_runs_in_plain_sqlalchemy_and_pandas(analyst_folder: Path):
    expected = _python_sqlite3_rows()
    engine = create_engine(SQLITE_URL)
    by_sqlalchemy, by_pandas = [], []
    try:
        for session in _sessions():
            with engine.connect() as conn:
                for statement in (s for block in session for s in block.statements()):
                    if not is_query(statement):
                        conn.execute(text(statement))
                        continue
                    by_sqlalchemy.append(len(conn.execute(text(statement)).all()))
                    by_pandas.append(len(pd.read_sql(statement, conn)))
                conn.exec_driver_sql("DETACH DATABASE ops")  # the pool keeps the connection
        table = pd.read_sql_table("indicator_values", engine)
    finally:
        engine.dispose()
    assert by_sqlalchemy == expected and by_pandas == expected
    assert len(table) > 0 and "suppressed" in table.columns


def test_every_query_runs_in_the_sqlite3_shell(analyst_folder: Path):
    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.skip("no sqlite3 shell on this machine (Debian: apt-get install sqlite3)")
    printed = 0
    for session in _sessions():
        done = subprocess.run(
            [shell, "-bail", "-batch", "-noheader", "-list", "warehouse/tip.db"],
            input="\n".join(block.code for block in session),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0 and done.stderr == "", done.stderr
        printed += len(done.stdout.splitlines())
    assert printed == sum(_python_sqlite3_rows())


@pytest.mark.parametrize("block", PYTHON, ids=lambda b: f"{b.document}:{b.code[:40]}")
def test_every_python_example_runs_as_written(analyst_folder: Path, block: Block):
    """Each block in a fresh interpreter, with only the working folder's files at hand."""
    done = subprocess.run(
        [sys.executable, "-c", block.code],
        capture_output=True,
        text=True,
        check=False,
        cwd=analyst_folder,
    )
    assert done.returncode == 0, done.stderr.splitlines()[-1:]
