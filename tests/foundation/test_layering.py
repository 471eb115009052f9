"""Import rules between layers (ARCHITECTURE.md): checked on the source, not by convention."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRIVATE_GENERATED = {"_get_kwargs", "_parse_response", "_build_response"}
ALLOWED_GENERATED_PREFIXES = (
    "synapse_client.api.",
    "synapse_client.models",
    "synapse_client.types",
    "synapse_client.errors",
    "synapse_client.client",
)


def imports(package: str) -> Iterator[tuple[Path, int, str, list[str]]]:
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, node.lineno, alias.name, []
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.lineno, node.module, [a.name for a in node.names]


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_mockserver_imports_neither_client_package() -> None:
    for path, line, module, _names in imports("mockserver"):
        top = module.split(".")[0]
        assert top not in {"synapse_client", "synapse_ext"}, where(path, line)


def test_synapse_ext_uses_only_public_generated_api() -> None:
    for path, line, module, names in imports("synapse_ext"):
        if module.split(".")[0] != "synapse_client":
            continue
        target = module if module != "synapse_client" else f"synapse_client.{names[0]}"
        assert target.startswith(ALLOWED_GENERATED_PREFIXES), f"{where(path, line)}: {module}"
        assert not PRIVATE_GENERATED & set(names), f"{where(path, line)}: private helper"


def test_synapse_ext_never_touches_private_generated_helpers() -> None:
    for path in sorted((ROOT / "synapse_ext").rglob("*.py")):
        for name in PRIVATE_GENERATED:
            source = path.read_text(encoding="utf-8")
            assert f".{name}" not in source, f"{path.relative_to(ROOT)} uses {name}"


@pytest.mark.parametrize("package", ["synapse_ext", "mockserver"])
def test_packages_never_import_tests(package: str) -> None:
    for path, line, module, _names in imports(package):
        assert module.split(".")[0] != "tests", where(path, line)
