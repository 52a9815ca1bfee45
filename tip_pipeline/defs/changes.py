"""What changed in a delivery folder, judged by content hash alone: the orchestration logic
of the delivery sensor and the nightly schedule, as plain functions (no Dagster import).

A *fingerprint* maps every recognised file name in the folder to the SHA-256 of its bytes.
Comparing two fingerprints gives the new or changed files; the files map to the work they
affect: reporting years (Dagster partition keys, ``2023-24``) and the unpartitioned assets
(reference files of their own vintage, and the youth-justice history before the first
reporting year). Used by the delivery sensor (previous fingerprint in its cursor) and by the
nightly schedule (expected data versions against those recorded by the last materialisations).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tip_pipeline.indicators import look_back
from tip_pipeline.ingest.discovery import scan
from tip_pipeline.ingest.reader import data_version, file_sha256
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.sources.contracts import parse_file_name

#: tables whose years before the first reporting year are staged as unpartitioned history
HISTORY_TABLES = contracts.tables(history=True)
#: name of the unpartitioned asset that stages that history (ingest/yjs_history)
HISTORY = "yjs_history"

#: (ingest asset name, partition key or None when unpartitioned)
VersionKey = tuple[str, str | None]


@dataclass(frozen=True)
class Affected:
    """The work a set of files affects."""

    years: tuple[str, ...] = ()
    #: the unpartitioned assets (reference files, youth-justice history)
    reference: bool = False

    def __bool__(self) -> bool:
        return bool(self.years) or self.reference


def fingerprint(data_dir: Path) -> dict[str, str]:
    """{file name: sha256} of every recognised delivery file in ``data_dir``."""
    known, _ = scan(data_dir)
    return {f.path.name: file_sha256(f.path) for f in known}


def changed_files(previous: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """Names in ``current`` that are new or whose content differs from ``previous``.

    A file that disappeared is not a delivery: nothing is requested for it.
    """
    return sorted(name for name, sha in current.items() if previous.get(name) != sha)


def version_key(name: str, first: FinancialYear) -> VersionKey | None:
    """Which ingest asset (and partition) a delivered file feeds; None if none does."""
    parsed = parse_file_name(name)
    if parsed is None:
        return None
    table = parsed.extract.table
    if not parsed.extract.per_period or parsed.period is None:
        return (table, None)
    if parsed.period >= first:
        return (table, parsed.period.tag)
    return (HISTORY, None) if table in HISTORY_TABLES else None


def expected_versions(files: Mapping[str, str], first: FinancialYear) -> dict[VersionKey, str]:
    """The data version each ingest asset (partition) would record for these files."""
    grouped: dict[VersionKey, list[tuple[str, str]]] = defaultdict(list)
    for name, sha in files.items():
        key = version_key(name, first)
        if key is not None:
            grouped[key].append((name, sha))
    return {key: data_version(pairs) for key, pairs in grouped.items()}


def affected_by(keys: Iterable[VersionKey], offered: Iterable[str]) -> Affected:
    """Partitions (among ``offered``) and whether the unpartitioned assets are affected. A
    changed table that an indicator looks back to (``look_back.tables_to_read``) affects the
    years that read it too: a new 2022-23 CIN census changes 2023-24's re-referrals."""
    keys = list(keys)
    offered = list(offered)
    reach = look_back.tables_to_read()
    years = {year for _, year in keys if year in offered}
    for table, year in keys:
        if year is not None and table in reach:
            years.update(look_back.dependent_years([year], offered, reach[table]))
    return Affected(years=tuple(sorted(years)), reference=any(year is None for _, year in keys))


def affected_files(names: Iterable[str], first: FinancialYear, offered: Iterable[str]) -> Affected:
    """What the files ``names`` affect (years not offered as partitions are left out)."""
    keys = [key for key in (version_key(n, first) for n in names) if key is not None]
    return affected_by(keys, offered)


def stale_keys(
    expected: Mapping[VersionKey, str], recorded: Mapping[VersionKey, str | None]
) -> list[VersionKey]:
    """Ingest assets (partitions) whose files differ from their last materialisation's."""
    return sorted(
        (k for k, v in expected.items() if recorded.get(k) != v), key=lambda k: (k[1] or "", k[0])
    )


def nightly_plan(
    expected: Mapping[VersionKey, str],
    recorded: Mapping[VersionKey, str | None],
    offered: list[str],
) -> Affected:
    """The latest complete year (when delivered) and every year, or the reference assets,
    whose files changed since they were last materialised."""
    changed = affected_by(stale_keys(expected, recorded), offered)
    delivered = {year for _, year in expected if year}
    latest = [offered[-1]] if offered and offered[-1] in delivered else []
    years = tuple(sorted({*changed.years, *latest}))
    return Affected(years=years, reference=changed.reference)


# -- the sensor's cursor ---------------------------------------------------------------------


def dump_cursor(files: Mapping[str, str]) -> str:
    """The cursor text: JSON {file name: sha256}, sorted for stable diffs."""
    return json.dumps(dict(sorted(files.items())))


def load_cursor(text: str | None) -> dict[str, str]:
    """The fingerprint kept in a cursor; empty for a first tick (every file is then new)."""
    if not text:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("the delivery cursor must be a JSON object {file name: sha256}")
    return {str(k): str(v) for k, v in value.items()}
