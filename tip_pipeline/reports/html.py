"""The report's one HTML template: inline CSS (screen and print), no script, no external file.

Nothing here makes the browser load anything: no ``<script>``, no ``<link>``, no web fonts, no
images other than inline SVG, and only in-page ``#anchors`` as links. Data tables are real
``<table>``s with captions and header cells, each next to the chart it describes, and carry a
``data-source`` naming the published table their figures come from. A text cell that a
spreadsheet would run as a formula once the table is copied into one (an area name beginning
with ``=``) is shown with a leading ``'`` (tip_pipeline.spreadsheet_safe).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Final

from tip_pipeline.reports.charts import Chart
from tip_pipeline.reports.statements import MISSING, SUPPRESSED
from tip_pipeline.spreadsheet_safe import neutralise

_NUMERIC_RE: Final = re.compile(r"^[+\-−]?[\d,]*\.?\d+%?$|^[\d.,+\-]+ to [\d.,+\-]+$")

CSS: Final = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #ccc; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font-family: Arial, Helvetica, sans-serif; color: var(--ink); margin: 0; line-height: 1.45;
  background: #fff; }
header.cover { background: #0b3d61; color: #fff; padding: 1.5rem 2rem; }
header.cover h1 { margin: 0 0 .3rem; font-size: 1.8rem; }
header.cover p { margin: .2rem 0; }
main { max-width: 1400px; margin: 0 auto; padding: 0 2rem 3rem; }
nav.toc { border: 1px solid var(--rule); padding: .5rem 1rem; margin: 1rem 0; columns: 2; }
nav.toc a { color: var(--accent); }
h2 { border-bottom: 3px solid var(--accent); padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { margin-top: 2rem; }
h4 { margin: 1rem 0 .3rem; }
p.statement { background: #eef5fb; border-left: 4px solid var(--accent); padding: .5rem .8rem;
  max-width: 80ch; }
p.note, .note { color: var(--muted); font-size: .9rem; }
.figure-row { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
figure { margin: .5rem 0; flex: 0 1 660px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-weight: bold; margin-bottom: .3rem; }
.figure-row.stacked { flex-direction: column; }
.figure-row.stacked figure, .figure-row.stacked .table-wrap { flex: none; max-width: 100%; }
.table-wrap { flex: 1 1 auto; max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid var(--rule); padding: .25rem .5rem; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.suppressed { font-style: italic; color: #7a3b00; background: #fff4e5; text-align: center; }
td.missing { color: var(--muted); text-align: center; }
.result-higher, .result-lower, .result-similar { font-weight: bold; }
.suppressed-mark { fill: #7a3b00; font-style: italic; }
.axis-title { font-weight: bold; }
dl.definitions dt { font-weight: bold; margin-top: .8rem; }
dl.definitions dd { margin-left: 1rem; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { font-size: 10pt; }
  header.cover { background: none; color: #000; border-bottom: 2px solid #000; padding: 0 0 .5rem; }
  main { padding: 0; max-width: none; }
  nav.toc { display: none; }
  h2 { break-before: page; border-color: #000; }
  h2.first { break-before: auto; }
  h2, h3, h4 { break-after: avoid; }
  figure, table, p.statement, .figure-row { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  th, td { padding: .15rem .3rem; }
  td.num { white-space: normal; }
  tr { break-inside: avoid; }
  p.statement { background: none; border-left: 2px solid #000; }
  td.suppressed { background: none; }
  a { color: inherit; text-decoration: none; }
}
"""


_FIRST: Final = ' class="first"'


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    body: str


def _cell(text: str) -> str:
    if text == SUPPRESSED:
        return f'<td class="suppressed">{SUPPRESSED}</td>'
    if text == MISSING:
        return f'<td class="missing">{MISSING}</td>'
    cls = ' class="num"' if _NUMERIC_RE.match(text) else ""
    return f"<td{cls}>{escape(neutralise(text))}</td>"


def table(
    table_id: str,
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    source: str,
    row_headers: bool = True,
) -> str:
    """A data table; the first column is a row header unless ``row_headers`` is False. Its
    HTML id is ``table-<table_id>``, apart from the section and chart ids (an id is unique in
    a page: a section and its table used to share one)."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = []
    for row in rows:
        cells = list(row)
        first = (
            f'<th scope="row">{escape(neutralise(cells[0]))}</th>'
            if row_headers
            else _cell(cells[0])
        )
        body.append("<tr>" + first + "".join(_cell(c) for c in cells[1:]) + "</tr>")
    return (
        f'<table id="table-{table_id}" data-source="{escape(source)}">'
        f"<caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def figure(chart: Chart, table_html: str, stacked: bool = False) -> str:
    """A chart and its data-table alternative: side by side on a wide screen, or the table
    below the chart (``stacked``, for wide tables)."""
    row = "figure-row stacked" if stacked else "figure-row"
    return (
        f'<div class="{row}"><figure aria-labelledby="{chart.id}-cap">'
        f'<figcaption id="{chart.id}-cap">{escape(chart.title)}</figcaption>{chart.svg}</figure>'
        f'<div class="table-wrap">{table_html}</div></div>'
    )


def statement(text: str) -> str:
    return f'<p class="statement">{escape(text)}</p>'


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def definitions(items: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<dt>{escape(t)}</dt><dd>{escape(d)}</dd>" for t, d in items)
    return f'<dl class="definitions">{body}</dl>'


def page(title: str, subtitle: Sequence[str], sections: Sequence[Section]) -> str:
    """The whole document."""
    toc = "".join(f'<li><a href="#{s.id}">{escape(s.heading)}</a></li>' for s in sections)
    body = "".join(
        f'<section id="{s.id}" aria-labelledby="{s.id}-h">'
        f'<h2 id="{s.id}-h"{_FIRST if i == 0 else ""}>{escape(s.heading)}</h2>'
        f"{s.body}</section>"
        for i, s in enumerate(sections)
    )
    lines = "".join(f"<p>{escape(line)}</p>" for line in subtitle)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="cover"><h1>{escape(title)}</h1>{lines}</header>'
        f'<main><nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>{toc}</ol>'
        f"</nav>{body}</main></body></html>\n"
    )
