"""Test tiers: with SYNAPSE_TESTS_FORBID_SKIPS set (CI), a skipped test fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FORBID_SKIPS, ROOT

pytestmark = pytest.mark.slow  # each run imports the shared test fixtures afresh


def _pytest(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (folder / "pytest.ini").write_text("[pytest]\n")
    base = {k: v for k, v in os.environ.items() if k != FORBID_SKIPS}
    ini = str(folder / "pytest.ini")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-c", ini]
    return subprocess.run(
        [*cmd, "--rootdir", str(folder), str(folder)],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_skip_fails_the_run_only_when_skips_are_forbidden(tmp_path: Path) -> None:
    (tmp_path / "test_optional.py").write_text(
        "import pytest\n\n\ndef test_needs_an_extra():\n    pytest.skip('extra missing')\n"
    )
    allowed = _pytest(tmp_path)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    forbidden = _pytest(tmp_path, **{FORBID_SKIPS: "1"})
    assert forbidden.returncode == 1, forbidden.stdout + forbidden.stderr
    assert "test_optional.py" in forbidden.stdout and "extra missing" in forbidden.stdout


def test_a_run_without_skips_passes_when_skips_are_forbidden(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text("def test_runs():\n    assert True\n")
    run = _pytest(tmp_path, **{FORBID_SKIPS: "1"})
    assert run.returncode == 0, run.stdout + run.stderr
