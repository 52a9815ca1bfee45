"""The suite's optional parts: the PostgreSQL tests (a server at ``TIP_TEST_POSTGRES_URL``) and
the browser tests (Debian's Chromium driven by Playwright). Each skips with the reason when its
part is missing, unless ``TIP_REQUIRE_POSTGRES=1`` or ``TIP_REQUIRE_BROWSER=1`` (CI), when it
fails instead, so a skip never hides a failure there.

``python -m tip_pipeline_tests.optional`` prints, in one line, which parts will run and which
will skip or fail and why: ``scripts/test`` says it before any test starts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tip_pipeline.warehouse.engine import make_engine

DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHROMIUM = Path("/usr/bin/chromium")


def test_postgres_url() -> str:
    """The server the PostgreSQL tests create their databases on."""
    return os.environ.get("TIP_TEST_POSTGRES_URL") or DEFAULT_TEST_POSTGRES_URL


test_postgres_url.__test__ = False  # a helper, not a test


def postgres_problem(url: str) -> str | None:
    """Why the server at ``url`` cannot be used; None when it answers."""
    engine = make_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "no usable server"
        problem = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        shown = make_url(url).render_as_string(hide_password=True)
        return f"no PostgreSQL at {shown} ({problem}): set TIP_TEST_POSTGRES_URL"
    finally:
        engine.dispose()
    return None


def browser_problem() -> str | None:
    """Why the browser tests cannot drive Chromium; None when they can."""
    if not CHROMIUM.exists():
        return f"no browser at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


def skip_or_fail(problem: str | None, required_by: str) -> None:
    """Skip the test for ``problem``, or fail it where the variable ``required_by`` is 1."""
    if problem is None:
        return
    if os.environ.get(required_by) == "1":
        pytest.fail(problem)
    pytest.skip(problem)


def _said(part: str, problem: str | None, required_by: str) -> str:
    if problem is None:
        return f"{part} tests run"
    outcome = "FAIL" if os.environ.get(required_by) == "1" else "skip"
    return f"{part} tests will {outcome}: {problem}"


def summary() -> str:
    """One line: each optional part, run, skipped or failed, with why."""
    parts = [
        _said("PostgreSQL", postgres_problem(test_postgres_url()), "TIP_REQUIRE_POSTGRES"),
        _said("browser", browser_problem(), "TIP_REQUIRE_BROWSER"),
    ]
    return "optional parts: " + "; ".join(parts)


if __name__ == "__main__":
    print(summary())
