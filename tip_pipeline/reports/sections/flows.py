"""Involvement flows ("left shift"): where the children known to children's services in the
year before were in the year, and where this year's children came from, by their highest
level of involvement (none, referral, in need, child protection, looked after), read from
``published.involvement_flows`` (docs/DOMAIN.md, "Involvement flows").

The strategy asks whether prevention works: fewer children escalating to statutory services.
The matrix shows it cell by cell; the sentences count the children known in both years who
moved up a level, stayed or moved down, only where every cell they add up is published. Beside
the LA, its region and England as shares of their children known in both years, where their
flows are published (only where the warehouse holds every one of their authorities,
``indicators/flows.py``); an area without them says so.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
from sqlalchemy import Connection

from tip_pipeline.indicators.flows import ALL, LABELS, LEVELS, NONE
from tip_pipeline.reports import charts, html
from tip_pipeline.reports.context import Report, number
from tip_pipeline.reports.data import Shared, masked, read
from tip_pipeline.reports.statements import SUPPRESSED, fmt_count

SECTION: Final = "flows"
HEADING: Final = "Left shift: flows between levels of involvement"
#: what the cell of children not known in either year says (nobody is counted there)
NOT_COUNTED: Final = "not counted"
_RANK: Final = {level: rank for rank, level in enumerate(LEVELS)}


def flows(conn: Connection, area_code: str, period: str) -> pd.DataFrame:
    """The year's published flows of the area, suppressed counts NULL."""
    frame = read(
        conn,
        "SELECT period, previous_period, area_code, from_level, to_level, children, suppressed "
        "FROM published.involvement_flows WHERE area_code = :area AND period = :period",
        area=area_code,
        period=period,
    )
    return masked(frame, "involvement_flows")


def not_available(conn: Connection, period: str) -> str | None:
    """Why the year has no flows, as published (``published.indicator_not_available``)."""
    found = read(
        conn,
        "SELECT reason FROM published.indicator_not_available "
        "WHERE indicator_id = 'involvement_flows' AND period = :period",
        period=period,
    )
    return None if found.empty else str(found["reason"].iloc[0])


def counts(frame: pd.DataFrame) -> dict[tuple[str, str], float | None]:
    """(from level, to level) -> the published count, None where suppressed."""
    out: dict[tuple[str, str], float | None] = {}
    for row in frame.itertuples():
        value = number(row.children)
        out[(row.from_level, row.to_level)] = None if row.suppressed or value != value else value
    return out


def matrix(found: dict[tuple[str, str], float | None]) -> list[list[charts.MatrixCell]]:
    """The chart's cells: a row per level last year and the year's totals, a column per level
    this year and last year's totals."""
    rows = []
    for a in (*LEVELS, ALL):
        line = []
        for b in (*LEVELS, ALL):
            if (a, b) in ((NONE, NONE), (ALL, ALL)):
                line.append(charts.MatrixCell(None, note=NOT_COUNTED if a == NONE else ""))
                continue
            value = found.get((a, b))
            line.append(charts.MatrixCell(value, suppressed=value is None, total=ALL in (a, b)))
        rows.append(line)
    return rows


def moves(found: dict[tuple[str, str], float | None]) -> dict[str, float | None]:
    """Children known in both years who moved to a higher level, stayed at theirs, or moved
    to a lower one (None where a cell to add is suppressed); children first known this year
    and no longer known (the margins of ``none``)."""

    def total(pairs: list[tuple[str, str]]) -> float | None:
        values = [found.get(p) for p in pairs]
        return None if any(v is None for v in values) else float(sum(values))  # type: ignore[arg-type]

    known = [(a, b) for a in LEVELS[1:] for b in LEVELS[1:]]
    return {
        "up": total([(a, b) for a, b in known if _RANK[b] > _RANK[a]]),
        "same": total([(a, b) for a, b in known if a == b]),
        "down": total([(a, b) for a, b in known if _RANK[b] < _RANK[a]]),
        "new": found.get((NONE, ALL)),
        "gone": found.get((ALL, NONE)),
    }


def flows_statement(area: str, period: str, previous: str, moved: dict[str, float | None]) -> str:
    """The left-shift sentence: never a figure added up from a suppressed cell."""
    parts = []
    if None in (moved["up"], moved["same"], moved["down"]):
        parts.append(
            f"Some moves between levels in {area} are {SUPPRESSED} (small numbers), so the "
            "children moving up and down a level are not added up."
        )
    else:
        parts.append(
            f"Of the children known to children's services in {area} in both {previous} and "
            f"{period}, {fmt_count(moved['up'])} moved up to a higher level of involvement, "
            f"{fmt_count(moved['same'])} stayed at the same level and {fmt_count(moved['down'])} "
            "moved down."
        )
    new, gone = moved["new"], moved["gone"]
    parts.append(
        f"Children first known in {period}: {fmt_count(new, new is None)}; known in "
        f"{previous} but not in {period}: {fmt_count(gone, gone is None)}."
    )
    return " ".join(parts)


#: why a region or England has no published flows (``indicators/flows.wider_area_reasons``)
NO_WIDER_FLOWS: Final = (
    "no flows published: a region's or England's flows are the sum of all its local "
    "authorities', published only where the warehouse holds every one of them"
)
MOVES: Final = ("up", "same", "down")


