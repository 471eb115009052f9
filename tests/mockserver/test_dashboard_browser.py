"""The dashboard in a real browser: headless Chromium against ``synapse-mock serve``.

Chromium (Debian's ``chromium``) is installed when missing by ``make test`` (the ``browser``
target) or by this module (``tests/mockserver/chromium.py``: apt-get as root, bounded in
time); the test skips, saying why, only when it cannot be had, and that skip is the one a run
with ``SYNAPSE_TESTS_FORBID_SKIPS`` allows. Each page load is one ``chromium --headless
--dump-dom`` run (with virtual time, so the page's refreshing script runs), screenshots in the
same run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.dashboard import REFRESH_MS
from synapse_ext import SynapseClient, organize, upload_data_collection
from tests.mockserver.chromium import TRIED, UNAVAILABLE, find_or_install

pytestmark = pytest.mark.slow

TOKEN = "tok-5b1e-browser-secret"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    found, why = find_or_install(install=not os.environ.get(TRIED))
    if found is None:
        pytest.skip(f"{UNAVAILABLE} ({why})")
    return found


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    """``synapse-mock serve``: (base URL, the dashboard address it printed)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockserver",
            "serve",
            "--port",
            "0",
            "--validate",
            "--token",
            TOKEN,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        base_url = process.stdout.readline().strip()
        line = ""
        for _ in range(20):  # the serving and storage lines come first
            line = process.stderr.readline()
            if "dashboard at" in line or not line:
                break
        assert "synapse-mock: dashboard at " in line, line
        dashboard = line.split()[-1]
        # Keep reading what the server logs, so a full pipe never blocks it.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield base_url, dashboard
    finally:
        process.terminate()
        process.wait(timeout=30)


def load(chromium: str, url: str, budget_ms: int, screenshot: Path | None = None) -> str:
    """The DOM of ``url`` after ``budget_ms`` of virtual time (and a screenshot, if asked)."""
    with tempfile.TemporaryDirectory() as profile:
        command = [chromium, *FLAGS, f"--user-data-dir={profile}"]
        command += [f"--virtual-time-budget={budget_ms}", "--dump-dom"]
        if screenshot is not None:
            command += [f"--screenshot={screenshot}", "--window-size=1280,2400"]
        done = subprocess.run(
            [*command, url], capture_output=True, text=True, timeout=120, cwd=profile
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def summary_counts(dom: str) -> dict[str, int]:
    first = dom.split('<dl class="summary">', 1)[1].split("</dl>", 1)[0]
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', first)}


def assert_no_secret(dom: str) -> None:
    assert TOKEN not in dom
    assert not re.search(r"(?<![\w-])(demo|other)(?![\w-])", dom)  # the tenant codes
    assert "X-Amz-Signature" not in dom and "X-Amz-Credential" not in dom


def make_dataset(root: Path, groups: int) -> None:
    for folder in ("image", "annotation"):
        (root / folder).mkdir(parents=True)
    for n in range(groups):
        (root / "image" / f"g{n:03}.png").write_bytes(b"\x89PNG" + n.to_bytes(4, "big") * 64)
        (root / "annotation" / f"g{n:03}.json").write_text(f'{{"n": {n}}}', encoding="utf-8")


def test_the_dashboard_during_and_after_an_upload(
    chromium: str, served: tuple[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    base_url, dashboard = served
    assert dashboard == f"{base_url}/_mock/"
    control = httpx.Client(base_url=base_url, timeout=30)
    request.addfinalizer(control.close)
    control.post("/_mock/reset")
    # The first unit batch is answered 8 s late: its units' tasks wait, so the run is
    # visibly in progress while the browser loads the page.
    hold = {"operation": "v2BulkCreateDataUnits", "kind": "slow", "delay_ms": 8000}
    control.post("/_mock/faults", json=hold)
    make_dataset(tmp_path / "data", 24)
    outcome: dict[str, Any] = {}
    started = threading.Event()

    def upload() -> None:
        with SynapseClient(base_url, TOKEN) as client:
            groups = organize(tmp_path / "data", client.get_collection(1))
            started.set()
            outcome["result"] = upload_data_collection(
                client, 1, groups, project_id=1, journal=None, batch_size=4
            )

    worker = threading.Thread(target=upload)
    worker.start()
    try:
        assert started.wait(60)
        deadline = time.monotonic() + 60
        while control.get("/_mock/state").json()["counts"]["data_units"] == 0:
            assert time.monotonic() < deadline, "no unit was created"
            time.sleep(0.05)
        during = load(chromium, dashboard, 200)
        midway = control.get("/_mock/state").json()["counts"]
    finally:
        worker.join(120)
    result = outcome["result"]
    assert result.success, result.failures
    seen = summary_counts(during)
    assert seen["data_collections"] == 3 and seen["calls"] >= 1
    assert 1 <= seen["data_units"] <= midway["data_units"]  # a snapshot of the run
    assert seen["tasks"] < 24 and midway["tasks"] < 24  # taken while the run was going
    assert_no_secret(during)

    shot = tmp_path / "dashboard.png"
    after = load(chromium, dashboard, REFRESH_MS * 2 + 500, screenshot=shot)
    state = control.get("/_mock/state").json()
    counts = summary_counts(after)
    for name in ("data_collections", "data_files", "data_units", "tasks", "presigned_uploads"):
        assert counts[name] == state["counts"][name], name
    assert counts["data_units"] == 24 and counts["objects"] == len(state["storage"]["objects"])
    assert int(re.search(r'data-refreshes="(\d+)"', after).group(1)) >= 1  # type: ignore[union-attr]
    assert "live · updated" in after  # the script replaced the live part
    assert_no_secret(after)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000

    unit = max(state["data_units"], key=lambda u: u["id"])
    names = {f["id"]: f["filename"] for f in state["data_files"]}
    page = load(chromium, f"{dashboard}units/{unit['id']}", 100)
    assert 'data-table="unit_files"' in page
    assert all(names[file_id] in page for file_id in unit["files"].values())
    assert "origin_file_stem" in page
    assert_no_secret(page)
