"""No planted identifier is written anywhere: a delivery carrying every kind of direct
identifier the generator plants, plus a line that is not UTF-8 and a header that is a record
(both made of planted values, so that the CSV reader's errors would repeat them), is run
through the reference assets and its year. The year is refused; then every planted value is
looked for in the log output, in every file of the Dagster instance's folder (event log, run
store, compute logs) and in the warehouse (every SQLite file, or every row of every table on
PostgreSQL). None may be found."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.sources.contracts import parse_file_name
from tip_pipeline.warehouse.engine import is_sqlite, make_engine
from tip_pipeline_tests.conftest import PLANTED_SEED
from tip_pipeline_tests.graph import materialise

pytestmark = pytest.mark.integration

NAME, POSTCODE, DOB = "Freya Walker", "LS6 2QT", "17/09/2014"
#: kinds whose added values are not identifiers (a copied pseudonym column)
NOT_VALUES = {"unexpected_column"}


def _planted_values(planted: Path, clean: Path, manifest: dict) -> set[str]:
    """Every value the generator planted: the planted column's values that the same seed's
    clean delivery does not have."""
    values: set[str] = set()
    for item in manifest["identifiers"]:
        if item["kind"] in NOT_VALUES:
            continue
        column = item["column"]
        now = pd.read_csv(planted / item["file"], dtype=str, keep_default_na=False)[column]
        before = set()
        if (clean / item["file"]).exists():
            frame = pd.read_csv(clean / item["file"], dtype=str, keep_default_na=False)
            before = set(frame[column]) if column in frame else set()
        values |= {v for v in now if v and v not in before}
    return values - _every_value(clean)


def _every_value(folder: Path) -> set[str]:
    """Every value of every file: a planted date of birth may equal an event date that the
    clean delivery has too (which the warehouse rightly stores), and proves nothing."""
    values: set[str] = set()
    for path in folder.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in frame:
            values.update(frame[column])
    return values


def _planted_year_file(folder: Path, year: str, table: str, quarter: int) -> Path:
    for path in folder.iterdir():
        parsed = parse_file_name(path.name)
        if (
            parsed
            and parsed.extract.table == table
            and parsed.period is not None
            and parsed.period.tag == year
            and parsed.quarter == quarter
        ):
            return path
    raise AssertionError(f"no {table} Q{quarter} file for {year}")


def _break_parsers(folder: Path, year: str) -> None:
    """A line that is not UTF-8 in one file, a header that is a record in another, both of
    planted values, in files the generator left clean."""
    main = _planted_year_file(folder, year, "hclic_main", 2)
    main.write_bytes(main.read_bytes() + f"{NAME},{POSTCODE}\xe9\n".encode("latin-1"))
    support = _planted_year_file(folder, year, "hclic_support", 1)
    lines = support.read_text().splitlines(keepends=True)
    support.write_text(f"{NAME},{POSTCODE},{DOB}\n" + "".join(lines[1:]))


def _warehouse_text(url: str, folder: Path) -> bytes:
    if is_sqlite(url):
        return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    engine = make_engine(url)
    try:
        inspector = sa.inspect(engine)
        rows = []
        with engine.connect() as conn:
            for schema in inspector.get_schema_names():
                if schema in ("information_schema", "pg_catalog"):
                    continue
                for table in inspector.get_table_names(schema=schema):
                    quoted = f'"{schema}"."{table}"'
                    rows += conn.execute(sa.text(f"SELECT CAST(t AS text) FROM {quoted} t"))
        return "\n".join(r[0] for r in rows).encode()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_no_planted_value_is_logged_or_stored(backend, planted_delivery, tmp_path, capfd, request):
    from tip_pipeline.sources.generator import generate

    planted, manifest = planted_delivery
    data = tmp_path / "data"
    shutil.copytree(planted, data)
    year = manifest["identifiers"][0]["file"].split("_")[-1][:7]
    _break_parsers(data, year)
    clean = tmp_path / "clean"
    generate(clean, scale="small", seed=PLANTED_SEED)
    values = _planted_values(planted, clean, manifest) | {NAME, POSTCODE, DOB}
    assert len(values) > 100  # every kind, most of them in many rows

    if backend == "sqlite":
        (tmp_path / "warehouse").mkdir()
        url = f"sqlite:///{tmp_path}/warehouse/tip.db"
    else:
        url = request.getfixturevalue("postgres_url")
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        runs = materialise(data, url, [year], raise_on_error=False, instance=instance)
    assert runs.reference.success and not runs.last.success

    output = "".join(capfd.readouterr())
    assert "delivery refused" in output and "is not UTF-8" in output
    assert "line 1 is not the header" in output
    stored = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    warehouse = _warehouse_text(url, tmp_path / "warehouse")
    found = [
        v for v in sorted(values) if v in output or v.encode() in stored or v.encode() in warehouse
    ]
    where = {v: (v in output, v.encode() in stored, v.encode() in warehouse) for v in found}
    assert not found, f"{len(found)} planted values found (output, instance, warehouse): {where}"
