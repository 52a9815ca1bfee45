"""Find delivered files by their names alone: real deliveries come with no manifest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, Extract, parse_file_name


class DeliveryError(ValueFreeError):
    """A delivery cannot be used as it stands; the message names the file and the problem."""


@dataclass(frozen=True)
class DeliveredFile:
    path: Path
    extract: Extract
    period: FinancialYear | None
    quarter: int | None


def _recognise(path: Path) -> DeliveredFile | None:
    try:
        parsed = parse_file_name(path.name)
    except ValueError:
        return None
    if parsed is None:
        return None
    return DeliveredFile(path, parsed.extract, parsed.period, parsed.quarter)


def scan(data_dir: Path) -> tuple[list[DeliveredFile], list[Path]]:
    """Every CSV directly in ``data_dir``: (recognised extracts, names that match no contract)."""
    if not data_dir.is_dir():
        raise DeliveryError(f"data folder {data_dir} does not exist (set TIP_DATA_DIR)")
    known: list[DeliveredFile] = []
    unknown: list[Path] = []
    for path in sorted(data_dir.glob("*.csv")):
        found = _recognise(path)
        (known.append(found) if found else unknown.append(path))
    return known, unknown


def unknown_files(data_dir: Path) -> list[str]:
    """Names of the files in ``data_dir`` that are not an extract of any contract (a misnamed
    delivery, a stray export, a file sent by mistake): never read, listed so that a data
    engineer sees them (docs/CONVENTIONS.md, "Deliveries")."""
    if not data_dir.is_dir():
        return []
    return sorted(p.name for p in data_dir.iterdir() if not p.is_dir() and _recognise(p) is None)


def delivered_periods(data_dir: Path) -> list[FinancialYear]:
    """Reporting years for which at least one service extract has been delivered."""
    known, _ = scan(data_dir)
    return sorted({f.period for f in known if f.period and f.extract.source != "ref"})


def _refuse_link_outside(path: Path, data_dir: Path) -> None:
    """A delivered name that is a link to a file outside the data folder is refused without
    reading it: it could expose any file the pipeline may read (and its first line would
    otherwise reach a message)."""
    if path.is_symlink() and not path.resolve().is_relative_to(data_dir.resolve()):
        raise DeliveryError(
            f"{path.name}: a link to a file outside the data folder; refused without reading "
            "it. Copy the file into the data folder instead."
        )


def expected_names(table: str, period: FinancialYear | None) -> list[str]:
    """The file names the contract of ``table`` gives for ``period`` (None for a reference
    file of its own vintage): four for a quarterly extract."""
    extract = EXTRACTS[table]
    if extract.per_period and period is None:
        raise ValueError(f"{table} is delivered per reporting year: give a period")
    return extract.file_names(period) if period else extract.file_names(FinancialYear(2000))


def missing_names(data_dir: Path, tables: Iterable[str], period: FinancialYear | None) -> list[str]:
    """The files of ``tables`` for ``period`` that are not in ``data_dir``, every one of them
    (``files_for`` stops at the first table), so that a data engineer can be told at once
    everything a delivery lacks before any run starts."""
    return [
        name
        for table in tables
        for name in expected_names(table, period)
        if not (data_dir / name).is_file()
    ]


def files_for(data_dir: Path, table: str, period: FinancialYear | None) -> list[Path]:
    """The files of ``table`` for ``period``, all of which must be present.

    A quarterly extract needs its four quarters: a year with a quarter missing is refused
    rather than published as if complete (docs/CONVENTIONS.md, "Periods").
    """
    paths = [data_dir / name for name in expected_names(table, period)]
    for path in paths:
        _refuse_link_outside(path, data_dir)
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        when = f" for {period.label}" if period else ""
        raise DeliveryError(
            f"{table}{when}: missing {', '.join(missing)} in {data_dir}. Each delivery needs "
            f"every file its contract names (see data_sources/README.md)."
        )
    return paths
