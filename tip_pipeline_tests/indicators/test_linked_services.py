"""Whether a year's people are linked across services (from its latest intake's
``ops.intake_linkage``), and the measures that are not available without it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators import linked_services
from tip_pipeline.indicators.catalogue import CATALOGUE
from tip_pipeline.indicators.values import not_available
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.runs import record_run
from tip_pipeline.warehouse.schema import intake_linkage
from tip_pipeline_tests.indicators.test_adversity import data

YEAR = FinancialYear(2023)


def _linkage(**linked: tuple[int, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"service": s, "people": p, "linked": n, "cross_reference": True, "run_id": "r"}
            for s, (p, n) in linked.items()
        ],
        columns=list(linked_services.LINKAGE_COLUMNS),
    )


def test_contract_files_are_linked_by_declaration():
    assert linked_services.unlinked_services(_linkage()) == frozenset()


def test_a_service_is_unlinked_when_none_of_it_or_of_social_care_is_linked():
    some = _linkage(social_care=(100, 100), youth_justice=(20, 15), housing=(10, 0))
    assert linked_services.unlinked_services(some) == {"housing"}
    no_social_care = _linkage(social_care=(100, 0), youth_justice=(20, 15), housing=(10, 7))
    assert linked_services.unlinked_services(no_social_care) == {"youth_justice", "housing"}
    # a low rate is published beside the measures, not withheld
    low = _linkage(social_care=(100, 90), youth_justice=(20, 1))
    assert linked_services.unlinked_services(low) == frozenset()


def test_the_measures_across_an_unlinked_service_are_not_available_with_why():
    found = linked_services.reasons(YEAR, {"housing"})
    assert set(found) == {
        "adversity_two_or_more",
        "adversity_distribution",
        "adversity_overlap_homelessness",
    }
    assert all("2023/24" in why and "housing" in why for why in found.values())
    assert linked_services.reasons(YEAR, ()) == {}
    year = data()
    year.unlinked = frozenset({"youth_justice"})
    missing = not_available(year, CATALOGUE)
    assert "adversity_two_or_more" in missing and "yj_outcome" not in missing


def test_the_latest_intake_of_the_year_says(migrated_sqlite_url):
    engine = make_engine(migrated_sqlite_url)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            assert linked_services.latest_linkage(conn, YEAR.label).empty
            for k, (run, linked, file) in enumerate(
                [("intake-1", 0, None), ("intake-2", 15, "cross_reference.csv")]
            ):
                record_run(conn, run, "tip intake", start + timedelta(days=k))
                conn.execute(
                    sa.insert(intake_linkage),
                    [
                        {"run_id": run, "period": YEAR.label, "service": service,
                         "people": 20, "linked": linked, "cross_reference_file": file}
                        for service in ("social_care", "youth_justice")
                    ],
                )  # fmt: skip
            latest = linked_services.latest_linkage(conn, YEAR.label)
    finally:
        engine.dispose()
    assert set(latest["run_id"]) == {"intake-2"} and latest["cross_reference"].all()
    assert linked_services.unlinked_services(latest) == frozenset()
    published = linked_services.published_frame(latest, YEAR.label, start)
    assert published["match_rate_pct"].tolist() == [75.0, 75.0]
    nobody = linked_services.published_frame(_linkage(housing=(0, 0)), YEAR.label, start)
    assert nobody["match_rate_pct"].isna().all()
