"""How many of each service's people the authority's cross-reference linked, year by year: the
match rates intake records (``ops.intake_linkage``) and publishing shows beside every measure
that reads across services (docs/DOMAIN.md, "Linking people across services").

A service's people in a year are the distinct pseudonyms of its contract extracts' person-id
columns (``ColumnKind.PSEUDO_ID``) that intake wrote; a person is linked when the pseudonym is
a common person id's (``Pseudonymiser.linked_pseudonyms``): no other id is hashed in that
namespace, so the count needs no raw id. Counts only; never a pseudonym outside memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tip_pipeline.intake.landing import YearIntake
from tip_pipeline.intake.pseudonyms import SYSTEM_OF_SOURCE, SYSTEMS, Pseudonymiser
from tip_pipeline.sources.contracts import EXTRACTS, ColumnKind


@dataclass(frozen=True)
class ServiceLinkage:
    """One service's people in a year and how many the cross-reference linked (0 without
    one: ``cross_reference`` False)."""

    period: str
    system: str
    people: int
    linked: int
    cross_reference: bool

    @property
    def match_rate(self) -> float | None:
        """Linked people per person written; None when the service wrote nobody."""
        return self.linked / self.people if self.people else None

    def line(self) -> str:
        """The report's line: counts and the rate, never an id."""
        title = SYSTEMS[self.system].title
        if not self.cross_reference:
            return (
                f"{self.period} {title}: {self.people} people, not linked (no cross-reference: "
                "the service keeps pseudonyms of its own)"
            )
        rate = "no people" if self.match_rate is None else f"{self.match_rate:.1%} matched"
        return (
            f"{self.period} {title}: {self.people} people, {self.linked} linked by the "
            f"cross-reference ({rate})"
        )


def _column(values: pd.Series) -> list[pa.Array]:
    """A column's values as Arrow arrays of one type (``large_string``, pandas' own for its
    ``string`` columns): read in place, no Python string made per value."""
    array = pa.array(values, from_pandas=True)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    return [chunk.cast(pa.large_string()) for chunk in chunks]


def _people(year: YearIntake, system: str) -> pa.Array:
    """The distinct pseudonyms of the year's person ids of ``system``'s extracts, as one
    Arrow array (``pyarrow.compute.unique``): England's year has some half a million in two
    million rows, which a Python set held as as many Python strings, at the intake process's
    peak (docs/PERFORMANCE.md, "The census read in two parts")."""
    chunks: list[pa.Array] = []
    for result in year.results.values():
        extract = EXTRACTS[result.table]
        if SYSTEM_OF_SOURCE.get(extract.source) is not SYSTEMS[system]:
            continue
        for column in extract.columns:
            if column.kind is ColumnKind.PSEUDO_ID:
                chunks += _column(result.frame[column.name])
    if not chunks:
        return pa.array([], type=pa.large_string())
    return pc.unique(pa.chunked_array(chunks, type=pa.large_string())).drop_null()


def _linked(people: pa.Array, linked: frozenset[str]) -> int:
    """How many of ``people`` are common person ids' pseudonyms."""
    if not linked or not len(people):
        return 0
    value_set = pa.array(sorted(linked), type=pa.large_string())
    return int(pc.sum(pc.is_in(people, value_set=value_set)).as_py() or 0)


def year_linkage(year: YearIntake, pseudonymiser: Pseudonymiser) -> list[ServiceLinkage]:
    """Each service the year's returns hold: its people and how many were linked."""
    linked = pseudonymiser.linked_pseudonyms() if pseudonymiser.linking else frozenset()
    out = []
    for system in SYSTEMS:
        people = _people(year, system)
        if not len(people):
            continue
        out.append(
            ServiceLinkage(
                period=year.period.label,
                system=system,
                people=len(people),
                linked=_linked(people, linked),
                cross_reference=pseudonymiser.linking,
            )
        )
    return out
