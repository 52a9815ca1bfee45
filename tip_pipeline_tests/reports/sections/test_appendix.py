"""The appendix's disclosure-control method states the suppression threshold of the settings,
the one publish applies."""

import pytest

from tip_pipeline import config
from tip_pipeline.reports.context import Report
from tip_pipeline.reports.data import load
from tip_pipeline.reports.sections import appendix


def _appendix(published) -> str:
    with published.connect() as conn:
        section = appendix.render(conn, Report(load(conn, None, None), []))
    return section.body


def test_the_default_threshold_is_stated(published, monkeypatch):
    monkeypatch.delenv(config.SUPPRESSION_THRESHOLD.name, raising=False)
    assert config.SUPPRESSION_THRESHOLD.default == "5"
    assert "Counts from 1 to 4 (the configured threshold) are suppressed" in _appendix(published)


@pytest.mark.parametrize(("threshold", "shown"), [("11", "1 to 10"), ("3", "1 to 2")])
def test_a_configured_threshold_is_stated(published, monkeypatch, threshold, shown):
    monkeypatch.setenv(config.SUPPRESSION_THRESHOLD.name, threshold)
    body = _appendix(published)
    assert f"Counts from {shown} (the configured threshold) are suppressed" in body
    assert "1 to 4" not in body
