"""The report on the repository itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


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


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_default_base(api_diff: ModuleType, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(
        repo,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "a",
    )
    ref, why = api_diff.default_base(repo)
    assert ref == "HEAD" and "no tag" in why  # on main without a tag: HEAD, and it says so
    _git(repo, "tag", "v0.1.0")
    assert api_diff.default_base(repo)[0] == "v0.1.0"  # on main: the latest tag
    _git(repo, "checkout", "-q", "-b", "feature")
    _git(
        repo,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "b",
    )
    ref, why = api_diff.default_base(repo)
    assert why.startswith("merge base with main") and ref != "HEAD"
    _git(repo, "branch", "-q", "-D", "main")
    _git(repo, "tag", "-d", "v0.1.0")
    ref, why = api_diff.default_base(repo)
    assert ref == "HEAD" and "no main ref" in why
