"""Shared test configuration: the repository root, the spec, and the shared fixtures."""

from __future__ import annotations

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
