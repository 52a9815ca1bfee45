"""The flows section: the matrix and its table show the warehouse's published counts, every
suppressed cell reads suppressed (never 0), the sentence adds up nothing suppressed, and a
year without flows says why."""

import re

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.reports.build import build
from tip_pipeline.reports.sections.flows import flows_statement, moves, shares
from tip_pipeline_tests.published import (
    EARLIER,
    ENGLAND_FLOWS,
    FLOWS,
    FLOWS_SUPPRESSED,
    LA,
    LA_NAME,
    LATEST,
    REGION_NAME,
)

LEVELS = ("none", "referral", "in_need", "child_protection", "looked_after")


def _section(html: str) -> str:
    return re.search(r'<section id="flows".*?</section>', html, re.S).group(0)


def _table(section: str) -> list[list[str]]:
    table = re.search(r'<table id="table-flows".*?</table>', section, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]


def _published(engine) -> dict[tuple[str, str], float | None]:
    with engine.connect() as conn:
        frame = pd.read_sql(
            sa.text(
                "SELECT from_level, to_level, children, suppressed "
                "FROM published.involvement_flows WHERE area_code = :a AND period = :p"
            ),
            conn,
            params={"a": LA, "p": LATEST},
        )
    return {
        (r.from_level, r.to_level): (None if r.suppressed else float(r.children))
        for r in frame.itertuples()
    }


def test_the_table_shows_the_warehouse_counts_and_suppressed_cells_as_suppressed(built, published):
    section = _section(built.html)
    found = _published(published)
    rows = _table(section)
    assert len(rows) == len(LEVELS) + 1  # a row per level last year, and this year's totals
    for i, a in enumerate((*LEVELS, "all")):
        shown = rows[i][1:]
        for j, b in enumerate((*LEVELS, "all")):
            if (a, b) == ("none", "none"):
                assert shown[j] == "not counted"
            elif (a, b) == ("all", "all"):
                assert shown[j] == "-"
            elif found[(a, b)] is None:
                assert (a, b) in FLOWS_SUPPRESSED and shown[j] == "suppressed"
            else:
                assert shown[j] == f"{found[(a, b)]:,.0f}"
    # the margins shown are the published level totals: last year's in the last column
    assert rows[LEVELS.index("in_need")][-1] == f"{found[('in_need', 'all')]:,.0f}"
    assert found[("in_need", "all")] == sum(FLOWS.get(("in_need", b), 0) for b in LEVELS)


def test_the_chart_draws_every_cell_with_its_count_or_suppressed(built):
    section = _section(built.html)
    svg = re.search(r'<svg[^>]*id="chart-flows".*?</svg>', section, re.S).group(0)
    titles = re.findall(r"<rect[^>]*><title>([^<]*)</title>", svg)
    assert len(titles) == 6 * 6
    assert "Referral to Looked after: suppressed" in titles
    assert "In need to In need: 3,200" in titles
    assert 'role="img"' in svg and "<desc" in svg


def test_the_sentence_counts_moves_only_where_nothing_is_suppressed(built):
    found = {(a, b): float(FLOWS.get((a, b), 0)) for a in LEVELS for b in LEVELS}
    found |= {("none", "all"): 1.0, ("all", "none"): 2.0}
    text = flows_statement("Leeds", LATEST, EARLIER, moves(found))
    up = sum(n for (a, b), n in FLOWS.items() if a != "none" and LEVELS.index(b) > LEVELS.index(a))
    assert f"{up:,} moved up to a higher level" in text
    # the report's year has suppressed moves: none are added up
    assert "are suppressed (small numbers)" in _section(built.html)


def test_a_suppressed_margin_is_never_a_number():
    moved = {"up": 10.0, "same": 20.0, "down": 5.0, "new": None, "gone": 7.0}
    text = flows_statement("Leeds", LATEST, EARLIER, moved)
    assert "first known in 2024/25: suppressed" in text
    assert "not in 2024/25: 7." in text


def test_a_year_without_flows_says_why(published):
    section = _section(build(published, LA, EARLIER).html)
    assert "looks back 1 year(s)" in section and "2022/23" in section
    assert "<svg" not in section


def _areas_table(section: str) -> list[list[str]]:
    table = re.search(r'<table id="table-flows-areas".*?</table>', section, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]


def test_the_la_is_set_beside_its_region_and_england_where_their_flows_are_published(built):
    rows = {row[0]: row[1:] for row in _areas_table(_section(built.html))}
    assert list(rows) == [LA_NAME, REGION_NAME, "England"]
    # the LA's moves add up suppressed cells: no share of them
    assert rows[LA_NAME] == ["suppressed"] * 4
    # the region has no flows (not every authority is in the warehouse), and says so
    assert rows[REGION_NAME][0].startswith("no flows published: a region")
    # England's shares are its published counts' (children known in both years)
    known = [(a, b) for a in LEVELS[1:] for b in LEVELS[1:]]
    rank = {level: i for i, level in enumerate(LEVELS)}
    up = sum(ENGLAND_FLOWS.get((a, b), 0) for a, b in known if rank[b] > rank[a])
    same = sum(ENGLAND_FLOWS.get((a, b), 0) for a, b in known if a == b)
    down = sum(ENGLAND_FLOWS.get((a, b), 0) for a, b in known if rank[b] < rank[a])
    total = up + same + down
    assert rows["England"] == [
        f"{total:,}",
        f"{100 * up / total:.1f}%",
        f"{100 * same / total:.1f}%",
        f"{100 * down / total:.1f}%",
    ]


def test_shares_are_never_of_a_suppressed_count():
    found = shares({"up": 10.0, "same": None, "down": 5.0, "new": 1.0, "gone": 2.0})
    assert found == {"known": None, "up": None, "same": None, "down": None}
    found = shares({"up": 10.0, "same": 30.0, "down": 10.0, "new": 1.0, "gone": 2.0})
    assert found == {"known": 50.0, "up": 20.0, "same": 60.0, "down": 20.0}
