"""A year's reports: one file per local authority published for the year, none for a year
with nothing published."""

from tip_pipeline.reports.batch import areas_published, report_path, worker_count, write_reports
from tip_pipeline_tests.published import LA, LATEST


def test_report_paths_name_the_area_and_year(tmp_path):
    path = report_path(tmp_path, "E08000035", "2024/25")
    assert path == tmp_path / "impact_report_E08000035_2024-25.html"


def test_every_published_area_of_the_year_gets_its_report(published, tmp_path):
    assert areas_published(published, LATEST) == [LA]
    batch = write_reports(published, tmp_path, LATEST)
    assert batch.areas == (LA,) and batch.paths == (report_path(tmp_path, LA, LATEST),)
    assert batch.size_bytes == batch.paths[0].stat().st_size > 0
    assert batch.charts == 13  # the population pyramid, the spine chart, the flows and 10 others
    assert f"{LATEST}" in batch.paths[0].read_text(encoding="utf-8")


def test_a_year_with_nothing_published_writes_nothing(published, tmp_path):
    batch = write_reports(published, tmp_path, "2010/11")
    assert batch.areas == batch.paths == () and batch.size_bytes == batch.charts == 0
    assert not list(tmp_path.iterdir())


def test_reports_written_by_worker_processes_are_the_same_files(published, tmp_path):
    alone, pooled = tmp_path / "alone", tmp_path / "pooled"
    one = write_reports(published, alone, LATEST, workers=1)
    two = write_reports(published, pooled, LATEST, workers=2)
    assert (two.areas, two.size_bytes, two.charts) == (one.areas, one.size_bytes, one.charts)
    assert [p.name for p in two.paths] == [p.name for p in one.paths]
    for a, b in zip(one.paths, two.paths, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_one_worker_per_core_and_never_more_than_the_reports():
    assert worker_count(153, cores=2) == 2
    assert worker_count(1, cores=8) == 1
    assert worker_count(0, cores=2) == 1
