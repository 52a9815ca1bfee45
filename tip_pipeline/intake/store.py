"""Intake's account in the warehouse (``ops``): the pseudonym key's fingerprint, each raw file
read, each record refused. Names, positions, counts and reasons; never a value.

**One key for the whole history.** Pseudonyms made with another key do not link: the same child
would be two children, one before and one after the change, and every trend, cohort and
linked-adversity count would break silently. So the fingerprint of the key each intake run
uses is kept (``ops.pseudonym_keys``), and a run with a different key is refused, unless the
caller says the whole history is being rebuilt with the new key (``rekey``: every year's raw
returns taken in again), which is recorded. **Linked or not, for the whole history.** Applying
the authority's cross-reference changes the listed children's pseudonyms as a new key would,
so whether the history was taken in through one is kept with the key
(``ops.pseudonym_keys.linked``), and starting or stopping it is refused likewise unless
``rekey``. (A cross-reference that grows, listing new children, is accepted: a child listed
for the first time keeps the pseudonym of the system's own id in the earlier years, so the
authority should list a child from the child's first year.)

The key check, the key's record and the run's account are written in one transaction, so a
run either is accounted for with its key or left no trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.cross_reference import CrossReference
from tip_pipeline.intake.landing import FileRefusal, YearIntake
from tip_pipeline.intake.linkage import ServiceLinkage
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import write_transaction
from tip_pipeline.warehouse.runs import record_run
from tip_pipeline.warehouse.schema import (
    intake_linkage,
    intake_log,
    intake_refusals,
    intake_tables,
    pseudonym_keys,
)

#: the lock scope of the key check (tip_pipeline.warehouse.engine.write_transaction): two
#: intake runs never both take a new key as the first
KEY_SCOPE = "pseudonym key"


class KeyChangedError(ValueFreeError):
    """The key file is not the key of the warehouse's history. The message names both
    fingerprints, never a key."""


def current_fingerprint(conn: sa.Connection) -> str | None:
    """The fingerprint of the key the warehouse's history was made with, or None before the
    first intake."""
    query = sa.select(pseudonym_keys.c.fingerprint).where(pseudonym_keys.c.current)
    return conn.execute(query).scalar_one_or_none()


def check_key(current: str | None, fingerprint: str, rekey: bool) -> None:
    """Refuse a key other than the history's unless the history is being rebuilt with it."""
    if current is None or current == fingerprint or rekey:
        return
    raise KeyChangedError(
        f"the pseudonym key (fingerprint {fingerprint}) is not the key the warehouse's history "
        f"was made with (fingerprint {current}): its pseudonyms would not link with the "
        "earlier years', and every child would become two. Use the key file that made the "
        "history; or, to rebuild the whole history with this key, run intake with --rekey "
        "and then take in every year's raw returns again."
    )


class LinkageChangedError(ValueFreeError):
    """The cross-reference's use is not the history's: its pseudonyms would not link."""


def current_linked(conn: sa.Connection) -> bool | None:
    """Whether the history's pseudonyms were made through the cross-reference (None before
    the first intake that recorded it)."""
    query = sa.select(pseudonym_keys.c.linked).where(pseudonym_keys.c.current)
    return conn.execute(query).scalar_one_or_none()


def check_linked(current: bool | None, linked: bool, rekey: bool) -> None:
    """Refuse to start or stop applying the cross-reference unless the history is rebuilt:
    applying it changes the listed social-care children's pseudonyms as a new key would
    (docs/DOMAIN.md, "Linking people across services"), so a child would become two."""
    if current is None or current == linked or rekey:
        return
    now, then = ("with", "without") if linked else ("without", "with")
    raise LinkageChangedError(
        f"this intake runs {now} a cross-reference of people across services, but the "
        f"warehouse's history was taken in {then} one: the listed children's pseudonyms would "
        "differ from the earlier years', and every such child would become two. Take the "
        "history in as it was; or, to rebuild it, run intake with --rekey and then take in "
        "every year's raw returns again."
    )


def record_key(
    conn: sa.Connection, current: str | None, fingerprint: str, run_id: str, now: datetime
) -> None:
    """Make ``fingerprint`` the current key (first use, or a rekey); nothing if it already is."""
    if current == fingerprint:
        return
    conn.execute(sa.update(pseudonym_keys).values(current=False))
    known = sa.select(pseudonym_keys.c.fingerprint).where(
        pseudonym_keys.c.fingerprint == fingerprint
    )
    if conn.execute(known).first():
        conn.execute(
            sa.update(pseudonym_keys)
            .where(pseudonym_keys.c.fingerprint == fingerprint)
            .values(current=True, rekeyed=current is not None)
        )
        return
    conn.execute(
        sa.insert(pseudonym_keys).values(
            fingerprint=fingerprint,
            first_run_id=run_id,
            first_used_at=now,
            current=True,
            rekeyed=current is not None,
        )
    )


