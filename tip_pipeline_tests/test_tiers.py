"""The test tiers' guard: a whole-graph test cannot stay out of the ``integration`` marker, so
the unit tier (``pytest -m "not integration"``) stays fast."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tip_pipeline_tests import conftest, graph


class _Item:
    """The parts of a pytest item the setup hook reads."""

    def __init__(self, fixturenames: list[str], marked: bool) -> None:
        self.nodeid = "tip_pipeline_tests/x/test_x.py::test_x"
        self.fixturenames = fixturenames
        self.marked = marked

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return pytest.mark.integration.mark if self.marked and name == "integration" else None


@pytest.fixture
def restore_running(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    graph.running(request.node)


def test_materialising_without_the_marker_fails_before_anything_runs():
    with pytest.raises(pytest.fail.Exception, match=r"not marked @pytest\.mark\.integration"):
        graph.materialise("no-such-folder", "sqlite:///no/such/tip.db", ["2023/24"])


def test_the_marker_lets_the_helper_run(request: pytest.FixtureRequest):
    request.node.add_marker(pytest.mark.integration)
    graph.require_integration_marker()  # no failure: the test is marked


@pytest.mark.usefixtures("restore_running")
@pytest.mark.parametrize("fixture", sorted(conftest.INTEGRATION_FIXTURES))
def test_a_whole_graph_fixture_without_the_marker_fails(fixture: str):
    with pytest.raises(pytest.fail.Exception, match=f"uses {fixture} .* not marked"):
        conftest.pytest_runtest_setup(_Item(["tmp_path", fixture], marked=False))
    conftest.pytest_runtest_setup(_Item(["tmp_path", fixture], marked=True))  # no failure
    conftest.pytest_runtest_setup(_Item(["tmp_path"], marked=False))  # no failure


def test_the_marker_is_declared(pytestconfig: pytest.Config):
    declared = [line.split(":")[0] for line in pytestconfig.getini("markers")]
    assert "integration" in declared and "slow" not in declared
