"""Fixtures: the hand-made published layer (``published_url``, tip_pipeline_tests/conftest.py)
and its report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tip_pipeline.reports.build import Built, build
from tip_pipeline.warehouse.engine import make_engine


@pytest.fixture(scope="module")
def published(published_url: str) -> Iterator[Engine]:
    engine = make_engine(published_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def built(published: Engine) -> Built:
    return build(published, None, None)


@pytest.fixture(scope="module")
def report_file(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report_html") / "report.html"
    path.write_text(built.html, encoding="utf-8")
    return path
