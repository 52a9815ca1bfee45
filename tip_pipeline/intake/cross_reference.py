"""The authority's cross-reference of people across its systems: its master person index, or
the output of a matching exercise, as one table (CSV or XLSX) of three columns:

- ``SOURCE_SYSTEM``: the system whose id it is, by the project's name (``intake.pseudonyms``,
  :data:`SYSTEMS`): ``social_care`` (the case-management system behind the CIN census and
  SSDA903), ``youth_justice``, ``housing``;
- ``SOURCE_ID``: the person's id in that system, as its returns write it;
- ``PERSON_ID``: the common person id the authority gives the person.

Intake applies it before hashing (docs/DOMAIN.md, "Linking people across services"): a listed
id is hashed as its common person id, so the person has one pseudonym in every service that
lists them; an id it does not list keeps its own system's namespace. It is recognised by its
header (the three names, in capitals, in any order; other columns are named and dropped) and
lies in the raw folder itself, since it is not a year's return: one mapping for every year.

Ids are compared as they are hashed (``pseudonyms.normalise_id``: trimmed, case-folded), so a
child written ``ab12`` in one return and `` AB12`` in another is one child. A row is refused,
with its line and column and never its values, when its system is not one of
:data:`SYSTEMS`, or an id is empty; a source id listed with two different person ids is
ambiguous, and every row of it is refused (linking it to either could merge two people).
Every row read is used or refused (:class:`CrossReference`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.pseudonyms import SYSTEMS, _id_text, normalise_id
from tip_pipeline.intake.ssda903 import Refusal
from tip_pipeline.intake.tables import RawTable, column_label, read_table

SOURCE_SYSTEM = "SOURCE_SYSTEM"
SOURCE_ID = "SOURCE_ID"
PERSON_ID = "PERSON_ID"
#: the columns that recognise the cross-reference
COLUMNS = (SOURCE_SYSTEM, SOURCE_ID, PERSON_ID)


class CrossReferenceError(ValueFreeError):
    """A cross-reference that cannot be read at all. Names the file, never a value."""


def is_cross_reference(header: tuple[str, ...]) -> bool:
    """Whether a table's header (keys, in capitals) is the cross-reference's."""
    return set(COLUMNS) <= set(header)


@dataclass(frozen=True)
class CrossReference:
    """The cross-reference read: ``links`` {(system, normalised source id): normalised person
    id} (held in memory, never written), and the account of its rows: ``read == used +
    len(refused)``; ``listed`` how many source ids of each system it links."""

    file: str
    unit: str
    links: dict[tuple[str, str], str]
    read: int
    used: int
    refused: tuple[Refusal, ...]
    dropped: tuple[str, ...] = ()
    listed: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.read != self.used + len(self.refused):
            raise AssertionError(f"{self.file}: cross-reference rows do not add up")

    def report(self) -> list[str]:
        """What was read, by counts, columns and positions only."""
        systems = ", ".join(f"{name} {self.listed.get(name, 0)}" for name in SYSTEMS)
        lines = [
            f"{self.file} -> cross-reference: {self.read} row(s) read, {self.used} used, "
            f"{len(self.refused)} refused; ids listed by system: {systems}"
        ]
        lines += [f"dropped column {c}: not a column of the cross-reference" for c in self.dropped]
        lines += [r.message(self.unit) for r in self.refused]
        return lines


def _normalised(values: pd.Series) -> pd.Series:
    """Each id as it is hashed (None when empty or of no usable type)."""

    def one(value: object) -> str | None:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        try:
            return normalise_id(_id_text(value))
        except TypeError:
            return None

    return values.astype(object).map(one)


def _row_reasons(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Each row's system, source id and person id (normalised), and why a row is refused
    (column, reason) before ambiguity is judged."""
    systems = _normalised(frame[SOURCE_SYSTEM])
    sources = _normalised(frame[SOURCE_ID])
    people = _normalised(frame[PERSON_ID])
    reasons = pd.Series(None, index=frame.index, dtype=object)
    reasons = reasons.mask(
        people.isna(), f"{PERSON_ID}: empty: the row links the source id to no person"
    )
    reasons = reasons.mask(sources.isna(), f"{SOURCE_ID}: empty: the row links no id")
    known = systems.isin(list(SYSTEMS))
    reasons = reasons.mask(
        ~known,
        f"{SOURCE_SYSTEM}: not one of the systems intake knows ({', '.join(SYSTEMS)})",
    )
    return systems, sources, people, reasons


def _ambiguous(
    systems: pd.Series, sources: pd.Series, people: pd.Series, usable: pd.Series
) -> pd.Series:
    """Rows whose (system, source id) is listed with more than one person id."""
    keys = pd.DataFrame({"s": systems, "i": sources, "p": people})[usable]
    counts = keys.groupby(["s", "i"])["p"].nunique()
    many = set(counts[counts > 1].index)
    pairs = pd.Series(list(zip(systems, sources, strict=True)), index=systems.index)
    return usable & pairs.isin(many)


def convert_cross_reference(table: RawTable) -> CrossReference:
    """The cross-reference of a table already read (its header recognised)."""
    frame = table.frame
    systems, sources, people, reasons = _row_reasons(frame)
    ambiguous = _ambiguous(systems, sources, people, reasons.isna())
    reasons = reasons.mask(
        ambiguous,
        f"{SOURCE_ID}: listed with more than one {PERSON_ID} for its system: every row of "
        "it is refused (linking it to either could merge two people)",
    )
    positions = np.asarray(table.positions, dtype=np.int64)
    refusals = [Refusal(table.file, m.position, None, m.problem) for m in table.malformed]
    for i in np.flatnonzero(reasons.notna().to_numpy()):
        column, reason = str(reasons.iloc[i]).split(": ", 1)
        refusals.append(Refusal(table.file, int(positions[i]), column, reason))
    used = reasons.isna()
    links: dict[tuple[str, str], str] = {}
    listed: dict[str, set[str]] = defaultdict(set)
    for system, source, person in zip(systems[used], sources[used], people[used], strict=True):
        links[(system, source)] = person
        listed[system].add(source)
    dropped = tuple(column_label(c) for c in table.header if c not in COLUMNS)
    return CrossReference(
        file=table.file,
        unit=table.unit,
        links=links,
        read=table.records,
        used=int(used.sum()),
        refused=tuple(sorted(refusals, key=lambda r: r.line)),
        dropped=dropped,
        listed={name: len(ids) for name, ids in listed.items()},
    )


def read_cross_reference(path: Path | str) -> CrossReference:
    """Read the cross-reference file at ``path`` (CSV or XLSX)."""
    table = read_table(path)
    if not is_cross_reference(table.header):
        raise CrossReferenceError(
            f"{table.file}: {table.unit} 1 lacks the cross-reference's columns "
            f"({', '.join(COLUMNS)})"
        )
    return convert_cross_reference(table)
