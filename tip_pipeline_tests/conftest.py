"""Shared fixtures: warehouse URLs on SQLite (always) and PostgreSQL (when a server answers).

PostgreSQL tests are marked ``@pytest.mark.postgres`` and use ``postgres_url``: a fresh,
uniquely named database per test, dropped afterwards. The server is ``TIP_TEST_POSTGRES_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Without a server the tests
skip, unless ``TIP_REQUIRE_POSTGRES=1`` (CI), where they fail instead.

Migrated warehouses are copies: one warehouse per backend is migrated to head once per session
(a template database on PostgreSQL, three layer files on SQLite) and every test that wants a
migrated, empty warehouse (``warehouse``, ``migrated_sqlite_url``, ``migrated_postgres_url``)
gets its own copy; on PostgreSQL, a copy in which the last test changed nothing but rows is
emptied and given to the next test instead (tip_pipeline_tests/recycled.py says how that is
checked). PostgreSQL copies through the WAL (the default strategy), not file by file
(``STRATEGY FILE_COPY``): a file copy is faster alone (0.12 s against 0.20 s) but takes two
checkpoints, which flush every dirty page of the server (the other worker's tests' too) and
make the drop slower: in the suite, WAL copies took the PostgreSQL-heavy files from 73 s to
41 s (docs/PERFORMANCE.md, "On every core"). Tests of the migrations themselves use the empty
``sqlite_url``, ``postgres_url`` or ``warehouse_url`` and run ``upgrade`` themselves.

Tests in two tiers: a test that materialises the asset graph (``graph.materialise``, `tip run`,
a Dagster daemon or UI), needs leeds-scale data or reads a generated delivery (any scale: the
generator run whole) is marked ``@pytest.mark.integration``; the rest, ``pytest -m "not
integration"``, is the unit tier. ``pytest_runtest_setup`` fails a test
that uses one of ``INTEGRATION_FIXTURES`` without the marker, and ``graph.materialise`` one
that calls it (directly or through any fixture) without the marker.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tip_pipeline.warehouse.engine import (
    create_database,
    drop_database,
    make_engine,
    normalise_url,
    sqlite_layer_paths,
)
from tip_pipeline.warehouse.layers import PUBLISHED
from tip_pipeline.warehouse.migrate import upgrade
from tip_pipeline_tests import graph, recycled
from tip_pipeline_tests.optional import postgres_problem, skip_or_fail, test_postgres_url

#: fixtures that run the whole graph, or the whole generator, without calling
#: graph.materialise themselves (or before it): a test using one must be marked integration
INTEGRATION_FIXTURES = {
    "leeds_warehouse",
    "small_run",
    "small_run_copy",
    "leeds",
    "dagster_ui",
    "small_delivery",
    "faulty_delivery",
    "planted_delivery",
}


#: session fixtures too costly to build once per xdist worker: the tests using one of them
#: run on one worker (``--dist loadgroup``, scripts/test), which builds it once
ONE_WORKER_FIXTURES = {
    "small_run": "small_run",
    "small_run_copy": "small_run",
    "leeds_warehouse": "leeds_run",
    "leeds_reports": "leeds_run",
    "leeds": "leeds_data",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests of each costly session fixture (before xdist reads the groups)."""
    for item in items:
        used = [g for f, g in ONE_WORKER_FIXTURES.items() if f in getattr(item, "fixturenames", ())]
        if used:
            item.add_marker(pytest.mark.xdist_group(min(used)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture is set up: tell graph.materialise which test runs, and fail a test
    using a whole-graph or generated-delivery fixture that is not marked integration."""
    graph.running(item)
    used = INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    if used and item.get_closest_marker(graph.INTEGRATION) is None:
        pytest.fail(
            f"{item.nodeid} uses {', '.join(sorted(used))} (whole graph or generated data) "
            f"but is not marked @pytest.mark.{graph.INTEGRATION}",
            pytrace=False,
        )


@pytest.fixture(scope="session", autouse=True)
def _reports_outside_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Any test that materialises the report asset writes under pytest's temporary folder,
    never into the checkout's reports_out/."""
    before = os.environ.get("TIP_REPORT_DIR")
    os.environ["TIP_REPORT_DIR"] = str(tmp_path_factory.mktemp("reports_out"))
    yield
    if before is None:
        os.environ.pop("TIP_REPORT_DIR", None)
    else:
        os.environ["TIP_REPORT_DIR"] = before


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of a PostgreSQL server the tests may create databases on."""
    url = test_postgres_url()
    skip_or_fail(postgres_problem(url), "TIP_REQUIRE_POSTGRES")
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """URL of a new, empty database (``tip_test_<uuid8>``), dropped after the test."""
    name = f"tip_test_{uuid.uuid4().hex[:8]}"
    url = create_database(postgres_server_url, name)
    try:
        yield url
    finally:
        drop_database(postgres_server_url, name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a SQLite warehouse in a directory that does not exist yet."""
    return f"sqlite:///{tmp_path / 'warehouse' / 'tip.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest) -> str:
    """An empty warehouse URL, on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture(scope="session")
def _postgres_template(postgres_server_url: str) -> Iterator[str]:
    """Name of a database migrated to head once per session (``tip_test_template_<uuid8>``),
    the template ``migrated_postgres_url`` copies; dropped at the end of the session."""
    name = f"tip_test_template_{uuid.uuid4().hex[:8]}"
    url = create_database(postgres_server_url, name)
    try:
        upgrade(url)  # disposes its engine: no session stays connected to the template
        yield name
    finally:
        drop_database(postgres_server_url, name)


def _database_url(server_url: str, name: str) -> str:
    return normalise_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _postgres_spare(
    postgres_server_url: str, _postgres_template: str
) -> Iterator[tuple[str, list[str]]]:
    """The template's catalogue, and the copy the last test left with nothing but rows
    changed, emptied since (at most one: tip_pipeline_tests/recycled.py); dropped at the end of
    the session."""
    spare: list[str] = []
    yield recycled.catalogue(_database_url(postgres_server_url, _postgres_template)), spare
    for name in spare:
        drop_database(postgres_server_url, name)


@pytest.fixture
def migrated_postgres_url(
    postgres_server_url: str, _postgres_template: str, _postgres_spare: tuple[str, list[str]]
) -> Iterator[str]:
    """URL of a database migrated to head and empty: a new copy of the session's template, or
    the copy the last test used if that test changed nothing but rows (emptied since:
    tip_pipeline_tests/recycled.py). Afterwards it is kept for the next test on the same
    terms, or dropped."""
    expected, spare = _postgres_spare
    if spare:
        name = spare.pop()
        url = _database_url(postgres_server_url, name)
    else:
        name = f"tip_test_{uuid.uuid4().hex[:8]}"
        url = create_database(postgres_server_url, name, template=_postgres_template)
    try:
        yield url
    finally:
        if recycled.emptied(postgres_server_url, name, url, expected):
            spare.append(name)
        else:
            drop_database(postgres_server_url, name)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three layer files of a SQLite warehouse migrated to head once per session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite_template') / 'warehouse' / 'tip.db'}"
    upgrade(url)  # disposes its engine: the last connection closed, the WAL is checkpointed
    paths = sqlite_layer_paths(url)
    left = [p.name for p in paths[PUBLISHED].parent.iterdir() if p not in paths.values()]
    if left:  # a -wal or -shm file would hold part of the schema: copying would lose it
        raise RuntimeError(f"the migrated SQLite template left {sorted(left)} beside its files")
    return paths


def _copy_sqlite_template(template: dict[str, Path], url: str) -> str:
    """Copy the migrated template's layer files to the (new) warehouse ``url``; ``url``."""
    paths = sqlite_layer_paths(url)
    paths[PUBLISHED].parent.mkdir(parents=True)
    for layer, path in template.items():
        shutil.copyfile(path, paths[layer])
    return url


@pytest.fixture
def migrated_sqlite_url(sqlite_url: str, _sqlite_template: dict[str, Path]) -> str:
    """URL of a SQLite warehouse migrated to head and empty: a copy of the session's files."""
    return _copy_sqlite_template(_sqlite_template, sqlite_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def migrated_warehouse_url(request: pytest.FixtureRequest) -> str:
    """A warehouse URL migrated to head and empty, on SQLite and on PostgreSQL."""
    sqlite = request.param == "sqlite"
    return request.getfixturevalue("migrated_sqlite_url" if sqlite else "migrated_postgres_url")


@pytest.fixture
def warehouse(migrated_warehouse_url: str) -> Iterator[Engine]:
    """An engine on a warehouse migrated to head, empty, on SQLite and on PostgreSQL."""
    engine = make_engine(migrated_warehouse_url)
    yield engine
    engine.dispose()


def _fill_published(url: str) -> str:
    """Load the hand-made published layer (tip_pipeline_tests/published.py) into ``url``."""
    from tip_pipeline_tests.published import fill_published

    engine = make_engine(url)
    try:
        fill_published(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def published_url(
    tmp_path_factory: pytest.TempPathFactory, _sqlite_template: dict[str, Path]
) -> str:
    """A SQLite warehouse holding the hand-made published layer (tip_pipeline_tests/published.py),
    made once per session: the tests using it only read it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('published') / 'warehouse' / 'tip.db'}"
    return _fill_published(_copy_sqlite_template(_sqlite_template, url))


@pytest.fixture(scope="session")
def published_postgres_url(postgres_server_url: str, _postgres_template: str) -> Iterator[str]:
    """The same on PostgreSQL (``tip_test_published_<uuid8>``), made once per session and
    dropped at its end: the tests using it only read it."""
    name = f"tip_test_published_{uuid.uuid4().hex[:8]}"
    url = create_database(postgres_server_url, name, template=_postgres_template)
    try:
        yield _fill_published(url)
    finally:
        drop_database(postgres_server_url, name)


# -- synthetic deliveries, generated once per session ----------------------------------------


#: the seed of the small, faulty and planted deliveries: the same seed without faults or
#: planting gives their clean twin
PLANTED_SEED = 5


@pytest.fixture(scope="session")
def small_delivery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A clean small-scale delivery (all years) and its manifest."""
    from tip_pipeline.sources.generator import generate

    out = tmp_path_factory.mktemp("small_delivery")
    return out, generate(out, scale="small", seed=PLANTED_SEED)


@pytest.fixture(scope="session")
def faulty_delivery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The same with 5% of service rows faulty, every fault listed in the manifest."""
    from tip_pipeline.sources.generator import generate

    out = tmp_path_factory.mktemp("faulty_delivery")
    return out, generate(out, scale="small", seed=PLANTED_SEED, faults=0.05)


@pytest.fixture(scope="session")
def planted_delivery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The same with direct identifiers planted: the delivery must be refused."""
    from tip_pipeline.sources.generator import generate

    out = tmp_path_factory.mktemp("planted_delivery")
    return out, generate(out, scale="small", seed=PLANTED_SEED, plant_identifiers=True)


# -- a whole pipeline run at leeds scale, once per session -----------------------------------

LEEDS_YEARS = ("2023/24", "2024/25")


@pytest.fixture(scope="session")
def leeds_warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite warehouse holding a leeds-scale run of the whole graph for two years (the
    first is the baseline of the second's changes)."""
    from tip_pipeline.sources.generator import generate

    data = tmp_path_factory.mktemp("leeds_delivery")
    generate(data, scale="leeds", seed=11, first_year=LEEDS_YEARS[0], last_year=LEEDS_YEARS[-1])
    url = f"sqlite:///{tmp_path_factory.mktemp('leeds_warehouse') / 'tip.db'}"
    settings = {
        "TIP_FIRST_YEAR": LEEDS_YEARS[0],  # the baseline of changes
        "TIP_REPORT_DIR": str(_leeds_reports_dir(tmp_path_factory)),
    }
    before = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        graph.materialise(data, url, LEEDS_YEARS)
    finally:
        for name, value in before.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value
    return url


SMALL_RUN_YEARS = ("2023/24", "2024/25", "2025/26")


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Three small years (seed 3; the first the baseline) run through the whole graph: the
    delivery folder and the folder of the SQLite warehouse's files, for the tests that change a
    whole run's warehouse (purge, erase) to copy (``small_run_copy``), built once."""
    from tip_pipeline.sources.generator import generate
    from tip_pipeline.warehouse.engine import checkpoint

    data = tmp_path_factory.mktemp("small_run_delivery")
    first, last = SMALL_RUN_YEARS[0], SMALL_RUN_YEARS[-1]
    generate(data, scale="small", seed=3, first_year=first, last_year=last)
    folder = tmp_path_factory.mktemp("small_run_warehouse")
    url = f"sqlite:///{folder / 'tip.db'}"
    before = os.environ.get("TIP_FIRST_YEAR")
    os.environ["TIP_FIRST_YEAR"] = first
    try:
        graph.materialise(data, url, SMALL_RUN_YEARS)
    finally:
        if before is None:
            del os.environ["TIP_FIRST_YEAR"]
        else:
            os.environ["TIP_FIRST_YEAR"] = before
    checkpoint(url)  # every committed row in the files themselves, so a copy holds it
    return data, folder


@pytest.fixture
def small_run_copy(
    small_run: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str]:
    """A copy of ``small_run``'s delivery folder and warehouse for one test to change (its URL),
    with its first reporting year set."""
    data, folder = small_run
    shutil.copytree(data, tmp_path / "data")
    shutil.copytree(folder, tmp_path / "wh")
    monkeypatch.setenv("TIP_FIRST_YEAR", SMALL_RUN_YEARS[0])
    return tmp_path / "data", f"sqlite:///{tmp_path / 'wh' / 'tip.db'}"


def _leeds_reports_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "leeds_reports"


@pytest.fixture(scope="session")
def leeds_reports(leeds_warehouse: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the impact reports the leeds run wrote (the report asset's output)."""
    return _leeds_reports_dir(tmp_path_factory)
