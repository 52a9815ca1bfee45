"""The Dagster UI in a real browser: `dagster dev` on a free port with a temporary instance, a
small generated delivery and a SQLite warehouse; Chromium (Debian's, driven by Playwright)
opens the asset graph, finds every group and some assets' pages, materialises the
unpartitioned reference asset ``ingest/ref_imd`` from its page (choosing a partition in the
launch dialog is more brittle; the UI adds the rest of the reference multi-asset, which stages
and validates the reference files in one step) and waits for the run to succeed. Screenshots go to
artifacts/.

Skips without /usr/bin/chromium or Playwright, unless TIP_REQUIRE_BROWSER=1 (CI), where it
fails instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tip_pipeline.definitions import defs
from tip_pipeline_tests.optional import CHROMIUM, browser_problem, skip_or_fail

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ASSET = "ingest/ref_imd"
WAIT = 30_000  # ms

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def browser_ready() -> None:
    skip_or_fail(browser_problem(), "TIP_REQUIRE_BROWSER")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dagster dev exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@pytest.fixture
def dagster_ui(browser_ready, small_delivery, tmp_path) -> Iterator[str]:
    """Base URL of a `dagster dev` serving the project's workspace.yaml."""
    data, _ = small_delivery
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "TIP_DATA_DIR": str(data),
        "TIP_WAREHOUSE_URL": f"sqlite:///{tmp_path / 'warehouse' / 'tip.db'}",
    }
    log = (tmp_path / "dagster_dev.log").open("w")
    process = subprocess.Popen(
        ["dagster", "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/server_info", process, timeout=90)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_asset_graph_and_a_materialisation_in_the_browser(dagster_ui):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright

    groups = sorted({s.group_name for s in defs.resolve_all_asset_specs()})
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(60_000)

        page.goto(f"{dagster_ui}/asset-groups")
        skip = page.get_by_role("button", name="Skip")  # the first-visit community dialog
        with contextlib.suppress(PlaywrightTimeout):
            skip.click(timeout=15_000)
        for group in groups:
            expect(page.get_by_text(group, exact=True).first).to_be_visible(timeout=WAIT)
        page.screenshot(path=str(ARTIFACTS / "ui_asset_graph.png"))

        for key in ("ingest/cin_children", "validated/cin_episodes", ASSET):
            page.goto(f"{dagster_ui}/assets/{key}")
            name = key.split("/")[-1]
            expect(page.get_by_text(name, exact=True).first).to_be_visible(timeout=WAIT)
        page.get_by_role("button").filter(has_text="Materialize").first.click()
        # the reference files are staged and validated in one step: the UI says so first
        additional = page.get_by_role("dialog").filter(has_text="Additional assets")
        expect(additional.get_by_text("validated / ref_imd")).to_be_visible(timeout=WAIT)
        additional.get_by_role("button", name="Confirm").click(timeout=WAIT)
        expect(additional).to_be_hidden(timeout=WAIT)  # never click its Confirm twice
        # "upstream ingest/reference_guard not materialised yet": confirm, it is not a data dep
        upstream = page.get_by_role("dialog").filter(has_text="have not been materialized yet")
        expect(upstream.get_by_text("ingest / reference_guard")).to_be_visible(timeout=WAIT)
        upstream.get_by_role("button", name="Confirm").click(timeout=WAIT)
        expect(page.get_by_text("Launched run").first).to_be_visible(timeout=WAIT)
        page.goto(f"{dagster_ui}/runs")
        success = page.get_by_text("Success", exact=True).first
        deadline = time.monotonic() + 120  # queued, dequeued by the daemon, then run
        while not success.is_visible() and time.monotonic() < deadline:
            expect(page.get_by_text("Failure", exact=True)).to_have_count(0)
            time.sleep(2)
            page.reload()
        page.screenshot(path=str(ARTIFACTS / "ui_run.png"))
        expect(success).to_be_visible(timeout=WAIT)
        browser.close()
