"""Shared test configuration: the repository root, the spec, and the shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

pytest_plugins = ["tests.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def spec() -> dict:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


FORBID_SKIPS = "SYNAPSE_TESTS_FORBID_SKIPS"
"""Set (CI does): a run with any skipped test fails, since a broken optional install skips
whole directories (``pytest.importorskip``) and would otherwise pass unseen."""


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not os.environ.get(FORBID_SKIPS) or exitstatus != pytest.ExitCode.OK:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        for report in skipped:
            where, reason = report.location[0], report.longrepr
            print(f"\nskipped with {FORBID_SKIPS} set: {where}: {reason}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
