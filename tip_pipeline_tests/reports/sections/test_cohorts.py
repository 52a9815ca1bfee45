"""The cohorts section: its tables show the warehouse's published incidence, a suppressed figure
reads suppressed and an anniversary not reached yet not available (never 0), the chart draws a
panel per outcome with a line per quintile, the sentence compares nothing suppressed, and a
year without cohorts says why."""

import re

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.reports.build import build
from tip_pipeline.reports.sections.cohorts import _row, cohort_statement, first_rows, incidence
from tip_pipeline_tests.published import COHORT_FULL, EARLIER, LA, LATEST


def _section(html: str) -> str:
    return re.search(r'<section id="cohorts".*?</section>', html, re.S).group(0)


def _table(section: str, entry: str) -> list[list[str]]:
    table = re.search(rf'<table id="table-cohort-{entry}".*?</table>', section, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]


def _published(engine, entry: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(
            sa.text(
                "SELECT * FROM published.cohort_incidence WHERE area_code = :a AND period = :p "
                "AND entry = :e AND entry_period = :c"
            ),
            conn,
            params={"a": LA, "p": LATEST, "e": entry, "c": COHORT_FULL},
        )


def test_the_tables_show_the_published_incidence_of_the_oldest_cohort(built, published):
    section = _section(built.html)
    for entry, table_id in (("toxic_trio", "toxic-trio"), ("referral", "referral")):
        found = _published(published, entry).set_index(["outcome", "imd_quintile", "months_to"])
        rows = {row[0]: row[1:] for row in _table(section, table_id)}
        shown = rows["Any of the four: All children"]
        entered = found.loc[("any", "all", 12)]
        assert shown[0] == f"{entered['at_risk']:,.0f}"
        for k, months in enumerate((12, 24, 36)):
            row = found.loc[("any", "all", months)]
            assert shown[1 + 2 * k] == f"{row['incidence_pct']:,.1f}%"
            assert shown[2 + 2 * k] == f"{row['lower_ci_95']:.1f} to {row['upper_ci_95']:.1f}"
        # every suppressed row of the cohort reads suppressed, never a number
        for (outcome, quintile, months), row in found.iterrows():
            if not row["suppressed"]:
                continue
            assert row["incidence_pct"] is None or pd.isna(row["incidence_pct"])
            name = next(k for k in rows if k.endswith(_quintile_name(quintile)) and
                        k.startswith(_outcome_label(outcome)))  # fmt: skip
            assert rows[name][1 + 2 * (months // 12 - 1)] == "suppressed"


def _quintile_name(q: str) -> str:
    from tip_pipeline.reports.sections.cohorts import QUINTILE_NAMES

    return QUINTILE_NAMES[q]


def _outcome_label(o: str) -> str:
    from tip_pipeline.indicators.cohorts import LABELS

    return LABELS[o]


def test_the_chart_has_a_panel_per_outcome_and_a_line_per_quintile(built):
    section = _section(built.html)
    svg = re.search(r'<svg[^>]*id="chart-cohort-toxic-trio".*?</svg>', section, re.S).group(0)
    headings = re.findall(r'<text[^>]*class="panel-heading"[^>]*>([^<]*)</text>', svg)
    assert headings == [
        "Any of the four",
        "Child protection plan",
        "Came into care",
        "Youth justice outcome",
        "Homeless household",
    ]
    assert 'role="img"' in svg and "<desc" in svg
    for name in ("Quintile 1 (most deprived): ", "Quintile 5 (least deprived): ", "All children: "):
        assert name in svg
    # a suppressed point is marked s, never drawn at 0
    assert re.search(r'class="suppressed-mark"[^>]*>s</text>', svg)


def test_a_point_not_followed_yet_is_not_available_never_zero():
    row = pd.Series({"suppressed": False, "at_risk": 0, "incidence_pct": 12.0,
                     "lower_ci_95": 10.0, "upper_ci_95": 14.0})  # fmt: skip
    assert incidence(row)[3] == "not available"
    assert incidence(pd.Series({**row, "suppressed": True}))[3] == "suppressed"
    assert incidence(None)[3] == "not available"


def test_the_later_cohort_shows_12_months_and_not_available_after(built):
    """The latest year's own cohort is followed for up to 12 months: published as a later
    entry year, named under the figures, not drawn beyond what was followed."""
    assert f"entered in {LATEST}, followed for less time" in _section(built.html)


def test_the_sentence_never_compares_a_suppressed_quintile():
    rows = []
    for quintile, suppressed in (("all", False), ("1", False), ("5", True)):
        for months in (12, 24, 36):
            rows.append(
                {
                    "outcome": "any",
                    "imd_quintile": quintile,
                    "months_to": months,
                    "at_risk": None if suppressed else 100.0,
                    "suppressed": suppressed,
                    "incidence_pct": None if suppressed else 20.0 + months / 12,
                    "lower_ci_95": None if suppressed else 15.0,
                    "upper_ci_95": None if suppressed else 26.0,
                }
            )
    text = cohort_statement(pd.DataFrame(rows), "referral", COHORT_FULL, "Leeds")
    assert "Children in Leeds who were first referred" in text and ": 100." in text
    assert "Within 36 months of entry, an estimated 23.0%" in text
    assert "least deprived quintile's suppressed" in text and "not compared" in text


def test_the_report_sentence_reads_the_published_figures(built, published):
    found = _published(published, "referral").set_index(["outcome", "imd_quintile", "months_to"])
    row = found.loc[("any", "all", 36)]
    assert f"Within 36 months of entry, an estimated {row['incidence_pct']:.1f}%" in built.html


def test_a_year_without_cohorts_says_why(published):
    section = _section(build(published, LA, EARLIER).html)
    assert "looks back 4 year(s)" in section and "2022/23" in section
    assert "<svg" not in section


def test_a_groups_row_is_the_first_a_boolean_mask_finds():
    cohort = pd.DataFrame(
        {
            "outcome": ["any", "any", "any", "looked_after", "any"],
            "imd_quintile": ["all", "1", "all", "all", None],
            "months_to": [12, 12, 12, 24, 12],
            "at_risk": [10.0, 4.0, 11.0, 9.0, 3.0],
        }
    )
    rows = first_rows(cohort)
    for key in [("any", "all", 12), ("any", "1", 12), ("looked_after", "all", 24)]:
        outcome, quintile, months = key
        hit = cohort[
            (cohort["outcome"] == outcome)
            & (cohort["imd_quintile"] == quintile)
            & (cohort["months_to"] == months)
        ]
        pd.testing.assert_series_equal(_row(rows, outcome, quintile, months), hit.iloc[0])
    assert _row(rows, "any", "all", 24) is None
    assert _row(rows, "any", "5", 12) is None
