"""generated/ is the generator's output for openapi.yaml, complete, and regenerates cleanly."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_python_client.strings import snake_case

from tests.conftest import ROOT, SPEC_PATH
from tests.foundation.test_spec import operations

pytestmark = pytest.mark.slow


def snake(name: str) -> str:
    """The generator's own module naming (``v2GetDataUnit`` -> ``v_2_get_data_unit``)."""
    return snake_case(name)


def test_generated_matches_the_spec() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/generate.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_operation_has_generated_functions(spec: dict[str, Any]) -> None:
    for _path, _method, op in operations(spec):
        module = importlib.import_module(
            f"synapse_client.api.{op['tags'][0]}.{snake(op['operationId'])}"
        )
        for fn in ("sync", "sync_detailed", "asyncio", "asyncio_detailed"):
            assert callable(getattr(module, fn)), f"{op['operationId']}.{fn}"


def test_generated_package_is_typed_and_clean() -> None:
    package = ROOT / "generated" / "synapse_client"
    assert (package / "py.typed").is_file()
    assert not (package / ".ruff_cache").exists()
    tracked = subprocess.run(
        ["git", "ls-files", "generated"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert all("__pycache__" not in path for path in tracked)


@pytest.mark.slow
def test_regeneration_loop_follows_a_spec_change(tmp_path: Path) -> None:
    """Add an optional field and an operation to a copy of the spec; regenerate; use them."""
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    spec["components"]["schemas"]["DataFile"]["properties"]["content_type"] = {
        "type": "string",
        "example": "image/jpeg",
    }
    spec["paths"]["/projects/{id}/"] = {
        "get": {
            "operationId": "getProject",
            "tags": ["projects"],
            "security": [{"AccessToken": []}],
            "parameters": [{"$ref": "#/components/parameters/IntegerId"}],
            "responses": {
                "200": {
                    "description": "A project.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["id", "data_collection"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "data_collection": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                "404": {"$ref": "#/components/responses/NotFound"},
            },
        }
    }
    changed = tmp_path / "openapi.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts/generate.py"),
            "--spec",
            str(changed),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    probe = """
import inspect, synapse_client
from synapse_client.models import DataFile
from synapse_client.api.projects import get_project
assert synapse_client.__file__.startswith(OUT), synapse_client.__file__
df = DataFile.from_dict({"id": 1, "checksum": "ab", "content_type": "image/png"})
assert df.content_type == "image/png", df
assert "id" in inspect.signature(get_project.sync_detailed).parameters
import synapse_ext, mockserver  # the hand-written layers still import
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", f"OUT = {str(out)!r}\n{probe}"],
        env={"PYTHONPATH": f"{out}:{ROOT}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    shutil.rmtree(out)
