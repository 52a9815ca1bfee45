"""The data-quality section: its rows (the year's deliveries and each reference table's latest
vintage) and its sentence."""

from tip_pipeline.reports.sections.quality import data_quality, quality_statement
from tip_pipeline_tests.published import LATEST


def test_data_quality_has_the_years_deliveries_and_latest_reference(published):
    with published.connect() as conn:
        dq = data_quality(conn, LATEST)
    assert set(dq["period"]) == {LATEST, "2024"}


def test_quality_statement_counts_records_read_and_set_aside():
    text = quality_statement(20_000, 150, 4)
    assert text.startswith("20,000 records were read from 4 delivered tables; 150 (0.75%)")
    assert quality_statement(0, 0, 0).startswith("0 records were read from 0 delivered tables")
