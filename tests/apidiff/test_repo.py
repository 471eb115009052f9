"""The report on the repository itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import ROOT


def test_repo_head_against_head_reports_no_change_and_exits_0(
    api_diff: ModuleType, tmp_path: Path
) -> None:
    head = tmp_path / "head"
    head.mkdir()
    api_diff.extract_tree("HEAD", head)  # the committed tree, whatever the working tree holds
    done = subprocess.run(
        [sys.executable, "scripts/api_diff.py", "--base", "HEAD", "--head-dir", str(head)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "API changes against HEAD" in done.stdout
    assert "no change" in done.stdout
