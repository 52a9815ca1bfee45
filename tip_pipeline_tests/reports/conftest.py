"""Fixtures: a fresh SQLite warehouse with the hand-made published layer, and its report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tip_pipeline.reports.build import Built, build
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.migrate import upgrade
from tip_pipeline_tests.reports.published import fill_published


@pytest.fixture(scope="module")
def published_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'warehouse' / 'tip.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        fill_published(engine)
    finally:
        engine.dispose()
    return url


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
