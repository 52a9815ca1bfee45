"""Build the measuring-impact report: published rows -> statistics -> sentences, charts, tables.

``build_report(engine)`` returns one self-contained HTML document (inline CSS and SVG, no
script, nothing loaded from anywhere). ``build`` reads the published rows the sections share
(``data.load``) and walks ``SECTIONS``, each section reading its own rows on the same
connection. Suppressed rows are shown as suppressed and never enter a computation (their
figures are NULL, see ``data``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, Engine

from tip_pipeline.atomic import written_whole
from tip_pipeline.reports import html
from tip_pipeline.reports.context import Report, indicators_shown
from tip_pipeline.reports.data import Shared, load
from tip_pipeline.reports.sections import (
    adversity,
    appendix,
    cohorts,
    flows,
    hidden_need,
    indicator,
    poorest_fastest,
    population,
    prevalence,
    quality,
    spine,
    summary,
)
from tip_pipeline.warehouse.engine import connected

#: the report's sections, in the order shown
SECTIONS: Final[tuple[Callable[[Connection, Report], html.Section | None], ...]] = (
    summary.render,
    population.render,
    prevalence.render,
    hidden_need.render,
    spine.render,
    indicator.render,
    poorest_fastest.render,
    adversity.render,
    flows.render,
    cohorts.render,
    quality.render,
    appendix.render,
)


@dataclass
class Built:
    """The document and what it holds."""

    html: str
    charts: int
    area_code: str
    area_name: str
    period: str


def build_report(
    engine: Engine | Connection, area_code: str | None = None, period: str | None = None
) -> str:
    """The report for ``area_code`` (default: the single LA published) and ``period`` (default:
    its latest published year), as one HTML document. Raises ``data.NoPublishedData``."""
    return build(engine, area_code, period).html


def write_report(
    engine: Engine | Connection,
    out: Path,
    area_code: str | None = None,
    period: str | None = None,
    shared: Shared | None = None,
) -> Built:
    """Build the report and write it to ``out`` whole (two runs of a year writing the same
    file, or a run killed while writing, never leave a torn report). ``shared``: what the
    year's reports built before it read alike (``data.Shared``), kept for the next."""
    built = build(engine, area_code, period, shared)
    with written_whole(out) as temporary:
        temporary.write_text(built.html, encoding="utf-8")
    return built


def build(
    engine: Engine | Connection,
    area_code: str | None,
    period: str | None,
    shared: Shared | None = None,
) -> Built:
    """The report of one LA and year: every section of ``SECTIONS`` with something to show."""
    shared = shared or Shared()
    with connected(engine) as conn:
        data = load(conn, area_code, period, shared)
        report = Report(data, indicators_shown(data), shared=shared)
        sections = [s for render in SECTIONS if (s := render(conn, report)) is not None]
    title = f"Measuring impact: children's adversity in {data.area_name}, {data.period}"
    subtitle = [
        "Trauma-informed children's strategy: evaluation plans in place, data being gathered, "
        "learning being shared.",
        f"Local authority {data.area_name} ({data.area_code}); reporting year {data.period} "
        f"(1 April to 31 March). Built {date.today():%d %B %Y} from the warehouse's published "
        "layer only: disclosure-controlled aggregates, synthetic data.",
    ]
    document = html.page(title, subtitle, sections)
    return Built(document, len(report.charts), data.area_code, data.area_name, data.period)
