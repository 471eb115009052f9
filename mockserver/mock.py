"""The user-facing handle and its one entry point: one fake backend, respx or real HTTP.

:func:`mock_synapse` builds the fake (:func:`~mockserver.dispatch.build_dispatcher`) and serves
it through one of two adapters, imported only for the mode asked for because each needs the
``mock`` extra (respx, or uvicorn): ``import mockserver`` needs neither.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Unpack
from urllib.parse import urlsplit

import httpx

from mockserver.clock import Clock
from mockserver.contract import Violation
from mockserver.dashboard import render_dashboard
from mockserver.dispatch import Call, Dispatcher, FakeOptions, build_dispatcher
from mockserver.extras import check_extra
from mockserver.faults import FaultController
from mockserver.fixtures import DEFAULT_TOKEN
from mockserver.presigned import DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE
from mockserver.routes import ApiVersion
from mockserver.state import Backend
from mockserver.storage import DEFAULT_STORAGE_URL, EmbeddedStore, ObjectStore

if TYPE_CHECKING:
    from mockserver.respx_transport import FakeTransport
    from mockserver.server import ThreadedServer

__all__ = [
    "DEFAULT_BASE_URL",
    "FakeOptions",
    "MockSynapse",
    "Mode",
    "build_dispatcher",
    "mock_synapse",
    "mock_synapse_server",
    "serve_in_thread",
]

Mode = Literal["respx", "server"]
MODES: tuple[Mode, ...] = ("respx", "server")
DEFAULT_BASE_URL = "https://api.synapse.sh"
DEFAULT_HOST = "127.0.0.1"


class MockSynapse:
    """A running fake: ``base_url``, credentials, state, call log, faults and transport.

    ``router`` is the patching respx router (routes named by operationId) in respx mode with
    ``patch=True``, else None; ``transport`` is an httpx transport (sync and async, streaming
    request bodies) in respx mode and None in server mode (use the network). Count calls with
    :meth:`call_count` (the one call log, whichever way the requests came in). ``sleep`` is
    what the respx transport calls for latency.

    ``storage`` is the object storage (:class:`~mockserver.storage.ObjectStore`, the
    backend's ``object_store``) and ``storage_url`` its origin, the one presigned URLs point
    at: ``https://storage.synapse-mock.test`` in respx mode (served by the same transport and
    router), ``http://host:<second port>`` in server mode, or the ``storage_endpoint``.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        base_url: str,
        token: str | None,
        *,
        mode: Mode,
        router: Any = None,
        transport: FakeTransport | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.base_url = base_url.rstrip("/")
        self.token = token
        codes = dispatcher.backend.tokens.get(token or "", [])
        self.tenant: str | None = codes[0] if codes else None
        self.mode: Mode = mode
        self.router = router
        self.transport = transport
        self.sleep: Callable[[float], None] = time.sleep
        self.storage_url = dispatcher.backend.object_store.endpoint_url

    @property
    def backend(self) -> Backend:
        return self.dispatcher.backend

    @property
    def storage(self) -> ObjectStore:
        """The object storage (the backend's ``object_store``)."""
        return self.dispatcher.backend.object_store

    @property
    def faults(self) -> FaultController:
        return self.dispatcher.faults

    @property
    def calls(self) -> list[Call]:
        """The call log: every API and storage request received, faulted or not, in order."""
        return self.dispatcher.calls

    @property
    def contract_violations(self) -> list[Violation]:
        return self.dispatcher.contract_violations

    def call_count(self, operation_id: str) -> int:
        """Requests received for an operation (including faulted ones), in both modes."""
        return self.dispatcher.call_counts()[operation_id]

    def handled_count(self, operation_id: str) -> int:
        """Requests of an operation that reached its handler (not stopped by a fault)."""
        return sum(1 for c in list(self.calls) if c.operation_id == operation_id and c.handled)

    def state(self) -> dict[str, Any]:
        """A snapshot of the whole fake, as ``GET /_mock/state`` returns it (no tokens).

        Keys: ``counts``, ``checksum_counts``, ``data_collections``, ``data_files``,
        ``chunked_uploads``, ``data_units``, ``tasks`` (taken by the backend under its lock),
        ``operation_calls`` (from the call log), ``faults`` and, for the embedded object
        storage, ``storage`` (``objects``: key → size, etag, segments; ``uploads``: id → key,
        part numbers).
        """
        return self.dispatcher.state()

    def dashboard(self, *, live: bool = True) -> str:
        """The dashboard page as ``GET /_mock/`` answers it (``live=False``: a static copy,
        without the refreshing script and the control forms)."""
        root = urlsplit(self.base_url).path + "/_mock/"
        return render_dashboard(
            self.state(),
            self.dispatcher.recent_calls(),
            root=root,
            redact=self.dispatcher.redacted(),
            live=live,
        )

    def dump_dashboard(self, path: str | Path) -> Path:
        """Write the dashboard (a static copy) to ``path``, e.g. when a test fails, for CI to
        keep as an artefact; parent folders are created. Returns the path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.dashboard(live=False), encoding="utf-8")
        return target

    def expect_invalid_requests(self) -> Any:
        """Context manager: allow spec-invalid requests (they must still get a 4xx)."""
        return self.dispatcher.expect_invalid_requests()

    def reset(self) -> None:
        """Reset state, faults, the call log and recorded violations."""
        self.dispatcher.reset()

    def headers(
        self, token: str | None = None, tenant: str | None = None, *, api: ApiVersion = "v1"
    ) -> dict[str, str]:
        """Auth headers for this fake as ``api`` clients send them: v1 ``Synapse-Access-Token:
        Token <t>`` (+ ``Synapse-Tenant: Token <code>``), v2 the raw token (and code)."""
        value = token or self.token
        if api == "v2":
            headers = {"SYNAPSE-ACCESS-TOKEN": f"{value}"}
            if tenant:
                headers["SYNAPSE-Tenant"] = tenant
            return headers
        headers = {"Synapse-Access-Token": f"Token {value}"}
        if tenant:
            headers["Synapse-Tenant"] = f"Token {tenant}"
        return headers

    def client(self, *, auth: bool = True, api: ApiVersion = "v1", **kwargs: Any) -> httpx.Client:
        """An httpx client wired to this fake (base URL, transport, ``api``'s auth headers)."""
        kwargs.setdefault("base_url", self.base_url)
        if auth:
            kwargs.setdefault("headers", self.headers(api=api))
        if self.transport is not None:
            kwargs.setdefault("transport", self.transport)
        return httpx.Client(**kwargs)

    def async_client(
        self, *, auth: bool = True, api: ApiVersion = "v1", **kwargs: Any
    ) -> httpx.AsyncClient:
        """The async twin of :meth:`client`."""
        kwargs.setdefault("base_url", self.base_url)
        if auth:
            kwargs.setdefault("headers", self.headers(api=api))
        if self.transport is not None:
            kwargs.setdefault("transport", self.transport)
        return httpx.AsyncClient(**kwargs)


@contextmanager
def mock_synapse(
    *,
    mode: Mode = "respx",
    base_url: str = DEFAULT_BASE_URL,
    token: str | None = DEFAULT_TOKEN,
    tenant: str | None = None,
    fixtures: dict[str, Any] | str | Path | None = None,
    storage: str | Path | None = None,
    storage_endpoint: str | None = None,
    storage_bucket: str | None = None,
    validate: bool = False,
    latency_ms: int = 0,
    clock: Clock | None = None,
    max_upload_bytes: int | None = None,
    seed: int = 0,
    spec_path: str | Path | None = None,
    multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
    part_size: int = DEFAULT_PART_SIZE,
    patch: bool = True,
    host: str = DEFAULT_HOST,
    port: int = 0,
    backend: Backend | None = None,
    caution: str | None = None,
) -> Iterator[MockSynapse]:
    """The fake Synapse backend, in-process through respx or over real HTTP.

    ``mode="respx"``: with ``patch=True`` every httpx client (sync or async) sending to
    ``base_url`` hits the fake; ``handle.transport`` also works for explicit injection
    (``patch=False`` injects only). ``host``/``port`` are server-mode only.

    ``mode="server"``: uvicorn serves the fake in a thread at ``http://host:port`` (``port=0``
    picks a free one); ``handle.base_url`` is that address plus the *path* of ``base_url``
    (its scheme and host are not used: the server has its own), so a prefix such as
    ``https://x/api`` is served at ``http://127.0.0.1:PORT/api``. ``patch`` does not apply.

    ``token`` (None: none) is accepted for ``tenant`` (default: the first fixture tenant).
    ``fixtures`` (a dict or a JSON file), ``storage`` (a folder for uploaded content; default
    a temporary one, deleted on exit), ``clock``, ``seed`` and ``max_upload_bytes`` shape the
    backend; ``backend`` serves an existing one instead (then those keep their defaults, and
    it is not closed on exit). The object storage (presigned S3 URLs, ``handle.storage``) is
    the embedded store, on its own origin ``handle.storage_url``; ``storage_endpoint`` makes
    it a real S3 endpoint (bucket ``storage_bucket``, default ``synapse-mock``; needs the
    ``mock-s3`` extra, botocore). ``validate`` checks traffic against ``openapi.yaml`` (or
    ``spec_path``); ``latency_ms`` is added to every API and storage response. Presigned
    uploads (v1 pair and v2) get a single PUT below ``multipart_threshold`` bytes, else a
    multipart upload in parts of ``part_size`` bytes (at least 5 MiB).

    Raises :class:`~mockserver.extras.MissingExtraError` (an ``ImportError``) when the
    ``mock`` extra is not installed, before anything is started.

    ``caution`` (``""`` or ``"sensitive_content"``): what the v2 API answers as the ``caution``
    of every collection whose fixture sets none (``""`` by default, the plausible backend
    value; a client that accepts only ``sensitive_content`` can be given that).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if mode == "respx" and (host != DEFAULT_HOST or port != 0):
        raise ValueError("host and port apply to mode='server' only")
    base_path = urlsplit(base_url).path.rstrip("/")
    # Both adapters need the extra: load the one asked for before starting anything.
    respx_adapter = _respx_adapter() if mode == "respx" else None
    server_class = _server_adapter() if mode == "server" else None
    dispatcher = build_dispatcher(
        backend=backend,
        token=token,
        tenant=tenant,
        fixtures=fixtures,
        storage=storage,
        storage_endpoint=storage_endpoint,
        storage_bucket=storage_bucket,
        validate=validate,
        latency_ms=latency_ms,
        clock=clock,
        max_upload_bytes=max_upload_bytes,
        seed=seed,
        base_path=base_path,
        spec_path=spec_path,
        multipart_threshold=multipart_threshold,
        part_size=part_size,
        caution=caution,
    )
    store = dispatcher.backend.object_store
    try:
        if respx_adapter is not None:
            transport_class, build_router = respx_adapter
            if isinstance(store, EmbeddedStore):
                store.endpoint_url = DEFAULT_STORAGE_URL
            handle = MockSynapse(dispatcher, base_url, token, mode="respx")

            def sleep(seconds: float) -> None:
                handle.sleep(seconds)

            handle.transport = transport_class(dispatcher, sleep, DEFAULT_STORAGE_URL)
            if patch:
                handle.router = build_router(
                    dispatcher, base_url, sleep=sleep, storage_url=DEFAULT_STORAGE_URL
                )
                with handle.router:
                    yield handle
            else:
                yield handle
        else:
            assert server_class is not None
            server = server_class(dispatcher, host, port)
            if isinstance(store, EmbeddedStore):  # served on the server's second socket
                store.endpoint_url = server.storage_url
            handle = MockSynapse(dispatcher, server.url + base_path, token, mode="server")
            server.start()
            try:
                yield handle
            finally:
                server.stop()
    finally:
        if backend is None:
            dispatcher.backend.close()


def _respx_adapter() -> tuple[type[FakeTransport], Callable[..., Any]]:
    """The respx adapter's transport class and router factory."""
    try:
        from mockserver.respx_transport import FakeTransport, build_router
    except ImportError as exc:
        check_extra("mock_synapse(mode='respx')", exc)
        raise
    return FakeTransport, build_router


def _server_adapter() -> type[ThreadedServer]:
    """The server adapter's threaded uvicorn server."""
    try:
        from mockserver.server import ThreadedServer
    except ImportError as exc:
        check_extra("mock_synapse(mode='server')", exc)
        raise
    return ThreadedServer


# -- deprecated aliases (one release) ---------------------------------------------------------


def mock_synapse_server(
    base_url: str | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = 0,
    **options: Unpack[FakeOptions],
) -> AbstractContextManager[MockSynapse]:
    """Deprecated: ``mock_synapse(mode="server", ...)``.

    Unlike before, the path of ``base_url`` is served as a prefix (it used to be ignored).
    """
    warnings.warn(
        "mock_synapse_server() is deprecated; use mock_synapse(mode='server', ...)",
        DeprecationWarning,
        stacklevel=2,
    )
    return mock_synapse(
        mode="server", base_url=base_url or DEFAULT_BASE_URL, host=host, port=port, **options
    )


def serve_in_thread(
    backend: Backend | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = 0,
    **options: Unpack[FakeOptions],
) -> AbstractContextManager[str]:
    """Deprecated: ``mock_synapse(mode="server", ...)``; this yields only the base URL."""
    warnings.warn(
        "serve_in_thread() is deprecated; use mock_synapse(mode='server', ...) and its base_url",
        DeprecationWarning,
        stacklevel=2,
    )
    return _base_url_of(
        mock_synapse(mode="server", backend=backend, host=host, port=port, **options)
    )


@contextmanager
def _base_url_of(served: AbstractContextManager[MockSynapse]) -> Iterator[str]:
    with served as handle:
        yield handle.base_url
