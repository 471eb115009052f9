"""The public API: one sorted ``__all__`` per package, no ``Any`` in a public signature,
sync/async parity by construction, deprecated aliases that warn, an error tree that means
what it says."""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

import synapse_ext
from synapse_ext import (
    AsyncSynapseClient,
    ClientError,
    DataFileUnconfirmedError,
    NoResponseError,
    RequestNotSentError,
    ResponseLostError,
    SynapseClient,
    aupload_data_collection,
    upload_data_collection,
)

PACKAGES = [
    "synapse_ext",
    "synapse_ext.client",
    "synapse_ext.upload",
    "synapse_ext.dataset",
    "synapse_ext.ingest",
    "synapse_ext.distributed",
    "synapse_ext.errors",
    "synapse_ext.progress",
    "synapse_ext.sources",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_one_sorted_all_that_names_every_public_class_and_function(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
    assert len(set(exported)) == len(exported)
    for export in exported:
        assert hasattr(module, export), export
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and (inspect.isclass(v) or inspect.isfunction(v))
        and getattr(v, "__module__", "").startswith("synapse_ext")
    }
    assert public <= set(exported), public - set(exported)


def test_engine_helpers_are_not_exported() -> None:
    assert not {"chunk_plan", "content_range", "batched"} & set(synapse_ext.__all__)


def _mentions_any(hint: object) -> bool:
    if hint is Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(hint))


def _callables() -> Iterator[tuple[str, Callable[..., object]]]:
    for name in synapse_ext.__all__:
        value = getattr(synapse_ext, name)
        if inspect.isfunction(value):
            yield name, value
        elif inspect.isclass(value) and value.__module__.startswith("synapse_ext"):
            for attr, member in vars(value).items():
                if inspect.isfunction(member) and (not attr.startswith("_") or attr == "__init__"):
                    yield f"{name}.{attr}", member
            for attr in dir(value):  # inherited public methods (the clients' flows)
                member = getattr(value, attr, None)
                if not attr.startswith("_") and inspect.isfunction(member):
                    yield f"{name}.{attr}", member


# BackendClient returns the product page's plain JSON dicts: Any is the honest value type there.
JSON_RETURNS = "BackendClient."


def test_no_any_in_public_signatures() -> None:
    checked = 0
    for qualname, function in _callables():
        hints = typing.get_type_hints(function)
        for param, hint in hints.items():
            if param == "return" and qualname.startswith(JSON_RETURNS):
                continue
            if param == "options":  # **options: Unpack[SyncOptions]
                continue
            assert not _mentions_any(hint), f"{qualname}({param}: {hint})"
        checked += 1
    assert checked > 60


PAIRS = {"close": "aclose", "__enter__": "__aenter__", "__exit__": "__aexit__"}


def _public_methods(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}


def test_sync_and_async_clients_have_the_same_methods_and_signatures() -> None:
    sync, aio = _public_methods(SynapseClient), _public_methods(AsyncSynapseClient)
    assert sync - {"close"} == aio - {"aclose"}
    for name in sorted(sync - {"close"}):
        a, b = getattr(SynapseClient, name), getattr(AsyncSynapseClient, name)
        sa, sb = inspect.signature(a), inspect.signature(b)
        if sa.return_annotation != sb.return_annotation:  # iterators differ by world
            origin = (
                typing.get_origin(sa.return_annotation),
                typing.get_origin(sb.return_annotation),
            )
            assert origin == (Iterator, AsyncIterator), name
            sa, sb = sa.replace(return_annotation=None), sb.replace(return_annotation=None)
        assert sa == sb, name
        assert (
            inspect.iscoroutinefunction(b)
            or typing.get_origin(inspect.signature(b).return_annotation) is AsyncIterator
        ), name
    for sync_name, async_name in PAIRS.items():
        assert hasattr(SynapseClient, sync_name) and hasattr(AsyncSynapseClient, async_name)
    init_a = inspect.signature(SynapseClient.__init__).parameters
    init_b = inspect.signature(AsyncSynapseClient.__init__).parameters
    assert list(init_a) == list(init_b)


def test_ingestion_functions_have_the_same_signature() -> None:
    a, b = inspect.signature(upload_data_collection), inspect.signature(aupload_data_collection)
    assert list(a.parameters) == list(b.parameters)
    assert a.parameters["client"].annotation is SynapseClient
    assert b.parameters["client"].annotation is AsyncSynapseClient
    assert [p.replace(annotation=None) for p in a.parameters.values()] == [
        p.replace(annotation=None) for p in b.parameters.values()
    ]
    assert a.return_annotation is b.return_annotation
    assert inspect.iscoroutinefunction(aupload_data_collection)


def test_errors_mean_what_they_say() -> None:
    assert not issubclass(ResponseLostError, RequestNotSentError)
    assert not issubclass(RequestNotSentError, ResponseLostError)
    assert issubclass(ResponseLostError, NoResponseError)
    assert issubclass(RequestNotSentError, NoResponseError)
    assert not issubclass(DataFileUnconfirmedError, NoResponseError)
    assert issubclass(DataFileUnconfirmedError, ClientError)
    assert "HTTPError" not in synapse_ext.__all__  # httpx's root class has another meaning


@pytest.mark.parametrize(
    ("old", "new"),
    [("ClientConnectionError", "RequestNotSentError"), ("HTTPError", "UnexpectedStatusError")],
)
def test_former_error_names_warn_and_resolve(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=old):
        value = getattr(synapse_ext, old)
    assert value is getattr(synapse_ext, new)


def test_former_helpers_warn_and_still_work() -> None:
    with pytest.warns(DeprecationWarning):
        policy = synapse_ext.UnitBatchPolicy(base=0.1)
    assert policy.max_attempts == 3 and policy.base == 0.1
    with pytest.warns(DeprecationWarning):
        assert synapse_ext.content_range(0, 10, 30) == "bytes 0-9/30"


RENAMED = {
    "create_data_units": "create_units",
    "get_data_unit": "get_unit",
    "list_data_units": "list_units",
    "iter_data_units": "iter_units",
    "create_chunked_upload": "upload_file_chunked",
    "create_data_file_from_chunked_upload": "create_file_from_chunked_upload",
}


CALLS: dict[str, tuple[object, ...]] = {
    "create_data_units": ([],),
    "get_data_unit": (1,),
    "list_data_units": (),
    "iter_data_units": (),
    "create_chunked_upload": ("/nonexistent/file.bin",),
    "create_data_file_from_chunked_upload": ("u1",),
}


@pytest.mark.parametrize(("old", "new"), sorted(RENAMED.items()))
def test_renamed_methods_keep_their_signature_and_warn(old: str, new: str) -> None:
    for cls in (SynapseClient, AsyncSynapseClient):
        assert inspect.signature(getattr(cls, old)) == inspect.signature(getattr(cls, new))
    transport = httpx.MockTransport(lambda request: httpx.Response(404, json={"detail": "no"}))
    client = SynapseClient("https://api.test", "t", transport=transport, retry=None)
    with client, pytest.warns(DeprecationWarning, match=old), pytest.raises((ClientError, OSError)):
        result = getattr(client, old)(*CALLS[old])
        if isinstance(result, Iterator):
            next(result)


def test_version_is_the_installed_distributions() -> None:
    import importlib.metadata
    import tomllib

    from tests.conftest import ROOT

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert synapse_ext.__version__ == importlib.metadata.version("synapse-dc") == declared
