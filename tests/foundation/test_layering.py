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


# -- the layer rules of docs/design.md ---------------------------------------------------------

PURE_MODULES = (
    "synapse_ext/_flow/intents.py",
    "synapse_ext/_flow/retry.py",
    "synapse_ext/_flow/steps.py",
    "synapse_ext/_flow/bisect.py",
    "synapse_ext/policy.py",
    "synapse_ext/upload/_chunked.py",
    "synapse_ext/upload/_presigned.py",
    "synapse_ext/upload/_data_file.py",
    "synapse_ext/upload/_finalize.py",
    "synapse_ext/upload/_renew.py",
    "synapse_ext/ingest/_flows.py",
    "synapse_ext/ingest/_protocol.py",
    "synapse_ext/ingest/_protocol_v1.py",
    "synapse_ext/ingest/_protocol_v2.py",
    "synapse_ext/ingest/_identity.py",
    "synapse_ext/ingest/results.py",
    "synapse_ext/dataset/specs.py",
    "synapse_ext/client/_api.py",
    "synapse_ext/client/_api_v2.py",
    "synapse_ext/client/_api_presigned.py",
    "synapse_ext/client/pages.py",
    "synapse_ext/client/_worlds.py",
    "synapse_ext/_wire/pages.py",
)
IO_MODULES = {"httpx", "anyio", "threading", "sqlite3", "asyncio", "concurrent"}


def absolute_imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports, relative imports resolved to dotted names."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[:-1]  # __init__ files are their package's own module; good enough here
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield node.lineno, base
            for alias in node.names:  # ``from . import x`` may name a module
                yield node.lineno, f"{base}.{alias.name}"


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_do_no_io(module: str) -> None:
    path = ROOT / module
    for line, name in absolute_imports(path):
        assert name.split(".")[0] not in IO_MODULES, f"{where(path, line)}: imports {name}"


def test_the_client_never_imports_ingestion() -> None:
    for package in (
        "synapse_ext/client",
        "synapse_ext/_wire",
        "synapse_ext/_flow",
        "synapse_ext/upload",
    ):
        for path in modules_of(package):
            for line, name in absolute_imports(path):
                top = ".".join(name.split(".")[:2])
                assert top not in {"synapse_ext.ingest", "synapse_ext.cli"}, (
                    f"{where(path, line)}: imports {name}"
                )


@pytest.mark.parametrize("package", ["synapse_ext/_wire", "synapse_ext/_flow"])
def test_the_layers_below_the_client_never_import_it(package: str) -> None:
    for path in modules_of(package):
        for line, name in absolute_imports(path):
            top = ".".join(name.split(".")[:2])
            assert top != "synapse_ext.client", f"{where(path, line)}: imports {name}"


def test_only_the_cli_imports_click_and_rich() -> None:
    for path in modules_of("synapse_ext"):
        if "cli" in path.relative_to(ROOT).parts:
            continue
        for line, name in absolute_imports(path):
            assert name.split(".")[0] not in {"click", "rich"}, f"{where(path, line)}: {name}"


def test_only_the_cli_mock_option_imports_mockserver() -> None:
    allowed = ROOT / "synapse_ext" / "cli" / "fake.py"
    for path in modules_of("synapse_ext"):
        for line, name in absolute_imports(path):
            if name.split(".")[0] == "mockserver":
                assert path == allowed, f"{where(path, line)}: imports {name}"


def test_every_pure_module_exists() -> None:
    assert all((ROOT / m).is_file() for m in PURE_MODULES)


def test_sources_import_nothing_of_the_rest() -> None:
    """The client, uploads, organize and ingestion all read files through sources/."""
    for path in modules_of("synapse_ext/sources"):
        for line, name in absolute_imports(path):
            top = ".".join(name.split(".")[:2])
            assert not top.startswith("synapse_ext.") or top in SOURCES_MAY_IMPORT, (
                f"{where(path, line)}: imports {name}"
            )


SOURCES_MAY_IMPORT = {"synapse_ext.sources", "synapse_ext._root_error"}
"""sources/ itself, and the leaf module of the errors' root (its errors derive from it)."""


def test_the_root_error_module_is_a_leaf() -> None:
    """Every layer may import it (sources/ too), so it imports nothing itself."""
    path = ROOT / "synapse_ext/_root_error.py"
    assert [name for _line, name in absolute_imports(path)] == []


# -- no import cycle in synapse_ext ------------------------------------------------------------


def module_name(path: Path) -> str:
    """``synapse_ext/ingest/run.py`` → ``synapse_ext.ingest.run``; a package is its ``__init__``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: str) -> dict[str, dict[str, int]]:
    """Every module of ``package`` → the modules of ``package`` it imports (→ the first line).

    Every import statement counts, wherever it is: at module level, in a function (a lazy
    import still closes a cycle, only later) and under ``TYPE_CHECKING`` (a type-only import
    is still a dependency of the design, and the checker follows it). ``from pkg import name``
    is an edge to ``pkg.name`` when that is a module, else to ``pkg``; so ``from . import x``
    of a submodule ``x`` points at ``x``, not at the package's ``__init__``, while importing
    a name the ``__init__`` defines or re-exports is an edge into that ``__init__`` and counts
    (from one of its own submodules, that is a cycle that only works by import order).
    ``import a.b`` is an edge to ``a.b`` only: the packages Python initialises on the way (an
    implicit edge from every module to its package) are not edges, or every re-export from a
    package's ``__init__`` would be a cycle.
    """
    paths = modules_of(package)
    known = {module_name(p) for p in paths}
    graph: dict[str, dict[str, int]] = {}
    for path in paths:
        name = module_name(path)
        is_package = path.name == "__init__.py"
        here = name.split(".") if is_package else name.split(".")[:-1]
        edges = graph.setdefault(name, {})
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    base = node.module or ""
                else:
                    anchor = here[: len(here) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in known else base)
            for target in targets:
                if target in known and target != name:
                    edges.setdefault(target, node.lineno)
    return graph


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            child = next(successors, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def describe(component: list[str], graph: dict[str, dict[str, int]]) -> str:
    members = set(component)
    edges = [
        f"  {source} → {target} (line {line})"
        for source in component
        for target, line in sorted(graph[source].items())
        if target in members
    ]
    return "cycle of " + ", ".join(component) + ":\n" + "\n".join(edges)


def test_synapse_ext_has_no_import_cycle() -> None:
    graph = import_graph("synapse_ext")
    cycles = strongly_connected(graph)
    assert not cycles, "\n".join(describe(c, graph) for c in cycles)


def test_strongly_connected_finds_a_cycle_and_only_cycles() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1, "d": 1}, "d": {}, "e": {"e": 1}}
    assert strongly_connected(graph) == [["a", "b", "c"]]


def test_the_graph_sees_lazy_and_relative_imports() -> None:
    """The edges the cycle test relies on: a function-level import, ``from . import module``."""
    graph = import_graph("synapse_ext")
    assert "synapse_ext.distributed.driver" in graph["synapse_ext.ingest.run"]  # lazy
    assert "synapse_ext.ingest.run" in graph["synapse_ext.ingest"]
    assert "synapse_ext.ingest" not in graph["synapse_ext.ingest.run"]


def test_a_shard_runs_the_single_process_flow_not_the_dispatcher() -> None:
    graph = import_graph("synapse_ext")
    assert "synapse_ext.ingest._core" in graph["synapse_ext.distributed.shard"]
    assert "synapse_ext.ingest.run" not in graph["synapse_ext.distributed.shard"]