def log_frame(
    years: Iterable[YearIntake],
    refused: Iterable[FileRefusal],
    run_id: str,
    fingerprint: str,
    now: datetime,
) -> pd.DataFrame:
    """One ``ops.intake_log`` row per raw file found: converted, or refused whole with why (a
    file refused before its year was known has the period 'unknown')."""
    rows = []
    for year in years:
        rows += [
            {"raw_file": name, "period": year.period.label, "status": "converted"}
            for name in year.converted_files
        ]
        rows += [_refused_row(r, year.period.label) for r in year.refused]
    rows += [_refused_row(r, UNKNOWN_PERIOD) for r in refused]
    frame = pd.DataFrame(rows, columns=["raw_file", "period", "status", "refused_reason"])
    return frame.assign(run_id=run_id, key_fingerprint=fingerprint, loaded_at=now)


#: the period of a file refused before its year was known
UNKNOWN_PERIOD = "unknown"


def _refused_row(refusal: FileRefusal, period: str) -> dict:
    return {
        "raw_file": refusal.file,
        "period": period,
        "status": "refused",
        "refused_reason": refusal.reason,
    }


def tables_frame(years: Iterable[YearIntake], run_id: str) -> pd.DataFrame:
    """One ``ops.intake_tables`` row per contract extract a converted file gave."""
    rows = [
        {
            "raw_file": year.sources[slot],
            "table_name": result.table,
            "period": year.period.label,
            "unit": result.unit,
            "records_read": result.read,
            "records_written": result.written,
            "records_refused": len(result.refused),
            "records_left_out": result.left_out,
        }
        for year in years
        for slot, result in sorted(year.results.items())
    ]
    columns = [c.name for c in intake_tables.columns if c.name != "run_id"]
    return pd.DataFrame(rows, columns=columns).assign(run_id=run_id)


def refusals_frame(years: Iterable[YearIntake], run_id: str) -> pd.DataFrame:
    """One ``ops.intake_refusals`` row per record refused, numbered in each file's order."""
    rows = [
        {
            "raw_file": year.sources[slot],
            "table_name": result.table,
            "refusal": number,
            "period": year.period.label,
            "position": refusal.line,
            "unit": result.unit,
            "raw_column": refusal.column,
            "reason": refusal.reason,
        }
        for year in years
        for slot, result in year.results.items()
        for number, refusal in enumerate(result.refused, start=1)
    ]
    columns = [c.name for c in intake_refusals.columns if c.name != "run_id"]
    return pd.DataFrame(rows, columns=columns).assign(run_id=run_id)


def linkage_frame(
    linkage: Iterable[ServiceLinkage],
    cross_reference: CrossReference | None,
    run_id: str,
) -> pd.DataFrame:
    """One ``ops.intake_linkage`` row per year and service: people written, how many the
    cross-reference linked, and which file it was (None: no cross-reference)."""
    rows = [
        {
            "period": row.period,
            "service": row.system,
            "people": row.people,
            "linked": row.linked,
            "cross_reference_file": cross_reference.file if cross_reference else None,
        }
        for row in linkage
    ]
    columns = [c.name for c in intake_linkage.columns if c.name != "run_id"]
    return pd.DataFrame(rows, columns=columns).assign(run_id=run_id)


def record_intake(
    engine: sa.Engine,
    run_id: str,
    years: list[YearIntake],
    refused: list[FileRefusal],
    fingerprint: str,
    rekey: bool = False,
    *,
    linkage: Iterable[ServiceLinkage] = (),
    cross_reference: CrossReference | None = None,
    linked: bool = False,
) -> None:
    """Check the key, and whether the cross-reference is applied (``linked``), against the
    history's, then record them, the run and its account (with each year's linkage of people
    across services), in one transaction (raises ``KeyChangedError`` or
    ``LinkageChangedError`` before anything is written)."""
    now = datetime.now(UTC)
    with write_transaction(engine, KEY_SCOPE) as conn:
        current = current_fingerprint(conn)
        check_key(current, fingerprint, rekey)
        check_linked(current_linked(conn) if current == fingerprint else None, linked, rekey)
        record_key(conn, current, fingerprint, run_id, now)
        conn.execute(
            sa.update(pseudonym_keys).where(pseudonym_keys.c.current).values(linked=linked)
        )
        record_run(conn, run_id, "tip intake" + (" --rekey" if rekey else ""), now)
        replace_rows(
            conn,
            intake_log,
            log_frame(years, refused, run_id, fingerprint, now),
            {"run_id": run_id},
        )
        replace_rows(conn, intake_tables, tables_frame(years, run_id), {"run_id": run_id})
        replace_rows(conn, intake_refusals, refusals_frame(years, run_id), {"run_id": run_id})
        replace_rows(
            conn,
            intake_linkage,
            linkage_frame(linkage, cross_reference, run_id),
            {"run_id": run_id},
        )
