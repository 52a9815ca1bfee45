"""Whether a year's people are linked across services, and which measures need it.

A measure that counts the same child in two services (the linked adversity measures) reads as
much as the linkage allows (docs/DOMAIN.md, "Linking people across services"). Without it a
youth-justice child and a social-care child are two children, and every overlap of the two
would be a silent zero. So:

- **Contract files delivered directly** (no intake of the year: no ``ops.intake_linkage`` row
  for it): the contract declares one shared pseudonym per child in every extract
  (``contracts``: "the shared pseudonym"), so the services are linked by declaration.
- **A year taken in from raw returns** (``ops.intake_linkage`` rows from its latest intake):
  a service other than social care is *unlinked* when none of its people were linked (no
  cross-reference applied, or one that lists none of them), or when social care's were not
  (a link needs both sides). Every measure that needs an unlinked service beside social care
  (:data:`LINKED_MEASURES`) is then not available for the year, with the reason, in
  ``published.indicator_not_available``; its values are not computed.

A low but non-zero match rate is published beside the measures (``published.data_linkage``)
rather than withholding them: the measure counts the children linked, and says how many were.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse.schema import intake_linkage, runs

SOCIAL_CARE: Final = "social_care"
#: the services linked to social care, and the adversity domain each gives
#: (``indicators.adversity.DOMAINS``)
DOMAIN_OF_SERVICE: Final = {"youth_justice": "youth_justice", "housing": "homelessness"}
#: the adversity tables' measure ids in ``published.indicator_not_available``
ADVERSITY_DISTRIBUTION: Final = "adversity_distribution"
ADVERSITY_TWO_OR_MORE: Final = "adversity_two_or_more"


def overlap_measure_id(domain: str) -> str:
    """The id of the adversity overlaps that pair ``domain`` with another."""
    return f"adversity_overlap_{domain}"


#: the measures that count one child across services: any unlinked service withholds them
LINKED_MEASURES: Final = (ADVERSITY_TWO_OR_MORE, ADVERSITY_DISTRIBUTION)

LINKAGE_COLUMNS: Final = ("service", "people", "linked", "cross_reference", "run_id")


def latest_linkage(conn: sa.Connection, period: str) -> pd.DataFrame:
    """The year's rows of ``ops.intake_linkage`` from its latest intake run (by the run's
    start), with whether a cross-reference was applied; empty when the year was not taken in
    through intake."""
    latest = (
        sa.select(intake_linkage.c.run_id)
        .join(runs, runs.c.run_id == intake_linkage.c.run_id)
        .where(intake_linkage.c.period == period)
        .order_by(runs.c.started_at.desc(), intake_linkage.c.run_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = sa.select(
        intake_linkage.c.service,
        intake_linkage.c.people,
        intake_linkage.c.linked,
        intake_linkage.c.cross_reference_file.is_not(None).label("cross_reference"),
        intake_linkage.c.run_id,
    ).where(intake_linkage.c.period == period, intake_linkage.c.run_id == latest)
    rows = conn.execute(query).mappings().all()
    return pd.DataFrame(rows, columns=list(LINKAGE_COLUMNS))


def unlinked_services(linkage: pd.DataFrame) -> frozenset[str]:
    """The services (of :data:`DOMAIN_OF_SERVICE`) whose people the year's intake did not link
    to social care's: none of theirs linked, or none of social care's. Empty when the year was
    not taken in (``linkage`` empty: contract files share one pseudonym by declaration)."""
    if linkage.empty:
        return frozenset()
    linked = dict(zip(linkage["service"], linkage["linked"].astype(int), strict=True))
    social_care = linked.get(SOCIAL_CARE, 0) > 0
    return frozenset(
        service
        for service in DOMAIN_OF_SERVICE
        if service in linked and not (social_care and linked[service] > 0)
    )


def reasons(period: FinancialYear, unlinked: Iterable[str]) -> dict[str, str]:
    """Measure id -> why it is not available for ``period``, for each measure that needs one of
    the ``unlinked`` services beside social care."""
    unlinked = sorted(unlinked)
    if not unlinked:
        return {}
    names = " and ".join(unlinked)
    why = (
        f"Not available for {period.label}: the year's {names} records were taken in without "
        "being linked to children's social care (no cross-reference of people across services "
        "listed them), so a child known to both would count as two children. Published when "
        "the year is taken in with the authority's cross-reference."
    )
    found = dict.fromkeys(LINKED_MEASURES, why)
    found |= {overlap_measure_id(DOMAIN_OF_SERVICE[s]): why for s in unlinked}
    return found


def unlinked_domains(unlinked: Iterable[str]) -> frozenset[str]:
    """The adversity domains of the ``unlinked`` services."""
    return frozenset(DOMAIN_OF_SERVICE[s] for s in unlinked)


def published_frame(linkage: pd.DataFrame, period: str, now: object) -> pd.DataFrame:
    """The rows of ``published.data_linkage`` for ``period`` from its latest intake's linkage:
    each service's people, linked and match rate (percent; None for a service of nobody)."""
    people = linkage["people"].astype("int64")
    linked = linkage["linked"].astype("int64")
    rate = (linked / people.where(people > 0) * 100).astype(object)
    return pd.DataFrame(
        {
            "period": period,
            "service": linkage["service"],
            "people": people,
            "linked": linked,
            "match_rate_pct": rate.where(people > 0, None),
            "cross_reference": linkage["cross_reference"].astype(bool),
            "run_id": linkage["run_id"],
            "loaded_at": now,
        }
    )
