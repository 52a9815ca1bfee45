"""The data-quality section: its rows (the year's deliveries and each reference table's latest
vintage) and its sentence; the year's match rates across services, as published, a NULL rate
shown as not available, never 0."""

import re

from tip_pipeline.reports.context import Report
from tip_pipeline.reports.data import load
from tip_pipeline.reports.sections import quality
from tip_pipeline.reports.sections.quality import data_linkage, data_quality, quality_statement
from tip_pipeline.reports.statements import MISSING
from tip_pipeline_tests import published as hand
from tip_pipeline_tests.published import EARLIER, LATEST


def test_data_quality_has_the_years_deliveries_and_latest_reference(published):
    with published.connect() as conn:
        dq = data_quality(conn, LATEST)
    assert set(dq["period"]) == {LATEST, "2024"}


def test_quality_statement_counts_records_read_and_set_aside():
    text = quality_statement(20_000, 150, 4)
    assert text.startswith("20,000 records were read from 4 delivered tables; 150 (0.75%)")
    assert quality_statement(0, 0, 0).startswith("0 records were read from 0 delivered tables")


def _body(published, period: str) -> str:
    with published.connect() as conn:
        return quality.render(conn, Report(load(conn, None, period), [])).body


def _linkage_rows(body: str) -> list[list[str]]:
    table = body[body.index('id="table-linkage"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]  # after the header
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]


def test_match_rates_are_the_published_rows_in_service_order(published):
    with published.connect() as conn:
        rows = data_linkage(conn, LATEST)
    assert rows["service"].tolist() == ["social_care", "youth_justice", "housing"]
    written = hand.data_linkage().set_index("service")
    for _, row in rows.iterrows():
        assert row["people"] == written.loc[row["service"], "people"]
        assert row["linked"] == written.loc[row["service"], "linked"]


def test_the_section_shows_each_services_match_rate_and_a_null_as_not_available(published):
    body = _body(published, LATEST)
    assert _linkage_rows(body) == [
        ["Children&#x27;s social care (CIN census, SSDA903)", "14,000", "14,000", "100.0"],
        ["Youth justice", "600", "510", "85.0"],
        ["Housing (H-CLIC)", "0", "0", MISSING],
    ]
    assert "only where the authority&#x27;s cross-reference listed the child" in body


def test_a_year_without_match_rates_says_so(published):
    body = _body(published, EARLIER)
    assert 'id="table-linkage"' not in body
    assert f"No match rates across services are published for {EARLIER}" in body