def dim_area(conn: Connection) -> pd.DataFrame:
    """``published.dim_area``: each area's code, name and parent."""
    return read(conn, "SELECT area_code, area_name, parent_code FROM published.dim_area")


def wider_areas(areas: pd.DataFrame, area_code: str) -> list[tuple[str, str]]:
    """(code, name) of the area, its region and England, by ``areas``' parents
    (:func:`dim_area`)."""
    by_code = areas.set_index("area_code")
    out, code = [], area_code
    while isinstance(code, str) and code in by_code.index:
        out.append((code, str(by_code.at[code, "area_name"])))
        code = by_code.at[code, "parent_code"]
    return out


def shares(moved: dict[str, float | None]) -> dict[str, float | None]:
    """The children known in both years (``known``) and the percentage of them who moved up,
    stayed and moved down: None where a count is suppressed (no share of a withheld count)."""
    counts = [moved[m] for m in MOVES]
    if any(c is None for c in counts):
        return {"known": None, **dict.fromkeys(MOVES)}
    known = float(sum(counts))  # type: ignore[arg-type]
    return {"known": known} | {
        m: (100.0 * moved[m] / known if known else None)  # type: ignore[operator]
        for m in MOVES
    }


def comparison_rows(
    conn: Connection, area_code: str, period: str, shared: Shared | None = None
) -> list[list[str]]:
    """A row per area (the LA, its region, England): the children known in both years and the
    shares who moved up, stayed and moved down, or why the area has none. The areas, and the
    region's and England's flows, are kept in ``shared`` for the year's next report."""
    shared = shared or Shared()
    areas = shared.get("dim_area", lambda: dim_area(conn))
    rows = []
    for code, name in wider_areas(areas, area_code):
        frame = shared.get(("flows", code, period), lambda c=code: flows(conn, c, period))
        if frame.empty:
            rows.append([name, NO_WIDER_FLOWS, "", "", ""])
            continue
        found = shares(moves(counts(frame)))
        known = found["known"]
        rows.append(
            [name, fmt_count(known, known is None)]
            + [_percent(found[m], known is None) for m in MOVES]
        )
    return rows


def _percent(value: float | None, suppressed: bool) -> str:
    if suppressed:
        return SUPPRESSED
    return "-" if value is None else f"{value:.1f}%"


def render(conn: Connection, report: Report) -> html.Section:
    """The flow matrix with its table, and the moves up and down in a sentence."""
    data = report.data
    frame = flows(conn, data.area_code, data.period)
    if frame.empty:
        why = report.shared.get(
            ("flows_not_available", data.period), lambda: not_available(conn, data.period)
        )
        reason = why or "No flows are published for this year."
        return html.Section(SECTION, HEADING, html.note(reason))
    previous = str(frame["previous_period"].iloc[0])
    found = counts(frame)
    row_names = [f"{LABELS[a]}" for a in LEVELS] + [f"All in {data.period}"]
    column_names = [LABELS[b] for b in LEVELS] + [f"All in {previous}"]
    chart = report.keep(
        charts.matrix_chart(
            "chart-flows",
            f"Children by level of involvement in {previous} and {data.period}, {data.area_name}",
            f"A table of shaded cells: each row is a level of involvement with children's "
            f"services in {previous} (none, referral, in need, child protection, looked "
            f"after), each column the level in {data.period}; each cell gives the number of "
            "children who moved from the row's level to the column's, darker for more. Cells "
            "above the diagonal are children who moved to a higher level, below it to a lower "
            "one. The last column and row are the children at each level in each year. "
            "Suppressed cells say so.",
            row_names,
            column_names,
            matrix(found),
            f"In {previous}",
            f"Level of involvement in {data.period}",
        )
    )
    rows = [
        [name] + [_shown(cell) for cell in line]
        for name, line in zip(row_names, matrix(found), strict=True)
    ]
    table = html.table(
        "flows",
        f"Children by level of involvement, {previous} (rows) to {data.period} (columns), "
        f"{data.area_name}",
        [f"{previous} \\ {data.period}", *column_names],
        rows,
        "published.involvement_flows",
    )
    intro = html.paragraph(
        "Each child's highest level of involvement with children's services in the year (a "
        "referral not leading to support, a child in need, a child protection plan, looked "
        "after), linked across the children in need census and the looked-after return by "
        "the shared pseudonym, set against the year before: the strategy's 'left shift' is "
        "fewer children moving up to statutory services and more moving down."
    )
    text = flows_statement(data.area_name, data.period, previous, moves(found))
    comparison = html.table(
        "flows-areas",
        f"Children known to children's services in both {previous} and {data.period}, and the "
        f"share who moved up a level, stayed or moved down: {data.area_name}, its region and "
        "England",
        ["Area", "Known in both years", "Moved up", "Stayed", "Moved down"],
        comparison_rows(conn, data.area_code, data.period, report.shared),
        "published.involvement_flows",
    )
    return html.Section(
        SECTION,
        HEADING,
        intro + html.figure(chart, table, stacked=True) + html.statement(text) + comparison,
    )


def _shown(cell: charts.MatrixCell) -> str:
    """A matrix cell as the data table prints it."""
    if cell.note is not None:
        return cell.note or "-"
    return fmt_count(cell.count, cell.suppressed)
