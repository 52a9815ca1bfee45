"""``tip report``: writes one HTML file (and a PDF with ``--pdf``); exits 1 with a clear message
when nothing is published or no browser can print."""

import pytest

from tip_pipeline.cli import main
from tip_pipeline_tests.optional import skip_or_fail
from tip_pipeline_tests.published import LA


def test_tip_report_writes_the_file(published_url, tmp_path, capsys):
    out = tmp_path / "out" / "report.html"
    assert main(["report", "--warehouse", published_url, "--out", str(out), "--area", LA,
                 "--period", "2024-25"]) == 0  # fmt: skip
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "wrote the Leeds 2024/25 report (15 charts" in capsys.readouterr().out


def test_tip_report_refuses_an_unpublished_year(published_url, tmp_path, capsys):
    out = tmp_path / "report.html"
    code = main(["report", "--warehouse", published_url, "--out", str(out), "--period", "2010/11"])
    assert code == 1 and not out.exists()
    assert "tip report: no published data for E08000035 in 2010/11" in capsys.readouterr().err


def test_tip_report_refuses_an_empty_warehouse(migrated_sqlite_url, tmp_path, capsys):
    out = str(tmp_path / "r.html")
    assert main(["report", "--warehouse", migrated_sqlite_url, "--out", out]) == 1
    assert "no published indicator values" in capsys.readouterr().err


def test_tip_report_refuses_a_malformed_period(published_url, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert (
        main(["report", "--warehouse", published_url, "--out", str(out), "--period", "2024"]) == 1
    )
    assert "not a financial year" in capsys.readouterr().err


@pytest.mark.browser
def test_tip_report_prints_a_pdf_with_the_local_chromium(published_url, tmp_path, capsys):
    from tip_pipeline.reports.pdf import NoBrowser, find_chromium

    try:
        find_chromium()
    except NoBrowser as err:
        skip_or_fail(str(err), "TIP_REQUIRE_BROWSER")
    out = tmp_path / "report.html"
    assert main(["report", "--warehouse", published_url, "--out", str(out), "--pdf"]) == 0
    pdf = out.with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf.stat().st_size > 50_000  # pages of charts and tables, not an empty page
    assert f"printed it to {pdf}" in capsys.readouterr().out


def test_tip_report_without_a_browser_refuses_the_pdf_with_the_reason(
    published_url, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "report.html"
    assert main(["report", "--warehouse", published_url, "--out", str(out), "--pdf"]) == 1
    assert out.exists()  # the HTML is written all the same
    assert "PDF needs a Chromium" in capsys.readouterr().err
