"""Test tiers: with SYNAPSE_TESTS_FORBID_SKIPS set (CI), a skipped test fails the run, except
the allowed ones (the browser test when Chromium cannot be installed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ALLOWED_SKIPS, CHROMIUM_UNAVAILABLE, FORBID_SKIPS, ROOT
from tests.mockserver.chromium import TRIED

pytestmark = pytest.mark.slow  # each run imports the shared test fixtures afresh


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS`` at the repository root, skips allowed unless ``env`` says."""
    base = {k: v for k, v in os.environ.items() if k != FORBID_SKIPS}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _pytest(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The tests of ``folder`` under the shared test configuration."""
    (folder / "pytest.ini").write_text("[pytest]\n")
    ini = str(folder / "pytest.ini")
    return _run(
        "-q", "-p", "tests.conftest", "-c", ini, "--rootdir", str(folder), str(folder), **env
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


NO_CHROMIUM = """\
import shutil

_which = shutil.which


def _without_chromium(cmd, *args, **kwargs):
    return None if cmd == "chromium" else _which(cmd, *args, **kwargs)


shutil.which = _without_chromium
"""


def test_the_browser_tests_skip_without_chromium_is_allowed_and_printed(tmp_path: Path) -> None:
    """A machine where Chromium cannot be had: the browser test skips, and a run that forbids
    skips still passes, naming that skip."""
    (tmp_path / "no_chromium.py").write_text(NO_CHROMIUM)
    module = "tests/mockserver/test_dashboard_browser.py"
    options = ["-q", "-rs", "-n", "0", "-p", "no:cacheprovider", "-p", "no_chromium"]
    run = _run(*options, module, **{FORBID_SKIPS: "1", TRIED: "1", "PYTHONPATH": str(tmp_path)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout
    (node,) = ALLOWED_SKIPS
    assert f"allowed skip with {FORBID_SKIPS} set: {node}: {CHROMIUM_UNAVAILABLE}" in run.stdout


def test_an_allowed_test_skipping_for_another_reason_still_fails(tmp_path: Path) -> None:
    (node,) = ALLOWED_SKIPS
    path, name = node.split("::")
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_text(
        f"import pytest\n\n\ndef {name}():\n    pytest.skip('some extra is missing')\n"
    )
    run = _pytest(tmp_path, **{FORBID_SKIPS: "1"})
    assert run.returncode == 1, run.stdout + run.stderr
    assert "some extra is missing" in run.stdout and "allowed skip" not in run.stdout
