"""CLI smoke tests: the commands a user types, end to end on the small scale; and what a
mistyped folder or URL gets: one line, its reason last, before any work starts."""

import shutil
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from tip_pipeline.cli import build_parser, main
from tip_pipeline.periods import FinancialYear
from tip_pipeline_tests.named_delivery import named_delivery

#: a reporting year that has ended whatever the day the tests run (FIRST_YEAR's default on)
ENDED = FinancialYear.containing(date.today()).shifted(-1)


def test_parser_knows_the_documented_commands():
    args = build_parser().parse_args(
        [
            "generate",
            "--out",
            "x",
            "--scale",
            "leeds",
            "--seed",
            "3",
            "--faults",
            "0.01",
            "--plant-identifiers",
        ]
    )
    assert (args.scale, args.seed, args.faults, args.plant_identifiers) == ("leeds", 3, 0.01, True)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["generate", "--out", "x", "--scale", "wales"])


def test_tip_is_installed_as_a_console_script():
    out = subprocess.run(
        [sys.executable, "-m", "tip_pipeline.cli", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "generate" in out.stdout and "run" in out.stdout


@pytest.mark.integration
def test_generate_then_run_on_small_data(tmp_path, capsys, monkeypatch):
    """Two years (the first the baseline of the second's changes), as the demo runs six."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("TIP_FIRST_YEAR", "2024/25")
    (tmp_path / "dagster_home").mkdir()
    data, url = tmp_path / "data", f"sqlite:///{tmp_path}/wh/tip.db"
    years = ["--first-year", "2024/25", "--last-year", "2025/26"]
    generate = ["generate", "--out", str(data), "--scale", "small", "--seed", "1", "--quiet"]
    assert main([*generate, *years]) == 0
    assert main(["run", "--data", str(data), "--warehouse", url]) == 0
    out, err = capsys.readouterr()
    assert "materialised" in out and "years: 2024-25, 2025-26;" in out
    # the progress display, one line per finished step (not a terminal); no Dagster event lines
    shown = err.splitlines()[-1].split(" | ")
    assert shown[0] == "run 3/3 2025-26" and shown[2] == "reports__impact_report done"
    done, total = shown[1].removeprefix("step ").split("/")
    assert done == total and "STEP_START" not in err and "DEBUG" not in err
    assert (tmp_path / "wh" / "tip.db").exists() and (tmp_path / "wh" / "tip.ops.db").exists()
    # checkpointed at the end: tip.db copied alone, without its -wal, holds what was published
    wal = tmp_path / "wh" / "tip.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    (tmp_path / "copy").mkdir()
    shutil.copy(tmp_path / "wh" / "tip.db", tmp_path / "copy" / "tip.db")
    conn = sqlite3.connect(tmp_path / "copy" / "tip.db")
    try:
        periods = conn.execute("SELECT DISTINCT period FROM indicator_values ORDER BY 1").fetchall()
    finally:
        conn.close()
    assert periods == [("2024/25",), ("2025/26",)]


@pytest.mark.integration
def test_run_failure_is_one_clear_paragraph_and_non_zero(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    data = tmp_path / "data"
    main(["generate", "--out", str(data), "--scale", "small", "--seed", "1", "--quiet"])
    (data / "ref_imd_2025.csv").write_text("not,the,contract\n")
    code = main(["run", "--data", str(data), "--warehouse", f"sqlite:///{tmp_path}/tip.db"])
    err = capsys.readouterr().err
    assert code == 1
    assert "ref_imd_2025.csv" in err and "line 1 is not the header" in err
    assert "Traceback" not in err


def test_an_unexpected_error_is_one_line_without_its_values(monkeypatch, capsys, tmp_path):
    import tip_pipeline.runner

    def fails(*_args, **_kwargs):
        raise ValueError("invalid literal for int() with base 10: 'Olivia Hussain'")

    monkeypatch.setattr(tip_pipeline.runner, "run_all", fails)
    named_delivery(tmp_path, [ENDED])
    assert main(["run", "--data", str(tmp_path), "--warehouse", "sqlite:///unused.db"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tip run: ValueError") and "withheld" in err
    assert "Olivia" not in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.integration
def test_raw_returns_run_to_a_published_warehouse_and_report(tmp_path, capsys, monkeypatch):
    """``tip generate --format dfe`` then ``tip run --raw``, one year at the small scale, its
    SSDA903 return as DfE's XML (the CSV tables run so in test_raw_identifiers_stay_raw): every
    record of it is taken in (``ops.intake_tables``) and looked-after children are counted. The
    CIN census carries no address, so every CIN child is accepted with an unknown home area
    (the small lookup's one LA is the delivering LA), counted in completeness and in the LA's
    total, in the unknown ward beside the others; the disclosure audit passes and the report
    says how many had no known home area. ``TIP_RAW_DIR`` names the raw folder too, so that
    Dagster's intake assets take the returns in again (the youth-justice history's years in the
    reference run): same key, same files, the same accounts, harmless."""
    import sqlalchemy as sa

    from tip_pipeline.home_area import UNKNOWN_WARD
    from tip_pipeline.publish.audit import audit_year
    from tip_pipeline.warehouse.engine import make_engine

    home, reports = tmp_path / "dagster_home", tmp_path / "reports"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("TIP_FIRST_YEAR", "2024/25")
    monkeypatch.setenv("TIP_REPORT_DIR", str(reports))
    monkeypatch.delenv("TIP_HOME_LA", raising=False)
    out, url = tmp_path / "delivery", f"sqlite:///{tmp_path}/wh/tip.db"
    year = ["--first-year", "2024/25", "--last-year", "2024/25"]
    generate = ["generate", "--out", str(out), "--scale", "small", "--seed", "5", "--quiet"]
    assert main([*generate, *year, "--format", "dfe", "--ssda903", "xml"]) == 0
    support = out / "raw_support"
    monkeypatch.setenv("TIP_PSEUDONYM_KEY_FILE", str(support / "pseudonym.key"))
    lookup = support / "pcd_oa21_lsoa21_msoa21_lad_synthetic.csv"
    monkeypatch.setenv("TIP_POSTCODE_LOOKUP", str(lookup))
    monkeypatch.setenv("TIP_RAW_DIR", str(out / "raw"))
    assert main(["run", "--raw", str(out / "raw"), "--data", str(out), "--warehouse", url]) == 0
    assert "years: 2024-25;" in capsys.readouterr().out

    engine = make_engine(url)
    try:
        with engine.connect() as conn:

            def one(sql: str, **params) -> object:
                return conn.execute(sa.text(sql), params).scalar_one()

            accounts = conn.execute(
                sa.text(
                    "SELECT table_name, records_read, records_written, records_refused FROM "
                    "ops.intake_tables WHERE raw_file = '2024-25/ssda903_return.xml' "
                    "AND run_id LIKE 'intake-%'"  # tip intake's run, before Dagster's
                )
            ).all()
            assert len(accounts) == 11 and all(r[1] == r[2] and not r[3] for r in accounts)
            history = conn.execute(
                sa.text(
                    "SELECT run_id, raw_file, table_name, records_written FROM "
                    "ops.intake_tables WHERE raw_file < '2024-25/'"
                )
            ).all()
            by_run: dict[str, set] = {}
            for run_id, *account in history:
                by_run.setdefault(run_id, set()).add(tuple(account))
            assert len(by_run) == 2  # tip intake's run and the reference run's raw_history
            taken_in, again = by_run.values()
            assert taken_in and taken_in == again
            assert (
                one("SELECT COUNT(*) FROM restricted.ssda903_episodes")
                == dict((r[0], r[2]) for r in accounts)["ssda903_episodes"]
            )
            children = one("SELECT COUNT(*) FROM restricted.cin_children")
            assert children > 0
            assert one("SELECT COUNT(*) FROM restricted.cin_children WHERE home_lsoa IS NULL") == (
                children
            )
            quarantined = "SELECT COUNT(*) FROM ops.quarantine WHERE table_name = :t"
            assert one(quarantined, t="cin_children") == 0
            gap = conn.execute(
                sa.text(
                    "SELECT numerator, denominator FROM ops.completeness WHERE "
                    "table_name = 'cin_children' AND measure = 'home_lsoa_missing_or_unknown'"
                )
            ).all()
            assert gap and all(tuple(row) == (children, children) for row in gap)

            def total(area_type: str, extra: str = "") -> int:
                return one(
                    "SELECT SUM(numerator) FROM restricted.indicator_values WHERE "
                    "indicator_id = 'cin_31mar' AND breakdown = 'total' AND period = '2024/25' "
                    f"AND area_type = :type {extra}",
                    type=area_type,
                )

            la = total("la")
            assert la > 0 and la == total("ward")
            assert total("ward", f"AND area_code = '{UNKNOWN_WARD}'") == la  # CIN: no address
            deciles = one(
                "SELECT SUM(numerator) FROM restricted.indicator_values WHERE indicator_id = "
                "'cin_31mar' AND area_type = 'la' AND breakdown = 'imd_decile' "
                "AND category = 'unknown' AND period = '2024/25'"
            )
            assert deciles == la
            assert one(
                "SELECT COUNT(*) FROM published.dim_area WHERE area_code = :c", c=UNKNOWN_WARD
            )
        assert audit_year(engine, "2024/25", 5).passed
    finally:
        engine.dispose()
    (report,) = reports.glob("impact_report_*_2024-25.html")
    text = report.read_text(encoding="utf-8")
    assert "no known home area" in text and ">nan<" not in text.lower()


def _refused_before_dagster(monkeypatch: pytest.MonkeyPatch) -> None:
    """``tip run`` must refuse before the runner (and Dagster) is reached."""
    import tip_pipeline.runner

    def never(*_args, **_kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(tip_pipeline.runner, "run_all", never)


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--data", "{tmp}/nowhere"], "data folder {tmp}/nowhere does not exist: give --data"),
        (["--data", "{tmp}"], "data folder {tmp} holds no delivery: it is empty"),
        (
            ["--warehouse", "mysql://tip:s3cret@db/tip"],
            "unsupported warehouse URL 'mysql://tip:***",
        ),
        (["--warehouse", "s3cret"], "the warehouse URL is not a URL"),
        (["--warehouse", "postgresql://tip@127.0.0.1:1/tip"], "nothing accepts connections"),
    ],
)
def test_run_refuses_a_mistyped_folder_or_url_in_one_line_first(
    monkeypatch, capsys, tmp_path, argv, reason
):
    _refused_before_dagster(monkeypatch)
    args = ["run", "--warehouse", f"sqlite:///{tmp_path}/wh/tip.db", "--data", str(tmp_path)]
    code = main([*args, *(a.format(tmp=tmp_path) for a in argv)])
    line = _one_line(capsys.readouterr().err)
    assert code == 1 and line.startswith("tip run: ") and reason.format(tmp=tmp_path) in line
    assert "s3cret" not in line and not (tmp_path / "wh").exists()


def test_run_names_the_missing_files_of_a_year(monkeypatch, capsys, tmp_path):
    _refused_before_dagster(monkeypatch)
    named_delivery(tmp_path, [ENDED])
    missing = f"ssda903_episodes_{ENDED.tag}.csv"
    (tmp_path / missing).unlink()
    assert main(["run", "--data", str(tmp_path), "--warehouse", "sqlite:///x/tip.db"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert f"missing files; {ENDED.label}: {missing}." in line


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_with_the_reason_still_last(capsys, tmp_path, where):
    debug = ["--debug"]
    command = ["run", "--data", str(tmp_path / "nowhere")]
    assert main([*debug, *command] if where == "before" else [*command, *debug]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and "NotReady" in err
    assert err.splitlines()[-1].startswith("tip run: data folder")


@pytest.mark.parametrize("command", [["report", "--out", "r.html"], ["export", "--out", "x.csv"]])
def test_report_and_export_never_create_a_warehouse(capsys, tmp_path, command):
    url = f"sqlite:///{tmp_path}/warehouse/tip.db"
    assert main([*command, "--warehouse", url]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"tip {command[0]}: no warehouse at {url}: tip.db, ")
    assert not (tmp_path / "warehouse").exists()


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("tip 0.")


def _helps(parser) -> dict[str, str]:
    """The help text of ``tip`` and of each of its commands."""
    commands = parser._subparsers._group_actions[0].choices
    return {"tip": parser.format_help()} | {n: p.format_help() for n, p in commands.items()}


def test_help_shows_defaults_plain_text_and_no_password(monkeypatch):
    from tip_pipeline import config

    for setting in config.SETTINGS:  # another test of the worker may have set one (tip run does)
        monkeypatch.delenv(setting.name, raising=False)
    monkeypatch.setenv("TIP_WAREHOUSE_URL", "postgresql+psycopg://tip:s3cret%21@db:5432/tip")
    helps = _helps(build_parser())
    assert set(helps) == {"tip", "generate", "run", "intake", "purge", "erase", "export", "report"}
    for name, text in helps.items():
        assert "``" not in text and ":func:" not in text and "s3cret" not in text, name
    flat = {name: " ".join(text.split()) for name, text in helps.items()}
    assert "(default: small)" in flat["generate"] and "(default: 2020/21)" in flat["generate"]
    assert "(default: data_sources)" in flat["run"]
    for name in ("run", "intake", "purge", "erase", "export", "report"):
        assert "(default: postgresql+psycopg://tip:***@db:5432/tip)" in flat[name], name
    assert "(default: False)" not in flat["generate"] and "(default: None)" not in flat["report"]
