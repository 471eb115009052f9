"""``make demo``'s command, and the CLI against ``synapse-mock serve`` in a subprocess."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.mockserver.servers import cli_server, python_m

from .conftest import run

pytestmark = pytest.mark.slow


def test_demo_module_exits_0_with_progress_and_summary(tmp_path: Path) -> None:
    from .conftest import clean_env

    done = subprocess.run(
        [sys.executable, "-m", "synapse_ext.demo"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=clean_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("$ synapse-dc --mock upload examples/dataset --collection 1")
    assert "skipped examples/dataset/image/street_006.bmp: extension_not_allowed" in done.stdout
    assert "units created          5" in done.stdout and "failed                 0" in done.stdout
    assert "progress: data units 5/5 groups (done)" in done.stderr


def test_cli_against_synapse_mock_serve(dataset: Path, tmp_path: Path) -> None:
    command = python_m("serve", "--port", "0", "--token", "T0k3n-for-serve")
    with cli_server(command) as (process, url):
        env = {"SYNAPSE_BASE_URL": url, "SYNAPSE_ACCESS_TOKEN": "T0k3n-for-serve"}
        done = run(["upload", str(dataset), "--collection", "1", "--project", "1"], tmp_path, **env)
        assert done.returncode == 0, done.stderr
        assert "units created          5" in done.stdout
        listed = run(["units", "--collection", "1"], tmp_path, **env)
        assert "(5 of 5)" in listed.stdout
        denied = run(["collections"], tmp_path, SYNAPSE_BASE_URL=url, SYNAPSE_ACCESS_TOKEN="nope")
        assert denied.returncode == 3
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
