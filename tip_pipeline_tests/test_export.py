"""``tip export``: the published layer in the Fingertips bulk-download layout, in every format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.cli import main
from tip_pipeline.export import (
    GOAL_AFTER_PUBLISHING,
    GOAL_NOTE_PREFIX,
    HEADINGS,
    NO_BENCHMARK,
    NOT_LA_TOTAL,
    PERCENTILES_NOTE_PREFIX,
    SUPPRESSED_NOTE,
    TREND_NOTE_PREFIX,
    UNKNOWN_AREA_CATEGORY,
    ExportError,
    _category,
    _category_key,
    export,
    fingertips_frame,
    published_values,
)
from tip_pipeline.indicators.goals import NO_GOAL
from tip_pipeline.publish.goals import SUPPRESSED as GOAL_SUPPRESSED
from tip_pipeline.warehouse.engine import WarehouseNotFound, make_engine
from tip_pipeline_tests import published as sample

#: Fingertips' "all data" CSV headings, in order, as its downloads have them
FINGERTIPS_HEADINGS = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to percentiles",
    "Time period Sortable", "New data", "Compared to goal", "Time period range",
]  # fmt: skip


#: rows of the hand-made published layer (its indicator values)
ROWS = len(sample.indicator_values())
EARLIER = {"Time period": sample.EARLIER}


def _read(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(path, encoding="utf-8", dtype={"Indicator ID": str})
    if fmt == "parquet":
        return pd.read_parquet(path)
    return pd.read_excel(path, engine="openpyxl")


def _row(frame: pd.DataFrame, **where: str) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]


def _blank(value: object) -> bool:
    return value is None or pd.isna(value) or value == ""


#: the Value note's reason for an empty "Compared to goal" where no goal is declared
NO_GOAL_NOTE = f"{GOAL_NOTE_PREFIX}{NO_GOAL}"


def test_headings_are_fingertips():
    assert list(HEADINGS) == FINGERTIPS_HEADINGS


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_each_format_round_trips(published_url: str, tmp_path: Path, fmt: str):
    out = tmp_path / f"fingertips.{fmt}"
    assert export(published_url, fmt, out) == ROWS
    frame = _read(out, fmt)
    assert list(frame.columns) == FINGERTIPS_HEADINGS
    assert len(frame) == ROWS

    totals = frame[frame["Category Type"].isna()]
    leeds = _row(
        totals,
        **{"Indicator ID": "cla_31mar", "Time period": "2023/24", "Area Code": sample.LA},
        **{"Sex": "Persons", "Age": "0-17 yrs"},
    )
    assert leeds["Indicator Name"] == "Children looked after at 31 March"
    assert (leeds["Parent Code"], leeds["Parent Name"]) == (
        sample.REGION,
        "Yorkshire and The Humber",
    )
    assert leeds["Area Name"] == "Leeds"
    assert leeds["Area Type"] == "Counties & UAs (from Apr 2023)"
    assert _blank(leeds["Category Type"]) and _blank(leeds["Category"])
    assert leeds["Value"] == pytest.approx(80.0)
    assert leeds["Lower CI 95.0 limit"] == pytest.approx(75.8)
    assert leeds["Upper CI 95.0 limit"] == pytest.approx(84.4)
    assert leeds["Lower CI 99.8 limit"] == pytest.approx(73.7)
    assert leeds["Upper CI 99.8 limit"] == pytest.approx(86.6)
    assert (leeds["Count"], leeds["Denominator"]) == (1360, 170_000)
    assert leeds["Value note"] == NO_GOAL_NOTE  # nothing withheld, a trend, no goal
    assert leeds["Compared to England value or percentiles"] == "Higher"  # no polarity
    assert leeds["Time period Sortable"] == 20230000
    assert leeds["Time period range"] == "1y"
    assert leeds["Recent Trend"] == "No significant change"  # 2019/20 to 2023/24
    # 80.0 among England's 152 others spread evenly over 35 to 105: the fourth quintile,
    # "High" without a polarity (published.la_benchmarking)
    assert leeds["Compared to percentiles"] == "High"
    for empty in ("New data", "Compared to goal"):
        assert _blank(leeds[empty])

    earlier = _row(frame, **{"Indicator ID": "cla_31mar", "Time period": "2022/23"})
    assert earlier["Time period Sortable"] == 20220000

    fte = _row(totals, **{"Indicator ID": "yj_first_time_entrants", "Age": "10-17 yrs"})
    assert fte["Compared to England value or percentiles"] == "Worse"  # higher is worse
    # 250 above every other authority (80 to 240): the highest quintile, worst where higher
    # is worse
    assert fte["Compared to percentiles"] == "Worst"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_compared_to_percentiles_for_la_totals_only_else_the_reason(
    published_url: str, tmp_path: Path, fmt: str
):
    out = tmp_path / f"fingertips.{fmt}"
    export(published_url, fmt, out)
    frame = _read(out, fmt)
    filled = frame[frame["Compared to percentiles"].notna()]
    assert set(filled["Area Type"]) == {"Counties & UAs (from Apr 2023)"}
    assert filled["Category Type"].isna().all() and (filled["Sex"] == "Persons").all()
    assert set(filled["Indicator ID"]) == {"cla_31mar", "yj_first_time_entrants"}
    empty = frame[frame["Compared to percentiles"].isna()]
    notes = empty["Value note"].fillna("")
    wards = empty["Area Type"] == "Wards (2024)"
    assert notes[wards].str.contains(PERCENTILES_NOTE_PREFIX + NOT_LA_TOTAL, regex=False).all()
    referrals = empty[
        (empty["Indicator ID"] == "cin_referrals") & (empty["Area Code"] == sample.LA)
    ]
    referrals = referrals[referrals["Category Type"].isna() & (referrals["Sex"] == "Persons")]
    assert len(referrals) == len(sample.PERIODS)
    assert referrals["Value note"].str.contains(NO_BENCHMARK, regex=False).all()


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_suppressed_rows_have_no_value_and_the_note(published_url: str, tmp_path: Path, fmt: str):
    out = tmp_path / f"fingertips.{fmt}"
    export(published_url, fmt, out)
    frame = _read(out, fmt)

    ward_b = _row(frame, **EARLIER, **{"Area Code": sample.WARD_B})
    assert ward_b["Value note"] == (
        f"{SUPPRESSED_NOTE}; {TREND_NOTE_PREFIX}fewer than five annual points: "
        f"1 of the five years 2019/20 to 2023/24; {PERCENTILES_NOTE_PREFIX}{NOT_LA_TOTAL}; "
        f"{NO_GOAL_NOTE}"
    )
    for heading in ("Value", "Count", "Lower CI 95.0 limit", "Upper CI 95.0 limit",
                    "Lower CI 99.8 limit", "Upper CI 99.8 limit"):  # fmt: skip
        assert _blank(ward_b[heading]), heading
    assert ward_b["Denominator"] == 4_000
    assert (ward_b["Parent Code"], ward_b["Parent Name"]) == (sample.LA, "Leeds")
    assert ward_b["Area Type"] == "Wards (2024)"
    assert _blank(ward_b["Compared to England value or percentiles"])  # benchmark is the LA

    decile = _row(frame, **EARLIER, **{"Category": "Most deprived decile (IMD2025)"})
    assert decile["Category Type"] == "LSOA21 deprivation deciles in England (IMD2025)"
    assert decile["Value note"] == (
        f"{SUPPRESSED_NOTE}; {PERCENTILES_NOTE_PREFIX}{NOT_LA_TOTAL}; {NO_GOAL_NOTE}"
    )
    assert _blank(decile["Count"])

    withheld = frame["Value note"].fillna("").str.startswith(SUPPRESSED_NOTE)
    published = frame[~withheld]
    assert published["Value"].notna().sum() == len(published) - 1  # ethnicity: no denominator
    assert published["Count"].notna().all()
    # the ward and decile above; in 2024/25 Wetherby for both indicators and cla_31mar's decile 10
    assert withheld.sum() == 5


def test_breakdowns_map_to_sex_age_and_category(published_url: str):
    engine = make_engine(published_url)
    try:
        frame = fingertips_frame(published_values(engine))
    finally:
        engine.dispose()
    cla = frame[(frame["Indicator ID"] == "cla_31mar") & (frame["Time period"] == "2023/24")]
    leeds = cla[cla["Area Code"] == sample.LA]
    assert list(zip(leeds["Sex"], leeds["Age"], leeds["Category Type"], strict=True)) == [
        ("Persons", "0-17 yrs", None),
        ("Male", "0-17 yrs", None),
        ("Female", "0-17 yrs", None),
        ("Persons", "0-4 yrs", None),
        ("Persons", "0-17 yrs", "LSOA21 deprivation deciles in England (IMD2025)"),
    ]
    white = frame[frame["Category Type"] == "Ethnic groups"].iloc[0]
    assert (white["Category"], white["Count"]) == ("White", 110)
    assert pd.isna(white["Value"]) and pd.isna(white["Denominator"])
    # areas in Fingertips order: larger areas first, then wards
    assert list(cla["Area Code"].drop_duplicates()) == [sample.LA, sample.WARD_A, sample.WARD_B]


def test_csv_is_utf8_without_an_index(published_url: str, tmp_path: Path):
    out = tmp_path / "x.csv"
    export(published_url, "csv", out)
    first = out.read_bytes().decode("utf-8").splitlines()[0]
    assert first == ",".join(FINGERTIPS_HEADINGS)


def test_empty_published_layer_and_unknown_format_are_refused(
    migrated_sqlite_url: str, tmp_path: Path
):
    with pytest.raises(ExportError, match="empty"):
        export(migrated_sqlite_url, "csv", tmp_path / "x.csv")
    with pytest.raises(ExportError, match="unknown format 'json'"):
        export(migrated_sqlite_url, "json", tmp_path / "x.json")
    assert not (tmp_path / "x.csv").exists()


def test_missing_warehouse_is_refused_without_creating_it(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'nowhere' / 'tip.db'}"
    with pytest.raises(WarehouseNotFound, match=r"no warehouse at .*tip\.db, tip\.restricted\.db"):
        export(url, "csv", tmp_path / "x.csv")
    assert not (tmp_path / "nowhere").exists()
    # tip.db alone: its siblings are not made either
    (tmp_path / "tip.db").touch()
    with pytest.raises(WarehouseNotFound, match=r"tip\.restricted\.db, tip\.ops\.db missing"):
        export(f"sqlite:///{tmp_path / 'tip.db'}", "csv", tmp_path / "x.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tip.db"]


def test_unmigrated_warehouse_is_one_clear_error(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'tip.db'}"
    make_engine(url).dispose()
    (tmp_path / "tip.db").touch()
    with pytest.raises(ExportError, match="is it migrated"):
        export(url, "csv", tmp_path / "x.csv")


@pytest.mark.postgres
def test_export_from_postgres(migrated_postgres_url: str, tmp_path: Path):
    engine = make_engine(migrated_postgres_url)
    try:
        sample.fill_published(engine)
    finally:
        engine.dispose()
    out = tmp_path / "pg.csv"
    assert export(migrated_postgres_url, "csv", out) == ROWS
    frame = _read(out, "csv")
    assert list(frame.columns) == FINGERTIPS_HEADINGS
    assert _row(frame, **EARLIER, **{"Area Code": sample.WARD_A})["Value"] == pytest.approx(120.0)
    ward_b = _row(frame, **EARLIER, **{"Area Code": sample.WARD_B})
    assert ward_b["Value note"].startswith(SUPPRESSED_NOTE)
    leeds = {"Indicator ID": "cin_referrals", "Area Code": sample.LA, "Time period": sample.LATEST}
    assert _row(frame[frame["Category Type"].isna()], **leeds)["Recent Trend"] == "Increasing"


def test_cli_export(published_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    out = tmp_path / "out" / "fingertips.parquet"
    assert main(["export", "--warehouse", published_url, "--out", str(out)]) == 0
    assert f"wrote {ROWS} rows" in capsys.readouterr().out
    assert list(pd.read_parquet(out).columns) == FINGERTIPS_HEADINGS

    csv = tmp_path / "fingertips.txt"
    args = ["export", "--warehouse", published_url, "--format", "CSV", "--out", str(csv)]
    assert main(args) == 0
    assert csv.read_text(encoding="utf-8").startswith("Indicator ID,")


def test_cli_export_failures_exit_1_with_a_message(
    migrated_sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    sqlite_url = migrated_sqlite_url
    out = str(tmp_path / "x.csv")
    assert main(["export", "--warehouse", sqlite_url, "--out", out]) == 1
    err = capsys.readouterr().err
    assert "tip export:" in err and "published layer" in err and "empty" in err
    assert "Traceback" not in err

    assert main(["export", "--warehouse", sqlite_url, "--format", "json", "--out", out]) == 1
    assert "unknown format 'json': use one of csv, parquet, xlsx" in capsys.readouterr().err

    assert main(["export", "--warehouse", sqlite_url, "--out", str(tmp_path / "x")]) == 1
    assert "unknown format ''" in capsys.readouterr().err


HOSTILE = '=HYPERLINK("http://example.org/x","Leeds")'


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_a_hostile_area_name_is_inert_in_spreadsheets(published_url: str, tmp_path: Path, fmt):
    """An area name from a delivered lookup that Excel would run as a formula is written with
    a leading quote in CSV and Excel (as text: no formula cell), as it is in Parquet; numbers
    keep their sign."""
    from tip_pipeline.export import write

    engine = make_engine(published_url)
    try:
        frame = fingertips_frame(published_values(engine))
    finally:
        engine.dispose()
    frame.loc[0, "Area Name"] = HOSTILE
    frame.loc[0, "Value"] = -1.5
    out = tmp_path / f"values.{fmt}"
    write(frame, fmt, out)
    back = _read(out, fmt)
    expected = HOSTILE if fmt == "parquet" else "'" + HOSTILE
    assert back.loc[0, "Area Name"] == expected and back.loc[0, "Value"] == -1.5
    if fmt == "xlsx":
        from openpyxl import load_workbook

        cells = [c for row in load_workbook(out).active.iter_rows() for c in row]
        assert not any(c.data_type == "f" for c in cells)


def test_the_unknown_home_area_is_named_and_sorted_after_the_deciles():
    breakdown = pd.Series(["imd_decile", "imd_decile", "imd_quintile", "imd_quintile"])
    category = pd.Series(["10", "unknown", "1", "unknown"])
    names = _category(breakdown, category).tolist()
    assert names[1] == names[3] == UNKNOWN_AREA_CATEGORY and "nan" not in str(names)
    assert names[0].startswith("Least deprived decile") and names[2].startswith("Most")
    keys = [_category_key("imd_decile", c) for c in ("1", "10", "unknown")]
    assert keys == sorted(keys)


def test_recent_trend_is_fingertips_wording_or_cannot_be_calculated_with_why(published_url: str):
    engine = make_engine(published_url)
    try:
        frame = fingertips_frame(published_values(engine))
    finally:
        engine.dispose()
    totals = frame[frame["Category Type"].isna() & (frame["Sex"] == "Persons")]
    totals = totals[~totals["Age"].str.contains("-4 ")]  # the age band row of 2023/24
    referrals = {"Indicator ID": "cin_referrals", "Area Code": sample.LA}
    # a rate rising over 2020/21 to 2024/25, no polarity: Fingertips says "Increasing"
    assert _row(totals, **referrals, **{"Time period": sample.LATEST})["Recent Trend"] == (
        "Increasing"
    )
    first = _row(totals, **referrals, **{"Time period": sample.PERIODS[0]})
    assert first["Recent Trend"] == "Cannot be calculated"
    assert first["Value note"] == (
        f"{TREND_NOTE_PREFIX}fewer than five annual points: 1 of the five years 2015/16 to 2019/20"
        f"; {PERCENTILES_NOTE_PREFIX}{NO_BENCHMARK}"
    )  # compared with its goal: no goal note
    # every headline row has a trend or the reason it has none; breakdown rows have neither
    labels = {
        "Increasing", "Decreasing", "No significant change", "Cannot be calculated",
        "Increasing and getting better", "Increasing and getting worse",
        "Decreasing and getting better", "Decreasing and getting worse",
    }  # fmt: skip
    assert set(totals["Recent Trend"]) <= labels
    cannot = totals[totals["Recent Trend"] == "Cannot be calculated"]
    assert cannot["Value note"].str.contains(TREND_NOTE_PREFIX, regex=False).all()
    breakdowns = frame[frame["Category Type"].notna() | (frame["Sex"] != "Persons")]
    assert breakdowns["Recent Trend"].map(_blank).all()


def test_compared_to_goal_is_fingertips_wording_or_empty_with_why(published_url: str):
    """The tests' layer gives referrals a goal of at most 600 per 10,000 (``TEST_GOALS``):
    met up to 2023/24, missed in 2024/25; the other indicators have none."""
    engine = make_engine(published_url)
    try:
        frame = fingertips_frame(published_values(engine))
    finally:
        engine.dispose()
    referrals = frame[frame["Indicator ID"] == "cin_referrals"]
    leeds = referrals[(referrals["Area Code"] == sample.LA) & referrals["Category Type"].isna()]
    by_year = dict(zip(leeds["Time period"], leeds["Compared to goal"], strict=True))
    assert by_year == {p: "Better" for p in sample.PERIODS[:-1]} | {sample.LATEST: "Worse"}
    wards = referrals[referrals["Area Type"] == "Wards (2024)"].set_index("Area Name")
    assert wards.loc["Headingley", "Compared to goal"] == "Better"  # 150 of 4,000: 375
    assert wards.loc["Armley", "Compared to goal"] == "Worse"  # 320 of 5,000: 640
    wetherby = wards.loc["Wetherby"]
    assert _blank(wetherby["Compared to goal"])
    assert wetherby["Value note"].endswith(f"{GOAL_NOTE_PREFIX}{GOAL_SUPPRESSED}")
    compared = referrals[~referrals["Value note"].fillna("").str.contains(GOAL_NOTE_PREFIX)]
    assert set(compared["Compared to goal"]) <= {"Better", "Similar", "Worse"}
    others = frame[frame["Indicator ID"] != "cin_referrals"]
    assert others["Compared to goal"].map(_blank).all()
    assert others["Value note"].str.endswith(NO_GOAL_NOTE).all()


def test_a_goal_declared_after_the_year_was_published_says_so():
    values = pd.DataFrame(
        {
            "goal_value": [600.0, 600.0, None],
            "compared_to_goal": [None, "Better", None],
            "goal_note": [None, None, None],
        }
    )
    from tip_pipeline.export import _goal_why

    assert list(_goal_why(values)) == [GOAL_AFTER_PUBLISHING, None, NO_GOAL]
