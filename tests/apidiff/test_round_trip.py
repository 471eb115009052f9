"""Round trip: the repo's spec with one breaking and one compatible change, regenerated."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from generate import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def changed_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tree like the repo's whose spec drops DataUnit.groups and adds FileType 'mesh'."""
    tree = tmp_path_factory.mktemp("head")
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    del schemas["DataUnit"]["properties"]["groups"]  # breaking for clients (response field)
    # compatible: an optional query parameter of listDataUnits
    spec["paths"]["/data_units/"]["get"]["parameters"].append(
        {"name": "ordering", "in": "query", "required": False, "schema": {"type": "string"}}
    )
    (tree / "openapi.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    generate(tree / "openapi.yaml", tree / "generated")
    for package in ("synapse_ext", "mockserver"):
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tree


def _run(tree: Path, changelog: str) -> tuple[int, dict[str, object]]:
    (tree / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    command = ["scripts/api_diff.py", "--base-dir", str(ROOT), "--head-dir", str(tree), "--json"]
    done = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


UNANNOUNCED = "# Changelog\n\n## Unreleased\n\n### Breaking\n\n### Added\n\n- `ordering`\n"
ANNOUNCED = (
    "# Changelog\n\n## Unreleased\n\n### Breaking\n\n"
    "- `DataUnit.groups` is no longer returned (`groups`).\n\n## 0.1.0\n\n### Breaking\n"
)


def _by(changes: list[dict[str, object]], **match: str) -> list[dict[str, object]]:
    return [c for c in changes if all(c[k] == v for k, v in match.items())]


def test_unannounced_breaking_change_exits_1(changed_tree: Path) -> None:
    status, report = _run(changed_tree, UNANNOUNCED)
    changes = report["changes"]
    assert isinstance(changes, list)
    removed = _by(changes, level="http", kind="field-removed", item="DataUnit.groups")
    assert removed and removed[0]["classification"] == "breaking for clients"
    assert removed[0]["announced"] is False
    added = _by(changes, level="http", kind="parameter-added", item="listDataUnits.ordering")
    assert added and added[0]["classification"] == "compatible"
    # the generated level sees the same two changes as Python API changes
    field = _by(changes, level="generated", item="models.DataUnit.groups")
    assert field and field[0]["classification"] == "breaking for clients"
    params = _by(changes, level="generated", kind="parameter-added")
    assert params and all(c["classification"] == "compatible" for c in params)
    assert status == 1 and report["exit"] == 1


def test_announced_breaking_change_exits_0(changed_tree: Path) -> None:
    status, report = _run(changed_tree, ANNOUNCED)
    changes = report["changes"]
    assert isinstance(changes, list)
    assert all(c["announced"] for c in changes if c["classification"] != "compatible")
    assert _by(changes, item="DataUnit.groups", announced=True)
    assert status == 0


def test_human_report_names_and_classifies_both(changed_tree: Path, api_diff: ModuleType) -> None:
    (changed_tree / "CHANGELOG.md").write_text(UNANNOUNCED, encoding="utf-8")
    status, text = api_diff.run(
        ROOT, changed_tree, "test base", False, changed_tree / "CHANGELOG.md"
    )
    assert status == 1
    lines = text.splitlines()
    assert (
        "  breaking for clients: DataUnit.groups: field removed (in responses) [NOT ANNOUNCED]"
        in lines
    )
    assert any(x.startswith("  compatible: listDataUnits.ordering:") for x in lines)
    # grouped by level, breaking first inside each level
    http = lines.index("HTTP contract (openapi.yaml):")
    assert lines[http + 1].startswith("  breaking")
