"""Fail when a public name of ``synapse_ext`` or ``mockserver`` has no docstring.

Public names are those in the ``__all__`` of ``synapse_ext``, of its documented sub-packages and
of ``mockserver``. Classes, functions and module attributes (constants, type aliases) need a
docstring; a class also needs one on each of its public methods and properties (inherited ones
included, when they come from these packages). The code is read as the reference reads it, with
the griffe extensions of ``docs/_ext`` (so ``upload_data_collection``, made by
``blocking_function``, is checked as the function it is).
Every name of ``synapse_ext.__all__`` must also be exported by a sub-package, so that the API
reference (grouped by sub-package) shows it. Run by ``make docs`` before the strict build.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import griffe

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = [
    "synapse_ext.client",
    "synapse_ext.upload",
    "synapse_ext.dataset",
    "synapse_ext.sources",
    "synapse_ext.ingest",
    "synapse_ext.errors",
    "synapse_ext.policy",
    "synapse_ext.progress",
    "synapse_ext.compat",
    "synapse_ext.distributed",
]
MODULES = ["synapse_ext", *SUBPACKAGES, "mockserver"]
OURS = ("synapse_ext", "mockserver")


def _extensions() -> griffe.Extensions:
    spec = importlib.util.spec_from_file_location(
        "client_methods", ROOT / "docs" / "_ext" / "client_methods.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return griffe.load_extensions(module.RestRoles(), module.ClientMethods())


def _public_names(module: str) -> list[str]:
    return list(importlib.import_module(module).__all__)


def _missing_in_class(cls: griffe.Class) -> list[str]:
    missing = []
    for name, member in sorted(cls.all_members.items()):
        if name.startswith("_"):
            continue
        target = member.final_target if isinstance(member, griffe.Alias) else member
        if not isinstance(target, griffe.Function) or not target.path.startswith(OURS):
            continue
        if not (target.docstring and target.docstring.value.strip()):
            missing.append(f"{cls.path}.{name} (defined at {target.path})")
    return missing


def problems() -> list[str]:
    loader = griffe.GriffeLoader(
        search_paths=[str(ROOT), str(ROOT / "generated")], extensions=_extensions()
    )
    packages = {name: loader.load(name) for name in OURS}
    loader.resolve_aliases(implicit=False, external=False)
    found: list[str] = []
    for module in MODULES:
        package = packages[module.split(".")[0]]
        griffe_module = package if module in OURS else package[module.split(".", 1)[1]]
        for name in _public_names(module):
            obj = griffe_module[name]
            target = obj.final_target if isinstance(obj, griffe.Alias) else obj
            if isinstance(target, griffe.Module) and name in target.members:
                target = target.members[name]  # a sub-module named like the function it exports
                target = target.final_target if isinstance(target, griffe.Alias) else target
            documented = bool(target.docstring and target.docstring.value.strip())
            if not documented:
                found.append(f"{module}.{name} (defined at {target.path})")
            if isinstance(target, griffe.Class):
                found += _missing_in_class(target)
    exported = {name for module in SUBPACKAGES for name in _public_names(module)}
    for name in _public_names("synapse_ext"):
        if name not in exported:
            found.append(f"synapse_ext.{name} is exported by none of {', '.join(SUBPACKAGES)}")
    return sorted(set(found))


def main() -> int:
    found = problems()
    for line in found:
        print(f"missing docstring: {line}" if "exported by" not in line else line)
    if found:
        print(f"{len(found)} public name(s) without a docstring", file=sys.stderr)
        return 1
    print(f"docstrings: every public name of {', '.join(OURS)} has one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
