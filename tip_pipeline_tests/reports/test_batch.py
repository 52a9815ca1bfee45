"""A year's reports: one file per local authority published for the year, none for a year
with nothing published."""

from tip_pipeline.reports.batch import areas_published, report_path, write_reports
from tip_pipeline_tests.published import LA, LATEST


def test_report_paths_name_the_area_and_year(tmp_path):
    path = report_path(tmp_path, "E08000035", "2024/25")
    assert path == tmp_path / "impact_report_E08000035_2024-25.html"


def test_every_published_area_of_the_year_gets_its_report(published, tmp_path):
    assert areas_published(published, LATEST) == [LA]
    batch = write_reports(published, tmp_path, LATEST)
    assert batch.areas == (LA,) and batch.paths == (report_path(tmp_path, LA, LATEST),)
    assert batch.size_bytes == batch.paths[0].stat().st_size > 0
    assert batch.charts == 15  # the pyramid, the spine chart, the flows, two cohorts, 10 others
    assert f"{LATEST}" in batch.paths[0].read_text(encoding="utf-8")


def test_a_year_with_nothing_published_writes_nothing(published, tmp_path):
    batch = write_reports(published, tmp_path, "2010/11")
    assert batch.areas == batch.paths == () and batch.size_bytes == batch.charts == 0
    assert not list(tmp_path.iterdir())
