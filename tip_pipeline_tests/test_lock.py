"""requirements.lock, the tested dependency set the scripts install (scripts/lock): every
dependency pyproject.toml declares, the dev extra's included, is pinned there at a version its
specifier allows, with hashes, so a lock left behind by a change to pyproject.toml fails here."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(r) for r in declared]


def _pinned() -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for name, version in PINNED.findall((ROOT / "requirements.lock").read_text()):
        pins.setdefault(canonicalize_name(name), set()).add(version)
    return pins


def test_every_declared_dependency_is_pinned_at_an_allowed_version():
    pins = _pinned()
    for requirement in _declared():
        versions = pins.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not in requirements.lock: run ./scripts/lock"
        for version in versions:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {requirement.name}=={version}, outside "
                f"{requirement.specifier}: run ./scripts/lock"
            )


def test_every_pin_carries_its_hashes():
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(blocks) == sum(len(v) for v in _pinned().values()) > 50
    assert all("--hash=sha256:" in block for block in blocks)
