"""One intake run: the raw landing folder's returns converted into contract files in the data
folder, with the run's account in the warehouse. Used by ``tip intake`` and ``tip run --raw``.

The order is chosen so that nothing is written with the wrong key and a run is recorded only
once it has done its work: the key is loaded and checked against the history's before any
file is read; each year's files are converted and written (each contract file whole, by a
rename); the run's account, the key's record and the key check again are one transaction at
the end. A run that fails before the end has written contract files that the next run
replaces, and no account: rerunning is always safe.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.census_worker import CensusWorker, worker_share, worth_a_worker
from tip_pipeline.intake.cross_reference import CrossReference
from tip_pipeline.intake.landing import (
    FileRefusal,
    YearIntake,
    convert_landing,
    is_census,
    is_read,
    scan_landing,
    take_cross_reference,
    write_contract_files,
)
from tip_pipeline.intake.linkage import ServiceLinkage, year_linkage
from tip_pipeline.intake.postcodes import PostcodeLookup, lookup_path, return_freed_memory
from tip_pipeline.intake.pseudonyms import Pseudonymiser, load_key
from tip_pipeline.intake.store import (
    check_key,
    check_linked,
    current_fingerprint,
    current_linked,
    record_intake,
)
from tip_pipeline.periods import FinancialYear


@dataclass(frozen=True)
class IntakeSummary:
    """What a run did: its id, the key's fingerprint, the years converted, the contract files
    written and the files refused where they lay."""

    run_id: str
    fingerprint: str
    years: tuple[YearIntake, ...]
    written: tuple[Path, ...]
    refused: tuple[FileRefusal, ...]
    skipped: int
    #: the cross-reference applied (None: none, each service kept pseudonyms of its own)
    cross_reference: CrossReference | None = None
    #: each year's services: people written and how many the cross-reference linked
    linkage: tuple[ServiceLinkage, ...] = ()

    @property
    def records(self) -> tuple[int, int, int]:
        """Records read, written and refused, over every file converted."""
        results = [r for y in self.years for r in y.results.values()]
        return (
            sum(r.read for r in results),
            sum(r.written for r in results),
            sum(len(r.refused) for r in results),
        )

    def report(self) -> list[str]:
        """The run's report: each file converted (its own report) or refused, and the totals.
        Names, positions, counts and reasons only."""
        lines = [f"pseudonym key fingerprint {self.fingerprint}"]
        if self.cross_reference is not None:
            lines += self.cross_reference.report()
        else:
            lines.append(
                "no cross-reference of people across services: each service keeps pseudonyms "
                "of its own, and nothing links a child across them"
            )
        lines += [linkage.line() for linkage in self.linkage]
        for year in self.years:
            for result in year.results.values():
                lines += result.report()
            lines += year.notes
            lines += [f"{r.file}: refused: {r.reason}" for r in year.refused]
        lines += [f"{r.file}: refused: {r.reason}" for r in self.refused]
        if self.skipped:
            lines.append(f"{self.skipped} hidden or lock file(s) skipped")
        read, written, refused = self.records
        lines.append(
            f"{read} record(s) read, {written} written to {len(self.written)} contract "
            f"file(s), {refused} refused"
        )
        return lines


def _size(path: Path) -> int:
    """A file's size in bytes; 0 when it cannot be told (its reader will say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _lookup_size(lookup_file: Path | str | None) -> int:
    """The postcode lookup's size in bytes; 0 when it cannot be found (reading it says why)."""
    try:
        return _size(lookup_path(lookup_file))
    except ValueFreeError:
        return 0


def take_in(
    raw_dir: Path,
    data_dir: Path,
    engine: sa.Engine,
    *,
    key_file: Path | str | None = None,
    lookup_file: Path | str | None = None,
    rekey: bool = False,
    run_id: str | None = None,
    periods: Collection[FinancialYear] | None = None,
) -> IntakeSummary:
    """Convert every year of ``raw_dir`` (or those of ``periods``) into ``data_dir``'s contract
    files and record the run in ``engine``'s warehouse (migrated). The key and the lookup
    default to their settings (``TIP_PSEUDONYM_KEY_FILE``, ``TIP_POSTCODE_LOOKUP``). Files
    refused where they lie are reported by every run (they belong to no year).

    A large CIN census XML is read in two parts: the first in a worker process while this one
    reads the lookup and the other files, the second here after them (``intake.census_worker``,
    which says where the file is cut): the same reader, rows and accounts, the two processors
    sharing the work."""
    run_id = run_id or f"intake-{uuid.uuid4()}"
    pseudonymiser = Pseudonymiser(load_key(key_file))
    with engine.connect() as conn:
        check_key(current_fingerprint(conn), pseudonymiser.fingerprint, rekey)
    landing = scan_landing(raw_dir)
    found = take_cross_reference(landing.files)
    if found.cross_reference is not None:
        pseudonymiser = pseudonymiser.with_links(found.cross_reference.links)
    with engine.connect() as conn:
        if current_fingerprint(conn) == pseudonymiser.fingerprint:
            check_linked(current_linked(conn), pseudonymiser.linking, rekey)
    census = [
        raw
        for raw in found.others
        if is_read(raw, periods) and is_census(raw) and worth_a_worker(raw)
    ]
    rest = [raw for raw in found.others if is_read(raw, periods) and raw not in census]
    share = worker_share(
        sum(_size(raw.path) for raw in census),
        sum(_size(raw.path) for raw in rest),
        _lookup_size(lookup_file),
    )
    # the worker is given the pseudonymiser with the cross-reference's links, as the other
    # files are: the census's children are social care's people, hashed through the links
    with CensusWorker(census, pseudonymiser, data_dir, share) as worker:  # beside the rest
        lookup = PostcodeLookup.from_csv(lookup_file)
        converted, undated = convert_landing(
            found.others, pseudonymiser, lookup, periods, elsewhere=worker
        )
    # the lookup is not needed to write the contract files, which hold every row of the year
    del lookup
    return_freed_memory()
    years = tuple(converted)
    refused = (*landing.refused, *found.refused, *undated)
    linkage = tuple(row for year in years for row in year_linkage(year, pseudonymiser))
    return_freed_memory()  # what counting the people used, before the files are written
    written = tuple(path for year in years for path in write_contract_files(year, data_dir))
    record_intake(
        engine,
        run_id,
        list(years),
        list(refused),
        pseudonymiser.fingerprint,
        rekey,
        linkage=linkage,
        cross_reference=found.cross_reference,
        linked=pseudonymiser.linking,
    )
    return IntakeSummary(
        run_id=run_id,
        fingerprint=pseudonymiser.fingerprint,
        years=years,
        written=written,
        refused=refused,
        skipped=landing.skipped,
        cross_reference=found.cross_reference,
        linkage=linkage,
    )
