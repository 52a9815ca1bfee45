"""Nothing open by default (docs/INFORMATION_GOVERNANCE.md, "What is exposed on the network"):
every command in the documentation and the deployment files that starts the Dagster UI binds
it to this machine only, and the webserver's own default is this machine."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
STARTS_UI = re.compile(r"^\s*#?\s*(dagster-webserver|dagster dev)\b(?P<args>.*)$", re.MULTILINE)
HOST = re.compile(r"(?:-h|--host|--dagit-host)[ =](\S+)")
LOCAL = {"127.0.0.1", "localhost", "::1"}


def _documents() -> list[Path]:
    return [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted(p for p in (ROOT / "deploy").rglob("*") if p.is_file()),
    ]


def test_every_documented_command_starting_the_ui_binds_it_locally():
    commands = [
        (path.name, match.group("args"))
        for path in _documents()
        for match in STARTS_UI.finditer(path.read_text(encoding="utf-8"))
    ]
    assert len(commands) >= 3  # the README's two and the PostgreSQL deployment's
    for name, args in commands:
        hosts = HOST.findall(args.split("#", 1)[0])
        assert set(hosts) <= LOCAL, f"{name}: the UI bound to {hosts}"


def test_the_webservers_own_default_is_this_machine():
    shown = subprocess.run(
        [sys.executable, "-m", "dagster_webserver", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(r"--host TEXT\s+Host to run server on\s+\[default: 127\.0\.0\.1\]", shown)
