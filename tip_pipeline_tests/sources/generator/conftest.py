"""Shared fixtures: each generation runs once per session (generation is the slow part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tip_pipeline.sources.generator import generate


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("small")
    return out, generate(out, scale="small", seed=7)


@pytest.fixture(scope="session")
def small_faulty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("faulty")
    return out, generate(out, scale="small", seed=7, faults=0.05)


@pytest.fixture(scope="session")
def small_planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("planted")
    return out, generate(out, scale="small", seed=7, plant_identifiers=True)


@pytest.fixture(scope="session")
def leeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("leeds")
    return out, generate(out, scale="leeds", seed=11)
