"""The API reference shows the typed clients' methods as they exist at run time.

``docs/_ext/client_methods.py`` (a griffe extension used by ``make docs``) copies the flows of
``ClientApi`` onto both clients; this checks that what it produces matches the methods the
worlds create: the same names, the same parameters, the same return types, ``async`` where
the method is a coroutine function.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import typing
from typing import Any

import attrs
import griffe
import pytest

import synapse_ext
from synapse_ext import AsyncSynapseClient, SynapseClient
from tests.conftest import ROOT

_QUALIFIED = re.compile(r"(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)")


def _extension(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(
        "client_methods", ROOT / "docs" / "_ext" / "client_methods.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)()


@pytest.fixture(scope="module")
def package() -> griffe.Module:
    extensions = griffe.load_extensions(_extension("RestRoles"), _extension("ClientMethods"))
    loaded = griffe.load(
        "synapse_ext",
        search_paths=[str(ROOT), str(ROOT / "generated")],
        extensions=extensions,
        resolve_aliases=False,
    )
    assert isinstance(loaded, griffe.Module)
    return loaded


def _flow_methods(cls: type) -> dict[str, Any]:
    """The methods the worlds made from ClientApi's flows (their qualname says so)."""
    return {
        name: value
        for name, value in vars(cls).items()
        if inspect.isfunction(value)
        and value.__qualname__.startswith(("ClientApi.", "ClientApiV2."))
    }


def _short(annotation: object) -> str:
    text = annotation.__name__ if isinstance(annotation, type) else repr(annotation)
    return _QUALIFIED.sub(r"\1", text)


@pytest.mark.parametrize("cls", [SynapseClient, AsyncSynapseClient], ids=lambda c: c.__name__)
def test_reference_methods_match_the_runtime_ones(cls: type, package: griffe.Module) -> None:
    documented = package[f"client._clients.{cls.__name__}"]
    methods = _flow_methods(cls)
    assert len(methods) > 10
    for name, method in methods.items():
        doc = documented.members[name]
        assert isinstance(doc, griffe.Function), name
        assert doc.docstring is not None and doc.docstring.value.strip(), name
        assert [p.name for p in doc.parameters] == list(inspect.signature(method).parameters)
        runtime = typing.get_type_hints(method)["return"]
        assert str(doc.returns) == _short(runtime), name
        assert ("async" in doc.labels) == inspect.iscoroutinefunction(method), name


def test_rest_markup_is_rendered_as_markdown(package: griffe.Module) -> None:
    doc = package["client._clients.SynapseClient"].docstring
    assert doc is not None and ":meth:" not in doc.value and "`close`" in doc.value
    errors = package["errors"].docstring
    assert errors is not None and "Hierarchy:\n" in errors.value


@pytest.mark.parametrize("name", ["upload_data_collection", "aupload_data_collection"])
def test_world_functions_are_functions_in_the_reference(name: str, package: griffe.Module) -> None:
    function = getattr(synapse_ext, name)
    documented = package[f"ingest.run.{name}"]
    assert isinstance(documented, griffe.Function)
    assert documented.docstring is not None
    summary = (inspect.getdoc(function) or "").splitlines()[0]
    assert documented.docstring.value.splitlines()[0] == summary
    hints = typing.get_type_hints(function)
    parameters = list(inspect.signature(function).parameters)
    assert [p.name for p in documented.parameters] == parameters
    assert str(documented.parameters[0].annotation) == hints[parameters[0]].__name__
    assert str(documented.returns) == _short(hints["return"])
    assert ("async" in documented.labels) == inspect.iscoroutinefunction(function)


def _attrs_classes() -> list[tuple[str, str, type]]:
    found = []
    for module_name in ["synapse_ext", "mockserver", "synapse_client.models", "synapse_client"]:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and attrs.has(value):
                found.append((value.__module__, value.__qualname__, value))
    return sorted(set(found), key=lambda item: (item[0], item[1]))


@pytest.fixture(scope="module")
def loaded() -> dict[str, griffe.Module]:
    extensions = griffe.load_extensions(_extension("AttrsSignatures"))
    loader = griffe.GriffeLoader(
        search_paths=[str(ROOT), str(ROOT / "generated")], extensions=extensions
    )
    modules = {name: loader.load(name) for name in ["synapse_ext", "mockserver", "synapse_client"]}
    return {name: module for name, module in modules.items() if isinstance(module, griffe.Module)}


@pytest.mark.parametrize(
    "cls", [c for _, _, c in _attrs_classes()], ids=lambda c: f"{c.__module__}.{c.__qualname__}"
)
def test_attrs_signatures_match_the_runtime_ones(cls: type, loaded: dict[str, Any]) -> None:
    package, _, rest = cls.__module__.partition(".")
    documented = loaded[package][f"{rest}.{cls.__qualname__}" if rest else cls.__qualname__]
    init = documented.members["__init__"]
    runtime = list(inspect.signature(cls).parameters.values())
    shown = [p for p in init.parameters if p.name != "self"]
    assert [(p.name, p.kind.name) for p in shown] == [
        (p.name, p.kind.name.lower()) for p in runtime
    ]
    has_default = [p.default is not None for p in shown]
    assert has_default == [p.default is not inspect.Parameter.empty for p in runtime]
