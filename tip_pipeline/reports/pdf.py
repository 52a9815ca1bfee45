"""The report as PDF, printed by a headless Chromium already on the machine (Debian's
``chromium`` package): the report's own print stylesheet lays it out on A4 landscape. No
browser is downloaded; without one, PDF output is refused with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tip_pipeline.errors import ValueFreeError

#: where Chromium is looked for, in order
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: headless, offline: the report loads nothing, and the browser fetches no updates either
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-pdf-header-footer",
)
TIMEOUT_S = 120


class NoBrowser(ValueFreeError, RuntimeError):
    """No Chromium to print with, or it failed."""


def find_chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise NoBrowser(
        "PDF needs a Chromium on the PATH (e.g. Debian's: apt-get install chromium); "
        "the HTML report prints to PDF from any browser too"
    )


def print_pdf(html: Path, pdf: Path, chromium: str | None = None) -> Path:
    """Print ``html`` (a file) to ``pdf`` with headless Chromium."""
    browser = chromium or find_chromium()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise NoBrowser(f"Chromium could not print the report (exit {done.returncode})")
    return pdf
