"""CLI smoke tests: the commands a user types, end to end on the small scale."""

import subprocess
import sys

import pytest

from tip_pipeline.cli import build_parser, main


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
    out = capsys.readouterr().out
    assert "materialised" in out and "years: 2024-25, 2025-26;" in out
    assert (tmp_path / "wh" / "tip.db").exists() and (tmp_path / "wh" / "tip.ops.db").exists()


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


def test_an_unexpected_error_is_one_line_without_its_values(monkeypatch, capsys):
    import tip_pipeline.runner

    def fails(*_args):
        raise ValueError("invalid literal for int() with base 10: 'Olivia Hussain'")

    monkeypatch.setattr(tip_pipeline.runner, "run_all", fails)
    assert main(["run", "--data", "unused", "--warehouse", "sqlite:///unused.db"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tip run: ValueError") and "withheld" in err
    assert "Olivia" not in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.integration
def test_raw_returns_run_to_a_published_warehouse_and_report(tmp_path, capsys, monkeypatch):
    """``tip generate --format dfe`` then ``tip run --raw``, one year at the small scale: the
    CIN census carries no address, so every CIN child is accepted with an unknown home area
    (the small lookup's one LA is the delivering LA), counted in completeness and in the LA's
    total, in the unknown ward beside the others; the disclosure audit passes and the report
    says how many had no known home area."""
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
    assert main([*generate, *year, "--format", "dfe"]) == 0
    support = out / "raw_support"
    monkeypatch.setenv("TIP_PSEUDONYM_KEY_FILE", str(support / "pseudonym.key"))
    lookup = support / "pcd_oa21_lsoa21_msoa21_lad_synthetic.csv"
    monkeypatch.setenv("TIP_POSTCODE_LOOKUP", str(lookup))
    assert main(["run", "--raw", str(out / "raw"), "--data", str(out), "--warehouse", url]) == 0
    assert "years: 2024-25;" in capsys.readouterr().out

    engine = make_engine(url)
    try:
        with engine.connect() as conn:

            def one(sql: str, **params) -> object:
                return conn.execute(sa.text(sql), params).scalar_one()

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
