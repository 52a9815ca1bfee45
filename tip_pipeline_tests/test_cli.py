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
