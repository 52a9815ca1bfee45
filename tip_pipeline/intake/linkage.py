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


def _people(year: YearIntake, system: str) -> set[str]:
    """The distinct pseudonyms of the year's person ids of ``system``'s extracts."""
    people: set[str] = set()
    for result in year.results.values():
        extract = EXTRACTS[result.table]
        if SYSTEM_OF_SOURCE.get(extract.source) is not SYSTEMS[system]:
            continue
        for column in extract.columns:
            if column.kind is ColumnKind.PSEUDO_ID:
                people.update(result.frame[column.name].dropna().unique())
    return people


def year_linkage(year: YearIntake, pseudonymiser: Pseudonymiser) -> list[ServiceLinkage]:
    """Each service the year's returns hold: its people and how many were linked."""
    linked = pseudonymiser.linked_pseudonyms() if pseudonymiser.linking else frozenset()
    out = []
    for system in SYSTEMS:
        people = _people(year, system)
        if not people:
            continue
        out.append(
            ServiceLinkage(
                period=year.period.label,
                system=system,
                people=len(people),
                linked=len(people & linked),
                cross_reference=pseudonymiser.linking,
            )
        )
    return out
