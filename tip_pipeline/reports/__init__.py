"""The measuring-impact report: one self-contained HTML file from the published layer.

Plain Python (no Dagster): ``sections`` holds one module per section (its queries, sentences
and chart), ``data`` reads the published rows several sections share, ``statements`` formats
figures, ``charts`` draws inline SVG, ``html`` holds the template, ``build`` walks the sections
in order, ``batch`` writes a year's reports (one per local authority), ``pdf`` prints it with
a local Chromium. Wired as an asset in ``tip_pipeline.defs.reports`` and as ``tip report``.
"""

from tip_pipeline.reports.build import Built, build_report, write_report
from tip_pipeline.reports.data import NoPublishedData

__all__ = ["Built", "NoPublishedData", "build_report", "write_report"]
