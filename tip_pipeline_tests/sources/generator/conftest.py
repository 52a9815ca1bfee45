"""The generator's tests read the session's shared deliveries (tip_pipeline_tests/conftest.py);
leeds scale is generated here, once, for the calibration tests only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tip_pipeline.sources.generator import generate


@pytest.fixture(scope="session")
def small(small_delivery: tuple[Path, dict]) -> tuple[Path, dict]:
    return small_delivery


@pytest.fixture(scope="session")
def small_faulty(faulty_delivery: tuple[Path, dict]) -> tuple[Path, dict]:
    return faulty_delivery


@pytest.fixture(scope="session")
def small_planted(planted_delivery: tuple[Path, dict]) -> tuple[Path, dict]:
    return planted_delivery


@pytest.fixture(scope="session")
def leeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("leeds")
    return out, generate(out, scale="leeds", seed=11)
