"""Loads scripts/api_diff.py as a module (scripts/ is not a package)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tests.conftest import ROOT


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_diff", ROOT / "scripts" / "api_diff.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["api_diff"] = module
    spec.loader.exec_module(module)
    return module


API_DIFF = _load()


@pytest.fixture
def api_diff() -> ModuleType:
    return API_DIFF
